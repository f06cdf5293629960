"""Does temperature scaling of the out-of-fold probabilities rank wrong labels better (issue 22 lists calibration as a
lever)? Reads the out-of-fold probabilities that `benchmarks/bench_realistic.py` caches under `benchmarks/work/realistic/`
(every cached case: the MNIST test set and the bundled sample with hard, instance-dependent errors, symmetric errors at
low rates, Fashion-MNIST at 1%) and ranks each by the default score, the normalized margin, on p^(1/T) renormalised, for
T from 0.25 to 4. A temperature fitted on held-out data (Guo et al. 2017) is one of these: the sweep bounds what fitting
one could gain. No training: seconds.

Run (after bench_realistic.py has run):  python benchmarks/probes/temperature.py   (writes temperature.md here)
"""
import glob, re
from pathlib import Path
import numpy as np
from sklearn.metrics import average_precision_score

HERE = Path(__file__).resolve().parent
TS = (0.25, 0.5, 1, 2, 4)

def margin(p, y):
    "The normalized margin's order: p[given] minus the largest other p."
    i = np.arange(len(y)); pg = p[i, y]; q = p.copy(); q[i, y] = -1
    return pg - q.max(1)

def tempered(p, T):
    lp = np.log(np.clip(p, 1e-12, 1))/T; q = np.exp(lp - lp.max(1, keepdims=True))
    return q/q.sum(1, keepdims=True)

def main():
    files = sorted(glob.glob(str(HERE.parent/'work'/'realistic'/'*_*_*_*_*.npz')))
    rows = []
    for f in files:
        data, kind, rate, seed = re.match(r'(\w+?)_(\w+)_([\d.]+)_(\d+)_', Path(f).name).groups()
        z = np.load(f); p, y, w = z['probs'].astype(np.float64), z['y_noisy'], z['wrong']
        if not w.any(): continue
        rows.append((data, kind, float(rate), int(seed), [average_precision_score(w, -margin(tempered(p, T), y)) for T in TS]))
    rows.sort()
    L = ['# Temperature scaling and the ranking (probe for issue 22)', '',
         'Produced by `python benchmarks/probes/temperature.py` from the out-of-fold probabilities `bench_realistic.py` cached '
         '(today\'s defaults, 5 folds); AUPRC of the normalized-margin order on p^(1/T), renormalised.', '',
         '| data | noise | rate | seed | ' + ' | '.join(f'T={t}' for t in TS) + ' | best - T=1 |', '|---|---|---|---|' + '---|'*(len(TS) + 1)]
    for d, k, r, s, a in rows:
        L.append(f'| {d} | {k} | {r:g} | {s} | ' + ' | '.join(f'{v:.4f}' for v in a) + f' | {max(a) - a[TS.index(1)]:+.4f} |')
    hard = [a for d, k, r, s, a in rows if k == 'instance']
    gain = max(max(a) - a[TS.index(1)] for a in hard) if hard else float('nan')
    L += ['', f'On the hard (instance-dependent) errors no temperature gains more than {gain:.4f} AUPRC over T=1, on any case and seed: '
          'the hard errors are not ranked low because the probabilities are over- or under-confident, but because the model gives '
          'them their given class. Temperature moves the other rows: the digits\' symmetric ones by a few thousandths (higher T '
          'slightly better), Fashion-MNIST at 1% by +0.07 at T=4 (one seed), where a softer margin comes closer to self-confidence '
          '(0.611 on that run), the better order where classes overlap (`nbs/explanations/detection_defaults.ipynb`). That is the '
          'score question of overlapping classes, not the hard errors the target is about, and one seed; the package does not '
          'scale temperatures.']
    (HERE/'temperature.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))

if __name__ == '__main__': main()
