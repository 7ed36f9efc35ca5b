"""Figures in a real browser: readable at the size the page shows them.

For every figure image of every page at 1280 px this reads the image's
natural and displayed width from the browser and the size of its smallest
glyph from the file (an SVG's text paths, or the size a PNG records; see
``convbook.plot.textsize``), and checks that the glyph comes out at least
``MIN_TEXT_PX`` CSS pixels on screen. It also checks that rasters are sharp
on a screen with two device pixels per CSS pixel and that no figure file is
heavy.
"""

from __future__ import annotations

import base64
import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from convbook.plot import MIN_TEXT_PX, png_smallest_text, smallest_text

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_pages import site_pages  # noqa: E402

DESKTOP, PHONE = 1280, 375
PAGES = site_pages()
#: A figure file heavier than this slows a phone down for one picture.
MAX_FIGURE_BYTES = 200_000
#: Device pixels per CSS pixel of a high-density screen.
DENSITY = 2

FIGURES = """() => [...document.querySelectorAll('.bd-article img')]
  .filter(img => img.getAttribute('src').includes('_images/'))
  .map(img => ({
    src: img.getAttribute('src'),
    figure: img.closest('figure')?.id || img.closest('.cell')?.id || '',
    natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width,
  }))"""


def _svg_text_px(path: Path, natural: float) -> tuple[float | None, float]:
    """Smallest glyph in natural CSS pixels, and pixels per SVG user unit."""
    data = path.read_bytes()
    view_box = ET.fromstring(data).get("viewBox")
    per_unit = natural / float(view_box.split()[2])
    points = smallest_text(data)
    return (None if points is None else points * per_unit), per_unit


def _soft_rasters(path: Path) -> list[tuple[float, int]]:
    """(drawn width in user units, pixel width) of smoothed embedded images.

    Matplotlib embeds an image drawn with ``interpolation='none'`` unscaled
    and marks it to be drawn pixelated (each value a sharp block); any other
    image is resampled when the figure is saved, and must then carry enough
    pixels for a high-density screen.
    """
    found = []
    for image in ET.fromstring(path.read_bytes()).iter(
        "{http://www.w3.org/2000/svg}image"
    ):
        if "pixelated" in (image.get("style") or ""):
            continue
        href = image.get("{http://www.w3.org/1999/xlink}href") or image.get("href")
        png = base64.b64decode(href.split("base64,", 1)[1])
        found.append((float(image.get("width")), struct.unpack(">I", png[16:20])[0]))
    return found


@pytest.mark.parametrize("relative", PAGES)
def test_figure_text_is_readable_at_desktop_width(open_at, site, relative: str):
    context, page = open_at(relative, DESKTOP)
    try:
        figures = page.evaluate(FIGURES)
    finally:
        context.close()
    problems = []
    for found in figures:
        path = (site / relative).parent / found["src"]
        name = found["figure"] or found["src"]
        natural, shown = found["natural"], found["shown"]
        assert natural > 0, f"{name} did not load"
        assert shown > 0, f"{name} is not shown"
        scale = shown / natural
        size = path.stat().st_size
        if size > MAX_FIGURE_BYTES:
            problems.append(f"{name}: {size:,} bytes (at most {MAX_FIGURE_BYTES:,})")
        if path.suffix == ".svg":
            text_px, per_unit = _svg_text_px(path, natural)
            for drawn, pixels in _soft_rasters(path):
                density = pixels / (drawn * per_unit * scale)
                if density < DENSITY - 0.05:
                    problems.append(
                        f"{name}: an embedded raster has {density:.2f} pixels "
                        f"per CSS pixel (at least {DENSITY})"
                    )
        elif path.suffix == ".png":
            try:
                text_px = png_smallest_text(path.read_bytes())
            except ValueError as error:
                problems.append(f"{name}: {error}")
                continue
            if natural < DENSITY * shown - 1:
                problems.append(
                    f"{name}: {natural} pixels shown at {shown:.0f} CSS pixels "
                    f"({natural / shown:.2f} per CSS pixel, at least {DENSITY})"
                )
        else:
            problems.append(f"{name}: a {path.suffix} figure; make SVG or PNG")
            continue
        if text_px is not None and text_px * scale < MIN_TEXT_PX - 0.05:
            problems.append(
                f"{name}: smallest text {text_px * scale:.1f} px on screen "
                f"({text_px:.1f} px in the image, shown at {scale:.0%}); "
                f"at least {MIN_TEXT_PX:g} px"
            )
    assert not problems, "\n".join(problems)


def test_every_figure_is_measured(open_at, site):
    # The page-by-page test above must not pass by finding no figures.
    context, page = open_at("second-layer.html", DESKTOP)
    try:
        figures = page.evaluate(FIGURES)
    finally:
        context.close()
    assert len(figures) >= 2
    assert all(re.search(r"\.(svg|png)$", f["src"]) for f in figures)


def _text_px_in(site: Path, relative: str, src: str, natural: float) -> float | None:
    """Smallest glyph of a figure file, in CSS pixels at its natural width."""
    path = (site / relative).parent / src
    if path.suffix == ".svg":
        return _svg_text_px(path, natural)[0]
    return png_smallest_text(path.read_bytes())


ZOOM_STATE = """() => {
  const dialog = document.querySelector('dialog.convbook-zoom');
  const picture = dialog && dialog.querySelector('img');
  return {
    open: Boolean(dialog && dialog.open),
    width: picture ? picture.getBoundingClientRect().width : 0,
    src: picture ? picture.getAttribute('src') : null,
    focusInside: Boolean(dialog && dialog.contains(document.activeElement)),
  };
}"""


def _zoom_state_when(page, opened: bool, timeout_ms: int = 2000) -> dict:
    """Return ZOOM_STATE once the dialog is open (or closed), or when time is up."""
    return page.evaluate(
        f"""async ([opened, timeout]) => {{
          const state = {ZOOM_STATE};
          const start = performance.now();
          while (state().open !== opened && performance.now() - start < timeout) {{
            await new Promise((done) => setTimeout(done, 16));
          }}
          return state();
        }}""",
        [opened, timeout_ms],
    )


BADGE = """() => {
  const button = document.querySelector('#fig-index-window .convbook-zoom-open');
  const badge = getComputedStyle(button, '::after');
  const box = button.getBoundingClientRect();
  return {content: badge.content, image: badge.backgroundImage,
          width: parseFloat(badge.width) || 0, top: parseFloat(badge.top),
          right: parseFloat(badge.right), button: box.width};
}"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_shrunk_figure_shows_that_it_opens(open_at, width: int) -> None:
    # On a phone a figure is shown smaller than it was drawn; a magnifier in
    # its corner tells a reader that a tap opens it. At desktop width the
    # figures are shown at their size, and no badge covers them.
    context, page = open_at("index.html", width)
    try:
        badge = page.evaluate(BADGE)
    finally:
        context.close()
    if width == PHONE:
        assert badge["content"] != "none", "no badge on a shrunk figure"
        assert "svg" in badge["image"], badge["image"]
        assert badge["width"] >= 20, f"a {badge['width']}px badge is hard to see"
        assert badge["top"] < 10, "the badge is not in the top corner"
        assert badge["right"] < 10, "the badge is not in the right corner"
    else:
        assert badge["content"] == "none", "a badge at desktop width"


@pytest.mark.parametrize("how", ["Enter", "Space", "mouse"])
def test_a_figure_opens_at_full_size_on_a_phone(
    open_at, site, save_screenshot, how: str
) -> None:
    context, page = open_at("index.html", PHONE, 667)
    try:
        button = page.locator("#fig-index-window .convbook-zoom-open")
        assert button.count() == 1, "the figure is not a button"
        image = button.locator("img")
        natural = image.evaluate("img => img.naturalWidth")
        shown = image.bounding_box()["width"]
        src = image.get_attribute("src")
        text_px = _text_px_in(site, "index.html", src, natural)
        assert text_px * shown / natural < MIN_TEXT_PX, "no need to enlarge?"
        if how == "mouse":
            button.click()
        else:
            button.focus()
            page.keyboard.press(how)
        page.wait_for_timeout(300)
        state = page.evaluate(ZOOM_STATE)
        assert state["open"], "the figure did not open"
        assert state["focusInside"], "focus did not move into the dialog"
        assert state["src"].endswith(src.split("/")[-1])
        on_screen = text_px * state["width"] / natural
        assert on_screen >= MIN_TEXT_PX - 0.05, f"text {on_screen:.1f} px opened"
        if how == "mouse":
            page.locator("dialog.convbook-zoom .convbook-zoom-close").click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        assert not page.evaluate(ZOOM_STATE)["open"], "the figure did not close"
        returned = page.evaluate(
            "() => document.activeElement.matches('#fig-index-window button')"
        )
        assert returned, "focus did not return to the figure"
    except AssertionError:
        save_screenshot(page, f"zoom-{how}-{PHONE}")
        raise
    finally:
        context.close()


@pytest.mark.parametrize("relative", PAGES)
def test_every_figure_opens_readable_on_a_phone(open_at, site, relative: str):
    context, page = open_at(relative, PHONE, 667)
    problems = []
    try:
        images = page.locator(".bd-article figure img")
        buttons = page.locator(".bd-article figure button.convbook-zoom-open img")
        assert buttons.count() == images.count(), "a figure is not a button"
        for k in range(buttons.count()):
            image = buttons.nth(k)
            natural = image.evaluate("img => img.naturalWidth")
            src = image.get_attribute("src")
            # Blocks near the figure are laid out as it comes on screen
            # (content-visibility) and may move it: let them settle first,
            # so that the click lands where the figure is.
            image.scroll_into_view_if_needed()
            page.wait_for_timeout(100)
            image.click()
            state = _zoom_state_when(page, opened=True)
            page.keyboard.press("Escape")
            _zoom_state_when(page, opened=False)
            text_px = _text_px_in(site, relative, src, natural)
            if not state["open"]:
                problems.append(f"{src}: did not open")
            elif text_px is not None and text_px * state["width"] / natural < (
                MIN_TEXT_PX - 0.05
            ):
                problems.append(
                    f"{src}: text {text_px * state['width'] / natural:.1f} px opened"
                )
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("width", "height"), [(DESKTOP, 800), (PHONE, 667)])
def test_answer_page_shows_its_key_figure_on_the_first_screen(
    open_at, save_screenshot, width: int, height: int
) -> None:
    context, page = open_at("index.html", width, height)
    try:
        box = page.locator("#fig-index-window img").bounding_box()
        visible = height - box["y"]
        assert visible >= 100, (
            f"the key figure starts {box['y']:.0f} px down a {height} px screen"
        )
    except AssertionError:
        save_screenshot(page, f"answer-first-screen-{width}")
        raise
    finally:
        context.close()
