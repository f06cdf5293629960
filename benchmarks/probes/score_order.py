"""Which label quality score should order `suspects.csv`? Re-ranks finished runs (free: no training).

Run by hand after `python benchmarks/bench_seeds.py` (which leaves its runs in benchmarks/work/seeds_{a,b}_{0,1,2}):

    python benchmarks/probes/score_order.py [RUN_DIR ...]

For each run folder (a `pseudo_clean` run with `--noise`, so `labels.csv` has the source's labels beside the noisy
ones), computes AUPRC and precision@k (k = the number of wrong labels) of every score in `pseudo_clean.ranking.SCORES`
on the run's own out-of-fold probabilities, and writes benchmarks/probes/score_order.md. The MNIST-test cells of the
same comparison are in probes/low_noise.md (`bench_low_noise.py rank`).
"""
import sys
from pathlib import Path
import numpy as np, pandas as pd

HERE = Path(__file__).resolve().parent

def score_rows(run_dir:Path)->list:
    from pseudo_clean.ranking import label_quality_scores, evaluate_detection, SCORES
    P = np.load(run_dir/'oof_probs.npy'); lab = pd.read_csv(run_dir/'labels.csv', dtype=str, keep_default_na=False)
    classes = (run_dir/'classes.txt').read_text().split('\n'); classes = [c for c in classes if c]
    given, true = np.searchsorted(classes, lab.label.values), np.searchsorted(classes, lab.source_label.values)
    noisy = given != true; k = int(noisy.sum())
    rows = []
    for s in SCORES:
        ev = evaluate_detection(np.zeros(len(given), bool), noisy, label_quality_scores(given, P, s), ks=(k,))
        rows.append(dict(run=run_dir.name, score=s, auprc=ev['auprc'], precision_at_k=ev['precision_at_k'][k], n_wrong=k))
    return rows

def main(dirs:list):
    dirs = dirs or sorted((HERE.parent/'work').glob('seeds_*'))
    df = pd.DataFrame([r for d in dirs for r in score_rows(Path(d))])
    df['case'] = df.run.str.extract(r'seeds_(\w)_')[0]
    mean = df.groupby(['case', 'score'])[['auprc', 'precision_at_k']].mean().round(4).reset_index()
    md = ['# Which score orders the suspects: re-ranking finished runs', '',
          'Made by `python benchmarks/probes/score_order.py` on the runs of `benchmarks/bench_seeds.py` (bundled sample; a: 10% symmetric, '
          "b: 20% look-alike pairs; seeds 0-2; training `forget_rate='auto'`). precision@k: k = the number of wrong labels.", '',
          '| case | score | AUPRC (mean) | precision@k (mean) |', '|---|---|---|---|']
    md += [f'| {r.case} | {r.score} | {r.auprc:.4f} | {r.precision_at_k:.4f} |' for r in mean.itertuples()]
    md += ['', '| run | score | AUPRC | precision@k |', '|---|---|---|---|']
    md += [f'| {r.run} | {r.score} | {r.auprc:.4f} | {r.precision_at_k:.4f} |' for r in df.itertuples()]
    (HERE/'score_order.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md[:4 + len(mean)]))

if __name__ == '__main__': main(sys.argv[1:])
