"""Developer tooling for pseudo_clean's docs (not part of the installed package; see tools/README.md).

- `tools.preview`: a static, Quarto-free preview of the nbdev docs site (`python tools/preview.py`).
- `tools.readme`: README.md from `nbs/index.ipynb` (`python tools/readme.py [--check]`).
- `tools.chromium`: headless-Chromium helpers the browser tests use to look at pages as a browser does.
- `tools.common`: project paths, page names, cell options and atomic writes shared by the above.
"""
