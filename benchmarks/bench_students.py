"""Issue 4 B: does another student recipe make pseudo-labeling cut more of the labeled-only model's error?

The teachers are `pseudo_label`'s defaults for round 1: three models (seeds k, k+1, k+2) trained on block k's 500
labels, each averaging 4 augmented views of the 3,500 unlabeled digits, thresholded at 0.5 (`bench_fix.pl_block`
draws the blocks). Their pseudo labels are computed once per block and kept in benchmarks/work/students/, so each
student recipe costs one model per block. A recipe that changes the model (`width`) is also measured as the
labeled-only baseline, since the target compares the same recipe with and without pseudo labels.
Variants (Python dicts): name ("labeled only, X" is X's labeled-only baseline in the summary), and any of width, forget_rate, lab_rep (the labeled items repeated this many times
in the student's training set), labeled_only, seeds (offsets added to the block number).
Run:  python benchmarks/bench_students.py "dict(name='control')" "dict(name='width 32', width=32)" ... [--blocks 0 1 2 3 4]
Appends to benchmarks/work/students/students.jsonl; --summarize writes benchmarks/students.md and students.jsonl.
"""
import argparse, json, math, os, sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent))
HERE = Path(__file__).resolve().parent
WORK = HERE/'work'/'students'

def fit(X, codes, idx, seed, width=16, forget_rate=0., min_iters=1000, bs=128):
    "`fit_labels`' recipe (label smoothing 0.1, `auto_epochs(n, FIT_EPOCHS_AT_4000)`, at least `min_iters` steps) with a chosen width and forget rate."
    from pseudo_clean.folds import train_model, auto_epochs
    from pseudo_clean.pseudolabel import FIT_EPOCHS_AT_4000
    n = len(idx); epochs = max(auto_epochs(n, FIT_EPOCHS_AT_4000), math.ceil(min_iters / max(1, n // bs)))
    return train_model(X, codes, 10, train_idx=idx, epochs=epochs, bs=bs, seed=seed, width=width, forget_rate=forget_rate, progress=False)

def teachers(k, Xl, yl, U, Xt):
    "Block k's teacher probabilities of the unlabeled digits, the selection at 0.5, and the default labeled-only model's test probabilities."
    from pseudo_clean.folds import predict_probs
    from pseudo_clean.pseudolabel import fit_labels, select_confident, ensemble_probs
    f = WORK/f'block{k}.npz'
    if f.exists(): return dict(np.load(f))
    models = [fit_labels(Xl, yl, np.unique(yl), seed=k + i) for i in range(3)]
    probs = ensemble_probs(models, U, 4)
    r = dict(probs=probs, sel=select_confident(probs, 0.5), base=predict_probs(models[0], Xt))
    np.savez(f, **r); return r

def run(variants, blocks):
    from bench_teachers import block_data
    from pseudo_clean.folds import predict_probs
    WORK.mkdir(parents=True, exist_ok=True)
    for k in blocks:
        Xl, yl, U, yu, Xt, yt = block_data(k); classes = np.unique(yl)
        T = teachers(k, Xl, yl, U, Xt); sel, pred = T['sel'], T['probs'].argmax(1)
        err = lambda p: round(float((classes[p.argmax(1)] != yt).mean()), 4)
        allx = np.concatenate([Xl, U]); codes = np.zeros(len(allx), np.int64)
        codes[:len(Xl)] = np.searchsorted(classes, yl); codes[len(Xl) + sel] = pred[sel]
        for v in variants:
            v = dict(v); name = v.pop('name'); rep = v.pop('lab_rep', 1); only = v.pop('labeled_only', False)
            for s in v.pop('seeds', [0]):
                t = time.time()
                idx = np.arange(len(Xl)) if only else np.concatenate([np.tile(np.arange(len(Xl)), rep), len(Xl) + sel])
                m = fit(allx, codes, idx, k + s, **v)
                row = dict(name=name, block=k, seed=k + s, labeled_only=only, n_pseudo=0 if only else len(sel),
                           pseudo_right=round(float((classes[pred[sel]] == yu[sel]).mean()), 4),
                           labeled_only_error=err(T['base']), error=err(predict_probs(m, Xt)), seconds=round(time.time() - t, 1))
                print(json.dumps(row), flush=True)
                with open(WORK/'students.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')

def summarize(rows):
    L = ['# Student recipes for pseudo-labeling (issue 4 B)', '',
         'Produced by `benchmarks/bench_students.py` (2-core CPU). Teachers: `pseudo_label`\'s round-1 defaults (3 models, 4 views, '
         'threshold 0.5) on each block\'s 500 labels; the student trains on the labeled items and the pseudo labels kept. '
         '"labeled-only error" is the default recipe on the 500 labels (the baseline of `fix_results.md` part B).', '',
         '| recipe | models | held-out error per block | mean | default labeled-only mean | cut of that |', '|---|---|---|---|---|---|']
    for name in dict.fromkeys(r['name'] for r in rows):
        rs = sorted((r for r in rows if r['name'] == name), key=lambda r: (r['seed'] - r['block'], r['block']))
        m, b = np.mean([r['error'] for r in rs]), np.mean([r['labeled_only_error'] for r in rs])
        per_block = ', '.join(format(r['error'], '.1%') for r in rs)
        L.append(f"| {name} | {len(rs)} | {per_block} | {m:.2%} | {b:.2%} | {(b - m) / b:.0%} |")
    means = {name: np.mean([r['error'] for r in rows if r['name'] == name]) for name in dict.fromkeys(r['name'] for r in rows)}
    pairs = [(n[len('labeled only, '):], n) for n in means if n.startswith('labeled only, ') and n[len('labeled only, '):] in means]
    if pairs:
        L += ['', 'Like for like (a student against the labeled-only model of its own recipe, "labeled only, X" against "X"): '
              + '; '.join(f"{s}: {means[b]:.2%} -> {means[s]:.2%}, cut {(means[b] - means[s]) / means[b]:.0%}" for s, b in pairs) + '.']
    return '\n'.join(L) + '\n'

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('variants', nargs='*'); ap.add_argument('--blocks', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    ap.add_argument('--summarize', action='store_true')
    a = ap.parse_args()
    if a.summarize:
        from pseudo_clean.data import atomic_write_text
        rows = [json.loads(l) for l in (WORK/'students.jsonl').read_text().splitlines()]
        (HERE/'students.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
        atomic_write_text(HERE/'students.md', summarize(rows)); print(summarize(rows)); raise SystemExit
    import torch; torch.set_num_threads(int(os.environ.get('THREADS', 2)))
    run([eval(v) for v in a.variants], a.blocks)
