"""Detection benchmark: detection quality and speed, through the same code path as the `pseudo_clean` command.

Run by hand (not a test):  python benchmarks/bench_detection.py [--cases a b c] [--threads N]
                           python benchmarks/bench_detection.py --rescore   (no training: the kept runs ranked by today's filters)
Each case runs in its own process (so peak memory is that case's), calls `pseudo_clean.run.run`, then compares,
on the *same* out-of-fold probabilities: the reference walk-through's rule (predicted != given), cleanlab's
`find_label_issues` (`prune_by_noise_rate` and `both`, called directly; the package itself builds on cleanlab
since cleanlab 2.9 is Apache-2.0), and this package's default. Writes benchmarks/results.json and benchmarks/results.md.

Cases:
  a. bundled 5,000-digit MNIST sample, 10% symmetric noise
  b. the same sample, 20% class-pair noise (7<->1, 3<->8, 5<->6, 4<->9)
  c. Fashion-MNIST, all 70,000 images (Debian's dataset-fashion-mnist, installed if missing), 10% symmetric noise
"""
import argparse, json, os, platform, resource, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FASHION = Path('/usr/share/datasets/fashion-mnist')

CASES = {
    'a': dict(title='MNIST sample (5,000), 10% symmetric', source=None, noise=0.1, noise_kind='symmetric'),
    'b': dict(title='MNIST sample (5,000), 20% class-pair', source=None, noise=0.2, noise_kind='pairs'),
    'c': dict(title='Fashion-MNIST (70,000), 10% symmetric', source='fashion', noise=0.1, noise_kind='symmetric'),
}

def fashion_mnist_idx()->Path:
    "Fashion-MNIST as one pair of IDX files (train + test, 70,000 images), installing Debian's package if missing."
    if not FASHION.exists():
        subprocess.run(['apt-get', 'install', '-y', 'dataset-fashion-mnist'], check=True, stdout=subprocess.DEVNULL)
    import numpy as np
    from pseudo_clean.data import read_idx, write_idx
    dest = HERE/'work'/'fashion-mnist'
    imgs, labs = dest/'fashion-all-images-idx3-ubyte', dest/'fashion-all-labels-idx1-ubyte'
    if not imgs.exists():
        find = lambda pat: sorted(FASHION.rglob(pat))[0]
        X = np.concatenate([read_idx(find('train-images-idx3-ubyte*')), read_idx(find('t10k-images-idx3-ubyte*'))])
        y = np.concatenate([read_idx(find('train-labels-idx1-ubyte*')), read_idx(find('t10k-labels-idx1-ubyte*'))])
        write_idx(X, imgs); write_idx(y, labs)
    return imgs

def score_run(out:Path)->dict:
    "Every filter on a finished run's out-of-fold probabilities (precision, recall, F1, flagged, seconds), and the default's."
    import numpy as np
    from pseudo_clean.report import load_run
    from pseudo_clean.ranking import find_label_issues, evaluate_detection, label_quality_scores, DEFAULT_METHOD
    r = load_run(out)
    sus = r['suspects'].sort_index()
    labels = np.searchsorted(r['classes'], sus.given_label.astype(str).values)
    probs, is_noisy = r['probs'], sus.is_noisy.values.astype(bool)
    q = label_quality_scores(labels, probs)
    rows = {}
    def add(name, mask, secs):
        ev = evaluate_detection(mask, is_noisy, q)
        rows[name] = dict(precision=ev['precision'], recall=ev['recall'], f1=ev['f1'], n_flagged=ev['n_flagged'], seconds=secs)
    for meth in ['predicted_neq_given', 'prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning', DEFAULT_METHOD]:
        t = time.time(); mask = find_label_issues(labels, probs, method=meth); add(f'pseudo_clean:{meth}', mask, time.time() - t)
    try:
        import cleanlab
        from cleanlab.filter import find_label_issues as cl_find
        for fb in ['prune_by_noise_rate', 'both']:
            t = time.time(); mask = cl_find(labels, probs, filter_by=fb); add(f'cleanlab:{fb}', mask, time.time() - t)
        cl_version = cleanlab.__version__
    except ImportError: cl_version = None
    d = rows[f'pseudo_clean:{DEFAULT_METHOD}']
    return dict(filters=rows, cleanlab=cl_version, default_method=DEFAULT_METHOD,
                default={k: d[k] for k in ('precision', 'recall', 'f1', 'n_flagged')})

def run_case(name:str, threads:int|None)->dict:
    "One case, in this process: the pseudo_clean run, then every filter on its out-of-fold probabilities."
    import torch
    if threads: torch.set_num_threads(threads)
    from pseudo_clean.run import run
    case = CASES[name]
    source = fashion_mnist_idx() if case['source'] == 'fashion' else case['source']
    out = HERE/'work'/f'case_{name}'
    t0 = time.time()
    m = run(source, out=out, noise=case['noise'], noise_kind=case['noise_kind'], overwrite=True, progress=False)
    wall = time.time() - t0
    return dict(case=name, title=case['title'], n_items=m['n_items'], wall_seconds=round(wall, 1),
                stage_seconds=m['stage_seconds'], peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, 1),
                oof_accuracy_vs_truth=m['oof_accuracy_vs_truth'], auprc=m['auprc'], **score_run(out),
                settings=json.loads((out/'run.json').read_text())['settings'])

def to_markdown(results:list, env:dict)->str:
    lines = ['# Detection benchmark', '',
             f"Machine: {env['machine']}, {env['cpus']} CPUs, torch threads {env['threads']}; "
             f"measured {env['date']}. Produced by `python benchmarks/bench_detection.py`."
             + ''.join(sorted({f" Cases ranked again with the filters of {r['rescored']} (`--rescore`, same probabilities): "
                               + ', '.join(x['case'] for x in results if x.get('rescored') == r['rescored']) + '.'
                               for r in results if r.get('rescored')})), '',
             '| case | items | wall s (train s) | peak RSS MB | OOF acc vs truth | AUPRC | default P / R / F1 | reference rule F1 | cleanlab prune_by_noise_rate F1 | cleanlab both F1 |',
             '|---|---|---|---|---|---|---|---|---|---|']
    for r in results:
        f, d = r['filters'], r['default']
        cl = lambda k: f"{f[k]['f1']:.3f}" if k in f else 'n/a'
        lines.append(f"| {r['case']}. {r['title']} | {r['n_items']:,} | {r['wall_seconds']:.0f} ({r['stage_seconds']['train']:.0f}) | "
                     f"{r['peak_rss_mb']:.0f} | {r['oof_accuracy_vs_truth']:.4f} | {r['auprc']:.4f} | "
                     f"{d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f} | {f['pseudo_clean:predicted_neq_given']['f1']:.3f} | "
                     f"{cl('cleanlab:prune_by_noise_rate')} | {cl('cleanlab:both')} |")
    lines += ['', 'Every filter on the same out-of-fold probabilities (precision / recall / F1):', '']
    for r in results:
        lines += [f"**{r['case']}. {r['title']}** (default `{r['default_method']}`)", '', '| filter | precision | recall | F1 | flagged |', '|---|---|---|---|---|']
        for k, v in r['filters'].items():
            lines.append(f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['n_flagged']} |")
        lines.append('')
    return '\n'.join(lines) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cases', nargs='+', default=['a', 'b', 'c'], choices=sorted(CASES))
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--one', help=argparse.SUPPRESS)
    ap.add_argument('--rescore', action='store_true', help='no training: rank the kept runs (benchmarks/work/case_*) again with '
                    "today's filters and rewrite the tables; timings and accuracies stay those of the runs")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one, args.threads))); return
    if args.rescore:
        from pseudo_clean.data import save_json, atomic_write_text
        old = json.loads((HERE/'results.json').read_text())
        for r in old['results']:
            if (HERE/'work'/f"case_{r['case']}"/'oof_probs.npy').exists():
                r.update(score_run(HERE/'work'/f"case_{r['case']}"), rescored=time.strftime('%Y-%m-%d %H:%M'))
        save_json(old, HERE/'results.json'); atomic_write_text(HERE/'results.md', to_markdown(old['results'], old['env']))
        print((HERE/'results.md').read_text()); return
    results = []
    for c in args.cases:
        cmd = [sys.executable, __file__, '--one', c] + (['--threads', str(args.threads)] if args.threads else [])
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode: print(res.stderr[-3000:], file=sys.stderr); raise SystemExit(f'case {c} failed')
        results.append(json.loads(res.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"case {c}: {r['wall_seconds']} s, F1 {r['default']['f1']:.3f}, AUPRC {r['auprc']:.4f}, OOF acc {r['oof_accuracy_vs_truth']:.4f}", flush=True)
    import torch
    env = dict(machine=platform.machine() + ' ' + platform.processor(), cpus=os.cpu_count(), threads=args.threads or torch.get_num_threads(),
               date=time.strftime('%Y-%m-%d %H:%M'), python=platform.python_version(), torch=torch.__version__)
    old = json.loads((HERE/'results.json').read_text()) if (HERE/'results.json').exists() else {}
    merged = {r['case']: r for r in old.get('results', [])} | {r['case']: r for r in results}
    allres = [merged[k] for k in sorted(merged)]
    from pseudo_clean.data import save_json, atomic_write_text
    save_json(dict(env=env, results=allres), HERE/'results.json')
    atomic_write_text(HERE/'results.md', to_markdown(allres, env))
    print((HERE/'results.md').read_text())

if __name__ == '__main__': main()
