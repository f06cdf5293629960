"""The docs preview (`python tools/preview.py`) checked in headless Chromium.

Run: `pytest tests/test_site.py -v` from the repo root. The first build runs nbdev's processors on every
notebook (cached in `_proc/` afterwards); screenshots go to `tests/_out/`.
"""
import ast, json, os, re, configparser, posixpath, warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest
from tools.preview import build_preview, broken_links, list_notebooks, page_name, read_sidebar, project_paths
from tools.chromium import dump_dom, image_status, parse_page, screenshot

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='session')
def site(_in_repo_root):
    "Build the preview once for the whole session."
    return build_preview('site_preview')

@pytest.fixture(scope='session')
def manifest(site): return json.loads((site/'manifest.json').read_text())['pages']

@pytest.fixture(scope='session')
def doms(site, manifest, chromium):
    "Every page's DOM as headless Chromium renders it."
    with ThreadPoolExecutor(4) as ex:
        res = ex.map(lambda p: (p['page'], dump_dom(site/p['page'])), manifest)
        return dict(res)

def test_sidebar_lists_every_notebook():
    listed = {n for _,ns in read_sidebar() for n in ns}
    unlisted = sorted(set(list_notebooks()) - listed)
    assert not unlisted, f"not in nbs/sidebar.yml: {unlisted} (run `python tools/preview.py --sidebar`)"

def test_sidebar_entries_exist():
    nbs = project_paths()['nbs']
    missing = sorted(n for _,ns in read_sidebar() for n in ns if not (nbs/n).exists())
    assert not missing, f"nbs/sidebar.yml lists notebooks that do not exist: {missing}"

def test_sidebar_order():
    secs = [s for s,_ in read_sidebar()]
    assert 'API' in secs
    if 'Tutorials' in secs: assert secs.index('Tutorials') < secs.index('API')
    api = dict(read_sidebar())['API']
    assert api == sorted(api, key=lambda n: int(re.match(r'\d+', n).group()) if re.match(r'\d+', n) else 10**6)

def test_one_page_per_notebook(site, manifest):
    pages = {p['notebook']: p['page'] for p in manifest}
    for nb in list_notebooks():
        assert nb in pages, f"no page for {nb}"
        assert pages[nb] == page_name(nb)
    assert (site/'index.html').exists()

def test_every_page_loads(doms, manifest):
    for p in manifest:
        dom = doms[p['page']]
        assert 'class="pc-sidebar"' in dom and 'class="pc-main"' in dom, p['page']
        info = parse_page(dom)
        assert p['title'] in info['text'], f"{p['page']}: title {p['title']!r} not shown"
        assert 'Traceback (most recent call last)' not in info['text'], f"{p['page']} shows a traceback"

def test_internal_links_resolve(site, doms):
    "Every relative link on every page (as the browser sees it) points to a file of the preview."
    bad = {page: b for page,dom in doms.items() if (b := broken_links(site, page, dom, anchors=False))}
    assert not bad, f"broken internal links: {bad}"

def test_anchors(site, doms):
    "Links to `page.html#name` whose target has no such id: a doc link to a symbol without a `show_doc` (warned, not failed)."
    bad = {page: [h for h,r in b if r.startswith('missing anchor')] for page,dom in doms.items() if (b := broken_links(site, page, dom))}
    bad = {k:v for k,v in bad.items() if v}
    if bad: warnings.warn(f"links to missing anchors (add a show_doc, or drop the backticks): {bad}")

def test_no_quarto_attributes_shown(site, manifest):
    "Quarto link attributes (the `{target=\"_blank\" ...}` after show_doc's 'source' links) are applied, never shown as text."
    shown = {p['page']: re.findall(r'.{0,40}\{target=.{0,40}', t) for p in manifest
             if '{target=' in (t := parse_page((site/p['page']).read_text(encoding='utf-8'))['text'])}
    assert not shown, f"raw Quarto attributes in the visible text: {shown}"
    api = [p['page'] for p in manifest if p['section'] == 'API']
    source_links = [a for pg in api for a in re.findall(r'<a\b[^>]*>source</a>', (site/pg).read_text(encoding='utf-8'))]
    assert source_links, "no show_doc 'source' links on the API pages"
    assert all('target="_blank"' in a for a in source_links), [a for a in source_links if 'target="_blank"' not in a][:3]

@pytest.mark.skipif(not os.environ.get('PSEUDO_CLEAN_SLOW'), reason="strict anchor check: set PSEUDO_CLEAN_SLOW=1 (was a `#| slow` cell)")
def test_whole_site_strict(site, doms, manifest):
    "Every page as Chromium renders it: no broken link, not even a missing anchor, and all its figures embedded."
    assert (site/'index.html').exists() or 'index.ipynb' not in list_notebooks()
    for p in manifest:
        assert broken_links(site, p['page'], doms[p['page']]) == [], p['page']
        assert len([s for s in parse_page(doms[p['page']])['imgs'] if s.startswith('data:image')]) >= p['images'], p

def test_sidebar_on_every_page_reaches_every_page(site, doms, manifest):
    all_pages = {p['page'] for p in manifest}
    for page, dom in doms.items():
        nav = re.search(r'<nav class="pc-sidebar".*?</nav>', dom, re.S).group(0)
        hrefs = {posixpath.normpath(posixpath.join(posixpath.dirname(page), h)) for h in parse_page(nav)['hrefs']}
        assert all_pages - {'index.html'} <= hrefs, f"{page}: sidebar misses {sorted(all_pages - hrefs)}"

def test_figures_present_and_decoded(site, doms, manifest):
    with_plots = [p for p in manifest if p['images']]
    for p in with_plots:
        imgs = [s for s in parse_page(doms[p['page']])['imgs'] if s.startswith('data:image')]
        assert len(imgs) >= p['images'], f"{p['page']}: {len(imgs)} embedded images, notebook has {p['images']}"
        st = image_status(site/p['page'])
        assert st['decoded'] == st['total'] and st['total'] >= p['images'], f"{p['page']}: {st}"

def _exports(py:Path):
    "Names in a module's `__all__`, and the notebook it was exported from."
    src = py.read_text()
    m = re.search(r'File to edit: (\S+\.ipynb)', src)
    names = []
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in node.targets):
            names = [ast.literal_eval(e) for e in node.value.elts]
    nb = (py.parent/m.group(1)).resolve() if m else None
    return names, nb

def test_api_pages_name_every_exported_symbol(site, doms):
    pp = project_paths()
    missing = {}
    checked = 0
    for py in sorted(pp['lib'].glob('*.py')):
        if py.name.startswith('_'): continue
        names, nb = _exports(py)
        if not names or nb is None: continue
        page = page_name(nb.relative_to(pp['nbs'].resolve()).as_posix())
        assert page in doms, f"{py.name}: its page {page} is not in the preview"
        text = parse_page(doms[page])['text']
        miss = [n for n in names if not re.search(rf'(?<![\w]){re.escape(n)}(?![\w])', text)]
        if miss: missing[page] = miss
        checked += 1
    assert checked, "no exported modules found"
    assert not missing, f"exported symbols not named on their API page: {missing}"

def test_screenshots(site, manifest, chromium, out_dir):
    home = screenshot(site/'index.html', out_dir/'site_home.png', size=(1200, 900))
    api = [p['page'] for p in manifest if p['section'] == 'API']
    pick = 'ranking.html' if 'ranking.html' in api else api[0]
    shot = screenshot(site/pick, out_dir/'site_api.png', size=(1200, 900))
    for f in (home, shot):
        assert f.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and f.stat().st_size > 10_000, f

def test_console_scripts_declared():
    "The installed commands are the library's own; the docs tools (tools/) are run as `python tools/...` instead."
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    scripts = cfg['DEFAULT']['console_scripts'].split()
    assert sorted(scripts) == sorted(['pseudo_clean=pseudo_clean.cli:main', 'pseudo_clean_fix=pseudo_clean.cli:fix',
                                      'pseudo_clean_label=pseudo_clean.cli:label', 'pseudo_clean_retrain=pseudo_clean.cli:retrain', 'pseudo_clean_pretrain=pseudo_clean.cli:pretrain']), scripts

def test_readme_in_sync():
    from tools.readme import readme_from_index, README_CMD
    if not (project_paths()['nbs']/'index.ipynb').exists(): pytest.skip("nbs/index.ipynb not written yet")
    text, files = readme_from_index()
    assert (ROOT/'README.md').exists() and (ROOT/'README.md').read_text() == text, f"README.md out of sync: run `{README_CMD}`"
    for k,v in files.items(): assert (ROOT/k).exists() and (ROOT/k).read_bytes() == v, f"{k} out of sync: run `{README_CMD}`"
