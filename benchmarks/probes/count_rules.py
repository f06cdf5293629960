"""How many items should be flagged at low noise (issue 22)? Count rules on the cached out-of-fold probabilities.

Run by hand, after `benchmarks/bench_realistic.py` has cached its runs (free: no training):
    python benchmarks/probes/count_rules.py [--names default ls0.1]
For each cached MNIST-test run (benchmarks/work/realistic/, seed 0) of the named settings: the package's default count
(`rank_suspects`: the `adaptive` filter) against flagging every item whose most likely other class reaches p ≥ t once
label smoothing is undone (`other≥t`), with flagged/wrong, F1 and the clean-label false alarms; and where the wrong
labels and the model's own mistakes on clean labels sit (the quartiles of that other-class probability).
Writes benchmarks/probes/count_rules.md.
"""
import argparse, sys
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench_realistic import cached_run  # noqa: E402

CELLS = [('none', 0.), ('instance', 0.01), ('symmetric', 0.01), ('symmetric', 0.1)]
SETTINGS = {'default': {}, 'ls0.1': {'label_smoothing': 0.1}}
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)

def other_prob(probs, labels, label_smoothing):
    "The most likely other class's probability, label smoothing undone."
    K = probs.shape[1]
    q = np.clip((probs - label_smoothing / K) / (1 - label_smoothing), 0, None); q /= q.sum(1, keepdims=True)
    o = q.copy(); o[np.arange(len(labels)), labels] = -1
    return o.max(1)

def f1(flag, wrong):
    tp = int((flag & wrong).sum()); p = tp / max(flag.sum(), 1); r = tp / max(wrong.sum(), 1)
    return 2 * p * r / (p + r) if p + r else 0.

NOTES = """
## Conclusion (2026-12-03, seed 0; the runs are the `default` and `ls0.1` rows of benchmarks/realistic.md)

- **The count is the model's, not the filter's.** At 1% hard (instance-dependent) errors the default counts 15 of
  100: half the wrong labels get an other-class probability below 0.54, where the model's own mistakes on clean labels
  sit too (median 0.43). Any threshold that finds more of the hard errors flags those mistakes with them: flagging
  `other≥0.5` gives 82 at 1% hard errors (F1 0.59 against 0.23), but 25 false alarms on clean labels and 130 at 1%
  symmetric noise (F1 0.84 against the default's 0.97). No single rule here lands in the issue's 0.8-1.5 at both kinds
  without losing the symmetric case's F1, as with the rules tried on the weak model (`benchmarks/weak_model.md`).
- **Label smoothing 0.1 instead of 0.3** makes the fold models surer, of right and wrong alike: the hard errors move up
  (AUPRC 0.706 against 0.666, means of seeds 0 and 1; flagged 21.5 against 16), the clean mistakes too (53 of them at
  `other≥0.5`, against 25). Cases a and b (seed 0) hold (F1 0.9791 and 0.9747 against 0.9771 and 0.9729), but 1%
  symmetric noise on the MNIST test set lost 0.019 F1 at seed 0 (and gained 0.0005 at seed 1): not adopted on two
  seeds. Next: seed 2 of every cell, and cases a and b at three seeds, before changing the default.
- What would move the hard errors: a stronger model (the OOF accuracy on the true labels is 0.989, and 85-103 clean
  digits are mistaken), more out-of-fold predictions per item (repeated K-fold), or a pretrained backbone.
"""

def main(names):
    from pseudo_clean.ranking import rank_suspects
    L = ['# Count rules at low noise (probe for issue 22)', '', ' '.join(__doc__.split('\n')[4:9]), '',
         '| settings | cell | wrong | OOF acc vs truth | adaptive: flagged (F1) | ' + ' | '.join(f'other≥{t}: flagged (F1)' for t in THRESHOLDS) +
         ' | wrong: other-class p, quartiles | clean labels the model gets wrong: n, other-class p quartiles |',
         '|---|---|---|---|---|' + '---|' * len(THRESHOLDS) + '---|---|']
    for name in names:
        s = SETTINGS[name]; ls = s.get('label_smoothing', 0.3)
        for kind, rate in CELLS:
            z = cached_run('mnist10k', kind, rate, 0, s, name)
            if z is None: continue
            p, y, t, w = z['probs'], z['y_noisy'], z['y_true'], z['wrong'].astype(bool)
            po = other_prob(p, y, ls)
            ad = rank_suspects(y, p, label_smoothing=ls).sort_index().is_label_issue.values
            cell = lambda m: f'{int(m.sum())} ({f1(m, w):.3f})' if w.any() else f'{int(m.sum())}'
            mis = (p.argmax(1) != t) & ~w
            qs = lambda a: ' / '.join(f'{v:.2f}' for v in np.percentile(a, [25, 50, 75])) if len(a) else '-'
            L.append(f"| {name} | {kind} {rate:g} | {int(w.sum())} | {(p.argmax(1) == t).mean():.4f} | {cell(ad)} | " +
                     ' | '.join(cell(po >= th) for th in THRESHOLDS) + f' | {qs(po[w])} | {int(mis.sum())}: {qs(po[mis])} |')
    return '\n'.join(L) + '\n' + NOTES

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--names', nargs='+', default=list(SETTINGS))
    md = main(ap.parse_args().names)
    from pseudo_clean.data import atomic_write_text
    atomic_write_text(HERE/'count_rules.md', md); print(md)
