"""Would several trainings together reach issue 22's targets at 1% hard errors (AUPRC ≥ 0.80, precision@k ≥ 0.75)?

Run by hand, after `benchmarks/bench_realistic.py` has cached its runs (free: no training):
    python benchmarks/probes/model_mix.py
The MNIST test set with 1% instance-dependent noise (the same 100 digits flipped at every seed), out-of-fold
probabilities of five trainings that `bench_realistic.py` keeps for each of seeds 0-2: the first pass (`default`), the
command's second pass (`ls0.1e14`), its width-32 lever (`ls0.1w32e14`), the first pass from a pretrained body
(`pre1500`) and the second pass from it (`pre1500_ls0.1e14`). Every combination of them is averaged (geometric mean of
the probabilities, per seed) and ranked by the package's score (`DEFAULT_SCORE`, normalized margin) and by
self-confidence; the table gives the mean over the three seeds, best first, and the runs' summed training seconds.
The last rows average across seeds too (three out-of-fold predictions per item from each training: repeated K-fold,
`repeated_kfold.md`). Writes benchmarks/probes/model_mix.md.
"""
import itertools, sys
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench_realistic import cached_run, metrics  # noqa: E402

BODY = {'weights': 'benchmarks/work/realistic/body_mnist10k_1500.pth'}
TRAININGS = {'default': ({}, 'default'), 'ls0.1e14': (dict(label_smoothing=0.1, epochs=14), 'ls0.1e14'),
             'ls0.1w32e14': (dict(label_smoothing=0.1, width=32, epochs=14), 'ls0.1w32e14'),
             'pre1500': (BODY, 'pre1500'), 'pre1500_ls0.1e14': ({**BODY, 'epochs': 14, 'label_smoothing': 0.1}, 'pre1500_ls0.1e14')}
SEEDS = (0, 1, 2)

def load(name, seed):
    r = cached_run('mnist10k', 'instance', 0.01, seed, *TRAININGS[name])
    if r is None: raise FileNotFoundError(f'no kept run of {name}, seed {seed}: run benchmarks/bench_realistic.py first')
    return r

def mixed(runs):
    "The geometric mean of the runs' probabilities, normalised."
    p = np.exp(np.mean([np.log(np.clip(r['probs'], 1e-7, 1)) for r in runs], 0)); return p / p.sum(1, keepdims=True)

def scores(y, probs):
    from pseudo_clean.ranking import label_quality_scores
    return {m: label_quality_scores(y, probs, method=m) for m in ('normalized_margin', 'self_confidence')}

def main():
    runs = {(n, s): load(n, s) for n in TRAININGS for s in SEEDS}
    y, wrong = runs['default', 0]['y_noisy'], runs['default', 0]['wrong']
    assert all((r['y_noisy'] == y).all() for r in runs.values()), 'the instance noise should not depend on the seed'
    rows = []
    for k in range(1, len(TRAININGS) + 1):
        for combo in itertools.combinations(TRAININGS, k):
            per_seed = [scores(y, mixed([runs[n, s] for n in combo])) for s in SEEDS]
            res = {m: np.mean([[metrics(wrong, np.zeros(len(y), bool), sc[m])[x] for x in ('auprc', 'precision_at_k')] for sc in per_seed], 0) for m in per_seed[0]}
            rows.append(('+'.join(combo), 'one seed (mean of 3)', res, sum(float(runs[n, s]['train_seconds']) for n in combo for s in SEEDS) / 3))
    for combo in (('default',), ('ls0.1e14',), ('ls0.1w32e14',), ('pre1500_ls0.1e14',), tuple(TRAININGS)):
        sc = scores(y, mixed([runs[n, s] for n in combo for s in SEEDS]))
        res = {m: [metrics(wrong, np.zeros(len(y), bool), v)[x] for x in ('auprc', 'precision_at_k')] for m, v in sc.items()}
        rows.append(('+'.join(combo), 'seeds 0-2 averaged', res, sum(float(runs[n, s]['train_seconds']) for n in combo for s in SEEDS)))
    rows.sort(key=lambda r: -r[2]['normalized_margin'][0])
    L = ['# Several trainings together at 1% hard errors (probe for issue 22)', '', __doc__.split('\n\n', 1)[1].strip(), '',
         '| trainings averaged | seeds | AUPRC (normalized margin) | precision@k | AUPRC (self-confidence) | precision@k | train s |', '|---|---|---|---|---|---|---|']
    for combo, seeds, res, sec in rows:
        nm, sc = res['normalized_margin'], res['self_confidence']
        L.append(f'| {combo} | {seeds} | {nm[0]:.3f} | {nm[1]:.3f} | {sc[0]:.3f} | {sc[1]:.3f} | {sec:,.0f} |')
    md = HERE/'model_mix.md'
    old = md.read_text().split('\n## Conclusion', 1) if md.exists() else []
    md.write_text('\n'.join(L) + '\n\n' + ('## Conclusion' + old[1] if len(old) == 2 else '## Conclusion\n\n(not yet written)\n'))
    print('\n'.join(L[-len(rows):][:12]))

if __name__ == '__main__': main()
