"""Do a few shifted or zoomed views of each image make the embedding mode's features better (issue 21)? Probe, run by
hand after `benchmarks/bench_embedding.py` has pretrained and kept its small-CNN bodies.

    python benchmarks/probes/embed_views.py [--cases colour photos] [--threads 2]

Test-time augmentation of the features: each image is embedded as it is and as shifted views (by a sixteenth of the
side, edges repeated: `shift5` is the image and four shifts, `shift9` nine) or zoomed ones (0.85 and 1.15: `zoom3`),
and either the views' features are averaged (`mean`: one row an image, as now) or every view of a training item is a
row of its own and the held-out items are predicted on their averaged features (`rows`: five times the rows).
Same footing as `embed_grid.py`: 64 px, 10% symmetric noise (seed 0), the package's `oof_logistic_probs` on a fixed
grid (the grid the package chooses for the body: 2×2 on the colour digits, 1×1 on the photos; and the next one).
Writes benchmarks/probes/embed_views.jsonl and embed_views.md.
"""
import argparse, json, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent/'work'/'embedding'
sys.path.insert(0, str(HERE.parent)); sys.path.insert(0, str(HERE))
from embed_grid import noisy_case, score
BODIES = {'colour': ('body_colour_cnn_3000.pth', (2, 4)), 'photos': ('body_photos_cnn_600.pth', (1, 2))}

def shifted(X, dy:int, dx:int, p:int):
    "`X` (N×H×W×3) moved by (dy, dx) pixels, the edges repeated."
    import numpy as np
    P = np.pad(X, ((0, 0), (p, p), (p, p), (0, 0)), mode='edge'); H, W = X.shape[1:3]
    return P[:, p + dy:p + dy + H, p + dx:p + dx + W]

def zoomed(X, f:float):
    "`X` zoomed by `f` about its centre, the same side (edges repeated when smaller)."
    import numpy as np, torch, torch.nn.functional as F
    t, H = torch.from_numpy(np.ascontiguousarray(X)).permute(0, 3, 1, 2).float(), X.shape[1]
    s = int(round(H * f)); t = F.interpolate(t, size=(s, s), mode='bilinear', antialias=True); o = abs(s - H) // 2
    t = t[:, :, o:o + H, o:o + H] if f > 1 else F.pad(t, (o, H - s - o, o, H - s - o), mode='replicate')
    return t.clamp(0, 255).round().byte().permute(0, 2, 3, 1).numpy()

def views(X, kind:str)->list:
    p = X.shape[1] // 16
    if kind == 'none': return [X]
    if kind == 'shift5': return [X] + [shifted(X, a, b, p) for a, b in ((-p, 0), (p, 0), (0, -p), (0, p))]
    if kind == 'shift9': return [X] + [shifted(X, a, b, p) for a in (-p, 0, p) for b in (-p, 0, p) if (a, b) != (0, 0)]
    return [X, zoomed(X, 0.85), zoomed(X, 1.15)]

def features(X, body:str, grid:int):
    "The frozen body's features of `X` pooled to `grid`, as `embed_images` then `grid_features` give them."
    from pseudo_clean.folds import embed_images, grid_features
    return grid_features(embed_images(X, 'cnn', str(WORK/body)), grid)

def by_rows(Fv:list, codes, folds, seed:int=0):
    "Out-of-fold probabilities of `logistic_probs` fit on every view of the training items as rows of their own, predicting the averaged features."
    import numpy as np
    from pseudo_clean.folds import logistic_probs     # its inner cross-validation sees views of one item on both sides: it may choose a weaker regularisation
    Fm, probs = np.mean(Fv, 0), np.zeros((len(codes), int(codes.max()) + 1), np.float32)
    for k in np.unique(folds):
        tr = folds != k
        probs[~tr] = logistic_probs(np.concatenate([f[tr] for f in Fv]), np.tile(codes[tr], len(Fv)), probs.shape[1], Fm[~tr], seed)
    return probs

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cases', nargs='+', default=['colour', 'photos'], choices=sorted(BODIES))
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--md-only', action='store_true')
    args = ap.parse_args()
    out = HERE/'embed_views.jsonl'
    if not args.md_only:
        import numpy as np, torch
        from pseudo_clean.folds import fold_ids, oof_logistic_probs
        torch.set_num_threads(args.threads)
        for case in args.cases:
            X, codes, is_noisy, truth = noisy_case(case); folds = fold_ids(codes, 5, 0); body, grids = BODIES[case]
            for grid in grids:
                for kind in ('none', 'shift5', 'shift9', 'zoom3'):
                    t = time.time(); Fv = [features(v, body, grid) for v in views(X, kind)]; embed_s = time.time() - t
                    for how in (('mean',) if kind == 'none' else ('mean', 'rows')):
                        t = time.time()
                        probs = oof_logistic_probs(np.mean(Fv, 0), codes, int(codes.max()) + 1, folds, 0) if how == 'mean' else by_rows(Fv, codes, folds)
                        row = dict(case=case, items=len(X), body=body, grid=grid, views=kind, n_views=len(Fv), how=how, embed_s=round(embed_s, 1),
                                   fit_s=round(time.time() - t, 1), **score(codes, probs, is_noisy, truth), date=time.strftime('%Y-%m-%d %H:%M'))
                        print(json.dumps(row), flush=True)
                        with open(out, 'a') as f: f.write(json.dumps(row) + '\n')
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    head = ['# A few views of each image for the embedding mode (probe for issue 21)', '',
            'Produced by `python benchmarks/probes/embed_views.py` (2-core CPU). 64 px, 10% symmetric noise (seed 0), five folds, the '
            "package's `oof_logistic_probs` on a fixed grid. Bodies: the small CNN pretrained 3,000 contrastive steps on the colour digits, "
            '600 on the photos (`bench_embedding.py`\'s). *mean*: the views\' features averaged, one row an image; *rows*: every view of a '
            'training item a row of its own.', '',
            '| case | grid | views | how | embedding s | OOF acc vs truth | AUPRC | default F1 (flagged / wrong) | cleanlab best F1 | regressions s |',
            '|---|---|---|---|---|---|---|---|---|---|']
    lines = [f"| {r['case']} | {r['grid']}×{r['grid']} | {r['views']} ({r['n_views']}) | {r['how']} | {r['embed_s']} | {r['oof_accuracy']:.4f} | {r['auprc']:.4f} | "
             f"{r['f1']:.3f} ({r['n_flagged']} / {r['n_wrong']}) | {r['cleanlab_best']:.3f} | {r['fit_s']} |" for r in rows]
    md = HERE/'embed_views.md'
    old = md.read_text().split('\n## Conclusion', 1) if md.exists() else []
    md.write_text('\n'.join(head + lines) + '\n\n' + ('## Conclusion' + old[1] if len(old) == 2 else '## Conclusion\n\n(not yet written)\n'))

if __name__ == '__main__': main()
