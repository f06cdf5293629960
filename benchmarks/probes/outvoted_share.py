"""Probe for issue 22: where the first pass leaves many labels that another class outvotes unflagged, are they wrong labels?

Run by hand (free: re-ranks the first passes `benchmarks/bench_realistic.py` keeps; what is not kept is skipped):
    python benchmarks/probes/outvoted_share.py
For every kept one-pass `default` run (MNIST test set, the bundled sample, Fashion-MNIST; seeds 0-2), the package's ranking
(`rank_suspects`, label smoothing 0.3) and the labels another class outvotes (the out-of-fold argmax is not the given
label) that it leaves unflagged (`n_outvoted_unflagged` in `metrics.json`): how many, how many of them are wrong, and the
F1 of flagging them too. Writes benchmarks/probes/outvoted_share.md.
"""
import sys
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_realistic as br

def f1(flag, wrong):
    tp = int((flag & wrong).sum()); p, r = tp / max(flag.sum(), 1), tp / max(wrong.sum(), 1)
    return 2 * p * r / (p + r) if p + r else 0.

if __name__ == '__main__':
    L = ['# Labels another class outvotes that the first pass leaves unflagged (probe for issue 22)', '', __doc__.split('\n\n')[1].strip(), '',
         '| data | kind | rate | seed | wrong | flagged | outvoted, unflagged (share of items) | wrong among them | F1 | F1 flagging them too |',
         '|---|---|---|---|---|---|---|---|---|---|']
    for data, kind, rate, seed, r, flag, w, out in br.kept_first_passes():
        F = lambda x: f'{f1(x, w):.3f}' if w.any() else '-'
        L.append(f'| {data} | {kind} | {rate:g} | {seed} | {int(w.sum())} | {int(flag.sum())} | {int(out.sum())} ({out.mean():.1%}) | '
                 f'{int((out & w).sum())} | {F(flag)} | {F(flag | out)} |')
    Path(__file__).with_suffix('.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))
