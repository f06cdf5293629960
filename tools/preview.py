"""A static, browsable preview of the nbdev docs site, built without Quarto.

Run from anywhere: `python tools/preview.py` writes `site_preview/` (open `site_preview/index.html` straight from
disk); `python tools/preview.py --sidebar` first rewrites `nbs/sidebar.yml` from the notebooks present. `--help` lists
the other options.

The real documentation site is built by `nbdev_docs` with Quarto (see `nbs/_quarto.yml`, `nbs/nbdev.yml`,
`nbs/sidebar.yml` and the GitHub deploy workflow). Where Quarto cannot be installed, this gives the same pages, close
enough to review them: it runs nbdev's notebook processors (what `nbdev_proc_nbs` does, into `_proc/`), converts
every processed notebook to HTML with nbconvert (images embedded), adds a header and the sidebar of `sidebar.yml`,
rewrites links between notebooks and nbdev's doc links to relative ones, and writes everything to `site_preview/`.

Quarto understands markdown that nbconvert does not: `::: {.callout}` fences (dropped here) and link attributes such as
the `{target="_blank" style="float:right; font-size:smaller"}` after the "source" link of every nbdev `show_doc`
(`quarto_link_attrs` and `apply_link_attrs` put those attributes on the `<a>` tags, so the braces do not show as text).
"""
import os, re, sys, json, base64, posixpath
from html import escape, unescape
from pathlib import Path

if __name__ == '__main__' and not __package__:  # run as `python tools/preview.py`: make the `tools` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.common import project_paths, page_name, nb_key, cell_options, atomic_write_text, atomic_write_bytes, in_dir
from tools.chromium import parse_page

__all__ = ['list_notebooks', 'sidebar_contents', 'write_sidebar', 'read_sidebar', 'process_notebooks', 'quarto_link_attrs', 'apply_link_attrs',
           'notebook_html', 'rewrite_href', 'broken_links', 'PREVIEW_CSS', 'build_preview', 'preview', 'main',
           # re-exported for the tests' convenience
           'project_paths', 'page_name', 'cell_options', 'parse_page']

# ---------------------------------------------------------------------------------------------------- the sidebar

def list_notebooks(nbs=None # notebooks folder (default: `nbs_path` of settings.ini)
                  )->list: # notebook paths relative to `nbs`, posix style
    "Every notebook the docs are built from (nbdev's rule: skip files and folders starting with `_` or `.`)."
    nbs = Path(nbs or project_paths()['nbs'])
    res = []
    for p in nbs.rglob('*.ipynb'):
        rel = p.relative_to(nbs)
        if any(part.startswith(('_', '.')) for part in rel.parts) or '.ipynb_checkpoints' in rel.parts: continue
        res.append(rel.as_posix())
    return sorted(res, key=nb_key)

def sidebar_contents(notebooks:list # notebook paths relative to nbs/ (from `list_notebooks`)
                    )->list: # Quarto `website.sidebar.contents`
    "Group notebooks as the site shows them: home, 'Tutorials' (tutorials/), 'Explanations' (explanations/), 'API' by stage, then any others."
    home = [n for n in notebooks if n == 'index.ipynb']
    tuts = sorted([n for n in notebooks if n.startswith('tutorials/')], key=nb_key)
    expl = sorted([n for n in notebooks if n.startswith('explanations/')], key=nb_key)
    api = sorted([n for n in notebooks if '/' not in n and re.match(r'^\d+', n)], key=nb_key)
    rest = sorted([n for n in notebooks if n not in home+tuts+expl+api], key=nb_key)
    res = list(home)
    for nm,items in (('Tutorials', tuts), ('Explanations', expl), ('API', api), ('More', rest)):
        if items: res.append({'section': nm, 'contents': items})
    return res

def write_sidebar(nbs=None, # notebooks folder (default: `nbs_path` of settings.ini)
                  extra:list=() # notebooks to list even if they do not exist yet
                 )->Path: # the `sidebar.yml` written
    """Write `nbs/sidebar.yml` listing every notebook (settings.ini has `custom_sidebar = True`, so nbdev leaves it alone).

    This is how `nbs/sidebar.yml` was made: run `python tools/preview.py --sidebar` after adding a notebook so that
    both the Quarto site and the preview list it."""
    import yaml
    nbs = Path(nbs or project_paths()['nbs'])
    nbks = sorted(set(list_notebooks(nbs)) | set(extra), key=nb_key)
    yml = yaml.safe_dump({'website': {'sidebar': {'contents': sidebar_contents(nbks)}}}, sort_keys=False, indent=2)
    f = atomic_write_text(nbs/'sidebar.yml', yml)
    os.chmod(f, 0o644)
    return f

def read_sidebar(nbs=None # notebooks folder holding sidebar.yml (default: `nbs_path` of settings.ini)
                )->list: # `(section, [notebook, ...])` pairs in order; section is None for top-level pages
    """The sidebar of `sidebar.yml`, flattened to sections of notebook paths.

    Also understands hand-written Quarto entries (`href:`, `file:`, `auto:` and globs)."""
    import yaml
    nbs = Path(nbs or project_paths()['nbs'])
    f = nbs/'sidebar.yml'
    if not f.exists(): return [(None, list_notebooks(nbs))]
    d = yaml.safe_load(f.read_text()) or {}
    sb = (d.get('website') or {}).get('sidebar') or {}
    if isinstance(sb, list): sb = sb[0] if sb else {}
    contents = sb.get('contents') or []
    def _expand(e):
        if isinstance(e, dict):
            if 'href' in e: e = e['href']
            elif 'auto' in e: e = e['auto']
            elif 'file' in e: e = e['file']
            else: return []
        if isinstance(e, list): return [o for x in e for o in _expand(x)]
        e = str(e).lstrip('/')
        if any(c in e for c in '*?['): return sorted([p.relative_to(nbs).as_posix() for p in nbs.glob(e) if p.suffix == '.ipynb'], key=nb_key)
        return [e]
    res, top = [], []
    for e in contents:
        if isinstance(e, dict) and 'section' in e:
            if top: res.append((None, top)); top = []
            c = e.get('contents') or []
            res.append((e['section'], _expand(c if isinstance(c, list) else [c])))
        else: top += _expand(e)
    if top: res.append((None, top))
    return res

# ---------------------------------------------------------------------------------------------------- processing notebooks as nbdev does

def process_notebooks(force:bool=False, # rebuild every processed notebook, ignoring nbdev's cache
                      n_workers:int=None, # processes to use (default: nbdev's, one per CPU)
                      build_modidx:bool=True # refresh `_modidx.py` first, so doc links are current (as `nbdev_proc_nbs` does)
                     )->Path: # the `_proc/` folder
    """Run nbdev's notebook processors (`nbdev_proc_nbs` without its Quarto check) and return `_proc/`.

    nbdev's `nbdev_proc_nbs` first makes sure Quarto is installed (and tries to download it), so it cannot run where
    Quarto cannot be installed; this runs the steps that matter: rebuild the module index, then `nbdev.serve.proc_nbs`,
    which applies nbdev's processors (`show_doc` executed, `#| hide` cells removed, doc links added, title and summary
    moved to front matter) and writes the results to `_proc/`. It is cached by modification time, so a second run only
    redoes changed notebooks."""
    from nbdev.serve import proc_nbs
    from fastcore.basics import defaults
    pp = project_paths()
    with in_dir(pp['root']):  # nbdev reads settings.ini from the working directory
        if build_modidx:
            import nbdev.doclinks
            nbdev.doclinks._build_modidx()
        try: return Path(proc_nbs(str(pp['nbs']), n_workers=n_workers or defaults.cpus, force=force)).resolve()
        except Exception as e:
            raise RuntimeError(f"nbdev's doc processing failed (nbdev_docs would fail the same way): {str(e)[:600]}\n"
                               "nbdev executes show_doc cells and every cell that mixes imports with other code, out of order: "
                               "put those imports in a cell of their own (nbdev runs any cell containing an import while building the docs).") from e

# ---------------------------------------------------------------------------------------------------- one notebook to one HTML page

_re_quarto_link = re.compile(r'(?<!\\)(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?([^()\s<>]+)>?\s*\)\{([^{}\n]*)\}')
_re_quarto_attr = re.compile(r'''([A-Za-z_][\w:.-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"']+))|\.([\w-]+)|#([\w:.-]+)''')

def _attrs_html(spec:str)->str:
    """Quarto/Pandoc attributes (`key="value"`, `.class`, `#id`) as HTML attributes (event handlers `on...` dropped)."""
    attrs, classes = {}, []
    for m in _re_quarto_attr.finditer(spec):
        key, v1, v2, v3, cls, ident = m.groups()
        if key: attrs[key] = next(v for v in (v1, v2, v3) if v is not None)
        elif cls: classes.append(cls)
        elif ident: attrs['id'] = ident
    if classes: attrs['class'] = ' '.join(classes + ([attrs['class']] if 'class' in attrs else []))
    return ''.join(f' {escape(k, quote=True)}="{escape(v, quote=True)}"' for k,v in attrs.items() if not k.lower().startswith('on'))

_ATTR_MARK = 'pc-attrs:'

def quarto_link_attrs(md:str # markdown, e.g. a `show_doc` output or a markdown cell
                     )->str: # the same markdown, Quarto link attributes carried in the link title (links) or dropped (images)
    """Prepare Quarto's link attributes, which nbconvert's markdown does not understand and would show as text.

    nbdev's `show_doc` writes `[source](https://github.com/...){target="_blank" style="float:right; font-size:smaller"}`.
    The link stays a markdown link, its attributes move into its title as `"pc-attrs:<base64 of the HTML attributes>"`,
    and `apply_link_attrs` turns that title back into the attributes once nbconvert has made the HTML:
    `<a href="..." target="_blank" style="float:right; font-size:smaller">source</a>`. (Writing the `<a>` tag into the
    markdown does not work: with `embed_images` nbconvert parses each inline HTML tag on its own and closes the `<a>`
    before its text.) On an image, `![alt](src){width=50%}`, the attributes are dropped. Code (fenced or indented) is
    left alone."""
    def _sub(m):
        bang, text, url, spec = m.groups()
        if bang: return f'![{text}]({url})'
        attrs = _attrs_html(spec)
        if not attrs: return f'[{text}]({url})'
        return f'[{text}]({url} "{_ATTR_MARK}{base64.urlsafe_b64encode(attrs.encode()).decode()}")'
    out, fence = [], None
    for l in md.split('\n'):
        s = l.lstrip()
        if fence is None and s.startswith(('```', '~~~')): fence = s[:3]
        elif fence is not None and s.startswith(fence): fence = None
        elif fence is None and not l.startswith(('    ', '\t')) and '](' in l: l = _re_quarto_link.sub(_sub, l)
        out.append(l)
    return '\n'.join(out)

def apply_link_attrs(html:str # HTML made from markdown that went through `quarto_link_attrs`
                    )->str: # the HTML, each marked link title replaced by the link's Quarto attributes
    "Put the attributes `quarto_link_attrs` carried in link titles onto the links."
    def _sub(m):
        try: return base64.urlsafe_b64decode(m.group(1)).decode()
        except (ValueError, UnicodeDecodeError): return ''
    return re.sub(rf'\s+title="{re.escape(_ATTR_MARK)}([A-Za-z0-9_=-]*)"', _sub, html)

def _frontmatter(nb)->dict:
    "Pop nbdev's front-matter raw cell (title, description, output-file) from a processed notebook."
    import yaml
    for i,c in enumerate(nb.cells[:3]):
        src = c.source.strip()
        if c.cell_type == 'raw' and src.startswith('---') and src.endswith('---'):
            nb.cells.pop(i)
            try: return yaml.safe_load(src.strip('-').strip()) or {}
            except yaml.YAMLError: return {}
    return {}

def _prep_nb(nb):
    """Apply Quarto cell options nbconvert does not know (`echo`, `output`, `include`), strip Quarto `:::` fences, and
    apply Quarto link attributes (`quarto_link_attrs`) in markdown cells and markdown outputs."""
    cells = []
    for c in nb.cells:
        if c.cell_type == 'markdown':
            c.source = quarto_link_attrs('\n'.join(l for l in c.source.splitlines() if not re.match(r'^\s*:::', l)))
        if c.cell_type != 'code': cells.append(c); continue
        opts, c.source = cell_options(c.source)
        if str(opts.get('include', '')).lower() == 'false': continue
        tags = set(c.metadata.get('tags', []))
        if str(opts.get('echo', '')).lower() == 'false' or not c.source.strip(): tags.add('pc_remove_input')
        if str(opts.get('output', '')).lower() == 'false': tags.add('pc_remove_output')
        for o in c.get('outputs', []):
            d = o.get('data', {})
            if 'text/markdown' not in d: continue
            md = d['text/markdown']
            d['text/markdown'] = quarto_link_attrs(''.join(md) if isinstance(md, list) else md)
            if opts.get('output') == 'asis': o['data'] = {'text/markdown': d['text/markdown']}  # show_doc output: markdown, shown as is
        if 'pc_remove_input' in tags and (not c.get('outputs') or 'pc_remove_output' in tags): continue
        c.metadata['tags'] = sorted(tags)
        cells.append(c)
    nb.cells = cells
    return nb

def notebook_html(nb_path, # a processed notebook (in `_proc/`)
                  template:str='lab' # nbconvert template: 'lab' or 'classic'
                 )->tuple: # (full HTML page from nbconvert, front matter dict, number of image outputs)
    "Convert one processed notebook to HTML with nbconvert, images embedded."
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    nb_path = Path(nb_path)
    nb = nbformat.read(nb_path, as_version=4)
    fm = _frontmatter(nb)
    nb = _prep_nb(nb)
    n_img = sum(1 for c in nb.cells if c.cell_type == 'code' and 'pc_remove_output' not in c.metadata.get('tags', [])
                for o in c.get('outputs', []) if any(k.startswith('image/') for k in o.get('data', {})))
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = {'pc_remove_input'}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {'pc_remove_output'}
    ex = HTMLExporter(config=c, template_name=template, embed_images=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body,_ = ex.from_notebook_node(nb, resources={'metadata': {'path': str(nb_path.parent), 'name': fm.get('title', nb_path.stem)}})
    return apply_link_attrs(body), fm, n_img

# ---------------------------------------------------------------------------------------------------- links

def rewrite_href(href:str, # a link target found in a page
                 page:str, # the page it is on, relative to the site root (e.g. 'tutorials/mnist_noise.html')
                 pages:dict, # notebook path → page path, relative to the site root (e.g. {'03_ranking.ipynb': 'ranking.html'})
                 site_url:str # the published site's URL, ending in '/' (nbdev's doc links start with it)
                )->str: # the link, relative to `page` when it points inside the site
    "Make a link between notebooks, or an nbdev doc link to the published site, a relative link inside the preview."
    h = unescape(href)
    if h.startswith(site_url) or h.rstrip('/') == site_url.rstrip('/'):
        target = h[len(site_url):] if h.startswith(site_url) else ''
        path, _, anchor = target.partition('#')
        path = path or 'index.html'
        if path.endswith('/'): path += 'index.html'
    elif re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', h) or h.startswith(('#', '/')) or not h: return href
    else:
        path, _, anchor = h.partition('#')
        path = path.split('?')[0]
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if path.endswith('.ipynb'): path = pages.get(path, page_name(path))
        elif path.endswith(('.qmd', '.md')) and not path.lower().endswith('readme.md'): path = posixpath.splitext(path)[0] + '.html'
    rel = posixpath.relpath(path, posixpath.dirname(page) or '.')
    return escape(rel + ('#' + anchor if anchor else ''), quote=True)

def broken_links(site, # the preview folder
                 page:str, # page path relative to `site`
                 html:str=None, # its HTML (e.g. the DOM Chromium rendered); read from the file when None
                 anchors:bool=True # also check that `#anchor` targets exist in the target page
                )->list: # `(href, reason)` for each internal link that does not resolve
    "Internal links on a preview page that point to a missing file (or a missing anchor)."
    site = Path(site)
    info = parse_page(html if html is not None else (site/page).read_text(encoding='utf-8'))
    bad, cache = [], {}
    for h in info['hrefs']:
        if not h or re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', h) or h.startswith('//'): continue
        path, _, anchor = unescape(h).partition('#')
        if path.startswith('/'): bad.append((h, 'absolute path: does not work from disk')); continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
        if target.startswith('..') or not (site/target).is_file(): bad.append((h, f'missing file {target}')); continue
        if anchors and anchor and target.endswith('.html'):
            if target not in cache: cache[target] = parse_page((site/target).read_text(encoding='utf-8'))['ids']
            if anchor not in cache[target]: bad.append((h, f'missing anchor #{anchor} in {target}'))
    return bad

# ---------------------------------------------------------------------------------------------------- building the preview site

# Every page gets this style sheet (header bar, fixed sidebar, content column) in its `<head>`; nbconvert's own styles do the rest.
PREVIEW_CSS = """
body{margin:0;font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;}
.pc-header{position:fixed;top:0;left:0;right:0;height:52px;z-index:10;display:flex;align-items:center;gap:1rem;
  padding:0 1.2rem;background:#2780e3;color:#fff;box-shadow:0 1px 3px rgba(0,0,0,.2)}
.pc-header a{color:#fff;text-decoration:none;font-weight:600;font-size:1.15rem}
.pc-header .pc-note{font-size:.8rem;opacity:.85}
.pc-sidebar{position:fixed;top:52px;bottom:0;left:0;width:240px;overflow-y:auto;padding:1rem;box-sizing:border-box;
  border-right:1px solid #dee2e6;background:#f8f9fa;font-size:.92rem}
.pc-sidebar ul{list-style:none;padding-left:0;margin:0}
.pc-sidebar li{margin:.2rem 0}
.pc-sidebar .pc-section{font-weight:600;margin-top:.9rem;color:#495057}
.pc-sidebar .pc-section ul{font-weight:400;padding-left:.6rem}
.pc-sidebar a{color:#2780e3;text-decoration:none}
.pc-sidebar a.pc-active{font-weight:700;color:#111}
.pc-main{margin:52px 0 0 240px;padding:1rem 2rem 3rem;max-width:1100px}
.pc-main h1.pc-title{margin-top:1rem}
.pc-main .pc-description{font-style:italic;font-size:1.2rem;opacity:.75}
.pc-main .jp-Notebook{padding:0}
.pc-main img{max-width:100%}
"""

def _nav_html(sidebar:list, page:str, pages:dict, titles:dict)->str:
    "The sidebar `<nav>` for `page`, links relative to it."
    def _li(nb):
        out = pages.get(nb)
        if out is None: return ''
        href = posixpath.relpath(out, posixpath.dirname(page) or '.')
        cls = ' class="pc-active"' if out == page else ''
        return f'<li><a href="{escape(href, quote=True)}"{cls}>{escape(titles.get(nb, nb))}</a></li>'
    parts = []
    for sec, nbks in sidebar:
        items = ''.join(_li(n) for n in nbks)
        if not items: continue
        if sec is None: parts.append(items)
        else: parts.append(f'<li class="pc-section">{escape(str(sec))}<ul>{items}</ul></li>')
    return f'<nav class="pc-sidebar" aria-label="Site"><ul>{"".join(parts)}</ul></nav>'

def _assemble(body:str, page:str, fm:dict, nav:str, site_title:str, pages:dict, site_url:str)->str:
    "Turn nbconvert's page into a preview page: offline (no CDN scripts), header, sidebar, title, relative links."
    body = re.sub(r'<script[^>]*\bsrc=["\']https?://[^>]*>\s*</script>', '', body, flags=re.I)
    body = re.sub(r'<link[^>]*\bhref=["\']https?://[^>]*>', '', body, flags=re.I)
    if 'widget-view+json' not in body:  # no widgets shown: drop the script that would fetch their renderer from unpkg
        body = re.sub(r'<script>(?:(?!</script>).)*addWidgetsRenderer.*?</script>', '', body, flags=re.S)
    body = re.sub(r'(<a\b[^>]*?\bhref=)(["\'])(.*?)\2', lambda m: m.group(1) + '"' + rewrite_href(m.group(3), page, pages, site_url) + '"', body, flags=re.I|re.S)
    # Quarto lower-cases heading ids, and nbdev's doc links use them: add the lower-case id where it differs
    def _hid(m):
        i = unescape(m.group(1)); lo = re.sub(r'\s+', '-', i.strip().lower())
        return m.group(0) + (f'<span id="{escape(lo, quote=True)}"></span>' if lo != i else '')
    body = re.sub(r'<h[1-6]\b[^>]*?\bid="([^"]+)"[^>]*>', _hid, body)
    title = str(fm.get('title') or posixpath.splitext(posixpath.basename(page))[0])
    home = posixpath.relpath('index.html', posixpath.dirname(page) or '.')
    head = (f'<header class="pc-header"><a class="pc-home" href="{home}">{escape(site_title)}</a>'
            f'<span class="pc-note">docs preview (built without Quarto)</span></header>{nav}<main class="pc-main">'
            f'<h1 class="pc-title">{escape(title)}</h1>'
            + (f'<p class="pc-description">{escape(str(fm["description"]))}</p>' if fm.get('description') else ''))
    body = re.sub(r'<title>.*?</title>', f'<title>{escape(title)} – {escape(site_title)}</title>', body, count=1, flags=re.S)
    body = body.replace('</head>', f'<style>{PREVIEW_CSS}</style>\n</head>', 1)
    body = re.sub(r'(<body\b[^>]*>)', lambda m: m.group(1) + head, body, count=1)
    return body.replace('</body>', '</main></body>', 1) if '</body>' in body else body + '</main>'

_ASSET_SKIP = {'.ipynb', '.yml', '.yaml', '.qmd', '.py'}

def build_preview(dest='site_preview', # output folder (relative paths are under the repo root)
                  proc:bool=True, # run nbdev's processors first (False: use `_proc/` as it is)
                  force:bool=False, # reprocess every notebook, ignoring nbdev's cache
                  template:str='lab', # nbconvert template: 'lab' or 'classic'
                  n_workers:int=None # processes for nbdev's processors
                 )->Path: # the preview folder, holding `index.html` and `manifest.json`
    """Build a static preview of the docs site (no Quarto): processed notebooks → HTML pages with a sidebar, opened from disk.

    One page per notebook (named as on the published site, e.g. `ranking.html`), each with the site header, the
    sidebar of `sidebar.yml` and the notebook's title and summary, plus `manifest.json` (every page with its notebook,
    title, section and number of image outputs) that the tests use. Every file is written atomically, so a browser open
    on the folder never sees a half-written page."""
    pp = project_paths()
    root, nbs = pp['root'], pp['nbs']
    dest = Path(dest) if Path(dest).is_absolute() else root/dest
    cache = process_notebooks(force=force, n_workers=n_workers) if proc else root/'_proc'
    if not cache.exists(): raise FileNotFoundError(f"{cache} does not exist: run with proc=True (the default) to create it.")
    nbks = [n for n in list_notebooks(nbs) if (cache/n).exists()]
    sidebar = read_sidebar(nbs)
    listed = {n for _,ns in sidebar for n in ns}
    missing = [n for n in listed if n not in nbks]
    if missing: print(f"sidebar.yml lists notebooks missing from nbs/ or _proc/ (skipped): {', '.join(sorted(missing))}", file=sys.stderr)
    unlisted = [n for n in nbks if n not in listed]
    if unlisted:
        print(f"Not in sidebar.yml (added under 'More'; run `python tools/preview.py --sidebar`): {', '.join(unlisted)}", file=sys.stderr)
        sidebar = sidebar + [('More', unlisted)]
    converted = {}
    for n in nbks: converted[n] = notebook_html(cache/n, template=template)
    pages = {n: (str(fm.get('output-file')) if fm.get('output-file') and '/' not in str(fm.get('output-file')) else posixpath.basename(page_name(n)))
             for n,(_,fm,_) in converted.items()}
    pages = {n: posixpath.join(posixpath.dirname(n), p) for n,p in pages.items()}
    titles = {n: str(fm.get('title') or posixpath.splitext(posixpath.basename(n))[0]) for n,(_,fm,_) in converted.items()}
    if 'index.ipynb' in titles: titles['index.ipynb'] = 'Home'
    written, manifest = [], []
    section_of = {n: s for s,ns in sidebar for n in ns}
    for n,(body,fm,n_img) in converted.items():
        page = pages[n]
        html = _assemble(body, page, fm, _nav_html(sidebar, page, pages, titles), pp['title'], pages, pp['site_url'])
        written.append(atomic_write_text(dest/page, html))
        manifest.append(dict(notebook=n, page=page, title=str(fm.get('title') or titles[n]), section=section_of.get(n), images=n_img))
    if 'index.ipynb' not in pages:  # no nbs/index.ipynb yet: a plain home page, so the header link works
        fm = dict(title=pp['title'], description=pp['description'])
        body = '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body><p>No <code>nbs/index.ipynb</code> yet: pick a page in the sidebar.</p></body></html>'
        pages_home = {**pages, 'index.ipynb': 'index.html'}
        html = _assemble(body, 'index.html', fm, _nav_html(sidebar, 'index.html', pages, titles), pp['title'], pages_home, pp['site_url'])
        written.append(atomic_write_text(dest/'index.html', html))
        manifest.append(dict(notebook=None, page='index.html', title=pp['title'], section=None, images=0))
    for f in cache.rglob('*'):  # figures and other files the notebooks link to
        rel = f.relative_to(cache)
        if (f.is_file() and f.suffix.lower() not in _ASSET_SKIP and f.name not in ('styles.css',)
            and not any(p.startswith(('.', '_')) for p in rel.parts) and f.stat().st_size < 20_000_000):
            written.append(atomic_write_bytes(dest/rel, f.read_bytes()))
    keep = {p.resolve() for p in written} | {(dest/'manifest.json').resolve()}
    for f in dest.rglob('*.html'):  # pages of notebooks that no longer exist
        if f.resolve() not in keep: f.unlink()
    written.append(atomic_write_text(dest/'manifest.json', json.dumps(dict(site_url=pp['site_url'], pages=manifest), indent=2)))
    for f in written: os.chmod(f, 0o644)  # a site is world-readable
    return dest

# ---------------------------------------------------------------------------------------------------- command line

def preview(dest:str='site_preview', # output folder (relative to the repo root)
            no_proc:bool=False, # skip nbdev's processors and use `_proc/` as it is
            force:bool=False, # reprocess every notebook, ignoring nbdev's cache
            template:str='lab', # nbconvert template: 'lab' or 'classic'
            sidebar:bool=False, # rewrite nbs/sidebar.yml from the notebooks present, then build
            n_workers:int=None # processes for nbdev's processors
           )->Path:
    "Build a static preview of the docs site into `dest` (open `dest/index.html` in a browser); no Quarto needed."
    if sidebar: print(f"wrote {write_sidebar()}")
    d = build_preview(dest, proc=not no_proc, force=force, template=template, n_workers=n_workers)
    n = len(json.loads((d/'manifest.json').read_text())['pages'])
    print(f"{n} pages in {d}; open {(d/'index.html').as_uri()}")
    return d

def main(argv=None):
    "`python tools/preview.py [--sidebar] [--dest site_preview] ...`"
    import argparse
    p = argparse.ArgumentParser(prog='python tools/preview.py', description=preview.__doc__)
    p.add_argument('--dest', default='site_preview', help="output folder (relative to the repo root)")
    p.add_argument('--no_proc', '--no-proc', action='store_true', help="skip nbdev's processors and use _proc/ as it is")
    p.add_argument('--force', action='store_true', help="reprocess every notebook, ignoring nbdev's cache")
    p.add_argument('--template', default='lab', choices=('lab', 'classic'), help="nbconvert template")
    p.add_argument('--sidebar', action='store_true', help="rewrite nbs/sidebar.yml from the notebooks present, then build")
    p.add_argument('--n_workers', '--n-workers', type=int, default=None, help="processes for nbdev's processors")
    a = p.parse_args(argv)
    preview(a.dest, no_proc=a.no_proc, force=a.force, template=a.template, sidebar=a.sidebar, n_workers=a.n_workers)

if __name__ == '__main__': main()
