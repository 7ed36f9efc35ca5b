"""The built site as a publisher receives it: only the site, and its small details.

These read ``_build/html`` (no browser needed) and so run after any build
path: whatever left the site there, it must pass.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SITE = Path(__file__).resolve().parents[2] / "_build" / "html"
BOOK = SITE.parents[1] / "book"
CHAPTERS = [
    p.stem
    for p in sorted(BOOK.glob("*.md"))
    if p.read_text(encoding="utf-8").startswith("---\njupytext:")
]


def test_the_site_holds_no_build_files(site) -> None:
    for name in (".doctrees", "reports", "jupyter_execute", ".jupyter_cache"):
        assert not (site / name).exists(), f"{name} would be published"


def test_every_page_carries_the_books_own_icon(site) -> None:
    """Inlined, so that no page asks the host for /favicon.ico."""
    import base64

    icon = (BOOK / "_static" / "favicon.svg").read_bytes()
    assert icon.startswith(b"<svg")
    pages = ["index.html", "404.html", "search.html", "genindex.html"]
    for page in pages + [f"{c}.html" for c in CHAPTERS]:
        text = (site / page).read_text(encoding="utf-8")
        links = re.findall(
            r'<link rel="icon" type="image/svg\+xml" '
            r'href="data:image/svg\+xml;base64,([^"]+)"',
            text,
        )
        assert [base64.b64decode(data) for data in links] == [icon], page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_link_previews_read_as_text(site, chapter: str) -> None:
    text = (site / f"{chapter}.html").read_text(encoding="utf-8")
    for prop in ('property="og:description"', 'name="description"'):
        match = re.search(rf'<meta {prop} content="([^"]*)"', text)
        assert match, f"no {prop}"
        description = match.group(1)
        assert not re.search(r"[\\^{}]", description), description  # TeX


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_downloaded_notebook_has_outputs_and_stable_ids(site, chapter: str) -> None:
    notebook = json.loads((site / "_sources" / f"{chapter}.ipynb").read_text("utf-8"))
    cells = notebook["cells"]
    assert [c.get("id") for c in cells] == [f"cell-{i}" for i in range(len(cells))]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "a cell was not executed"
    assert not any("execution" in c["metadata"] for c in cells)
