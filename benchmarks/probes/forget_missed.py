"""Probe for issue 22: which forget rate should the pass for missed hard wrong labels train with?

Run by hand (2-core CPU; cached runs are reused, about 40 minutes from nothing):
    OMP_NUM_THREADS=2 python benchmarks/probes/forget_missed.py
Where a first pass misses hard wrong labels (`pseudo_clean.run.missed_share`: the hard 20% and 30% cells of the MNIST
test set and the bundled sample), the command trains the folds again leaving out a share of each batch, then flags
every label that pass reads as another class where it reads the first pass's so again (`outvoted_again`). Which share?
1. The first pass (`default` runs of `benchmarks/bench_realistic.py`, seeds 0-2): the share of the labels it reads as
   another class (flagged, or outvoted and not flagged: `missed_share`), that share over the share of wrong labels, the
   share of the wrong labels it reads so, and how many of what it reads are wrong. Hard cells from 2% on.
2. The second pass at forget rates from 0.15 to 0.3, ranked and flagged as the command flags it (`bench_realistic.two_pass_row`'s
   steps: the `adaptive` filter, then every label another class outvotes where `outvoted_again` >= `MISSED_AGAIN`).
   The 25% cell of the bundled sample is in no benchmark grid: it checks the rate rule on a share it was not read from.
Cached in benchmarks/work/realistic/ as the grid caches them (`forget_est` with `{'forget_rate': rate}`: the key
`bench_realistic.py --two-pass` reads). Writes benchmarks/probes/forget_missed.md.
"""
import sys, json
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_realistic as br

OUT = Path(__file__).with_suffix('.md')
CELLS = {('mnist10k', 0.2): (0.15, 0.2, 0.25, 0.3), ('mnist10k', 0.3): (0.2, 0.25, 0.3),   # (data, rate): the forget rates tried
         ('sample', 0.2): (0.15, 0.2, 0.25), ('sample', 0.25): (0.2, 0.25, 0.3), ('sample', 0.3): (0.2, 0.25, 0.3)}
SEEDS = (0, 1, 2)

def first_pass(data, rate, seed):
    "The cached (or trained) first pass of a hard cell, as `run` reads it: (run, flags, share read as another class)."
    from pseudo_clean.train import DEFAULT_SETTINGS
    r = br.get_run(data, 'instance', rate, seed, {}, 'default')
    flag = br.default_ranking(r, DEFAULT_SETTINGS['label_smoothing'])[0]
    return r, flag, flag | (r['probs'].argmax(1) != r['y_noisy'])

def forget_pass(data, rate, seed, forget, r1, flag1):
    "The second pass at `forget`, flagged as the command flags it: a dict of its counts and scores."
    from pseudo_clean.train import DEFAULT_SETTINGS
    from pseudo_clean.run import MISSED_AGAIN
    r = br.get_run(data, 'instance', rate, seed, {'forget_rate': forget}, 'forget_est')
    flagged, score = br.default_ranking(r, DEFAULT_SETTINGS['label_smoothing'])
    again = br.checked_again(r1, flag1, r)
    if again >= MISSED_AGAIN: flagged = flagged | (r['probs'].argmax(1) != r['y_noisy'])
    wrong = r['wrong'].astype(bool)
    return dict(br.metrics(wrong, flagged, score), again=again, precision=float((flagged & wrong).sum() / max(flagged.sum(), 1)),
                train_seconds=float(r['train_seconds']))

def main():
    from pseudo_clean.run import missed_share, second_pass_rate
    reads, passes = [], []
    for data in ('mnist10k', 'sample'):
        for rate in (0.02, 0.05, 0.1, 0.2, 0.25, 0.3):
            if (data, rate) not in CELLS and br.cached_run(data, 'instance', rate, 0, {}, 'default') is None: continue
            for seed in SEEDS:
                r1, flag1, read = first_pass(data, rate, seed)
                wrong = r1['wrong'].astype(bool)
                m = br.pass_counts(r1, flag1)
                reads.append(dict(data=data, rate=rate, seed=seed, read=read.mean(), over=read.mean() / wrong.mean(),
                                  wrong_read=(read & wrong).sum() / wrong.sum(), precision=(read & wrong).sum() / read.sum(),
                                  missed=missed_share(m), command=second_pass_rate({'forget_rate': 'auto'}, m)))
                if (data, rate) in CELLS:
                    for forget in CELLS[data, rate]: passes.append(dict(data=data, rate=rate, seed=seed, forget=forget, **forget_pass(data, rate, seed, forget, r1, flag1)))
                    print(data, rate, seed, 'done', flush=True)
    lines = ['# The forget rate of the pass for missed hard wrong labels (probe for issue 22)', '', __doc__.split('\n', 1)[1].strip(), '',
             '## 1. What a first pass reads as another class, hard errors (mean of seeds 0-2; range in brackets)', '',
             '| data | rate | share read as another class | over the share wrong | wrong labels read so | wrong among those read | `missed_share` (seeds) | the command\'s rate (seeds) |',
             '|---|---|---|---|---|---|---|---|']
    fmt = lambda xs, f: f"{f.format(np.mean(xs))} ({f.format(min(xs))}-{f.format(max(xs))})"
    for key in dict.fromkeys((x['data'], x['rate']) for x in reads):
        xs = [x for x in reads if (x['data'], x['rate']) == key]
        col = lambda k, f: fmt([x[k] for x in xs], f)
        lines.append(f"| {key[0]} | {key[1]:.0%} | {col('read', '{:.1%}')} | {col('over', '{:.2f}')} | {col('wrong_read', '{:.2f}')} | {col('precision', '{:.2f}')} | "
                     + ', '.join('-' if x['missed'] is None else f"{x['missed']:.1%}" for x in xs) + ' | '
                     + ', '.join('-' if x['command'] is None else f"{x['command']:g}" for x in xs) + ' |')
    lines += ['', '## 2. The second pass at each forget rate, flagged as the command flags it (mean of seeds 0-2)', '',
              '| data | rate | forget rate | flagged/wrong | precision of the flags | precision@k | AUPRC | F1 (seeds) | `outvoted_again` | train s |',
              '|---|---|---|---|---|---|---|---|---|---|']
    for key in dict.fromkeys((x['data'], x['rate'], x['forget']) for x in passes):
        xs = [x for x in passes if (x['data'], x['rate'], x['forget']) == key]
        mean, f1s = (lambda k: np.mean([x[k] for x in xs])), ', '.join(f"{x['f1']:.3f}" for x in xs)
        lines.append(f"| {key[0]} | {key[1]:.0%} | {key[2]:g} | {mean('ratio'):.2f} | {mean('precision'):.3f} | {mean('precision_at_k'):.3f} | {mean('auprc'):.3f} | "
                     f"{mean('f1'):.4f} ({f1s}) | {min(x['again'] for x in xs):.2f}-{max(x['again'] for x in xs):.2f} | {mean('train_seconds'):.0f} |")
    OUT.write_text('\n'.join(lines) + '\n')
    (OUT.with_suffix('.jsonl')).write_text(''.join(json.dumps(dict(x, torch_threads=2), default=float) + '\n' for x in passes))

if __name__ == '__main__': main()
