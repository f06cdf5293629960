"""Shared fixtures for the browser tests: the repo root as working directory, Chromium, the test-output folder.

The docs tooling lives in `tools/` at the repo root (dev-only, not installed): the repo root goes first on `sys.path`
so that `from tools.preview import ...` works however pytest is started (`pytest -q tests` from the root, or from elsewhere).
"""
import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(ROOT)]: sys.path.insert(0, str(ROOT))
OUT = ROOT/'tests'/'_out'

@pytest.fixture(scope='session', autouse=True)
def _in_repo_root():
    "nbdev finds settings.ini from the working directory: run every test from the repo root."
    old = os.getcwd(); os.chdir(ROOT)
    yield
    os.chdir(old)

@pytest.fixture(scope='session')
def chromium():
    "Path of headless Chromium; installs Debian's `chromium` when missing, skips when that is impossible."
    from tools.chromium import ensure_chromium
    p = ensure_chromium(install=True)
    if not p: pytest.skip("Chromium is not installed and could not be installed (needs apt-get and root): "
                          "run `apt-get install -y chromium`, or set $CHROMIUM to a Chrome/Chromium executable.")
    return p

@pytest.fixture(scope='session')
def out_dir():
    "Folder for screenshots and other test artefacts (git-ignored)."
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT
