"""The local engine's worker processes (`--processes`, issue 23): on the CPU with the 8x8 digits, as a user runs the
command, several folds at once give the bytes of one after another; the folds either way are the same run's; an
error in a worker stops the run with that error; the driver's bar shows the workers' epochs; and the workers map an
image cache rather than receive a copy.

Each worker is a spawned interpreter that imports torch and fastai (seconds each), so the jobs stay tiny.
"""
import operator, os, re, subprocess, sys
from pathlib import Path

import numpy as np, pytest

from tests.digits import digits_folder
from pseudo_clean.engine import run_units

BIN = Path(sys.executable).parent
ONE_THREAD = {**os.environ, 'OMP_NUM_THREADS': '1'}   # torch's threads in the command: the workers then get one each too


def pseudo_clean(*args, env=ONE_THREAD):
    r = subprocess.run([str(BIN/'pseudo_clean'), *map(str, args), '--folds', '2', '--epochs', '2', '--noise', '0.1', '--quiet'],
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def test_processes_match_one_after_another_byte_for_byte_and_share_the_folds(tmp_path):
    src = digits_folder(tmp_path/'digits', 300)
    pseudo_clean(src, '--out', tmp_path/'here')
    r = pseudo_clean(src, '--out', tmp_path/'workers', '--processes', '2')
    assert len(r.stdout.splitlines()) == 1 and 'Traceback' not in r.stderr, (r.stdout, r.stderr)   # --quiet: the summary line only
    for f in ('suspects.csv', 'oof_probs.npy'):
        assert (tmp_path/'here'/f).read_bytes() == (tmp_path/'workers'/f).read_bytes(), f
    # where the folds ran is not part of the run: one after another reuses the workers' folds and rewrites none
    stamps = {f.name: f.stat().st_mtime_ns for f in (tmp_path/'workers'/'folds').glob('fold_*.npz')}
    assert len(stamps) == 2
    pseudo_clean(src, '--out', tmp_path/'workers')
    assert {f.name: f.stat().st_mtime_ns for f in (tmp_path/'workers'/'folds').glob('fold_*.npz')} == stamps


def test_the_bar_over_folds_shows_the_epochs_of_the_workers(tmp_path):
    "The folds train in other processes, whose own bars cannot be seen: the driver's bar says how far they are."
    src = digits_folder(tmp_path/'digits', 300)
    r = subprocess.run([str(BIN/'pseudo_clean'), str(src), '--out', str(tmp_path/'out'), '--folds', '2', '--epochs', '100', '--processes', '2'],
                       capture_output=True, text=True, timeout=600, env=ONE_THREAD)
    assert r.returncode == 0, r.stderr[-3000:]
    seen = re.findall(r'folds training: epoch (\d+)/100', r.stdout)     # a fold of 150 digits takes seconds: the bar is redrawn every second
    assert seen and all(1 <= int(e) < 100 for e in seen), r.stdout[-3000:]


def test_workers_map_a_cache_file_return_in_order_and_raise_their_error(tmp_path):
    a = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4); np.save(tmp_path/'a.npy', a)
    m = np.load(tmp_path/'a.npy', mmap_mode='r')
    # each worker maps the file again (not a copy of the array): what it holds is a memory map of that file, at its offset
    filename, offset, shape = run_units(getattr, m, [('filename',), ('offset',), ('shape',)], processes=2, progress=False)
    assert (str(filename), offset, shape) == (str(tmp_path/'a.npy'), m.offset, a.shape)    # and in the order of the jobs
    with pytest.raises(ZeroDivisionError):
        run_units(operator.truediv, 1, [(1,), (0,)], processes=2, progress=False)


def test_processes_with_ray_or_below_one_are_errors_before_training(tmp_path):
    src = digits_folder(tmp_path/'digits', 50)
    for extra, msg in ((['--processes', '0'], '--processes must be at least 1, got 0'),
                       (['--engine', 'ray', '--processes', '2'], "--processes is the local engine's")):
        r = subprocess.run([str(BIN/'pseudo_clean'), str(src), '--out', str(tmp_path/'out'), *extra], capture_output=True, text=True, timeout=300)
        assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr
        assert not (tmp_path/'out').exists()
