"""Do stacked out-of-fold models choose pseudo labels as well as fold by fold (issue 23)? On a GPU `oof_pseudo_probs`
trains its F models at once as one network (`stack_folds='auto'`); this compares `'on'` and `'off'` on a CPU, where both run.

The setting of `nbs/06_folds.ipynb`'s example, over seeds: scikit-learn's 8×8 digits, 30 labeled a class, about 1,100
unlabeled digits whose pseudo labels are their true labels except one in five, planted wrong; three folds, 30 epochs,
four augmented views. Per seed: the share of the planted labels the out-of-fold models repeat (lower is better), the share
they put right, and the accuracy of all their predictions against the truth.

Run:  python benchmarks/probes/stack_pseudo.py [--seeds 0 1 2 3]   (about a minute; writes stack_pseudo.md here)
"""
import argparse
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent

def one(seed:int, stack:str)->tuple:
    from pseudo_clean.data import digits_8x8
    from pseudo_clean.folds import oof_pseudo_probs, unlabeled_folds
    digits = digits_8x8(); rng = np.random.default_rng(seed)
    trn = rng.permutation(len(digits))[:1400]; X, y = digits.images[trn], digits.labels[trn]; classes = np.unique(y)
    lab = np.concatenate([np.flatnonzero(y == c)[:30] for c in classes]); unl = np.setdiff1d(np.arange(len(X)), lab)
    U, truth = X[unl], y[unl]; planted = rng.random(len(U)) < 0.2
    pseudo = truth.astype(object); pseudo[planted] = (truth[planted] + rng.integers(1, 10, planted.sum())) % 10
    folds = unlabeled_folds(np.searchsorted(classes, pseudo.astype(int)), 3, seed)
    oof = oof_pseudo_probs(X[lab], y[lab], U, pseudo, folds, classes, tta=4, epochs=30, min_iters=0, seed=seed, stack_folds=stack)
    pred = classes[oof.argmax(1)]
    return (pred[planted] == pseudo[planted]).mean(), (pred[planted] == truth[planted]).mean(), (pred == truth).mean()

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3]); a = ap.parse_args()
    rows = [(s, st, *one(s, st)) for s in a.seeds for st in ('off', 'on')]
    L = ['# Stacked out-of-fold models for pseudo labels (probe for issue 23)', '', f'Produced by `python benchmarks/probes/stack_pseudo.py '
         f'--seeds {" ".join(map(str, a.seeds))}` on a CPU: 8×8 digits, one pseudo label in five planted wrong, three folds, four augmented views.', '',
         '| seed | --stack_folds | planted labels repeated | planted labels put right | accuracy vs truth |', '|---|---|---|---|---|']
    L += [f'| {s} | {st} | {r:.3f} | {p:.3f} | {acc:.3f} |' for s, st, r, p, acc in rows]
    mean = lambda st, i: np.mean([row[i] for row in rows if row[1] == st])
    L += ['', f"Means: repeated {mean('on', 2):.4f} stacked against {mean('off', 2):.4f} fold by fold; put right {mean('on', 3):.4f} against "
          f"{mean('off', 3):.4f}; accuracy {mean('on', 4):.4f} against {mean('off', 4):.4f}."]
    (HERE/'stack_pseudo.md').write_text('\n'.join(L) + '\n'); print('\n'.join(L))

if __name__ == '__main__': main()
