"""Do stacked folds pay on a CPU (issue 23)? The zero-argument job (the bundled 5,000 digits, 10% symmetric noise, five
folds) with `--stack_folds on` (the five small CNNs as one network, `pseudo_clean.train.train_stacked`) and `--stack_folds
off` (fold by fold, what `auto` does on a CPU), alternated in one run so the machine's load falls on both alike; training
seconds from `metrics.json`, F1 against the injected noise.

Why: on an H200 stacking cut the job's training from 17-22 s to 4.3-5.3 s (`benchmarks/gpu_pack.md`), because a GPU step
is CPU-bound Python and stacking divides the steps by five. A CPU's cores are busy with the arithmetic itself, which
stacking does not reduce; if it did not pay here either, `auto` should stack on GPUs only.

Run:  python benchmarks/probes/stack_cpu.py [--reps 2]   (about 4 minutes on 2 cores; writes stack_cpu.json and stack_cpu.md here)
"""
import argparse, json, shutil, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent

def one(stack:str, out:Path)->dict:
    exe = shutil.which('pseudo_clean') or str(Path(sys.executable).parent/'pseudo_clean')
    t0 = time.time(); subprocess.run([exe, '--out', str(out), '--overwrite', '--quiet', '--stack_folds', stack], check=True, capture_output=True)
    m = json.loads((out/'metrics.json').read_text()); shutil.rmtree(out)
    return dict(stack_folds=stack, wall_seconds=round(time.time() - t0, 1), train_seconds=m['stage_seconds']['train'], f1=round(m['f1'], 4),
                auprc=round(m['auprc'], 4), oof_accuracy_vs_truth=m['oof_accuracy_vs_truth'], stacked=m['stack_folds'])

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--reps', type=int, default=2); a = ap.parse_args()
    import os, platform, torch
    rows, tmp = [], Path(tempfile.mkdtemp())
    for r in range(a.reps):
        for stack in (('on', 'off') if r % 2 == 0 else ('off', 'on')):
            rows.append(dict(rep=r, **one(stack, tmp/f'{stack}_{r}'))); print(json.dumps(rows[-1]), flush=True)
    env = dict(machine=platform.machine(), cpus=os.cpu_count(), torch_threads=torch.get_num_threads(), torch=torch.__version__,
               date=time.strftime('%Y-%m-%d %H:%M'))
    (HERE/'stack_cpu.json').write_text(json.dumps(dict(env=env, rows=rows), indent=1) + '\n')
    mean = lambda s, k: sum(r[k] for r in rows if r['stack_folds'] == s) / sum(r['stack_folds'] == s for r in rows)
    L = ['# Stacked folds on a CPU (probe for issue 23)', '', f"Produced by `python benchmarks/probes/stack_cpu.py --reps {a.reps}` on {env['cpus']} CPUs "
         f"({env['torch_threads']} torch threads), {env['date']}: the zero-argument job, `--stack_folds on` and `off` alternated.", '',
         '| rep | --stack_folds | training s | wall s | F1 | AUPRC | OOF accuracy vs truth |', '|---|---|---|---|---|---|---|']
    L += [f"| {r['rep']} | {r['stack_folds']} | {r['train_seconds']} | {r['wall_seconds']} | {r['f1']} | {r['auprc']} | {r['oof_accuracy_vs_truth']:.4f} |" for r in rows]
    L += ['', f"Means: training {mean('on', 'train_seconds'):.1f} s stacked against {mean('off', 'train_seconds'):.1f} s fold by fold "
          f"(ratio {mean('on', 'train_seconds') / mean('off', 'train_seconds'):.2f}); F1 {mean('on', 'f1'):.4f} against {mean('off', 'f1'):.4f}."]
    (HERE/'stack_cpu.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))

if __name__ == '__main__': main()
