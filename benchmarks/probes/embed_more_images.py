"""Does the embedding mode beat training from scratch on the small colour case when its body was pretrained on more
images of the kind, as ImageNet weights were (issue 21)? Probe, run by hand after `benchmarks/bench_embedding.py`.

    python benchmarks/probes/embed_more_images.py [--steps 3000] [--threads 2] [--images pool|case] [--start BODY]
                                                  [--size 64] [--seeds 0 1 2] [--scratch]

The small-data colour case is the MNIST test set's first 300 digits a class (3,000), in colour. A user with so few
labelled images often has many more unlabelled ones of the same kind; `pseudo_clean_pretrain` takes them all. Here the
other 7,000 digits of the MNIST test set are rendered the same way (other colours, sizes and aspect ratios; seed 1),
and a small-CNN body is pretrained (contrastive, no labels) on all 10,000 images at 64 px, for as many steps as the
3,000-step row of `embedding.md`. The colour case is then run exactly as `bench_embedding.py`'s `embed_cnn` row (10%
symmetric noise, seed 0, `--embed --weights`), and its rows are written to embed_more_images.jsonl and .md.
`--images case --start BODY` asks the other question, more steps on the same images: the case's own 3,000 images,
pretrained further from BODY (`pseudo_clean_pretrain --weights BODY`, e.g. the 3,000-step body of `embedding.md`).
`--size 32` pretrains and embeds at 32 px (a third of a 64 px step's cost), `--seeds 0 1 2` runs the case on three seeds
(noise, folds and regressions; the body, pretrained without labels, serves them all), and `--scratch` gives the
baseline: the small CNN trained from scratch with the labels at `--size`, on `--seeds`.
"""
import argparse, gzip, json, shutil, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent/'work'/'embedding'
sys.path.insert(0, str(HERE.parent))
import bench_embedding as be

def other_digits(dest:Path, seed:int=1)->Path:
    "The MNIST test digits that the colour case does not use, rendered as `bench_embedding.colour_digits` renders its own."
    import numpy as np
    from pseudo_clean.data import atomic_path
    if (dest/'.done').exists(): return dest
    with gzip.open(be.MNIST_TEST/'t10k-images-idx3-ubyte.gz') as f: X = be.read_idx_bytes(f.read())
    with gzip.open(be.MNIST_TEST/'t10k-labels-idx1-ubyte.gz') as f: y = be.read_idx_bytes(f.read())
    rng = np.random.default_rng(seed)
    for c in range(10):
        for i in np.flatnonzero(y == c)[300:]:
            f = dest/f'digit_{i:05d}.jpg'; f.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(f) as tmp: be.colour_digit(X[i], rng).save(tmp, format='JPEG', quality=90)
    (dest/'.done').touch()
    return dest

def pool(dest:Path)->Path:
    "One folder of all 10,000 colour digits, the case's 3,000 and the other 7,000 (hard links), not sorted into classes."
    if (dest/'.done').exists(): return dest
    for src in (be.case_source('colour'), other_digits(WORK/'colour_digits_other')):
        for f in src.rglob('*.jpg'):
            g = dest/f.name; g.parent.mkdir(parents=True, exist_ok=True)
            if not g.exists(): g.hardlink_to(f)
    (dest/'.done').touch()
    return dest

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--images', choices=('pool', 'case'), default='pool', help="pool: the 10,000 colour digits; case: the case's own 3,000")
    ap.add_argument('--start', default=None, help='a body file to pretrain further (pseudo_clean_pretrain --weights); default: random weights')
    ap.add_argument('--size', type=int, default=64, help="the side the images are pretrained and embedded at (the case's own: 64 px)")
    ap.add_argument('--seeds', type=int, nargs='+', default=[0], help="the runs' seeds (noise, folds and models); the body is pretrained once")
    ap.add_argument('--scratch', action='store_true', help='no body: the small CNN trained from scratch on the case at --size, for --seeds')
    ap.add_argument('--pretrain-only', action='store_true')
    ap.add_argument('--md-only', action='store_true')
    args = ap.parse_args()
    if args.md_only: return write_md()
    import torch
    torch.set_num_threads(args.threads)
    from pseudo_clean.pretrain import pretrain_file
    px = '' if args.size == 64 else f'_{args.size}px'
    if args.scratch:
        for seed in args.seeds:
            run_case(WORK/f'run_colour_cnn{px}_seed{seed}', args.size, seed, 'cnn', 'none: the small CNN trained from scratch with the labels', None)
        return write_md()
    name = ('colour_pool10k' if args.images == 'pool' else 'colour') + f'_cnn_{args.steps}{px}' + (f'_from_{Path(args.start).stem}' if args.start else '')
    body = WORK/f'body_{name}.pth'; rec = body.with_suffix('.json')
    if not body.exists():
        src = pool(WORK/'colour_pool10k') if args.images == 'pool' else be.case_source('colour'); t = time.time()
        pretrain_file(src, body, steps=args.steps, arch='cnn', size=(args.size, args.size), cache_dir=WORK/'cache', weights=args.start)
        rec.write_text(json.dumps(dict(seconds=round(time.time() - t, 1), steps=args.steps, images=10000 if args.images == 'pool' else 3000,
                                       threads=args.threads, start=args.start, size=args.size)))
    print(rec.read_text(), flush=True)
    if args.pretrain_only: return
    start = f', from {Path(args.start).name}' if args.start else ''
    on = "10,000 colour digits (the case's 3,000 and 7,000 others)" if args.images == 'pool' else "the case's 3,000 images"
    folder = 'run_colour_embed_cnn_pool10k_3000' if name == 'colour_pool10k_cnn_3000' else f'run_embed_{name}'   # the first rows' folders kept
    for seed in args.seeds:
        run_case(WORK/(folder + (f'_seed{seed}' if seed else '')), args.size, seed, 'embed_cnn', f'pretrained {args.steps:,} steps on {on}{start}',
                 json.loads(rec.read_text()), weights=str(body), embed=True)
    write_md()

def run_case(out:Path, size:int, seed:int, mode:str, body:str, pretrain:dict|None, **kw):
    "The colour case at `size` (10% symmetric noise, `seed`) run into `out` with the small CNN and settings `kw`; its row printed and appended to embed_more_images.jsonl."
    from pseudo_clean.run import run
    t = time.time()
    m = run(str(be.case_source('colour')), out=out, noise=0.1, noise_kind='symmetric', overwrite=True, progress=False,
            arch='cnn', size=(size, size), seed=seed, **kw)
    row = dict(case='colour', mode=mode, size=size, seed=seed, body=body, pretrain=pretrain, wall_seconds=round(time.time() - t, 1),
               stage_seconds=m['stage_seconds'], oof_accuracy_vs_truth=m['oof_accuracy_vs_truth'], auprc=m['auprc'], **be.score_run(out),
               date=time.strftime('%Y-%m-%d %H:%M'))
    print(json.dumps(row), flush=True)
    with open(HERE/'embed_more_images.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')

def write_md():
    "embed_more_images.md from the .jsonl rows, beside the `embed_cnn` row of `embedding.json` (the body pretrained on the case's 3,000 alone); its conclusion kept."
    rows = [json.loads(l) for l in (HERE/'embed_more_images.jsonl').read_text().splitlines()]
    base = next(r for r in json.loads((HERE.parent/'embedding.json').read_text())['results'] if r['case'] == 'colour' and r['mode'] == 'embed_cnn')
    base = dict(base, body=f"pretrained {base['pretrain']['steps']:,} steps on the case's 3,000 images (`embedding.md`)")
    head = ['# Pretraining the embedding body on more images of the kind, or for longer (probe for issue 21)', '',
            'Produced by `python benchmarks/probes/embed_more_images.py` (2-core CPU). The small-data colour case (3,000 MNIST test digits in colour, '
            '300 a class, 10% symmetric noise, five folds), run as `bench_embedding.py`\'s `embed_cnn` row: `--embed --weights BODY`, at the '
            'size the body was pretrained at (the case\'s own 64 px unless the row says otherwise), seed 0 unless the row says otherwise. '
            'The `cnn` rows (`--scratch`) are the small CNN trained from scratch with the labels, as `bench_embedding.py`\'s `cnn` row.', '',
            '| mode | px | seed | body | pretraining s (threads) | OOF acc vs truth | AUPRC | default F1 (flagged / wrong) | cleanlab best F1 | run s |',
            '|---|---|---|---|---|---|---|---|---|---|']
    lines = []
    for r in [base] + rows:
        cl = max(v['f1'] for k, v in r['filters'].items() if k.startswith('cleanlab'))
        pre = f"{r['pretrain']['seconds']:,.0f} ({r['pretrain'].get('threads', 1)})" if r.get('pretrain') else '-'
        lines.append(f"| {r.get('mode', 'embed_cnn')} | {r.get('size') or 64} | {r.get('seed', 0)} | {r['body']} | {pre} | {r['oof_accuracy_vs_truth']:.4f} | {r['auprc']:.4f} | "
                     f"{r['default']['f1']:.3f} ({r['default']['n_flagged']} / {r['default']['n_wrong']}) | {cl:.3f} | {r['wall_seconds']} |")
    md = HERE/'embed_more_images.md'
    old = md.read_text().split('\n## Conclusion', 1) if md.exists() else []
    md.write_text('\n'.join(head + lines) + '\n\n' + ('## Conclusion' + old[1] if len(old) == 2 else '## Conclusion\n\n(not yet written)\n'))

if __name__ == '__main__': main()
