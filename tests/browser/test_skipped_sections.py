"""Sections far below the screen wait, and every way of reaching one works.

convbook.css lets the browser skip laying out a section far below the screen
(``content-visibility: auto``) until a reader gets near it: a long chapter
then lays out one box per section while it arrives. These checks keep that
true on the longest chapter, and check what a reader must not notice: a
section comes into view drawn, and a link to an equation or a section deep
in the chapter, from another page or from the same one, lands on its target
and stays there (convbook-page.js draws the target's section whole).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CHAPTER = "second-layer.html"
PHONE, DESKTOP = 375, 1280

# Every section below the chapter's title: its top, whether its first block
# is drawn, and whether it holds a widget (never skipped).
SECTIONS = """() => [...document.querySelectorAll('.bd-article section section')]
    .map(s => ({
        id: s.id,
        top: s.getBoundingClientRect().top,
        drawn: s.firstElementChild.checkVisibility({contentVisibilityAuto: true}),
        widget: s.classList.contains('convbook-widget-section'),
    }))"""

# Targets deep in the chapter: the last numbered equation, one halfway down,
# and the last section.
TARGETS = """() => {
    const equations = [...document.querySelectorAll('.bd-article div.math[id]')];
    const sections = [...document.querySelectorAll('.bd-article section section[id]')];
    return [equations[equations.length - 1].id,
            equations[Math.floor(equations.length / 2)].id,
            sections[sections.length - 1].id];
}"""

WHERE = """(id) => {
    const target = document.getElementById(id);
    const root = getComputedStyle(document.documentElement);
    const landing = parseFloat(root.scrollPaddingTop) || 0;
    return {top: target.getBoundingClientRect().top, landing,
            drawn: target.checkVisibility({contentVisibilityAuto: true}),
            scrolled: window.scrollY,
            bottom: document.documentElement.scrollHeight - window.innerHeight};
}"""


def test_sections_far_below_the_screen_wait_until_a_reader_nears_them(open_at) -> None:
    context, page = open_at(CHAPTER, PHONE, 800)
    try:
        sections = page.evaluate(SECTIONS)
        far = [s for s in sections if s["top"] > 3 * 800]
        assert len(far) >= 3, f"{CHAPTER} has too few sections far below: {sections}"
        for section in far:
            if section["widget"]:
                assert section["drawn"], f"widget section skipped: {section}"
            else:
                assert not section["drawn"], f"laid out while far below: {section}"
        # Scrolled to, a section is drawn before the reader sees it.
        last = far[-1]["id"]
        page.evaluate("(id) => document.getElementById(id).scrollIntoView()", last)
        page.wait_for_timeout(300)
        seen = next(s for s in page.evaluate(SECTIONS) if s["id"] == last)
        assert seen["drawn"], f"scrolled into view but not drawn: {seen}"
    finally:
        context.close()


def _assert_landed(where: dict, target: str, width: int) -> None:
    """The jump's target is drawn and sits on the line the jump put it on."""
    assert where["drawn"], f"{target} is not drawn: {where}"
    assert abs(where["top"] - where["landing"]) <= 2, (
        f"#{target} at {width}px: the target is not at the landing line "
        f"{where['landing']:.0f}px from the top of the window: {where}"
    )


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_link_from_another_page_lands_on_its_target_and_stays(
    browser, site, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto((site / CHAPTER).as_uri(), wait_until="load")
        targets = page.evaluate(TARGETS)
        for target in targets:
            page.close()
            page = context.new_page()  # a new document, as from another page
            page.goto((site / CHAPTER).as_uri() + "#" + target, wait_until="load")
            page.wait_for_timeout(1500)  # sections near the target get drawn
            where = page.evaluate(WHERE, target)
            assert where["scrolled"] > 2 * 800, f"{target} is not deep enough: {where}"
            _assert_landed(where, target, width)
    finally:
        context.close()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_link_within_the_page_lands_on_its_target(open_at, width: int) -> None:
    context, page = open_at(CHAPTER, width, 800)
    try:
        for target in page.evaluate(TARGETS):
            page.evaluate("(id) => { location.hash = id; }", target)
            page.wait_for_timeout(800)
            _assert_landed(page.evaluate(WHERE, target), target, width)
    finally:
        context.close()
