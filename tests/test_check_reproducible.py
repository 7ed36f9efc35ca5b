"""The comparison that ``make reproducible`` reports with."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "check_reproducible", ROOT / "scripts" / "check_reproducible.py"
)
repro = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(repro)


def _site(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_identical_sites_have_no_differences(tmp_path: Path) -> None:
    a = _site(tmp_path / "a", {"index.html": b"<p>1</p>\n"})
    b = _site(tmp_path / "b", {"index.html": b"<p>1</p>\n"})
    assert repro.differences(a, b) == []


def test_a_changed_or_extra_file_is_named(tmp_path: Path) -> None:
    a = _site(tmp_path / "a", {"index.html": b"<p>1</p>\n", "x.html": b"x\n"})
    b = _site(tmp_path / "b", {"index.html": b"<p>2</p>\n", "y.html": b"y\n"})
    report = repro.differences(a, b)
    assert "  index.html: contents differ" in report
    assert "  x.html: missing from this build" in report
    assert "  y.html: only in this build" in report


def test_the_pdf_that_make_pdf_adds_is_allowed_only_when_asked(
    tmp_path: Path,
) -> None:
    a = _site(tmp_path / "a", {"index.html": b"<p>1</p>\n"})
    b = _site(tmp_path / "b", {"index.html": b"<p>1</p>\n", "convbook.pdf": b"%"})
    assert repro.differences(a, b) == ["  convbook.pdf: only in this build"]
    assert repro.differences(a, b, repro.ADDED_BY_MAKE_PDF) == []
    # Allowed only as an addition: a PDF missing from the other site counts.
    assert repro.differences(b, a, repro.ADDED_BY_MAKE_PDF) == [
        "  convbook.pdf: missing from this build"
    ]
