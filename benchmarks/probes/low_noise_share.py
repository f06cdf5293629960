"""Would the low-noise pass take Fashion-MNIST's 10% hard errors back (issue 22's one regressed cell)? That cell's first pass
flags 1.6% of the items, just above `pseudo_clean.run.LOW_NOISE_SHARE` (1.25%), so the command trained once (F1 0.153, against
0.222 before issue 22). This probe gives a cell the command's low-noise pass as if that share were `--share` (default 2.5%):
`bench_realistic.two_pass_row` on the first pass, with `LOW_NOISE_SHARE` set for the probe only. It led to the rule the
command now has (`low_noise_share.md`): the pass also where the first pass flags under `MISSED_FEW_SHARE` (2%) and leaves
`MISSED_RATIO` times as many labels it reads as another class unflagged; with that rule a cell's pass is the same as here.

Run by hand:  python benchmarks/probes/low_noise_share.py [--data fashion] [--kind instance] [--rate 0.1] [--seeds 1] [--share 0.025] [--threads 2]
The first pass is `bench_realistic.py`'s cached run (benchmarks/work/realistic/), trained here where it is not cached (the digit cells,
a minute each; a Fashion-MNIST cell, 10-15 minutes), so the second pass follows the counts the command would have.
Appends to benchmarks/probes/low_noise_share.jsonl.
The cells a 2.5% share would change besides (first passes flagging 1.25-2.5%): the MNIST test set's 2% symmetric (1.95%) and
look-alike (1.57%) errors, the sample's 2% look-alike (1.58%) and symmetric (2.05%) errors, Fashion-MNIST's 1% hard errors (2.41%).
"""
import argparse, json, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='fashion'); ap.add_argument('--kind', default='instance'); ap.add_argument('--rate', type=float, default=0.1)
    ap.add_argument('--seeds', type=int, nargs='+', default=[1]); ap.add_argument('--share', type=float, default=0.025); ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    import torch; torch.set_num_threads(a.threads)
    import pseudo_clean.run as pr
    import bench_realistic as br
    from pseudo_clean.train import DEFAULT_SETTINGS
    pr.LOW_NOISE_SHARE = a.share                                     # for this probe only
    rows = [json.loads(l) for l in (HERE.parent/'realistic.jsonl').read_text().splitlines() if l.strip()]
    for seed in a.seeds:
        row = [r for r in rows if (r['data'], r['kind'], r['rate'], r['seed'], r['name']) == (a.data, a.kind, a.rate, seed, 'default')][-1]
        t = time.time()
        r1 = br.get_run(a.data, a.kind, a.rate, seed, {})              # the first pass: cached, or trained now
        first = br.metrics(r1['wrong'], *br.default_ranking(r1, DEFAULT_SETTINGS['label_smoothing']))
        out = br.two_pass_row(row, train=True)
        res = dict(date=time.strftime('%Y-%m-%d %H:%M'), data=a.data, kind=a.kind, rate=a.rate, seed=seed, low_noise_share=a.share, threads=a.threads,
                   wall_seconds=round(time.time() - t, 1), first_pass={k: first[k] for k in ('n_flagged', 'f1', 'auprc')},
                   **{k: out.get(k) for k in ('second_pass', 'n_flagged', 'precision_at_k', 'recall_at_2k', 'auprc', 'f1', 'oof_acc_vs_truth', 'train_seconds')})
        print(json.dumps(res))
        with open(HERE/'low_noise_share.jsonl', 'a') as f: f.write(json.dumps(res) + '\n')

if __name__ == '__main__': main()
