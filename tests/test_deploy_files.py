"""The deployment files are valid: GitHub Actions workflows and Read the Docs.

Each file is checked against its published JSON schema (the schemas ship
inside check-jsonschema, so nothing is fetched), and the workflows are also
audited by zizmor, a linter for GitHub Actions, in its offline mode.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)


def test_there_are_test_and_pages_workflows() -> None:
    assert {path.name for path in WORKFLOWS} >= {"test.yml", "pages.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_schema(workflow: Path) -> None:
    result = _run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        str(workflow),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_zizmor() -> None:
    result = _run(
        str(BIN / "zizmor"), "--offline", "--no-progress", ".github/workflows"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readthedocs_config_matches_the_schema() -> None:
    result = _run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.readthedocs",
        ".readthedocs.yaml",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readthedocs_runs_the_makefile_build_and_checks_the_site() -> None:
    """One configuration: Read the Docs runs ``make html``, not its own Sphinx."""
    import yaml

    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert "sphinx" not in config
    commands = config["build"]["commands"]
    assert commands[0] == "make html"
    assert any(c.startswith("make check-site") for c in commands[1:])
    assert not (ROOT / "book" / "conf.py").exists()


def test_pages_workflow_publishes_with_the_official_actions() -> None:
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    for action in ("actions/upload-pages-artifact@", "actions/deploy-pages@"):
        assert action in text
    assert "make html" in text  # the Makefile's build: -W --keep-going
    # the site is checked (executed downloads, whole sitemap) before upload
    assert text.index("make check-site") < text.index("upload-pages-artifact")
