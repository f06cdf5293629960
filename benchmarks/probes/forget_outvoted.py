"""A lower contradiction threshold for `forget_rate='auto'` (issue 22): does it win back Fashion-MNIST's case c without
losing the low-noise gains?

`ForgetContradicted` leaves out of each batch the items whose given label the model contradicts: another class at
p >= 0.5. On Fashion-MNIST many wrong labels sit between overlapping classes, where the right class gets 0.3-0.5
during training, so they stay in. The variant here ('outvoted'): another class at p >= 0.3 *and* above the given
label (the model's top class is not the given one; at 0.3 a model early in training is not yet that sure of anything,
so the rule still starts at nothing). Same cap (a fifth of the batch).

Run by hand:  python benchmarks/probes/forget_outvoted.py [--cases c mnist]   (case c about 11 minutes on 2 CPUs)
  c      detection case c (Fashion-MNIST 70k, 10% symmetric, seed 0) through `pseudo_clean.run.run`, in benchmarks/work/case_c_outvoted
  mnist  bench_realistic's cells at seed 0 (MNIST test: none, 1% symmetric, 1% instance; sample: 10% symmetric,
         20% pairs), cached under the settings name 'outvoted'
Ranks with today's filter, and the default-training runs (case_c, bench_realistic's 'default' cache) beside them.
`--rescore`: no training, case c's two kept runs ranked again with today's filter.
Writes benchmarks/probes/forget_outvoted.json and .md.
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
P_OUTVOTED = 0.3

def use_outvoted():
    "Make `ForgetContradicted` (what forget_rate='auto' builds) the 'outvoted' variant, in this process."
    import torch
    from pseudo_clean.train import ForgetContradicted, FORGET_CAP
    def contradicted(self, pred, y):
        p = pred.float().softmax(1); given = p.gather(1, y[:, None])[:, 0]
        other = p.scatter(1, y[:, None], -1.).max(1).values
        return (other >= self.p) & (other > given)
    ForgetContradicted.contradicted = contradicted
    ForgetContradicted.__init__.__defaults__ = (P_OUTVOTED, FORGET_CAP)

def score_run(y, probs, wrong):
    from pseudo_clean.ranking import rank_suspects
    from bench_realistic import metrics
    s = rank_suspects(y, probs, label_smoothing=0.3).sort_index()
    return metrics(wrong, s.is_label_issue.values, s.label_quality.values)

def from_run(d):
    import pandas as pd
    lab = pd.read_csv(d/'labels.csv', dtype=str); cl = (d/'classes.txt').read_text().split()
    return np.searchsorted(cl, lab.label.values), np.load(d/'oof_probs.npy'), lab.label.values != lab.source_label.values

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--cases', nargs='+', default=['c', 'mnist'])
    ap.add_argument('--rescore', action='store_true', help="no training: rank case c's two kept runs again with today's filter")
    a = ap.parse_args()
    import torch; torch.set_num_threads(2)
    out_json = HERE/'forget_outvoted.json'
    rows = json.loads(out_json.read_text()) if out_json.exists() else []
    use_outvoted()
    if a.rescore:
        for r in rows:
            if r['case'].startswith('c.'):
                d = HERE.parent/'work'/('case_c' if r['training'] == 'auto (default)' else 'case_c_outvoted')
                y, p, w = from_run(d); r.update(score_run(y, p, w))
    elif 'c' in a.cases:
        from bench_detection import fashion_mnist_idx
        from pseudo_clean.run import run
        out = HERE.parent/'work'/'case_c_outvoted'; t = time.time()
        run(str(fashion_mnist_idx()), out=out, noise=0.1, noise_kind='symmetric', overwrite=True, progress=False)
        wall = time.time() - t
        for name, d, secs in (('auto (default)', HERE.parent/'work'/'case_c', None), ('outvoted', out, wall)):
            y, p, w = from_run(d)
            rows.append(dict(case='c. Fashion-MNIST 70k, 10% symmetric', seed=0, training=name, wall_seconds=secs and round(secs, 1),
                             oof_acc_clean=round(float((p.argmax(1) == y)[~w].mean()), 4), **score_run(y, p, w)))
            print(rows[-1], flush=True)
    if 'mnist' in a.cases and not a.rescore:
        import bench_realistic as br
        torch.set_num_threads(1)
        for data, kind, rate in (('mnist10k', 'none', 0.), ('mnist10k', 'symmetric', 0.01), ('mnist10k', 'instance', 0.01),
                                 ('sample', 'symmetric', 0.1), ('sample', 'pairs', 0.2)):
            for name in ('default', 'outvoted'):
                if name == 'default' and not (br.WORK/f"{br.cache_key(data, kind, rate, 0, {}, name)}.npz").exists():
                    print(f'no cached default run of {data} {kind} {rate:g}: run bench_realistic.py first'); continue
                r = br.get_run(data, kind, rate, 0, {}, name)
                rows.append(dict(case=f'{data} {kind} {rate:g}', seed=0, training='auto (default)' if name == 'default' else name,
                                 wall_seconds=round(float(r['train_seconds']), 1),
                                 oof_acc_clean=round(float((r['probs'].argmax(1) == r['y_noisy'])[~r['wrong']].mean()), 4),
                                 **score_run(r['y_noisy'], r['probs'], r['wrong'])))
                print(rows[-1], flush=True)
    out_json.write_text(json.dumps(rows, indent=1) + '\n')
    L = ['# A lower contradiction threshold for `forget_rate=\'auto\'` (probe for issue 22)', '',
         'Produced by `python benchmarks/probes/forget_outvoted.py` (2-core CPU). `auto (default)`: `ForgetContradicted` as shipped '
         '(another class at p ≥ 0.5); `outvoted`: another class at p ≥ 0.3 and above the given label. Seed 0; ranked by today\'s filter.', '',
         '| case | training | OOF acc (clean labels) | wrong | flagged | precision@k | AUPRC | F1 | train s |', '|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        L.append(f"| {r['case']} | {r['training']} | {r['oof_acc_clean']:.4f} | {r['n_wrong']} | {r['n_flagged']} | {r.get('precision_at_k', '-')} | "
                 f"{r.get('auprc', '-')} | {r.get('f1', '-')} | {r['wall_seconds'] if r['wall_seconds'] is not None else '-'} |")
    L += ['', CONCLUSION]
    (HERE/'forget_outvoted.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))

CONCLUSION = """## Conclusion (2026-12-03): rejected

On case c the variant trains a worse model: out-of-fold accuracy on the clean labels 0.9015 against 0.9111, AUPRC 0.823
against 0.896, F1 0.84 against 0.88 (ranked by the same filter). Leaving out what the model gives another class at
0.3-0.5 during training leaves out the right labels of the overlapping classes (shirts, T-shirts, pullovers, coats),
the very items the model needs to tell them apart; the wrong labels it would catch are fewer than the right ones it
drops. The low-noise cells (`mnist`) were not run: the loss on case c settles it. What stays open for case c is a
rate from the run's own estimated noise (a first pass), at twice the training."""

if __name__ == '__main__': main()
