"""The built book in a real browser: every page, opened from files.

Each page must load with no console error, no failed request and no request
that leaves the site; every formula must arrive typeset by KaTeX at build time
(with MathML for screen readers, no error markup, KaTeX's fonts loaded); every
image must load and carry meaningful alt text; and the page must not scroll
sideways on a 375-pixel phone screen. Links inside the
site are checked over the HTML of every page. A failing page leaves a
screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import gzip
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_pages import SITE, site_pages  # noqa: E402

PAGES = site_pages()
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
HASH_LIKE = re.compile(r"^[0-9a-f]{12,}(\.\w+)?$")


def _open(browser, relative: str, *, width: int = 1280, height: int = 900):
    """Open a page of the site, recording every problem the browser reports."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []

    def on_request(request) -> None:
        scheme = urlsplit(request.url).scheme
        if scheme not in LOCAL_SCHEMES:
            problems.append(f"request leaves the site: {request.url}")

    def on_route(route) -> None:
        if urlsplit(route.request.url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:  # never let a request out; it is recorded above
            route.abort()

    page.on("request", on_request)
    page.route("**/*", on_route)
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"request failed: {r.url} ({r.failure})")
            if urlsplit(r.url).scheme in LOCAL_SCHEMES
            else None
        ),
    )
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto((SITE / relative).as_uri(), wait_until="load")
    # After "load" the page still lays out the formulas far below the screen
    # while the browser is idle (convbook-page.js), which asks for their
    # fonts; a reload before those arrive would cut them off.
    page.wait_for_function(
        """() => !document.querySelector('script[src*="convbook-page.js"]')
            || document.documentElement.dataset.convbookScrollers === 'measured'""",
        timeout=20_000,
    )
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page, problems


@pytest.mark.parametrize("relative", PAGES)
def test_page_loads_cleanly(
    browser, site, save_screenshot, math_report, relative: str
) -> None:
    context, page, problems = _open(browser, relative)
    try:
        math = math_report(page)
        assert not math["untypeset"], f"formulas not typeset: {math}"
        assert not math["errors"], f"KaTeX errors: {math['errors']}"
        assert not math["without_mathml"], f"formulas without MathML: {math}"
        assert math["fonts_ready"], f"KaTeX's fonts did not load: {math}"
        images = page.evaluate(
            """() => [...document.images].map(i => ({
                src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                ok: i.complete && i.naturalWidth > 0}))"""
        )
        for image in images:
            assert image["ok"], f"image did not load: {image['src']}"
            alt = (image["alt"] or "").strip()
            name = Path(urlsplit(image["src"] or "").path).name
            meaningful = len(alt) >= 4 and not HASH_LIKE.match(alt) and alt != name
            assert meaningful, f"image {image['src']} has no meaningful alt: {alt!r}"
        assert not problems, "\n".join(problems)

        page.set_viewport_size({"width": 375, "height": 800})
        page.wait_for_timeout(150)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px at 375px"
    except AssertionError:
        save_screenshot(page, relative)
        raise
    finally:
        context.close()


class _Anchors(HTMLParser):
    """Collect the ids a page defines and the local references it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])  # type: ignore[arg-type]
        attr = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(tag)
        if attr and values.get(attr):
            self.refs.append(values[attr])  # type: ignore[arg-type]


def _parse(path: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_links_inside_the_site_resolve(site) -> None:
    parsed: dict[Path, _Anchors] = {}
    broken: list[str] = []
    for relative in PAGES:
        page = SITE / relative
        anchors = parsed.setdefault(page, _parse(page))
        for ref in anchors.refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith("//"):
                continue  # outgoing links are links, not requests
            target = (
                (page.parent / unquote(parts.path)).resolve() if parts.path else page
            )
            if target.is_dir():
                target = target / "index.html"
            if target == SITE / "convbook.pdf" and not os.environ.get("CI"):
                continue  # made by `make pdf`; tests/site/test_pdf.py checks it
            if not target.exists():
                broken.append(f"{relative}: {ref} (no file {target})")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed.setdefault(target, _parse(target)).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{relative}: {ref} (no #{parts.fragment})")
    assert PAGES, "no pages found in the built site"
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_search_finds_the_receptive_field_chapter(
    browser, site, save_screenshot
) -> None:
    context, page, problems = _open(browser, "search.html")
    try:
        page.goto((SITE / "search.html").as_uri() + "?q=receptive+field")
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for(timeout=15_000)
        hrefs = [results.nth(i).get_attribute("href") or "" for i in range(3)]
        assert any("receptive-fields.html" in href for href in hrefs), hrefs
        assert not problems, "\n".join(problems)
    except AssertionError:
        save_screenshot(page, "search")
        raise
    finally:
        context.close()


def test_dark_mode_switch(browser, site, save_screenshot) -> None:
    context, page, problems = _open(browser, "index.html")
    try:
        page.emulate_media(color_scheme="light")
        page.reload()
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        # The theme's colour-mode control is a dropdown: open it, choose Dark.
        page.locator(".theme-switch-button:visible").first.click()
        page.locator('.theme-change-button[data-mode="dark"]:visible').first.click()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        luminance = page.evaluate(
            """() => {
                const c = getComputedStyle(document.body).backgroundColor;
                const [r, g, b] = c.match(/\\d+/g).map(Number);
                return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
            }"""
        )
        assert luminance < 0.3, f"dark mode left a light background ({luminance:.2f})"
        mode = page.evaluate("localStorage.getItem('mode')")
        assert mode == "dark", f"the choice was not remembered (mode={mode!r})"
        assert not problems, "\n".join(problems)
    except AssertionError:
        save_screenshot(page, "dark-mode")
        raise
    finally:
        context.close()


CHAPTER_BUDGET = 300 * 1024


def test_each_chapter_weighs_under_300_kb(site) -> None:
    heavy: list[str] = []
    for relative in PAGES:
        page = SITE / relative
        anchors = _parse(page)
        images = {
            (page.parent / unquote(urlsplit(ref).path)).resolve()
            for ref in anchors.refs
            if "_images/" in ref and not urlsplit(ref).scheme
        }
        # Hosts serve HTML compressed; typeset formulas are verbose markup
        # that compresses about tenfold, so the page counts as it travels.
        html = len(gzip.compress(page.read_bytes(), mtime=0))
        weight = html + sum(p.stat().st_size for p in images if p.is_file())
        if weight > CHAPTER_BUDGET:
            heavy.append(f"{relative}: {weight / 1024:.0f} KB")
    assert not heavy, "pages over 300 KB (gzipped HTML plus images):\n" + "\n".join(
        heavy
    )


def test_missing_address_gets_the_404_page(browser, site, save_screenshot) -> None:
    """Served as a host would serve it: any unknown address gets 404.html."""
    import functools
    import http.server
    import threading

    prefix = _notfound_prefix()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = urlsplit(path).path
            if path.startswith(prefix):
                path = "/" + path[len(prefix) :]
            return super().translate_path(path)

        def send_error(self, code: int, message: str | None = None, explain=None):
            if code != 404:
                return super().send_error(code, message, explain)
            body = (SITE / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(SITE))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(origin)
            else (
                problems.append(f"leaves the site: {route.request.url}"),
                route.abort(),
            )
        ),
    )
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    try:
        response = page.goto(f"{origin}{prefix}no/such/chapter.html")
        assert response is not None
        assert response.status == 404
        assert "Page not found" in page.content()
        stylesheets = page.evaluate("document.styleSheets.length")
        assert stylesheets > 0, "the 404 page loaded no stylesheet"
        page.get_by_role("link", name="the answer first", exact=True).click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{prefix}index.html"), page.url
        problems = [p for p in problems if "404" not in p]  # the 404 itself
        assert not problems, "\n".join(problems)
    except AssertionError:
        save_screenshot(page, "404")
        raise
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def _notfound_prefix() -> str:
    """Return the address prefix the 404 page was built for (from its links)."""
    text = (SITE / "404.html").read_text(encoding="utf-8")
    match = re.search(r'href="(/[^"]*?)_static/', text)
    assert match, "404.html links no stylesheet under an absolute prefix"
    return match.group(1)


CHAPTERS = [
    p.stem
    for p in sorted((SITE.parents[1] / "book").glob("*.md"))
    if p.read_text(encoding="utf-8").startswith("---\njupytext:")
]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_offers_its_source_and_executed_notebook(site, chapter: str) -> None:
    import json

    refs = _parse(SITE / f"{chapter}.html").refs
    for suffix in (".md", ".ipynb"):
        assert f"_sources/{chapter}{suffix}" in refs, f"no {suffix} download"
    notebook = json.loads((SITE / "_sources" / f"{chapter}.ipynb").read_text("utf-8"))
    # The reader's install cell runs only where the package is missing.
    code = [
        c
        for c in notebook["cells"]
        if c["cell_type"] == "code"
        and "convbook-install" not in c["metadata"].get("tags", [])
    ]
    assert code, "the notebook has no code cells"
    assert all(c.get("execution_count") for c in code), "a cell was not executed"


def test_code_cells_have_copy_buttons_and_figures_stay_white_in_dark_mode(
    browser, site, save_screenshot
) -> None:
    context, page, problems = _open(browser, "second-layer.html")
    try:
        page.emulate_media(color_scheme="dark")
        page.reload()
        page.wait_for_timeout(500)
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert page.locator("button.copybtn").count() >= 5
        backgrounds = page.evaluate(
            """() => [...document.querySelectorAll('.bd-article figure img')]
                   .map(i => getComputedStyle(i).backgroundColor
                        + " " + getComputedStyle(i).filter)"""
        )
        assert backgrounds, "no figure on the page"
        assert set(backgrounds) == {"rgb(255, 255, 255) none"}, backgrounds
        assert not problems, "\n".join(problems)
    except AssertionError:
        save_screenshot(page, "dark-figures")
        raise
    finally:
        context.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_opengraph_metadata_and_is_in_the_sitemap(
    site, chapter: str
) -> None:
    text = (SITE / f"{chapter}.html").read_text(encoding="utf-8")
    sitemap = (SITE / "sitemap.xml").read_text(encoding="utf-8")
    url = re.search(r'<meta property="og:url" content="([^"]+)"', text)
    assert url, "no og:url"
    assert url.group(1).endswith(f"/{chapter}.html")
    for prop in ("og:title", "og:type", "og:description"):
        assert f'<meta property="{prop}"' in text, f"no {prop}"
    assert f"<loc>{url.group(1)}</loc>" in sitemap
