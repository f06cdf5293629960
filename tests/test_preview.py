"""Unit tests of the docs tooling in `tools/` (the preview builder, the README generator, the Chromium helpers).

These were the examples of the former `nbs/09_preview.ipynb`; the whole built site is checked in `tests/test_site.py`.
"""
import base64, json, re, shutil, subprocess, sys
from pathlib import Path
import pytest
from tools.common import project_paths, page_name, cell_options
from tools.preview import (list_notebooks, write_sidebar, read_sidebar, rewrite_href, broken_links, quarto_link_attrs,
                           apply_link_attrs, notebook_html)
from tools.chromium import parse_page, dump_dom, image_status, screenshot
from tools.readme import readme_from_index, readme, _linkify, README_WARNING, README_CMD

ROOT = Path(__file__).resolve().parents[1]
URL = 'https://pseudo-clean.github.io/pseudo_clean/'
# a 1x1 PNG
PNG = base64.b64encode(bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010806000000'
                                     '1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082')).decode()

def test_project_paths():
    paths = project_paths()
    assert paths['nbs'].name == 'nbs'
    assert paths['site_url'] == URL
    assert (paths['root']/'settings.ini').exists()
    assert paths['root'].resolve() == ROOT

def test_page_name():
    assert page_name('03_ranking.ipynb') == 'ranking.html'
    assert page_name('index.ipynb') == 'index.html'
    assert page_name('tutorials/Mnist_Noise.ipynb') == 'tutorials/mnist_noise.html'
    assert page_name('00_data.ipynb') == 'data.html'

def test_sidebar(tmp_path):
    for n in ['index.ipynb', '02_folds.ipynb', '10_extra.ipynb', '00_data.ipynb', 'tutorials/b.ipynb', 'tutorials/a.ipynb', '_skip.ipynb', 'notes.ipynb',
              'explanations/why.ipynb']:
        (tmp_path/n).parent.mkdir(exist_ok=True); (tmp_path/n).write_text('{}')
    assert list_notebooks(tmp_path) == ['00_data.ipynb', '02_folds.ipynb', '10_extra.ipynb', 'explanations/why.ipynb', 'index.ipynb',
                                        'notes.ipynb', 'tutorials/a.ipynb', 'tutorials/b.ipynb']
    write_sidebar(tmp_path)
    assert read_sidebar(tmp_path) == [(None, ['index.ipynb']), ('Tutorials', ['tutorials/a.ipynb', 'tutorials/b.ipynb']),
                                      ('Explanations', ['explanations/why.ipynb']),
                                      ('API', ['00_data.ipynb', '02_folds.ipynb', '10_extra.ipynb']), ('More', ['notes.ipynb'])]
    (tmp_path/'sidebar.yml').write_text('website:\n  sidebar:\n    contents:\n      - index.ipynb\n      - section: Tutorials\n'
                                        '        contents:\n          - auto: "tutorials/*.ipynb"\n')
    assert read_sidebar(tmp_path) == [(None, ['index.ipynb']), ('Tutorials', ['tutorials/a.ipynb', 'tutorials/b.ipynb'])]

def test_cell_options():
    assert cell_options('#| echo: false\n#| output: asis\nshow_doc(f)') == ({'echo': 'false', 'output': 'asis'}, 'show_doc(f)')
    assert cell_options('#| hide\nimport os') == ({'hide': True}, 'import os')
    assert cell_options('x = 1\n#| not: leading') == ({}, 'x = 1\n#| not: leading')

def test_rewrite_href():
    pages = {'03_ranking.ipynb': 'ranking.html', 'index.ipynb': 'index.html', 'tutorials/mnist_noise.ipynb': 'tutorials/mnist_noise.html'}
    assert rewrite_href('03_ranking.ipynb', 'index.html', pages, URL) == 'ranking.html'
    assert rewrite_href('03_ranking.ipynb#rank_suspects', 'index.html', pages, URL) == 'ranking.html#rank_suspects'
    assert rewrite_href('../03_ranking.ipynb', 'tutorials/mnist_noise.html', pages, URL) == '../ranking.html'
    assert rewrite_href(URL + 'ranking.html#rank_suspects', 'tutorials/mnist_noise.html', pages, URL) == '../ranking.html#rank_suspects'
    assert rewrite_href(URL, 'ranking.html', pages, URL) == 'index.html'
    assert rewrite_href('tutorials/mnist_noise.ipynb', 'index.html', pages, URL) == 'tutorials/mnist_noise.html'
    for h in ['https://fastai.github.io/fastcore/', '#top', 'mailto:a@b.c', 'data:image/png;base64,AAAA']:
        assert rewrite_href(h, 'index.html', pages, URL) == h

def test_broken_links_and_parse_page(tmp_path):
    (tmp_path/'tutorials').mkdir()
    (tmp_path/'index.html').write_text('<a href="ranking.html#f">ok</a> <a href="nope.html">bad</a> <a href="https://x.org">ext</a> <a href="#top">top</a><p id="top">x</p>')
    (tmp_path/'ranking.html').write_text('<h3 id="f">f</h3><a href="index.html#gone">anchor</a><a href="/abs.html">abs</a><img src="data:,">')
    assert broken_links(tmp_path, 'index.html') == [('nope.html', 'missing file nope.html')]
    assert broken_links(tmp_path, 'ranking.html') == [('index.html#gone', 'missing anchor #gone in index.html'),
                                                      ('/abs.html', 'absolute path: does not work from disk')]
    assert parse_page((tmp_path/'ranking.html').read_text())['imgs'] == ['data:,']

SHOW_DOC_MD = ('---\n\n[source](https://github.com/pseudo-clean/pseudo_clean/blob/main/pseudo_clean/pretrain.py#L55)'
               '{target="_blank" style="float:right; font-size:smaller"}\n\n### pretrain\n\n> pretrain (x)')

SOURCE_URL = 'https://github.com/pseudo-clean/pseudo_clean/blob/main/pseudo_clean/pretrain.py#L55'

def _a_tags(html:str)->dict:
    "Link text → set of `key=\"value\"` attributes of each `<a>` (nbconvert may reorder attributes)."
    return {text: set(re.findall(r'[\w-]+="[^"]*"', attrs)) for attrs, text in re.findall(r'<a\b([^>]*)>([^<]*)</a>', html)}

def test_quarto_link_attrs():
    "nbdev's show_doc writes Quarto link attributes after its 'source' link: carried to the `<a>`, never shown as text."
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    md = quarto_link_attrs(SHOW_DOC_MD)
    assert '{target=' not in md and '[source](' + SOURCE_URL + ' "pc-attrs:' in md
    html = apply_link_attrs(markdown2html_mistune(md))
    assert _a_tags(html)['source'] == {f'href="{SOURCE_URL}"', 'target="_blank"', 'style="float:right; font-size:smaller"'}
    assert 'pc-attrs' not in html and '{target=' not in parse_page(html)['text']
    html = apply_link_attrs(markdown2html_mistune(quarto_link_attrs('[`f`](u){.c #i data-x=\'1\' onclick="evil()"}')))
    assert re.search(r'<a href="u" id="i" data-x="1" class="c"><code>f</code></a>', html), html  # markdown inside still renders
    assert quarto_link_attrs('![a plot](p.png){width=50%}') == '![a plot](p.png)'
    for same in ['[plain](u) and {braces}', '```\n[x](y){z=1}\n```', '    [x](y){z=1}', r'\[x](y){z=1}']:
        assert quarto_link_attrs(same) == same

def test_quarto_link_attrs_in_html(tmp_path):
    "The same through `notebook_html`, as the preview builds a page (nbconvert with images embedded)."
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('#| echo: false\n#| output: asis\nshow_doc(pretrain)', outputs=[
            nbformat.v4.new_output('execute_result', data={'text/markdown': SHOW_DOC_MD, 'text/plain': '<...>'}, execution_count=1)]),
        nbformat.v4.new_markdown_cell('See [the code](https://github.com/x){target="_blank"}.')])
    nbformat.write(nb, tmp_path/'nb.ipynb')
    body, _, _ = notebook_html(tmp_path/'nb.ipynb')
    info = parse_page(body)
    assert '{target=' not in info['text'] and 'target=' not in info['text'] and 'pc-attrs' not in body, info['text']
    links = _a_tags(body)
    assert links['source'] == {f'href="{SOURCE_URL}"', 'target="_blank"', 'style="float:right; font-size:smaller"'}, links
    assert links['the code'] == {'href="https://github.com/x"', 'target="_blank"'}, links

def test_chromium_helpers(chromium, tmp_path):
    (tmp_path/'p.html').write_text(f'<html><head><title>t</title></head><body><img src="data:image/png;base64,{PNG}"><img src="missing.png">'
                                   '<img src="data:image/png;base64,iVBORw0KGgoAAAA"><script>document.title = "ran"</script></body></html>')
    assert re.search(r'<title>(.*?)</title>', dump_dom(tmp_path/'p.html')).group(1) == 'ran'
    st = image_status(tmp_path/'p.html')
    assert (st['total'], st['decoded'], st['broken']) == (3, 1, ['missing.png', 'data:image/png;base64,iVBORw0KGgoAAAA'])  # missing and corrupt
    assert screenshot(tmp_path/'p.html', tmp_path/'shot.png', size=(400, 300)).read_bytes()[:4] == b'\x89PNG'

@pytest.fixture
def index_nb(tmp_path):
    nb = {'cells': [
        {'cell_type': 'markdown', 'metadata': {}, 'source': ['# pseudo_clean\n', '\n', '> Find wrong labels.']},
        {'cell_type': 'code', 'metadata': {}, 'source': '#| hide\nfrom secret import *', 'outputs': [], 'execution_count': None},
        {'cell_type': 'markdown', 'metadata': {}, 'source': 'See `rank_suspects` and [the tutorial](tutorials/mnist_noise.ipynb).'},
        {'cell_type': 'code', 'metadata': {}, 'source': 'print("hi")', 'execution_count': 1,
         'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': ['hi\n']},
                     {'output_type': 'display_data', 'metadata': {}, 'data': {'image/png': PNG, 'text/plain': '<Figure>'}}]},
        {'cell_type': 'code', 'metadata': {}, 'source': '#| echo: false\n1+1', 'execution_count': 2,
         'outputs': [{'output_type': 'execute_result', 'metadata': {}, 'execution_count': 2, 'data': {'text/plain': '2'}}]}],
        'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    (tmp_path/'index.ipynb').write_text(json.dumps(nb))
    return tmp_path/'index.ipynb'

def test_readme_from_index(index_nb):
    text, files = readme_from_index(index_nb, linkify=False)
    assert text.startswith('# pseudo_clean\n\n<!-- WARNING')
    assert 'secret' not in text and '```python\nprint("hi")\n```\n\n```\nhi\n```' in text and '1+1' not in text and '```\n2\n```' in text
    assert '(https://pseudo-clean.github.io/pseudo_clean/tutorials/mnist_noise.html)' in text
    assert len(files) == 1 and f'![]({next(iter(files))})' in text
    assert readme_from_index(index_nb, linkify=False) == (text, files)  # deterministic
    assert (_linkify('use `rank_suspects()` or `x`', {'rank_suspects': 'https://s/ranking.html#rank_suspects'})
            == 'use [`rank_suspects()`](https://s/ranking.html#rank_suspects) or `x`')

def test_readme_warning_names_the_command():
    assert README_CMD == 'python tools/readme.py' and f'Run `{README_CMD}` to update it.' in README_WARNING
    assert (ROOT/README_CMD.split()[1]).is_file()

def test_readme_check_fails_when_out_of_date(index_nb, tmp_path, capsys):
    dest = tmp_path/'README.md'  # absolute: used as is
    assert readme(check=True, nb=str(index_nb), dest=str(dest)) == 1  # missing
    dest.write_text('stale\n')
    assert readme(check=True, nb=str(index_nb), dest=str(dest)) == 1  # different
    assert 'README out of sync' in capsys.readouterr().err
    text, files = readme_from_index(index_nb)
    dest.write_text(text)
    assert readme(check=True, nb=str(index_nb), dest=str(dest)) == 1  # its image is not written yet
    for k,v in files.items(): assert not (ROOT/k).exists(), k  # the check wrote nothing

def _script(*args, cwd):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)

def test_scripts_run_from_anywhere(tmp_path):
    "`python tools/readme.py --check` (what CI runs) passes on the repo from any directory, and the preview script starts."
    r = _script(str(ROOT/'tools'/'readme.py'), '--check', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert 'README.md is up to date' in r.stdout
    r = _script(str(ROOT/'tools'/'preview.py'), '--help', cwd=tmp_path)
    assert r.returncode == 0 and '--sidebar' in r.stdout, r.stderr
    r = _script(str(ROOT/'tools'/'readme.py'), '--check', '--dest', str(tmp_path/'nope.md'), cwd=ROOT)
    assert r.returncode == 1 and 'README out of sync' in r.stderr and README_CMD in r.stderr

def test_tools_not_installed():
    "setup.py packages only the library: tools/, tests/ and benchmarks/ stay out of the wheel."
    src = (ROOT/'setup.py').read_text()
    assert "find_packages(include=['pseudo_clean', 'pseudo_clean.*'])" in src
    import setuptools
    pkgs = setuptools.find_packages(str(ROOT), include=['pseudo_clean', 'pseudo_clean.*'])
    assert 'pseudo_clean' in pkgs and not any(p.split('.')[0] in ('tools', 'tests', 'benchmarks') for p in pkgs), pkgs
    assert not (ROOT/'pseudo_clean'/'preview.py').exists()
