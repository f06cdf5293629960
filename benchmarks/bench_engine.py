"""Engine benchmark (issue 23): the zero-argument `pseudo_clean` job (the bundled 5,000 MNIST digits, 10% symmetric
noise, five folds), timed as a user runs it (a new process, imports and training included), with `--engine local`
(the folds one after another in this process, torch's default threads) against `--engine ray` (a Ray started by the
command on this machine: as many workers as CPUs, one thread each, `--cpus_per_fold 1`), in one run of this script.

Run by hand (not a test):  python benchmarks/bench_engine.py [--reps 1]
Writes benchmarks/engine.json and benchmarks/engine.md. Target: Ray's overhead under 10% of the local wall time.
The machine may be shared with other jobs: each run records the 1-minute load average at its start.
"""
import argparse, json, os, platform, shutil, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = {'local': [], 'ray': ['--engine', 'ray', '--cpus_per_fold', '1']}

def time_job(engine:str, work:Path)->dict:
    "One zero-argument run with `engine` in a new process: wall seconds, the summary line, `metrics.json`'s stage seconds."
    exe = shutil.which('pseudo_clean') or str(Path(sys.executable).parent/'pseudo_clean')
    out = work/f'out_{engine}_{time.time_ns()}'
    env = {k: v for k, v in os.environ.items() if k != 'RAY_ADDRESS'}      # a Ray started by the command, on this machine
    load = os.getloadavg()[0]; t0 = time.time()
    res = subprocess.run([exe, '--out', str(out), '--quiet', *ENGINES[engine]], capture_output=True, text=True, cwd=work, env=env)
    wall = time.time() - t0
    if res.returncode: raise SystemExit(res.stderr[-3000:])
    m = json.loads((out/'metrics.json').read_text())
    return dict(engine=engine, wall_seconds=round(wall, 1), load_1min_at_start=round(load, 2), stdout_lines=len(res.stdout.splitlines()),
                summary=res.stdout.strip().splitlines()[-1], f1=round(m['f1'], 4), stage_seconds=m['stage_seconds'])

def markdown(out:dict)->str:
    quiet = out['runs'][0]['load_1min_at_start'] < 1.5     # later runs start with the previous run's own load
    machine = ('No other job of ours ran: the load average was under 1.5 before the first run (the later runs start with the load of the one before).'
               if quiet else 'The machine was shared with other jobs (the load average column): the times are what one run saw, not a clean measurement.')
    loc, ray = ([r['wall_seconds'] for r in out['runs'] if r['engine'] == e] for e in ('local', 'ray'))
    pairs = ', '.join(f'{100*(r/l - 1):+.1f}%' for l, r in zip(loc, ray))
    rows = '\n'.join(f"| {r['engine']} | {r['wall_seconds']} | {r['stage_seconds']['train']} | {r['f1']} | {r['load_1min_at_start']} |" for r in out['runs'])
    return f"""# Engines: the zero-argument job, `--engine local` against `--engine ray`

`python benchmarks/bench_engine.py` on {out['date']}: {out['cpus']} CPUs ({out['machine']}), Ray {out['ray']}, the runs alternating
local and Ray. {machine}

| engine | wall s (new process) | training s (`metrics.json`) | F1 | load (1 min) at start |
|---|---|---|---|---|
{rows}

Median wall: local {out['median_wall']['local']} s, Ray {out['median_wall']['ray']} s: Ray's overhead **{out['overhead_pct']:+.1f}%**
(target under 10%). Pair by pair (each Ray run against the local run just before it): {pairs}; the same local job took
{min(loc)} to {max(loc)} s, so the machine's own speed moved more than the engines differ. {out['note']}
"""

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--reps', type=int, default=1); a = ap.parse_args()
    import ray, statistics
    work = HERE/'work'/'engine'; work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as d:
        runs = [time_job(e, Path(d)) for _ in range(a.reps) for e in ('local', 'ray')]
    med = {e: round(statistics.median(r['wall_seconds'] for r in runs if r['engine'] == e), 1) for e in ENGINES}
    over = 100 * (med['ray'] / med['local'] - 1)
    note = ('Ray pays for starting itself and, in each worker process, for importing torch and fastai before its first fold; '
            'on two cores the two workers of one thread each then train in parallel what the local engine trains with two threads. '
            'Five folds on two workers are three rounds: the fifth fold trains alone, on one thread, while the other core waits.')
    out = dict(runs=runs, median_wall=med, overhead_pct=round(over, 1), target_overhead_pct_under=10, meets_target=over < 10, note=note,
               cpus=os.cpu_count(), machine=platform.machine(), ray=ray.__version__, date=time.strftime('%Y-%m-%d %H:%M'))
    from pseudo_clean.data import save_json, atomic_write_text
    save_json(out, HERE/'engine.json'); atomic_write_text(HERE/'engine.md', markdown(out))
    print(json.dumps(out, indent=2))

if __name__ == '__main__': main()
