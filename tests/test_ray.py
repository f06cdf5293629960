"""Folds as Ray tasks (issue 23), on the CPU with the 8x8 digits: the Ray engine gives the local engine's bytes, a
worker killed mid-task is retried to the same bytes, `--address` joins a cluster the test starts, Ctrl-C cancels the
tasks there and the rerun resumes, and a bad address or a missing Ray is a clear error before any training.

Ray starts slowly (seconds per cluster, and each worker imports torch and fastai), so the in-process tests share one
local Ray of 2 worker processes (module scope). Skipped where Ray is not installed, but the dev install includes it.
"""
import os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
from contextlib import contextmanager
from pathlib import Path

import numpy as np, pytest, torch

from pseudo_clean.data import digits_8x8
from tests.digits import digits_folder
from pseudo_clean.folds import oof_probs
from pseudo_clean.engine import run_units
from pseudo_clean.run import run

BIN = Path(sys.executable).parent
needs_ray = pytest.mark.skipif(__import__('importlib').util.find_spec('ray') is None, reason='Ray is not installed (pip install "pseudo_clean[ray]")')
ARGS = dict(folds=2, epochs=2, seed=0, noise=0.1, progress=False)


class one_thread:
    "torch with one thread in this process, as each Ray task has: the local engine's arithmetic is then the tasks'."
    def __enter__(self): self.n = torch.get_num_threads(); torch.set_num_threads(1)
    def __exit__(self, *a): torch.set_num_threads(self.n)


@pytest.fixture(scope='module')
def local_ray():
    ray = pytest.importorskip('ray')
    # one GPU as far as Ray's scheduler knows (there is none here): where Ray places fractional GPUs, tested on the CPU
    ray.init(address='local', num_cpus=2, num_gpus=1, object_store_memory=100 * 2**20, include_dashboard=False, log_to_driver=False, logging_level='ERROR')
    yield ray
    ray.shutdown()


@needs_ray
def test_ray_matches_local_byte_for_byte_and_folds_are_shared(local_ray, tmp_path):
    src = digits_folder(tmp_path/'digits', 400)
    with one_thread(): run(src, out=tmp_path/'local', **ARGS)
    run(src, out=tmp_path/'ray', engine='ray', cpus_per_fold=1, **ARGS)
    for f in ('suspects.csv', 'oof_probs.npy'):
        assert (tmp_path/'local'/f).read_bytes() == (tmp_path/'ray'/f).read_bytes(), f
    # the engine is not part of the run's identity: the local engine reuses the folds Ray finished, and rewrites nothing
    stamps = {f.name: f.stat().st_mtime_ns for f in (tmp_path/'ray'/'folds').glob('fold_*.npz')}
    assert len(stamps) == 2
    with one_thread(): run(src, out=tmp_path/'ray', **ARGS)
    assert {f.name: f.stat().st_mtime_ns for f in (tmp_path/'ray'/'folds').glob('fold_*.npz')} == stamps
    assert (tmp_path/'local'/'suspects.csv').read_bytes() == (tmp_path/'ray'/'suspects.csv').read_bytes()


@needs_ray
def test_the_bar_over_folds_shows_the_epochs_of_the_tasks(local_ray, capsys):
    "Each fold trains in a Ray task, whose own bars cannot be seen: the driver's bar says how far they are."
    d = digits_8x8()
    oof_probs(d.images[:300], d.codes[:300], 10, n_folds=2, epochs=100, engine='ray', progress=True)
    seen = re.findall(r'folds training: epoch (\d+)/100', capsys.readouterr().out)
    assert seen and all(1 <= int(e) < 100 for e in seen), seen


def _descendants(root:int)->list:
    "The pids of every process below `root`, from /proc."
    parent = {}
    for p in Path('/proc').iterdir():
        if p.name.isdigit():
            try: parent[int(p.name)] = int((p/'stat').read_text().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError): pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop(); kids = [c for c, pp in parent.items() if pp == pid]
        out += kids; todo += kids
    return out


def _cmdline(pid:int)->str:
    try: return Path(f'/proc/{pid}/cmdline').read_bytes().replace(b'\0', b' ').decode(errors='replace')
    except OSError: return ''


def _our_ray_processes(title:str='ray::_unit_call')->list:
    "The Ray worker processes below this one (the tests' own Ray, or the cluster a test started) now titled `title`: Ray titles a worker `ray::<function>` while it runs a task, and an actor's `ray::<its class>`."
    return [p for p in _descendants(os.getpid()) if _cmdline(p).startswith(title)]


def _kill_a_task_worker(killed:list, after:float=1.0, timeout:float=120, title:str='ray::_unit_call'):
    "Wait for one of our Ray workers to run a task (or be the actor `title` names), let it work `after` s, SIGKILL it."
    t0 = time.time()
    while time.time() - t0 < timeout:
        busy = _our_ray_processes(title)
        if busy:
            time.sleep(after)
            if _cmdline(busy[0]).startswith(title):
                os.kill(busy[0], signal.SIGKILL); killed.append(busy[0]); return
        time.sleep(0.05)


@needs_ray
def test_a_killed_worker_is_retried_to_the_same_bytes(local_ray):
    d = digits_8x8(); codes = np.searchsorted(np.unique(d.labels), d.labels)
    kw = dict(n_folds=2, epochs=24, seed=1, progress=False)   # a fold trains for about 2.5 s: long enough to be killed mid-task
    with one_thread(): ref = oof_probs(d.images, codes, 10, **kw)
    killed = []
    killer = threading.Thread(target=_kill_a_task_worker, args=(killed, 0.5)); killer.start()
    probs = oof_probs(d.images, codes, 10, engine='ray', **kw)
    killer.join()
    assert killed, 'no worker was killed mid-task: the test did not test the retry'
    assert probs.tobytes() == ref.tobytes()


@needs_ray
def test_a_lost_progress_actor_costs_the_bar_not_the_run(local_ray):
    "The Ray actor that gathers the tasks' epochs for the bar, killed mid-run: the folds still finish, to the bytes of a quiet run."
    d = digits_8x8(); codes = np.searchsorted(np.unique(d.labels), d.labels)
    kw = dict(n_folds=2, epochs=40, seed=2, engine='ray')
    quiet = oof_probs(d.images, codes, 10, progress=False, **kw)
    killed = []
    killer = threading.Thread(target=_kill_a_task_worker, args=(killed, 0.5), kwargs=dict(title='ray::_UnitSteps')); killer.start()
    probs = oof_probs(d.images, codes, 10, progress=True, **kw)
    killer.join()
    assert killed, 'the progress actor was not killed mid-run: the test did not test its loss'
    assert probs.tobytes() == quiet.tobytes()


@needs_ray
def test_repeats_on_ray_match_local(local_ray):
    "`repeats=2`: every split's folds go to Ray as one list of tasks; the mean is the local engine's, byte for byte."
    d = digits_8x8(); codes = np.searchsorted(np.unique(d.labels), d.labels)
    kw = dict(n_folds=2, epochs=2, repeats=2, progress=False)
    with one_thread(): ref = oof_probs(d.images[:600], codes[:600], 10, **kw)
    assert oof_probs(d.images[:600], codes[:600], 10, engine='ray', **kw).tobytes() == ref.tobytes()


@needs_ray
def test_pseudo_labeling_on_ray_matches_local(local_ray, tmp_path):
    from pseudo_clean.pseudolabel import pseudo_label
    d = digits_8x8(); lab = np.concatenate([np.flatnonzero(d.labels == c)[:10] for c in range(10)]); unl = np.arange(1000, 1200)
    kw = dict(threshold=0.5, rounds=1, teachers=2, folds=2, tta=1, pretrain=0, epochs=2, min_iters=0, seed=0)
    # a work folder on both sides: each teacher then predicts right after its training, as a task does (without one, the
    # local engine trains all teachers first and their predictions draw other random augmentations)
    with one_thread(): ref = pseudo_label(d.images[lab], d.labels[lab], d.images[unl], work_dir=tmp_path/'ref', **kw)
    res = pseudo_label(d.images[lab], d.labels[lab], d.images[unl], engine='ray', work_dir=tmp_path/'work', **kw)
    assert res.probs.tobytes() == ref.probs.tobytes() and res.oof_probs.tobytes() == ref.oof_probs.tobytes()
    assert res.table.equals(ref.table) and res.models == [None, None]       # Ray returns predictions, not models
    assert len(list((tmp_path/'work').glob('model_*.npy'))) == 4            # the driver kept each teacher's predictions


def _placed(shared, i:int, folder:str)->dict:
    "Where a task ran (its GPU ids as Ray assigned them, its process), and whether the other task ran at the same time."
    import ray
    (Path(folder)/str(i)).touch(); t0 = time.time()
    while len(list(Path(folder).iterdir())) < 2 and time.time() - t0 < 120: time.sleep(0.1)   # wait for the other one
    return dict(gpus=[str(g) for g in ray.get_gpu_ids()], pid=os.getpid(), together=len(list(Path(folder).iterdir())) == 2)


@needs_ray
def test_fractional_gpus_pack_two_folds_on_one_gpu(local_ray, tmp_path):
    local_ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])     # `_placed` travels by value to the workers
    res = run_units(_placed, None, [(0, str(tmp_path)), (1, str(tmp_path))], engine='ray', gpus_per_fold=0.5, progress=False)
    assert [r['gpus'] for r in res] == [['0'], ['0']] and len({r['pid'] for r in res}) == 2, res
    assert all(r['together'] for r in res), res                                # at the same time, on the same GPU
    with pytest.raises(ValueError, match=r'needs 2 GPU\(s\) \(gpus_per_fold\) but the Ray cluster has 1'):
        run_units(_placed, None, [(0, str(tmp_path))], engine='ray', gpus_per_fold=2, progress=False)


@needs_ray
def test_start_engine_warms_every_task_slot_before_the_images_are_read(local_ray):
    "`start_engine` (called by `run` before it reads the images) gives each task slot of the cluster a task that imports the package."
    from pseudo_clean.engine import start_engine
    mods = ('pseudo_clean.engine',)     # modules no other test warms: the tests above ran `run`, which warmed the package's slots
    pids = local_ray.get(start_engine(dict(engine='ray', cpus_per_fold=1, epochs=2), modules=mods))
    assert len(pids) == 2 and all(isinstance(p, int) for p in pids)          # the fixture's 2 CPUs: two slots of one
    assert start_engine(dict(engine='ray', cpus_per_fold=1), modules=mods) == []   # once per Ray session: the command's call, then `run`'s
    assert len(start_engine(dict(engine='ray', cpus_per_fold=2), modules=mods)) == 1
    assert len(start_engine(dict(engine='ray', gpus_per_fold=0.5), modules=mods)) == 2      # its one GPU: two slots of a half
    assert start_engine(dict(engine='ray', embed=True)) == []                 # the embedding mode's regressions run in the driver
    with pytest.raises(ValueError, match=r'needs 2 GPU\(s\) \(gpus_per_fold\) but the Ray cluster has 1'):
        start_engine(dict(engine='ray', gpus_per_fold=2))                     # an error before anything is read


def _free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


@contextmanager
def ray_head():
    "A Ray cluster as a user starts one (`ray start --head` on 127.0.0.1, 2 CPUs), stopped on leaving: (address, a user's environment)."
    port, temp = _free_port(), tempfile.mkdtemp(prefix='ray', dir='/tmp')   # its own temp dir: nothing left in /tmp/ray (short: socket paths)
    # a user's shell: no RAY_AUTH_MODE (Ray set it in this process when the fixture started a local Ray). The token that
    # local Ray wrote to ~/.ray/auth_token makes `ray start` ask for it (Ray 2.60), so the command has to bring it along
    env = {k: v for k, v in os.environ.items() if k not in ('RAY_AUTH_MODE', 'RAY_ADDRESS')}
    # --block: the cluster lives as long as this process, so stopping it stops this cluster only (a plain `ray stop`
    # stops every Ray cluster of this user on the machine, other sessions' included)
    head = subprocess.Popen([str(BIN/'ray'), 'start', '--head', '--port', str(port), '--node-ip-address', '127.0.0.1', '--num-cpus', '2',
                             '--include-dashboard=false', '--temp-dir', temp, '--block'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, env=env)
    try:
        t0 = time.time()
        while time.time() - t0 < 120:
            try: socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
            except OSError: time.sleep(0.5)
        yield f'127.0.0.1:{port}', env
    finally:
        head.send_signal(signal.SIGINT)       # `ray start --block` stops its cluster on SIGINT
        try: head.wait(60)
        except subprocess.TimeoutExpired: os.killpg(head.pid, signal.SIGKILL); head.wait()
        shutil.rmtree(temp, ignore_errors=True)
    time.sleep(1)
    with pytest.raises(OSError): socket.create_connection(('127.0.0.1', port), timeout=2).close()   # stopped


@needs_ray
def test_address_joins_a_cluster_started_with_ray_start(local_ray, tmp_path):
    local_ray.shutdown()        # this test's cluster is separate; the shared one is no longer needed (the Ray tests below start their own)
    with ray_head() as (address, env):
        src = digits_folder(tmp_path/'digits', 200)
        r = subprocess.run([str(BIN/'pseudo_clean'), str(src), '--out', str(tmp_path/'out'), '--folds', '2', '--epochs', '1', '--noise', '0.1',
                            '--engine', 'ray', '--address', address, '--quiet'], capture_output=True, text=True, timeout=600, env=env)
        assert r.returncode == 0, r.stderr[-3000:]
        assert r.stdout.startswith('items 200 | flagged') and len(r.stdout.splitlines()) == 1, r.stdout   # --quiet: the summary line only
        assert len(list((tmp_path/'out'/'folds').glob('fold_*.npz'))) == 2


@needs_ray
def test_ctrl_c_cancels_the_tasks_on_a_cluster_and_the_rerun_resumes(tmp_path):
    "Ctrl-C while a joined cluster trains: exit 130 and one line, the task still running cancelled, the cluster still up, and the rerun reuses the folds that finished."
    with ray_head() as (address, env):
        src, out = digits_folder(tmp_path/'digits', 400), tmp_path/'out'
        args = [str(BIN/'pseudo_clean'), str(src), '--out', str(out), '--folds', '3', '--epochs', '600', '--quiet', '--engine', 'ray', '--address', address]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:   # 3 folds on 2 CPUs: the first two train side by side, the third after them, alone
            t0 = time.time()
            while len(list((out/'folds').glob('fold_*.npz'))) < 2 and p.poll() is None and time.time() - t0 < 400: time.sleep(0.1)
            while not _our_ray_processes() and time.time() - t0 < 400: time.sleep(0.1)   # the third fold has started
            assert p.poll() is None and len(_our_ray_processes()) == 1, 'the third fold is not training'
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=120)
        finally:
            if p.poll() is None: p.kill(); p.wait()
        assert p.returncode == 130 and 'pseudo_clean: interrupted; run the same command again to resume' in err and 'Traceback' not in err, err[-3000:]
        assert not (out/'suspects.csv').exists()
        t0 = time.time()
        while _our_ray_processes() and time.time() - t0 < 30: time.sleep(0.5)
        assert not _our_ray_processes(), 'the cancelled fold still trains on the cluster'
        finished = {f.name: f.stat().st_mtime_ns for f in (out/'folds').glob('fold_*.npz')}
        assert len(finished) == 2
        r = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)    # the same command: resumes on the same cluster
        assert r.returncode == 0 and r.stdout.startswith('items 400 | flagged'), r.stderr[-3000:]
        after = {f.name: f.stat().st_mtime_ns for f in (out/'folds').glob('fold_*.npz')}
        assert len(after) == 3 and all(after[k] == v for k, v in finished.items()), (finished, after)   # reused, not trained again


def test_bad_address_and_missing_ray_are_errors_before_training(tmp_path):
    src = digits_folder(tmp_path/'digits', 100)
    port = _free_port()       # nobody listens there
    args = [str(src), '--out', str(tmp_path/'out'), '--engine', 'ray', '--address', f'127.0.0.1:{port}']
    if __import__('importlib').util.find_spec('ray') is not None:
        t0 = time.time()
        r = subprocess.run([str(BIN/'pseudo_clean'), *args], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert r.returncode == 2 and 'No Ray cluster answers at --address 127.0.0.1:' in r.stderr and 'Traceback' not in r.stderr, r.stderr
        assert not (tmp_path/'out').exists() and time.time() - t0 < 60
    # Ray not installed: a process where `import ray` fails, as without the extra (a script file: call_parse reads sys.argv only there)
    probe = tmp_path/'no_ray.py'
    probe.write_text("import sys; sys.modules['ray'] = None\nimport pseudo_clean.cli as cli\ncmd = sys.argv.pop(1)\ngetattr(cli, cmd)()\n")
    r = subprocess.run([sys.executable, str(probe), 'main', str(src), '--out', str(tmp_path/'out'), '--engine', 'ray'],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 2 and 'pip install "pseudo_clean[ray]"' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path/'out').exists()


def test_label_without_ray_is_an_error_before_training(tmp_path, monkeypatch):
    from pseudo_clean.pseudolabel import label_unlabeled
    src = digits_folder(tmp_path/'digits', 100)
    monkeypatch.setitem(sys.modules, 'ray', None)      # as without the extra
    with pytest.raises(ValueError, match=r'--engine ray needs Ray, which is not installed: pip install "pseudo_clean\[ray\]"'):
        label_unlabeled(src, src, tmp_path/'p.csv', engine='ray')
    assert not (tmp_path/'p.csv').exists()
