"""Student recipes for pseudo-labeling: does another student recipe make pseudo-labeling cut more of the labeled-only model's error?

The teachers are `pseudo_label`'s defaults for round 1: three models (seeds k, k+1, k+2) trained on block k's 500
labels, each averaging 4 augmented views of the 3,500 unlabeled digits, thresholded at 0.5 (`benchmarks/bench_fix.pl_block`
draws the blocks). Their pseudo labels are computed once per block and kept in benchmarks/work/students/, so each
student recipe costs one model per block. A recipe that changes the model (`width`) is also measured as the
labeled-only baseline, since the target compares the same recipe with and without pseudo labels.
Variants (Python dicts): name ("labeled only, X" is X's labeled-only baseline in the summary), and any of width, forget_rate, lab_rep (the labeled items repeated this many times
in the student's training set), labeled_only, seeds (offsets added to the block number), label_smoothing, lr, bs, wd (weight decay), augment
(False: none; [max_rotate, max_zoom]: `batch_augment`'s with these), consistency (a dict of `Consistency`'s arguments: FixMatch-style
consistency on all 3,500 unlabeled digits while the student trains).
mixup (alpha of fastai's `MixUp` while the student trains), soft ('selected': the student learns the teachers' averaged
probabilities of the pseudo-labeled digits instead of their top class, and label-smoothed one-hot targets of the labeled ones;
'all': the same on all 3,500 unlabeled digits, without a threshold), true_labels (oracles: 'selected', the pseudo-labeled digits with
their true labels instead; 'all', all 3,500 unlabeled digits with their true labels), threshold (the pseudo labels kept at
this threshold of the teachers' averaged probability instead of 0.5).
--pretrained: the defaults since contrastive pretraining. The teachers are `pseudo_label(rounds=0)` with its default
pretraining (1,500 steps on the labeled and unlabeled digits), and every student starts from that pretrained body, as
`pseudo_label`'s round 1 does; rows go to pretrained_students.jsonl / .md instead. The control recipe reproduces
`benchmarks/fix_results.md` part B's round-1 models exactly (same seeds). `--pipeline STEPS` runs `pseudo_label(rounds=1, pretrain=STEPS)`
whole on the blocks instead (teachers and students from a body pretrained that long).
Run:  python benchmarks/probes/bench_students.py "dict(name='control')" "dict(name='width 32', width=32)" ... [--blocks 0 1 2 3 4] [--pretrained]
Appends to benchmarks/work/students/students.jsonl; --summarize writes benchmarks/probes/students.md and students.jsonl (with --pretrained: the
pretrained_students files).
"""
import argparse, json, math, os, sys, time
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
from fastai.callback.core import Callback
from pseudo_clean.train import batch_augment, to_tensor_images
from pseudo_clean.pretrain import strong_augment
HERE = Path(__file__).resolve().parent   # benchmarks/probes: this probe's results
BENCH = HERE.parent                      # benchmarks: bench_fix.py, fix_results.json, work/
sys.path[:0] = [str(HERE), str(BENCH)]
WORK = BENCH/'work'/'students'

class Consistency(Callback):
    "FixMatch-style (Sohn et al. 2020): each step, the model labels a weak view of a batch of unlabeled images and learns those labels, where confident, on a strong view."
    def __init__(self, unlabeled, threshold=0.95, weight=1., mu=1, strong=(30., 1.3, 0.3, 0.5)):
        self.U, self.threshold, self.weight, self.mu = to_tensor_images(unlabeled), threshold, weight, mu
        self.weak, self.strong, self.used = batch_augment(), strong_augment(*strong), []
    def after_loss(self):
        if not self.training: return
        dl = self.dls.train
        x = (self.U[torch.randint(len(self.U), (self.mu * dl.bs,))].float().div_(255.) - dl.mean) / dl.std
        view = lambda aug: aug(x).contiguous(memory_format=torch.channels_last)
        with torch.no_grad(): conf, target = self.model(view(self.weak)).float().softmax(1).max(1)
        mask = (conf >= self.threshold).float(); self.used.append(mask.mean().item())
        loss = (F.cross_entropy(self.model(view(self.strong)).float(), target, reduction='none') * mask).mean()
        self.learn.loss_grad = self.learn.loss_grad + self.weight * loss
        self.learn.loss = self.learn.loss_grad.clone()

class SoftTargets(Callback):
    "Train on rows of `soft` (N×K probabilities): the batch's targets are item positions, and the loss is cross-entropy with those rows."
    order = 1
    def __init__(self, soft): self.soft = torch.as_tensor(soft, dtype=torch.float32)
    def before_fit(self): self.old, self.learn.loss_func = self.learn.loss_func, lambda out, t: -(t * F.log_softmax(out.float(), 1)).sum(1).mean()
    def after_fit(self): self.learn.loss_func = self.old
    def before_batch(self):
        if self.training: self.learn.yb = (self.soft.to(self.yb[0].device)[self.yb[0]],)

class Recipe(Callback):
    "Set the training batches' augmentation and the optimizer's weight decay for one run."
    def __init__(self, augment=None, wd=None): self.augment, self.wd = augment, wd
    def before_fit(self):
        if self.augment is not None: self.dls.train.augment = batch_augment(*self.augment)
        if self.wd is not None: self.opt.set_hypers(wd=self.wd)

def fit(X, codes, idx, seed, width=16, forget_rate=0., min_iters=1000, bs=128, label_smoothing=0.1, lr=1e-2, wd=None,
        augment=True, consistency=None, unlabeled=None, init=None, mixup=None, soft_targets=None, cbs=()):
    "`fit_labels`' recipe (label smoothing 0.1, `auto_epochs(n, FIT_EPOCHS_AT_4000)`, at least `min_iters` steps), with the variant's changes."
    from pseudo_clean.train import train_model, auto_epochs, FIT_EPOCHS_AT_4000
    n = len(idx); epochs = max(auto_epochs(n, FIT_EPOCHS_AT_4000), math.ceil(min_iters / max(1, n // bs)))
    cbs = [*cbs, Recipe(None if augment in (True, False) else augment, wd)]   # `cbs`: more callbacks (see bench_student_probes.py)
    if mixup is not None:
        from fastai.callback.mixup import MixUp
        cbs.append(MixUp(mixup))
    if soft_targets is not None: codes = np.arange(len(X)); cbs.append(SoftTargets(soft_targets))   # targets: positions into soft_targets
    if consistency is not None: cbs.append(Consistency(unlabeled, **consistency))
    learn = train_model(X, codes, 10, train_idx=idx, epochs=epochs, bs=bs, seed=seed, width=width, forget_rate=forget_rate,
                        label_smoothing=label_smoothing, lr=lr, augment=augment is not False, cbs=cbs, init=init, progress=False)
    used = cbs[-1].used[-50:] if consistency is not None else None
    return learn, (round(float(np.mean(used)), 3) if used else None)

def teachers(k, Xl, yl, U, Xt):
    "Block k's teacher probabilities of the unlabeled digits, the selection at 0.5, and the default labeled-only model's test probabilities."
    from pseudo_clean.train import predict_probs, fit_labels, ensemble_probs
    from pseudo_clean.pseudolabel import select_confident
    f = WORK/f'block{k}.npz'
    if f.exists(): return dict(np.load(f))
    models = [fit_labels(Xl, yl, np.unique(yl), seed=k + i) for i in range(3)]
    probs = ensemble_probs(models, U, 4)
    r = dict(probs=probs, sel=select_confident(probs, 0.5), base=predict_probs(models[0], Xt))
    np.savez(f, **r); return r

def pretrained_teachers(k, Xl, yl, U, Xt, yt):
    "Block k's round 0 of `pseudo_label` with its default pretraining: the body, the teachers' probabilities of the unlabeled digits, the selection at 0.5."
    from pseudo_clean.pseudolabel import pseudo_label, select_confident
    f = WORK/'pretrained'/f'block{k}.pt'
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        r0 = pseudo_label(Xl, yl, U, rounds=0, seed=k, test_images=Xt, test_labels=yt)
        torch.save(dict(body=r0.body, probs=r0.probs), f)
    r = torch.load(f, weights_only=False)
    return dict(r, sel=select_confident(r['probs'], 0.5))

def run(variants, blocks, pretrained=False):
    from bench_teachers import block_data
    from pseudo_clean.train import predict_probs
    from pseudo_clean.pseudolabel import select_confident
    WORK.mkdir(parents=True, exist_ok=True)
    for k in blocks:
        Xl, yl, U, yu, Xt, yt = block_data(k); classes = np.unique(yl)
        T = teachers(k, Xl, yl, U, Xt)   # its `base` (random weights, labels only) is the baseline in both modes
        P = pretrained_teachers(k, Xl, yl, U, Xt, yt) if pretrained else T
        sel, pred = P['sel'], P['probs'].argmax(1)
        err = lambda p: round(float((classes[p.argmax(1)] != yt).mean()), 4)
        allx = np.concatenate([Xl, U]); codes = np.zeros(len(allx), np.int64)
        codes[:len(Xl)] = np.searchsorted(classes, yl); codes[len(Xl) + sel] = pred[sel]
        for v in variants:
            v = dict(v); name = v.pop('name'); rep = v.pop('lab_rep', 1); only = v.pop('labeled_only', False); soft = v.pop('soft', None)
            if pretrained: v['init'] = P['body']
            truth = v.pop('true_labels', None)   # oracle: 'selected' trains on the selected digits with their true labels, 'all' on all 3,500
            thr = v.pop('threshold', None)   # select the pseudo labels at this threshold instead of 0.5
            vsel, vcodes = (np.arange(len(U)) if truth == 'all' else sel if thr is None else select_confident(P['probs'], thr)), codes.copy()
            vcodes[len(Xl) + vsel] = pred[vsel]
            if truth: vcodes[len(Xl) + vsel] = np.searchsorted(classes, yu[vsel])
            if soft:
                v['soft_targets'] = np.zeros((len(allx), len(classes)), np.float32)
                v['soft_targets'][np.arange(len(Xl)), codes[:len(Xl)]] = 0.9; v['soft_targets'][:len(Xl)] += 0.1 / len(classes)   # label smoothing 0.1
                v['soft_targets'][len(Xl):] = P['probs']
            for s in v.pop('seeds', [0]):
                t = time.time()
                idx = (np.arange(len(Xl)) if only else np.arange(len(allx)) if soft == 'all' else
                       np.concatenate([np.tile(np.arange(len(Xl)), rep), len(Xl) + vsel]))
                if pretrained: idx = np.sort(idx)   # `pseudo_label`'s order, so the control is its round-1 models exactly
                m, used = fit(allx, vcodes, idx, k + s, unlabeled=U, **v)
                row = dict(name=name, block=k, seed=k + s, labeled_only=only, n_pseudo=0 if only else len(vsel),
                           pseudo_right=round(float((classes[pred[vsel]] == yu[vsel]).mean()), 4),
                           labeled_only_error=err(T['base']), error=err(predict_probs(m, Xt)), seconds=round(time.time() - t, 1))
                if used is not None: row['consistency_used'] = used   # share of the unlabeled batch confident enough, last 50 steps
                if pretrained: row['pretrained'] = True
                if truth: row['true_labels'] = truth
                print(json.dumps(row), flush=True)
                with open(WORK/f"{'pretrained_' if pretrained else ''}students.jsonl", 'a') as f: f.write(json.dumps(row) + '\n')

def pipeline(steps, blocks):
    "`pseudo_label(rounds=1, pretrain=steps)` whole on each block: round 0 and round 1 held-out errors, first model and the three models' mean."
    from bench_teachers import block_data
    from pseudo_clean.pseudolabel import pseudo_label
    WORK.mkdir(parents=True, exist_ok=True)
    for k in blocks:
        Xl, yl, U, yu, Xt, yt = block_data(k); t = time.time()
        h = pseudo_label(Xl, yl, U, rounds=1, pretrain=steps, seed=k, test_images=Xt, test_labels=yt, unlabeled_true=yu).history
        row = dict(pipeline_pretrain=steps, block=k, first=[round(1 - a, 4) for a in h.test_accuracy], mean=[round(1 - a, 5) for a in h.mean_test_accuracy],
                   ens=[round(1 - a, 4) for a in h.ensemble_test_accuracy], n_sel=h.n_selected.tolist(), seconds=round(time.time() - t))
        print(json.dumps(row), flush=True)
        with open(WORK/'pretrained_pipeline.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')

def diverse_teachers(blocks, seeds=(101, 102)):
    "Teachers from differently pretrained bodies: teacher 0 from `pseudo_label`'s body (seed k), teachers 1 and 2 from bodies pretrained with seeds k+101, k+102; the students from body k, as round 1."
    from bench_teachers import block_data
    from pseudo_clean.pretrain import pretrain_body
    from pseudo_clean.train import fit_labels, ensemble_probs, predict_probs
    from pseudo_clean.pseudolabel import select_confident
    WORK.mkdir(parents=True, exist_ok=True)
    for k in blocks:
        Xl, yl, U, yu, Xt, yt = block_data(k); classes = np.unique(yl); allx = np.concatenate([Xl, U]); t = time.time()
        bodies = [pretrain_body(allx, seed=k + s) for s in (0, *seeds)]
        labs = np.empty(len(allx), object); labs[:len(Xl)] = yl
        err = lambda m: round(float((classes[predict_probs(m, Xt).argmax(1)] != yt).mean()), 4)
        teach = [fit_labels(allx, labs, classes, seed=k + i, init=b) for i, b in enumerate(bodies)]
        p = ensemble_probs(teach, U, 4); sel = select_confident(p, 0.5); pred = p.argmax(1)
        labs[len(Xl) + sel] = classes[pred[sel]]
        row = dict(diverse_teachers=True, block=k, teacher_errors=[err(m) for m in teach], n_pseudo=len(sel), wrong=int((pred[sel] != yu[sel]).sum()),
                   student_errors=[err(fit_labels(allx, labs, classes, seed=k + i, init=bodies[0])) for i in range(3)], seconds=round(time.time() - t))
        print(json.dumps(row), flush=True)
        with open(WORK/'pretrained_diverse.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')

def _used(rows, name):
    "The mean share of confident unlabeled digits in the last 50 steps of recipe `name`."
    used = [r['consistency_used'] for r in rows if r['name'] == name and 'consistency_used' in r]
    return format(np.mean(used), '.0%') if used else 'n/a'

def summarize(rows):
    L = ['# Student recipes for pseudo-labeling', '',
         'Produced by `benchmarks/probes/bench_students.py` (2-core CPU). Teachers: `pseudo_label`\'s round-1 defaults (3 models, 4 views, '
         'threshold 0.5) on each block\'s 500 labels; the student trains on the labeled items and the pseudo labels kept. '
         '"labeled-only error" is the default recipe on the 500 labels, the first teacher: `fix_results.md` part B\'s baseline recipe (in that '
         'run its model erred a few images more on blocks 1, 3 and 4). A recipe run on fewer blocks is compared with the same blocks\' baseline.', '',
         'Each recipe changes one thing in the student\'s training (`fit_labels`: label smoothing 0.1, learning rate 1e-2, batch size 128, '
         'weight decay 0.01, rotate 10° and zoom 1.1, at least 1,000 steps). "consistency T" adds FixMatch-style consistency (Sohn et al. 2020) '
         'on all 3,500 unlabeled digits: each step the student labels a weak view (the training augmentation) of 128 of them and learns '
         'those labels, where its probability is at least T, on a strong view (rotate 30°, zoom 1.3, warp 0.3, a blank square half the '
         'image\'s side); it costs about 2.5 times the training. The models train with label smoothing 0.1, so their top probability '
         'stays near 0.91: at T = 0.95 only ' + _used(rows, 'consistency 0.95') + ' of the unlabeled digits passed in the last 50 steps, '
         'at T = 0.8 ' + _used(rows, 'consistency 0.8') + '.', '',
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

def summarize_pretrained(rows, pipe, fix, diverse=()):
    "The pretrained mode's table: each recipe's round-1 students against the control, and the pipeline runs against `fix_results.json`'s."
    L = ['# Student recipes from the pretrained body', '',
         'Produced by `benchmarks/probes/bench_students.py --pretrained` (2-core CPU). Teachers: `pseudo_label(rounds=0)` with its defaults '
         '(1,500 steps of contrastive pretraining on the 4,000 labeled and unlabeled digits, then 3 models, 4 views, threshold 0.5); each student '
         'starts from the pretrained body and trains on the 500 labels and the pseudo labels kept, as `pseudo_label`\'s round 1 does. '
         'Three students per recipe and block (seeds k, k+1, k+2), so the control is exactly `fix_results.md` part B\'s round-1 models. '
         '"labeled-only mean" is the default recipe from random weights on the 500 labels (the baseline of `fix_results.md`). '
         'Rows "labeled only, X" are teachers (the 500 labels only, from the pretrained body), against "labeled only", `pseudo_label`\'s round-0 '
         'models; rows "true labels of ..." are oracles, students trained on the true labels of the same digits: what the wrong pseudo labels cost.', '',
         '| recipe | block | pseudo labels (wrong) | held-out errors (seeds k, k+1, k+2) | mean | its control\'s mean | against it (points) | labeled-only mean, random weights | cut of that |', '|---|---|---|---|---|---|---|---|---|']
    # each recipe against its control: students against 'control', labeled-only models (teachers) against 'labeled only'
    ctl_name = lambda r: 'labeled only' if r['labeled_only'] else 'control'
    ctl = {(n, k): np.mean([r['error'] for r in rows if r['name'] == n and r['block'] == k])
           for n, k in {(r['name'], r['block']) for r in rows if r['name'] in ('control', 'labeled only')}}
    runs = {r['split']: r for r in fix['B']}   # fix_results.json's runs by held-out block
    for name in dict.fromkeys(r['name'] for r in rows):
        for k in sorted({r['block'] for r in rows if r['name'] == name}):
            rs = sorted((r for r in rows if r['name'] == name and r['block'] == k), key=lambda r: r['seed'])
            m, b = np.mean([r['error'] for r in rs]), np.mean([r['labeled_only_error'] for r in rs])
            first = rs[0]; c = ctl[ctl_name(first), k]
            trained = ('none' if first['labeled_only'] else f"{first['n_pseudo']:,} (0: true labels)" if first.get('true_labels')
                       else f"{first['n_pseudo']:,} ({round(first['n_pseudo'] * (1 - first['pseudo_right'])):,})")
            L.append(f"| {name} | {k} | {trained} | {', '.join(format(r['error'], '.1%') for r in rs)} | {m:.2%} | {c:.2%} ({ctl_name(first)}) | {round((m - c) * 100, 2) + 0:+.2f} | {b:.2%} | {(b - m) / b:.0%} |")
    if pipe:
        L += ['', 'Longer pretraining, teachers and students alike: `pseudo_label(rounds=1, pretrain=STEPS)` whole (`--pipeline STEPS`), '
              'against the same blocks in `fix_results.json` (1,500 steps). Errors of round 0 → round 1, the first model and the three models\' mean:', '',
              '| steps | block | first model | mean of 3 | 1,500 steps: first model | 1,500 steps: mean of 3 | seconds |', '|---|---|---|---|---|---|---|']
        for r in pipe:
            f = runs[r['block']]
            L.append(f"| {r['pipeline_pretrain']:,} | {r['block']} | {r['first'][0]:.1%} → {r['first'][1]:.1%} | {r['mean'][0]:.2%} → {r['mean'][1]:.2%} "
                     f"| {f['round_errors'][0]:.1%} → {f['round_errors'][1]:.1%} | {f['round_mean_errors'][0]:.2%} → {f['round_mean_errors'][1]:.2%} | {r['seconds']} |")
        for steps in dict.fromkeys(r['pipeline_pretrain'] for r in pipe):
            rs = [r for r in pipe if r['pipeline_pretrain'] == steps]
            new, old = np.mean([r['mean'][1] for r in rs]), np.mean([runs[r['block']]['round_mean_errors'][1] for r in rs])
            L += ['', f"Round 1, the three models' mean over blocks {', '.join(str(r['block']) for r in rs)}: {new:.2%} with {steps:,} steps of pretraining, "
                  f"{old:.2%} with 1,500; {np.mean([r['seconds'] for r in rs]):.0f} seconds a run with one round (`fix_results.json`'s 1,500-step runs: "
                  f"{np.median([r['seconds'] for r in fix['B']]):.0f} seconds with two)."]
    if diverse:
        L += ['', 'Teachers from differently pretrained bodies (`--diverse`): teacher 0 from `pseudo_label`\'s body (seed k), teachers 1 and 2 '
              'from bodies pretrained with seeds k+101 and k+102; the students as round 1, from body k. Three pretrainings instead of one '
              '(each about 160 seconds on this CPU). Against the control of the table above (`fix_results.json`\'s round 1, one body):', '',
              '| block | teachers\' held-out errors | pseudo labels (wrong) | students\' held-out errors | mean | one body: pseudo labels (wrong), students\' mean |', '|---|---|---|---|---|---|']
        for r in sorted(diverse, key=lambda r: r['block']):
            f = runs[r['block']]; h1 = f['history'][1]
            L.append(f"| {r['block']} | {', '.join(format(e, '.1%') for e in r['teacher_errors'])} | {r['n_pseudo']:,} ({r['wrong']}) | "
                     f"{', '.join(format(e, '.1%') for e in r['student_errors'])} | {np.mean(r['student_errors']):.2%} | "
                     f"{h1['n_pseudo']:,} ({round(h1['n_pseudo'] * (1 - h1['pseudo_accuracy']))}), {f['round_mean_errors'][1]:.2%} |")
        L += ['', f"Mean over blocks {', '.join(str(r['block']) for r in sorted(diverse, key=lambda r: r['block']))}: "
              f"{np.mean([np.mean(r['student_errors']) for r in diverse]):.2%} with diverse teachers, "
              f"{np.mean([runs[r['block']]['round_mean_errors'][1] for r in diverse]):.2%} with one body."]
    spread = max(np.ptp([r['error'] for r in rows if r['name'] == n and r['block'] == k]) for n in dict.fromkeys(r['name'] for r in rows)
                 for k in {r['block'] for r in rows if r['name'] == n})
    L += ['', f"Models of one recipe and block differ by up to {spread * 100:.1f} points with the seed alone, so a block or two show a direction, not a size."]
    return '\n'.join(L) + '\n'

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('variants', nargs='*'); ap.add_argument('--blocks', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    ap.add_argument('--summarize', action='store_true'); ap.add_argument('--pretrained', action='store_true')
    ap.add_argument('--pipeline', type=int, default=None, help='pretraining steps: run pseudo_label(rounds=1) whole')
    ap.add_argument('--diverse', action='store_true', help='teachers from differently pretrained bodies (see diverse_teachers)')
    a = ap.parse_args()
    if a.summarize:
        from pseudo_clean.data import atomic_write_text
        read = lambda f: [json.loads(l) for l in f.read_text().splitlines()] if f.exists() else []
        if a.pretrained:
            rows, pipe, diverse = (read(WORK/f'pretrained_{n}.jsonl') for n in ('students', 'pipeline', 'diverse'))
            (HERE/'pretrained_students.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows + pipe + diverse))
            md = summarize_pretrained(rows, pipe, json.loads((BENCH/'fix_results.json').read_text()), diverse)
            atomic_write_text(HERE/'pretrained_students.md', md); print(md); raise SystemExit
        rows = read(WORK/'students.jsonl')
        (HERE/'students.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
        atomic_write_text(HERE/'students.md', summarize(rows)); print(summarize(rows)); raise SystemExit
    import torch; torch.set_num_threads(int(os.environ.get('THREADS', 2)))
    if a.diverse: diverse_teachers(a.blocks)
    elif a.pipeline is not None: pipeline(a.pipeline, a.blocks)
    else: run([eval(v) for v in a.variants], a.blocks, a.pretrained)
