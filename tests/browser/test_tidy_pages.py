"""Search snippets and ranking, inline code wrapping, exercise headings, lists.

Small points of the page found in the visual review: the search page shows a
snippet under each chapter it finds and ranks chapters above API entries;
inline code wraps only where a name allows it and never makes a page scroll
sideways; the exercises have one layout in every chapter.
"""

from __future__ import annotations

import pytest

from .site_pages import site_pages
from .test_site import _open

pytestmark = pytest.mark.browser

RESULTS = "#search-results ul.search li"


@pytest.mark.parametrize("width", [375, 1280])
def test_search_shows_snippets_and_puts_chapters_first(
    browser, site, save_screenshot, width
) -> None:
    context, page, problems = _open(browser, "search.html", width=width)
    try:
        page.goto((site / "search.html").as_uri() + "?q=stride")
        page.locator(f"{RESULTS} p.context").first.wait_for(timeout=15_000)
        page.wait_for_timeout(300)  # the list is filled item by item
        rows = page.eval_on_selector_all(
            RESULTS,
            """items => items.map(li => ({
                href: li.querySelector('a').getAttribute('href'),
                snippet: (li.querySelector('p.context') || {}).textContent || '',
            }))""",
        )
        hrefs = [row["href"] for row in rows]
        api = [i for i, href in enumerate(hrefs) if href.startswith("api/")]
        chapters = [i for i, href in enumerate(hrefs) if not href.startswith("api/")]
        assert chapters, hrefs
        assert api, hrefs
        assert max(chapters) < min(api), hrefs  # every chapter before the API
        # The best match quotes the word; a page whose prose lacks it (the
        # word is only in its code) shows its opening lines.
        assert "stride" in rows[0]["snippet"].lower(), rows[0]
        for i in chapters:
            assert 40 < len(rows[i]["snippet"]) < 260, rows[i]
        assert not problems, "\n".join(problems)
    except AssertionError:
        save_screenshot(page, f"search-snippets-{width}")
        raise
    finally:
        context.close()


# Inline code may wrap after punctuation (a dot, an underscore, a comma) but
# not inside a word: each line of an inline code element must end at such a
# point. Measured with a Range over each character.
BREAKS = """() => {
    const bad = [];
    for (const code of document.querySelectorAll('article code:not(pre code)')) {
        const text = code.textContent;
        if (code.getClientRects().length < 2) continue;
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        let previous = null, node, prevChar = '';
        while ((node = walker.nextNode())) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const rect = range.getBoundingClientRect();
                const ch = node.data[i];
                if (rect.width === 0) { prevChar = ch; continue; }
                if (previous !== null && rect.top > previous + 2
                    && /[A-Za-z0-9]/.test(prevChar) && /[A-Za-z0-9]/.test(ch)) {
                    bad.push(text);
                }
                previous = rect.top; prevChar = ch;
            }
        }
    }
    return [...new Set(bad)];
}"""

OVERFLOW = """() => document.documentElement.scrollWidth
    - document.documentElement.clientWidth"""


@pytest.mark.parametrize("relative", site_pages(exclude={"404.html", "search.html"}))
def test_inline_code_breaks_between_words_only(open_at, relative, save_screenshot):
    context, page = open_at(relative, 375)
    try:
        assert page.evaluate(BREAKS) == []
        assert page.evaluate(OVERFLOW) <= 0
    except AssertionError:
        save_screenshot(page, f"inline-code-{relative}")
        raise
    finally:
        context.close()


def _article(site, relative: str) -> str:
    html = (site / relative).read_text(encoding="utf-8")
    return html.split('<article class="bd-article">', 1)[1].split("</article>", 1)[0]


def test_answer_page_lists_the_chapters_once(site):
    # "How to read this book" walks through the chapters; the toctrees only
    # feed the sidebar, so no second list of the same chapters follows it.
    article = _article(site, "index.html")
    assert "How to read this book" in article
    assert "toctree-l1" not in article


def test_drawing_helpers_page_says_its_introduction_once(site):
    article = _article(site, "api/plot.html")
    assert article.count("can be imported from") == 1
    assert article.count("imports matplotlib") == 1
