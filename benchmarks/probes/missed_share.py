"""Probe for issue 22: which first passes does `pseudo_clean.run.missed_share` read as missing hard wrong labels, and which as weak?

Run by hand:  python benchmarks/probes/missed_share.py
1. Every kept one-pass `default` run of `benchmarks/bench_realistic.py` (MNIST test set, the bundled sample, Fashion-MNIST;
   seeds 0-2; free: re-ranked, nothing trained), as `run` measures its first pass: the share flagged, the labels not
   flagged that another class outvotes (`n_outvoted_unflagged`) and how many of them are wrong, the accuracy on the labels
   kept, the flagged share of the labels the model reads as another class, and the second pass `second_pass_rate` asks for.
2. Weak models, through `pseudo_clean.run.run` (run folders of `benchmarks/bench_weak_model.py`, kept in
   benchmarks/work/weak/ and resumed): 1,000 digits of the bundled sample after 1 to 5 epochs with 10% or 30% symmetric
   noise, the first pass's counts (`metrics.json`'s `first_pass` where the run trained twice).
Writes benchmarks/probes/missed_share.md.
"""
import sys, json
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_realistic as br

WEAK = [('weak_e1', dict(subset=True, epochs=1)), ('weak_e2', dict(subset=True, epochs=2)), ('weak_e3', dict(subset=True, epochs=3)),
        ('weak_e4', dict(subset=True, epochs=4)), ('weak_e5', dict(subset=True, epochs=5)),
        ('weak_e3_n30', dict(subset=True, epochs=3, noise=0.3)), ('weak_e5_n30', dict(subset=True, epochs=5, noise=0.3))]

def cached_rows():
    from pseudo_clean.run import missed_share
    for data, kind, rate, seed, r, flag, w, out in br.kept_first_passes():
        m = dict(n_flagged=int(flag.sum()), n_items=len(flag), oof_accuracy_kept=br.kept_accuracy(r, flag), n_outvoted_unflagged=int(out.sum()))
        rate2, _ = br.forget_pass_rate(r, flag, {'forget_rate': 'auto', 'label_smoothing': 0.3})
        yield (f'| {data} | {kind} | {rate:g} | {seed} | {flag.mean():.1%} | {int(out.sum())} | {int((out & w).sum())} | {m["oof_accuracy_kept"]:.3f} | '
               f'{flag.sum() / max(flag.sum() + out.sum(), 1):.2f} | {"-" if missed_share(m) is None else f"{missed_share(m):.1%}"} | {rate2 if rate2 else "-"} |')

def weak_rows(seeds=(0, 1)):
    import bench_weak_model as bw
    from pseudo_clean.run import missed_share
    for case, c in WEAK:
        bw.RUNS.setdefault(case, c)
        for seed in seeds:
            out, _ = bw.train(case, seed)
            m = json.loads((out/'metrics.json').read_text()); first = m.get('first_pass', m)
            f, u, n = first['n_flagged'], first['n_outvoted_unflagged'], m['n_items']
            ms = missed_share(dict(first, n_items=n))
            yield (f"| {case} | {seed} | {n:,} | {m['oof_accuracy_vs_truth']:.3f} | {first['oof_accuracy_kept']:.3f} | {f} | {u} | {f / max(f + u, 1):.2f} | "
                   f"{'-' if ms is None else f'{ms:.1%}'} | {m.get('second_pass') or '-'} | {m['n_flagged'] / m['n_noisy']:.2f} |")

if __name__ == '__main__':
    import torch; torch.set_num_threads(1)
    L = ['# Hard wrong labels missed, or a weak model? (probe for issue 22)', '', __doc__.split('\n\n')[1].strip(), '',
         '## The grid\'s first passes', '',
         '| data | kind | rate | seed | flagged | outvoted, unflagged | wrong among them | accuracy kept | flagged / (flagged + outvoted, unflagged) | missed_share | second pass forget rate |',
         '|---|---|---|---|---|---|---|---|---|---|---|', *cached_rows(), '',
         '## Weak models (1,000 digits of the bundled sample, `run`\'s defaults but the epochs)', '',
         '| case | seed | items | OOF accuracy (truth) | accuracy kept | flagged | outvoted, unflagged | flagged / (flagged + outvoted, unflagged) | missed_share | second pass | flagged / wrong (final) |',
         '|---|---|---|---|---|---|---|---|---|---|---|', *weak_rows()]
    Path(__file__).with_suffix('.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))
