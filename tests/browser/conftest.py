"""Fixtures for the browser tests: the built site and a headless Chromium.

The tests read the site that ``make html`` built in ``_build/html`` and open
its pages from files, as a reader who downloaded the book would. Chromium is
Debian's (``/usr/bin/chromium``), driven by Playwright's Python package.
Without Chromium or the built site the tests skip on a reader's machine, but
fail in CI (``CI`` set), where they must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CONVBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _unavailable(reason: str) -> None:
    """Skip on a reader's machine; fail in CI, where every check must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this check must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        _unavailable(f"the built site is missing: run `make html` first ({SITE})")
    return SITE


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (it is in the test extra)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


# A style that draws every block at once, for pictures of whole pages.
RENDER_ALL = "* { content-visibility: visible !important; }"


@pytest.fixture
def save_screenshot():
    """Return a function that saves a full-page screenshot of a failing page."""

    def save(page: object, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name.replace('/', '_')}.png"
        # Blocks far from the screen are not drawn until a reader scrolls to
        # them (content-visibility in convbook.css); a picture of the whole
        # page needs them all drawn.
        page.add_style_tag(  # type: ignore[attr-defined]
            content=RENDER_ALL
        )
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return save


@pytest.fixture
def open_at(browser, site):
    """Return a function opening a page of the site at a given window width.

    It returns ``(context, page)``; close the context when done. Formulas
    that a renderer typesets in the browser finish after the page's "load"
    event, so it also waits until the display equations stop changing size,
    and until convbook-page.js has measured every box that may scroll (it
    does so as boxes come near the screen and, for the rest, when the
    browser is idle after loading).
    """

    def open_page(relative: str, width: int, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto((site / relative).as_uri(), wait_until="load")
        page.wait_for_function(
            """() => new Promise(done => {
                const size = () => [...document.querySelectorAll('div.math')]
                    .map(e => e.scrollWidth).join();
                const first = size();
                setTimeout(() => done(size() === first), 300);
            })""",
            timeout=20_000,
        )
        page.wait_for_function(
            """() => !document.querySelector('script[src*="convbook-page.js"]')
                || document.documentElement.dataset.convbookScrollers === 'measured'""",
            timeout=20_000,
        )
        return context, page

    return open_page


# Every formula is typeset when the book is built (book/_ext/prerender_math.py):
# each .math element must hold KaTeX's markup with its MathML, none may hold
# KaTeX's error markup, and the fonts KaTeX's stylesheet names must load.
MATH_REPORT = """async () => {
    const all = [...document.querySelectorAll('.math')];
    await document.fonts.ready;
    return {
      total: all.length,
      untypeset: all.filter(e => !e.querySelector('.katex'))
                    .map(e => e.textContent.slice(0, 60)),
      errors: [...document.querySelectorAll('.katex-error')]
              .map(e => e.getAttribute('title') || e.textContent),
      without_mathml: all.filter(e => !e.querySelector('.katex-mathml math'))
                         .map(e => e.textContent.slice(0, 60)),
      fonts_ready: all.length === 0 || [...document.fonts].some(
        f => f.family.replace(/"/g, '') === 'KaTeX_Main' && f.status === 'loaded'),
    };
}"""


@pytest.fixture
def math_report():
    """Return a function that reports how a page's formulas were typeset."""

    def report(page: object) -> dict[str, object]:
        return page.evaluate(MATH_REPORT)  # type: ignore[attr-defined]

    return report
