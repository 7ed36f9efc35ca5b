"""The built site as a publisher receives it: only the site, and its small details.

These read ``_build/html`` (no browser needed) and so run after any build
path: whatever left the site there, it must pass.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "_build" / "html"
BOOK = SITE.parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))

from notebook_cells import READER_ONLY_TAG, unexecuted_cells  # noqa: E402

pytestmark = pytest.mark.browser
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


def test_only_the_search_page_loads_the_search_index(site) -> None:
    """The search box opens search.html; no other page needs the index.

    The theme would load the index and the search code on every page, as
    blocking scripts (book/_templates/layout.html drops them).
    """
    scripts = re.compile(r'<script src="[^"]*(searchindex|searchtools)\.js"')
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(CHAPTERS)
    for page in pages:
        found = {m.group(1) for m in scripts.finditer(page.read_text("utf-8"))}
        search = page.name == "search.html"
        expected = {"searchindex", "searchtools"} if search else set()
        assert found == expected, page.relative_to(site)


def test_no_script_blocks_a_chapter_while_it_is_read(site) -> None:
    """Every script file is deferred (book/_ext/page_head.py), but the one
    whose settings the inline scripts after it extend."""
    for chapter in CHAPTERS:
        text = (site / f"{chapter}.html").read_text("utf-8")
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", text)
        assert len(tags) > 5, chapter
        blocking = [t for t in tags if not re.search(r"\b(defer|async)\b", t)]
        assert len(blocking) == 1, (chapter, blocking)
        assert "documentation_options.js" in blocking[0], (chapter, blocking)


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
    # The download opens with the reader's install cells (tagged, never run
    # by the build); every other code cell is executed.
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    reader_only = [i for i, t in enumerate(tags) if READER_ONLY_TAG in t]
    assert reader_only == [0, 1], reader_only
    assert cells[1]["cell_type"] == "code"
    assert unexecuted_cells(notebook) == [], "a cell was not executed"
    code = [c for c in cells[2:] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "a cell was not executed"
    assert not any("execution" in c["metadata"] for c in cells)


def test_preview_server_serves_the_site_under_the_hosted_prefix(site) -> None:
    """`make serve`: the book under /convbook/ (as hosted), 404 page elsewhere."""
    import functools
    import importlib.util
    import threading
    import urllib.error
    import urllib.request

    spec = importlib.util.spec_from_file_location(
        "serve", SITE.parents[1] / "scripts" / "serve.py"
    )
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    prefix = serve.site_prefix(site)
    assert prefix == re.search(
        r'href="(/[^"]*?)_static/', (site / "404.html").read_text("utf-8")
    ).group(1)
    handler = type(
        "Quiet", (serve.Handler,), {"prefix": prefix, "log_message": lambda *a: None}
    )
    server = serve.http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{origin}/") as response:  # follows the redirect
            assert response.url == f"{origin}{prefix}"
            assert response.read() == (site / "index.html").read_bytes()
        css = f"{origin}{prefix}_static/convbook.css"
        with urllib.request.urlopen(css) as response:
            assert response.status == 200
        for missing in (f"{prefix}no/such/page.html", "/index.html"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(origin + missing)
            assert caught.value.code == 404
            assert caught.value.read() == (site / "404.html").read_bytes()
            caught.value.close()
    finally:
        server.shutdown()
        server.server_close()
