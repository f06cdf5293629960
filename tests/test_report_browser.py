"""`report.html` (from `pseudo_clean.report.write_report`) opened from disk in headless Chromium: every image decodes.

Run: `pytest tests/test_report_browser.py -v`. Also checks `$PSEUDO_CLEAN_REPORT` or `pseudo_clean_out/report.html`
(the zero-argument run's report) when present, including the 5 MB limit.
"""
import os, shutil
from pathlib import Path
import numpy as np, pandas as pd
import pytest

report = pytest.importorskip('pseudo_clean.report', reason="pseudo_clean.report is not exported yet (nbs/09_report.ipynb)")
from tools.chromium import image_status, parse_page, screenshot

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='module')
def sample_report(tmp_path_factory):
    "A report for the bundled MNIST sample with 10% symmetric noise and a quick out-of-fold linear model."
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline
    from pseudo_clean.data import mnist_sample
    from pseudo_clean.noise import symmetric_noise
    mnist = mnist_sample()
    noisy, is_noisy = symmetric_noise(mnist.codes, 0.10, seed=0)
    noisy = np.asarray(noisy)
    model = make_pipeline(PCA(30, random_state=0), LogisticRegression(max_iter=200))
    probs = cross_val_predict(model, mnist.images.reshape(len(mnist.images), -1)/255, noisy, cv=3, method='predict_proba')
    try:
        from pseudo_clean.ranking import rank_suspects
        suspects = rank_suspects(noisy, probs, items=list(mnist.items))
    except ImportError:
        pred = probs.argmax(1)
        suspects = pd.DataFrame({'item': mnist.items, 'given_label': noisy, 'predicted_label': pred,
                                 'predicted_prob': probs.max(1), 'label_quality': probs[np.arange(len(noisy)), noisy],
                                 'is_label_issue': pred != noisy}).sort_values(['is_label_issue', 'label_quality'], ascending=[False, True], kind='stable')
    flagged = suspects.is_label_issue.to_numpy()
    metrics = dict(n_items=len(noisy), n_flagged=int(flagged.sum()))
    return report.write_report(tmp_path_factory.mktemp('report'), mnist.images, suspects, classes=np.arange(10), metrics=metrics)

def _check(path:Path):
    st = image_status(path)
    assert st['total'] > 0, f"{path}: no images"
    assert st['decoded'] == st['total'], f"{path}: images that did not decode: {st['broken']}"
    return st

def test_sample_report_images_decode(sample_report, chromium, out_dir):
    st = _check(sample_report)
    assert st['total'] >= 2  # at least the suspects grid and the confusion matrix
    shutil.copy(sample_report, out_dir/'report_sample.html')
    png = screenshot(sample_report, out_dir/'report_sample.png', size=(1200, 1600))
    assert png.stat().st_size > 10_000

def test_sample_report_is_offline(sample_report):
    info = parse_page(sample_report.read_text())
    assert all(s.startswith('data:') for s in info['imgs']), "report images must be inlined"
    assert '<script src=' not in sample_report.read_text().lower()
    assert sample_report.stat().st_size < 5_000_000

def _run_reports():
    cands = [os.environ.get('PSEUDO_CLEAN_REPORT'), ROOT/'pseudo_clean_out'/'report.html']
    return [Path(c) for c in cands if c and Path(c).exists()]

@pytest.mark.parametrize('path', _run_reports() or [pytest.param(None, marks=pytest.mark.skip(reason="no run report: run `pseudo_clean` (zero-argument) or set $PSEUDO_CLEAN_REPORT"))])
def test_run_report_in_browser(path, chromium):
    assert path.stat().st_size < 5_000_000, f"{path} is {path.stat().st_size/1e6:.1f} MB (limit 5 MB)"
    _check(path)
