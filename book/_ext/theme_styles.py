"""One change to the theme's stylesheet, made in the built site: only the icons used.

pydata-sphinx-theme's stylesheet carries Font Awesome's whole icon map, about
two thousand rules of the form ``.fa-sun{--fa:"\\f185"}`` (66 KB of its
368 KB), so that any icon's name works in a page. The site shows about
twenty. Every page's first style pass builds and matches that rule set: on
the theme-only ``404.html`` at 375 px with the CPU slowed 4×, dropping the
unused rules made the page ready 0.17 s sooner (1.57 → 1.40 s, medians of
eight alternating loads).

So, when the book is built, the site's copy of the stylesheet keeps an icon
rule only when one of its names appears in a page of the site or in a
script that a page loads; every other rule is kept as it is. The installed
package and the repository keep no copy of the stylesheet. The source map
comment is dropped (the map no longer matches). If a theme upgrade changes
the form of those rules, the build fails here (a Sphinx extension error
naming what was expected), and ``tests/test_theme_styles.py`` fails too;
``tests/browser/test_icons.py`` checks that every icon on the pages still
has its glyph. See CONTRIBUTING.md, "What keeps pages fast".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

STYLESHEET = Path("_static") / "styles" / "pydata-sphinx-theme.css"

#: One rule of the icon map: a list of ``.fa-<name>`` selectors setting ``--fa``.
ICON_RULE = re.compile(
    r"(?P<selectors>\.fa-[\w-]+(?:,\.fa-[\w-]+)*)\{--fa:(?:\"[^\"]*\"|'[^']*')\}"
)
#: A theme whose stylesheet holds fewer icon rules has changed their form.
MIN_ICON_RULES = 1000
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")
#: What a page or script may name an icon with.
ICON_NAME = re.compile(r"fa-[\w-]+")


def icon_names(texts: Iterable[str]) -> set[str]:
    """Return every ``fa-…`` class name that the texts mention."""
    return {name for text in texts for name in ICON_NAME.findall(text)}


def used_icons_only(stylesheet: str, used: set[str]) -> str:
    """Return ``stylesheet`` with the icon rules that name no ``used`` icon removed.

    Raises ``ValueError`` (saying what was expected) when the stylesheet
    holds fewer than ``MIN_ICON_RULES`` icon rules, e.g. after a theme
    upgrade that changed their form.
    """
    rules = ICON_RULE.findall(stylesheet)
    if len(rules) < MIN_ICON_RULES:
        raise ValueError(
            f"pydata-sphinx-theme.css: expected at least {MIN_ICON_RULES} icon "
            f'rules like .fa-sun{{--fa:"\\f185"}}, found {len(rules)}'
        )

    def keep(match: re.Match[str]) -> str:
        names = {selector[1:] for selector in match["selectors"].split(",")}
        return match.group(0) if names & used else ""

    return SOURCE_MAP.sub("", ICON_RULE.sub(keep, stylesheet))


def theme_stylesheet(app: Sphinx) -> Path:
    """Return the theme's own stylesheet, as installed (never edited)."""
    for folder in app.builder.theme.get_theme_dirs():
        path = Path(folder) / "static" / STYLESHEET.relative_to("_static")
        if path.is_file():
            return path
    raise ExtensionError(
        f"theme_styles: no theme folder holds "
        f"static/{STYLESHEET.relative_to('_static')}"
    )


def _site_texts(outdir: Path) -> Iterable[str]:
    """The site's pages, and the local scripts that any page loads."""
    scripts: set[Path] = set()
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        yield text
        for src in re.findall(r'<script[^>]*\ssrc="([^"?#]+)', text):
            if "://" not in src:
                scripts.add((page.parent / src).resolve())
    for script in sorted(scripts):
        if script.is_file():
            yield script.read_text(encoding="utf-8")


def trim_site(app: Sphinx, exception: Exception | None) -> None:
    """Write the site's copy of the theme's stylesheet with only the used icons.

    Done at the end of the build, after every page is written, from the
    installed original, so every build path writes the same bytes.
    """
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    stylesheet = theme_stylesheet(app).read_text(encoding="utf-8")
    try:
        trimmed = used_icons_only(stylesheet, icon_names(_site_texts(outdir)))
    except ValueError as error:
        raise ExtensionError(
            f"theme_styles: {error}; see book/_ext/theme_styles.py"
        ) from None
    target = outdir / STYLESHEET
    if not target.is_file() or target.read_text(encoding="utf-8") != trimmed:
        target.write_text(trimmed, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    # after the other writers of the site's pages and scripts
    app.connect("build-finished", trim_site, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
