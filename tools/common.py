"""Helpers shared by the docs tools: where the project lives, what nbdev calls its pages, cell options, atomic writes.

These tools are development-only: they need the dev requirements (nbdev, nbconvert, pyyaml), and depend on nothing
inside the `pseudo_clean` package, so reorganising the library does not break them.
"""
import os, re, posixpath, tempfile
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # the repo root: tools/ sits next to settings.ini

@contextmanager
def in_dir(path):
    "Run a block with `path` as the working directory (nbdev finds settings.ini from the working directory)."
    old = os.getcwd(); os.chdir(path)
    try: yield Path(path)
    finally: os.chdir(old)

def project_paths(root=None # folder holding settings.ini (default: the repo these tools live in)
                 )->dict: # `root`, `nbs`, `lib`, `site_url` (published docs URL ending in '/'), `title`, `description`, `git_url`
    "Where the project's notebooks and library live, read from `settings.ini`."
    try: from nbdev.config import get_config
    except ImportError as e: raise ImportError("The docs tools need the dev requirements: pip install -e '.[dev]' (nbdev, nbconvert, pyyaml)") from e
    cfg = get_config(path=root or REPO)
    if not cfg.config_file.exists(): raise FileNotFoundError(f"No settings.ini found above {Path(root or REPO).resolve()}: run this inside the pseudo_clean repo.")
    url = f"{cfg.doc_host.rstrip('/')}/{cfg.doc_baseurl.strip('/')}".rstrip('/') + '/'
    return dict(root=cfg.config_path, nbs=cfg.nbs_path, lib=cfg.lib_path, site_url=url,
                title=cfg.get('title', cfg.lib_name), description=cfg.get('description', ''), git_url=cfg.git_url)

def page_name(nb:str # notebook path relative to nbs/, e.g. '03_ranking.ipynb' or 'tutorials/mnist_noise.ipynb'
             )->str: # the HTML page Quarto writes for it, e.g. 'ranking.html'
    """Name of the docs page for a notebook, as nbdev/Quarto name it (number prefix dropped, lower case).

    nbdev tells Quarto to write `03_ranking.ipynb` as `ranking.html` (its `output-file` front matter) and its doc links
    point there, so the preview uses the same names: a link that works in the preview works on the published site."""
    p = posixpath.normpath(str(nb).replace(os.sep, '/'))
    d,f = posixpath.split(p)
    f = re.sub(r'^\d+[a-zA-Z0-9]*_', '', f.lower())
    return posixpath.join(d, posixpath.splitext(f)[0] + '.html')

def nb_key(p:str):
    "Sort notebooks by their number prefix, then by name."
    m = re.match(r'^(\d+)', posixpath.basename(p))
    return (int(m.group(1)) if m else 10**6, p.lower())

_re_dir = re.compile(r'^\s*#\|\s*([\w-]+)\s*(?::\s*(.*?))?\s*$')

def cell_options(source:str # a code cell's source
                )->tuple: # (options dict, source without its `#|` lines)
    "Split the leading `#| key: value` lines (nbdev directives and Quarto cell options) from a code cell."
    lines, opts = source.splitlines(), {}
    i = 0
    while i < len(lines):
        m = _re_dir.match(lines[i])
        if not m:
            if lines[i].strip() == '': i += 1; continue
            break
        opts[m.group(1).lower()] = (m.group(2) or '').strip().strip('"\'') or True
        i += 1
    return opts, '\n'.join(lines[i:]).strip('\n')

_UMASK = os.umask(0); os.umask(_UMASK)

def atomic_write_bytes(path, data:bytes)->Path:
    """Write `data` to `path` atomically (a temp file beside it, renamed onto it), with the permissions a plain
    `open()` would give: a browser open on the folder never sees a half-written page."""
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f: f.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp): os.remove(tmp)
        raise
    return path

def atomic_write_text(path, text:str)->Path:
    "Write `text` (UTF-8) to `path` atomically."
    return atomic_write_bytes(path, text.encode('utf-8'))
