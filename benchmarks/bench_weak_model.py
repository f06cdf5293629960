"""Weak-model benchmark (issue 22): does a weak model balloon the count of wrong labels, what does `forget_hint` advise
then, and can a change of the filter keep the count down without losing F1 where the model is good?

Run by hand (not a test):  python benchmarks/bench_weak_model.py [--seeds 0 1 2] [--strong-dir DIR]
                           python benchmarks/bench_weak_model.py --md-only     (rewrites weak_model.md from weak_model.json)

Cases, each through `pseudo_clean.run.run` with 10% symmetric noise unless said, and the package defaults otherwise:
  weak_e1, weak_e2, weak_e3  1,000 digits of the bundled sample (every fifth), 1, 2 or 3 epochs: out-of-fold accuracy
                             about 45%, 65% and 75%
  early_e1                   the 5,000 digits, stopped after 1 epoch: about 91%
  strong_30                  the 5,000 digits, default epochs, 30% symmetric noise (seed 0 only): the hint must still advise
  strong_a, strong_b         bench_seeds.py's run folders (`work/seeds_{a,b}_{seed}`, default epochs, 10% symmetric and
                             20% look-alike pairs), read, not trained: pass --strong-dir where they are
Run folders are kept in benchmarks/work/weak/ and reused (a rerun resumes from their folds). For each run: the
flagged count against the wrong labels, F1, out-of-fold accuracy against the truth and on the labels the filter keeps
(`oof_accuracy_kept`, what `forget_hint` looks at), and the hint before (count only) and after (model first). Then
candidate filter rules on the same probabilities: F1 on the strong cases (must stay within 0.005 of the default)
and flagged/wrong on the weak ones. Writes benchmarks/weak_model.json and benchmarks/weak_model.md.
"""
import argparse, json, time
from pathlib import Path
import numpy as np, pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE/'work'/'weak'
RUNS = {'weak_e1': dict(subset=True, epochs=1), 'weak_e2': dict(subset=True, epochs=2), 'weak_e3': dict(subset=True, epochs=3),
        'early_e1': dict(subset=False, epochs=1), 'strong_30': dict(subset=False, epochs=None, noise=0.3)}

def subset_folder()->Path:
    "1,000 digits of the bundled sample (every fifth), written once as an image folder."
    from pseudo_clean.data import mnist_sample, write_image_folder
    d = WORK/'sample_1000'
    if not d.exists(): write_image_folder(mnist_sample().subset(np.arange(0, 5000, 5)), d)
    return d

def train(case:str, seed:int)->tuple:
    "Run (or resume) one case; its folder and wall seconds."
    from pseudo_clean.run import run
    c, out = RUNS[case], WORK/f'{case}_{seed}'
    t = time.time()
    run(subset_folder() if c['subset'] else None, out=out, noise=c.get('noise', 0.1), epochs=c['epochs'], seed=seed, progress=False)
    return out, round(time.time() - t, 1)

def read(out:Path)->tuple:
    "Given codes, true codes, out-of-fold probabilities of a run folder (with injected noise)."
    P = np.load(out/'oof_probs.npy'); lab = pd.read_csv(out/'labels.csv', dtype=str)
    cl = (out/'classes.txt').read_text().split()
    return np.searchsorted(cl, lab.label.values), np.searchsorted(cl, lab.source_label.values), P

def rules(y, P)->dict:
    "The default filter and the candidate changes measured against it, as masks."
    from pseudo_clean.ranking import find_label_issues, self_confidence, normalized_margin, confident_joint, chance_cut
    sc, K, j = self_confidence(y, P), P.shape[1], confident_joint(y, P)
    d, rate = find_label_issues(y, P), 1 - np.trace(j) / j.sum()
    import pseudo_clean.ranking as ranking
    odds, ranking.ODDS_AGAINST = ranking.ODDS_AGAINST, 0
    try: before = find_label_issues(y, P)
    finally: ranking.ODDS_AGAINST = odds
    return {'default (adaptive)': d, 'default before the odds (`ODDS_AGAINST` = 0, until 2026-12-03)': before, 'default, self-confidence < chance_cut in both branches': d & (sc < chance_cut(K, rate)),
            'default, self-confidence < 1/K': d & (sc < 1 / K), 'default, top probability > 0.5': d & (P.max(1) > 0.5),
            'default, normalized margin < 0.4': d & (normalized_margin(y, P) < 0.4), 'prune_by_noise_rate': find_label_issues(y, P, method='prune_by_noise_rate'),
            'both': find_label_issues(y, P, method='both'), 'confident_learning': find_label_issues(y, P, method='confident_learning')}

def measure(case:str, seed:int, out:Path, wall)->dict:
    from pseudo_clean.run import forget_hint
    y, t, P = read(out); wrong = y != t
    masks = rules(y, P); flag = masks['default (adaptive)']
    kept = float((P.argmax(1) == y)[~flag].mean())
    f1 = lambda m: float(2 * (m & wrong).sum() / (m.sum() + wrong.sum()))
    return dict(case=case, seed=seed, wall_seconds=wall, n_items=len(y), n_wrong=int(wrong.sum()), n_flagged=int(flag.sum()),
                flagged_per_wrong=round(float(flag.sum() / wrong.sum()), 3), f1=round(f1(flag), 4),
                oof_accuracy_vs_truth=round(float((P.argmax(1) == t).mean()), 4), oof_accuracy_kept=round(kept, 4),
                hint_before=forget_hint(int(flag.sum()), len(y), 'auto'), hint_after=forget_hint(int(flag.sum()), len(y), 'auto', kept_accuracy=kept),
                rules={k: dict(f1=round(f1(m), 4), flagged_per_wrong=round(float(m.sum() / wrong.sum()), 3)) for k, m in masks.items()})

def markdown(rows:list)->str:
    from pseudo_clean.run import WEAK_MODEL_ACCURACY
    df = pd.DataFrame(rows)
    L = ['# Weak model: the count, the hint, and the filter', '',
         f"Produced by `python benchmarks/bench_weak_model.py` on {time.strftime('%Y-%m-%d')} (2-core CPU shared with other jobs, one torch thread). "
         'Bundled MNIST sample, package defaults but for the epochs and the subset named; 10% symmetric noise unless said. '
         'Means over the seeds of each case (`weak_model.json` has every run).', '',
         '## The count and the hint', '',
         f'`oof_accuracy_kept`: out-of-fold accuracy on the labels the default filter keeps, what `forget_hint` looks at first (too weak below {WEAK_MODEL_ACCURACY:.0%}).', '',
         '| case | seeds | items | OOF accuracy (truth) | OOF accuracy kept | wrong | flagged | flagged / wrong | F1 | hint before (count only) | hint now |',
         '|---|---|---|---|---|---|---|---|---|---|---|']
    short = lambda h: 'none' if not isinstance(h, str) else ('too weak to count' if 'too weak' in h else h.split('rerun with ')[1].split(' to')[0])
    for case, g in df.groupby('case', sort=False):
        L.append(f"| {case} | {len(g)} | {g.n_items.iloc[0]:,} | {g.oof_accuracy_vs_truth.mean():.3f} | {g.oof_accuracy_kept.mean():.3f} "
                 f"({g.oof_accuracy_kept.min():.3f}-{g.oof_accuracy_kept.max():.3f}) | {g.n_wrong.mean():.0f} | {g.n_flagged.mean():.0f} | "
                 f"{g.flagged_per_wrong.mean():.2f} | {g.f1.mean():.4f} | {', '.join(sorted(set(map(short, g.hint_before))))} | "
                 f"{', '.join(sorted(set(map(short, g.hint_after))))} |")
    L += ['', '## Can the filter keep the count down?', '',
          'Each rule on the same out-of-fold probabilities: F1 on the strong cases (mean of seeds; the default\'s must not drop by more '
          'than 0.005) and flagged / wrong on the weak ones (1.0 is the truth).', '']
    cases = list(dict.fromkeys(df.case))
    strong = [c for c in cases if c.startswith('strong')]; weak = [c for c in cases if not c.startswith('strong')]
    L += ['| rule | ' + ' | '.join(f'F1 {c}' for c in strong) + ' | ' + ' | '.join(f'flagged/wrong {c}' for c in weak) + ' |',
          '|---|' + '---|' * (len(strong) + len(weak))]
    for r in rows[0]['rules']:
        mean = lambda c, k: np.mean([x['rules'][r][k] for x in rows if x['case'] == c])
        L.append(f'| {r} | ' + ' | '.join(f"{mean(c, 'f1'):.4f}" for c in strong) + ' | ' + ' | '.join(f"{mean(c, 'flagged_per_wrong'):.2f}" for c in weak) + ' |')
    L += ['', '## Conclusion', '', CONCLUSION]
    return '\n'.join(L) + '\n'

CONCLUSION = """A weak model balloons the count: on 1,000 digits after 2 epochs (out-of-fold accuracy 61%, three seeds) the default
flags 3.4 times the wrong labels, after 1 epoch 5.1 times, and the hint advised `--forget_rate 0.30` for both. No rule
measured keeps that count near the truth without losing F1 where the model is good: the one that cuts it most (top
probability > 0.5) still flags 2.8 times the wrong labels and costs the strong cases 0.03 to 0.10 F1, and every other
loses more than 0.005 F1 on at least one strong case (the chance cut in both branches: 0.016 on the look-alike pairs)
while moving the weak count by 0.4 or less. A weak model's out-of-fold probabilities say its own mistakes are
confidently another class, and no filter on them tells those from wrong labels. So `forget_hint` looks at the model
first: below 90% accuracy on the labels it keeps (81-85% on the weak runs), it says the model is too weak to count
wrong labels and how to make it stronger, instead of advising a rate. The runs with the default epochs keep 97-99% and
get the advice they got before (30% noise: `--forget_rate 0.30`); the 5,000 digits stopped after 1 epoch (91% right,
92% of the kept labels) get no warning.

Since 2026-12-03 the global cut asks for odds against the given label (`ODDS_AGAINST`: the best other class at least
4 times the given label's probability, the noise's share aside; `probes/odds_against.md`). Here it moves the weak
counts by 0.01-0.07 and the early-stopped one from 1.13 to 1.09, raises strong_a's F1 by 0.0016 and costs strong_30
0.0008: it is made for the unsure models of the colour benchmarks (a resnet18 at 81%: 1.49 times the wrong labels
down to 1.29, F1 0.735 to 0.785), not for these, whose own mistakes are confident."""

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--strong-dir', type=Path, default=HERE/'work', help="where bench_seeds.py's seeds_{a,b}_{seed} folders are")
    ap.add_argument('--md-only', action='store_true')
    args = ap.parse_args()
    if args.md_only:
        rows = json.loads((HERE/'weak_model.json').read_text())
    else:
        rows = []
        for case in RUNS:
            for s in ([0] if case == 'strong_30' else args.seeds):
                out, wall = train(case, s)
                rows.append(measure(case, s, out, wall)); print({k: v for k, v in rows[-1].items() if k != 'rules'}, flush=True)
        for c in 'ab':
            for s in args.seeds:
                out = args.strong_dir/f'seeds_{c}_{s}'
                if (out/'oof_probs.npy').exists(): rows.append(measure(f'strong_{c}', s, out, None))
        from pseudo_clean.data import save_json
        save_json(rows, HERE/'weak_model.json')
    from pseudo_clean.data import atomic_write_text
    atomic_write_text(HERE/'weak_model.md', markdown(rows))
    print(markdown(rows))
