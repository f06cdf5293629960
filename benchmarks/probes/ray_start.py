"""Where `--engine ray`'s time goes on the zero-argument job (probe for issue 23).

Run by hand:  python benchmarks/probes/ray_start.py [ray|early|local]
In one process, as the command does it: starting a small Ray on this machine (`start_engine`, with its warm-up tasks,
or none for the local engine), the imports of torch and fastai, then the five folds of the bundled sample with 10%
symmetric noise, one thread a task. 'ray' starts Ray after the imports, as `run` does when called from Python (and as
the command did before 2026-12-07); 'early' before them, as the command now does (`pseudo_clean.engine` imports no
torch). Prints the seconds of each step, and every task's start and length from Ray's timeline (seconds from the
process start), to see the workers' imports and the rounds of folds. Writes nothing.
"""
import json, sys, time
t0 = time.time()
from pseudo_clean.engine import start_engine

def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else 'ray'
    eng = dict(engine='ray', cpus_per_fold=1) if engine != 'local' else {}
    t_ray = time.time()
    if engine == 'early': start_engine(eng)                  # as the command does: before torch is imported
    t_early = time.time()
    from pseudo_clean.data import mnist_sample
    from pseudo_clean.noise import symmetric_noise
    from pseudo_clean.folds import oof_probs
    t_imports = time.time()
    start_engine(eng)                                        # as `run` does, before the images are read
    t_start = time.time()
    d = mnist_sample(); noisy, _ = symmetric_noise(d.codes, 0.1, seed=0)
    t_data = time.time()
    oof_probs(d.images, noisy, 10, n_folds=5, seed=0, progress=False, **eng)
    t_folds = time.time()
    print(json.dumps(dict(engine=engine, start_engine_early=round(t_early - t_ray, 1), imports=round(t_imports - t_early + t_ray - t0, 1),
                          start_engine=round(t_start - t_imports, 1), data=round(t_data - t_start, 1), folds=round(t_folds - t_data, 1),
                          total=round(t_folds - t0, 1))))
    if engine != 'local':
        import ray
        for e in sorted((e for e in ray.timeline() if e.get('ph') == 'X' and e['name'].endswith(('_unit_call', '_warm'))), key=lambda e: e['ts']):
            print(f"{e['name']:<40} start {e['ts'] / 1e6 - t0:6.1f} s, {e['dur'] / 1e6:5.1f} s, {e['tid'][:15]}")

if __name__ == '__main__': main()
