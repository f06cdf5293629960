"""Fixing benchmark: cleaning + retraining, and pseudo-labeling, on the bundled MNIST sample (CPU).

Targets:
  A. 30% symmetric noise: the model trained on cleaned labels closes >= 75% of the gap between noisy-label and
     true-label accuracy on a clean held-out split; >= 95% of the automatic relabels are correct.
  B. 50 labeled per class, the rest unlabeled: pseudo-labeling cuts the held-out error of the labeled-only
     model by >= 40%.
Writes benchmarks/fix_results.json and a section of benchmarks/fix_results.md.
Usage: python benchmarks/bench_fix.py [--part A|B|AB] [--epochs N] [--folds 5] [--splits 0 1 2 3 4] [--rounds 2] [--pl-folds F]
Recompute the summaries and the markdown from the runs in the JSON: python benchmarks/bench_fix.py --md-only
"""
import argparse, inspect, json, platform, time
from pathlib import Path
import numpy as np, torch
from pseudo_clean.data import mnist_sample, save_json, atomic_write_text
from pseudo_clean.noise import symmetric_noise
from pseudo_clean.folds import oof_probs
from pseudo_clean.train import DEFAULT_SETTINGS
from pseudo_clean.ranking import rank_suspects
from pseudo_clean.clean import clean_labels
from pseudo_clean.pseudolabel import pseudo_label
from pseudo_clean.retrain import retrain_compare
from pseudo_clean.pretrain import pretrain_steps

HERE = Path(__file__).parent

def split(labels, n_test_per_class=100, seed=0, k=0):
    "Train and held-out positions: the k-th block of `n_test_per_class` per class of a seeded permutation is held out."
    rng = np.random.default_rng(seed)
    test = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[k*n_test_per_class:(k+1)*n_test_per_class] for c in np.unique(labels)])
    return np.setdiff1d(np.arange(len(labels)), test), np.sort(test)

def part_a(d, trn, tst, epochs, folds, threshold, seed=0):
    X, y = d.images[trn], d.labels[trn]
    noisy, is_noisy = symmetric_noise(y, 0.3, seed=seed)
    classes = np.unique(y); codes = np.searchsorted(classes, noisy)
    t = time.time()
    probs = oof_probs(X, codes, len(classes), n_folds=folds, epochs=epochs, seed=seed, progress=False)
    sus = rank_suspects(codes, probs, classes=classes, label_smoothing=DEFAULT_SETTINGS['label_smoothing'])
    t_detect = time.time() - t
    out = dict(seed=seed, retrain='fit_labels defaults', n_train=len(trn), n_test=len(tst), noise=0.3, n_noisy=int(is_noisy.sum()), folds=folds, epochs=epochs,
               threshold=threshold, n_flagged=int(sus.is_label_issue.sum()),
               flagged_precision=round(float(is_noisy[sus.sort_index().is_label_issue.to_numpy()].mean()), 4),
               detect_seconds=round(t_detect, 1), policies={})
    for policy, col in (('relabel', None), ('mix', None), ('relabel_model_prob', 'predicted_prob')):
        c = clean_labels(sus, policy.split('_')[0], threshold, prob_column=col)
        rel = (c.action == 'relabeled').to_numpy()
        right = float((c.label.to_numpy()[rel].astype(y.dtype) == y[rel]).mean()) if rel.any() else float('nan')
        out['policies'][policy] = dict(actions=c.action.value_counts().to_dict(), n_relabeled=int(rel.sum()),
                                       relabel_precision=round(right, 4), cleaned=c)
    t = time.time()
    res = retrain_compare(X, d.images[tst], d.labels[tst], classes, epochs=epochs, seed=seed, noisy=noisy,
                          cleaned_relabel=out['policies']['relabel'].pop('cleaned'),
                          cleaned_mix_no_review=out['policies']['mix'].pop('cleaned'),
                          cleaned_relabel_model_prob=out['policies']['relabel_model_prob'].pop('cleaned'), true=y)
    out['retrain_seconds'] = round(time.time() - t, 1)
    out['accuracy'] = res.accuracy.round(4).to_dict(); out['gap_closed'] = res.gap_closed.round(4).to_dict()
    return out

def pl_block(labels, k, n_per_class=50):
    "Block k's positions: training and held-out (`split`), and the labeled and unlabeled positions within the training part."
    trn, tst = split(labels, k=k)
    y = labels[trn]; rng = np.random.default_rng(k)
    lab = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:n_per_class] for c in np.unique(y)])
    return trn, tst, lab, np.setdiff1d(np.arange(len(trn)), lab)

def part_b(d, k, epochs, threshold, rounds, folds=None):
    """Held-out block k (disjoint across k), 50 labeled per class drawn with seed k, the rest of the training part unlabeled.
    The labeled-only baseline uses no unlabeled image: `pseudo_label`'s round 0 without pretraining. Pseudo-labeling runs with the
    package defaults, pretraining on the labeled and unlabeled images included, so its round 0 is the baseline's recipe from the pretrained body."""
    trn, tst, lab, unl = pl_block(d.labels, k); seed = k
    y = d.labels[trn]
    args = dict(epochs=epochs, seed=seed, test_images=d.images[tst], test_labels=d.labels[tst])
    b = pseudo_label(d.images[trn][lab], y[lab], d.images[trn][unl], rounds=0, pretrain=0, **args).history
    t = time.time()
    defaults = inspect.signature(pseudo_label).parameters
    folds = defaults['folds'].default if folds is None else folds
    pl = pseudo_label(d.images[trn][lab], y[lab], d.images[trn][unl], threshold=threshold, rounds=rounds, folds=folds, unlabeled_true=y[unl], **args)
    secs = time.time() - t
    ceiling = retrain_compare(d.images[trn], d.images[tst], d.labels[tst], epochs=epochs, seed=seed, true=y).accuracy['true']
    h = pl.history
    base, final = 1 - b.test_accuracy.iloc[0], 1 - h.test_accuracy.iloc[1]
    base_mean, final_mean = 1 - b.mean_test_accuracy.iloc[0], 1 - h.mean_test_accuracy.iloc[1]
    print(f'block {k}: labeled-only {base:.2%}, per round ' + ', '.join(f'{1 - a:.2%}' for a in h.test_accuracy) + f', ceiling {1 - ceiling:.2%}', flush=True)
    return dict(teachers=defaults['teachers'].default, tta=defaults['tta'].default, pretrain=pretrain_steps(defaults['pretrain'].default, 'cnn'), folds=folds,
                seed=seed, split=k, round_errors=[round(float(1 - a), 4) for a in h.test_accuracy], n_labeled=len(lab), n_unlabeled=len(unl), n_test=len(tst), threshold=threshold, rounds=rounds, epochs=epochs,
                seconds=round(secs, 1), history=json.loads(h.reset_index().to_json(orient='records')),
                labeled_only_error=round(float(base), 4), pseudo_error=round(float(final), 4), error_cut=round(float((base - final) / base), 4),
                round_mean_errors=[round(float(1 - a), 5) for a in h.mean_test_accuracy], labeled_only_mean_error=round(float(base_mean), 5),
                pseudo_mean_error=round(float(final_mean), 5),
                all_labels_error=round(float(1 - ceiling), 4), best_possible_cut=round(float((base - (1 - ceiling)) / base), 4))

def summarize_a(runs):
    m = lambda f: float(np.mean([f(r) for r in runs]))
    acc = {k: m(lambda r: r['accuracy'][k]) for k in runs[0]['accuracy']}
    gap = {k: (acc[k] - acc['noisy']) / (acc['true'] - acc['noisy']) for k in acc}
    best = max(('cleaned_relabel', 'cleaned_mix_no_review'), key=gap.get)
    prec = m(lambda r: r['policies']['relabel']['relabel_precision'])
    return dict(accuracy=acc, gap_closed=gap, best_policy=best, best_gap_closed=gap[best], gap_closed_ok=bool(gap[best] >= 0.75),
                relabel_precision=prec, relabel_precision_ok=bool(prec >= 0.95))

def _error_cuts(runs, base_key, final_key, rounds_key):
    "Mean labeled-only and after-round-1 errors over `runs`, the cut, and the mean error and cut per round."
    base, final = (float(np.mean([r[k] for r in runs])) for k in (base_key, final_key))
    per_round = np.mean([r[rounds_key] for r in runs], axis=0)
    return (base, final, (base - final) / base, [round(float(e), 5) for e in per_round],
            [round(float((base - e) / base), 4) for e in per_round])

def summarize_b(runs):
    base, final, cut, per_round, cut_per_round = _error_cuts(runs, 'labeled_only_error', 'pseudo_error', 'round_errors')
    ceil = float(np.mean([r['all_labels_error'] for r in runs]))
    return dict(labeled_only_error=base, pseudo_error=final, all_labels_error=ceil, error_cut=cut,
                error_per_round=per_round, cut_per_round=cut_per_round,
                best_possible_cut=(base - ceil) / base, error_cut_ok=bool(cut >= 0.4),
                **(summarize_b_mean(runs) if 'round_mean_errors' in runs[0] else {}))

def summarize_b_mean(runs):
    "The same over each round's models one by one (seeds k, k+1, ...: `mean_test_accuracy`), a steadier estimate of one model's error."
    base, final, cut, per_round, cut_per_round = _error_cuts(runs, 'labeled_only_mean_error', 'pseudo_mean_error', 'round_mean_errors')
    return dict(labeled_only_mean_error=base, pseudo_mean_error=final, mean_error_cut=cut,
                mean_error_per_round=per_round, mean_cut_per_round=cut_per_round, mean_error_cut_ok=bool(cut >= 0.4))

def to_md(r):
    L = [f"## Clean, retrain, pseudo-label (bundled MNIST sample, {r['machine']})", '',
         f"Each part is run with {len(r['seeds'])} seeds (noise, folds, labeled subset and models); the targets are judged on the "
         "mean, since one run's held-out accuracy (1,000 images) moves by a few images from seed to seed. Epochs 'auto' are the package "
         "defaults: `auto_epochs` per fold model (10 at 4,000 items), 30 for a model trained on labels (`fit_labels`), at least 1,000 steps.", '']
    if 'A' in r:
        runs, s = r['A'], r['A_summary']; a = runs[0]
        L += [f"**A. 30% symmetric noise** ({a['n_train']} train / {a['n_test']} clean held-out, {a['folds']} folds, epochs {a['epochs'] or 'auto'}, "
              f"relabel threshold {a['threshold']})", '',
              *([] if a.get('retrain') else ["Measured in the previous pass, when the retrained models trained 10 epochs (at least 300 steps); "
                                             "not re-run since `fit_labels` trains 30 epochs and at least 1,000 steps.", '']),
              '| seed | flagged (wrong labels) | flagged precision | relabeled (right) | relabeled on the model\'s own probability (right) | noisy | cleaned_relabel | cleaned_mix_no_review | cleaned_relabel_model_prob | true |', '|---|---|---|---|---|---|---|---|---|---|']
        for x in runs:
            p = x['policies']['relabel']; acc = x['accuracy']
            q = x['policies']['relabel_model_prob']
            L.append(f"| {x['seed']} | {x['n_flagged']} ({x['n_noisy']}) | {x['flagged_precision']:.3f} | {p['n_relabeled']} ({p['relabel_precision']:.1%}) | "
                     f"{q['n_relabeled']} ({q['relabel_precision']:.1%}) | {acc['noisy']:.4f} | {acc['cleaned_relabel']:.4f} | {acc['cleaned_mix_no_review']:.4f} | "
                     f"{acc['cleaned_relabel_model_prob']:.4f} | {acc['true']:.4f} |")
        acc, gap = s['accuracy'], s['gap_closed']
        L += [f"| mean | | | ({s['relabel_precision']:.1%}) | | {acc['noisy']:.4f} | {acc['cleaned_relabel']:.4f} ({gap['cleaned_relabel']:.0%} of the gap) | "
              f"{acc['cleaned_mix_no_review']:.4f} ({gap['cleaned_mix_no_review']:.0%} of the gap) | {acc['cleaned_relabel_model_prob']:.4f} ({gap['cleaned_relabel_model_prob']:.0%}) | {acc['true']:.4f} |", '',
              "`cleaned_relabel` and `cleaned_mix_no_review` apply the threshold to `corrected_prob` (the default); `cleaned_relabel_model_prob` "
              "applies it to the model's own `predicted_prob`, as before `corrected_probs` existed.", '',
              f"Targets (mean over seeds): gap closed {s['best_gap_closed']:.1%} with `{s['best_policy']}` (≥ 75%: {'met' if s['gap_closed_ok'] else 'NOT met'}); "
              f"relabels correct {s['relabel_precision']:.1%} (≥ 95%: {'met' if s['relabel_precision_ok'] else 'NOT met'}).", '']
    if 'B' in r:
        runs, s = r['B'], r['B_summary']; b = runs[0]
        teach = (f"pseudo labels chosen by {b['teachers']} model(s) per round, each averaging {b['tta']} augmented views" if 'teachers' in b
                 else 'pseudo labels chosen by one model per round')
        ens = any('ensemble_test_accuracy' in o for x in runs for o in x['history'])
        per_model = 'round_mean_errors' in b
        pre = b.get('pretrain', 0)
        if b.get('folds'): teach += (f"; from round 1 on, the pseudo labels a round's models train on are first chosen again, out of fold, by {b['folds']} more "
                                     "models, each trained on the labels and the previous round's pseudo labels outside one fold (`oof_pseudo_probs`)")
        if pre: teach += (f"; first, {pre:,} steps of contrastive pretraining (`pretrain_body`) on the labeled and unlabeled images, from which "
                          "every model starts. The labeled-only error is the same recipe from random weights, with no unlabeled image: "
                          "`pseudo_label(rounds=0, pretrain=0)`")
        L += [f"**B. Pseudo-labeling** ({b['n_labeled']} labeled, {b['n_unlabeled']} unlabeled, {b['n_test']} held-out; threshold {b['threshold']}, "
              f"{b['rounds']} round(s), epochs {b['epochs'] or 'auto'}; {teach}). Each run holds out a different block of 1,000 images "
              f"(5 runs: all 5,000 images are held out once) and draws its own labeled subset. The errors are those of one model (seed = block), "
              "the labeled-only model's recipe trained on labeled + pseudo-labeled items" + ("; the last column averages the round's models, for reference" if ens else '') + '.', '',
              f"| held-out block | labeled-only error |" + (" pretrained, labeled only (round 0) |" if pre else '') + f" pseudo labels (right) per round | held-out error per round | all {b['n_labeled'] + b['n_unlabeled']:,} true labels (ceiling) |"
              + (" the round's models averaged (rounds 0, 1, ...) |" if ens else '') + (" the round's models one by one, mean error (rounds 0, 1, ...) |" if per_model else ''),
              '|---|---|---|---|---|' + ('---|' if pre else '') + ('---|' if ens else '') + ('---|' if per_model else '')]
        for x in runs:
            h = x['history'][1:]
            L.append(f"| {x['split']} | {x['labeled_only_error']:.2%} | " + (f"{x['round_errors'][0]:.2%} | " if pre else '') + ', '.join(f"{o['n_pseudo']} ({o['pseudo_accuracy']:.1%})" for o in h) +
                     ' | ' + ', '.join(f"{1 - o['test_accuracy']:.2%}" for o in h) + f" | {x['all_labels_error']:.2%} |" +
                     (' ' + ', '.join(f"{1 - o['ensemble_test_accuracy']:.2%}" for o in x['history']) + ' |' if ens else '') +
                     (' ' + ', '.join(f"{e:.2%}" for e in x['round_mean_errors']) + ' |' if per_model else ''))
        L += ['', f"Mean held-out error {s['labeled_only_error']:.2%} → {s['pseudo_error']:.2%} after round 1 (the default): cut by {s['error_cut']:.1%} "
              f"(≥ 40%: {'met' if s['error_cut_ok'] else 'NOT met'}). The same model trained on all {b['n_labeled'] + b['n_unlabeled']:,} true labels errs "
              f"{s['all_labels_error']:.2%}: even perfect pseudo labels could cut the error by at most {s['best_possible_cut']:.1%}. "
              f"Mean error per round (0 = labeled only{', from the pretrained body' if pre else ''}): " + ', '.join(f"{e:.2%} ({c:.0%})" for e, c in zip(s['error_per_round'], s['cut_per_round'])) + '.'
              + (" The round's models averaged (not the target's measure: the labeled-only baseline is one model): "
                 + ', '.join(f"{np.mean([1 - x['history'][i]['ensemble_test_accuracy'] for x in runs]):.2%}" for i in range(len(runs[0]['history']))) + '.' if ens else ''), '']
        if 'selected_accuracy' in runs[0]['history'][-1]:
            L += [f"The pseudo labels written (the last round's choice, by its own models): "
                  + ', '.join(f"{x['history'][-1]['n_selected']} ({x['history'][-1]['selected_accuracy']:.1%} right)" for x in runs) + ' for blocks '
                  + ', '.join(str(x['split']) for x in runs) + '.', '']
        if per_model:
            L += [f"One model's error, measured on each round's {b['teachers']} models one by one (seeds k, k+1, k+2 for block k: "
                  f"{len(runs) * b['teachers']} labeled-only models and as many pseudo-labeled ones, where the first model alone is one draw of "
                  "a number that moves by a few images with the seed): "
                  f"{s['labeled_only_mean_error']:.2%} → {s['pseudo_mean_error']:.2%} after round 1, cut by {s['mean_error_cut']:.1%} "
                  f"(≥ 40%: {'met' if s['mean_error_cut_ok'] else 'NOT met'}). Per round: "
                  + ', '.join(f"{e:.2%} ({c:.0%})" for e, c in zip(s['mean_error_per_round'], s['mean_cut_per_round'])) + '.', '']
    return '\n'.join(L)

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--part', default='AB'); ap.add_argument('--epochs', type=int, default=None, help='default: the package default')
    ap.add_argument('--folds', type=int, default=5); ap.add_argument('--threshold', type=float, default=0.8, help='A: relabel threshold')
    ap.add_argument('--pl-threshold', type=float, default=0.5, help='B: pseudo-label threshold (the package default)')
    ap.add_argument('--rounds', type=int, default=2, help='B: rounds run; the target is judged after round 1, the default')
    ap.add_argument('--pl-folds', type=int, default=None, help="B: pseudo_label's folds (default: the package default)")
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2], help='A: seeds')
    ap.add_argument('--splits', type=int, nargs='+', default=[0, 1, 2, 3, 4], help='B: held-out blocks')
    ap.add_argument('--md-only', action='store_true', help='recompute the summaries and fix_results.md from the runs in fix_results.json')
    args = ap.parse_args()
    if args.md_only:
        r = json.loads((HERE/'fix_results.json').read_text())
        for part, summarize in (('A', summarize_a), ('B', summarize_b)):
            if part in r: r[f'{part}_summary'] = summarize(r[part])
        save_json(r, HERE/'fix_results.json'); atomic_write_text(HERE/'fix_results.md', to_md(r) + '\n'); raise SystemExit
    d = mnist_sample(); trn, tst = split(d.labels)
    res = dict(machine=f'{platform.machine()}, {torch.get_num_threads()} torch threads, CPU', args=vars(args), seeds=args.seeds)
    f = HERE/'fix_results.json'
    def save():
        "Save this run's parts, keeping the other part from the file as it is now (parts may run side by side)."
        if f.exists():
            old = json.loads(f.read_text())
            res.update({k: v for k, v in old.items() if k[0] in 'AB' and k[0] not in args.part})
        save_json(res, f)
    if 'A' in args.part:
        res['A'] = [part_a(d, trn, tst, args.epochs, args.folds, args.threshold, seed) for seed in args.seeds]
        res['A_summary'] = summarize_a(res['A']); save(); print(json.dumps(res['A_summary'], indent=1))
    if 'B' in args.part:
        res['B'] = [part_b(d, k, args.epochs, args.pl_threshold, args.rounds, args.pl_folds) for k in args.splits]
        res['B_summary'] = summarize_b(res['B']); save(); print(json.dumps(res['B_summary'], indent=1))
    atomic_write_text(HERE/'fix_results.md', to_md(res) + '\n')
    print(to_md(res))
