"""The contract every command keeps (issue 19), tested on the installed console scripts in separate processes:
`--help` loads no torch, `--engine ray` starts Ray before torch loads, a mistyped flag is named before either,
`pseudo_clean_fix` loads no torch at all, `--version`, Ctrl-C (exit 130, one line, no
traceback, and a rerun resumes), the lock on `--out` against a second process, errors before any work with the inputs
unchanged.

The bad-input cases of all three commands are in nbs/14_robustness.ipynb; this file holds what needs real processes.
"""
import os, signal, subprocess, sys, time
from pathlib import Path

import pandas as pd, pytest
from PIL import Image

from pseudo_clean.data import tree_digest, digits_8x8
from tests.digits import digits_folder

BIN = Path(sys.executable).parent
COMMANDS = ('pseudo_clean', 'pseudo_clean_fix', 'pseudo_clean_label', 'pseudo_clean_retrain', 'pseudo_clean_pretrain')
ENV = {**os.environ, 'PYTHONUNBUFFERED': '1'}


def exe(name): return str(BIN/name)


def loose_images(root:Path, n:int, start:int)->Path:
    d = digits_8x8(); root.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n): Image.fromarray(d.images[i]).save(root/f'{i}.png')
    return root


HELP_PROBE = r'''
import sys, atexit
atexit.register(lambda: print('HEAVY ' + ' '.join(m for m in ('torch', 'fastai') if m in sys.modules) if ('torch' in sys.modules or 'fastai' in sys.modules) else 'LIGHT', file=sys.stderr))
sys.argv = [sys.argv[1], '--help']
import pseudo_clean.cli as cli
getattr(cli, sys.argv[0])()
'''


@pytest.mark.parametrize('cmd', ['main', 'fix', 'label', 'retrain', 'pretrain'])
def test_help_imports_neither_torch_nor_fastai(cmd, tmp_path):
    probe = tmp_path/'probe.py'; probe.write_text(HELP_PROBE)
    r = subprocess.run([sys.executable, str(probe), cmd], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and '--version' in r.stdout, r.stderr
    assert r.stderr.strip() == 'LIGHT', r.stderr                         # no torch, no fastai, and no warning printed


ENGINE_PROBE = r'''
import sys
import pseudo_clean.cli as cli
def start_engine(settings, **kw):   # stands in for Ray's start: says whether the command had imported torch by then, and stops it
    print('torch imported:', 'torch' in sys.modules, '| engine:', settings.get('engine'), file=sys.stderr); raise ValueError('stopped here')
cli.start_engine = start_engine
sys.argv = sys.argv[1:]
getattr(cli, sys.argv[0])()
'''


@pytest.mark.parametrize('cmd,args', [('main', []), ('label', ['labeled', 'unlabeled'])])
def test_ray_starts_before_the_command_imports_torch(cmd, args, tmp_path):
    "With --engine ray, the command starts Ray first (`start_engine`), so that Ray's workers import torch while the command does."
    probe = tmp_path/'probe.py'; probe.write_text(ENGINE_PROBE)
    for a in args: (tmp_path/a).mkdir()      # the inputs exist: the command looks for them before it starts Ray
    r = subprocess.run([sys.executable, str(probe), cmd, *args, '--engine', 'ray', '--out', str(tmp_path/'out.csv')], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2 and 'torch imported: False | engine: ray' in r.stderr and 'error: stopped here' in r.stderr, r.stderr


FLAG_PROBE = r'''
import sys, atexit
import pseudo_clean.cli as cli
def start_engine(settings, **kw): print('ENGINE STARTED', file=sys.stderr)   # where Ray would start
cli.start_engine = start_engine
atexit.register(lambda: print('LOADED:', ' '.join(m for m in ('torch', 'fastai', 'ray') if m in sys.modules) or 'none', file=sys.stderr))
sys.argv = sys.argv[1:]
getattr(cli, sys.argv[0])()
'''


@pytest.mark.parametrize('cmd,args,error', [
    ('main', ['--engine', 'ray', '--method', 'foo'], "pseudo_clean: error: Unknown --method 'foo': use one of predicted_neq_given"),
    ('main', ['--engine', 'ray', '--forget_rate', '2'], "pseudo_clean: error: --forget_rate must be in [0, 1)"),
    ('main', ['--engine', 'ray', '--stack_folds', 'yes'], "pseudo_clean: error: Unknown --stack_folds 'yes'"),
    ('main', ['no_such_folder', '--engine', 'ray'], 'pseudo_clean: error: no_such_folder does not exist'),
    ('main', ['--weights', 'nowhere.pth'], 'pseudo_clean: error: No weights file nowhere.pth'),
    ('label', ['labeled', 'unlabeled', '--engine', 'ray', '--threshold', '1.5'], 'pseudo_clean_label: error: --threshold must be in (0, 1]'),
    ('label', ['labeled', 'no_such_folder', '--engine', 'ray'], 'pseudo_clean_label: error: Unlabeled images not found: no_such_folder'),
    ('label', ['labeled', 'labeled', '--engine', 'ray'], 'would be pseudo-labeled from themselves'),
    ('retrain', ['labeled', '--labels', 'nowhere.csv'], 'pseudo_clean_retrain: error: --labels nowhere.csv does not exist'),
    ('pretrain', ['no_such_folder'], 'pseudo_clean_pretrain: error: no_such_folder does not exist')])
def test_a_bad_flag_is_named_before_ray_starts_or_torch_loads(cmd, args, error, tmp_path):
    "The flags that need no model library are checked first (`check_run_flags`, `check_label_flags`; the paths of the other two): the error comes without torch's import or Ray's start."
    probe = tmp_path/'probe.py'; probe.write_text(FLAG_PROBE)
    for d in ('labeled', 'unlabeled'): (tmp_path/d).mkdir()
    r = subprocess.run([sys.executable, str(probe), cmd, *args, '--out', str(tmp_path/'out.csv')], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2 and error in r.stderr, r.stderr
    assert 'ENGINE STARTED' not in r.stderr and 'LOADED: none' in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['labeled', 'probe.py', 'unlabeled'], list(tmp_path.iterdir())   # nothing written


FIX_PROBE = r'''
import sys, atexit
atexit.register(lambda: print('LOADED:', ' '.join(m for m in ('torch', 'fastai') if m in sys.modules) or 'none', file=sys.stderr))
import pseudo_clean.cli as cli
sys.argv = ['pseudo_clean_fix', *sys.argv[1:]]
cli.fix()
'''


def test_fix_reads_a_run_without_a_model_library(tmp_path):
    "pseudo_clean_fix trains nothing: it reads a finished run, writes the clean labels and the run's report again, with neither torch nor fastai loaded."
    src = digits_folder(tmp_path/'src', 200); out = tmp_path/'run'
    r = subprocess.run([exe('pseudo_clean'), str(src), '--out', str(out), '--noise', '0.1', '--folds', '2', '--epochs', '2', '--quiet'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    report = (out/'report.html').read_text()
    probe = tmp_path/'probe.py'; probe.write_text(FIX_PROBE)
    r = subprocess.run([sys.executable, str(probe), str(out), '--policy', 'mix'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and 'LOADED: none' in r.stderr, r.stderr[-2000:]
    clean = pd.read_csv(out/'clean_labels.csv', dtype=str, keep_default_na=False)
    flagged = pd.read_csv(out/'suspects.csv').is_label_issue.sum()
    assert len(clean) == 200 and (clean.action != 'kept').sum() == flagged, clean.action.value_counts()   # each flagged item acted on, the others kept
    page = (out/'report.html').read_text()
    assert page != report and 'data:image/png;base64,' in page, page[:500]   # the report written again, with its images


RERUN_PROBE = r'''
import sys
import pseudo_clean.cli as cli, pseudo_clean.engine as engine
def start_engine(settings, **kw):   # where Ray would start: say so, and warm nothing
    if settings.get('engine') == 'ray': print('RAY STARTED', file=sys.stderr)
    return []
def ray_units(*a, **kw): print('RAY TASKS', file=sys.stderr); raise ValueError('stopped here')   # a fold to train on Ray
cli.start_engine, engine._ray_units = start_engine, ray_units
import pseudo_clean.run; pseudo_clean.run.start_engine = start_engine
sys.argv = ['pseudo_clean', *sys.argv[1:]]
cli.main()
'''


def test_a_finished_run_run_again_starts_no_engine(tmp_path):
    "The same command on a finished run reads every fold back: with --engine ray, neither the command nor `run` starts Ray, and the outputs are the same."
    src = digits_folder(tmp_path/'src', 200); out = tmp_path/'run'
    args = [str(src), '--out', str(out), '--noise', '0.1', '--folds', '2', '--epochs', '2', '--quiet']
    r = subprocess.run([exe('pseudo_clean'), *args], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    first = (out/'suspects.csv').read_bytes()
    probe = tmp_path/'probe.py'; probe.write_text(RERUN_PROBE)
    r = subprocess.run([sys.executable, str(probe), *args, '--engine', 'ray'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and 'RAY' not in r.stderr, r.stderr[-2000:]
    assert (out/'suspects.csv').read_bytes() == first
    fresh = [str(src), '--out', str(tmp_path/'fresh'), *args[3:]]          # the control: a new run starts Ray, and would train there
    r = subprocess.run([sys.executable, str(probe), *fresh, '--engine', 'ray'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'RAY STARTED' in r.stderr and 'RAY TASKS' in r.stderr, r.stderr[-2000:]

@pytest.mark.parametrize('name', COMMANDS)
def test_help_and_version_of_each_console_script(name):
    r = subprocess.run([exe(name), '--help'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and 'usage:' in r.stdout and 'Warning' not in r.stderr, r.stderr
    if name == 'pseudo_clean_label':       # issue 21: the help says which settings apply with --embed
        text = ' '.join(r.stdout.split())
        assert 'not with --embed' in text and 'with it apply --threshold, --per_class_cap' in text and '--cache_dir' in text, text
    r = subprocess.run([exe(name), '--version'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith(f'{name} 0.'), (r.stdout, r.stderr)


def wait_for(cond, p, timeout=300):
    t0 = time.time()
    while not cond():
        assert p.poll() is None, f'the command ended ({p.returncode}) early: {p.stderr.read()[-2000:]}'
        assert time.time() - t0 < timeout, 'timed out'
        time.sleep(0.05)


def interrupt(args, started, pause=1.5):
    "Start `args`, wait until `started()`, let it train `pause` s, send SIGINT; its exit status and stderr."
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        wait_for(started, p); time.sleep(pause)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None: p.kill(); p.wait()
    return p.returncode, out, err


def test_ctrl_c_pseudo_clean(tmp_path):
    "SIGINT mid-training: one line, exit 130, no traceback, the inputs unchanged; the rerun finishes."
    src = digits_folder(tmp_path/'src', 400); before = tree_digest(src)
    out = tmp_path/'out'
    args = [exe('pseudo_clean'), str(src), '--out', str(out), '--folds', '2', '--epochs', '3000', '--quiet']   # far more than 1.5 s of work, even on a fast machine
    rc, _, err = interrupt(args, lambda: (out/'run.json').exists())
    assert rc == 130, (rc, err[-2000:])
    assert 'pseudo_clean: interrupted; run the same command again to resume' in err and 'Traceback' not in err, err[-2000:]
    assert not (out/'suspects.csv').exists()
    assert tree_digest(src) == before


def test_ctrl_c_pseudo_clean_label_then_resume(tmp_path):
    "SIGINT while pseudo_clean_label trains: exit 130 and one line; the rerun reuses the finished models' predictions."
    lab, unl = digits_folder(tmp_path/'lab', 300), loose_images(tmp_path/'unl', 60, 300)
    before = tree_digest(tmp_path)
    out = tmp_path/'res'/'pl.csv'; work = tmp_path/'res'/'.pl.csv.work'
    args = [exe('pseudo_clean_label'), str(lab), str(unl), '--out', str(out), '--rounds', '0', '--teachers', '3', '--tta', '0',
            '--pretrain', '0', '--epochs', '40', '--min_iters', '0', '--quiet']
    rc, stdout, err = interrupt(args, lambda: len(list(work.glob('model_*.npy'))) >= 1, pause=0.2)
    assert rc == 130, (rc, err[-2000:])
    assert 'pseudo_clean_label: interrupted; run the same command again to resume' in err and 'Traceback' not in err, err[-2000:]
    assert 'plan: 3 models on 300 labeled and 60 unlabeled images' in stdout, stdout        # printed before training
    assert not out.exists()
    assert tree_digest(lab) == tree_digest(lab) and tree_digest(tmp_path/'unl') == tree_digest(unl)
    done = {f.name: f.stat().st_mtime_ns for f in work.glob('model_*.npy')}
    assert 1 <= len(done) < 3, done
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    after = {f.name: f.stat().st_mtime_ns for f in work.glob('model_*.npy')}
    assert len(after) == 3 and all(after[k] == v for k, v in done.items()), (done, after)   # reused, not retrained
    first = out.read_bytes()
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)                 # all reused: the same CSV
    assert r.returncode == 0 and out.read_bytes() == first
    assert {f.name: f.stat().st_mtime_ns for f in work.glob('model_*.npy')} == after
    assert tree_digest(lab) == tree_digest(tmp_path/'lab')


def test_errors_come_before_any_training(tmp_path):
    """`pseudo_clean_label --out FOLDER` and `L L`, `pseudo_clean --epochs -1`, `pseudo_clean_fix` on no run: exit 2, one line, inputs unchanged, nothing written.

    (Each answers before any model library loads. The other cases run in-process in nbs/14_robustness.ipynb.)"""
    lab, unl = digits_folder(tmp_path/'lab', 40), loose_images(tmp_path/'unl', 10, 40)
    before = tree_digest(tmp_path)
    cases = [([exe('pseudo_clean_label'), str(lab), str(unl), '--out', str(tmp_path/'unl')], 'is a folder: pass a file name'),
             ([exe('pseudo_clean_label'), str(lab), str(lab), '--out', str(tmp_path/'x.csv')], 'pseudo-labeled from themselves'),
             ([exe('pseudo_clean'), str(lab), '--out', str(tmp_path/'o'), '--epochs', '-1'], '--epochs must be at least 1, got -1'),
             ([exe('pseudo_clean_fix'), str(tmp_path/'nope')], 'is not a folder')]
    for args, msg in cases:
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, (args, r.returncode, r.stderr[-1500:])
    assert tree_digest(tmp_path) == before                                   # nothing written, no lock file left behind


def test_second_process_on_a_locked_out(tmp_path):
    "While one `pseudo_clean` trains into --out, a second one into the same --out exits 2 naming the first one's PID."
    src = digits_folder(tmp_path/'src', 400); out = tmp_path/'out'
    args = [exe('pseudo_clean'), str(src), '--out', str(out), '--folds', '2', '--epochs', '1000', '--quiet']   # long: killed below
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (out/'run.json').exists(), p)
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, r.stderr[-1500:]
        assert f'--out {out} is in use by PID {p.pid} (another pseudo_clean run); wait for it or pass another --out' in r.stderr, r.stderr
    finally:
        p.kill(); p.wait()
    # the killed holder's lock file stays behind; it is not an error (the lock died with the process)
    assert (out/'.pseudo_clean.lock').exists()
    r = subprocess.run(args[:-3] + ['--epochs', '1', '--quiet'], capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 2) and 'in use' not in r.stderr, r.stderr[-1500:]
