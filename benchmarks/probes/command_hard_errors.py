"""Probe for issue 22: does the `pseudo_clean` command itself do what `bench_realistic.py --two-pass` models where hard errors are many?

Run by hand:  python benchmarks/probes/command_hard_errors.py [--rate 0.2]
The MNIST test set (IDX, ../shared/data/mnist-test) with `--rate` of its labels made hard wrong labels (`bench_realistic.py`'s
`instance` noise, seed 0), given to the command as `--labels` (so the command injects nothing and knows no truth), default
settings otherwise; its `suspects.csv` is scored here against the true labels. Run folder in benchmarks/work/command_hard/
(resumed on a rerun). Writes benchmarks/probes/command_hard_errors.md (`--rate 0.2`) or command_hard_errors_RATE.md.
"""
import argparse, json, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_realistic as br

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--rate', type=float, default=0.2); a = ap.parse_args()
    from pseudo_clean.data import from_source, atomic_write_text
    work = br.HERE/'work'/'command_hard'; work.mkdir(parents=True, exist_ok=True)
    src = str(br.MNIST_TEST/'t10k-images-idx3-ubyte.gz')
    X, y = br.load_data('mnist10k')
    noisy, wrong = br.make_noise('mnist10k', X, y, 'instance', a.rate, 0)
    labels, out = work/f'labels_{a.rate:g}.csv', work/f'run_{a.rate:g}'
    pd.DataFrame({'item': from_source(src).items, 'label': noisy.astype(str)}).to_csv(labels, index=False)
    cmd = ['pseudo_clean', src, '--labels', str(labels), '--out', str(out)]
    t = time.time(); res = subprocess.run(cmd, capture_output=True, text=True); seconds = time.time() - t
    if res.returncode: raise SystemExit(res.stderr[-3000:])
    m = json.loads((out/'metrics.json').read_text())
    s = pd.read_csv(out/'suspects.csv').set_index('row').sort_index()
    flag = s.is_label_issue.to_numpy(); tp = int((flag & wrong).sum()); p, r = tp / max(flag.sum(), 1), tp / wrong.sum()
    from sklearn.metrics import average_precision_score
    auprc = average_precision_score(wrong, -s.label_quality.to_numpy())
    said = [l for l in res.stdout.splitlines() + res.stderr.splitlines() if l.startswith(('The model reads', 'Few labels look wrong', 'The second training', 'Trained twice', 'items '))]
    L = ['# The command on hard wrong labels (probe for issue 22)', '', __doc__.split('\n\n')[1].strip(), '',
         f'`{" ".join(["pseudo_clean", "t10k-images-idx3-ubyte.gz", "--labels", labels.name, "--out", out.name])}`, {a.rate:.0%} hard wrong labels '
         f'({int(wrong.sum()):,}), {time.strftime("%Y-%m-%d")}, {seconds:.0f} s (2-core CPU, shared with other jobs):', '',
         '| first pass: flagged, accuracy on the labels kept, read as another class unflagged | second pass | flagged | precision | recall | F1 | AUPRC |',
         '|---|---|---|---|---|---|---|',
         f"| {m['first_pass']['n_flagged']:,}, {m['first_pass']['oof_accuracy_kept']:.3f}, {m['first_pass']['n_outvoted_unflagged']:,} | {m['second_pass']} | "
         f"{int(flag.sum()):,} | {p:.3f} | {r:.3f} | {2 * p * r / (p + r):.4f} | {auprc:.4f} |" if 'first_pass' in m else
         f"| one pass | - | {int(flag.sum()):,} | {p:.3f} | {r:.3f} | {2 * p * r / (p + r):.4f} | {auprc:.4f} |", '',
         'What it said:', '', '```', *said, '```']
    md = Path(__file__).with_suffix('.md') if a.rate == 0.2 else Path(__file__).with_name(f'command_hard_errors_{a.rate:g}.md')
    atomic_write_text(md, '\n'.join(L) + '\n'); print('\n'.join(L))
