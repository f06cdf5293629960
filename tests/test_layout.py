"""The layout rules of issue 18, checked on the notebooks and the exported module, so that they keep holding:
every import points to a lower-numbered notebook, no private name crosses a module, no public function is over 40
lines, and every export cell defines at most one public name (small constants aside). And one rule of hygiene: every
temporary folder a notebook makes is removed in it, so that running the tests leaves nothing in the temp folder."""
import ast, json, re
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS, LIB = ROOT/'nbs', ROOT/'pseudo_clean'

def _numbered():
    "Module name → (notebook number, notebook path) of every numbered notebook that exports a module."
    out = {}
    for nb in sorted(NBS.glob('[0-9][0-9]_*.ipynb')):
        cells = json.loads(nb.read_text())['cells']
        m = [re.match(r'#\|\s*default_exp\s+(\S+)', ''.join(c['source'])) for c in cells if c['cell_type'] == 'code']
        m = [o for o in m if o]
        if m: out[m[0].group(1)] = (int(nb.name[:2]), nb)
    return out

MODULES = _numbered()

def _code_cells(nb:Path):
    for c in json.loads(nb.read_text())['cells']:
        if c['cell_type'] == 'code': yield ''.join(c['source'])

def _imports(text:str):
    "(module, names) of every `from pseudo_clean.X import ...` and `import pseudo_clean.X` in `text`."
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith('pseudo_clean.'):
            yield node.module.split('.')[1], [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('pseudo_clean.'): yield a.name.split('.')[1], []

def _parse(src:str):
    src = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))
    try: return ast.parse(src)
    except SyntaxError: return None

def test_every_module_has_a_numbered_notebook():
    exported = {p.stem for p in LIB.glob('*.py') if not p.stem.startswith('_')}
    assert exported == set(MODULES), exported ^ set(MODULES)

@pytest.mark.parametrize('nb', sorted(NBS.glob('[0-9][0-9]_*.ipynb')), ids=lambda p: p.name)
def test_imports_point_down(nb):
    num = int(nb.name[:2])
    for text in _code_cells(nb):
        if _parse(text) is None: continue
        for mod, _ in _imports(text):
            assert mod in MODULES, f'{nb.name} imports pseudo_clean.{mod}, which no notebook exports'
            assert MODULES[mod][0] < num or MODULES[mod][1] == nb, f'{nb.name} imports pseudo_clean.{mod} ({MODULES[mod][1].name})'

def test_no_private_name_crosses_a_module():
    for p in list(LIB.glob('*.py')) + list(NBS.rglob('*.ipynb')) + list((ROOT/'benchmarks').rglob('*.py')) + list((ROOT/'tests').glob('*.py')):
        texts = _code_cells(p) if p.suffix == '.ipynb' else [p.read_text()]
        for text in texts:
            if _parse(text) is None: continue
            for mod, names in _imports(text):
                private = [n for n in names if n.startswith('_')]
                assert not private, f'{p.relative_to(ROOT)} imports private {private} from pseudo_clean.{mod}'

def _public_defs(tree):
    return [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith('_')]

@pytest.mark.parametrize('mod', sorted(MODULES))
def test_public_functions_are_short(mod):
    tree = ast.parse((LIB/f'{mod}.py').read_text())
    long = [(n.name, n.end_lineno - n.lineno + 1) for n in _public_defs(tree)
            if isinstance(n, ast.FunctionDef) and n.end_lineno - n.lineno + 1 > 40]
    assert not long, f'pseudo_clean.{mod}: public functions over 40 lines: {long}'

@pytest.mark.parametrize('mod', sorted(MODULES))
def test_one_public_name_per_export_cell(mod):
    for text in _code_cells(MODULES[mod][1]):
        if not re.match(r'#\|\s*export\b', text): continue
        names = [n.name for n in _public_defs(ast.parse(text))]
        assert len(names) <= 1, f'{MODULES[mod][1].name}: one export cell defines {names}'

MKDTEMP = re.compile(r'^\s*(\w+) = .*?(?:tempfile|_tf)\.mkdtemp\(', re.M)

@pytest.mark.parametrize('nb', sorted(NBS.rglob('*.ipynb')), ids=lambda p: str(p.relative_to(NBS)))
def test_temporary_folders_are_removed(nb):
    "Each `x = ...mkdtemp()...` is followed by `rmtree(x` or `rmtree(x.parent` (x inside the folder) in the same notebook."
    code = '\n'.join(_code_cells(nb))
    made = list(MKDTEMP.finditer(code))
    assert len(made) == code.count('mkdtemp('), f'{nb.name}: a tempfile.mkdtemp() not assigned to a name, so never removed'
    for m in made:
        v = m.group(1)
        assert re.search(rf'rmtree\({v}(\.parent)?\b', code[m.end():]), f'{nb.name}: the temporary folder {v} is never removed (shutil.rmtree)'
