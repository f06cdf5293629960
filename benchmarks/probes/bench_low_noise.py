"""Which training and ranking levers hold detection from no noise to 10% (issue 22), on the MNIST test set.

Run by hand:  python benchmarks/probes/bench_low_noise.py train [--levers default forget0 ls0.1 adaptive_forget] [--seeds 0]
              python benchmarks/probes/bench_low_noise.py rank        (free: re-ranks every cached run)
Cells: the MNIST test set (10,000 digits, ../shared/data/mnist-test) with no noise, 1% instance-dependent, 1% and
10% symmetric noise (`benchmarks/bench_realistic.py` builds the noise and caches the out-of-fold probabilities).
Training levers (retraining): `default` (forget_rate 0.1, label smoothing 0.3), `forget0` (forget_rate 0), `ls0.1`
(label smoothing 0.1), `adaptive_forget` (forget_rate 0, and each batch leaves out only the items the model currently
confidently contradicts, at most `cap` of the batch: `ForgetContradicted` below, an online noise estimate).
Ranking levers (on the cached probabilities): the score (self-confidence, normalized margin, the package's corrected
probability of the given label), temperature scaling (T fitted on the given labels by NLL), and how the count
flagged is set (the `adaptive` filter, cleanlab's filters, the top `estimate_num_issues` by score, and `other_at_0.5`:
predicted class differs from the given one at a probability of at least 0.5 once the label smoothing is undone).
Also trains `adaptive_forget` on detection cases a and b (the bundled sample, seed 0: `--cells sample:symmetric:0.1
sample:pairs:0.2`) to check it against `benchmarks/seeds.md`. The conclusion, written by hand in low_noise_notes.md, heads low_noise.md.
Writes benchmarks/probes/low_noise.jsonl (one row per run and ranking) and benchmarks/probes/low_noise.md.
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np
import torch
from fastai.callback.core import Callback

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench_realistic import get_run, metrics  # noqa: E402

CELLS = [('none', 0.), ('instance', 0.01), ('symmetric', 0.01), ('symmetric', 0.1)]
SAMPLE_CELLS = [('sample', 'symmetric', 0.1), ('sample', 'pairs', 0.2)]   # detection cases a and b (bench_seeds.py), seed 0

class ForgetContradicted(Callback):
    "Leave out of each training batch the items whose given label the model confidently contradicts (another class at p ≥ `p`), at most `cap` of the batch."
    def __init__(self, p=0.5, cap=0.2): self.p, self.cap = p, cap
    def after_loss(self):
        if not self.training or not len(self.yb): return
        with torch.no_grad():
            pr = self.pred.float().softmax(1); y = self.yb[0]
            other = pr.clone(); other[torch.arange(len(y)), y] = -1
            bad = other.max(1).values >= self.p
        n_bad = int(bad.sum())
        if not n_bad: return
        with self.learn.loss_not_reduced(): losses = self.loss_func(self.pred, *self.yb)
        if n_bad > self.cap * len(y):   # keep only the cap's worth of the highest-loss contradicted items out
            drop = losses.masked_fill(~bad, -np.inf).topk(int(self.cap * len(y))).indices
            bad = torch.zeros_like(bad); bad[drop] = True
        self.learn.loss_grad = losses[~bad].mean(); self.learn.loss = self.learn.loss_grad.clone()

LEVERS = {'default': (dict(), None), 'forget0': (dict(forget_rate=0.), None), 'ls0.1': (dict(label_smoothing=0.1), None),
          'adaptive_forget': (dict(forget_rate=0.), lambda: [ForgetContradicted()])}

def fit_temperature(labels, probs):
    "T minimising the NLL of the given labels under probs^(1/T) (renormalised); a grid, on the log scale."
    lp = np.log(np.clip(probs.astype(np.float64), 1e-12, None))
    def nll(T):
        z = lp / T; z -= z.max(1, keepdims=True)
        return float(-(z[np.arange(len(z)), labels] - np.log(np.exp(z).sum(1))).mean())
    Ts = np.exp(np.linspace(np.log(0.1), np.log(3), 61)); return float(Ts[np.argmin([nll(T) for T in Ts])])

def scale(probs, T):
    z = np.log(np.clip(probs.astype(np.float64), 1e-12, None)) / T; z -= z.max(1, keepdims=True); p = np.exp(z)
    return (p / p.sum(1, keepdims=True)).astype(np.float32)

def rankings(labels, probs, ls):
    "Every (score, temperature, count) combination: yields (names, flag mask, score)."
    from pseudo_clean.ranking import find_label_issues, self_confidence, normalized_margin, corrected_probs, estimate_num_issues
    T = fit_temperature(labels, probs)
    for tname, p, lsm in (('T=1', probs, ls), (f'T={T:.2f} (fit)', scale(probs, T), 0.)):
        scores = dict(self_confidence=self_confidence(labels, p), normalized_margin=normalized_margin(labels, p),
                      corrected=corrected_probs(labels, p, label_smoothing=lsm)[np.arange(len(labels)), labels])
        n_est = estimate_num_issues(labels, p)
        masks = {m: find_label_issues(labels, p, method=m) for m in ('adaptive', 'prune_by_noise_rate', 'both', 'confident_learning', 'predicted_neq_given')}
        q = np.clip((p - lsm / p.shape[1]) / (1 - lsm), 0, None); q /= q.sum(1, keepdims=True)     # label smoothing undone
        pred = p.argmax(1); masks['other_at_0.5'] = (pred != labels) & (q[np.arange(len(labels)), pred] >= 0.5)
        for sname, q in scores.items():
            top = np.zeros(len(labels), bool); top[np.argsort(q, kind='stable')[:n_est]] = True
            for cname, mask in {**masks, 'top_estimate': top}.items():
                yield dict(temperature=tname, score=sname, count=cname), mask, q

def parse_cell(c):
    "An index into CELLS (the MNIST test set), or 'data:kind:rate', e.g. 'sample:symmetric:0.1' (detection case a)."
    if ':' not in c: return ('mnist10k', *CELLS[int(c)])
    d, k, r = c.split(':'); return d, k, float(r)

def train(levers, seeds, cells=None):
    for data, kind, rate in [parse_cell(c) for c in (cells or map(str, range(len(CELLS))))]:
        for lever in levers:
            settings, cbs = LEVERS[lever]
            for s in seeds:
                t = time.time(); get_run(data, kind, rate, s, settings, lever, cbs); print(data, lever, kind, rate, s, f'{time.time() - t:.0f} s', flush=True)

def rank(seeds):
    from bench_realistic import cache_key, WORK
    rows = []
    for lever, (settings, _) in LEVERS.items():
        ls = {'label_smoothing': 0.3, **settings}['label_smoothing']
        for data, kind, rate in [('mnist10k', k, r) for k, r in CELLS] + SAMPLE_CELLS:
            for s in seeds:
                if not (WORK/f"{cache_key(data, kind, rate, s, settings, lever)}.npz").exists(): continue
                r = get_run(data, kind, rate, s, settings, lever)
                acc = float((r['probs'].argmax(1) == r['y_true']).mean())
                for names, mask, q in rankings(r['y_noisy'], r['probs'], ls):
                    rows.append(dict(data=data, lever=lever, kind=kind, rate=rate, seed=s, oof_acc_vs_truth=round(acc, 4), train_seconds=round(float(r['train_seconds'])),
                                     **names, **metrics(r['wrong'], mask, q)))
    with open(HERE/'low_noise.jsonl', 'w') as f: f.writelines(json.dumps(r) + '\n' for r in rows)
    return rows

def cell(r): return ('' if r['data'] == 'mnist10k' else 'sample, ') + f"{r['kind']} {r['rate']:g}"

NOTES = (HERE/'low_noise_notes.md')

def to_markdown(rows):
    L = ['# Low noise: training and ranking levers on the MNIST test set', '',
         *([NOTES.read_text(), ''] if NOTES.exists() else []),
         'Produced by `python benchmarks/probes/bench_low_noise.py` (2-core CPU shared with other jobs, one torch thread; seed 0 unless the '
         'seeds column says more). 10,000 digits, 5 folds. With no noise, *flagged* is the false alarms.', '',
         '## Training levers, default ranking (`adaptive` filter, self-confidence)', '',
         '| lever | cell | OOF acc vs truth | wrong | flagged | flagged/wrong | precision@k | recall@2k | AUPRC | F1 | train s |', '|---|---|---|---|---|---|---|---|---|---|---|']
    d = [r for r in rows if r['temperature'] == 'T=1' and r['score'] == 'self_confidence' and r['count'] == 'adaptive']
    for r in d:
        g = lambda k: f"{r[k]:.3f}" if k in r else '-'
        L.append(f"| {r['lever']} | {cell(r)} | {r['oof_acc_vs_truth']:.4f} | {r['n_wrong']} | {r['n_flagged']} | {g('ratio')} | {g('precision_at_k')} | "
                 f"{g('recall_at_2k')} | {g('auprc')} | {g('f1')} | {r['train_seconds']} |")
    L += ['', '## Ranking levers: the score (count by the `adaptive` filter)', '',
          '| lever | cell | temperature | score | precision@k | recall@2k | AUPRC |', '|---|---|---|---|---|---|---|']
    for r in rows:
        if r['count'] == 'adaptive' and r['n_wrong']:
            L.append(f"| {r['lever']} | {cell(r)} | {r['temperature']} | {r['score']} | {r['precision_at_k']:.3f} | {r['recall_at_2k']:.3f} | {r['auprc']:.3f} |")
    L += ['', '## Ranking levers: the count flagged (flagged/wrong, F1; with no noise: items flagged)', '',
          '| lever | cell | temperature | ' + ' | '.join(c for c in COUNTS) + ' |', '|---|---|---|' + '---|' * len(COUNTS)]
    for key in dict.fromkeys((r['lever'], cell(r), r['temperature']) for r in rows):
        rs = {r['count']: r for r in rows if (r['lever'], cell(r), r['temperature']) == key and r['score'] == 'self_confidence'}
        f = lambda r: f"{r['ratio']:.2f}, {r['f1']:.3f}" if r['n_wrong'] else f"{r['n_flagged']}"
        L.append(f"| {' | '.join(key)} | " + ' | '.join(f(rs[c]) if c in rs else '-' for c in COUNTS) + ' |')
    return '\n'.join(L) + '\n'

COUNTS = ('adaptive', 'prune_by_noise_rate', 'both', 'confident_learning', 'predicted_neq_given', 'top_estimate', 'other_at_0.5')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('what', choices=['train', 'rank'])
    ap.add_argument('--levers', nargs='+', default=list(LEVERS)); ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    ap.add_argument('--cells', nargs='+', help="indices into CELLS or 'data:kind:rate', in the order to train (default: all CELLS)")
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args(); torch.set_num_threads(a.threads)
    if a.what == 'train': train(a.levers, a.seeds, a.cells)
    else:
        from pseudo_clean.data import atomic_write_text
        rows = rank(a.seeds); atomic_write_text(HERE/'low_noise.md', to_markdown(rows)); print(to_markdown(rows))
