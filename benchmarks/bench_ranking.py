#!/usr/bin/env python
"""Scale benchmark of the ranking stage: `rank_suspects` on 1,000,000 items × 100 classes of float32
probabilities must take well under 10 s and under 2 GB of memory beyond the probability array itself.

Run from the repository root:  python benchmarks/bench_ranking.py [--n 1000000] [--k 100]
Writes benchmarks/ranking_scale.json and prints a summary.

Two inputs: 'uniform' (the brief's random probabilities: flat rows, so the confident joint is dense and every
class pair is pruned, the worst case for the per-class loops) and 'peaked' (a realistic model: 95% of rows favour
a true class, 10% of labels changed). Memory is measured twice: the peak resident set size above the level before
the call (sampled every 2 ms by a thread, psutil), and the peak of numpy/Python allocations traced by tracemalloc
(a separate call, since tracing slows Python allocations). Wall and CPU seconds are both recorded: the ranking is
single-threaded numpy, so CPU seconds ≈ wall seconds on an idle machine, and are the fairer number on a busy one.
"""
import argparse, json, os, platform, sys, threading, time, tracemalloc
from pathlib import Path

import numpy as np, psutil
import sklearn.metrics  # imported up front so evaluate_detection times the work, not the import

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pseudo_clean.ranking import (rank_suspects, find_label_issues, evaluate_detection, label_quality_scores,
                                  check_probs, DEFAULT_METHOD, METHODS, SCORES)

MB = 2**20


def make_probs(n, k, kind, seed=0, block=100_000):
    "N×K float32 probabilities built in place, block by block (no N×K temporaries)."
    rng = np.random.default_rng(seed)
    probs = np.empty((n, k), np.float32)
    y = rng.integers(k, size=n)
    for a in range(0, n, block):
        b = min(n, a + block)
        P = probs[a:b]
        P[:] = rng.random((b - a, k), dtype=np.float32)
        if kind == 'peaked':
            r = np.arange(b - a)
            good = rng.random(b - a) < 0.95
            P[r[good], y[a:b][good]] += rng.gamma(2.0, 20.0, size=good.sum()).astype(np.float32)
        P /= P.sum(1, keepdims=True)
    labels = y.copy()
    noisy = rng.random(n) < 0.10
    labels[noisy] = (y[noisy] + rng.integers(1, k, size=noisy.sum())) % k
    return labels, probs, noisy


class PeakRSS:
    "Sample the process RSS in a thread; `.peak` is the maximum seen above the RSS at start."
    def __init__(self, every=0.002): self.every, self.proc = every, psutil.Process()
    def __enter__(self):
        self.base = self.max = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True); self._t.start()
        return self
    def _run(self):
        while not self._stop.is_set():
            self.max = max(self.max, self.proc.memory_info().rss); time.sleep(self.every)
    def __exit__(self, *a):
        self._stop.set(); self._t.join()
        self.max = max(self.max, self.proc.memory_info().rss)
        self.peak = self.max - self.base


def measure(fn):
    "Wall time and peak extra RSS of one call, then tracemalloc's peak in a second call."
    with PeakRSS() as m:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    del out
    tracemalloc.start(); tracemalloc.reset_peak()
    out = fn()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop(); del out
    return dict(seconds=round(secs, 3), cpu_seconds=round(cpu, 3), peak_rss_extra_mb=round(m.peak / MB, 1), peak_traced_mb=round(traced / MB, 1))


def save_json(obj, path):
    try:
        from pseudo_clean.data import save_json as sj
        return sj(obj, path)
    except ImportError:           # data stage not exported yet: same temp-file + rename
        tmp = Path(path).with_suffix('.json.tmp'); tmp.write_text(json.dumps(obj, indent=2)); os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=1_000_000); ap.add_argument('--k', type=int, default=100)
    ap.add_argument('--out', default=str(ROOT / 'benchmarks' / 'ranking_scale.json'))
    args = ap.parse_args()
    res = dict(n=args.n, k=args.k, dtype='float32', default_method=DEFAULT_METHOD,
               machine=dict(cpus=os.cpu_count(), python=platform.python_version(), numpy=np.__version__,
                            ram_gb=round(psutil.virtual_memory().total / 2**30, 1),
                            load_average_at_start=[round(x, 2) for x in os.getloadavg()]),
               targets=dict(seconds=10, extra_memory_mb=2048), cases={})
    for kind in ('uniform', 'peaked'):
        t0 = time.perf_counter()
        labels, probs, noisy = make_probs(args.n, args.k, kind)
        case = dict(array_mb=round(probs.nbytes / MB, 1), make_seconds=round(time.perf_counter() - t0, 2))
        print(f"\n[{kind}] probs {probs.shape} float32 = {case['array_mb']} MB")
        r = measure(lambda: rank_suspects(labels, probs))
        case['rank_suspects'] = r
        print(f"  rank_suspects (method={DEFAULT_METHOD}, score=self_confidence): {r}")
        classes = [f'class_{i:03d}' for i in range(args.k)]
        items = [f'img/{i:07d}.png' for i in range(args.n)]
        r = measure(lambda: rank_suspects(labels, probs, classes=classes, items=items))
        case['rank_suspects_with_names'] = r
        print(f"  rank_suspects with class and item names: {r}")
        case['check_probs'] = measure(lambda: check_probs(labels, probs))
        print(f"  check_probs: {case['check_probs']}")
        case['find_label_issues'] = {}
        for m in METHODS:
            case['find_label_issues'][m] = r = measure(lambda: find_label_issues(labels, probs, method=m))
            print(f"  find_label_issues {m}: {r}")
        case['label_quality_scores'] = {}
        for s in SCORES:
            case['label_quality_scores'][s] = r = measure(lambda: label_quality_scores(labels, probs, method=s))
            print(f"  label_quality_scores {s}: {r}")
        mask, q = find_label_issues(labels, probs), label_quality_scores(labels, probs)
        r = measure(lambda: evaluate_detection(mask, noisy, q, ks=(10, 100, 1000)))
        case['evaluate_detection'] = r
        ev = evaluate_detection(mask, noisy, q, ks=(10, 100, 1000))
        case['detection'] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in ev.items()}
        print(f"  evaluate_detection: {r}\n  detection quality ({DEFAULT_METHOD}): {case['detection']}")
        res['cases'][kind] = case
        del labels, probs, noisy, mask, q, items
    worst_s = max(c['rank_suspects'][k] for c in res['cases'].values() for k in ['seconds'])
    worst_mb = max(max(c['rank_suspects']['peak_rss_extra_mb'], c['rank_suspects']['peak_traced_mb'])
                   for c in res['cases'].values())
    res['verdict'] = dict(worst_rank_seconds=worst_s, worst_rank_extra_mb=worst_mb,
                          passes=bool(worst_s < 10 and worst_mb < 2048))
    save_json(res, args.out)
    print(f"\nworst rank_suspects: {worst_s} s, {worst_mb} MB beyond the array -> "
          f"{'PASS' if res['verdict']['passes'] else 'FAIL'} (targets < 10 s, < 2048 MB); wrote {args.out}")


if __name__ == '__main__': main()
