"""Engine benchmark (issue 23): the zero-argument `pseudo_clean` job (the bundled 5,000 MNIST digits, 10% symmetric
noise, five folds), timed as a user runs it (a new process, imports and training included), with `--engine local`
(the folds one after another in this process, torch's default threads) against `--engine ray` (a Ray started by the
command on this machine: as many workers as CPUs, one thread each, `--cpus_per_fold 1`), against the same joining a Ray
that this script starts once beforehand with `ray start --head`, untimed (`ray_address`: `--address`, as one runs many
jobs on one machine), and against the local engine's worker processes (`--processes N`, N = the CPUs, each with its
share of the threads), and against Ray without `--quiet` (`ray_bar`: the bar over the folds, with the epochs the tasks
report through a small Ray actor), in one run of this script.

Run by hand (not a test):  python benchmarks/bench_engine.py [--reps 1] [--engines ray ray_address processes ray_bar] [--out engine]
Writes benchmarks/engine.json and benchmarks/engine.md (`--out NAME`: NAME.json, NAME.md). Target: Ray's overhead under 10% of the local wall time.
The machine may be shared with other jobs: each run records the 1-minute load average at its start.
"""
import argparse, json, os, platform, shutil, signal, socket, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = {'local': [], 'ray': ['--engine', 'ray', '--cpus_per_fold', '1'], 'ray_address': ['--engine', 'ray', '--cpus_per_fold', '1', '--address'],
           'processes': ['--processes', str(os.cpu_count())], 'ray_bar': ['--engine', 'ray', '--cpus_per_fold', '1']}   # 'ray_bar': not --quiet (the bar and its epochs)
HEAD_PORT = 6391   # the port of the Ray head `ray_address` joins

def start_head(temp:Path)->subprocess.Popen:
    "A Ray head on this machine, as a user starts one (`ray start --head`), as many CPUs as the machine has; it lives as long as the returned process (`--block`)."
    ray_exe = shutil.which('ray') or str(Path(sys.executable).parent/'ray')
    head = subprocess.Popen([ray_exe, 'start', '--head', '--port', str(HEAD_PORT), '--node-ip-address', '127.0.0.1', '--num-cpus', str(os.cpu_count()),
                             '--include-dashboard=false', '--temp-dir', str(temp), '--block'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 120:
        try: socket.create_connection(('127.0.0.1', HEAD_PORT), timeout=1).close(); time.sleep(3); return head   # and a moment for its raylet
        except OSError: time.sleep(0.5)
    raise SystemExit('the Ray head did not start')

def stop_head(head:subprocess.Popen):
    "Stop the head `start_head` started (SIGINT: `ray start --block` stops its cluster)."
    head.send_signal(signal.SIGINT)
    try: head.wait(60)
    except subprocess.TimeoutExpired: os.killpg(head.pid, signal.SIGKILL); head.wait()

def engine_args(engine:str)->list:
    "The command's flags for `engine`."
    return ENGINES[engine] + ([f'127.0.0.1:{HEAD_PORT}'] if engine == 'ray_address' else [])

def time_job(engine:str, work:Path)->dict:
    "One zero-argument run with `engine` in a new process: wall seconds, the summary line, `metrics.json`'s stage seconds."
    exe = shutil.which('pseudo_clean') or str(Path(sys.executable).parent/'pseudo_clean')
    out = work/f'out_{engine}_{time.time_ns()}'
    env = {k: v for k, v in os.environ.items() if k != 'RAY_ADDRESS'}      # a Ray started by the command, on this machine
    load = os.getloadavg()[0]; t0 = time.time()
    quiet = [] if engine.endswith('_bar') else ['--quiet']
    res = subprocess.run([exe, '--out', str(out), *quiet, *engine_args(engine)], capture_output=True, text=True, cwd=work, env=env)
    wall = time.time() - t0
    if res.returncode: raise SystemExit(res.stderr[-3000:])
    m = json.loads((out/'metrics.json').read_text())
    return dict(engine=engine, wall_seconds=round(wall, 1), load_1min_at_start=round(load, 2), stdout_lines=len(res.stdout.splitlines()),
                summary=res.stdout.strip().splitlines()[-1], f1=round(m['f1'], 4), stage_seconds=m['stage_seconds'])

def markdown(out:dict)->str:
    quiet = out['runs'][0]['load_1min_at_start'] < 1.5     # later runs start with the previous run's own load
    machine = ('No other job of ours ran: the load average was under 1.5 before the first run (the later runs start with the load of the one before).'
               if quiet else 'The machine was shared with other jobs (the load average column): the times are what one run saw, not a clean measurement.')
    wall = {e: [r['wall_seconds'] for r in out['runs'] if r['engine'] == e] for e in out['median_wall']}
    names = {'ray': 'Ray', 'ray_address': 'Ray started once beforehand (`--address`)', 'processes': f"`--processes {out['cpus']}`",
             'ray_bar': 'Ray without `--quiet` (the bar, and the epochs the tasks report to a Ray actor)'}
    rows = '\n'.join(f"| {r['engine']} | {r['wall_seconds']} | {r['stage_seconds']['train']} | {r['f1']} | {r['load_1min_at_start']} |" for r in out['runs'])
    against = '\n'.join(f"- {names[e]}: median {out['median_wall'][e]} s, **{100*(out['median_wall'][e]/out['median_wall']['local'] - 1):+.1f}%** "
                        f"against local's {out['median_wall']['local']} s; pair by pair (against the local run just before it) "
                        + ', '.join(f'{100*(x/l - 1):+.1f}%' for l, x in zip(wall['local'], wall[e])) + '.' for e in wall if e != 'local')
    target = f"Ray's overhead: {out['overhead_pct']:+.1f}% at the median (target under 10%). " if 'overhead_pct' in out else ''
    return f"""# Engines: the zero-argument job, {' against '.join(f'`{" ".join(engine_args(e)) or "--engine local"}`' + (' (not `--quiet`)' if e.endswith('_bar') else '') for e in wall)}

`python benchmarks/bench_engine.py {' '.join(out['argv'])}` on {out['date']}: {out['cpus']} CPUs ({out['machine']}), Ray {out['ray']}, the runs
alternating {', '.join(wall)}. {machine}

| engine | wall s (new process) | training s (`metrics.json`) | F1 | load (1 min) at start |
|---|---|---|---|---|
{rows}

{against}

{target}The same local job took {min(wall['local'])} to {max(wall['local'])} s, so the machine's own speed may move as much as the engines
differ. {out['note']}
"""

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--reps', type=int, default=1)
    ap.add_argument('--engines', nargs='+', default=['local', 'ray'], choices=list(ENGINES), help="'local' always runs, first in each round")
    ap.add_argument('--out', default='engine', help='result files NAME.json and NAME.md')
    a = ap.parse_args(); engines = ['local'] + [e for e in a.engines if e != 'local']
    import ray, statistics
    work = HERE/'work'/'engine'; work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as d, tempfile.TemporaryDirectory(prefix='ray', dir='/tmp') as temp:   # /tmp: Ray's socket paths must be short
        head = start_head(Path(temp)) if 'ray_address' in engines else None
        try: runs = [time_job(e, Path(d)) for _ in range(a.reps) for e in engines]
        finally:
            if head is not None: stop_head(head)
    med = {e: round(statistics.median(r['wall_seconds'] for r in runs if r['engine'] == e), 1) for e in engines}
    note = ('Ray, and the local worker processes alike, pay for starting each worker, which imports torch and fastai before its first fold. '
            "Since 2026-12-07 the command starts Ray before it imports torch itself (`pseudo_clean.engine.start_engine`, which imports no torch), "
            "so Ray's workers import while the driver does, not after it; a Ray the command starts itself still costs its own start (3-4 s) "
            'and stop (about 1.5 s), which a Ray started once beforehand (`ray_address`) does not. '
            'On two cores the two workers of one thread each then train in parallel what the local engine trains with two threads, two folds '
            'in about the time it trains 1.7; but five folds on two workers are three rounds: the fifth fold trains alone, on one thread, '
            'while the other core waits. Where `ray_address` runs, its head stays up through every run, the local ones included.')
    out = dict(runs=runs, median_wall=med, note=note, argv=sys.argv[1:], cpus=os.cpu_count(), machine=platform.machine(),
               ray=ray.__version__, date=time.strftime('%Y-%m-%d %H:%M'))
    if 'ray' in med:
        over = 100 * (med['ray'] / med['local'] - 1)
        out.update(overhead_pct=round(over, 1), target_overhead_pct_under=10, meets_target=over < 10)
    from pseudo_clean.data import save_json, atomic_write_text
    save_json(out, HERE/f'{a.out}.json'); atomic_write_text(HERE/f'{a.out}.md', markdown(out))
    print(json.dumps(out, indent=2))

if __name__ == '__main__': main()
