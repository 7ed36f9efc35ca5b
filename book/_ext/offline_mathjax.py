"""Serve MathJax from the site itself, so that no page requests a CDN.

MathJax 3 arrives as a dependency from PyPI (the ``sphinx-mathjax-offline``
wheel carries its files); this extension copies only what the pages use --
the combined ``tex-chtml.js`` component, its woff-v2 fonts and the TeX
extensions it autoloads -- into ``_static/mathjax`` of the HTML output. The
files are never committed to this repository.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

NEEDED = [
    "tex-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
]


def mathjax_source() -> Path:
    """Return the folder that holds MathJax 3's files in the environment."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "MathJax is missing: install the pinned build dependencies "
            "(`make venv`), which include sphinx-mathjax-offline"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (folder / "tex-chtml.js").is_file():
        raise ExtensionError(f"MathJax's tex-chtml.js not found in {folder}")
    return folder


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy the MathJax files the pages load into the built site."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for item in NEEDED:
        src, dst = source / item, target / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dst)


def setup(app: Sphinx) -> dict[str, object]:
    mathjax_source()  # fail early, with a clear message, when it is missing
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
