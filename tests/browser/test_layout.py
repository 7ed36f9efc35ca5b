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
