"""How much of each training batch the fold models should leave out (`forget_rate`, `pseudo_clean.train.ForgetHighLoss`).

Run by hand:  python benchmarks/bench_forget.py [--seeds 0 1 2]     (--md-only: rewrite forget.md from forget.json)
Each run is the `pseudo_clean` command's code path (`pseudo_clean.run.run`) on the bundled 5,000-digit MNIST sample with every
other setting at its default; only `forget_rate` changes. Noise settings:
  a. 10% symmetric (detection case a, `bench_detection.py`), seeds 0-2;   b. 20% look-alike pairs (case b), seeds 0-2;
  no noise (what forgetting costs on clean labels: out-of-fold accuracy, items flagged), seed 0;
  30% symmetric (the noise of `bench_fix.py` part A), seed 0.
Appends each run to benchmarks/work/forget.jsonl as it finishes (a rerun skips runs already there), then writes
benchmarks/forget.md and benchmarks/forget.json.
"""
import argparse, json, time
from pathlib import Path
import numpy as np
from pseudo_clean.run import run
from pseudo_clean.report import load_run
from pseudo_clean.data import mnist_sample, save_json, atomic_write_text

HERE = Path(__file__).resolve().parent
SETS = [dict(name='a. 10% symmetric', noise=0.1, kind='symmetric', rates=[0, 0.05, 0.1, 0.2], all_seeds=True),
        dict(name='b. 20% look-alike pairs', noise=0.2, kind='pairs', rates=[0, 0.1, 0.2], all_seeds=True),
        dict(name='no noise', noise=0.0, kind='symmetric', rates=[0, 0.1], all_seeds=False),
        dict(name='30% symmetric', noise=0.3, kind='symmetric', rates=[0, 0.1, 0.3], all_seeds=False)]

def one(noise, kind, rate, seed, truth):
    "One `pseudo_clean` run; its detection metrics, and its out-of-fold accuracy against the true labels."
    out = HERE/'work'/'forget'
    t = time.time()
    m = run(None, out=out, noise=noise, noise_kind=kind, seed=seed, forget_rate=rate, overwrite=True, progress=False)
    r = load_run(out)
    oof = float((r['classes'][r['probs'].argmax(1)] == truth).mean())
    return dict(noise=noise, kind=kind, forget_rate=rate, seed=seed, wall_seconds=round(time.time() - t, 1), n_flagged=m['n_flagged'],
                oof_accuracy_vs_truth=round(oof, 4), **{k: round(m[k], 4) for k in ('precision', 'recall', 'f1', 'auprc') if k in m})

def to_markdown(rows):
    L = ['# Forget rate: training the fold models on the small-loss share of each batch', '',
         f"Produced by `python benchmarks/bench_forget.py` (2-core CPU). The bundled 5,000-digit MNIST "
         'sample, 5 folds, every setting at its default but `forget_rate` (0 = every item trains, as before `ForgetHighLoss`). '
         'Mean over the seeds, each seed in brackets. Leaving items out of a batch does not change the compute; '
         '`benchmarks/results.md` has the timed runs (wall times in `forget.json` were taken beside other jobs).', '',
         '| noise | forget_rate | seeds | OOF acc vs truth | AUPRC | precision | recall | F1 | flagged |', '|---|---|---|---|---|---|---|---|---|']
    for st in SETS:
        for rate in st['rates']:
            rs = [r for r in rows if r['noise'] == st['noise'] and r['kind'] == st['kind'] and r['forget_rate'] == rate]
            if not rs: continue
            m = lambda k, f='{:.4f}': (f.format(np.mean([r[k] for r in rs])) + (f" ({', '.join(f.format(r[k]) for r in rs)})" if len(rs) > 1 else '')) if k in rs[0] else ''
            L.append(f"| {st['name']} | {rate} | {len(rs)} | {m('oof_accuracy_vs_truth')} | {m('auprc')} | {m('precision', '{:.3f}')} | {m('recall', '{:.3f}')} | "
                     f"{m('f1')} | {m('n_flagged', '{:.0f}')} |")
    return '\n'.join(L) + '\n'

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--md-only', action='store_true', help='rewrite forget.md from forget.json')
    args = ap.parse_args()
    if args.md_only: atomic_write_text(HERE/'forget.md', to_markdown(json.loads((HERE/'forget.json').read_text()))); raise SystemExit
    log = HERE/'work'/'forget.jsonl'; log.parent.mkdir(exist_ok=True)
    rows = [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []
    done = {(r['noise'], r['kind'], r['forget_rate'], r['seed']) for r in rows}
    truth = mnist_sample().labels.astype(str)
    for st in SETS:
        for rate in st['rates']:
            for s in (args.seeds if st['all_seeds'] else args.seeds[:1]):
                if (st['noise'], st['kind'], rate, s) in done: continue
                rows.append(one(st['noise'], st['kind'], rate, s, truth)); print(rows[-1], flush=True)
                with open(log, 'a') as f: f.write(json.dumps(rows[-1]) + '\n')
    save_json(rows, HERE/'forget.json'); atomic_write_text(HERE/'forget.md', to_markdown(rows))
    print(to_markdown(rows))
