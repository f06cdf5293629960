"""Issue-4 benchmark: cleaning + retraining, and pseudo-labeling, on the bundled MNIST sample (CPU).

Targets:
  A. 30% symmetric noise: the model trained on cleaned labels closes >= 75% of the gap between noisy-label and
     true-label accuracy on a clean held-out split; >= 95% of the automatic relabels are correct.
  B. 50 labeled per class, the rest unlabeled: pseudo-labeling cuts the held-out error of the labeled-only
     model by >= 40%.
Writes benchmarks/fix_results.json and a section of benchmarks/fix_results.md.
Usage: python benchmarks/bench_fix.py [--part A|B|AB] [--epochs 10] [--folds 5]
"""
import argparse, json, platform, time
from pathlib import Path
import numpy as np, torch
from pseudo_clean.data import mnist_sample, save_json, atomic_write_text
from pseudo_clean.noise import symmetric_noise
from pseudo_clean.folds import oof_probs
from pseudo_clean.ranking import rank_suspects
from pseudo_clean.clean import clean_labels
from pseudo_clean.pseudolabel import retrain_compare, pseudo_label

HERE = Path(__file__).parent

def split(labels, n_test_per_class=100, seed=0):
    rng = np.random.default_rng(seed)
    test = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:n_test_per_class] for c in np.unique(labels)])
    return np.setdiff1d(np.arange(len(labels)), test), np.sort(test)

def part_a(d, trn, tst, epochs, folds, threshold):
    X, y = d.images[trn], d.labels[trn]
    noisy, is_noisy = symmetric_noise(y, 0.3, seed=0)
    classes = np.unique(y); codes = np.searchsorted(classes, noisy)
    t = time.time()
    probs = oof_probs(X, codes, len(classes), n_folds=folds, epochs=epochs, progress=False)
    sus = rank_suspects(codes, probs, classes=classes)
    t_detect = time.time() - t
    out = dict(n_train=len(trn), n_test=len(tst), noise=0.3, n_noisy=int(is_noisy.sum()), folds=folds, epochs=epochs,
               threshold=threshold, n_flagged=int(sus.is_label_issue.sum()), detect_seconds=round(t_detect, 1), policies={})
    for policy in ('relabel', 'mix'):
        c = clean_labels(sus, policy, threshold)
        rel = (c.action == 'relabeled').to_numpy()
        right = float((c.label.to_numpy()[rel].astype(y.dtype) == y[rel]).mean()) if rel.any() else float('nan')
        out['policies'][policy] = dict(actions=c.action.value_counts().to_dict(), n_relabeled=int(rel.sum()),
                                       relabel_precision=right, cleaned=c)
    t = time.time()
    res = retrain_compare(X, d.images[tst], d.labels[tst], classes, epochs=epochs, noisy=noisy,
                          cleaned_relabel=out['policies']['relabel'].pop('cleaned'),
                          cleaned_mix_no_review=out['policies']['mix'].pop('cleaned'), true=y)
    out['retrain_seconds'] = round(time.time() - t, 1)
    out['accuracy'] = res.accuracy.round(4).to_dict(); out['gap_closed'] = res.gap_closed.round(4).to_dict()
    best = max(('cleaned_relabel', 'cleaned_mix_no_review'), key=lambda k: res.gap_closed[k])
    out['targets'] = dict(gap_closed=float(res.gap_closed['cleaned_relabel']), gap_closed_ok=bool(res.gap_closed['cleaned_relabel'] >= 0.75),
                          best_policy=best, best_gap_closed=float(res.gap_closed[best]),
                          relabel_precision=out['policies']['relabel']['relabel_precision'],
                          relabel_precision_ok=bool(out['policies']['relabel']['relabel_precision'] >= 0.95))
    return out

def part_b(d, trn, tst, epochs, threshold, rounds):
    y = d.labels[trn]
    rng = np.random.default_rng(1)
    lab = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:50] for c in np.unique(y)])
    unl = np.setdiff1d(np.arange(len(trn)), lab)
    t = time.time()
    pl = pseudo_label(d.images[trn][lab], y[lab], d.images[trn][unl], threshold=threshold, rounds=rounds, epochs=epochs,
                      test_images=d.images[tst], test_labels=d.labels[tst], unlabeled_true=y[unl])
    h = pl.history
    base, final = 1 - h.test_accuracy.iloc[0], 1 - h.test_accuracy.iloc[-1]
    cut = (base - final) / base
    return dict(n_labeled=len(lab), n_unlabeled=len(unl), n_test=len(tst), threshold=threshold, rounds=rounds, epochs=epochs,
                seconds=round(time.time() - t, 1), history=json.loads(h.reset_index().to_json(orient='records')),
                labeled_only_error=round(float(base), 4), pseudo_error=round(float(final), 4), error_cut=round(float(cut), 4),
                targets=dict(error_cut=float(cut), error_cut_ok=bool(cut >= 0.4)))

def to_md(r):
    L = [f"## Issue 4: clean, retrain, pseudo-label (bundled MNIST sample, {r['machine']})", '']
    if 'A' in r:
        a = r['A']
        L += [f"**A. 30% symmetric noise** ({a['n_train']} train / {a['n_test']} clean held-out, {a['folds']} folds × {a['epochs']} epochs, "
              f"threshold {a['threshold']}; {a['n_flagged']} flagged of {a['n_noisy']} wrong labels; detection {a['detect_seconds']} s, retraining {a['retrain_seconds']} s)", '',
              '| labels | held-out accuracy | gap closed |', '|---|---|---|']
        L += [f"| {k} | {v:.4f} | {a['gap_closed'][k]:.1%} |" for k, v in a['accuracy'].items()]
        for p, v in a['policies'].items():
            L.append(f"\n- policy `{p}`: {v['n_relabeled']} relabeled, {v['relabel_precision']:.1%} of them correct; actions {v['actions']}")
        t = a['targets']
        L += ['', f"Targets: gap closed (relabel policy) {t['gap_closed']:.1%} (≥ 75%: {'met' if t['gap_closed_ok'] else 'NOT met'}); "
              f"relabels correct {t['relabel_precision']:.1%} (≥ 95%: {'met' if t['relabel_precision_ok'] else 'NOT met'}). "
              f"Best policy: {t['best_policy']} ({t['best_gap_closed']:.1%}).", '']
    if 'B' in r:
        b = r['B']
        L += [f"**B. Pseudo-labeling** ({b['n_labeled']} labeled, {b['n_unlabeled']} unlabeled, {b['n_test']} held-out; threshold {b['threshold']}, "
              f"{b['rounds']} rounds, {b['epochs']} epochs, {b['seconds']} s)", '',
              '| round | pseudo labels trained on | their accuracy | held-out accuracy |', '|---|---|---|---|']
        for h in b['history']:
            pa = h.get('pseudo_accuracy'); pa = '-' if pa is None or pa != pa else f'{pa:.3f}'
            L.append(f"| {h['round']} | {h['n_pseudo']} | {pa} | {h['test_accuracy']:.4f} |")
        L += ['', f"Held-out error {b['labeled_only_error']:.2%} → {b['pseudo_error']:.2%}: cut by {b['error_cut']:.1%} "
              f"(≥ 40%: {'met' if b['targets']['error_cut_ok'] else 'NOT met'}).", '']
    return '\n'.join(L)

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--part', default='AB'); ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--folds', type=int, default=5); ap.add_argument('--threshold', type=float, default=0.8)
    ap.add_argument('--rounds', type=int, default=2)
    args = ap.parse_args()
    d = mnist_sample(); trn, tst = split(d.labels)
    res = dict(machine=f'{platform.machine()}, {torch.get_num_threads()} torch threads, CPU', args=vars(args))
    f = HERE/'fix_results.json'
    if f.exists():
        old = json.loads(f.read_text()); res.update({k: v for k, v in old.items() if k in ('A', 'B')})
    if 'A' in args.part:
        res['A'] = part_a(d, trn, tst, args.epochs, args.folds, args.threshold); save_json(res, f); print(json.dumps(res['A'], indent=1, default=str))
    if 'B' in args.part:
        res['B'] = part_b(d, trn, tst, args.epochs, args.threshold, args.rounds); save_json(res, f); print(json.dumps(res['B'], indent=1, default=str))
    atomic_write_text(HERE/'fix_results.md', to_md(res) + '\n')
    print(to_md(res))
