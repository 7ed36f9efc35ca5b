"""One change to the theme's stylesheet, made in the built site: only the classes used.

pydata-sphinx-theme's stylesheet carries two large families of rules that
exist so that any name works in a page: Font Awesome's whole icon map, about
two thousand rules of the form ``.fa-sun{--fa:"\\f185"}`` (66 KB of its
368 KB), and Bootstrap's utility classes, about a thousand rules of the form
``.ms-3{margin-left:1rem!important}`` (53 KB). The site uses about twenty of
each. Every page's first style pass builds and matches those rule sets: on
the references chapter (little content, so mostly the theme) at 375 px with
the CPU slowed 4×, dropping the unused icon rules alone made the page ready
0.35 s sooner (2.06 → 1.71 s, medians of seven alternating loads).

So, when the book is built, the site's copy of the stylesheet keeps a rule
of either family only when one of its classes is a class of an element of
some page, or a word of a script that some page runs (inline, or a file of
the site); every other rule is kept as it is.
The installed package and the repository keep no copy of the stylesheet.
The source map comment is dropped (the map no longer matches). If a theme
upgrade changes the form of those rules, the build fails here (a Sphinx
extension error naming what was expected), and ``tests/test_theme_styles.py``
fails too; ``tests/browser/test_icons.py`` checks that every icon element
of every page, drawn or not, still has its glyph. See CONTRIBUTING.md, "What keeps pages fast".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from theme_scripts import theme_file

STYLESHEET = Path("_static") / "styles" / "pydata-sphinx-theme.css"

#: One rule of the icon map: a list of ``.fa-<name>`` selectors setting ``--fa``.
ICON_RULE = re.compile(
    r"(?<=[{}])(?P<selectors>\.fa-[\w-]+(?:,\.fa-[\w-]+)*)"
    r"\{--fa:(?:\"[^\"]*\"|'[^']*')\}"
)
#: One utility rule: a list of plain class selectors, every declaration
#: ``!important``.
UTILITY_RULE = re.compile(
    r"(?<=[{}])(?P<selectors>\.[\w-]+(?:,\.[\w-]+)*)"
    r"\{(?:[\w-]+:[^;{}!]*!important;?)+\}"
)
#: The families trimmed: (name, rule, fewest rules expected, an example).
FAMILIES = (
    ("icon", ICON_RULE, 1000, '.fa-sun{--fa:"\\f185"}'),
    ("utility", UTILITY_RULE, 500, ".ms-3{margin-left:1rem!important}"),
)
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")
#: What a page or script may name a class with.
NAME = re.compile(r"[\w-]+")


def class_names(texts: Iterable[str]) -> set[str]:
    """Return every word (letters, digits, ``_`` and ``-``) of the texts."""
    return {name for text in texts for name in NAME.findall(text)}


def used_rules_only(stylesheet: str, used: set[str]) -> str:
    """Return ``stylesheet`` without the icon and utility rules naming no ``used`` class.

    A rule is kept when any class of its selector list is in ``used``.
    Raises ``ValueError`` (saying what was expected) when the stylesheet
    holds too few rules of a family, e.g. after a theme upgrade that changed
    their form.
    """

    def keep(match: re.Match[str]) -> str:
        names = {selector[1:] for selector in match["selectors"].split(",")}
        return match.group(0) if names & used else ""

    for family, rule, fewest, example in FAMILIES:
        found = len(rule.findall(stylesheet))
        if found < fewest:
            raise ValueError(
                f"pydata-sphinx-theme.css: expected at least {fewest} {family} "
                f"rules like {example}, found {found}"
            )
        stylesheet = rule.sub(keep, stylesheet)
    return SOURCE_MAP.sub("", stylesheet)


def theme_stylesheet(app: Sphinx) -> Path:
    """Return the theme's own stylesheet, as installed (never edited)."""
    return theme_file(app, STYLESHEET, "theme_styles")


CLASS_ATTRIBUTE = re.compile(r"""\sclass=(?:"([^"]*)"|'([^']*)')""")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S)
SCRIPT_SOURCE = re.compile(r'<script[^>]*\ssrc="([^"?#]+)')


def page_class_names(page: str) -> set[str]:
    """Return the classes a page's elements carry or its inline scripts name."""
    names = set()
    for double, single in CLASS_ATTRIBUTE.findall(page):
        names.update((double or single).split())
    names |= class_names(INLINE_SCRIPT.findall(page))
    return names


def site_class_names(outdir: Path) -> set[str]:
    """Return the classes of the site's pages and the words of their scripts."""
    names: set[str] = set()
    scripts: set[Path] = set()
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        names |= page_class_names(text)
        for src in SCRIPT_SOURCE.findall(text):
            if "://" not in src:
                scripts.add((page.parent / src).resolve())
    texts = (
        path.read_text(encoding="utf-8") for path in sorted(scripts) if path.is_file()
    )
    return names | class_names(texts)


def trim_site(app: Sphinx, exception: Exception | None) -> None:
    """Write the site's copy of the theme's stylesheet with only the used rules.

    Done at the end of the build, after every page is written, from the
    installed original, so every build path writes the same bytes.
    """
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    stylesheet = theme_stylesheet(app).read_text(encoding="utf-8")
    try:
        trimmed = used_rules_only(stylesheet, site_class_names(outdir))
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
