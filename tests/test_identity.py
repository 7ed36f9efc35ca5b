"""The project says who made it, under what terms, and where it lives.

The licence files, the citation file, the changelog and the package metadata
must agree with each other and with the site's configuration (``conf.py``),
so that a reader who finds one of them is sent to the same places.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import convbook

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def _conf_value(name: str) -> str:
    """A string constant from conf.py, read without running Sphinx."""
    text = (ROOT / "conf.py").read_text(encoding="utf-8")
    match = re.search(rf'^{name} = .*?"(https://[^"]+)"', text, re.M | re.S)
    assert match, f"{name} not found in conf.py"
    return match.group(1)


REPOSITORY_URL = _conf_value("REPOSITORY_URL")
SITE_URL = _conf_value("SITE_URL")


def test_the_code_licence_is_the_declared_mit_licence() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PROJECT["license"] == "MIT"
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert "LICENSE" in PROJECT["license-files"]


def test_the_book_licence_is_cc_by_4() -> None:
    text = (ROOT / "LICENSE-BOOK.md").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    assert "LICENSE-BOOK.md" in PROJECT["license-files"]


def test_the_citation_file_parses_and_agrees_with_the_package() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # The fields the Citation File Format 1.2 requires.
    assert citation["cff-version"] == "1.2.0"
    for field in ("message", "title", "authors"):
        assert citation[field], field
    assert all("name" in a or "family-names" in a for a in citation["authors"])
    assert citation["version"] == PROJECT["version"] == convbook.__version__
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    assert re.search(rf'^release = .*"{re.escape(citation["version"])}"$', conf, re.M)
    assert citation["license"] == PROJECT["license"]
    assert citation["repository-code"] == REPOSITORY_URL
    assert citation["url"] == SITE_URL
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(citation["date-released"]))


def test_the_changelog_has_a_section_for_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert re.search(rf"^## \[{re.escape(PROJECT['version'])}\] - \d{{4}}-", text, re.M)


def test_the_package_metadata_points_at_the_book_and_the_repository() -> None:
    urls = PROJECT["urls"]
    assert urls["Homepage"] == SITE_URL
    assert urls["Source"] == REPOSITORY_URL
    assert urls["Issues"] == f"{REPOSITORY_URL}/issues"


def test_the_readme_tells_readers_where_the_book_is_before_the_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SITE_URL in text
    assert text.index(SITE_URL) < text.index("make html")
    assert "make test" in text


def test_build_outputs_are_ignored_by_git() -> None:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/build/", "/dist/"} <= set(lines)


def test_convbook_plot_without_matplotlib_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"  # as if it were not installed
        "try:\n"
        "    import convbook.plot\n"
        "except ImportError as error:\n"
        "    print(error)\n"
        "import convbook\n"
        "print(convbook.conv2d.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == (
        "convbook.plot draws with matplotlib, which is not installed; "
        "install the extra with: pip install 'convbook[plot]'\n"
        "conv2d\n"
    )


def test_the_citation_file_matches_the_citation_file_format_schema() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.citation-file-format",
            "--default-filetype",
            "yaml",
            str(ROOT / "CITATION.cff"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
