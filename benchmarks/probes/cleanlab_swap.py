"""Probe for issue 18 (cleanlab for what cleanlab already does): does `pseudo_clean.ranking` built on cleanlab give the
same answers as the re-implementation it replaced (commit 1997566)?

Run by hand:  python benchmarks/probes/cleanlab_swap.py [--save DIR] [--ref DIR] [--no-timing] [--big]
  --save DIR   only record the OLD implementation's outputs in DIR (the reference, taken before the swap).
  --ref DIR    compare against the outputs recorded there (default /tmp/ranking_ref; if it does not exist they are
               recomputed from the old module, loaded from `git show 1997566:pseudo_clean/ranking.py`).
For every case and every method: the `find_label_issues` mask (also with frac_noise=0.5 and min_examples_per_class=5),
the `rank_suspects` table (row order and every column), each label quality score, the confident joint (calibrated and
not), the thresholds, both `estimate_num_issues` estimates, `corrected_probs` and `off_diagonal_concentration`, plus
any warnings. Masks, row order, labels and counts must be identical; floats equal to 1e-6.
Then one timing (and peak memory) of old against new on 70k×10 and 200k×100 (--big: and 1M×100) random probabilities. Results: cleanlab_swap.md.
"""
import argparse, importlib.util, pickle, subprocess, sys, tempfile, time, tracemalloc, warnings
from pathlib import Path
import numpy as np, pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OLD_COMMIT = '1997566'

def load_old():
    "The re-implementation as it was before the swap, as a module `ranking_old`."
    src = subprocess.run(['git', 'show', f'{OLD_COMMIT}:pseudo_clean/ranking.py'], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    f = Path(tempfile.mkdtemp())/'ranking_old.py'; f.write_text(src)
    spec = importlib.util.spec_from_file_location('ranking_old', f); mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod); return mod

# --- the notebook's simulated data (nbs/03_ranking.ipynb: toy_probs, noisy_case) ---
def toy_probs(n=2000, K=4, acc_logit=3.0, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    y = rng.integers(K, size=n)
    z = rng.normal(size=(n, K)); z[np.arange(n), y] += acc_logit + rng.normal(size=n)
    e = np.exp(z - z.max(1, keepdims=True))
    return y, (e / e.sum(1, keepdims=True)).astype(dtype)

def noisy_case(n=6000, K=10, seed=0, dtype=np.float64, imbalance=False):
    rng = np.random.default_rng(seed)
    pri = np.linspace(1, 6, K) if imbalance else np.ones(K)
    y = rng.choice(K, size=n, p=pri / pri.sum())
    z = rng.normal(size=(n, K)) * 1.2
    z[np.arange(n), y] += rng.gamma(6, 1.0, size=n)
    z[np.arange(n), (y + 1) % K] += rng.normal(0.8, 0.5, size=n)
    e = np.exp(z - z.max(1, keepdims=True)); pr = (e / e.sum(1, keepdims=True)).astype(dtype)
    lab = y.copy()
    sym = rng.random(n) < 0.10
    lab[sym] = (y[sym] + rng.integers(1, K, size=sym.sum())) % K
    pair = ~sym & np.isin(y, [1, 7]) & (rng.random(n) < 0.10); lab[pair] = np.where(y[pair] == 1, 7, 1)
    return lab, pr

def cases():
    from pseudo_clean.noise import symmetric_noise, pair_noise
    yield 'hand-worked 6×3', np.array([0, 0, 1, 1, 2, 2]), np.array([[0.90, 0.05, 0.05], [0.20, 0.80, 0.00], [0.10, 0.80, 0.10],
                                                                      [0.00, 0.48, 0.52], [0.10, 0.10, 0.80], [0.60, 0.10, 0.30]])
    for K in (4, 10):
        for dt in (np.float64, np.float32):
            y, P = toy_probs(n=3000, K=K, seed=K, dtype=dt)
            for rate in (0.1, 0.3):
                yield f'toy K={K} {dt.__name__} symmetric {rate:.0%}', symmetric_noise(y, rate, seed=1)[0], P
                pairs = {a: a + 1 - 2 * (a % 2) for a in range(K)}       # 0<->1, 2<->3, ...
                yield f'toy K={K} {dt.__name__} pair {rate:.0%}', pair_noise(y, pairs, rate, seed=1)[0], P
    yield 'noisy_case float64', *noisy_case()
    yield 'noisy_case float32', *noisy_case(dtype=np.float32, seed=1)
    yield 'noisy_case imbalanced', *noisy_case(imbalance=True, seed=2)
    y, P = toy_probs(n=1000, K=5, seed=3)
    lab = np.where(y == 4, 3, y); lab[np.flatnonzero(y == 4)[0]] = 4                  # class 4: a single item
    yield 'singleton class (K=5)', lab, P
    yield 'absent class (K=5)', np.where(y == 4, 0, y), P
    yield 'two classes, float32', *toy_probs(n=1500, K=2, acc_logit=1.5, seed=4, dtype=np.float32)
    y, P = toy_probs(n=500, K=3, acc_logit=1.0, seed=5)
    yield 'one given class (K=3; added after the swap: old recomputed)', np.full(500, 2), P

def _caught(fn, *a, **kw):
    "Call fn and return (result, warning messages)."
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        r = fn(*a, **kw)
    return r, sorted({str(x.message) for x in w})

def outputs(R, labels, probs):
    "Everything the ranking module answers for one case, by name."
    o = {}
    for m in R.METHODS:
        o[f'mask {m}'] = _caught(R.find_label_issues, labels, probs, method=m)
        if m in ('prune_by_class', 'prune_by_noise_rate', 'both', 'adaptive'):
            o[f'mask {m} frac_noise=0.5'] = _caught(R.find_label_issues, labels, probs, method=m, frac_noise=0.5)
            o[f'mask {m} min_examples_per_class=5'] = _caught(R.find_label_issues, labels, probs, method=m, min_examples_per_class=5)
        o[f'table {m}'] = _caught(R.rank_suspects, labels, probs, method=m)
    for s in R.SCORES:
        o[f'score {s}'] = (R.label_quality_scores(labels, probs, s), [])
        o[f'table score={s}'] = _caught(R.rank_suspects, labels, probs, score=s)
    o['table label_smoothing=0.1'] = _caught(R.rank_suspects, labels, probs, label_smoothing=0.1)
    o['self_confidence'] = (R.self_confidence(labels, probs), [])
    o['normalized_margin'] = (R.normalized_margin(labels, probs), [])
    o['confidence_weighted_entropy'] = (R.confidence_weighted_entropy(labels, probs), [])
    o['confident_joint'] = (R.confident_joint(labels, probs), [])
    o['confident_joint calibrate=False'] = (R.confident_joint(labels, probs, calibrate=False), [])
    o['confident_thresholds'] = (R.confident_thresholds(labels, probs), [])
    o['estimate_num_issues'] = (R.estimate_num_issues(labels, probs), [])
    o['estimate_num_issues calibrated'] = (R.estimate_num_issues(labels, probs, 'calibrated'), [])
    o['corrected_probs'] = (R.corrected_probs(labels, probs), [])
    o['corrected_probs label_smoothing=0.1'] = (R.corrected_probs(labels, probs, label_smoothing=0.1), [])
    o['off_diagonal_concentration'] = (R.off_diagonal_concentration(labels, probs), [])
    return o

def differ(a, b, tol=1e-6):
    "None when a and b agree (exact for ints, bools, strings and row order; floats to tol), else what differs."
    if isinstance(a, pd.DataFrame):
        if list(a.columns) != list(b.columns): return f'columns {list(a.columns)} vs {list(b.columns)}'
        if not np.array_equal(a.index, b.index):
            return f'row order differs from row {int(np.argmax(a.index.to_numpy() != b.index.to_numpy()))}'
        for c in a.columns:
            d = differ(a[c].to_numpy(), b[c].to_numpy(), tol)
            if d: return f'column {c}: {d}'
        return None
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape: return f'shape {a.shape} vs {b.shape}'
    if a.dtype.kind == 'f' or b.dtype.kind == 'f':
        d = np.abs(a.astype(np.float64) - b.astype(np.float64))
        return None if (d <= tol).all() else f'{int((d > tol).sum())} values differ, max {d.max():.3g}'
    n = int((a != b).sum())
    return None if n == 0 else f'{n} entries differ'

def dtypes(x):
    if isinstance(x, pd.DataFrame): return tuple(str(t) for t in x.dtypes)
    return str(np.asarray(x).dtype)

def timing(old, new, sizes=((70_000, 10), (200_000, 100))):
    rows = []
    rng = np.random.default_rng(0)
    for N, K in sizes:
        y = rng.integers(K, size=N)
        z = rng.normal(size=(N, K)).astype(np.float32); z[np.arange(N), y] += 4
        flip = rng.random(N) < 0.1; lab = np.where(flip, rng.integers(K, size=N), y)
        P = np.exp(z - z.max(1, keepdims=True)); P /= P.sum(1, keepdims=True)
        for what, call in (('rank_suspects (adaptive)', lambda R: R.rank_suspects(lab, P)),
                           ('find_label_issues adaptive', lambda R: R.find_label_issues(lab, P)),
                           ('find_label_issues prune_by_noise_rate', lambda R: R.find_label_issues(lab, P, method='prune_by_noise_rate')),
                           ('find_label_issues both', lambda R: R.find_label_issues(lab, P, method='both'))):
            t, m = {}, {}
            for name, R in (('old', old), ('new', new)):
                t0 = time.perf_counter(); call(R); t[name] = time.perf_counter() - t0
                tracemalloc.start(); call(R); m[name] = tracemalloc.get_traced_memory()[1] / 2**20; tracemalloc.stop()
            rows.append(f"| {N:,}×{K} float32 | {what} | {t['old']:.2f} | {t['new']:.2f} | {t['new'] / t['old']:.2f} | "
                        f"{m['old']:.0f} | {m['new']:.0f} |")
            print(rows[-1], flush=True)
    return rows

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--save'); ap.add_argument('--ref', default='/tmp/ranking_ref'); ap.add_argument('--no-timing', action='store_true')
    ap.add_argument('--big', action='store_true', help="also time 1,000,000×100 (bench_ranking's size)")
    a = ap.parse_args()
    old = load_old()
    if a.save:
        d = Path(a.save); d.mkdir(parents=True, exist_ok=True)
        for i, (name, lab, P) in enumerate(cases()):
            with open(d/f'case{i:02d}.pkl', 'wb') as f: pickle.dump(dict(name=name, labels=lab, probs=P, out=outputs(old, lab, P)), f)
            print('saved', name, flush=True)
        return
    import cleanlab, pseudo_clean.ranking as new
    ref = Path(a.ref)
    L = ['# cleanlab swap: the ranking module on cleanlab against its own re-implementation', '',
         f'Produced by `python benchmarks/probes/cleanlab_swap.py` on {time.strftime("%Y-%m-%d")}, cleanlab {cleanlab.__version__}, '
         f'numpy {np.__version__}. *old*: `pseudo_clean/ranking.py` at {OLD_COMMIT} (reference outputs '
         f'{"recorded in " + str(ref) + " before the swap" if ref.exists() else "recomputed from git"}); *new*: this tree. '
         'Identical = same masks, same `rank_suspects` row order, labels, flags and counts; floats within 1e-6.', '',
         '| case | N×K | dtype | outputs compared | identical | differences |', '|---|---|---|---|---|---|']
    bad = []
    for i, (name, lab, P) in enumerate(cases()):
        if (ref/f'case{i:02d}.pkl').exists():
            with open(ref/f'case{i:02d}.pkl', 'rb') as f: r = pickle.load(f)
            assert r['name'] == name and np.array_equal(r['labels'], lab) and np.array_equal(r['probs'], P), name
            ro = r['out']
        else: ro = outputs(old, lab, P)
        no = outputs(new, lab, P)
        diffs = []
        for k, (v, w) in ro.items():
            d = differ(v, no[k][0])
            if d: diffs.append(f'{k}: {d}')
            if dtypes(v) != dtypes(no[k][0]): diffs.append(f'{k}: dtype {dtypes(v)} -> {dtypes(no[k][0])}')
            if w != no[k][1]: diffs.append(f'{k}: warnings {w} -> {no[k][1]}')
        bad += [f'{name}: {d}' for d in diffs]
        L.append(f"| {name} | {P.shape[0]:,}×{P.shape[1]} | {P.dtype} | {len(ro)} | {'yes' if not diffs else 'no'} | "
                 f"{'; '.join(diffs) if diffs else '-'} |")
        print(L[-1], flush=True)
    L += ['', f"**{'All outputs identical.' if not bad else str(len(bad)) + ' difference(s).'}**", '',
          'What is not cleanlab in *new*: `confidence_weighted_entropy` (cleanlab scores x < 1e-6 as 0 and clips the '
          'probabilities inside the entropy), the `adaptive` filter around cleanlab\'s `prune_by_noise_rate`, '
          '`corrected_probs`, `off_diagonal_concentration`, `chance_cut`, the table, one warning for small classes instead '
          'of cleanlab\'s one per class, and labels of a single class (cleanlab raises; *new* answers as *old* did). '
          '`confident_thresholds` is cast to float64 (cleanlab returns float32 for float32 probabilities).', '']
    if not a.no_timing:
        L += ['## Speed', '', 'One run each, old then new, in one process (2 CPU cores, OMP_NUM_THREADS=1, another job busy on the other core), random probabilities '
              '(softmax of normal logits with +4 on the true class, 10% of labels redrawn).', '',
              'Peak MB: the largest extra memory the call allocated (tracemalloc, a second run); the probabilities themselves '
              'are 2.7 MB, 76 MB and 381 MB.', '',
              '| probs | call | old s | new s | new / old | old peak MB | new peak MB |', '|---|---|---|---|---|---|---|']
        L += timing(old, new, ((70_000, 10), (200_000, 100)) + (((1_000_000, 100),) if a.big else ())) + ['', "The pruning filters' larger peak is two copies of the probabilities made by cleanlab: one for its near-tie rule, "
              'and one split by class (`pred_probs_by_class`, a module global of `cleanlab.filter` that it keeps until its next '
              "call: 76 MB and 381 MB here; the module does not reach into cleanlab's globals to free it). `rank_suspects` and "
              "the default filter pass cleanlab's pruning the confident joint they already have, and take the global branch "
              'on these (symmetric) errors.', '']
    out = Path(__file__).with_suffix('.md'); out.write_text('\n'.join(L))
    print('\n'.join(L[-3:])); print('wrote', out)
    sys.exit(1 if bad else 0)

if __name__ == '__main__': main()
