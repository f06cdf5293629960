"""Issue 18's check that moving code changed nothing: run the three user commands on the bundled MNIST sample and
on scikit-learn's 8×8 digits with fixed seeds, and print the SHA-256 of each output file a user reads.

    python benchmarks/probes/same_outputs.py OUT_DIR            # the installed package
    PYTHONPATH=/path/to/old/checkout python benchmarks/probes/same_outputs.py OUT_DIR

Run it on two versions of the package and diff the printed lines (`same_outputs.md` holds the last comparison).
"""
import hashlib, os, subprocess, sys, tempfile
from pathlib import Path

def entry(command:str)->str:
    "Python code that calls `command`'s entry point, in either layout (before issue 18: one module each)."
    new = {'pseudo_clean': 'main', 'pseudo_clean_fix': 'fix', 'pseudo_clean_label': 'label'}[command]
    old = {'pseudo_clean': 'pseudo_clean.cli:main', 'pseudo_clean_fix': 'pseudo_clean.clean:fix',
           'pseudo_clean_label': 'pseudo_clean.pseudolabel:main'}[command].split(':')
    return ("import importlib\n"
            "cli = importlib.import_module('pseudo_clean.cli')\n"
            "f = getattr(cli, '%s') if hasattr(cli, 'fix') else getattr(importlib.import_module('%s'), '%s')\n"
            "f()" % (new, old[0], old[1]))

def call(command:str, *args):
    "Run `command` as its console script does: a script file, so that fastcore's `call_parse` reads the arguments."
    with tempfile.TemporaryDirectory() as d:
        script = Path(d)/f'run_{command}.py'; script.write_text(entry(command))
        subprocess.run([sys.executable, str(script), *map(str, args)], check=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'}, stdout=subprocess.DEVNULL)

def sha(p:Path)->str: return hashlib.sha256(p.read_bytes()).hexdigest()[:16]

def main(out:Path):
    from pseudo_clean.data import digits_8x8, write_image_folder
    out.mkdir(parents=True, exist_ok=True)
    digits = digits_8x8()
    folder = write_image_folder(digits, out/'digits8')
    lab, unl = digits.subset(range(0, len(digits), 4)), digits.subset([i for i in range(len(digits)) if i % 4 == 1][:200])
    labeled = write_image_folder(lab, out/'labeled')
    write_image_folder(unl, out/'unl_src')
    unlabeled = out/'unlabeled'; unlabeled.mkdir(exist_ok=True)
    for i, p in enumerate(sorted((out/'unl_src').rglob('*.png'))): (unlabeled/f'u{i:04d}.png').write_bytes(p.read_bytes())
    call('pseudo_clean', '--out', out/'sample', '--quiet')
    call('pseudo_clean', folder, '--noise', 0.1, '--folds', 3, '--epochs', 3, '--out', out/'d8', '--quiet')
    for r in ('sample', 'd8'): call('pseudo_clean_fix', out/r, '--out', out/f'{r}_clean_labels.csv')
    call('pseudo_clean_label', labeled, unlabeled, '--out', out/'pseudo_labels.csv', '--teachers', 1, '--tta', 0,
         '--pretrain', 0, '--folds', 2, '--epochs', 2, '--min_iters', 20, '--quiet')
    files = [out/r/f for r in ('sample', 'd8') for f in ('suspects.csv', 'oof_probs.npy', 'labels.csv')]
    files += [out/'sample_clean_labels.csv', out/'d8_clean_labels.csv', out/'pseudo_labels.csv']
    for f in files: print(sha(f), f.relative_to(out))

if __name__ == '__main__': main(Path(sys.argv[1]))
