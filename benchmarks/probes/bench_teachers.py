"""Teachers for pseudo-labeling: does a stronger teacher make pseudo-labeling cut more of the labeled-only model's error?

The labeled-only model (500 labels) is the baseline the target is judged against, and the student is the same model
trained on labeled + pseudo-labeled items. What may change is only how the pseudo labels are made: one model's
predictions (the current default), or the average of several models trained on the same 500 labels with other seeds,
with or without test-time augmentation, at several thresholds; a second round whose teacher averages the first
round's teachers and student.

Three studies, each run once on a lent GPU for benchmarks/probes/teachers.md (the pseudo_label defaults this chose,
3 models + 4 views, are measured on the CPU by `benchmarks/bench_fix.py --part B`):
  --study 1  teachers: 1, 3 or 5 models, with or without TTA, thresholds 0.3 / 0.5 / 0.7 / all, longer student, round 2;
  --study 2  what limits the student (the selected items with their true labels) and student recipes (soft targets, mixup);
  --study 3  one model against 3 models + TTA as the teacher, two more student seeds each;
  --study 4  whether out-of-fold detection over labeled + pseudo-labeled items finds the wrong pseudo labels (run on the CPU).
Every held-out block k (bench_fix.split, disjoint across k) runs in its own process, so a machine with many cores
(or a GPU) runs the five side by side. Each result is appended to OUT/teachers.jsonl as soon as it exists.
Run:        python benchmarks/probes/bench_teachers.py OUT [--study 1|2|3|4] [--blocks 0 1 2 3 4] [--teachers 5] [--quick]
Summarize:  python benchmarks/probes/bench_teachers.py --summarize benchmarks/probes/teachers.jsonl   (writes benchmarks/probes/teachers.md)
"""
import argparse, json, os, sys, time
from pathlib import Path
import numpy as np
from pseudo_clean.train import predict_probs, fit_labels, accuracy_on, ensemble_probs
from pseudo_clean.pseudolabel import select_confident
HERE = Path(__file__).resolve().parent   # benchmarks/probes
sys.path[:0] = [str(HERE), str(HERE.parent)]   # benchmarks/bench_fix.py draws the blocks

CONFIGS = [dict(name='one model (default)', teachers=1, threshold=0.5),
           dict(name='one model + TTA 4', teachers=1, tta=True, threshold=0.5),
           dict(name='3 models', teachers=3, threshold=0.5),
           dict(name='3 models + TTA 4', teachers=3, tta=True, threshold=0.5),
           dict(name='5 models', teachers=5, threshold=0.5),
           dict(name='5 models + TTA 4', teachers=5, tta=True, threshold=0.5),
           dict(name='5 models, threshold 0.3', teachers=5, threshold=0.3),
           dict(name='5 models, threshold 0.7', teachers=5, threshold=0.7),
           dict(name='5 models, all unlabeled', teachers=5, threshold=1e-6),
           dict(name='5 models, student 60 epochs', teachers=5, threshold=0.5, epochs=60),
           dict(name='5 models, round 2 (teacher: 5 models + student)', teachers=5, threshold=0.5, round2=True),
           dict(name='5 models + TTA 4, round 2', teachers=5, tta=True, threshold=0.5, round2=True)]

def block_data(k):
    "Block k as `bench_fix.part_b` draws it: labeled images and labels, unlabeled images and their true labels, held-out images and labels."
    import torch
    torch.set_num_threads(int(os.environ.get('THREADS', 2)))
    from pseudo_clean.data import mnist_sample
    from bench_fix import pl_block
    d = mnist_sample(); trn, tst, lab, unl = pl_block(d.labels, k)
    X, y = d.images[trn], d.labels[trn]
    return X[lab], y[lab], X[unl], y[unl], d.images[tst], d.labels[tst]

def log(out, k, **row):
    "Print one result and append it to OUT/teachers.jsonl."
    row.update(block=k, time=time.strftime('%H:%M:%S')); print(json.dumps(row), flush=True)
    with open(out/'teachers.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')

def run_block(k, out, n_teachers, quick):
    Xl, yl, U, yu, Xt, yt = block_data(k); seed = k
    classes = np.unique(yl); allx = np.concatenate([Xl, U])
    kw = dict(epochs=1, min_iters=5) if quick else {}
    def err(p, truth): return round(float((classes[p.argmax(1)] != truth).mean()), 4)
    t0 = time.time()
    teachers = [fit_labels(Xl, yl, classes, seed=seed + i, **kw) for i in range(n_teachers)]
    pu = np.stack([predict_probs(m, U) for m in teachers]); pt = np.stack([predict_probs(m, Xt) for m in teachers])
    pu_tta = np.stack([predict_probs(m, U, tta=4) for m in teachers]); pt_tta = np.stack([predict_probs(m, Xt, tta=4) for m in teachers])
    log(out, k, kind='teachers', seconds=round(time.time() - t0, 1), labeled_only_error=err(pt[0], yt),
        teacher_errors=[err(p, yt) for p in pt], ensemble_error={m: err(pt[:m].mean(0), yt) for m in (1, 3, 5) if m <= n_teachers},
        ensemble_tta_error=err(pt_tta.mean(0), yt))
    for cfg in CONFIGS:
        if cfg['teachers'] > n_teachers: continue
        t = time.time()
        p = (pu_tta if cfg.get('tta') else pu)[:cfg['teachers']].mean(0)
        rounds = []
        for r in (1, 2) if cfg.get('round2') else (1,):
            sel = select_confident(p, cfg['threshold'])
            labs = np.empty(len(allx), dtype=object); labs[:len(Xl)] = yl; labs[len(Xl) + sel] = classes[p[sel].argmax(1)]
            student = fit_labels(allx, labs, classes, seed=seed, **{**kw, **({'epochs': cfg['epochs']} if 'epochs' in cfg and not quick else {})})
            rounds.append(dict(n_pseudo=len(sel), pseudo_accuracy=round(float((classes[p[sel].argmax(1)] == yu[sel]).mean()), 4),
                               test_error=round(1 - accuracy_on(student, Xt, yt, classes), 4)))
            p = np.concatenate([(pu_tta if cfg.get('tta') else pu)[:cfg['teachers']], predict_probs(student, U, tta=4 if cfg.get('tta') else 0)[None]]).mean(0)
        log(out, k, kind='student', config=cfg['name'], settings={a: b for a, b in cfg.items() if a != 'name'}, rounds=rounds, seconds=round(time.time() - t, 1))

STUDENTS = [dict(name='3 models + TTA 4 (again)'),
            dict(name='3 models + TTA 4, the selected items with their TRUE labels', oracle=True),
            dict(name='3 models + TTA 4, student with mixup', mixup=True),
            dict(name='3 models + TTA 4, soft targets above 0.5', soft=True),
            dict(name='3 models + TTA 4, soft targets, all unlabeled', soft=True, threshold=1e-6),
            dict(name='3 models + TTA 4, soft targets above 0.5 + mixup', soft=True, mixup=True),
            dict(name='3 models + TTA 4, soft targets, all unlabeled + mixup', soft=True, mixup=True, threshold=1e-6),
            dict(name='labeled only, with mixup (a baseline variant)', labeled_only=True, mixup=True)]

def train_targets(images, targets, seed, epochs, min_iters=1000, mixup=False, bs=128):
    "`fit_labels`' recipe on N×K target probabilities (soft labels), optionally with fastai's MixUp."
    import math, torch, torch.nn.functional as F
    from fastai.learner import Learner
    from fastai.callback.mixup import MixUp
    from fastai.torch_core import set_seed
    from pseudo_clean.train import array_dls, small_cnn, auto_epochs
    def soft_ce(out, y): return F.cross_entropy(out, y) if y.ndim == 1 else -(y * F.log_softmax(out, 1)).sum(1).mean()
    n = len(images); epochs = epochs or auto_epochs(n, at_4000=30); epochs = max(epochs, math.ceil(min_iters / max(1, n // bs)))
    set_seed(seed, reproducible=True)
    dls = array_dls(images, targets.argmax(1), np.arange(n), bs=bs)
    dls.train.dataset.y = torch.as_tensor(targets, dtype=torch.float32)
    learn = Learner(dls, small_cnn(images.shape[-1] if images.ndim == 4 else 1, targets.shape[1]).to(memory_format=torch.channels_last), loss_func=soft_ce)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, 1e-2, cbs=[MixUp()] if mixup else [])
    return learn

def run_block2(k, out, n_teachers, quick):
    "Second study: what limits the student (wrong pseudo labels or missing hard items), and student recipes (soft targets, mixup)."
    Xl, yl, U, yu, Xt, yt = block_data(k); seed = k
    classes = np.unique(yl); allx = np.concatenate([Xl, U]); K = len(classes)
    kw = dict(epochs=1, min_iters=5) if quick else {}
    err = lambda p: round(float((classes[p.argmax(1)] != yt).mean()), 4)
    t0 = time.time()
    teachers = [fit_labels(Xl, yl, classes, seed=seed + i, **kw) for i in range(n_teachers)]
    p_unl = ensemble_probs(teachers, U, 4)
    log(out, k, kind='teachers2', seconds=round(time.time() - t0, 1), labeled_only_error=err(predict_probs(teachers[0], Xt)))
    eps = 0.1; onehot = lambda c: np.eye(K, dtype=np.float32)[np.searchsorted(classes, c)] * (1 - eps) + eps / K
    for cfg in STUDENTS:
        t = time.time(); thr = cfg.get('threshold', 0.5)
        sel = select_confident(p_unl, thr); pseudo = classes[p_unl[sel].argmax(1)]
        if cfg.get('labeled_only'): sel = sel[:0]
        if cfg.get('soft') or cfg.get('mixup'):
            T = np.concatenate([onehot(yl), p_unl[sel] if cfg.get('soft') else onehot(pseudo[:len(sel)])])
            m = train_targets(np.concatenate([Xl, U[sel]]), T, seed, epochs=kw.get('epochs'), min_iters=kw.get('min_iters', 1000), mixup=cfg.get('mixup', False))
            e = err(predict_probs(m, Xt))
        else:
            labs = np.empty(len(allx), dtype=object); labs[:len(Xl)] = yl; labs[len(Xl) + sel] = yu[sel] if cfg.get('oracle') else pseudo
            e = round(1 - accuracy_on(fit_labels(allx, labs, classes, seed=seed, **kw), Xt, yt, classes), 4)
        log(out, k, kind='student2', config=cfg['name'], n_pseudo=len(sel), pseudo_accuracy=round(float((pseudo[:len(sel)] == yu[sel]).mean()), 4) if len(sel) else None,
            test_error=e, seconds=round(time.time() - t, 1))

def run_block3(k, out, n_teachers, quick):
    "Third study: one model against 3 models + TTA as the teacher, each student trained with two more seeds (is the difference more than seed noise?)."
    Xl, yl, U, yu, Xt, yt = block_data(k); seed = k
    classes = np.unique(yl); allx = np.concatenate([Xl, U])
    kw = dict(epochs=1, min_iters=5) if quick else {}
    teachers = [fit_labels(Xl, yl, classes, seed=seed + i, **kw) for i in range(3)]
    for name, p in (('one model', predict_probs(teachers[0], U)), ('3 models + TTA 4', ensemble_probs(teachers, U, 4))):
        sel = select_confident(p, 0.5); labs = np.empty(len(allx), dtype=object); labs[:len(Xl)] = yl; labs[len(Xl) + sel] = classes[p[sel].argmax(1)]
        for s in (seed + 100, seed + 200):
            log(out, k, kind='student3', config=name, student_seed=s, n_pseudo=len(sel),
                test_error=round(1 - accuracy_on(fit_labels(allx, labs, classes, seed=s, **kw), Xt, yt, classes), 4))

def run_block4(k, out, n_teachers, quick):
    "Fourth study: can this package's own out-of-fold detection find the wrong pseudo labels? (3 models + TTA choose them.)"
    from pseudo_clean.folds import oof_probs
    from pseudo_clean.train import DEFAULT_SETTINGS
    from pseudo_clean.ranking import rank_suspects
    Xl, yl, U, yu, Xt, yt = block_data(k); seed = k; classes = np.unique(yl)
    kw = dict(epochs=1, min_iters=5) if quick else {}
    p = ensemble_probs([fit_labels(Xl, yl, classes, seed=seed + i, **kw) for i in range(3)], U, 4)
    sel = select_confident(p, 0.5); pseudo = classes[p[sel].argmax(1)]; wrong = pseudo != yu[sel]
    codes = np.searchsorted(classes, np.concatenate([yl, pseudo]))
    probs = oof_probs(np.concatenate([Xl, U[sel]]), codes, len(classes), seed=seed, progress=False, **({'epochs': 1} if quick else {}))
    flag = rank_suspects(codes, probs, classes=classes, label_smoothing=DEFAULT_SETTINGS['label_smoothing']).sort_index().is_label_issue.to_numpy()[len(Xl):]
    disagree = probs[len(Xl):].argmax(1) != codes[len(Xl):]
    row = dict(kind='clean4', n_pseudo=len(sel), n_wrong=int(wrong.sum()), n_flagged=int(flag.sum()), n_wrong_flagged=int((flag & wrong).sum()),
               n_disagree=int(disagree.sum()), n_wrong_disagree=int((disagree & wrong).sum()))
    for name, keep in (('all', np.ones(len(sel), bool)), ('without the flagged', ~flag), ('without those the fold models disagree with', ~disagree)):
        m = fit_labels(np.concatenate([Xl, U[sel][keep]]), np.concatenate([yl, pseudo[keep]]), classes, seed=seed, **kw)
        row[name] = round(1 - accuracy_on(m, Xt, yt, classes), 4)
    log(out, k, **row)

def summarize(path):
    rows = [json.loads(l) for l in open(path)]
    env = next((r for r in rows if r.get('kind') == 'env'), {})
    T = [r for r in rows if r.get('kind') == 'teachers']; S = [r for r in rows if r.get('kind') == 'student']
    L = [f"# Pseudo-labeling with a stronger teacher ({env.get('device', '?')}, torch {env.get('torch', '?')})", '',
         'Produced by `benchmarks/probes/bench_teachers.py` to choose a lever for pseudo-labeling; the target is judged on the CPU by `benchmarks/bench_fix.py --part B`. '
         '500 labeled (50 per class), 3,500 unlabeled, held-out blocks 0-4 of 1,000 (each block its own labeled subset). '
         'The student is the labeled-only model\'s recipe (`fit_labels` defaults) trained on labeled + pseudo-labeled items; only the teacher changes. '
         'GPU kernels are not bit-identical to the CPU ones, so these runs differ from the CPU runs by a few items.']
    if T:
        base = np.mean([r['labeled_only_error'] for r in T])
        L += ['', '## Teachers (first run)', '', f"Labeled-only model (the baseline): {base:.2%} mean held-out error. Teachers on the held-out blocks: "
             + ', '.join(f"{m} model(s) averaged {np.mean([r['ensemble_error'][m] for r in T]):.2%}" for m in T[0]['ensemble_error'])
             + f", 5 models with TTA {np.mean([r['ensemble_tta_error'] for r in T]):.2%}.", '',
             '| teacher | blocks | pseudo labels (right) | student held-out error | cut of the baseline\'s error | round 2 error (cut) |', '|---|---|---|---|---|---|']
        for name in dict.fromkeys(r['config'] for r in S):
            g = [r for r in S if r['config'] == name]; b = np.mean([next(t['labeled_only_error'] for t in T if t['block'] == r['block']) for r in g])
            e1 = np.mean([r['rounds'][0]['test_error'] for r in g])
            r2 = (f"{np.mean([r['rounds'][1]['test_error'] for r in g]):.2%} ({(b - np.mean([r['rounds'][1]['test_error'] for r in g])) / b:.0%})"
                  if len(g[0]['rounds']) > 1 else '')
            L.append(f"| {name} | {len(g)} | {np.mean([r['rounds'][0]['n_pseudo'] for r in g]):.0f} ({np.mean([r['rounds'][0]['pseudo_accuracy'] for r in g]):.1%}) | "
                     f"{e1:.2%} | {(b - e1) / b:.0%} | {r2} |")
    T2 = [r for r in rows if r.get('kind') == 'teachers2']; S2 = [r for r in rows if r.get('kind') == 'student2']
    if T2:
        base2 = np.mean([r['labeled_only_error'] for r in T2])
        L += ['', '## What limits the student, and student recipes (second run)', '',
              f'Teacher: 3 models + TTA 4. Labeled-only model (the baseline) in this run: {base2:.2%} mean held-out error. Soft targets: the student '
              'learns the teacher\'s probabilities instead of its top class (labeled items: one-hot, smoothed 0.1); mixup: fastai\'s `MixUp`.', '',
              '| student | blocks | pseudo labels (right) | held-out error | cut of the baseline\'s error |', '|---|---|---|---|---|']
        for name in dict.fromkeys(r['config'] for r in S2):
            g = [r for r in S2 if r['config'] == name]; e = np.mean([r['test_error'] for r in g])
            pa = [r['pseudo_accuracy'] for r in g if r['pseudo_accuracy'] is not None]
            L.append(f"| {name} | {len(g)} | {np.mean([r['n_pseudo'] for r in g]):.0f}" + (f" ({np.mean(pa):.1%})" if pa else '') + f" | {e:.2%} | {(base2 - e) / base2:.0%} |")
    S3 = [r for r in rows if r.get('kind') == 'student3']
    if S3:
        L += ['', '## One model against 3 models + TTA as the teacher, more student seeds (third run)', '',
              'Same teachers as above (seeds k, k+1, k+2 for block k); each teacher\'s pseudo labels train two more students (seeds k+100, k+200).', '',
              '| teacher | students | held-out error per student seed | mean |', '|---|---|---|---|']
        for name in dict.fromkeys(r['config'] for r in S3):
            g = [r for r in S3 if r['config'] == name]
            per = {s: np.mean([r['test_error'] for r in g if r['student_seed'] - r['block'] == s]) for s in (100, 200)}
            L.append(f"| {name} | {len(g)} | " + ', '.join(f'{v:.2%}' for v in per.values()) + f" | {np.mean([r['test_error'] for r in g]):.2%} |")
    C4 = [r for r in rows if r.get('kind') == 'clean4']
    if C4:
        L += ['', '## Can out-of-fold detection find the wrong pseudo labels? (fourth run, 2-core CPU)', '',
              'Pseudo labels from 3 models + TTA 4 at 0.5; then `oof_probs` (5 folds, detection defaults) over labeled + pseudo-labeled items, '
              'and `rank_suspects` as `pseudo_clean` ranks. The student (seed = block) trains on the labeled items and the pseudo labels kept.', '',
              '| block | pseudo labels (wrong) | flagged (wrong) | fold models disagree (wrong) | student error: all | without the flagged | without the disagreed |', '|---|---|---|---|---|---|---|']
        L += [f"| {r['block']} | {r['n_pseudo']} ({r['n_wrong']}) | {r['n_flagged']} ({r['n_wrong_flagged']}) | {r['n_disagree']} ({r['n_wrong_disagree']}) | "
              f"{r['all']:.2%} | {r['without the flagged']:.2%} | {r['without those the fold models disagree with']:.2%} |" for r in C4]
    Path(path).with_suffix('.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))

if __name__ == '__main__':
    if sys.argv[1:2] == ['--summarize']: summarize(sys.argv[2]); raise SystemExit
    ap = argparse.ArgumentParser(); ap.add_argument('out'); ap.add_argument('--blocks', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    ap.add_argument('--teachers', type=int, default=5); ap.add_argument('--quick', action='store_true', help='1 epoch per model: a smoke test')
    ap.add_argument('--study', type=int, default=1, help='1: teachers; 2: what limits the student, student recipes (3 teachers + TTA)')
    ap.add_argument('--block', type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(); out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    if a.block is not None: {1: run_block, 2: run_block2, 3: run_block3, 4: run_block4}[a.study](a.block, out, a.teachers, a.quick); raise SystemExit
    import subprocess, torch
    with open(out/'teachers.jsonl', 'a') as f:
        f.write(json.dumps(dict(kind='env', device=torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu', torch=torch.__version__)) + '\n')
    procs = [subprocess.Popen([sys.executable, __file__, str(out), '--block', str(k), '--teachers', str(a.teachers), '--study', str(a.study)] + ['--quick'] * a.quick)
             for k in a.blocks]
    sys.exit(max(p.wait() for p in procs))
