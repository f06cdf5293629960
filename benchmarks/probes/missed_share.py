"""Probe for issue 22: which first passes does `pseudo_clean.run.missed_share` read as missing hard wrong labels, and which as weak?

Run by hand:  python benchmarks/probes/missed_share.py
1. Every kept one-pass `default` run of `benchmarks/bench_realistic.py` (MNIST test set, the bundled sample, Fashion-MNIST;
   seeds 0-2; free: re-ranked, nothing trained), as `run` measures its first pass: the share flagged, the labels not
   flagged that another class outvotes (`n_outvoted_unflagged`) and how many of them are wrong, the accuracy on the labels
   kept, the flagged share of the labels the model reads as another class, and the second pass `second_pass_rate` asks for.
2. Weak models, through `pseudo_clean.run.run` (run folders of `benchmarks/bench_weak_model.py`, kept in
   benchmarks/work/weak/ and resumed): 1,000 digits of the bundled sample after 1 to 5 epochs with 10% or 30% symmetric
   noise, the first pass's counts (`metrics.json`'s `first_pass` where the run trained twice).
3. Clean labels (no noise injected), through `run` the same way: 1,000 digits after 1 to 5 epochs (seeds 0-1), and all
   5,000 after 1 or 2 (seeds 0-1): a model unsure of its own mistakes. For each, `outvoted_again` of a second training at the
   forget rate the pass would use (`missed_forget_rate` of the share read as another class, at least 0.05; run folders
   `CASE_SEED_second`), and of a stronger one as `low_noise_settings` makes it (twice the epochs, label smoothing 0.1;
   `CASE_SEED_low`), whether or not the command takes either pass, and what the command reports.
4. The same share between two ordinary (`'auto'`) first passes of other splits into folds (other seeds; free where the
   labels do not depend on the seed: the grid's clean and hard-error runs, and the clean-label runs above): does a
   second training without a forget rate tell hard wrong labels from the model's own mistakes, where the model is good?
5. Where the first pass flags few (the low-noise pass trains): the share of the labels it reads as another class and the
   stronger pass's `outvoted_again`, whether or not the command checks (`HARD_SHARE`): every kept digit run of the grid
   with both passes, and the other splits (seeds 5-7, 10-12) of the MNIST test set's clean and 1% hard cells: where
   `HARD_SHARE` can sit.
The grid's runs that take the pass for missed hard errors, or whose low-noise pass checks for them (`HARD_SHARE`), show
its `outvoted_again` in the first table (their second passes, cached).
Writes benchmarks/probes/missed_share.md.
"""
import sys, json
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_realistic as br

WEAK = [('weak_e1', dict(subset=True, epochs=1)), ('weak_e2', dict(subset=True, epochs=2)), ('weak_e3', dict(subset=True, epochs=3)),
        ('weak_e4', dict(subset=True, epochs=4)), ('weak_e5', dict(subset=True, epochs=5)),
        ('weak_e3_n30', dict(subset=True, epochs=3, noise=0.3)), ('weak_e5_n30', dict(subset=True, epochs=5, noise=0.3))]

CLEAN = [(f'clean_e{e}', dict(subset=True, epochs=e, noise=0), (0, 1)) for e in range(1, 6)] + \
        [(f'clean5k_e{e}', dict(subset=False, epochs=e, noise=0), (0, 1)) for e in (1, 2)]

def low_noise_run(data, kind, rate, seed, m:dict)->dict|None:
    "The kept `low_noise_settings` pass after a cached first pass with counts `m` (`bench_realistic.pass_counts`), or None: not taken, or not kept."
    low = br.command_second_settings(m)
    return None if low is None else br.cached_run(data, kind, rate, seed, low, br.second_pass_name(low))

def cached_rows():
    from pseudo_clean.run import missed_share, outvoted_again, outvoted_share, HARD_SHARE
    for data, kind, rate, seed, r, flag, w, out in br.kept_first_passes():
        m = br.pass_counts(r, flag)
        rate2, missed = br.forget_pass_rate(r, flag, {'forget_rate': 'auto', 'label_smoothing': 0.3})
        r2 = br.cached_run(data, kind, rate, seed, dict(forget_rate=rate2), 'forget_est') if missed else None
        if not missed and outvoted_share(m) >= HARD_SHARE: r2 = low_noise_run(data, kind, rate, seed, m)   # the low-noise pass, where it checks
        again = '-' if r2 is None else f"{outvoted_again(r['y_noisy'], r['probs'], flag, r2['probs']):.3f}"
        yield (f'| {data} | {kind} | {rate:g} | {seed} | {flag.mean():.1%} | {int(out.sum())} | {int((out & w).sum())} | {m["oof_accuracy_kept"]:.3f} | '
               f'{flag.sum() / max(flag.sum() + out.sum(), 1):.2f} | {"-" if missed_share(m) is None else f"{missed_share(m):.1%}"} | {rate2 if rate2 else "-"} | {again} |')

def weak_rows(seeds=(0, 1)):
    import bench_weak_model as bw
    from pseudo_clean.run import missed_share
    for case, c in WEAK:
        bw.RUNS.setdefault(case, c)
        for seed in seeds:
            out, _ = bw.train(case, seed)
            m = json.loads((out/'metrics.json').read_text()); first = m.get('first_pass', m)
            f, u, n = first['n_flagged'], first['n_outvoted_unflagged'], m['n_items']
            ms = missed_share(dict(first, n_items=n))
            yield (f"| {case} | {seed} | {n:,} | {m['oof_accuracy_vs_truth']:.3f} | {first['oof_accuracy_kept']:.3f} | {f} | {u} | {f / max(f + u, 1):.2f} | "
                   f"{'-' if ms is None else f'{ms:.1%}'} | {m.get('second_pass') or '-'} | {m['n_flagged'] / m['n_noisy']:.2f} |")

def clean_first_pass(out:Path)->tuple:
    "A clean-label run folder of the command, read as its first pass: (given codes, out-of-fold probabilities, flags in item order, share of the labels read as another class)."
    import pandas as pd
    from pseudo_clean.ranking import rank_suspects
    if 'first_pass' in json.loads((out/'metrics.json').read_text()):
        raise SystemExit(f'{out}: the command ranked a second pass, so oof_probs.npy is not the first; delete the folder and run again')
    y = np.searchsorted((out/'classes.txt').read_text().split(), pd.read_csv(out/'labels.csv', dtype=str).label.values)
    p1 = np.load(out/'oof_probs.npy')
    flag = rank_suspects(y, p1, label_smoothing=0.3).sort_index().is_label_issue.values
    return y, p1, flag, ((p1.argmax(1) != y) | flag).mean()

def clean_rows():
    import bench_weak_model as bw
    from pseudo_clean.run import missed_share, outvoted_again, missed_forget_rate, run
    for case, c, seeds in CLEAN:
        bw.RUNS.setdefault(case, c)
        for seed in seeds:
            out, _ = bw.train(case, seed)                               # the command, as it runs today
            m = json.loads((out/'metrics.json').read_text()); first = m.get('first_pass', m)
            f, u, n = first['n_flagged'], first['n_outvoted_unflagged'], m['n_items']
            ms = missed_share(dict(first, n_items=n))
            y, p1, flag, share = clean_first_pass(out); rate = max(missed_forget_rate(share), 0.05)
            second = out.parent/f'{out.name}_second'
            run(bw.subset_folder() if c['subset'] else None, out=second, noise=0, epochs=c['epochs'], seed=seed, forget_rate=rate, progress=False,
                overwrite=(second/'metrics.json').exists() and json.loads((second/'metrics.json').read_text()).get('forget_rate') != rate)
            again = outvoted_again(y, p1, flag, np.load(second/'oof_probs.npy'))
            low = out.parent/f'{out.name}_low'
            run(bw.subset_folder() if c['subset'] else None, out=low, noise=0, epochs=2 * c['epochs'], label_smoothing=0.1, seed=seed, progress=False)
            again_low = outvoted_again(y, p1, flag, np.load(low/'oof_probs.npy'))
            yield (f"| {case} | {seed} | {n:,} | {first['oof_accuracy_kept']:.3f} | {f} | {u} | {f / max(f + u, 1):.2f} | "
                   f"{'-' if ms is None else f'{ms:.1%}'} | {rate} | {again:.3f} | {again_low:.3f} | {m.get('second_pass') or '-'} | {m['n_flagged']} |")

def split_rows():
    import pandas as pd
    import bench_weak_model as bw
    from pseudo_clean.run import outvoted_again
    from pseudo_clean.ranking import rank_suspects
    for data in ('mnist10k', 'sample', 'fashion'):
        for kind, rate in [('none', 0.)] + [('instance', r) for r in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3)]:
            runs = {s: br.cached_run(data, kind, rate, s, {}, 'default') for s in (0, 1, 2, 5, 10)}
            runs = {s: r for s, r in runs.items() if r is not None}
            if len(runs) < 2: continue
            (s0, first), *others = sorted(runs.items())
            y = first['y_noisy']; flag = br.default_ranking(first, 0.3)[0]; out = (first['probs'].argmax(1) != y) & ~flag
            again = ', '.join(f"{outvoted_again(y, first['probs'], flag, r['probs']):.3f}" for _, r in others)
            yield (f"| {data} | {kind} | {rate:g} | {s0} against {', '.join(str(s) for s, _ in others)} | {br.kept_accuracy(first, flag):.3f} | "
                   f"{flag.sum() / max(flag.sum() + out.sum(), 1):.2f} | {first['wrong'].astype(bool)[out].mean():.2f} | {again} |")
    for case in [c for c, _, _ in CLEAN]:   # clean labels: the same at every seed
        ps = []
        for seed in (0, 1):
            d = bw.WORK/f'{case}_{seed}'
            if json.loads((d/'metrics.json').read_text()).get('first_pass'): break    # a second pass ranked: not a first pass
            lab = pd.read_csv(d/'labels.csv', dtype=str)
            y = np.searchsorted((d/'classes.txt').read_text().split(), lab.label.values); ps.append(np.load(d/'oof_probs.npy'))
        if len(ps) < 2: continue
        flag = rank_suspects(y, ps[0], label_smoothing=0.3).sort_index().is_label_issue.values; out = (ps[0].argmax(1) != y) & ~flag
        yield (f"| sample ({len(y):,}) | {case} | - | 0 against 1 | {(ps[0].argmax(1) == y)[~flag].mean():.3f} | {flag.sum() / max(flag.sum() + out.sum(), 1):.2f} | "
               f"0.00 | {outvoted_again(y, ps[0], flag, ps[1]):.3f} |")

def stronger_rows():
    from pseudo_clean.run import outvoted_again, outvoted_share, HARD_SHARE, MISSED_AGAIN
    for data, kind, rate, seed, r, flag, _, _ in br.kept_first_passes(('mnist10k', 'sample'), seeds=(0, 1, 2, 5, 6, 7, 10, 11, 12)):
        if seed > 2 and not (data == 'mnist10k' and (kind, rate) in (('none', 0.), ('instance', 0.01))): continue   # labels the same at every seed: more splits kept
        m = br.pass_counts(r, flag); r2 = low_noise_run(data, kind, rate, seed, m)
        if r2 is None: continue
        share, again = outvoted_share(m), outvoted_again(r['y_noisy'], r['probs'], flag, r2['probs'])
        checked = share >= HARD_SHARE
        yield (f"| {data} | {kind} | {rate:g} | {seed} | {share:.2%} | {'yes' if checked else 'no'} | {again:.3f} | "
               f"{'all it reads as another class' if checked and again >= MISSED_AGAIN else 'its own'} |")

if __name__ == '__main__':
    import torch; torch.set_num_threads(1)
    L = ['# Hard wrong labels missed, or a weak model? (probe for issue 22)', '', __doc__.split('\n\n')[1].strip(), '',
         '## The grid\'s first passes', '',
         '| data | kind | rate | seed | flagged | outvoted, unflagged | wrong among them | accuracy kept | flagged / (flagged + outvoted, unflagged) | missed_share | second pass forget rate | outvoted_again |',
         '|---|---|---|---|---|---|---|---|---|---|---|---|', *cached_rows(), '',
         '## Weak models (1,000 digits of the bundled sample, `run`\'s defaults but the epochs)', '',
         '| case | seed | items | OOF accuracy (truth) | accuracy kept | flagged | outvoted, unflagged | flagged / (flagged + outvoted, unflagged) | missed_share | second pass | flagged / wrong (final) |',
         '|---|---|---|---|---|---|---|---|---|---|---|', *weak_rows(), '',
         '## Clean labels: a model unsure of its own mistakes (the bundled sample, no noise injected, `run`\'s defaults but the epochs)', '',
         'Every label is right, so whatever is flagged is the model\'s own mistake. `outvoted_again`: of the labels the first pass read as '
         'another class without flagging them, the share a second training at the forget rate shown reads as another class too '
         '(trained here for every case; the command trains it only where `missed_share` is not None), and a stronger pass (twice the epochs, label smoothing 0.1: '
         'the `low_noise_settings` kind, which the command trains where it flags few and the epochs are its own).', '',
         '| case | seed | items | accuracy kept | flagged | outvoted, unflagged | flagged / (flagged + outvoted, unflagged) | missed_share | forget rate | outvoted_again | outvoted_again, a stronger pass | the command\'s second pass | the command flags |',
         '|---|---|---|---|---|---|---|---|---|---|---|---|---|', *clean_rows(), '',
         '## Two ordinary trainings of other splits (`\'auto\'`, no forget rate): the same share', '',
         '`outvoted_again` of the first seed\'s first pass against each other seed\'s (the same labels, other folds and models). '
         'Of the runs in `work/weak/`, only the clean ones compare (the others\' noise is seeded, so their labels differ between seeds).', '',
         '| data | kind | rate | seeds | accuracy kept | flagged / (flagged + outvoted, unflagged) | wrong among the outvoted, unflagged | outvoted_again |',
         '|---|---|---|---|---|---|---|---|', *split_rows(), '',
         '## The stronger pass where the first flags few: where `HARD_SHARE` can sit', '',
         'Every kept digit first pass that flags under 1.25% (`LOW_NOISE_SHARE`) with its low-noise pass kept: the share of the labels '
         'the first pass flags or reads as another class (`outvoted_share`), whether the command checks it (`HARD_SHARE`), the stronger '
         'pass\'s `outvoted_again`, and which flags it ranks.', '',
         '| data | kind | rate | seed | read as another class | checked | outvoted_again, the stronger pass | flags |',
         '|---|---|---|---|---|---|---|---|', *stronger_rows()]
    Path(__file__).with_suffix('.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))
