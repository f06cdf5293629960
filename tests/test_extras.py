"""The optional extras `heif` (HEIC/AVIF photos through pillow-heif) and `ray` (--engine ray) are declared: settings.ini names it, and setup.py
hands it to setuptools (setup.py runs with `setuptools.setup` replaced by a function that keeps its arguments)."""
import os, runpy
from pathlib import Path
import setuptools

ROOT = Path(__file__).resolve().parents[1]

import pytest

@pytest.fixture
def setup_kwargs(monkeypatch)->dict:
    "The keyword arguments setup.py hands to `setuptools.setup`, with `setup` replaced by a function that keeps them."
    seen = {}
    monkeypatch.setattr(setuptools, 'setup', lambda **kw: seen.update(kw))
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(ROOT/'setup.py'))
    return seen


def test_heif_extra_is_declared(setup_kwargs):
    seen = setup_kwargs
    assert seen['extras_require']['heif'] == ['pillow-heif']
    assert 'scikit-image' in seen['extras_require']['dev']   # the sample photos of the tests
    assert 'pillow-heif' not in seen['install_requires']      # optional: nothing requires it


def test_ray_extra_is_declared_and_in_the_dev_install(setup_kwargs):
    seen = setup_kwargs
    assert seen['extras_require']['ray'] == ['ray[default]>=2.9']
    assert 'ray[default]>=2.9' in seen['extras_require']['dev']          # CI installs it: tests/test_ray.py runs there
    assert not any(r.startswith('ray') for r in seen['install_requires'])   # optional: the package imports without it
