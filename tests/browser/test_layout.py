"""Navigation in a real browser: both sidebars open and close with the
buttons a reader sees, at phone width (375 px, as dialogs) and at desktop
width (1280 px), by mouse and by keyboard.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DESKTOP, PHONE = 1280, 375


def _dialog_open(page, which: str) -> bool:
    return page.evaluate(
        f"() => document.getElementById('pst-{which}-sidebar-modal').open"
    )


def _press_or_click(button, how: str) -> None:
    if how == "mouse":
        button.click()
    else:
        button.focus()
        button.press("Enter")


@pytest.mark.parametrize("how", ["mouse", "keyboard"])
@pytest.mark.parametrize("which", ["primary", "secondary"])
def test_sidebars_open_and_close_on_a_phone(
    open_at, save_screenshot, which: str, how: str
) -> None:
    context, page = open_at("second-layer.html", PHONE)
    try:
        button = page.locator(f".{which}-toggle:visible")
        assert button.count() == 1, f"{button.count()} visible {which} buttons"
        assert not _dialog_open(page, which)
        _press_or_click(button, how)
        page.wait_for_timeout(300)
        assert _dialog_open(page, which), f"the {which} sidebar did not open"
        links = page.locator(f"#pst-{which}-sidebar-modal a:visible")
        assert links.count() >= 3, "the opened sidebar shows no links"
        if how == "keyboard":
            page.keyboard.press("Escape")
        else:  # a click on the dimmed page beside the dialog closes it
            box = page.locator(f"#pst-{which}-sidebar-modal").bounding_box()
            x = box["x"] + box["width"] + 10 if which == "primary" else box["x"] - 10
            page.mouse.click(x, 400)
        page.wait_for_timeout(300)
        assert not _dialog_open(page, which), f"the {which} sidebar did not close"
        if how == "keyboard":
            focused = page.evaluate(
                f"() => document.activeElement.matches('.{which}-toggle')"
            )
            assert focused, "focus did not return to the button"
    except AssertionError:
        save_screenshot(page, f"sidebar-{which}-{how}-{PHONE}")
        raise
    finally:
        context.close()


@pytest.mark.parametrize("how", ["mouse", "keyboard"])
def test_chapter_list_hides_and_returns_on_a_desktop(
    open_at, save_screenshot, how: str
) -> None:
    context, page = open_at("second-layer.html", DESKTOP)
    try:
        sidebar = page.locator("#pst-primary-sidebar")
        link = sidebar.locator('a[href="receptive-fields.html"]').first
        article = page.locator(".bd-article")
        assert link.is_visible(), "the chapter list is not shown at first"
        width = article.bounding_box()["width"]
        button = page.locator(".primary-toggle:visible")
        assert button.count() == 1, f"{button.count()} visible primary buttons"
        _press_or_click(button, how)
        page.wait_for_timeout(600)
        assert not link.is_visible(), "the chapter list did not hide"
        assert not _dialog_open(page, "primary"), "a dialog opened instead"
        assert article.bounding_box()["width"] > width, "the text did not widen"
        _press_or_click(button, how)
        page.wait_for_timeout(600)
        assert link.is_visible(), "the chapter list did not come back"
    except AssertionError:
        save_screenshot(page, f"sidebar-primary-{how}-{DESKTOP}")
        raise
    finally:
        context.close()


def test_page_contents_are_shown_on_a_desktop(open_at) -> None:
    """At 1280 px the page's contents stand beside the text, no button needed."""
    context, page = open_at("second-layer.html", DESKTOP)
    try:
        toc = page.locator("#pst-secondary-sidebar a:visible")
        assert toc.count() >= 3, "the page's contents are not shown"
    finally:
        context.close()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_one_search_box_and_nothing_above_the_page_header(open_at, width: int) -> None:
    # The themes' top bar once showed a second search box at desktop width
    # and an empty strip above the page's header on a phone.
    context, page = open_at("second-layer.html", width)
    try:
        boxes = page.locator(".search-button-field:visible").count()
        top = page.evaluate(
            "() => document.querySelector('.bd-header-article')"
            ".getBoundingClientRect().top"
        )
    finally:
        context.close()
    assert boxes == (1 if width == DESKTOP else 0), f"{boxes} search boxes"
    assert top == 0, f"{top}px above the page's header"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_previous_and_next_keep_their_titles_short(open_at, width: int) -> None:
    """On a phone the two links stand one above the other, full width, so a
    chapter's title takes a few lines instead of six or seven."""
    context, page = open_at("matrix-view.html", width)
    try:
        boxes = page.evaluate(
            """() => ['left-prev', 'right-next'].map(name => {
                const link = document.querySelector(`.prev-next-area a.${name}`);
                const title = link.querySelector('.prev-next-title');
                const r = link.getBoundingClientRect();
                const lines = title.getBoundingClientRect().height
                    / parseFloat(getComputedStyle(title).lineHeight);
                return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                        lines: Math.round(lines)};
            })"""
        )
        previous, following = boxes
        if width == PHONE:
            assert following["top"] >= previous["bottom"], boxes  # stacked
        else:
            assert following["left"] >= previous["right"], boxes  # side by side
        assert max(previous["lines"], following["lines"]) <= 3, boxes
    finally:
        context.close()


def test_back_to_top_sits_in_the_corner_on_a_phone(open_at) -> None:
    context, page = open_at("matrix-view.html", PHONE)
    try:
        page.mouse.wheel(0, 6000)
        page.wait_for_timeout(300)
        page.mouse.wheel(0, -400)  # scrolling up shows the button
        button = page.locator("#pst-back-to-top")
        button.wait_for(state="visible", timeout=5_000)
        box = button.bounding_box()
        assert box["x"] >= PHONE * 0.8, box  # at the right edge, not mid-column
        assert box["width"] <= 50, box  # an arrow, not the words
        name = page.evaluate(
            "() => document.getElementById('pst-back-to-top').textContent.trim()"
        )
        assert name == "Back to top"  # still its name for a screen reader
        button.click()
        page.wait_for_function("() => window.scrollY < 50", timeout=5_000)
    finally:
        context.close()
