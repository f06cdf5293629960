"""Is the small CNN weak on a few hundred photos because it trains too few optimizer steps? (issues 21 and 22)

Run by hand:  python benchmarks/probes/small_data_steps.py [--epochs 10 100 300]

The photos case of `benchmarks/bench_embedding.py` (crops of the sample photos, 300 images, 3 classes, 10% symmetric
noise, 64 px): 240 training photos a fold make one batch of 128 an epoch, so the default 10 epochs (`auto_epochs`) are
10 optimizer steps. Trains the fold models for more epochs (the same number of steps) through `pseudo_clean.run.run`
and writes benchmarks/probes/small_data_steps.json (rows of other epochs are kept) and small_data_steps.md.
"""
import argparse, json, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--epochs', nargs='+', type=int, default=[10, 100, 300]); a = ap.parse_args()
    from bench_embedding import case_source, WORK
    from pseudo_clean.run import run
    f = HERE/'small_data_steps.json'
    src, rows = case_source('photos'), []
    old = {r['epochs']: r for r in json.loads(f.read_text())} if f.exists() else {}
    for e in a.epochs:
        t = time.time()
        m = run(str(src), out=WORK/f'steps_photos_{e}', noise=0.1, size=(64, 64), epochs=e, overwrite=True, progress=False)
        rows.append(dict(epochs=e, seconds=round(time.time() - t, 1), oof_accuracy_vs_truth=m['oof_accuracy_vs_truth'], f1=m['f1'],
                         auprc=m['auprc'], n_flagged=m['n_flagged'], n_noisy=m['n_noisy'], hint=m.get('forget_hint')))
        print(json.dumps(rows[-1]), flush=True)
    rows = sorted((old | {r['epochs']: r for r in rows}).values(), key=lambda r: r['epochs'])
    f.write_text(json.dumps(rows, indent=1) + '\n')
    md = ['# Small data: optimizer steps of the fold models', '', f'Made by `python benchmarks/probes/small_data_steps.py` on {time.strftime("%Y-%m-%d")}, '
          '2-core CPU: the photos case of `bench_embedding.py` (300 crops of the sample photos, 3 classes, 10% symmetric noise, 64 px, '
          'small CNN from scratch); 240 training photos a fold are one batch an epoch, so epochs = optimizer steps a fold.', '',
          '| epochs (= steps a fold) | OOF accuracy vs truth | flagged / wrong | F1 | AUPRC | seconds | hint |', '|---|---|---|---|---|---|---|']
    md += [f"| {r['epochs']} | {r['oof_accuracy_vs_truth']:.4f} | {r['n_flagged']} / {r['n_noisy']} | {r['f1']:.3f} | {r['auprc']:.3f} | {r['seconds']} | {r['hint'] or '-'} |" for r in rows]
    (HERE/'small_data_steps.md').write_text('\n'.join(md) + '\n')

if __name__ == '__main__': main()
