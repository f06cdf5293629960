"""Where `--engine ray`'s time goes on the zero-argument job (probe for issue 23).

Run by hand:  python benchmarks/probes/ray_start.py [ray|local]
In one process, as the command does it: the imports, starting a small Ray on this machine (`start_engine`, with its
warm-up tasks, or none for the local engine), then the five folds of the bundled sample with 10% symmetric noise, one
thread a task; prints the seconds of each, and every task's start and length from Ray's timeline (seconds from the
process start), to see the workers' imports and the rounds of folds. Writes nothing.
"""
import json, sys, time
t0 = time.time()
from pseudo_clean.data import mnist_sample
from pseudo_clean.noise import symmetric_noise
from pseudo_clean.folds import oof_probs, start_engine

def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else 'ray'
    t_imports = time.time()
    eng = dict(engine='ray', cpus_per_fold=1) if engine == 'ray' else {}
    warming = start_engine(eng)                              # as `run` does, before the images are read
    t_start = time.time()
    d = mnist_sample(); noisy, _ = symmetric_noise(d.codes, 0.1, seed=0)
    t_data = time.time()
    oof_probs(d.images, noisy, 10, n_folds=5, seed=0, progress=False, **eng)
    t_folds = time.time()
    print(json.dumps(dict(engine=engine, imports=round(t_imports - t0, 1), start_engine=round(t_start - t_imports, 1),
                          data=round(t_data - t_start, 1), folds=round(t_folds - t_data, 1), total=round(t_folds - t0, 1))))
    if engine == 'ray':
        import ray
        for e in sorted((e for e in ray.timeline() if e.get('ph') == 'X' and e['name'].endswith(('_unit_call', '_warm'))), key=lambda e: e['ts']):
            print(f"{e['name']:<40} start {e['ts'] / 1e6 - t0:6.1f} s, {e['dur'] / 1e6:5.1f} s, {e['tid'][:15]}")

if __name__ == '__main__': main()
