"""Every page tells readers how to take the book away, in the same words.

Chapter pages end with a note giving the install line and the repository;
every page's footer states the book's licence and links the whole-book PDF;
the README gives the same install line. The line itself is defined once, in
``book/_ext/reader_notes.py``.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
REPOSITORY_URL = "https://github.com/convbook/convbook"

pytestmark = pytest.mark.site


def _reader_notes():
    # reader_notes imports its sibling notebook_cells, as Sphinx loads it.
    if str(ROOT / "book" / "_ext") not in sys.path:
        sys.path.insert(0, str(ROOT / "book" / "_ext"))
    path = ROOT / "book" / "_ext" / "reader_notes.py"
    spec = importlib.util.spec_from_file_location("reader_notes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INSTALL_LINE = _reader_notes().install_line(REPOSITORY_URL)
CHAPTERS = [
    p.stem
    for p in sorted((ROOT / "book").glob("*.md"))
    if p.read_text(encoding="utf-8").startswith("---\njupytext:")
]
PAGES = sorted(p for p in SITE.rglob("*.html") if "_static" not in p.parts)


@pytest.fixture(scope="module", autouse=True)
def _site() -> None:
    if not PAGES:
        if os.environ.get("CI"):
            pytest.fail("no built site: run `make html` first", pytrace=False)
        pytest.skip("no built site: run `make html` first")


def test_the_readme_gives_the_same_install_line() -> None:
    assert INSTALL_LINE in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_ends_with_how_to_run_it(chapter: str) -> None:
    page = (SITE / f"{chapter}.html").read_text(encoding="utf-8")
    note = page[page.index("convbook-run admonition") :]
    text = html.unescape(re.sub(r"<[^>]+>", "", note))
    assert "Run this chapter yourself" in text
    assert INSTALL_LINE in text
    assert f'href="{REPOSITORY_URL}"' in note


def test_every_page_links_the_pdf_and_states_the_licence() -> None:
    for page in PAGES:
        source = page.read_text(encoding="utf-8")
        if page.name == "404.html":
            continue  # served at any address; its links are absolute
        match = re.search(r'<a href="([^"]*convbook\.pdf)">', source)
        assert match, f"{page.relative_to(SITE)} does not link the PDF"
        assert (
            page.parent / unquote(match.group(1))
        ).resolve() == SITE / "convbook.pdf"
        assert 'href="https://creativecommons.org/licenses/by/4.0/"' in source, page
