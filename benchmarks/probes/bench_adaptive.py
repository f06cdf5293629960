"""Validation of the `adaptive` filter's chance cut (`pseudo_clean.ranking.chance_cut`) beyond the three detection benchmark cases.

Run by hand:  python benchmarks/probes/bench_adaptive.py
Out-of-fold probabilities from the package's defaults (5 folds, `oof_probs`) on real images with injected noise,
cached in benchmarks/work/val/ (git-ignored). For each: F1 of `adaptive` without the cut (the filter before it),
with it (the default now), cleanlab's best of prune_by_noise_rate / both, and the best cut-off chosen with
hindsight on the same self-confidence ranking. Needs ../shared/data/mnist-test (benchmarks only) and Debian's
dataset-fashion-mnist. Writes benchmarks/probes/adaptive_validation.md and .json.
"""
import json, time
from pathlib import Path
import numpy as np
from sklearn.metrics import f1_score, precision_recall_curve
from pseudo_clean.data import mnist_sample, digits_8x8, read_idx, save_json, atomic_write_text
from pseudo_clean.noise import symmetric_noise
from pseudo_clean.folds import oof_probs
from pseudo_clean.ranking import find_label_issues, confident_joint, off_diagonal_concentration, self_confidence

HERE = Path(__file__).resolve().parent   # benchmarks/probes: adaptive_validation.*
BENCH = HERE.parent                      # benchmarks: results.json, work/
W = BENCH/'work'/'val'
MNIST_TEST = BENCH.parent.parent/'shared'/'data'/'mnist-test'
FASHION = Path('/usr/share/datasets/fashion-mnist')

def datasets():
    ml = read_idx(MNIST_TEST/'t10k-labels-idx1-ubyte.gz').astype(np.int64); mt = read_idx(MNIST_TEST/'t10k-images-idx3-ubyte.gz')
    fx = read_idx(next(FASHION.rglob('t10k-images*'))); fy = read_idx(next(FASHION.rglob('t10k-labels*'))).astype(np.int64)
    s = mnist_sample(); sy = s.labels.astype(np.int64); dg = digits_8x8(); dy = dg.labels.astype(np.int64)
    yield 'MNIST test (10k), no noise', 'mnist10k_clean', mt, ml, ml
    yield 'MNIST test (10k), 10% symmetric', 'mnist10k_sym10', mt, ml, symmetric_noise(ml, 0.1, seed=1)[0]
    yield 'MNIST test (10k), 30% symmetric', 'mnist10k_sym30', mt, ml, symmetric_noise(ml, 0.3, seed=1)[0]
    yield 'MNIST sample (5k), 20% symmetric', 'sample_sym20', s.images, sy, symmetric_noise(sy, 0.2, seed=2)[0]
    yield 'MNIST sample (5k), 30% symmetric', 'sample_sym30', s.images, sy, symmetric_noise(sy, 0.3, seed=0)[0]
    yield 'Fashion-MNIST test (10k), no noise', 'fashion10k_clean', fx, fy, fy
    yield 'Fashion-MNIST test (10k), 20% symmetric', 'fashion10k_sym20', fx, fy, symmetric_noise(fy, 0.2, seed=1)[0]
    yield 'sklearn digits 8×8 (1,797), 10% symmetric', 'digits_sym10', dg.images, dy, symmetric_noise(dy, 0.1, seed=1)[0]

def probs_for(key, X, y_true, y_noisy):
    f = W/f'{key}.npz'
    if not f.exists():
        W.mkdir(parents=True, exist_ok=True)
        p = oof_probs(X, y_noisy, 10, work_dir=W/'folds', progress=False)
        np.savez(f, probs=p, y_true=y_true, y_noisy=y_noisy)
    with np.load(f) as z: return z['probs']

def evaluate(lab, p, wrong):
    joint = confident_joint(lab, p); rate = 1 - np.trace(joint) / joint.sum(); sc = self_confidence(lab, p)
    conc = off_diagonal_concentration(lab, p)
    new = find_label_issues(lab, p)
    if conc >= 0.5: old = new                      # the pair-noise branch did not change
    else: old = np.zeros(len(lab), bool); old[np.argsort(sc, kind='stable')[:int(np.rint(rate * len(lab)))]] = True
    row = dict(concentration=round(conc, 3), n_wrong=int(wrong.sum()), flagged_before=int(old.sum()), flagged_now=int(new.sum()))
    if wrong.any():
        from cleanlab.filter import find_label_issues as cl_find
        pr, rc, _ = precision_recall_curve(wrong, -sc)
        row.update(f1_before=round(f1_score(wrong, old), 4), f1_now=round(f1_score(wrong, new), 4),
                   f1_cleanlab_best=round(max(f1_score(wrong, cl_find(lab, p, filter_by=fb)) for fb in ('prune_by_noise_rate', 'both')), 4),
                   f1_hindsight=round(float((2 * pr * rc / (pr + rc + 1e-12)).max()), 4))
    return row

if __name__ == '__main__':
    rows = []
    for title, key, X, y_true, y_noisy in datasets():
        rows.append(dict(data=title, **evaluate(y_noisy, probs_for(key, X, y_true, y_noisy), y_noisy != y_true)))
        print(rows[-1], flush=True)
    res = json.loads((BENCH/'results.json').read_text())
    for r in res['results']:
        old = r['filters'].get('pseudo_clean:adaptive')
        rows.append(dict(data=f"detection case {r['case']}: {r['title']}", n_wrong=None, f1_now=round(r['default']['f1'], 4),
                         flagged_now=r['default']['n_flagged']))
    L = ['# The adaptive filter\'s chance cut: validation', '',
         f"Produced by `python benchmarks/probes/bench_adaptive.py` on {time.strftime('%Y-%m-%d')} (CPU). Out-of-fold probabilities from the package's "
         "defaults; F1 against the injected noise. *before*: the global cut of `adaptive` without `chance_cut`; *now*: the default; "
         "*hindsight*: the best cut-off on the same ranking, chosen knowing the truth (a ceiling for any count estimate).", '',
         '| data | concentration | wrong labels | flagged before → now | F1 before | F1 now | cleanlab best F1 | hindsight F1 |', '|---|---|---|---|---|---|---|---|']
    for r in rows[:8]:
        f = lambda k: f"{r[k]:.3f}" if k in r else '-'
        L.append(f"| {r['data']} | {r['concentration']:.2f} | {r['n_wrong']:,} | {r['flagged_before']:,} → {r['flagged_now']:,} | {f('f1_before')} | "
                 f"{f('f1_now')} | {f('f1_cleanlab_best')} | {f('f1_hindsight')} |")
    L += ['', 'With no noise the rows count false alarms: fewer is better. The detection benchmark\'s own cases are in `benchmarks/results.md`.', '']
    save_json(rows[:8], HERE/'adaptive_validation.json'); atomic_write_text(HERE/'adaptive_validation.md', '\n'.join(L))
    print('\n'.join(L))
