"""Is the small CNN weak on a few hundred images because it trains too few optimizer steps? (issues 21 and 22)

Run by hand:  python benchmarks/probes/small_data_steps.py [--case photos mnist500] [--epochs 10 100 300] [--seeds 0 1 2]

Two small cases, each with 10% symmetric noise and 5 folds, the small CNN from scratch, through `pseudo_clean.run.run`:
- photos: the photos case of `benchmarks/bench_embedding.py` (crops of the sample photos, 300 images, 3 classes, 64 px):
  240 training photos a fold make one batch of 128 an epoch, so epochs = optimizer steps;
- mnist500: every tenth digit of the bundled MNIST sample (500, all classes) as an image folder: 400 training digits a fold are 3 batches an epoch.
The default is 10 epochs (`auto_epochs`): 10 and 30 steps. Rows for other epochs and seeds are kept in
benchmarks/probes/small_data_steps.json; the table goes to small_data_steps.md.
"""
import argparse, json, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
STEPS_AN_EPOCH = dict(photos=1, mnist500=3)

def source(case:str)->Path:
    from bench_embedding import case_source, WORK
    if case == 'photos': return case_source('photos')
    from pseudo_clean.data import mnist_sample, write_image_folder
    import numpy as np
    dest = WORK/'mnist500'
    if not (dest/'.done').exists(): write_image_folder(mnist_sample().subset(np.arange(0, 5000, 10)), dest); (dest/'.done').touch()
    return dest

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--case', nargs='+', default=['photos', 'mnist500']); ap.add_argument('--epochs', nargs='+', type=int, default=[10, 100, 300]); ap.add_argument('--seeds', nargs='+', type=int, default=[0])
    a = ap.parse_args()
    from bench_embedding import WORK
    from pseudo_clean.run import run
    from pseudo_clean.data import save_json, atomic_write_text
    f = HERE/'small_data_steps.json'
    old = [{'case': 'photos', 'seed': 0, **r} for r in json.loads(f.read_text())] if f.exists() else []   # rows from before --case and --seeds: photos, seed 0
    old = {(r['case'], r['epochs'], r['seed']): {**r, 'steps': r['epochs']*STEPS_AN_EPOCH[r['case']]} for r in old}
    new = {}
    for case in a.case:
        src = source(case)
        for seed in a.seeds:
            for e in a.epochs:
                t = time.time()
                m = run(str(src), out=WORK/f'steps_{case}_{e}', noise=0.1, size=(64, 64) if case == 'photos' else None, epochs=e, seed=seed, overwrite=True, progress=False)
                r = dict(case=case, epochs=e, seed=seed, steps=e*STEPS_AN_EPOCH[case], seconds=round(time.time() - t, 1), oof_accuracy_vs_truth=m['oof_accuracy_vs_truth'],
                         f1=m['f1'], auprc=m['auprc'], n_flagged=m['n_flagged'], n_noisy=m['n_noisy'], hint=m.get('forget_hint'))
                new[(case, e, seed)] = r; print(json.dumps(r), flush=True)
    rows = sorted((old | new).values(), key=lambda r: (r['case'], r['epochs'], r['seed']))
    save_json(rows, f)
    md = ['# Small data: optimizer steps of the fold models', '', f'Made by `python benchmarks/probes/small_data_steps.py` (last run {time.strftime("%Y-%m-%d")}), '
          '2-core CPU, 10% symmetric noise, 5 folds, the small CNN from scratch. photos: the photos case of `bench_embedding.py` (300 crops of the '
          'sample photos, 3 classes, 64 px; 240 training photos a fold are one batch an epoch); mnist500: every tenth digit of the bundled '
          'sample (400 a fold: 3 batches an epoch).', '',
          '| case | seed | epochs | steps a fold | OOF accuracy vs truth | flagged / wrong | F1 | AUPRC | seconds | hint |', '|---|---|---|---|---|---|---|---|---|---|']
    md += [f"| {r['case']} | {r['seed']} | {r['epochs']} | {r['steps']} | {r['oof_accuracy_vs_truth']:.4f} | {r['n_flagged']} / {r['n_noisy']} | {r['f1']:.3f} | {r['auprc']:.3f} | {r['seconds']} | {r['hint'] or '-'} |" for r in rows]
    atomic_write_text(HERE/'small_data_steps.md', '\n'.join(md) + '\n')

if __name__ == '__main__': main()
