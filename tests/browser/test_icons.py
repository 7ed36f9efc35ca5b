"""Icons without the theme's icon script: each one drawn by a web font.

The pages no longer load the theme's ``fontawesome.js`` (see
``book/_templates/static/webpack-macros.html``); every icon in the header and
the sidebars must still show, as a Font Awesome glyph of non-zero size. The
site's copy of the theme's stylesheet maps only the icons that the site uses
(``book/_ext/theme_styles.py``); every icon element of every page, drawn or
not, must keep its glyph.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_pages import site_pages

pytestmark = pytest.mark.browser

ICONS = """async () => {
  await document.fonts.ready;
  const icons = [...document.querySelectorAll('i[class*="fa-"]')]
    .filter(i => i.getClientRects().length > 0);
  return {
    scripts: [...document.scripts].map(s => s.src)
               .filter(src => src.includes('fontawesome')),
    icons: icons.length,
    blank: icons.filter(i => {
      const before = getComputedStyle(i, '::before');
      const box = i.getBoundingClientRect();
      return !before.fontFamily.includes('Font Awesome')
        || before.content === 'none' || box.width === 0 || box.height === 0;
    }).map(i => i.className),
    fonts: [...document.fonts].filter(f => f.family.includes('Font Awesome')
                                           && f.status === 'loaded').length,
  };
}"""


@pytest.mark.parametrize("width", [375, 1280])
def test_every_icon_shows_without_the_icon_script(
    browser, site, save_screenshot, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto((site / "second-layer.html").as_uri(), wait_until="load")
        report = page.evaluate(ICONS)
        assert report["scripts"] == [], report
        assert report["icons"] >= 4, report
        assert report["blank"] == [], report
        assert report["fonts"] >= 1, report
    except AssertionError:
        save_screenshot(page, f"icons-{width}")
        raise
    finally:
        context.close()


# Every icon element, drawn or not (a light-mode page hides the moon): its
# icon class must still set the glyph (``--fa``) in the site's stylesheet,
# which keeps only the icons the site uses (book/_ext/theme_styles.py).
UNMAPPED = """() => [
  ...document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')]
  .filter(i => getComputedStyle(i).getPropertyValue('--fa').trim() === '')
  .map(i => i.className)"""


def test_every_icon_of_every_page_keeps_its_glyph(browser, site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    unmapped = {}
    try:
        for name in site_pages():
            page.goto((site / name).as_uri(), wait_until="domcontentloaded")
            # the theme's script adds icons (the close button of its banner)
            missing = page.evaluate(UNMAPPED)
            if missing:
                unmapped[name] = missing
    finally:
        context.close()
    assert unmapped == {}
