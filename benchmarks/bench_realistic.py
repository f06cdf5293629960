"""Detection across the realistic range of label noise (issue 22): few wrong labels, and hard ones.

Run by hand:  python benchmarks/bench_realistic.py [--data mnist10k sample] [--kinds none symmetric pairs instance]
                  [--rates 0.01 0.1] [--seeds 0] [--settings "dict(forget_rate=0)"] [--name NAME] [--md-only] [--rescore] [--two-pass [--second-width 32] [--first NAME]]
Data: the MNIST test set (10,000 digits, IDX gz in ../shared/data/mnist-test; benchmarks only), the bundled
5,000-digit sample, and Fashion-MNIST (Debian's dataset-fashion-mnist): `fashion` (all 70,000, case c's data) or
`fashion10k` (its test set). Noise kinds: `none` (the data's own labels), `symmetric` and `pairs` (pseudo_clean.noise), and
`instance`: a reference model of another kind (logistic regression on pixels, out of fold by sklearn's
`cross_val_predict` on the true labels) gives each item a margin (true class minus the best other); the round(rate·N)
items with the smallest margins are flipped to that best other class (the kind of error people make).
Each run trains the package's out-of-fold models (5 folds, `DEFAULT_SETTINGS` with `--settings` over them) through
the same steps as `pseudo_clean.folds.oof_probs`, and caches its probabilities in benchmarks/work/realistic/, keyed by
(data, kind, rate, seed, settings): ranking again costs nothing and an interrupted grid resumes.
The ranking is the package's default (`rank_suspects`: the `adaptive` filter, `DEFAULT_SCORE` order).
Appends one row a run to benchmarks/realistic.jsonl and rewrites benchmarks/realistic.md (means over the seeds present).
`--two-pass` adds, for each one-pass `default` row, what the `pseudo_clean` command reports (rows named `two_pass`;
seconds are both passes'). Where the first pass misses hard wrong labels (`pseudo_clean.run.missed_share`: the hard 20% and 30%
digit cells), or names classes that overlap and counts more than 2.5% wrong (Fashion-MNIST's runs), the folds train again
leaving out about the share wrong (`pseudo_clean.run.second_pass_rate`: `missed_forget_rate` of the share read as another
class, since 2026-12-06 evening; the share flagged where classes overlap; cached as `probes/forget_estimated.py` names them, `forget_est`),
ranked as the first pass (after missed hard errors, where that pass reads at least `MISSED_AGAIN` of the labels the first read as
another class so again (`pseudo_clean.run.outvoted_again`), every label the model reads as another class flagged too; below it,
the first pass is the row, its seconds both passes'). Else, where it flags few
labels, `pseudo_clean.run.low_noise_settings` trains the folds again (twice the epochs, label smoothing 0.1) and that
second pass is ranked, flagging at least the first pass's count and every label it firmly contradicts (`flag_first`,
`confident_disagreements`, since 2026-12-05), and, where the first pass reads `HARD_SHARE` or more of the labels as another
class and the second reads at least `MISSED_AGAIN` of those so again (`outvoted_again`, since 2026-12-06 afternoon), every
label it reads as another class; its runs are cached under the same key as a grid run of those settings,
e.g. `--settings "dict(label_smoothing=0.1, epochs=14)" --name ls0.1e14`. Which pass a row took is its `second_pass`.
`--two-pass --repeats 3`: the command with `--repeats 3` (rows named `two_pass_r3`): every pass is the mean of three splits,
seeded 5 apart as `pseudo_clean.folds.repeat_seeds` seeds them (where the labels depend on the seed, the other splits are
cached as `NAME_splitS`). `--two-pass --second-width 32`: the same with the second pass's small CNN that wide (a lever measured, not the command's
default: rows named `two_pass_w32`). `--two-pass --cached`: only where the second pass is kept, nothing trained. `--two-pass --first NAME`: the first pass is the rows of settings NAME (e.g. the
`pre1500` rows, `--settings "dict(weights='benchmarks/work/realistic/body_mnist10k_1500.pth')" --name pre1500`, a body
from `pseudo_clean_pretrain` on the MNIST test set), and the second pass keeps NAME's settings (rows `NAME_two_pass`).
Use OMP_NUM_THREADS=1 (the script sets torch to one thread unless --threads says otherwise).
"""
import argparse, hashlib, json, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE/'work'/'realistic'
MNIST_TEST = HERE.parent.parent/'shared'/'data'/'mnist-test'
FASHION = Path('/usr/share/datasets/fashion-mnist')
KINDS = ('none', 'symmetric', 'pairs', 'instance')

def load_data(name):
    "(images, true labels as int64) of `name`: 'mnist10k' (the MNIST test set) or 'sample' (the bundled 5,000 digits)."
    from pseudo_clean.data import mnist_sample, read_idx
    if name == 'mnist10k':
        return read_idx(MNIST_TEST/'t10k-images-idx3-ubyte.gz'), read_idx(MNIST_TEST/'t10k-labels-idx1-ubyte.gz').astype(np.int64)
    if name == 'sample': s = mnist_sample(); return s.images, s.labels.astype(np.int64)
    if name == 'fashion10k':     # the Fashion-MNIST test set (Debian's dataset-fashion-mnist): a probe-sized stand-in for case c
        return read_idx(FASHION/'t10k-images-idx3-ubyte.gz'), read_idx(FASHION/'t10k-labels-idx1-ubyte.gz').astype(np.int64)
    if name == 'fashion':        # all 70,000 (detection case c's data)
        from bench_detection import fashion_mnist_idx
        f = fashion_mnist_idx(); return read_idx(f), read_idx(str(f).replace('images-idx3', 'labels-idx1')).astype(np.int64)
    raise ValueError(f'unknown data {name!r}: mnist10k, sample, fashion10k or fashion')

def reference_probs(name, X, y, seed=0):
    "Out-of-fold logistic-regression probabilities on the pixels against the true labels (cached)."
    f = WORK/f'reference_{name}_{seed}.npy'
    if f.exists(): return np.load(f)
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict, StratifiedKFold
    p = cross_val_predict(LogisticRegression(max_iter=200, C=0.05), X.reshape(len(X), -1) / 255., y,
                          cv=StratifiedKFold(5, shuffle=True, random_state=seed), method='predict_proba')
    WORK.mkdir(parents=True, exist_ok=True); np.save(f, p.astype(np.float32)); return p

def instance_noise(p_ref, y, rate):
    "Flip the round(rate·N) items the reference is least sure of (smallest true-minus-best-other margin) to that best other class."
    other = p_ref.copy(); other[np.arange(len(y)), y] = -1
    best = other.argmax(1); margin = p_ref[np.arange(len(y)), y] - other.max(1)
    idx = np.argsort(margin, kind='stable')[:int(round(rate * len(y)))]
    noisy, wrong = y.copy(), np.zeros(len(y), bool); noisy[idx] = best[idx]; wrong[idx] = True
    return noisy, wrong

def make_noise(name, X, y, kind, rate, seed):
    from pseudo_clean.run import inject_noise
    if kind == 'none' or rate == 0: return y.copy(), np.zeros(len(y), bool)
    if kind == 'instance': return instance_noise(reference_probs(name, X, y), y, rate)
    return inject_noise(y, rate, kind, seed)

def oof(X, codes, K, seed, settings, cbs=None, n_folds=5):
    "`oof_probs`'s steps, with optional extra training callbacks (`cbs`: a function returning a list, called per fold)."
    from pseudo_clean.train import DEFAULT_SETTINGS, auto_epochs, train_model, predict_probs
    from pseudo_clean.folds import fold_ids
    s = {**DEFAULT_SETTINGS, **settings}; folds = fold_ids(codes, n_folds, seed)
    if s['epochs'] is None: s['epochs'] = auto_epochs(int((folds != 0).sum()))
    tta = s.pop('tta', 0)
    probs = np.full((len(codes), K), np.nan, np.float32)
    for k in range(n_folds):
        learn = train_model(X, codes, K, np.flatnonzero(folds != k), seed=seed + k, progress=False,
                            cbs=None if cbs is None else cbs(), **s)
        probs[folds == k] = predict_probs(learn, X[folds == k], tta=tta)
    return probs

def cache_key(data, kind, rate, seed, settings, name):
    h = hashlib.blake2b(json.dumps(dict(settings=settings, name=name), sort_keys=True, default=str).encode(), digest_size=6).hexdigest()
    return f'{data}_{kind}_{rate:g}_{seed}_{h}'

def run_file(data, kind, rate, seed, settings, name='default')->Path:
    "Where `get_run` keeps one case's out-of-fold probabilities."
    return WORK/f'{cache_key(data, kind, rate, seed, settings, name)}.npz'

def cached_run(data, kind, rate, seed, settings, name='default')->dict|None:
    "The kept out-of-fold probabilities of one case, as `get_run` returns them, or None where it was not run."
    f = run_file(data, kind, rate, seed, settings, name)
    if not f.exists(): return None
    with np.load(f) as z: return {k: z[k] for k in z.files}

def get_run(data, kind, rate, seed, settings, name='default', cbs=None, split_seed=None):
    "Cached out-of-fold probabilities of one case: a dict of probs, y_true, y_noisy, wrong, train_seconds; the labels of `seed`, the folds and models of `split_seed` (default: `seed`)."
    r = cached_run(data, kind, rate, seed, settings, name)
    if r is not None: return r
    f = run_file(data, kind, rate, seed, settings, name)
    X, y = load_data(data)
    noisy, wrong = make_noise(data, X, y, kind, rate, seed)
    t = time.time(); probs = oof(X, noisy, 10, seed if split_seed is None else split_seed, settings, cbs)
    r = dict(probs=probs, y_true=y, y_noisy=noisy, wrong=wrong, train_seconds=np.float64(time.time() - t))
    WORK.mkdir(parents=True, exist_ok=True); tmp = f.with_suffix('.tmp.npz'); np.savez(tmp, **r); tmp.replace(f)
    return r

def split_run(data, kind, rate, seed, settings, name, r:int, train:bool=True):
    "Split `r` of a run with `--repeats` (5 folds): the labels of `seed`, the folds and fold models of the seed `pseudo_clean.folds.repeat_seeds` gives it (`seed + 5r`); None where not kept and `train` is False."
    from pseudo_clean.folds import repeat_seeds
    s, get = repeat_seeds(seed, r + 1)[r], (get_run if train else cached_run)
    if r == 0 or kind in ('none', 'instance'): return get(data, kind, rate, s, settings, name)   # labels that do not depend on the seed: the run of seed s is that split
    return get(data, kind, rate, seed, settings, f'{name}_split{s}', **(dict(split_seed=s) if train else {}))

def averaged_run(data, kind, rate, seed, settings, name, repeats:int=1, train:bool=True):
    "The `repeats` splits' out-of-fold probabilities averaged, as `oof_probs(repeats=...)` returns them (their seconds summed); None where a split is not kept and `train` is False."
    runs = [split_run(data, kind, rate, seed, settings, name, r, train) for r in range(repeats)]
    if any(x is None for x in runs): return None
    if repeats == 1: return runs[0]
    return dict(runs[0], probs=(np.sum([x['probs'] for x in runs], 0) / np.float32(repeats)).astype(np.float32),
                train_seconds=np.float64(sum(float(x['train_seconds']) for x in runs)))

def metrics(wrong, flagged, score):
    "n_flagged, n_wrong, ratio, precision@k (k = n_wrong), recall@2k, AUPRC, F1; `score` lower = more suspicious."
    from sklearn.metrics import average_precision_score
    n, nw, nf = len(wrong), int(wrong.sum()), int(flagged.sum())
    order = np.argsort(score, kind='stable'); tp = int((flagged & wrong).sum())
    p, r = (tp / nf if nf else 0.), (tp / nw if nw else 0.)
    m = dict(n_items=n, n_wrong=nw, n_flagged=nf, flagged_share=round(nf / n, 5))
    if nw:
        m.update(ratio=round(nf / nw, 3), precision_at_k=round(float(wrong[order[:nw]].mean()), 4),
                 recall_at_2k=round(float(wrong[order[:2 * nw]].sum() / nw), 4),
                 auprc=round(float(average_precision_score(wrong, -np.asarray(score, np.float64))), 4),
                 f1=round(2 * p * r / (p + r) if p + r else 0., 4))
    return m

def default_suspects(r, label_smoothing):
    "The package's default ranking of one cached run: `rank_suspects`'s table, most suspicious first."
    from pseudo_clean.ranking import rank_suspects
    return rank_suspects(r['y_noisy'], r['probs'], label_smoothing=label_smoothing)

def default_ranking(r, label_smoothing):
    "The package's default ranking of one cached run: (flag mask, score) in item order."
    s = default_suspects(r, label_smoothing).sort_index()
    return s.is_label_issue.values, s.label_quality.values

GRID = [('none', 0.)] + [(k, r) for k in ('symmetric', 'pairs', 'instance') for r in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3)]   # (kind, rate)

def kept_first_passes(data_names=('mnist10k', 'sample', 'fashion'), seeds=(0, 1, 2)):
    "Every kept one-pass `default` run of the grid, ranked as the package ranks it: (data, kind, rate, seed, run, flags, wrong labels, labels another class outvotes left unflagged)."
    for data in data_names:
        for kind, rate in GRID:
            for seed in seeds:
                r = cached_run(data, kind, rate, seed, {}, 'default')
                if r is None: continue
                flag = default_ranking(r, 0.3)[0]
                yield data, kind, rate, seed, r, flag, r['wrong'].astype(bool), (r['probs'].argmax(1) != r['y_noisy']) & ~flag

def to_markdown(rows):
    keys = sorted({(r['data'], r['kind'], r['rate'], r['name']) for r in rows}, key=lambda k: (k[0], k[3], KINDS.index(k[1]), k[2]))
    L = ['# Realistic label noise: few wrong labels, and hard ones', '',
         'Produced by `python benchmarks/bench_realistic.py` (2-core CPU shared with other jobs, one torch thread). '
         'Out-of-fold probabilities of the package\'s fold models (5 folds), ranked by its default (`rank_suspects`: '
         '`adaptive` filter, `DEFAULT_SCORE` order; the `old_default` rows are the defaults before 2026-12-02: `forget_rate=0.1`, '
         'self-confidence order). *instance*: the items a pixel logistic regression is least sure of, '
         'flipped to its second choice. Mean of the seeds present (`seeds`); flagged/wrong is the ratio of the means. '
         'The `two_pass` rows are what the `pseudo_clean` command reports (`--two-pass`): where the first pass misses hard wrong labels '
         '(`pseudo_clean.run.missed_share`, since 2026-12-06: the hard 20% and 30% digit cells), a second pass leaving out the share of labels the model '
         'reads as another class, which flags every label it reads as another class where it reads at least `MISSED_AGAIN` of those the first pass did so again '
         '(`pseudo_clean.run.outvoted_again`, since 2026-12-06 afternoon: every hard 20-30% cell does); where it names classes that overlap and counts more than 2.5% wrong (Fashion-MNIST\'s runs), one leaving out that share '
         '(`pseudo_clean.run.second_pass_rate`; each rounded to 0.05); else the `default` row where its first pass '
         'flags 1.25% of the items or more (and, since 2026-12-07, where it flags under 2% it leaves fewer than `MISSED_RATIO` (1.5) times as many labels it reads as another class unflagged: `MISSED_FEW_SHARE`, which takes Fashion-MNIST\'s 10% hard cell, `probes/low_noise_share.md`), else a second pass with `pseudo_clean.run.low_noise_settings` (twice the epochs, '
         'label smoothing 0.1) flagging at least the first pass\'s count, where the first pass reads 2% or more of the labels as another class (`HARD_SHARE`; 2.5% until 2026-12-06 evening) and the second reads at least `MISSED_AGAIN` of those so again every label it reads as another class (since 2026-12-06 afternoon: the hard 5-10% digit cells and the sample\'s 2%; since that evening the MNIST test set\'s 2% too), and, since 2026-12-05, every label the second pass contradicts '
         'as firmly as its smoothing lets it (`confident_disagreements`, `probes/confident_against.md`); their seconds are both passes\'. The `two_pass_w32` rows are '
         'the same with the second pass at width 32 (`--second-width 32`: a lever, not the command\'s default). The `pre1500` rows '
         'start every fold model from a small CNN body pretrained 1,500 contrastive steps on the same 10,000 images without their labels '
         '(`pseudo_clean_pretrain`, then `--weights`; its 304 s are not in the rows\' seconds), and `pre1500_two_pass` adds the command\'s '
         'second pass from it (`--two-pass --first pre1500`): a lever, not the command\'s default. The `two_pass_r3` rows are the command with '
         '`--repeats 3` (`--two-pass --repeats 3`): every pass the mean of three splits into folds. Rows marked `torch_threads` 2 in `realistic.jsonl` '
         '(every digit row whose first pass had not been kept, trained again 2026-12-06 evening with that day\'s code, where the rows had come from older code) '
         'ran with two torch threads, '
         'so their seconds are lower.'
         + ''.join(sorted({f" The cached runs were ranked again on {r['rescored']} with that day's filter (`--rescore`)." for r in rows if r.get('rescored')})), '',
         '| data | settings | kind | rate | seeds | wrong | flagged | flagged/wrong | precision@k | recall@2k | AUPRC | F1 | OOF acc vs truth | train s |',
         '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for d, kind, rate, name in keys:
        rs = [r for r in rows if (r['data'], r['kind'], r['rate'], r['name']) == (d, kind, rate, name)]
        m = lambda k, f='{:.3f}': f.format(np.mean([r[k] for r in rs])) if k in rs[0] else '-'
        ratio = f"{np.mean([r['n_flagged'] for r in rs]) / np.mean([r['n_wrong'] for r in rs]):.2f}" if rs[0]['n_wrong'] else f"({m('flagged_share', '{:.2%}')} of items)"
        L.append(f"| {d} | {name} | {kind} | {rate:g} | {len(rs)} | {m('n_wrong', '{:.0f}')} | {m('n_flagged', '{:.1f}')} | {ratio} | "
                 f"{m('precision_at_k')} | {m('recall_at_2k')} | {m('auprc')} | {m('f1', '{:.4f}')} | {m('oof_acc_vs_truth', '{:.4f}')} | {m('train_seconds', '{:.0f}')} |")
    return '\n'.join(L + before_after(rows)) + '\n'

def before_after(rows)->list:
    "Lines of the table of what the command reported before issue 22 (the `old_default` rows) and reports now (`two_pass`, else the one-pass `default` rows), cell by cell."
    cell = lambda r: (r['data'], r['kind'], r['rate'])
    cells = sorted({cell(r) for r in rows if r['name'] == 'old_default'}, key=lambda k: (k[0], KINDS.index(k[1]), k[2]))
    if not cells: return []
    L = ['', '## Before and after', '',
         'What the command reported before issue 22 (`old_default`: the package at commit 72e48b6, 2026-12-02, run from a worktree of it by its own '
         '`bench_realistic.py` (Fashion-MNIST, which that script does not read: by this one with that package first on `PYTHONPATH`): '
         '`forget_rate=0.1`, the adaptive filter of that day, self-confidence order, one pass) and what it reports now (`two_pass`: '
         'the second pass where the command takes one; else the one-pass `default` rows). Means of the seeds present; flagged/wrong is the ratio of the means.', '',
         '| data | kind | rate | wrong | before: seeds | flagged/wrong | AUPRC | F1 | train s | now: seeds | flagged/wrong | AUPRC | F1 | train s |',
         '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    def summary(rs):
        if not rs: return ['-'] * 5
        mean = lambda k: np.mean([r[k] for r in rs])
        ratio = f"{mean('n_flagged') / mean('n_wrong'):.2f}" if rs[0]['n_wrong'] else f"{mean('n_flagged'):.1f} flagged"
        f = lambda k, fmt: fmt.format(mean(k)) if k in rs[0] else '-'
        return [str(len(rs)), ratio, f('auprc', '{:.3f}'), f('f1', '{:.4f}'), f('train_seconds', '{:.0f}')]
    for c in cells:
        before = [r for r in rows if cell(r) == c and r['name'] == 'old_default']
        now = [r for r in rows if cell(r) == c and r['name'] == 'two_pass'] or [r for r in rows if cell(r) == c and r['name'] == 'default']
        L.append('| ' + ' | '.join([c[0], c[1], f'{c[2]:g}', str(before[0]['n_wrong'])] + summary(before) + summary(now)) + ' |')
    return L

def clean_grid(data:str, seeds)->Path:
    "Every item the default flags on `data`'s own labels (kind 'none', the runs of `seeds`) in one grid, as the package draws it."
    import pandas as pd
    from pseudo_clean.train import DEFAULT_SETTINGS
    from pseudo_clean.visual import suspects_grid
    X, _ = load_data(data); parts = []
    for s in seeds:
        r = get_run(data, 'none', 0., s, {})   # the cached run, or trained now (as --kinds none trains it)
        sus = default_suspects(r, DEFAULT_SETTINGS['label_smoothing'])
        flagged = sus[sus.is_label_issue]; print(f'{data} seed {s}: {len(flagged)} flagged of {len(sus)}: {list(flagged.index)}')
        parts.append(flagged.assign(seed=s))
    found = pd.concat(parts) if parts else pd.DataFrame()
    found = found[~found.index.duplicated()] if len(found) else found
    out = HERE.parent/'nbs'/'images'/f'clean_flagged_{data}.png'
    if len(found): suspects_grid(X, found, n=len(found), ncols=min(5, len(found)), fname=out)
    return out

def second_pass_name(again:dict)->str:
    "The name the grid's own runs of the second pass's settings have (e.g. `ls0.1e14`), which keys their cache."
    return (f"ls{again['label_smoothing']:g}" + (f"w{again['width']}" if 'width' in again else '') + f"e{again['epochs']}"
            + (f"f{again['forget_rate']:g}" if 'forget_rate' in again else ''))

def kept_accuracy(r:dict, flagged:np.ndarray)->float:
    "A first pass's accuracy on the labels it keeps (not flagged), as `run` measures it."
    return float((r['probs'].argmax(1) == r['y_noisy'])[~flagged].mean())

def pass_counts(r:dict, flagged:np.ndarray)->dict:
    "A cached pass's counts as `run` keeps them in `metrics.json`: `n_flagged`, `n_items`, `oof_accuracy_kept`, `n_outvoted_unflagged`."
    return dict(n_flagged=int(flagged.sum()), n_items=len(flagged), oof_accuracy_kept=kept_accuracy(r, flagged),
                n_outvoted_unflagged=int(((r['probs'].argmax(1) != r['y_noisy']) & ~flagged).sum()))

def command_second_settings(counts:dict, width:int|None=None)->dict|None:
    "The settings of the command's second pass after a first pass of 5 folds with `counts` (`pass_counts`) (`low_noise_settings`; that wide where `width` is given, a lever), or None where it trains once."
    from pseudo_clean.run import low_noise_settings
    from pseudo_clean.train import DEFAULT_SETTINGS
    again = low_noise_settings({**DEFAULT_SETTINGS, 'arch': 'cnn'}, counts, counts['n_items'] - counts['n_items'] // 5)
    return again if again is None or width is None else {**again, 'width': width}

def second_pass_ranking(row:dict, again:dict, name:str, train:bool=True, repeats:int=1):
    "The command's second pass of a one-pass row, trained with settings `again` (cached as `name`; `repeats` splits averaged): (settings, run, flags, score in item order), or None where it is not kept and `train` is False."
    from pseudo_clean.run import flag_first
    from pseudo_clean.ranking import confident_disagreements
    r = averaged_run(row['data'], row['kind'], row['rate'], row['seed'], again, name, repeats, train)
    if r is None: return None
    firm = np.flatnonzero(confident_disagreements(r['y_noisy'], r['probs'], again['label_smoothing']))
    s2 = flag_first(default_suspects(r, again['label_smoothing']), row['n_flagged'], firm).sort_index()   # at least the first pass's count, and what it firmly contradicts
    return again, r, s2.is_label_issue.values, s2.label_quality.values

def forget_pass_rate(r:dict, flagged:np.ndarray, settings:dict)->tuple:
    "The forget rate of the command's second pass (`second_pass_rate`: where the first pass misses hard wrong labels, or classes overlap; None: not taken) after the cached first pass `r` with flags `flagged`, and whether it misses them (`missed_share`)."
    from pseudo_clean.run import second_pass_rate, missed_share
    from pseudo_clean.ranking import overlapping_classes
    ov = overlapping_classes(r['y_noisy'], r['probs'], is_label_issue=flagged, label_smoothing=settings['label_smoothing'])
    m = dict(pass_counts(r, flagged), overlapping_classes=list(ov.class_a))
    return second_pass_rate(settings, m), missed_share(m) is not None

def checked_again(r1:dict, flagged1:np.ndarray, r:dict)->float:
    "`pseudo_clean.run.outvoted_again` of a second pass `r` over the cached first pass `r1` with flags `flagged1`, rounded as `run` keeps it."
    from pseudo_clean.run import outvoted_again
    return round(outvoted_again(r1['y_noisy'], r1['probs'], flagged1, r['probs']), 4)

def two_pass_row(row:dict, train:bool=True, width:int|None=None, repeats:int=1)->dict|None:
    "What the `pseudo_clean` command reports for a one-pass row (`default`, or one of other settings, e.g. `--weights`): its first pass, and the second where `second_pass_rate` (classes overlap) or `low_noise_settings` asks for it; with `repeats`, every pass's splits averaged (`--repeats`)."
    from pseudo_clean.train import DEFAULT_SETTINGS
    from pseudo_clean.run import outvoted_share, HARD_SHARE, MISSED_AGAIN
    base = row.get('settings') or {}
    r1 = averaged_run(row['data'], row['kind'], row['rate'], row['seed'], base, row['name'], repeats, train and repeats > 1)   # one split: the row's own run, kept or not
    rate, missed, first, counts1 = None, False, row, None
    if r1 is None and (repeats > 1 or row['data'].startswith('fashion')): return None   # which classes its first pass finds overlapping, or what it misses, is not known (of the digit runs only the hard 20-30% cells take that pass, and they are kept)
    if r1 is not None:      # the first pass cached: the model's accuracy on the labels it keeps, and the classes that overlap, as `run` measures them
        flagged1, score1 = default_ranking(r1, DEFAULT_SETTINGS['label_smoothing'])
        counts1 = pass_counts(r1, flagged1); kept, kept_from = counts1['oof_accuracy_kept'], 'cache'
        if width is None: rate, missed = forget_pass_rate(r1, flagged1, {**DEFAULT_SETTINGS, **base})
        if repeats > 1: first = dict(row, train_seconds=round(float(r1['train_seconds']), 1), **metrics(r1['wrong'], flagged1, score1),
                                     oof_acc_vs_truth=round(float((r1['probs'].argmax(1) == r1['y_true']).mean()), 4), repeats=repeats)
    else: kept, kept_from = row.get('oof_acc_vs_truth', 1.0), 'oof_acc_vs_truth'   # not cached: its accuracy against the truth stands in (and no pair is known to overlap)
    counts = dict(n_flagged=first['n_flagged'], n_items=first['n_items'], oof_accuracy_kept=kept,     # not cached: no label known outvoted (no forget rate in the low-noise pass)
                  n_outvoted_unflagged=0 if counts1 is None else counts1['n_outvoted_unflagged'])
    again = {'forget_rate': rate} if rate is not None else command_second_settings(counts, width)
    prefix = '' if row['name'] == 'default' else f"{row['name']}_"
    name = prefix + 'two_pass' + ('' if width is None else f'_w{width}') + ('' if repeats == 1 else f'_r{repeats}')
    out = dict(first, name=name, first_pass=dict(n_flagged=first['n_flagged'], auprc=first.get('auprc'), f1=first.get('f1'),
                                                 oof_accuracy_kept=round(kept, 4), kept_from=kept_from), second_pass=again)
    out.pop('rescored', None)
    if again is None: return out
    if rate is not None:    # hard errors missed, or classes overlap: the folds again at the share found, ranked as the first pass (cached as probes/forget_estimated.py names them)
        r = averaged_run(row['data'], row['kind'], row['rate'], row['seed'], {**base, **again}, prefix + 'forget_est', repeats, train)
        if r is None: return None
        flagged, score = default_ranking(r, DEFAULT_SETTINGS['label_smoothing'])
        if missed:     # hard errors missed, where the second pass reads the same labels as another class again (`outvoted_again`): every label another class outvotes, flagged too
            out['second_pass'] = dict(again, outvoted_again=checked_again(r1, flagged1, r))
            if out['second_pass']['outvoted_again'] < MISSED_AGAIN:    # the model's own mistakes: the first pass is ranked, after both trainings
                return dict(out, train_seconds=round(first['train_seconds'] + float(r['train_seconds']), 1))
            flagged = flagged | (r['probs'].argmax(1) != r['y_noisy'])
    else:
        second = second_pass_ranking(first, {**base, **again}, prefix + second_pass_name(again), train, repeats)
        if second is None: return None
        again, r, flagged, score = second
        if counts1 is not None and outvoted_share(counts1) >= HARD_SHARE:
            out['second_pass'] = dict(again, outvoted_again=checked_again(r1, flagged1, r))   # flags few, reads many as another class: does the stronger model read them so again?
            if out['second_pass']['outvoted_again'] >= MISSED_AGAIN: flagged = flagged | (r['probs'].argmax(1) != r['y_noisy'])
        else: out['second_pass'] = again
    out.update(settings={**base, **again}, train_seconds=round(first['train_seconds'] + float(r['train_seconds']), 1), **metrics(r['wrong'], flagged, score),
               oof_acc_vs_truth=round(float((r['probs'].argmax(1) == r['y_true']).mean()), 4))
    return out

def parse_settings(s):
    return eval(s, {'dict': dict}) if s else {}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', nargs='+', default=['mnist10k', 'sample']); ap.add_argument('--kinds', nargs='+', default=list(KINDS))
    ap.add_argument('--rates', type=float, nargs='+', default=[0.01, 0.1]); ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    ap.add_argument('--settings', default='', help='training settings over DEFAULT_SETTINGS, e.g. "dict(forget_rate=0)"')
    ap.add_argument('--name', default=None, help='a name for the settings in the table (default: the settings text or "default")')
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--md-only', action='store_true')
    ap.add_argument('--rescore', action='store_true', help="no training: rank every cached run again with today's filter "
                    "(rows without a cache, and the old_default rows, stay as they ran)")
    ap.add_argument('--clean-grid', action='store_true', help="draw what the default flags on --data's own labels (the kind 'none' "
                    "runs of --seeds, trained where not cached) into nbs/images/clean_flagged_DATA.png")
    ap.add_argument('--two-pass', action='store_true', help="the command's two passes: for each `default` row of --data/--kinds/--rates/--seeds, "
                    "the second pass `low_noise_settings` asks for (trained where not cached), as rows named two_pass")
    ap.add_argument('--second-width', type=int, default=None, help="with --two-pass: the second pass's small CNN this wide (rows named two_pass_wWIDTH)")
    ap.add_argument('--repeats', type=int, default=1, help="with --two-pass: the command with --repeats R, every pass's R splits averaged (rows named two_pass_rR)")
    ap.add_argument('--cached', action='store_true', help="with --two-pass: only the rows whose second pass is kept (no training), ranked again")
    ap.add_argument('--first', default='default', help="with --two-pass: the rows of this settings name are the first pass (rows named NAME_two_pass, "
                    "the second pass with NAME's settings under its own)")
    a = ap.parse_args()
    if a.clean_grid:
        for d in a.data: print(clean_grid(d, a.seeds))
        raise SystemExit
    log = HERE/'realistic.jsonl'
    rows = [json.loads(l) for l in log.read_text().splitlines()] if log.exists() else []
    if a.rescore:
        from pseudo_clean.train import DEFAULT_SETTINGS
        for row in rows:
            r = None if row['name'] == 'old_default' else cached_run(row['data'], row['kind'], row['rate'], row['seed'], row['settings'], row['name'])
            if r is None: continue
            flagged, score = default_ranking(r, {**DEFAULT_SETTINGS, **row['settings']}['label_smoothing'])
            row.update(metrics(r['wrong'], flagged, score), rescored=time.strftime('%Y-%m-%d'))
        from pseudo_clean.data import atomic_write_text
        atomic_write_text(log, ''.join(json.dumps(row) + '\n' for row in rows))
    elif a.two_pass:
        import torch; torch.set_num_threads(a.threads)
        key = lambda r: (r['data'], r['kind'], r['rate'], r['seed'])
        for row in [r for r in rows if r['name'] == a.first and r['data'] in a.data and r['kind'] in a.kinds
                    and (r['kind'] == 'none' or r['rate'] in a.rates) and r['seed'] in a.seeds]:
            new = two_pass_row(row, train=not a.cached, width=a.second_width, repeats=a.repeats)
            if new is None: continue       # --cached: its second pass was never trained
            print({k: new.get(k) for k in ('data', 'kind', 'rate', 'seed', 'second_pass', 'n_flagged', 'auprc', 'precision_at_k', 'f1')}, flush=True)
            from pseudo_clean.data import atomic_write_text       # read again: other grids may have appended rows meanwhile
            rows = [r for r in map(json.loads, log.read_text().splitlines()) if not (r['name'] == new['name'] and key(r) == key(row))] + [new]
            atomic_write_text(log, ''.join(json.dumps(r) + '\n' for r in rows))
    elif not a.md_only:
        import torch; torch.set_num_threads(a.threads)
        from pseudo_clean.train import DEFAULT_SETTINGS
        settings = parse_settings(a.settings); name = a.name or (a.settings or 'default')
        done = {(r['data'], r['kind'], r['rate'], r['seed'], r['name']) for r in rows}
        for d in a.data:
            for kind in a.kinds:
                for rate in ([0.] if kind == 'none' else a.rates):
                    if d == 'sample' and 0 < rate < 0.005: continue     # 5,000 digits: from 0.5% (25 wrong labels; the issue's grid starts at 2%)
                    for s in a.seeds:
                        if (d, kind, rate, s, name) in done: continue
                        r = get_run(d, kind, rate, s, settings, name)
                        flagged, score = default_ranking(r, {**DEFAULT_SETTINGS, **settings}['label_smoothing'])
                        row = dict(data=d, kind=kind, rate=rate, seed=s, name=name, settings=settings,
                                   train_seconds=round(float(r['train_seconds']), 1), **metrics(r['wrong'], flagged, score),
                                   oof_acc_vs_truth=round(float((r['probs'].argmax(1) == r['y_true']).mean()), 4))
                        rows.append(row); print(row, flush=True)
                        with open(log, 'a') as f: f.write(json.dumps(row) + '\n')
    from pseudo_clean.data import atomic_write_text
    atomic_write_text(HERE/'realistic.md', to_markdown(rows)); print(to_markdown(rows))
