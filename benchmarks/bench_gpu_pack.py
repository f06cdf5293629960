"""GPU packing benchmark (issue 23), for a session that has a GPU: the `pseudo_clean` command, timed as a user runs it,
with its folds one after another (`--processes 1`), packed on the GPU (`--processes 2, 4, ...`), or stacked into one
network (`--stack_folds`: `auto` stacks them on a GPU, `off` trains them one after another), with GPU utilisation and
memory sampled by `nvidia-smi` every half second.

Run on the GPU machine:  python benchmarks/bench_gpu_pack.py OUT_DIR [--cases sample fashion] [--processes 1 2 4]
                             [--fashion IDX_IMAGES] [--mixed_precision off auto] [--stack_folds auto off] [--extra "MORE FLAGS"]
Cases: `sample`, the zero-argument job (the bundled 5,000 MNIST digits, 10% symmetric noise, five folds; target on one
H200: training under 5 s by `metrics.json`'s stage seconds); `fashion`, Fashion-MNIST's 70,000 images with 10%
symmetric noise (the IDX images file given by --fashion, its labels beside it; target: five folds under 60 s);
`label`, `pseudo_clean_label` with its defaults on the bundled sample split in two: 50 digits a class labeled (an IDX
pair), the other 4,500 as PNG files without labels; its row has the wall time and the share of the pseudo labels that
are right (`f1` holds that share), and `--stack_folds` there stacks each round's teachers and out-of-fold models.
Each run appends one row to OUT_DIR/gpu_pack.jsonl as it finishes (a timeout keeps the rows before it). Without
`nvidia-smi` (a CPU) the utilisation columns are empty: that is how the script is tried before a GPU session.
Summarize a returned log:  python benchmarks/bench_gpu_pack.py --summarize benchmarks/gpu_pack.jsonl  (writes gpu_pack.md)
"""
import argparse, itertools, json, shlex, shutil, subprocess, sys, threading, time
from pathlib import Path

HERE = Path(__file__).resolve().parent

class GPUSampler:
    "`nvidia-smi`'s utilisation (%) and memory used (MiB) of every GPU, every `ms` milliseconds, while in the `with` block."
    def __init__(self, ms:int=500): self.ms, self.rows, self.proc = ms, [], None
    def __enter__(self):
        if shutil.which('nvidia-smi'):
            self.proc = subprocess.Popen(['nvidia-smi', '--query-gpu=utilization.gpu,memory.used', '--format=csv,noheader,nounits',
                                          f'-lms', str(self.ms)], stdout=subprocess.PIPE, text=True)
            threading.Thread(target=self._read, daemon=True).start()
        return self
    def _read(self):
        for line in self.proc.stdout:
            try: self.rows.append([float(v) for v in line.split(',')])
            except ValueError: pass
    def __exit__(self, *a):
        if self.proc: self.proc.terminate(); self.proc.wait()
    def summary(self)->dict:
        if not self.rows: return dict(gpu_util_mean=None, gpu_util_busy_share=None, gpu_mem_peak_mib=None)
        util = [r[0] for r in self.rows]
        return dict(gpu_util_mean=round(sum(util) / len(util), 1), gpu_util_busy_share=round(sum(u > 50 for u in util) / len(util), 3),
                    gpu_mem_peak_mib=max(r[1] for r in self.rows))

def label_data(out:Path)->tuple:
    "The bundled sample split for `pseudo_clean_label`: 50 digits a class labeled (an IDX pair), the other 4,500 as PNGs; (folder, their true labels)."
    import numpy as np
    from PIL import Image
    from pseudo_clean.data import mnist_sample, write_idx
    d, s = out/'label_data', mnist_sample()
    y = s.labels.astype(np.int64); lab = np.concatenate([np.flatnonzero(y == c)[:50] for c in range(10)]); unl = np.setdiff1d(np.arange(len(y)), lab)
    if not (d/'done').exists():
        (d/'unlabeled').mkdir(parents=True, exist_ok=True)
        write_idx(s.images[lab], d/'labeled-images-idx3-ubyte'); write_idx(y[lab].astype(np.uint8), d/'labeled-labels-idx1-ubyte')
        for i, im in enumerate(s.images[unl]): Image.fromarray(im).save(d/'unlabeled'/f'{i:05d}.png')
        (d/'done').touch()
    return d, y[unl]

def run_label(out:Path, processes:int, mp:str, extra:list, stack:str='auto')->dict:
    "`pseudo_clean_label` on `label_data`, timed as a user runs it: the wall time and the share of its pseudo labels that are right."
    import pandas as pd
    d, truth = label_data(out)
    exe = shutil.which('pseudo_clean_label') or str(Path(sys.executable).parent/'pseudo_clean_label')
    dest = out/f'run_label_p{processes}_stack_{stack}'; shutil.rmtree(dest, ignore_errors=True); dest.mkdir(parents=True)
    args = [exe, str(d/'labeled-images-idx3-ubyte'), str(d/'unlabeled'), '--out', str(dest/'pl.csv'), '--quiet', *extra]
    if processes > 1: args += ['--processes', str(processes)]
    if stack != 'auto': args += ['--stack_folds', stack]
    with GPUSampler() as g:
        t0 = time.time(); r = subprocess.run(args, capture_output=True, text=True); wall = time.time() - t0
    if r.returncode: return dict(case='label', processes=processes, mixed_precision=mp, stack_folds=stack, error=r.stderr[-2000:])
    pl = pd.read_csv(dest/'pl.csv')
    right = float((pl.label.astype(int).to_numpy() == truth[pl['item'].str.slice(0, 5).astype(int).to_numpy()]).mean())
    return dict(case='label', processes=processes, mixed_precision=mp, stack_folds=stack, wall_seconds=round(wall, 1), train_seconds=None,
                stage_seconds={}, f1=round(right, 4), n_items=len(pl), **g.summary(), extra=extra, time=time.strftime('%Y-%m-%d %H:%M:%S'))

def run_case(out:Path, case:str, processes:int, mp:str, fashion, extra:list, stack:str='auto')->dict:
    if case == 'label': return run_label(out, processes, mp, extra, stack)
    exe = shutil.which('pseudo_clean') or str(Path(sys.executable).parent/'pseudo_clean')
    dest = out/f'run_{case}_p{processes}_{mp}_stack_{stack}'
    args = [exe, '--out', str(dest), '--overwrite', '--quiet', '--processes', str(processes), '--mixed_precision', mp, *extra]
    if stack != 'auto': args += ['--stack_folds', stack]      # 'auto' as a user runs it: the flag left out
    if case == 'fashion': args[1:1] = [str(fashion), '--noise', '0.1']
    with GPUSampler() as g:
        t0 = time.time(); r = subprocess.run(args, capture_output=True, text=True); wall = time.time() - t0
    if r.returncode: return dict(case=case, processes=processes, mixed_precision=mp, stack_folds=stack, error=r.stderr[-2000:])
    m = json.loads((dest/'metrics.json').read_text())
    shutil.rmtree(dest/'folds', ignore_errors=True)        # a rerun must train again, not reuse the folds
    return dict(case=case, processes=processes, mixed_precision=mp, stack_folds=stack, wall_seconds=round(wall, 1), train_seconds=m['stage_seconds'].get('train'),
                stage_seconds=m['stage_seconds'],
                f1=round(m['f1'], 4) if m.get('f1') is not None else None, n_items=m['n_items'], **g.summary(),
                extra=extra, time=time.strftime('%Y-%m-%d %H:%M:%S'))

NOTES = ['Notes on the first four rows (2026-12-04, NVIDIA H200, torch 2.11.0+cu130, 16 CPUs; F1 on the CPU: 0.980 for the zero-argument job, 0.902 for Fashion-MNIST):', '',
         "- The zero-argument job trains in 23-26 s on the H200 (target: under 5 s) at 4% mean GPU utilisation and no busy sample: "
         "five folds of 10 epochs of 31 steps (128 digits a step through the small CNN), 1,550 steps at some 15 ms each, almost all of it per-step work on the CPU (the "
         "fastai loop and its callbacks, the batch augmentation's several small kernels), not the GPU's. bf16 (`auto`) saves 12% "
         "and keeps F1 (0.983 against 0.980: within the 0.005 floor). Four folds packed in worker processes are slower (37 s): each "
         "worker imports fastai and starts CUDA, and four CPU-bound loops share the machine's CPU threads.",
         "- Fashion-MNIST 70k, four folds packed, bf16: the first pass's five folds in 86 s (target: under 60 s) at 57% mean "
         "utilisation, F1 0.9021 (the CPU's 0.902). The wall time (189 s) includes the second pass that overlapping classes ask for "
         "(`second_pass_rate`), which these rows did not record apart; rows since record every stage (`stage_seconds`).",
         "- Not measured for want of device time: Fashion-MNIST with its folds one after another, and `--processes 2`.",
         '', 'Notes on the rows since (a later session the same day, the same machine kind): the folds stacked into one network '
         '(`--stack_folds`, `auto` on a GPU: the five small CNNs as one network of grouped convolutions, `pseudo_clean.train.train_stacked`):', '',
         "- The zero-argument job (`--stack_folds auto`, as a user runs it) trains in 4.3-5.3 s in float32 (four runs, seeds 0, 0, 1, 2), "
         "7.3 s on the machine's first run (cuDNN's first plans), against 17-22 s fold by fold in the same session: about 4x. "
         "The target of 5 s is met on two of the four runs and missed by 0.1-0.3 s on the other two. F1 over seeds 0-2: 0.974, "
         "0.975, 0.981 stacked against 0.980, 0.982, 0.978 fold by fold (means 0.977 and 0.980: within the 0.005 floor). bf16 buys "
         "nothing here (5.3-5.8 s): the steps are still CPU-bound (3-4% utilisation).",
         "- Fashion-MNIST 70k, stacked: the five folds of the first pass in 36.5 s (float32) and 37.1 s (bf16), against 86 s with "
         "four folds packed in processes: the target of 60 s is met. F1 0.9065 and 0.9048 (CPU, fold by fold: 0.902). The second "
         "pass (overlapping classes) takes as long again. GPU memory peaks at 1.2 GB; utilisation 13-16%.",
         "- A fold-by-fold step in the same session (`probes/gpu_step.md`): 10 ms, of which the GPU computes 0.7 ms; 282 kernel "
         "launches a step. Stacking divides the steps by five, each doing five times the arithmetic for little more launch work."]

def summarize(log:Path)->str:
    rows = [json.loads(l) for l in log.read_text().splitlines() if l.strip()]
    L = ['# GPU: folds one after another, packed in processes, or stacked into one network (issue 23)', '',
         f'Produced by `python benchmarks/bench_gpu_pack.py` on a GPU machine; {len(rows)} runs, each the `pseudo_clean` command in a new '
         'process (imports and data reading included in the wall time); training seconds from `metrics.json`; GPU utilisation '
         'sampled by `nvidia-smi` every 0.5 s over the whole run (busy: samples above 50%).', '',
         '| case | --processes | --mixed_precision | --stack_folds | wall s | training s | F1 | GPU util mean % | busy share | GPU memory peak MiB |',
         '|---|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        stack = r.get('stack_folds', '(none yet)')    # rows from before stacking existed: fold by fold
        case = ' '.join([r['case'], *r.get('extra', [])])      # the flags beyond the case's, e.g. another --seed
        if 'error' in r: L.append(f"| {case} | {r['processes']} | {r['mixed_precision']} | {stack} | failed: {r['error'][-120:]!r} | | | | | |"); continue
        L.append(f"| {case} | {r['processes']} | {r['mixed_precision']} | {stack} | {r['wall_seconds']} | {r['train_seconds']} | {r['f1']} | "
                 f"{r['gpu_util_mean']} | {r['gpu_util_busy_share']} | {r['gpu_mem_peak_mib']} |")
    return '\n'.join(L + ['', *NOTES]) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out', nargs='?'); ap.add_argument('--cases', nargs='+', default=['sample'], choices=['sample', 'fashion', 'label'])
    ap.add_argument('--processes', type=int, nargs='+', default=[1, 2, 4]); ap.add_argument('--mixed_precision', nargs='+', default=['off'])
    ap.add_argument('--stack_folds', nargs='+', default=['auto'], choices=['auto', 'on', 'off'])
    ap.add_argument('--fashion', help='Fashion-MNIST IDX images file (labels beside it, as pseudo_clean reads IDX)')
    ap.add_argument('--summarize', type=Path); ap.add_argument('--extra', default='', help='more pseudo_clean flags, one string: "--epochs 1 --folds 2"')
    a = ap.parse_args()
    if a.summarize:
        from pseudo_clean.data import atomic_write_text
        atomic_write_text(HERE/'gpu_pack.md', summarize(a.summarize)); print((HERE/'gpu_pack.md').read_text()); return
    if not a.out: ap.error('OUT_DIR is needed (or --summarize LOG)')
    if 'fashion' in a.cases and not a.fashion: ap.error('--cases fashion needs --fashion IDX_IMAGES')
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    extra, failed = shlex.split(a.extra), 0
    for case, mp, p, stack in itertools.product(a.cases, a.mixed_precision, a.processes, a.stack_folds):
        row = run_case(out, case, p, mp, a.fashion, extra, stack); print(json.dumps(row), flush=True); failed += 'error' in row
        with open(out/'gpu_pack.jsonl', 'a') as f: f.write(json.dumps(row) + '\n')
    if failed: raise SystemExit(f'{failed} run(s) failed: see their rows in {out}/gpu_pack.jsonl')

if __name__ == '__main__': main()
