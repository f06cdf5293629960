"""Interruption, determinism and atomic outputs of the `pseudo_clean` command (issue 6).

Real runs on scikit-learn's 8×8 digits written as PNGs with a `path,label` CSV, on the CPU, as separate processes.
The bad-input cases live in nbs/14_robustness.ipynb; scale in benchmarks/bench_scale.py.
"""
import os, signal, shutil, subprocess, sys, time
from pathlib import Path

import numpy as np, pandas as pd, pytest
from PIL import Image

from pseudo_clean.data import tree_digest

EXE = Path(sys.executable).parent/'pseudo_clean'
N, FOLDS, EPOCHS = 600, 3, 2


def write_digits_csv(root:Path, n:int)->Path:
    "The first `n` sklearn digits as PNGs under `root/img/` and `root/labels.csv` (path,label)."
    from pseudo_clean.data import digits_8x8
    d = digits_8x8()
    (root/'img').mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        p = f'img/{i:04d}.png'; Image.fromarray(d.images[i]).save(root/p); rows.append((p, str(d.labels[i])))
    pd.DataFrame(rows, columns=['path', 'label']).to_csv(root/'labels.csv', index=False)
    return root/'labels.csv'


def cli_args(csv, out, *extra):
    return [str(EXE), str(csv), '--out', str(out), '--folds', str(FOLDS), '--epochs', str(EPOCHS),
            '--noise', '0.1', '--seed', '0', '--quiet', *extra]


def run_ok(args, timeout=600):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f'{args} failed ({r.returncode}):\n{r.stderr[-3000:]}'
    return r


def folds_of(out:Path)->dict:
    "fold file name → (mtime_ns, bytes) of the finished folds in `out/folds`."
    return {f.name: (f.stat().st_mtime_ns, f.read_bytes()) for f in sorted((out/'folds').glob('fold_*.npz'))}


def kill_after_first_fold(args, out:Path, known=(), timeout=600):
    "Start the command, SIGKILL it as soon as a finished fold file not in `known` appears in `out/folds`."
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    try:
        while not [f for f in (out/'folds').glob('fold_*.npz') if f.name not in known]:
            assert p.poll() is None, f'the command ended ({p.returncode}) before its first fold was written'
            assert time.time() - t0 < timeout, 'no fold file appeared in time'
            time.sleep(0.05)
        os.kill(p.pid, signal.SIGKILL)
    finally:
        if p.poll() is None: p.kill()
        p.wait()
    return p.returncode


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('digits')
    return write_digits_csv(root, N)


def test_kill_resume_matches_uninterrupted_run(data, tmp_path):
    "SIGKILL mid-fold, run again: finished folds are reused, and suspects.csv equals an uninterrupted run's."
    src_digest = tree_digest(data.parent)
    full, killed = tmp_path/'full', tmp_path/'killed'
    run_ok(cli_args(data, full))                                      # the reference, in its own process
    rc = kill_after_first_fold(cli_args(data, killed), killed)
    assert rc == -signal.SIGKILL
    assert not (killed/'suspects.csv').exists(), 'the run was not interrupted before its outputs'
    done = folds_of(killed)
    assert 1 <= len(done) < FOLDS, f'{len(done)} folds finished before the kill'
    stale = tmp_path/'stale'; shutil.copytree(killed, stale)      # the interrupted folder, for the settings check below

    run_ok(cli_args(data, killed))                                    # resume
    after = folds_of(killed)
    for name, (mtime, raw) in done.items():                          # finished folds were reused, not retrained
        assert after[name] == (mtime, raw), f'{name} was rewritten'
    assert len(after) == FOLDS and set(after) == set(folds_of(full)), 'resume trained folds under other keys'
    for f in ('suspects.csv', 'labels.csv', 'oof_probs.npy', 'classes.txt'):
        assert (killed/f).read_bytes() == (full/f).read_bytes(), f'{f} differs from the uninterrupted run'
    assert not list(killed.rglob('*.tmp')), list(killed.rglob('*.tmp'))
    assert tree_digest(data.parent) == src_digest, 'the input files changed'

    # A changed setting (--epochs) never reuses a stale fold. In the same folder the command refuses to mix runs
    # (before any training, fold files untouched) ...
    args = cli_args(data, stale)
    args[args.index('--epochs') + 1] = str(EPOCHS + 1)
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and 'holds another run' in r.stderr, (r.returncode, r.stderr[-500:])
    assert folds_of(stale) == done
    # ... and told to --overwrite, it trains folds under new keys: none of the old fold files is reused.
    kill_after_first_fold(args + ['--overwrite'], stale, known=set(done))
    new = folds_of(stale)
    assert new and not set(new) & set(done), (list(done), list(new))
    old_keys = {n.rsplit('_', 1)[1] for n in done}
    assert all(n.rsplit('_', 1)[1] not in old_keys for n in new), (list(done), list(new))


DETERMINISM = r'''
import hashlib, sys, numpy as np
from pseudo_clean.data import digits_8x8
from pseudo_clean.noise import symmetric_noise
from pseudo_clean.folds import fold_ids, oof_probs
from pseudo_clean.ranking import find_label_issues
seed = int(sys.argv[1])
d = digits_8x8().subset(np.arange(300))
noisy, is_noisy = symmetric_noise(d.labels, 0.1, seed=seed)
codes = np.searchsorted(np.unique(noisy), noisy)
folds = fold_ids(codes, 2, seed)
probs = oof_probs(d.images, codes, 10, n_folds=2, seed=seed, epochs=1, progress=False)
flagged = find_label_issues(codes, probs)
h = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]
print(h(noisy), h(is_noisy), h(folds), h(flagged), h(probs))
'''


def test_same_seed_same_results_in_two_processes():
    "Noise, folds, flagged set (and the probabilities themselves) are identical across processes on the CPU."
    go = lambda seed: run_ok([sys.executable, '-c', DETERMINISM, str(seed)]).stdout.split()
    a, b = go(0), go(0)
    assert a == b, dict(zip(['noise', 'mask', 'folds', 'flagged', 'probs'], zip(a, b)))
    c = go(1)
    assert c[:3] != a[:3]                                              # and the seed matters


def test_every_output_is_renamed_into_place(tmp_path, monkeypatch):
    "Every file of a run folder arrives by os.replace from a temp name; a crash mid-write keeps the old file."
    from pseudo_clean.run import run
    csv = write_digits_csv(tmp_path/'src', 120)
    out = tmp_path/'out'
    replaced, real_replace = [], os.replace
    def spy(src, dst, *a, **k):
        replaced.append(Path(dst).resolve()); return real_replace(src, dst, *a, **k)
    monkeypatch.setattr(os, 'replace', spy)
    run(csv, out=out, folds=2, epochs=1, progress=False)
    files = {p.resolve() for p in out.rglob('*') if p.is_file()}
    assert files, 'the run wrote nothing'
    assert files <= set(replaced), f'written without temp+rename: {sorted(map(str, files - set(replaced)))}'
    assert not [p for p in out.rglob('*') if p.name.endswith('.tmp')]

    # Crash in the middle of writing oof_probs.npy on a repeated run: the old file stays whole, no temp is left.
    old = {f: (out/f).read_bytes() for f in ('oof_probs.npy', 'metrics.json', 'run.json')}
    def half_save(f, arr, *a, **k):
        f.write(b'\x93NUMPY partial'); raise OSError('disk full (simulated)')
    monkeypatch.setattr(np, 'save', half_save)
    with pytest.raises(OSError, match='simulated'): run(csv, out=out, folds=2, epochs=1, progress=False)
    monkeypatch.undo()
    for f, raw in old.items(): assert (out/f).read_bytes() == raw, f'{f} was damaged by the crash'
    assert not [p for p in out.rglob('*') if p.name.endswith('.tmp')]
