"""Student recipes for pseudo-labeling, the steady measure: all five held-out blocks, three students each (fifteen models a recipe).

`bench_students.py --pretrained` probed one block at a time, and one block misleads (seed spread up to 0.8 points). This
script caches each block's round 0 once (body and teachers, as `pseudo_label(rounds=0)` computes them with its defaults,
plus two more teachers) and then trains three students per block and recipe, seeds k, k+1, k+2, from the pretrained body,
as `pseudo_label`'s round 1 does. The control is rerun here: float results differ between CPUs, so only rows of one
machine are compared.

Recipes (`student NAME`):
  control     round 1 with `folds=0` (the default before out-of-fold): the 500 labels and the pseudo labels the three teachers'
              averaged probabilities (4 views each) put at or above 0.5
  teachers5   the same with five teachers averaged (seeds k..k+4)
  dropoutP    dropout P before the head while the student trains (Noisy Student, Xie et al. 2020: noise the student)
  confidence  each pseudo label's loss weighted by the teachers' confidence: (p - 0.5) / (max p - 0.5), at least 0.05; the labeled items weigh 1
  steps2000   2,000 optimizer steps instead of 1,000
  thresholdT  the pseudo labels at or above T instead of 0.5
  labeled     the labeled-only baseline: three models from random weights on the 500 labels, no unlabeled digit
              (`pseudo_label(rounds=0, pretrain=0)`'s models)
`oof F`: the round after round 0 made out-of-fold, as the package's detection is: F models, each trained on the labels and
the pseudo labels outside its fold of the unlabeled digits, predict their fold (4 views); those predictions choose the
pseudo labels of three students. It counters confirmation bias (a model re-picking the pseudo labels it trained on).
`pseudo_label` has done this by default since (`folds=3`, `oof_pseudo_probs`); `benchmarks/fix_results.md` reproduces these students' errors.

Run:  python benchmarks/probes/bench_student_probes.py cache 0 1 2 3 4
      python benchmarks/probes/bench_student_probes.py student control 0 1 2 3 4      (and the other recipes)
      python benchmarks/probes/bench_student_probes.py oof 3 0 1 2 3 4      (and oof 5)
      python benchmarks/probes/bench_student_probes.py summarize      -> benchmarks/probes/student_probes.md and .jsonl
Caches and rows go to benchmarks/work/probes/ (git-ignored).
"""
import json, sys, time
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
from fastai.callback.core import Callback
HERE = Path(__file__).resolve().parent   # benchmarks/probes: this probe's results, bench_students.py, bench_teachers.py
BENCH = HERE.parent                      # benchmarks: bench_fix.py, work/
sys.path[:0] = [str(HERE), str(BENCH)]
WORK = BENCH/'work'/'probes'

class Weighted(Callback):
    "Targets are item positions; label-smoothed (0.1) cross-entropy of `codes`, weighted per item by `w`."
    order = 1
    def __init__(self, codes, w, eps=0.1): self.codes, self.w, self.eps = torch.as_tensor(codes), torch.as_tensor(w, dtype=torch.float32), eps
    def before_fit(self):
        def loss(out, pos):
            lp = F.log_softmax(out.float(), 1); c, w = self.codes.to(pos.device)[pos], self.w.to(pos.device)[pos]
            l = (1 - self.eps) * -lp.gather(1, c[:, None])[:, 0] + self.eps * -lp.mean(1)
            return (w * l).sum() / w.sum()
        self.old, self.learn.loss_func = self.learn.loss_func, loss
    def after_fit(self): self.learn.loss_func = self.old

class Dropout(Callback):
    "Dropout `p` on the head's input while training."
    def __init__(self, p): self.p = p
    def before_fit(self): self.h = self.model[-1].register_forward_pre_hook(lambda m, a: (F.dropout(a[0], self.p, m.training),))
    def after_fit(self): self.h.remove()

def _block(k):
    from bench_teachers import block_data
    Xl, yl, U, yu, Xt, yt = block_data(k); classes = np.unique(yl)
    return Xl, yl, U, yu, Xt, yt, classes, np.concatenate([Xl, U])

def _err(m, Xt, yt, classes):
    from pseudo_clean.train import predict_probs
    return round(float((classes[predict_probs(m, Xt).argmax(1)] != yt).mean()), 4)

def _log(name, row):
    print(json.dumps(row), flush=True)
    with open(WORK/name, 'a') as f: f.write(json.dumps(row) + '\n')

def cache(blocks):
    "Block k's pretrained body (1,500 steps, seed k), its three teachers' averaged probabilities of the unlabeled digits (4 views each), and two more teachers'."
    from pseudo_clean.pretrain import pretrain_body
    from pseudo_clean.train import fit_labels, ensemble_probs
    WORK.mkdir(parents=True, exist_ok=True)
    for k in blocks:
        Xl, yl, U, yu, Xt, yt, classes, allx = _block(k); t = time.time(); f = WORK/f'block{k}.pt'
        labs = np.empty(len(allx), object); labs[:len(Xl)] = yl
        c = torch.load(f, weights_only=False) if f.exists() else {}
        if not c:
            body = pretrain_body(allx, steps=1500, seed=k)
            teach = [fit_labels(allx, labs, classes, seed=k + i, init=body) for i in range(3)]
            c = dict(body=body, probs0=ensemble_probs(teach, U, 4), teacher_errors=[_err(m, Xt, yt, classes) for m in teach]); torch.save(c, f)
        if 'probs34' not in c:
            more = [fit_labels(allx, labs, classes, seed=k + i, init=c['body']) for i in (3, 4)]
            c['probs34'] = [ensemble_probs([m], U, 4) for m in more]; c['teacher_errors34'] = [_err(m, Xt, yt, classes) for m in more]; torch.save(c, f)
        _log('cache.jsonl', dict(block=k, teacher_errors=c['teacher_errors'] + c['teacher_errors34'], seconds=round(time.time() - t)))

def _students(k, data, body, name, probs, cbs_for=lambda codes, sel: ((), codes), min_iters=1000, threshold=0.5, **extra):
    "Three students (`bench_students.fit`: `fit_labels`' recipe from the pretrained `body`) on block k's labels and the pseudo labels `probs` puts at or above `threshold`; one row."
    from bench_students import fit
    from pseudo_clean.pseudolabel import select_confident
    Xl, yl, U, yu, Xt, yt, classes, allx = data; t = time.time()
    sel = select_confident(probs, threshold); pred = probs.argmax(1)
    codes = np.zeros(len(allx), np.int64); codes[:len(Xl)] = np.searchsorted(classes, yl); codes[len(Xl) + sel] = pred[sel]
    idx = np.sort(np.concatenate([np.arange(len(Xl)), len(Xl) + sel]))   # `pseudo_label`'s order
    errs = []
    for i in range(3):
        cbs, cod = cbs_for(codes, sel)
        errs.append(_err(fit(allx, cod, idx, k + i, init=body, min_iters=min_iters, cbs=cbs)[0], Xt, yt, classes))
    _log('students.jsonl', dict(recipe=name, block=k, n_pseudo=len(sel), wrong=int((classes[pred[sel]] != yu[sel]).sum()),
                                errors=errs, mean=round(float(np.mean(errs)), 5), seconds=round(time.time() - t), **extra))

def student(name, blocks):
    "Recipe `name` (see the module's docstring) on each block."
    for k in blocks:
        c = torch.load(WORK/f'block{k}.pt', weights_only=False); p0 = c['probs0']; data = _block(k)
        students = lambda probs, *a, **kw: _students(k, data, c['body'], name, probs, *a, **kw)
        if name == 'teachers5': students((3 * p0 + sum(c['probs34'])) / 5); continue
        if name == 'steps2000': students(p0, min_iters=2000); continue
        if name.startswith('threshold'): students(p0, threshold=float(name[9:])); continue
        if name.startswith('dropout'): students(p0, lambda codes, sel: ([Dropout(float(name[7:]))], codes)); continue
        if name == 'confidence':
            conf = p0.max(1)
            def weighted(codes, sel):
                w = np.ones(len(codes), np.float32); n_lab = len(codes) - len(conf)
                w[n_lab:] = np.clip((conf - 0.5) / (conf[sel].max() - 0.5), 0.05, 1)
                return [Weighted(codes, w)], np.arange(len(codes))   # targets: positions into codes and w
            students(p0, weighted); continue
        if name == 'labeled':
            from pseudo_clean.train import fit_labels
            Xl, yl, U, yu, Xt, yt, classes, allx = data; t = time.time()
            labs = np.empty(len(allx), object); labs[:len(Xl)] = yl
            errs = [_err(fit_labels(allx, labs, classes, seed=k + i), Xt, yt, classes) for i in range(3)]
            _log('students.jsonl', dict(recipe=name, block=k, n_pseudo=0, errors=errs, mean=round(float(np.mean(errs)), 5), seconds=round(time.time() - t)))
            continue
        if name != 'control': raise ValueError(f'unknown recipe {name!r}')
        students(p0)

def oof(n_folds, blocks):
    "Out-of-fold pseudo labels for the round after round 0 (see the module's docstring; `pseudo_label`'s round 1 with `folds`), then three students on them."
    from pseudo_clean.folds import oof_pseudo_probs, unlabeled_folds
    from pseudo_clean.pseudolabel import select_confident
    for k in blocks:
        data = Xl, yl, U, yu, Xt, yt, classes, allx = _block(k)
        c = torch.load(WORK/f'block{k}.pt', weights_only=False); body, p0 = c['body'], c['probs0']
        sel0 = select_confident(p0, 0.5); pred0 = p0.argmax(1)
        pseudo0 = np.full(len(U), None, object); pseudo0[sel0] = classes[pred0[sel0]]
        po = oof_pseudo_probs(Xl, yl, U, pseudo0, unlabeled_folds(pred0, n_folds, seed=k), classes, tta=4, seed=k, init=body)
        _students(k, data, body, f'out-of-fold {n_folds}', po, all_wrong=int((classes[po.argmax(1)] != yu).sum()), teachers_all_wrong=int((classes[pred0] != yu).sum()))

NAMES = {'control': 'control (round 1 with `folds=0`)', 'teachers5': 'five teachers', 'dropout0.3': 'dropout 0.3 before the head',
         'confidence': "loss weighted by the teachers' confidence", 'steps2000': '2,000 steps', 'threshold0.6': 'threshold 0.6', 'out-of-fold 3': 'out-of-fold pseudo labels (3 folds: `pseudo_label`\'s default since)',
         'out-of-fold 5': 'out-of-fold pseudo labels (5 folds)'}

def summarize():
    "benchmarks/probes/student_probes.md and .jsonl from the work folder's rows (the last row of each recipe and block)."
    rows = {}
    for r in map(json.loads, open(WORK/'students.jsonl')): rows[r['recipe'], r['block']] = r
    cache = {k: torch.load(WORK/f'block{k}.pt', weights_only=False) for k in range(5) if (WORK/f'block{k}.pt').exists()}
    (HERE/'student_probes.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows.values()))
    by = lambda name: [rows[name, k] for k in range(5) if (name, k) in rows]
    mean = lambda rs: float(np.mean([e for r in rs for e in r['errors']]))
    base = mean(by('labeled')) if by('labeled') else None
    control = {r['block']: r for r in by('control')}
    out = ['# Student recipes over all five held-out blocks', '',
           'Produced by `benchmarks/probes/bench_student_probes.py` (2-core CPU). Each block as `bench_fix.py --part B` draws it: 500 labels, 3,500 unlabeled '
           'digits, 1,000 held out. Round 0 as `pseudo_label` computes it with its defaults (1,500 steps of contrastive pretraining, seed k; three '
           'teachers, seeds k..k+2, from the pretrained body, 4 views each; threshold 0.5), cached once per block. Each recipe trains three '
           'students per block (seeds k, k+1, k+2) from the pretrained body: fifteen models a recipe, the steady measure of `fix_results.md`. '
           'The rows were all made on one machine: float results differ between CPUs, so this control is not `fix_results.md`\'s round 1 '
           'model for model. "labeled only" is the baseline, `pseudo_label(rounds=0, pretrain=0)`\'s models: random weights, the 500 labels, no unlabeled digit. '
           '"out-of-fold pseudo labels": three models, each trained on the labels and the round-0 pseudo labels outside one third of the unlabeled '
           'digits (folds stratified by the teachers\' prediction), predict that third with 4 views; the students train on what those predictions '
           'put at or above 0.5; `pseudo_label` has done this by default since (`folds=3`), and `fix_results.md`, run with its defaults, reproduces '
           'these students\' errors block for block. The other recipes change one thing in the control; the script\'s docstring says what.', '',
           '| recipe | pseudo labels (wrong), summed over blocks | mean error per block (0-4) | mean of 15 models | against control (points) | cut of labeled only |',
           '|---|---|---|---|---|---|']
    names = ['labeled', 'control'] + sorted({n for n, _ in rows} - {'labeled', 'control'})
    for name in names:
        rs = by(name)
        if not rs: continue
        m = mean(rs); ks = [r['block'] for r in rs]
        c = mean([control[k] for k in ks]) if all(k in control for k in ks) else None
        pl = f"{sum(r['n_pseudo'] for r in rs):,} ({sum(r.get('wrong', 0) for r in rs)})" if name != 'labeled' else 'none'
        label = 'labeled only (baseline)' if name == 'labeled' else NAMES.get(name, name)
        if len(rs) < 5: label += f" (blocks {', '.join(map(str, ks))})"
        vs = '' if c is None or name in ('labeled', 'control') else f'{100 * (m - c):+.2f}'
        cut = '' if base is None or name == 'labeled' else f'{1 - m / base:.1%}'
        out.append(f"| {label} | {pl} | {', '.join(f'{e:.2%}' for e in (r['mean'] for r in rs))} | {m:.2%} | {vs} | {cut} |")
    for name in sorted({n for n, _ in rows if n.startswith('out-of-fold')}):
        oof = [r for r in by(name) if 'all_wrong' in r]
        if oof: out += ['', f"Out of fold ({name[12:]} folds), the models' predictions of all the unlabeled digits (pseudo-labeled or not) were wrong {sum(r['all_wrong'] for r in oof)} times "
                            f"over blocks {', '.join(str(r['block']) for r in oof)}, the teachers' {sum(r['teachers_all_wrong'] for r in oof)} times: more of the hard digits "
                            'get a right label, so more pass the threshold, a few more of them wrong.']
    if base is not None: out += ['', f'The target asks for 40% fewer errors than the labeled-only model: on this machine, at most {0.6 * base:.2%} for fifteen models.']
    if cache: out += ['', "Teachers' held-out errors per block (seeds k..k+4; the first three are the default's): " +
                      '; '.join(f"{k}: {', '.join(f'{e:.1%}' for e in r['teacher_errors'] + r.get('teacher_errors34', []))}" for k, r in sorted(cache.items())) + '.']
    (HERE/'student_probes.md').write_text('\n'.join(out) + '\n')
    print('\n'.join(out))

if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    if cmd == 'cache': cache([int(a) for a in args])
    elif cmd == 'student': student(args[0], [int(a) for a in args[1:]])
    elif cmd == 'oof': oof(int(args[0]), [int(a) for a in args[1:]])
    elif cmd == 'summarize': summarize()
    else: raise SystemExit(__doc__)
