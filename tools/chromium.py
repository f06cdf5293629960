"""Look at pages as a browser does: headless Chromium helpers for the tests (`tests/test_site.py`, `tests/test_report_browser.py`).

`chromium_path` looks for the executables in `CHROMIUM_NAMES` (Debian's `chromium` first, then Chrome; `$CHROMIUM` wins);
every run gets `CHROMIUM_FLAGS` (headless, no sandbox, no GPU, no first-run, no background networking, component
updates or sync) and a throw-away `--user-data-dir`.

`dump_dom` and `screenshot` are thin wrappers over `chromium --headless`; `image_status` loads a copy of a page with a
small probe script added (the page itself is not changed; a `<base>` tag keeps its relative links pointing at the
original folder) and reports how many images decoded. They need Chromium: `ensure_chromium()` installs Debian's
package when it is missing (as root), and `chromium_path()` is None when there is none. `parse_page` (links, images,
ids and visible text of an HTML page) needs no browser.
"""
import os, re, json, shutil, subprocess, tempfile
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

__all__ = ['CHROMIUM_NAMES', 'CHROMIUM_FLAGS', 'chromium_path', 'ensure_chromium', 'as_url', 'run_chromium', 'dump_dom',
           'screenshot', 'image_status', 'parse_page']

CHROMIUM_NAMES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome')
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio')

def chromium_path()->str: # path of the Chromium/Chrome executable, or None
    "The Chromium (or Chrome) executable on PATH (`$CHROMIUM` wins when set), or None."
    env = os.environ.get('CHROMIUM')
    if env and shutil.which(env): return shutil.which(env)
    return next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)

def ensure_chromium(install:bool=True # try `apt-get install -y chromium` when it is missing
                   )->str: # path of the executable, or None when it is missing and cannot be installed
    "Chromium's path, installing Debian's `chromium` package with apt-get when missing (needs root and apt)."
    p = chromium_path()
    if p or not install: return p
    apt = shutil.which('apt-get')
    if not apt: return None
    sudo = [] if os.geteuid() == 0 else ([shutil.which('sudo'), '-n'] if shutil.which('sudo') else None)
    if sudo is None: return None
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    try:
        subprocess.run(sudo + [apt, 'update', '-qq'], env=env, capture_output=True, timeout=600)
        subprocess.run(sudo + [apt, 'install', '-y', '-qq', 'chromium'], env=env, capture_output=True, timeout=900)
    except (subprocess.SubprocessError, OSError): return None
    return chromium_path()

def as_url(p # a file path or a URL
          )->str: # a URL (`file://` for paths)
    "A URL for a path or URL."
    s = str(p)
    return s if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*://', s) else Path(s).resolve().as_uri()

def run_chromium(args:list, # extra Chromium arguments (the URL last)
                 timeout:float=90 # seconds before giving up
                )->subprocess.CompletedProcess:
    "Run headless Chromium with our flags and a throw-away profile folder."
    exe = chromium_path()
    if not exe: raise FileNotFoundError("Chromium is not installed: `apt-get install -y chromium` (Debian), or set $CHROMIUM to a Chrome executable.")
    with tempfile.TemporaryDirectory(prefix='pc_chromium_') as prof:
        cmd = [exe, *CHROMIUM_FLAGS, f'--user-data-dir={prof}', *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

def dump_dom(url, # page to load (path or URL)
             budget_ms:int=3000, # virtual time given to the page's scripts before the DOM is dumped
             timeout:float=90 # seconds before giving up
            )->str: # the DOM after the page loaded and its scripts ran
    "Load a page in headless Chromium and return its rendered DOM (`--dump-dom`)."
    r = run_chromium([f'--virtual-time-budget={budget_ms}', '--dump-dom', as_url(url)], timeout=timeout)
    if r.returncode != 0 or '<html' not in r.stdout.lower():
        raise RuntimeError(f"Chromium could not load {url} (exit {r.returncode}): {r.stderr[-1500:]}")
    return r.stdout

def screenshot(url, # page to load (path or URL)
               png, # PNG file to write
               size:tuple=(1200, 900), # window width and height in pixels
               timeout:float=90 # seconds before giving up
              )->Path: # the PNG written
    "Save a screenshot of a page as headless Chromium renders it."
    png = Path(png); png.parent.mkdir(parents=True, exist_ok=True)
    tmp = png.with_name(f'.{png.stem}.{os.getpid()}.tmp.png')
    r = run_chromium([f'--screenshot={tmp}', f'--window-size={size[0]},{size[1]}', '--virtual-time-budget=2000', as_url(url)], timeout=timeout)
    if not tmp.exists() or tmp.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no screenshot of {url} (exit {r.returncode}): {r.stderr[-1500:]}")
    os.replace(tmp, png)
    return png

_IMG_PROBE = """<script>
window.addEventListener('load', function(){
  // the load event fires after every image has loaded or failed: a broken image has naturalWidth 0
  const imgs = Array.from(document.images);
  const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => (i.getAttribute('src')||'').slice(0,80));
  const pre = document.createElement('pre'); pre.id = 'pc-img-status';
  pre.textContent = JSON.stringify({total: imgs.length, decoded: imgs.length - bad.length, broken: bad});
  document.body.appendChild(pre);
});
</script>"""

def image_status(html_path, # an HTML file on disk (not changed)
                 timeout:float=90 # seconds before giving up
                )->dict: # `total` images, how many `decoded`, and the `broken` ones' sources
    "Load a page in headless Chromium and count the `<img>`s that decoded (complete, with a natural width)."
    html_path = Path(html_path).resolve()
    src = html_path.read_text(encoding='utf-8')
    base = f'<base href="{html_path.parent.as_uri()}/">'
    probe = re.sub(r'(<head\b[^>]*>)', lambda m: m.group(1) + base, src, count=1, flags=re.I) if re.search(r'<head\b', src, re.I) else base + src
    probe = probe.replace('</body>', _IMG_PROBE + '</body>', 1) if '</body>' in probe else probe + _IMG_PROBE
    with tempfile.TemporaryDirectory(prefix='pc_probe_') as d:
        f = Path(d)/'probe.html'; f.write_text(probe, encoding='utf-8')
        for _ in range(3):  # Chromium may dump the DOM before the load event on a slow start: try again
            m = re.search(r'<pre id="pc-img-status">(.*?)</pre>', dump_dom(f, budget_ms=5000, timeout=timeout), re.S)
            if m: break
    if not m: raise RuntimeError(f"The image probe did not run on {html_path} (3 tries)")
    return json.loads(unescape(m.group(1)))

class _PageParser(HTMLParser):
    "Collect links, image sources, element ids and visible text of an HTML page."
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs, self.imgs, self.ids, self.text, self._skip = [], [], set(), [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if a.get('name') and tag == 'a': self.ids.add(a['name'])
        if tag == 'a' and a.get('href') is not None: self.hrefs.append(a['href'])
        if tag == 'img': self.imgs.append(a.get('src') or '')
        if tag in ('script', 'style'): self._skip += 1
    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self._skip: self._skip -= 1
    def handle_data(self, data):
        if not self._skip: self.text.append(data)

def parse_page(html:str # an HTML page (a file's text, or a DOM dumped by Chromium)
              )->dict: # `hrefs` (list), `imgs` (img src list), `ids` (set), `text` (visible text)
    "Links, images, ids and visible text of an HTML page."
    p = _PageParser(); p.feed(html); p.close()
    return dict(hrefs=p.hrefs, imgs=p.imgs, ids=p.ids, text=' '.join(p.text))
