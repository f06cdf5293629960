"""How long a user waits for a command's error: each command given a bad flag or a missing path, timed as a user runs it
(a new process, imports included), median of `--reps` runs, with today's package and, beside it, another commit of it
(`--before COMMIT`: a git worktree of it first on PYTHONPATH) in the same run, the runs alternating.

Run by hand (not a test):  python benchmarks/bench_errors.py [--reps 3] [--before c433278]
Writes benchmarks/errors.json and benchmarks/errors.md (`--md-only`: the table again from the JSON).

The cases that need a model library to find the mistake (an architecture's name: torchvision's list) are timed too, as
the reference: their wait is torch's import, and with `--engine ray` Ray's start before it.
"""
import numpy as np
import argparse, json, os, platform, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CALL = "import sys\nfrom pseudo_clean import cli\nsys.argv[0] = sys.argv.pop(1); fn = sys.argv.pop(1)\ngetattr(cli, fn)()\n"   # a script file: fastcore's `call_parse` parses sys.argv only when called from a module

CASES = [   # (what, command, its function in pseudo_clean.cli, arguments)
    ('unknown --method', 'pseudo_clean', 'main', ['--method', 'foo']),
    ('unknown --method, --engine ray', 'pseudo_clean', 'main', ['--method', 'foo', '--engine', 'ray']),
    ('--epochs 0', 'pseudo_clean', 'main', ['--epochs', '0']),
    ('source folder missing', 'pseudo_clean', 'main', ['no_such_folder']),
    ('--weights file missing, --engine ray', 'pseudo_clean', 'main', ['--weights', 'nowhere.pth', '--engine', 'ray']),
    ('--threshold 1.5, --engine ray', 'pseudo_clean_label', 'label', ['labeled', 'unlabeled', '--threshold', '1.5', '--engine', 'ray']),
    ('unlabeled folder missing', 'pseudo_clean_label', 'label', ['labeled', 'no_such_folder']),
    ('--labels file missing', 'pseudo_clean_retrain', 'retrain', ['labeled', '--labels', 'nowhere.csv']),
    ('source folder missing', 'pseudo_clean_pretrain', 'pretrain', ['no_such_folder']),
    ('run folder missing', 'pseudo_clean_fix', 'fix', ['no_such_folder']),
    ('the whole command on a finished run (not an error)', 'pseudo_clean_fix', 'fix', ['run', '--policy', 'mix']),
    ('unknown --arch (reference: needs torchvision)', 'pseudo_clean', 'main', ['--arch', 'resnet99']),
    ('unknown --arch, --engine ray (reference)', 'pseudo_clean', 'main', ['--arch', 'resnet99', '--engine', 'ray']),
]

def wall(args:list, env:dict, cwd:Path)->tuple:
    "Seconds to the command's exit, and its last line: an error (exit status 2), or, for the one case that is not, what it printed."
    t0 = time.time()
    r = subprocess.run([sys.executable, str(cwd/'call.py'), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    ok = r.returncode == 0 and args[0] == 'pseudo_clean_fix' and 'run' in args
    if r.returncode != 2 and not ok: raise SystemExit(f'{args}: exit status {r.returncode}, expected 2:\n{r.stderr[-2000:]}')
    return time.time() - t0, (r.stderr if r.returncode else r.stdout).strip().splitlines()[-1]

def main():
    p = argparse.ArgumentParser(); p.add_argument('--reps', type=int, default=3); p.add_argument('--before', default='c433278')
    p.add_argument('--md-only', action='store_true', help='rewrite errors.md from errors.json')
    a = p.parse_args()
    if a.md_only: return write_md(json.loads((HERE/'errors.json').read_text()))
    rows = []
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); (d/'labeled').mkdir(); (d/'unlabeled').mkdir(); (d/'call.py').write_text(CALL)
        from pseudo_clean.data import write_image_folder, mnist_sample
        write_image_folder(mnist_sample().subset(np.arange(0, 5000, 16)[:300]), d/'digits')   # a finished run for pseudo_clean_fix (made by today's package)
        subprocess.run([sys.executable, str(d/'call.py'), 'pseudo_clean', 'main', str(d/'digits'), '--out', str(d/'run'), '--noise', '0.1',
                        '--folds', '2', '--epochs', '2', '--quiet'], check=True, cwd=d)
        old = d/'before'
        subprocess.run(['git', 'worktree', 'add', '-q', '--detach', str(old), a.before], check=True, cwd=HERE.parent)
        try:
            envs = {'now': {**os.environ}, 'before': {**os.environ, 'PYTHONPATH': str(old)}}
            for what, name, fn, args in CASES:
                times, lines = {k: [] for k in envs}, {}
                for _ in range(a.reps):
                    for k, env in envs.items():
                        s, lines[k] = wall([name, fn, *args, '--out', str(d/'out.csv')], env, d)
                        times[k].append(s)
                row = dict(case=what, command=' '.join([name, *args]), **{f'{k}_s': round(statistics.median(v), 2) for k, v in times.items()},
                           error_now=lines['now'], error_before=lines['before'])
                print(row); rows.append(row)
        finally: subprocess.run(['git', 'worktree', 'remove', '--force', str(old)], cwd=HERE.parent)
    subprocess.run('pkill -f "gcs_server|raylet"', shell=True)
    out = dict(date=time.strftime('%Y-%m-%d %H:%M'), before=a.before, reps=a.reps, cpus=os.cpu_count(), machine=platform.machine(), rows=rows)
    from pseudo_clean.data import save_json
    save_json(out, HERE/'errors.json')
    write_md(out)

def write_md(out:dict):
    "errors.md from the results: a row per case, and whether the package before stopped at the same error."
    from pseudo_clean.data import atomic_write_text
    md = [f'# How long a command takes to say what is wrong\n', f'`python benchmarks/bench_errors.py --reps {out["reps"]} --before {out["before"]}` on {out["date"]}: '
          f'{out["cpus"]} CPUs ({out["machine"]}); each case run as a new process (a script calling the command\'s function in `pseudo_clean.cli`), '
          f'median of {out["reps"]} runs, today\'s package and the package at {out["before"]} alternating. The last two rows need a model library to find the '
          'mistake (torchvision names the architectures): their wait is the same before and now. *Same error*: whether the package before stopped at the '
          'same message (where not: with `--threshold` the message now names the flag; in the two others it read the empty labeled folder first and stopped there).\n',
          f'| case | command | seconds now | seconds at {out["before"]} | same error | error now |', '|---|---|---|---|---|---|']
    md += [f"| {r['case']} | `{r['command']}` | {r['now_s']:.2f} | {r['before_s']:.2f} | {'yes' if r['error_now'] == r['error_before'] else 'no'} | "
           f"{r['error_now'][:110]} |" for r in out['rows']]
    atomic_write_text(HERE/'errors.md', '\n'.join(md) + '\n')

if __name__ == '__main__': main()
