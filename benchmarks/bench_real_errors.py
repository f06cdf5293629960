"""The MNIST test set's own wrong labels, as people judged them (issue 22: find the errors real datasets have).

Run by hand (from the repository root):  python benchmarks/bench_real_errors.py [--seeds 0 1 2] [--cached] [--second-width 32] [--body FILE]
Northcutt, Athalye & Mueller (2021, "Pervasive label errors in test sets destabilize machine learning benchmarks")
showed five Mechanical Turk workers each MNIST test digit that their confident learning suspected (100 digits), with
its given label and the label their model guessed; 15 given labels were rejected by at least 3 of the 5 workers (the
paper's 0.15%). Their votes are public (labelerrors.com; `mturk/mnist_mturk.json` in the cleanlab/label-errors
repository); the verdicts below are read from them. Every other digit is taken as rightly labelled, which is what
people checked only for the 100 shown: an item flagged here that nobody was shown may still be wrong.

Two questions, on the cached runs of `bench_realistic.py` (5 folds, the package's default settings; the command's
second pass where it asks for one), trained here when missing:
1. **Real errors.** The MNIST test set with its own labels (kind `none`): where the 15 validated errors sit in the
   package's ranking (`suspects.csv`'s order), what it flags, and what the top of its list is, by the workers' verdict.
2. **The hard-noise benchmark against people's labels.** `bench_realistic.py`'s instance-dependent noise flips the
   digits a pixel logistic regression is least sure of, and those include the validated errors: a flip there can
   restore the label people read. The same runs scored against the MNIST labels (as `realistic.md` scores them) and
   against the labels corrected by the workers' verdicts (a label is wrong when it differs from what people read, or
   when people read neither label).
Writes benchmarks/real_errors.json and benchmarks/real_errors.md. Use OMP_NUM_THREADS=1.
"""
import argparse, json
from pathlib import Path
import numpy as np
import bench_realistic as br

HERE = Path(__file__).resolve().parent
NEITHER = -1
# index: (the MNIST label, the label at least 3 of 5 workers chose, or NEITHER where no label had 3 votes but 3 or more rejected the given one)
VALIDATED_ERRORS = {947: (8, 9), 1621: (0, 6), 1901: (9, 4), 2130: (4, NEITHER), 2462: (2, 0), 2597: (5, 3),
                    2654: (6, NEITHER), 3520: (6, NEITHER), 3558: (5, 0), 5937: (5, 3), 6651: (0, 6), 6783: (1, 6),
                    8527: (4, NEITHER), 9679: (6, NEITHER), 9729: (5, 6)}
CONTESTED = (1232, 1393, 2035, 3422, 4201, 4823, 4956, 9664)    # the given label kept by 3 of 5 exactly
CONFIRMED = (247, 259, 321, 340, 445, 449, 582, 619, 717, 720, 726, 740, 810, 938, 1014, 1033, 1039, 1112, 1119, 1226,
             1299, 1364, 1530, 1681, 1709, 2043, 2109, 2135, 2182, 2293, 2380, 2406, 2447, 2454, 2836, 2896, 2921, 2927,
             2939, 3060, 3073, 3206, 3503, 3597, 3767, 3778, 3850, 3869, 3906, 4007, 4176, 4207, 4224, 4497, 4639, 4783,
             4860, 4874, 4876, 4880, 4978, 5887, 5955, 6505, 6572, 6576, 6597, 6625, 7434, 7842, 8094, 8408, 9009, 9634,
             9642, 9755, 9888)   # shown to the workers, the given label kept by 4 or 5 of them
VERDICTS = ('validated error', 'contested', 'confirmed', 'not shown')

def verdicts(n:int)->np.ndarray:
    "The workers' verdict on each of the n given labels, as an index into `VERDICTS`."
    v = np.full(n, 3); v[list(CONFIRMED)] = 2; v[list(CONTESTED)] = 1; v[list(VALIDATED_ERRORS)] = 0
    return v

def check_order(y:np.ndarray):
    "Fail unless `y` are the MNIST test labels in the order the study indexed them (its 15 given labels where it says)."
    if not all(y[i] == g for i, (g, _) in VALIDATED_ERRORS.items()): raise ValueError('the MNIST test set here is not in the order the study indexed')

def people_labels(y:np.ndarray)->np.ndarray:
    "The MNIST labels with the validated errors replaced by what people read (NEITHER where they read neither)."
    check_order(y); out = y.copy()
    for i, (_, p) in VALIDATED_ERRORS.items(): out[i] = p
    return out

def passes(kind:str, rate:float, seed:int, train:bool=True, width:int|None=None, first:str='default', settings:dict|None=None):
    "The first pass (settings `first`, e.g. a pretrained body's) and, where the command asks for one, its second (that wide: `--second-width`): [(name, label smoothing, run, flags, score)]."
    from pseudo_clean.train import DEFAULT_SETTINGS
    settings = settings or {}
    if not (train or br.run_file('mnist10k', kind, rate, seed, settings, first).exists()): return []
    r = br.get_run('mnist10k', kind, rate, seed, settings, first)
    flagged, score = br.default_ranking(r, DEFAULT_SETTINGS['label_smoothing'])
    prefix = '' if first == 'default' else f'{first}, '
    out = [(prefix + 'one pass', DEFAULT_SETTINGS['label_smoothing'], r, flagged, score)]
    again = br.command_second_settings(br.pass_counts(r, flagged), width)
    if again is None: return out + [(prefix + 'command', *out[0][1:])]
    row = dict(data='mnist10k', kind=kind, rate=rate, seed=seed, n_flagged=int(flagged.sum()))
    second = br.second_pass_ranking(row, {**settings, **again}, ('' if first == 'default' else f'{first}_') + br.second_pass_name(again), train)
    name = prefix + ('command' if width is None else f'command, width {width}')
    return out + ([] if second is None else [(name, again['label_smoothing'], *second[1:])])

def suspects_order(flagged:np.ndarray, score:np.ndarray)->np.ndarray:
    "The items in `suspects.csv`'s order: flagged items first, then by label quality."
    return np.lexsort((score, ~flagged))

def rows_in_suspects(flagged:np.ndarray, score:np.ndarray)->np.ndarray:
    "Each item's row in `suspects.csv` (1 = first)."
    order = suspects_order(flagged, score); pos = np.empty(len(order), int); pos[order] = np.arange(1, len(order) + 1)
    return pos

def real_error_row(name:str, r:dict, flagged:np.ndarray, score:np.ndarray, seed:int)->dict:
    "Where the validated errors sit in one run's ranking, and what it flags and lists first, by verdict."
    from pseudo_clean.ranking import find_label_issues, label_quality_scores, SCORES
    check_order(r['y_noisy']); v, pos = verdicts(len(flagged)), rows_in_suspects(flagged, score)
    real = v == 0; top = suspects_order(flagged, score)
    m = br.metrics(real, flagged, score)
    outvoted = r['probs'].argmax(1) != r['y_noisy']
    row = dict(case='real', passes=name, seed=seed, **{k: m[k] for k in ('n_flagged', 'precision_at_k', 'recall_at_2k', 'auprc', 'f1')},
               flagged_by_verdict=np.bincount(v[flagged], minlength=4).tolist(),
               top15_by_verdict=np.bincount(v[top[:15]], minlength=4).tolist(), top50_by_verdict=np.bincount(v[top[:50]], minlength=4).tolist(),
               rows_of_errors=sorted(int(p) for p in pos[real]), n_outvoted=int(outvoted.sum()), errors_outvoted=int((outvoted & real).sum()))
    for method in SCORES:    # each score's order alone (no flags first)
        q = label_quality_scores(r['y_noisy'], r['probs'], method=method); mq = br.metrics(real, np.zeros(len(q), bool), q)
        row[f'score_{method}'] = [mq['precision_at_k'], mq['auprc']]
    for method in ('predicted_neq_given', 'confident_learning', 'prune_by_noise_rate', 'both'):   # cleanlab's filters on the same probabilities
        f = find_label_issues(r['y_noisy'], r['probs'], method=method); row[f'cleanlab_{method}'] = [int(f.sum()), int((f & real).sum())]
    return row

def hard_noise_row(name:str, r:dict, flagged:np.ndarray, score:np.ndarray, seed:int)->dict:
    "One hard-noise run scored against the MNIST labels and against people's, and what its flips did to the validated errors."
    y, noisy = r['y_true'], r['y_noisy']; people = people_labels(y)
    wrong_people = (noisy != people) | (people == NEITHER)
    errs = np.array(sorted(VALIDATED_ERRORS)); flipped = errs[r['wrong'][errs]]
    row = dict(case='hard 1%', passes=name, seed=seed, flips_on_errors=len(flipped),
               flips_to_people=int((noisy[flipped] == people[flipped]).sum()),
               flips_on_contested=int(r['wrong'][list(CONTESTED)].sum()))
    for truth, wrong in (('mnist', r['wrong']), ('people', wrong_people)):
        m = br.metrics(wrong, flagged, score)
        row[truth] = {k: m[k] for k in ('n_wrong', 'n_flagged', 'ratio', 'precision_at_k', 'recall_at_2k', 'auprc', 'f1')}
    return row

def verdict_text(i:int, v:int)->str:
    "What the workers said of item i's given label, in a few words."
    if v == 0: p = VALIDATED_ERRORS[i][1]; return f'people: wrong ({"neither" if p == NEITHER else f"a {p}"})'
    return ('people: 3 of 5 kept it', 'people: kept it', 'not shown to people')[v - 1]

def top_rows_figure(r:dict, flagged:np.ndarray, score:np.ndarray, label_smoothing:float, n:int=20)->Path:
    "The first n rows of one run's `suspects.csv`, as the package draws them, each with the workers' verdict under it."
    from pseudo_clean.visual import suspects_grid
    from pseudo_clean.data import save_figure
    sus = br.default_suspects(r, label_smoothing).sort_index().assign(is_label_issue=flagged)   # rank_suspects's columns, these flags
    sus = sus.iloc[suspects_order(flagged, score)]
    X, _ = br.load_data('mnist10k'); v = verdicts(len(X))
    fig = suspects_grid(X, sus, n=n, ncols=5)
    for ax, i in zip(fig.axes, sus.index[:n]):
        ax.set_xlabel(f'#{i}: ' + verdict_text(int(i), int(v[i])), fontsize=8, color='firebrick' if v[i] == 0 else 'black')
    return save_figure(fig, HERE.parent/'nbs'/'images'/'real_errors_mnist10k.png')

NAMES = ('one pass', 'command', 'command, width 32', 'pre1500, one pass', 'pre1500, command')

def mean(rows, key):
    return np.mean([r[key] for r in rows], axis=0)

def to_markdown(rows)->str:
    L = ['# Real label errors: the MNIST test set\'s own, as people judged them', '',
         'Produced by `python benchmarks/bench_real_errors.py` (2-core CPU, one torch thread; the runs are `bench_realistic.py`\'s, '
         '5 folds, the package\'s default settings). The truth: the 15 MNIST test labels that at least 3 of 5 Mechanical Turk workers '
         'rejected (Northcutt, Athalye & Mueller 2021; their votes on the 100 digits they showed are public at labelerrors.com). '
         '*one pass*: the first pass\'s ranking; *command*: what `pseudo_clean` writes (its second pass, which it trains here because '
         'the first flags under 1.25%); *command, width 32*: that second pass at width 32 (`--second-width 32`, a lever); *pre1500*: both passes\' '
         'fold models started from a small CNN body pretrained 1,500 contrastive steps on the same 10,000 digits without their labels (`--body`, a lever). '
         'Means of the seeds present.', '',
         '## 1. The data\'s own labels: where the 15 real errors are', '',
         '| passes | seeds | flagged | flagged: errors / contested / confirmed / not shown | first 15 rows: errors / contested / confirmed / not shown | first 50 rows: same | precision@15 | recall@30 | AUPRC | errors the model outvotes (of all it outvotes) | rows of the 15 in suspects.csv (seed 0) |',
         '|---|---|---|---|---|---|---|---|---|---|---|']
    fmt = lambda a: ' / '.join(f'{x:.1f}' for x in a)
    for name in NAMES:
        rs = [r for r in rows if r['case'] == 'real' and r['passes'] == name]
        if not rs: continue
        s0 = [r for r in rs if r['seed'] == 0]
        L.append(f"| {name} | {len(rs)} | {mean(rs, 'n_flagged'):.1f} | {fmt(mean(rs, 'flagged_by_verdict'))} | {fmt(mean(rs, 'top15_by_verdict'))} | "
                 f"{fmt(mean(rs, 'top50_by_verdict'))} | {mean(rs, 'precision_at_k'):.3f} | {mean(rs, 'recall_at_2k'):.3f} | {mean(rs, 'auprc'):.3f} | "
                 f"{mean(rs, 'errors_outvoted'):.1f} ({mean(rs, 'n_outvoted'):.1f}) | {', '.join(map(str, s0[0]['rows_of_errors'])) if s0 else '-'} |")
    L += ['', 'cleanlab\'s filters on the same probabilities (flagged / of them validated errors, means):', '',
          '| passes | predicted ≠ given | confident_learning | prune_by_noise_rate | both |', '|---|---|---|---|---|']
    for name in NAMES:
        rs = [r for r in rows if r['case'] == 'real' and r['passes'] == name]
        if rs: L.append(f'| {name} | ' + ' | '.join(fmt(mean(rs, f'cleanlab_{m}')) for m in ('predicted_neq_given', 'confident_learning', 'prune_by_noise_rate', 'both')) + ' |')
    from pseudo_clean.ranking import SCORES
    L += ['', 'Each label quality score\'s order alone (precision@15 / AUPRC, means):', '',
          '| passes | ' + ' | '.join(SCORES) + ' |', '|---|' + '---|' * len(SCORES)]
    for name in NAMES:
        rs = [r for r in rows if r['case'] == 'real' and r['passes'] == name]
        if rs: L.append(f'| {name} | ' + ' | '.join(' / '.join(f'{x:.3f}' for x in mean(rs, f'score_{m}')) for m in SCORES) + ' |')
    L += ['', '## 2. 1% hard (instance-dependent) noise, scored against the MNIST labels and against people\'s', '',
          '| passes | seeds | flips on validated errors | of them, to the label people read | flips on contested labels | truth | wrong | flagged | flagged/wrong | precision@k | recall@2k | AUPRC | F1 |',
          '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for name in NAMES:
        rs = [r for r in rows if r['case'] == 'hard 1%' and r['passes'] == name]
        if not rs: continue
        for truth in ('mnist', 'people'):
            g = lambda k: np.mean([r[truth][k] for r in rs])
            L.append(f"| {name} | {len(rs)} | {mean(rs, 'flips_on_errors'):.1f} | {mean(rs, 'flips_to_people'):.1f} | {mean(rs, 'flips_on_contested'):.1f} | {truth} | "
                     f"{g('n_wrong'):.1f} | {g('n_flagged'):.1f} | {g('n_flagged') / g('n_wrong'):.2f} | {g('precision_at_k'):.3f} | {g('recall_at_2k'):.3f} | {g('auprc'):.3f} | {g('f1'):.4f} |")
    return '\n'.join(L) + '\n'

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--cached', action='store_true', help='only the runs kept in benchmarks/work/realistic (nothing trained)')
    ap.add_argument('--body', default=None, help="also the runs whose fold models start from this body (`bench_realistic.py`'s `pre1500` rows: "
                    "`pseudo_clean_pretrain ../shared/data/mnist-test/t10k-images-idx3-ubyte.gz --out benchmarks/work/realistic/body_mnist10k_1500.pth`; run from the repository's root)")
    ap.add_argument('--body-name', default='pre1500', help="the name of --body's rows (and of its runs in the cache)")
    ap.add_argument('--second-width', type=int, nargs='*', default=[], help='also the second pass at these widths (a lever; 32 is `bench_realistic.py`\'s two_pass_w32)')
    a = ap.parse_args()
    import torch; torch.set_num_threads(1)
    rows = []
    for seed in a.seeds:
        for kind, rate, make in (('none', 0., real_error_row), ('instance', 0.01, hard_noise_row)):
            got = passes(kind, rate, seed, train=not a.cached) + [p for w in a.second_width for p in passes(kind, rate, seed, not a.cached, w) if p[0].startswith('command, width')]
            if a.body: got += passes(kind, rate, seed, not a.cached, first=a.body_name, settings=dict(weights=a.body))
            for name, smoothing, r, flagged, score in got:
                rows.append(make(name, r, flagged, score, seed)); print(json.dumps(rows[-1]), flush=True)
                if (kind, name, seed) == ('none', 'command', a.seeds[0]): top_rows_figure(r, flagged, score, smoothing)
    from pseudo_clean.data import atomic_write_text
    atomic_write_text(HERE/'real_errors.json', json.dumps(rows, indent=1) + '\n')
    atomic_write_text(HERE/'real_errors.md', to_markdown(rows))
