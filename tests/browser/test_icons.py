"""Icons without the theme's icon script: each one drawn by a web font.

The pages no longer load the theme's ``fontawesome.js`` (see
``book/_templates/static/webpack-macros.html``); every icon in the header and
the sidebars must still show, as a Font Awesome glyph of non-zero size.
"""

from __future__ import annotations

import pytest

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
