"""The Binder environment (binder/) installs and opens the chapters as notebooks.

Binder builds the repository with repo2docker: it reads ``binder/runtime.txt``
for the Python version, installs ``binder/requirements.txt`` and runs
``binder/postBuild``. These tests ask pip's resolver what that installation
would be (``pip install --dry-run``, nothing is installed), check it against
the lock file, and open every chapter with jupytext as JupyterLab will.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CHAPTERS = sorted(
    p
    for p in (ROOT / "book").glob("*.md")
    if p.read_text(encoding="utf-8").startswith("---\njupytext:")
)


def _normal(name: str) -> str:
    """A package name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock_pins(python: tuple[int, int]) -> dict[str, str]:
    """Package -> version from the lock file, for one Python version."""
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)(?: ; (.*))?$", line)
        if not match:
            continue
        name, version, marker = match.groups()
        if marker:
            from packaging.markers import Marker

            env = {"python_full_version": f"{python[0]}.{python[1]}.0"}
            env |= {"python_version": f"{python[0]}.{python[1]}"}
            env |= {"sys_platform": "linux", "platform_system": "Linux"}
            if not Marker(marker).evaluate(env):
                continue
        pins[_normal(name)] = version
    return pins


def test_binder_uses_a_python_the_package_supports() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3)\.(\d+)", runtime)
    assert match, runtime
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    assert requires == ">=3.11"
    assert int(match.group(2)) >= 11


def test_what_binder_installs_resolves_to_the_locked_versions() -> None:
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet"]
    options = ["--ignore-installed", "--report", "-"]
    result = subprocess.run(
        [*pip, *options, "-r", str(BINDER / "requirements.txt")],
        capture_output=True,
        text=True,
        cwd=ROOT,  # repo2docker installs from the repository's root
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    installed = {
        _normal(item["metadata"]["name"]): item["metadata"]["version"]
        for item in report["install"]
    }
    assert {"convbook", "numpy", "matplotlib", "scipy", "jupytext"} <= set(installed)
    pins = _lock_pins(sys.version_info[:2])
    unpinned = sorted(set(installed) - set(pins) - {"convbook"})
    assert unpinned == []
    mismatched = {n: v for n, v in installed.items() if n in pins and pins[n] != v}
    assert mismatched == {}


def test_jupyterlab_opens_markdown_and_myst_as_jupytext_notebooks() -> None:
    settings = json.loads((BINDER / "overrides.json").read_text())
    viewers = settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    post_build = (BINDER / "postBuild").read_text()
    assert "binder/overrides.json" in post_build
    assert (BINDER / "postBuild").stat().st_mode & 0o111, "postBuild is executable"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_opens_as_a_notebook_with_jupytext(chapter: Path) -> None:
    notebook = jupytext.read(chapter)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    kinds = {cell.cell_type for cell in notebook.cells}
    assert "markdown" in kinds
    if "```{code-cell}" in chapter.read_text(encoding="utf-8"):
        assert "code" in kinds
