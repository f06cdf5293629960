"""Mixed precision: training time of one fold model in float32 against bfloat16, alternated in one run.

Run by hand (not a test):  python benchmarks/probes/bench_precision.py [--reps 2]
Times `pseudo_clean.train.train_model` on 4,000 digits of the bundled sample for 10 epochs (one fold of case a)
and on 56,000 Fashion-MNIST images for 1 epoch (a fold of case c; skipped if Debian's dataset-fashion-mnist is
missing), alternating `mixed_precision='off'` and `'bf16'` so machine noise hits both alike. Then detection
quality both ways: detection case a (bundled sample, 10% symmetric noise; `benchmarks/bench_detection.py`) through `pseudo_clean.run.run`
(seed 0 unless --seeds). Writes benchmarks/probes/precision.json; the Fashion-MNIST files and the runs' folders are looked for and
kept in benchmarks/work/.
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np, torch
from pseudo_clean.data import mnist_sample, read_idx, save_json
from pseudo_clean.train import train_model, bf16_is_fast

HERE = Path(__file__).resolve().parent   # benchmarks/probes: precision.json
WORK = HERE.parent/'work'                 # benchmarks/work (git-ignored)

def workloads():
    d = mnist_sample()
    yield 'mnist 4,000 x 10 epochs', d.images[:4000], d.codes[:4000], 10
    f = WORK/'fashion-mnist'/'fashion-all-images-idx3-ubyte'
    if f.exists():
        X, y = read_idx(f)[:56000], read_idx(f.parent/'fashion-all-labels-idx1-ubyte')[:56000].astype(np.int64)
        yield 'fashion 56,000 x 1 epoch', X, y, 1

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--reps', type=int, default=2); ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    args = ap.parse_args()
    rows = []
    for name, X, y, epochs in workloads():
        secs = {'off': [], 'bf16': []}
        for _ in range(args.reps):
            for mp in secs:
                t = time.time(); train_model(X, y, 10, epochs=epochs, progress=False, mixed_precision=mp)
                secs[mp].append(round(time.time() - t, 2))
        rows.append(dict(workload=name, float32_s=secs['off'], bfloat16_s=secs['bf16'],
                         speedup=round(min(secs['off'])/min(secs['bf16']), 2)))
        print(rows[-1], flush=True)
    from pseudo_clean.run import run
    quality = []
    for seed in args.seeds:
        for mp in ('off', 'bf16'):
            t = time.time()
            m = run(None, out=WORK/f'precision_{mp}_{seed}', noise=0.1, seed=seed, overwrite=True, progress=False, mixed_precision=mp)
            quality.append(dict(case='a', seed=seed, mixed_precision=mp, wall_seconds=round(time.time() - t, 1), f1=round(m['f1'], 4),
                                auprc=round(m['auprc'], 4), oof_accuracy_vs_truth=m['oof_accuracy_vs_truth']))
            print(quality[-1], flush=True)
    save_json(dict(machine=f'{platform.machine()}, {torch.get_num_threads()} torch threads', bf16_is_fast=bf16_is_fast('cpu'),
                   measured=time.strftime('%Y-%m-%d %H:%M'), speed=rows, detection_quality=quality), HERE/'precision.json')
