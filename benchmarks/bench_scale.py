#!/usr/bin/env python
"""Scale benchmark of reading and training, on Fashion-MNIST's 70,000 images.

1. Folder scan: 70,000 tiny PNGs written from the Fashion-MNIST IDX files into `<tree>/<label>/<n>.png`
   (kept between runs in --tree), then `read_image_folder` (the scan) and `load_images` (decoding) are timed.
2. Training memory: in a fresh process, the 70,000 images are read from the IDX files and one fold of a 2-fold
   split (35,000 training images, 1 epoch, the default CNN) is trained and predicted with
   `pseudo_clean.folds.run_fold`, as `oof_probs` does for each fold; the peak resident set size is recorded.

Fashion-MNIST comes from Debian: `apt-get install -y dataset-fashion-mnist` (files in /usr/share/datasets/fashion-mnist/).
Run from the repository root:  python benchmarks/bench_scale.py   → benchmarks/scale.json
"""
import argparse, json, os, platform, resource, subprocess, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FMNIST = Path('/usr/share/datasets/fashion-mnist')
MB = 2**20


def fashion_mnist():
    "All 70,000 Fashion-MNIST images and labels (train then test) from the IDX files."
    from pseudo_clean.data import read_idx
    if not (FMNIST/'train-images-idx3-ubyte.gz').exists():
        sys.exit(f'Fashion-MNIST not found in {FMNIST}: apt-get install -y dataset-fashion-mnist')
    x = np.concatenate([read_idx(FMNIST/f'{s}-images-idx3-ubyte.gz') for s in ('train', 't10k')])
    y = np.concatenate([read_idx(FMNIST/f'{s}-labels-idx1-ubyte.gz') for s in ('train', 't10k')]).astype(np.int64)
    return x, y


def write_tree(tree:Path, x, y)->float:
    "Write every image as `tree/<label>/<n>.png` (skipped when the tree is already complete); seconds taken."
    if tree.exists() and sum(len(f) for _, _, f in os.walk(tree)) == len(x): return 0.
    from PIL import Image
    t0 = time.time()
    for c in np.unique(y): (tree/str(c)).mkdir(parents=True, exist_ok=True)
    def one(i): Image.fromarray(x[i]).save(tree/str(y[i])/f'{i:05d}.png', compress_level=1)
    with ThreadPoolExecutor(4) as ex: list(ex.map(one, range(len(x)), chunksize=500))
    return time.time() - t0


def peak_rss_sampler():
    "Start a thread sampling this process's RSS every 10 ms; returns (stop, result dict)."
    import psutil
    proc, res, stop = psutil.Process(), {'peak': 0}, threading.Event()
    def loop():
        while not stop.is_set():
            res['peak'] = max(res['peak'], proc.memory_info().rss); stop.wait(0.01)
    threading.Thread(target=loop, daemon=True).start()
    return stop, res


def train_one_fold()->dict:
    "Child process: train fold 0 of a 2-fold split of Fashion-MNIST for 1 epoch; report time and peak memory."
    import torch
    from pseudo_clean.folds import fold_ids, run_fold
    from pseudo_clean.train import DEFAULT_SETTINGS
    stop, res = peak_rss_sampler()
    import psutil; base = psutil.Process().memory_info().rss
    x, y = fashion_mnist()
    t0 = time.time()
    folds = fold_ids(y, 2, seed=0)
    probs = run_fold(x, y, 10, folds, 0, {**DEFAULT_SETTINGS, 'epochs': 1}, seed=0, progress=False)
    secs = time.time() - t0
    stop.set()
    acc = float((probs.argmax(1) == y[folds == 0]).mean())
    return dict(n_images=len(x), n_train=int((folds != 0).sum()), n_predicted=len(probs), epochs=1,
                train_predict_seconds=round(secs, 1), heldout_accuracy=round(acc, 4),
                rss_after_imports_mb=round(base/MB), peak_rss_mb=round(res['peak']/MB),
                ru_maxrss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024),
                torch_threads=torch.get_num_threads())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tree', default='/tmp/pc_bench_fmnist_png', help='where the 70,000 PNGs are written (reused)')
    ap.add_argument('--out', default=str(ROOT/'benchmarks'/'scale.json'))
    ap.add_argument('--skip-train', action='store_true')
    ap.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: print(json.dumps(train_one_fold())); return

    from pseudo_clean.data import read_image_folder, load_images
    x, y = fashion_mnist()
    tree = Path(a.tree)
    wrote = write_tree(tree, x, y)
    t0 = time.time(); table = read_image_folder(tree); scan = time.time() - t0
    assert len(table) == len(x), (len(table), len(x))
    stop, res = peak_rss_sampler()
    t0 = time.time(); images, ok, skipped = load_images([tree/o for o in table.item]); load = time.time() - t0
    stop.set()
    assert len(ok) == len(x) and not skipped and images.shape == (len(x), 28, 28)
    result = dict(machine=dict(cpus=os.cpu_count(), load_avg_1min=round(os.getloadavg()[0], 2), python=platform.python_version()),
                  folder=dict(n_files=len(table), write_tree_seconds=round(wrote, 1), scan_seconds=round(scan, 2),
                              load_images_seconds=round(load, 1), load_images_peak_rss_mb=round(res['peak']/MB),
                              images_mb=round(images.nbytes/MB, 1)))
    print(json.dumps(result, indent=2), flush=True)
    del images
    if not a.skip_train:
        r = subprocess.run([sys.executable, __file__, '--child'], capture_output=True, text=True)
        if r.returncode: sys.exit(r.stderr[-3000:])
        result['train_one_fold'] = json.loads(r.stdout.strip().splitlines()[-1])
        result['machine']['load_avg_1min_after'] = round(os.getloadavg()[0], 2)
    Path(a.out).write_text(json.dumps(result, indent=2) + '\n')
    print(json.dumps(result, indent=2))


if __name__ == '__main__': main()
