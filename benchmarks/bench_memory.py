"""Memory and time of reading a photo folder and one short training: before (main's in-memory path) and after (the memory-mapped image cache).

Two generated folders of real photos (scikit-learn's and scikit-image's sample photos, cropped and resized, re-encoded as JPEG):

- `camera`: 200 camera-size JPEGs (4000×3000, one in four with an EXIF orientation tag), 5 classes: 40 made, the rest byte
  copies of them under other names (making a 12-megapixel JPEG takes seconds on a busy 2-core machine);
- `small`: 20,000 small JPEGs (256×192), 5 classes: 4,000 made, the rest copies.

Each measurement runs in a fresh process: `from_source` (decoding) and one epoch of `train_model` (small CNN, 64 px, bs 128,
one thread), while a thread samples `RssAnon` (the process's own memory, not the mapped file's pages) and `VmRSS` from
`/proc/self/status` every 20 ms. `before` imports the package as it is on the `main` branch (`git archive main`);
`after` is this checkout with `cache_dir` (`after_rerun`: the same again, reusing the cache). The page cache is warm
(the files were just written), so decoding times are CPU times, not disk reads.

    OMP_NUM_THREADS=1 python benchmarks/bench_memory.py [--only camera|small] [--versions before after after_rerun]

writes `memory.json` and `memory.md` beside this file (rows of the same dataset and version are replaced).
"""
import argparse, json, os, subprocess, sys, threading, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE/'work'/'memory'

def _photos():
    import numpy as np
    from sklearn.datasets import load_sample_images
    from skimage import data as skd
    s = load_sample_images().images
    return dict(china=s[0], flower=s[1], cat=skd.chelsea(), astronaut=skd.astronaut(), coffee=skd.coffee())

def make_folder(path:Path, n:int, wh:tuple, seed:int=0, exif_every:int=0, quality:int=90, distinct:int|None=None)->Path:
    "`n` JPEGs of size `wh` (W, H), random crops of the sample photos, one class folder per photo; every `exif_every`-th with EXIF orientation 6; beyond `distinct`, byte copies of the first ones under new names."
    import shutil
    import numpy as np
    from PIL import Image
    done = path/'.done'
    if done.exists(): return path
    rng, photos = np.random.default_rng(seed), _photos()
    names = sorted(photos); distinct = n if distinct is None else distinct
    for i in range(n):
        cls = names[i % len(names)]; img = photos[cls]; H, W = img.shape[:2]
        h = int(rng.integers(H//2, H + 1)); w = min(W, int(h*wh[0]/wh[1]))
        y, x = int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))
        f = path/cls/f'{cls}_{i:06d}.jpg'; f.parent.mkdir(parents=True, exist_ok=True)
        if f.exists(): continue
        if i >= distinct:
            j = i % distinct; j += (i % len(names) - j % len(names)) % len(names)   # a copy from the same class
            shutil.copyfile(path/cls/f'{cls}_{j % distinct:06d}.jpg', f); continue
        im = Image.fromarray(np.ascontiguousarray(img[y:y+h, x:x+w])).resize(wh, Image.BILINEAR)
        kw = {}
        if exif_every and i % exif_every == 0:
            ex = Image.Exif(); ex[0x0112] = 6; kw['exif'] = ex.tobytes()
        im.save(f, 'JPEG', quality=quality, **kw)
    done.write_text('ok')
    return path

def _sampler(stats:dict, stop:threading.Event):
    while not stop.is_set():
        for line in open('/proc/self/status'):
            k = line.split(':')[0]
            if k in ('RssAnon', 'VmRSS'): stats[k] = max(stats.get(k, 0), int(line.split()[1]))
        time.sleep(0.02)

def child(version:str, folder:str, cache:str)->dict:
    "One measurement, in this process: read the folder, train one epoch; peak memory and times."
    import torch; torch.set_num_threads(1)
    stats, stop = {}, threading.Event()
    th = threading.Thread(target=_sampler, args=(stats, stop), daemon=True); th.start()
    import pseudo_clean
    from pseudo_clean.data import from_source
    from pseudo_clean.train import train_model
    time.sleep(0.1); base = dict(stats)
    t0 = time.time()
    data = from_source(folder) if version == 'before' else from_source(folder, cache_dir=cache)
    t1 = time.time()
    train_model(data.images, data.codes, len(data.classes), epochs=1, bs=128, progress=False)
    t2 = time.time(); time.sleep(0.1); stop.set(); th.join()
    return dict(version=version, package=str(Path(pseudo_clean.__file__).parent), n=len(data), image_shape=list(data.images.shape[1:]),
                memmap=type(data.images).__name__ == 'memmap', read_s=round(t1 - t0, 2), train_epoch_s=round(t2 - t1, 2),
                train_images_per_s=round(len(data)/(t2 - t1), 1), peak_rss_anon_mb=round(stats['RssAnon']/1024, 1),
                peak_rss_mb=round(stats['VmRSS']/1024, 1), rss_anon_after_import_mb=round(base['RssAnon']/1024, 1))

def main_src()->Path:
    "The package as it is on the `main` branch, extracted under benchmarks/work."
    d = WORK/'main_src'
    if not (d/'pseudo_clean').exists():
        d.mkdir(parents=True, exist_ok=True)
        arc = subprocess.run(['git', '-C', str(HERE.parent), 'archive', 'main', 'pseudo_clean'], capture_output=True, check=True).stdout
        subprocess.run(['tar', '-x', '-C', str(d)], input=arc, check=True)
    return d

def measure(version:str, folder:Path, cache:Path)->dict:
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    if version == 'before': env['PYTHONPATH'] = str(main_src())
    r = subprocess.run([sys.executable, __file__, '--child', version, str(folder), str(cache)], capture_output=True, text=True, env=env)
    if r.returncode: raise RuntimeError(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])

def to_md(rows:list)->str:
    cols = ['dataset', 'version', 'n', 'image_shape', 'read_s', 'train_epoch_s', 'train_images_per_s', 'peak_rss_anon_mb', 'peak_rss_mb', 'rss_anon_after_import_mb', 'load_avg_1min']
    out = ['| ' + ' | '.join(cols) + ' |', '|' + '---|'*len(cols)]
    out += ['| ' + ' | '.join(str(r[c]) for c in cols) + ' |' for r in rows]
    return '\n'.join(out)

def write(rows:list):
    "Write the results files, merging `rows` into those already there (same dataset and version: replaced)."
    f = HERE/'memory.json'
    old = json.loads(f.read_text())['rows'] if f.exists() else []
    keep = [r for r in old if (r['dataset'], r['version']) not in {(o['dataset'], o['version']) for o in rows}]
    order = {(d, v): k for k, (d, v) in enumerate((d, v) for d in ('camera', 'small') for v in ('before', 'after', 'after_rerun'))}
    rows = sorted(keep + rows, key=lambda r: order.get((r['dataset'], r['version']), 99))
    res = dict(machine=f'{os.cpu_count()} CPUs, OMP_NUM_THREADS=1, torch 1 thread, 4 decoding threads', date=time.strftime('%Y-%m-%d', time.gmtime()), rows=rows)
    f.write_text(json.dumps(res, indent=2) + '\n')
    (HERE/'memory.md').write_text('# Memory: decoding and one epoch, before and after the image cache\n\n'
                                  f'Made by `benchmarks/bench_memory.py` (see its docstring for what is measured), {res["date"]}, {res["machine"]}; '
                                  'the machine was shared with other jobs (`load_avg_1min`), so the times are loose; the memory is not.\n\n' + to_md(rows) + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--child', nargs=3); p.add_argument('--only', default=None, help='camera or small')
    p.add_argument('--versions', nargs='+', default=['before', 'after', 'after_rerun'])
    a = p.parse_args()
    if a.child: print(json.dumps(child(*a.child))); sys.exit()
    sets = dict(camera=lambda: make_folder(WORK/'camera', 200, (4000, 3000), exif_every=4, distinct=40),
                small=lambda: make_folder(WORK/'small', 20000, (256, 192), seed=1, quality=85, distinct=4000))
    for name, mk in sets.items():
        if a.only and name != a.only: continue
        t = time.time(); folder = mk(); print(f'{name}: folder ready ({time.time() - t:.0f} s)', flush=True)
        cache = WORK/f'cache_{name}'
        if 'after' in a.versions:
            for f in cache.glob('images_*'): f.unlink()
        for v in a.versions:
            r = measure('after' if v == 'after_rerun' else v, folder, cache)
            r.update(dataset=name, version=v, load_avg_1min=round(os.getloadavg()[0], 2))
            print(json.dumps(r), flush=True); write([r])
