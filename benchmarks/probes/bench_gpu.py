"""Exploration on a lent GPU (not the CPU targets): which levers move detection, cleaning and pseudo-labeling,
averaged over seeds, so that only the winners are measured again on the 2-core CPU with the committed benchmarks.

Run on the device machine:  python benchmarks/probes/bench_gpu.py OUT_DIR [--fashion DIR] [--parts detect pl fix]
Every result is appended to OUT_DIR/gpu_explore.jsonl as soon as it exists (a timeout keeps what finished).
Summarize a returned log into benchmarks/probes/gpu_explore.md:  python benchmarks/probes/bench_gpu.py --summarize benchmarks/probes/gpu_explore.jsonl
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np, torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # benchmarks/bench_fix.py: split
from sklearn.metrics import f1_score, precision_recall_curve
from pseudo_clean.data import mnist_sample, read_idx
from pseudo_clean.noise import symmetric_noise
from pseudo_clean.folds import oof_probs
from pseudo_clean.ranking import find_label_issues, rank_suspects, confident_joint
from pseudo_clean.clean import clean_labels
from pseudo_clean.pseudolabel import pseudo_label
from pseudo_clean.retrain import retrain_compare
from bench_fix import split

def log(out, **row):
    row['time'] = time.strftime('%H:%M:%S'); print(json.dumps(row), flush=True)
    with open(out/'gpu_explore.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')

def scores(lab, p, y):
    "F1 of the current default and of the global cut capped at chance level, plus the best cut with hindsight."
    K = p.shape[1]; joint = confident_joint(lab, p)
    n = int(np.rint((1 - np.trace(joint) / joint.sum()) * len(lab)))
    sc = p[np.arange(len(p)), lab]; m = np.zeros(len(lab), bool); m[np.argsort(sc, kind='stable')[:n]] = True
    pr, rc, _ = precision_recall_curve(y, -sc)
    return dict(f1_default=round(f1_score(y, find_label_issues(lab, p)), 4), f1_cut_below_chance=round(f1_score(y, m & (sc < 1/K)), 4),
                f1_oracle=round(float((2*pr*rc/(pr + rc + 1e-12)).max()), 4))

def detect(out, fashion):
    d = mnist_sample(); y0 = d.labels.astype(np.int64)
    cases = [('a', d.images, y0)]
    if fashion:
        fx = np.concatenate([read_idx(Path(fashion)/'train-images-idx3-ubyte.gz'), read_idx(Path(fashion)/'t10k-images-idx3-ubyte.gz')])
        fy = np.concatenate([read_idx(Path(fashion)/'train-labels-idx1-ubyte.gz'), read_idx(Path(fashion)/'t10k-labels-idx1-ubyte.gz')]).astype(np.int64)
        cases.append(('c', fx, fy))
    grid = {'a': [dict(), dict(width=32, epochs=20), dict(width=32, epochs=20, label_smoothing=0.0), dict(epochs=10, tta=4)],
            'c': [dict(), dict(epochs=10), dict(width=32, epochs=10)]}
    for name, X, y in cases:
        noisy, is_noisy = symmetric_noise(y, 0.1, seed=0)
        for st in grid[name]:
            t = time.time(); p = oof_probs(X, noisy, 10, progress=False, **st); secs = time.time() - t
            log(out, part='detect', case=name, settings=st, seconds=round(secs, 1), oof_acc=round(float((p.argmax(1) == y).mean()), 4),
                **scores(noisy, p, is_noisy))

def pl(out, seeds=(1, 2, 3)):
    d = mnist_sample(); trn, tst = split(d.labels); y = d.labels[trn]
    configs = [dict(threshold=0.8, rounds=2), dict(threshold=0.5, rounds=1), dict(threshold=0.5, rounds=3), dict(threshold=0.3, rounds=1),
               dict(threshold=0.8, rounds=4)]
    for seed in seeds:
        rng = np.random.default_rng(seed)
        lab = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:50] for c in np.unique(y)])
        unl = np.setdiff1d(np.arange(len(trn)), lab)
        for cfg in configs:
            t = time.time()
            r = pseudo_label(d.images[trn][lab], y[lab], d.images[trn][unl], epochs=10, teachers=1, tta=0, pretrain=0, test_images=d.images[tst],
                             test_labels=d.labels[tst], unlabeled_true=y[unl], **cfg)
            h = r.history
            log(out, part='pl', seed=seed, **cfg, seconds=round(time.time() - t, 1), test_acc=h.test_accuracy.round(4).tolist(),
                n_pseudo=h.n_pseudo.tolist(), pseudo_acc=h.get('pseudo_accuracy', h.n_pseudo * np.nan).round(4).tolist())
        # the ceiling: the same model on all 4,000 true labels
        res = retrain_compare(d.images[trn], d.images[tst], d.labels[tst], epochs=10, true=y, labeled_only=np.where(np.isin(np.arange(len(trn)), lab), y, None))
        log(out, part='pl_ceiling', seed=seed, accuracy=res.accuracy.round(4).to_dict())

def fix(out, seeds=(0, 1)):
    d = mnist_sample(); trn, tst = split(d.labels); X, y = d.images[trn], d.labels[trn]
    for seed in seeds:
        noisy, is_noisy = symmetric_noise(y, 0.3, seed=seed)
        classes = np.unique(y); codes = np.searchsorted(classes, noisy)
        p = oof_probs(X, codes, 10, seed=seed, epochs=10, progress=False)
        np.save(out/f'fix_probs_{seed}.npy', p)
        sus = rank_suspects(codes, p, classes=classes)
        sets = dict(noisy=noisy, true=y)
        for thr in (0.8, 0.6, 0.4):
            sets[f'mix_{thr}'] = clean_labels(sus, 'mix', thr)
            sets[f'relabel_{thr}'] = clean_labels(sus, 'relabel', thr)
        sets['drop'] = clean_labels(sus, 'drop')
        res = retrain_compare(X, d.images[tst], d.labels[tst], classes, epochs=10, seed=seed, **sets)
        log(out, part='fix', seed=seed, n_flagged=int(sus.is_label_issue.sum()), accuracy=res.accuracy.round(4).to_dict(),
            gap_closed=res.gap_closed.round(3).to_dict())

def summarize(log):
    rows = [json.loads(l) for l in open(log)]
    env = rows[0]
    L = [f"# GPU exploration ({env['device']}, torch {env['torch']})", '',
         'Produced by `benchmarks/probes/bench_gpu.py` on a lent GPU, to choose levers; the targets are judged on the CPU with the other benchmarks. '
         'GPU kernels are not bit-identical to the CPU ones, so single runs differ from the CPU runs by a few items.', '',
         '## Pseudo-labeling (500 labeled, 3,500 unlabeled; held-out accuracy per round, mean of the labeled subsets)', '',
         '| threshold | rounds | seeds | accuracy per round (round 0 = labeled only) | right pseudo labels per round |', '|---|---|---|---|---|']
    groups = {}
    for r in rows:
        if r['part'] == 'pl': groups.setdefault((r['threshold'], r['rounds']), []).append(r)
    for (t, n), g in groups.items():
        acc = np.mean([x['test_acc'] for x in g], 0); pa = np.nanmean([[np.nan if v is None else v for v in x['pseudo_acc']] for x in g], 0)
        L.append(f"| {t} | {n} | {len(g)} | {', '.join(f'{a:.4f}' for a in acc)} | {', '.join('-' if np.isnan(v) else f'{v:.4f}' for v in pa)} |")
    ceil = [r['accuracy']['true'] for r in rows if r['part'] == 'pl_ceiling']
    if ceil: L += ['', f'The same model on all 4,000 true labels: {np.mean(ceil):.4f}.']
    fx = [r for r in rows if r['part'] == 'fix']
    if fx:
        L += ['', '## Cleaning at 30% symmetric noise (held-out accuracy, mean of seeds; thresholds on the model\'s own probability)', '',
              '| labels | ' + ' | '.join(fx[0]['accuracy']) + ' |', '|---|' + '---|' * len(fx[0]['accuracy']),
              '| accuracy | ' + ' | '.join(f"{np.mean([r['accuracy'][k] for r in fx]):.4f}" for k in fx[0]['accuracy']) + ' |']
    det = [r for r in rows if r['part'] == 'detect']
    if det:
        L += ['', '## Detection, 10% symmetric noise (one seed)', '', '| case | settings | seconds | OOF accuracy | F1 default (before the chance cut) | F1 with a cut at 1/K (an early form of the chance cut) | F1 hindsight |', '|---|---|---|---|---|---|---|']
        L += [f"| {r['case']} | {r['settings'] or 'defaults'} | {r['seconds']} | {r['oof_acc']:.4f} | {r['f1_default']:.3f} | {r['f1_cut_below_chance']:.3f} | {r['f1_oracle']:.3f} |" for r in det]
    Path(log).with_suffix('.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L))

if __name__ == '__main__':
    if sys.argv[1:2] == ['--summarize']: summarize(sys.argv[2]); raise SystemExit
    ap = argparse.ArgumentParser(); ap.add_argument('out'); ap.add_argument('--fashion'); ap.add_argument('--parts', nargs='+', default=['pl', 'fix', 'detect'])
    a = ap.parse_args(); out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    log(out, part='env', device=torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu', torch=torch.__version__)
    for part in a.parts:
        if part == 'detect': detect(out, a.fashion)
        if part == 'pl': pl(out)
        if part == 'fix': fix(out)
