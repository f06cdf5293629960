"""Does `forget_rate='auto'` (the default since issue 22) cost on Fashion-MNIST, detection case c? The same run as
`bench_detection.py --cases c` (70,000 images, 10% symmetric noise, seed 0, today's code), with `forget_rate=0.1`.

Run by hand:  python benchmarks/probes/forget_fashion.py   (about 10 minutes on 2 CPUs; needs Debian's dataset-fashion-mnist)
Reads the default run's results from benchmarks/results.json (case c) and writes benchmarks/probes/forget_fashion.json.
"""
import json, sys, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

def auprcs(out):
    "AUPRC of the wrong labels by self-confidence and by normalized margin, on a finished run's probabilities."
    from sklearn.metrics import average_precision_score
    from pseudo_clean.report import load_run
    from pseudo_clean.ranking import label_quality_scores
    r = load_run(out); s = r['suspects'].sort_index()
    labels, y = np.searchsorted(r['classes'], s.given_label.astype(str).values), s.is_noisy.values.astype(bool)
    return {k: round(float(average_precision_score(y, -label_quality_scores(labels, r['probs'], method=k))), 4)
            for k in ('self_confidence', 'normalized_margin')}

def main():
    import torch; torch.set_num_threads(2)
    from bench_detection import fashion_mnist_idx
    from pseudo_clean.run import run
    out = HERE.parent/'work'/'case_c_forget0.1'; t = time.time()
    m = run(str(fashion_mnist_idx()), out=out, noise=0.1, noise_kind='symmetric', overwrite=True, progress=False, forget_rate=0.1)
    rows = [dict(forget_rate=0.1, wall_seconds=round(time.time() - t, 1), f1=round(m['f1'], 4), precision=round(m['precision'], 4),
                 recall=round(m['recall'], 4), n_flagged=m['n_flagged'], oof_acc=round(m['oof_accuracy_vs_truth'], 4), auprc=auprcs(out))]
    c = {r['case']: r for r in json.loads((HERE.parent/'results.json').read_text())['results']}['c']
    d = c['default']; default_dir = HERE.parent/'work'/'case_c'
    rows.insert(0, dict(forget_rate=c['settings'].get('forget_rate', 'auto'), wall_seconds=c['wall_seconds'], f1=round(d['f1'], 4),
                        precision=round(d['precision'], 4), recall=round(d['recall'], 4), n_flagged=d['n_flagged'],
                        oof_acc=round(c['oof_accuracy_vs_truth'], 4), auprc=auprcs(default_dir) if default_dir.exists() else None))
    from pseudo_clean.data import save_json
    save_json(dict(case='c. Fashion-MNIST (70,000), 10% symmetric, seed 0', date=time.strftime('%Y-%m-%d %H:%M'), runs=rows), HERE/'forget_fashion.json')
    print(json.dumps(rows, indent=1))

if __name__ == '__main__': main()
