"""Seed-to-seed spread of the detection benchmark's cases a and b (the bundled MNIST sample), through the `pseudo_clean` code path.

Run by hand:  python benchmarks/bench_seeds.py [--seeds 0 1 2]
              python benchmarks/bench_seeds.py --rescore   (no training: the kept runs work/seeds_* ranked by today's filter)
`results.md` reports seed 0; this repeats cases a and b with other seeds (the seed sets the injected noise, the
folds and the models), because on 500 or 800 wrong labels a couple of items move F1 by 0.004.
Writes benchmarks/seeds.md and benchmarks/seeds.json.
"""
import argparse, json, time
from pathlib import Path
import numpy as np
from pseudo_clean.run import run
from pseudo_clean.data import save_json, atomic_write_text
from bench_detection import CASES as DETECTION_CASES

HERE = Path(__file__).resolve().parent
CASES = {k: v for k, v in DETECTION_CASES.items() if v['source'] is None}   # the bundled sample: a and b

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--rescore', action='store_true', help="rank the kept runs again with today's filter; seconds and accuracies stay")
    args = ap.parse_args()
    rows, note = [], ''
    if args.rescore:
        import pandas as pd
        from pseudo_clean.ranking import find_label_issues, evaluate_detection
        rows = json.loads((HERE/'seeds.json').read_text())
        for r in rows:
            d = HERE/'work'/f"seeds_{r['case']}_{r['seed']}"
            lab = pd.read_csv(d/'labels.csv', dtype=str); cl = (d/'classes.txt').read_text().split()
            ev = evaluate_detection(find_label_issues(np.searchsorted(cl, lab.label.values), np.load(d/'oof_probs.npy')), lab.label.values != lab.source_label.values)
            r.update({k: round(ev[k], 4) for k in ('f1', 'precision', 'recall')})
        note = f" Flags ranked again on {time.strftime('%Y-%m-%d')} with that day's filter (`--rescore`, the same probabilities)."
    for c, case in ([] if args.rescore else CASES.items()):
        for s in args.seeds:
            t = time.time()
            m = run(None, out=HERE/'work'/f'seeds_{c}_{s}', noise=case['noise'], noise_kind=case['noise_kind'], seed=s,
                    overwrite=True, progress=False)
            rows.append(dict(case=c, seed=s, wall_seconds=round(time.time() - t, 1), f1=round(m['f1'], 4), precision=round(m['precision'], 4),
                             recall=round(m['recall'], 4), auprc=round(m['auprc'], 4), oof_accuracy_vs_truth=m['oof_accuracy_vs_truth']))
            print(rows[-1], flush=True)
    L = ['# Seeds: detection cases a and b', '', f"Produced by `python benchmarks/bench_seeds.py` on {time.strftime('%Y-%m-%d')} (2-core CPU, package defaults).{note}", '',
         '| case | seed | wall s | OOF acc vs truth | AUPRC | precision | recall | F1 |', '|---|---|---|---|---|---|---|---|']
    for c, case in CASES.items():
        rs = [r for r in rows if r['case'] == c]
        L += [f"| {c}. {case['title']} | {r['seed']} | {r['wall_seconds']:.0f} | {r['oof_accuracy_vs_truth']:.4f} | {r['auprc']:.4f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.4f} |" for r in rs]
        mean = lambda k: np.mean([r[k] for r in rs])
        L.append(f"| {c}. mean of {len(rs)} | | {mean('wall_seconds'):.0f} | {mean('oof_accuracy_vs_truth'):.4f} | {mean('auprc'):.4f} | {mean('precision'):.3f} | {mean('recall'):.3f} | **{mean('f1'):.4f}** |")
    save_json(rows, HERE/'seeds.json'); atomic_write_text(HERE/'seeds.md', '\n'.join(L) + '\n')
    print('\n'.join(L))
