"""Zero-argument command benchmark: the `pseudo_clean` command with no argument, timed as a user runs it (a new process, imports and
training included), on the bundled 5,000 MNIST digits with 10% symmetric noise injected.

Run by hand (not a test):  python benchmarks/bench_cli.py
Writes benchmarks/cli_zero_arg.json. Targets: under 90 s wall, F1 at least 0.90.
"""
import json, os, platform, shutil, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent

def main():
    exe = shutil.which('pseudo_clean') or str(Path(sys.executable).parent/'pseudo_clean')
    with tempfile.TemporaryDirectory() as d:
        t0 = time.time()
        res = subprocess.run([exe, '--out', str(Path(d)/'out'), '--quiet'], capture_output=True, text=True, cwd=d)
        wall = time.time() - t0
        if res.returncode: raise SystemExit(res.stderr[-2000:])
        metrics = json.loads((Path(d)/'out'/'metrics.json').read_text())
    out = dict(command='pseudo_clean', wall_seconds=round(wall, 1), summary=res.stdout.strip().splitlines()[-1],
               metrics=metrics, cpus=os.cpu_count(), machine=platform.machine(), date=time.strftime('%Y-%m-%d %H:%M'),
               targets=dict(wall_seconds_under=90, f1_at_least=0.90))
    from pseudo_clean.data import save_json
    save_json(out, HERE/'cli_zero_arg.json')
    print(json.dumps(out, indent=2))

if __name__ == '__main__': main()
