"""How fine a grid should the embedding mode pool to when there are few images (issue 21)? Probe, run by hand after
`benchmarks/bench_embedding.py` has pretrained and kept its small-CNN bodies (benchmarks/work/embedding/body_*_cnn_600.pth).

    python benchmarks/probes/embed_grid.py [--cases colour photos] [--grids 1 2 4 8 2+4] [--choice] [--threads 2]

`embed_pooling.py` chose the 2×2 grid by the out-of-fold accuracy of one fixed-C regression on the true labels. This
probe asks what a user gets: each case is read as `bench_embedding.py` reads it (64 px), its labels are made 10%
wrong (symmetric, seed 0, `pseudo_clean.run.inject_noise`), the frozen body's last feature map (128×8×8) is pooled to
each grid, and the package's own `oof_logistic_probs` (inner cross-validation of C) gives the out-of-fold
probabilities. Each row: features, OOF accuracy against the truth, AUPRC (the default order), the default filter's
F1 and flagged count, cleanlab's best F1 on the same probabilities, and the regressions' seconds.
Writes benchmarks/probes/embed_grid.jsonl and embed_grid.md.
"""
import argparse, json, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent/'work'/'embedding'
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from embed_pooling import feature_maps    # the frozen body's last feature maps, as `embed_images` computes them before pooling

def noisy_case(name:str):
    "The case's images at 64 px, the codes of its 10%-wrong labels, the truth mask and the true codes."
    import numpy as np
    import bench_embedding as be
    from pseudo_clean.data import read_data
    from pseudo_clean.run import inject_noise
    data = read_data(str(be.case_source(name)), size=(64, 64), cache_dir=WORK/'cache')
    labels, is_noisy = inject_noise(data.labels, 0.1, 'symmetric', 0)
    classes = np.unique(labels)
    return data.images, np.searchsorted(classes, labels), np.asarray(is_noisy, bool), np.searchsorted(classes, data.labels)

def score(codes, probs, is_noisy, truth)->dict:
    "The default filter and order against cleanlab's filters on the same out-of-fold probabilities."
    import numpy as np
    from cleanlab.filter import find_label_issues as cl_find
    from pseudo_clean.ranking import find_label_issues, evaluate_detection, label_quality_scores
    d = evaluate_detection(find_label_issues(codes, probs), is_noisy, label_quality_scores(codes, probs))
    cl = {f: evaluate_detection(cl_find(codes, probs, filter_by=f), is_noisy)['f1']
          for f in ('prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning')}
    best = max(cl, key=cl.get)
    return dict(oof_accuracy=float((probs.argmax(1) == truth).mean()), auprc=d['auprc'], f1=d['f1'], n_flagged=d['n_flagged'],
                n_wrong=int(is_noisy.sum()), cleanlab_best=cl[best], cleanlab_filter=best)

MD_HEAD = ['# How fine a grid the embedding mode pools to when there are few images (probe for issue 21)', '',
           'Produced by `python benchmarks/probes/embed_grid.py` (2-core CPU). Small-CNN bodies pretrained 600 contrastive steps on '
           "each case's own images (`bench_embedding.py`'s), 64 px, 10% symmetric noise (seed 0), five folds; out-of-fold "
           "probabilities from the package's `oof_logistic_probs` (inner cross-validation of C) on the body's 128×8×8 map pooled "
           'to each grid.', '',
           '| case | items | grid | features | OOF acc vs truth | AUPRC | default F1 (flagged / wrong) | cleanlab best F1 (filter) | regressions s |',
           '|---|---|---|---|---|---|---|---|---|']

def grid_name(grid)->str:
    "'2+4' → '2×2 + 4×4'; 'choice: 4' → 'package's choice: 4×4'."
    if str(grid) == 'per-fold choice': return "each fold's own choice (`logistic_probs`)"
    if str(grid).startswith('choice'): g = str(grid).split()[-1]; return f"the package's choice: {g}×{g}"
    return ' + '.join(f'{s}×{s}' for s in str(grid).split('+'))

def to_markdown(rows:list, conclusion:str)->str:
    lines = MD_HEAD + [f"| {r['case']} | {r['items']:,} | {grid_name(r['grid'])} | {format(r['dims'], ',') if r['dims'] else '-'} | {r['oof_accuracy']:.4f} | {r['auprc']:.4f} | "
                       f"{r['f1']:.3f} ({r['n_flagged']} / {r['n_wrong']}) | {r['cleanlab_best']:.3f} ({r['cleanlab_filter']}) | {r['fit_s']:.1f} |"
                       for r in rows]
    return '\n'.join(lines + ['', conclusion]) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cases', nargs='+', default=['colour', 'photos'], choices=['colour', 'photos'])
    ap.add_argument('--grids', nargs='*', default=['1', '2', '4', '8', '2+4'], help="grid sides; '2+4': both grids' features side by side")
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--choice', action='store_true', help="also the package's own choice of grid (`oof_logistic_probs` on `embed_images`' maps)")
    ap.add_argument('--md-only', action='store_true')
    args = ap.parse_args()
    out = HERE/'embed_grid.jsonl'
    if not args.md_only:
        import torch
        from pseudo_clean.folds import fold_ids, oof_logistic_probs
        torch.set_num_threads(args.threads)
        for case in args.cases:
            X, codes, is_noisy, truth = noisy_case(case)
            maps = torch.cat(feature_maps(X, 'cnn', str(WORK/f'body_{case}_cnn_600.pth')))   # the 128×8×8 maps, before any pooling; folds = fold_ids(codes, 5, 0)
            for g in args.grids:
                F = torch.cat([torch.nn.functional.adaptive_avg_pool2d(maps, int(s)).flatten(1) for s in g.split('+')], 1).numpy()
                t = time.time(); probs = oof_logistic_probs(F, codes, int(codes.max()) + 1, folds, 0)
                row = dict(case=case, items=len(X), grid=g, dims=F.shape[1], fit_s=time.time() - t,
                           **score(codes, probs, is_noisy, truth), date=time.strftime('%Y-%m-%d %H:%M'))
                print(json.dumps(row), flush=True)
                with open(out, 'a') as f: f.write(json.dumps(row) + '\n')
            if args.choice:     # what the package does: `embed_images` and `oof_logistic_probs`, which choose the grid themselves
                import contextlib, io, re
                from pseudo_clean.folds import embed_images
                maps = embed_images(X, 'cnn', str(WORK/f'body_{case}_cnn_600.pth')); said = io.StringIO(); t = time.time()
                with contextlib.redirect_stdout(said): probs = oof_logistic_probs(maps, codes, int(codes.max()) + 1, folds, 0, progress=True)
                g = re.search(r'the (\d+)×\d+ grid', said.getvalue()).group(1)
                rows = [dict(case=case, items=len(X), grid=f'choice: {g}', dims=maps.shape[1] * int(g) ** 2, fit_s=time.time() - t,
                             **score(codes, probs, is_noisy, truth), date=time.strftime('%Y-%m-%d %H:%M'))]
                from pseudo_clean.folds import logistic_probs      # the alternative: each fold's `logistic_probs` chooses its own grid
                t = time.time()
                for k in range(5): probs[folds == k] = logistic_probs(maps[folds != k], codes[folds != k], probs.shape[1], maps[folds == k], 0)
                rows.append(dict(case=case, items=len(X), grid='per-fold choice', dims=0, fit_s=time.time() - t,
                                 **score(codes, probs, is_noisy, truth), date=time.strftime('%Y-%m-%d %H:%M')))
                for row in rows:
                    print(json.dumps(row), flush=True)
                    with open(out, 'a') as f: f.write(json.dumps(row) + '\n')
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    md = HERE/'embed_grid.md'
    conclusion = md.read_text().split('\n## Conclusion', 1) if md.exists() else []
    (md).write_text(to_markdown(rows, '## Conclusion' + conclusion[1] if len(conclusion) == 2 else '## Conclusion\n\n(not yet written)'))

if __name__ == '__main__': main()
