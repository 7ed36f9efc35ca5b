"""Every downloadable chapter notebook runs outside the repository.

A reader downloads a chapter's executed ``.ipynb`` from the site and runs it
with Jupyter in an environment of their own. This test does the same: it
builds the package's source distribution from a copy of the checkout,
installs it with its ``notebooks`` extra into a new virtual environment
(no Sphinx, no myst-nb; versions pinned by the lock file, so the numbers
are comparable), copies each notebook from ``_build/html/_sources`` into an
empty folder and executes it there with nbclient. Any error fails the test,
and every value a chapter glues into its text must come out the same as on
the page. The pip cache is reused, so only the first run downloads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "_build" / "html" / "_sources"
NOTEBOOKS = sorted(SOURCES.glob("*.ipynb"))

pytestmark = pytest.mark.site

# Run inside the new environment: execute one notebook where it lies.
RUNNER = """
import sys
import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                        resources={"metadata": {"path": sys.argv[2]}})
client.execute()
nbformat.write(notebook, path)
"""

IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "_build", "build", "dist", "*.egg-info", "node_modules",
    "test-artifacts", ".*_cache", "__pycache__", ".hypothesis",
)  # fmt: skip


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this check must run)", pytrace=False)
    pytest.skip(reason)


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a reader's shell: nothing from this repository."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_")}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin
    )
    # A private home for Jupyter and IPython; pip keeps the shared cache.
    env["PIP_CACHE_DIR"] = os.environ.get(
        "PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")
    )
    env["HOME"] = str(home)
    return env


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def reader_env(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A fresh virtual environment with the package from its sdist."""
    if not NOTEBOOKS:
        _unavailable("no notebooks in _build/html/_sources: run `make html` first")
    base = tmp_path_factory.mktemp("reader")
    env = _clean_env(base / "home")
    (base / "home").mkdir()
    checkout = base / "checkout"
    shutil.copytree(ROOT, checkout, ignore=IGNORED)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env=env)
    python = str(venv / "bin" / "python")
    lock = str(ROOT / "requirements" / "lock.txt")
    _run([python, "-m", "pip", "install", "-q", "setuptools>=77"], env=env)
    _run(
        [python, "-c", "from setuptools import build_meta as b; b.build_sdist('dist')"],
        env=env,
        cwd=checkout,
    )
    [sdist] = (checkout / "dist").glob("convbook-*.tar.gz")
    packages = [f"convbook[notebooks] @ {sdist.as_uri()}", "nbclient", "ipykernel"]
    _run([python, "-m", "pip", "install", "-q", "-c", lock, *packages], env=env)
    return {"python": python, "env": env, "sdist": sdist, "base": base}


def test_the_reader_environment_has_no_sphinx_and_no_myst_nb(reader_env) -> None:
    result = _run(
        [reader_env["python"], "-m", "pip", "list", "--format=json"],
        env=reader_env["env"],
    )
    names = {p["name"].lower() for p in json.loads(result.stdout)}
    assert {"convbook", "matplotlib", "scipy", "nbclient"} <= names
    assert not names & {"sphinx", "myst-nb", "myst-parser", "jupyter-book"}


def test_the_sdist_ships_the_package_and_licences_but_no_tests(reader_env) -> None:
    with tarfile.open(reader_env["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "LICENSE-BOOK.md", "CITATION.cff", "CHANGELOG.md"} <= names
    assert "src/convbook/data/benchmark-results.json" in names
    assert not [n for n in names if n.startswith(("tests/", "book/"))]


TEXT = ("text/plain", "text/latex", "text/markdown")


def _comparable(name: str, data: dict) -> dict[str, str]:
    """The text of a glued value (numbers, formulas), and whether it is an image."""
    text = {k: "".join(data[k]) for k in TEXT if k in data}
    if "text/plain" in text:
        text["text/plain"] = text["text/plain"].removeprefix(f"{name} = ")
    # Whether it is a picture: the book's kernels draw figures as SVG, a
    # reader's Jupyter as PNG by default; both show the same figure.
    text["images"] = "image" if any(k.startswith("image/") for k in data) else ""
    return text


def _page_values(page: Path) -> dict[str, dict[str, str]]:
    """What the page shows: the values myst-nb glued while building it."""
    path = ROOT / "_build" / "jupyter_execute" / f"{page.stem}.glue.json"
    if not path.is_file():  # a page that glues nothing
        return {}
    glued = json.loads(path.read_text(encoding="utf-8"))
    return {name: _comparable(name, output["data"]) for name, output in glued.items()}


def _run_values(notebook: dict) -> dict[str, dict[str, str]]:
    """What the reader's run shows: the values convbook's plain glue displayed."""
    values = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            marker = output.get("metadata", {}).get("convbook_glue")
            if marker:
                values[marker["name"]] = _comparable(marker["name"], output["data"])
    return values


@pytest.mark.parametrize("page", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_downloaded_notebook_runs_elsewhere_with_the_pages_numbers(
    page: Path, reader_env: dict
) -> None:
    folder = reader_env["base"] / "run" / page.stem
    folder.mkdir(parents=True)
    copy = folder / page.name
    shutil.copyfile(page, copy)
    runner = reader_env["base"] / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    _run(
        [reader_env["python"], str(runner), str(copy), str(folder)],
        env=reader_env["env"],
        cwd=folder,
    )
    executed = json.loads(copy.read_text(encoding="utf-8"))
    assert "pip install" in "".join(executed["cells"][0]["source"])
    assert _run_values(executed) == _page_values(page)
