"""The pages skip the theme's icon script and keep the theme's icons.

``book/_templates/static/webpack-macros.html`` overrides the theme's file of
the same name to drop ``fontawesome.js`` (the icons are drawn by the
theme's stylesheet with Font Awesome's web fonts instead), to link Sphinx's
``basic.css`` directly instead of through ``theme.css`` (whose only content
is an ``@import`` of it), and to resolve the colour theme before the page is
parsed. If the theme's file changes (a new theme version), the override must
be refreshed from it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "book" / "_templates" / "static" / "webpack-macros.html"
THEME = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme"
    / "pydata_sphinx_theme"
    / "static"
    / "webpack-macros.html"
)
DROPPED = re.compile(
    r"\s*<!-- So that users can add custom icons -->\n.*fontawesome\.js.*"
)
THEME_CSS = re.compile(
    r"<link href=\"\{\{ pathto\('_static/styles/theme\.css', 1\) \}\}[^>]*>"
)
BASIC_CSS = '<link href="{{ pathto(\'_static/basic.css\', 1) }}" rel="stylesheet" />'
# The script that resolves data-theme="auto" to "light" or "dark" as the
# theme's own script later does (its setTheme), before the stylesheets.
RESOLVE = re.compile(r"  <script>\n    \(\(\) => \{\n.*?\}\)\(\);\n  </script>\n", re.S)


def test_override_is_the_themes_file_with_the_documented_changes() -> None:
    ours = re.sub(r"^\{#-.*?-#\}\n", "", OURS.read_text(encoding="utf-8"), flags=re.S)
    theirs = THEME.read_text(encoding="utf-8")
    assert DROPPED.search(theirs), "the theme no longer loads fontawesome.js here"
    assert THEME_CSS.search(theirs), "the theme no longer links theme.css here"
    resolve = RESOLVE.search(ours)
    assert resolve, "the script resolving the colour theme is missing"
    ours = ours.replace(resolve.group(0), "", 1)
    expected = THEME_CSS.sub(BASIC_CSS, DROPPED.sub("", theirs))
    assert ours.rstrip("\n") == expected.rstrip("\n")
    assert "fontawesome" not in ours


def test_theme_css_only_imports_sphinx_basic_css() -> None:
    css = (THEME.parent / "styles" / "theme.css").read_text(encoding="utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S).split()
    assert rules == ["@import", '"../basic.css";']


def test_the_themes_stylesheet_draws_the_icons_with_web_fonts() -> None:
    css = (THEME.parent / "styles" / "pydata-sphinx-theme.css").read_text(
        encoding="utf-8"
    )
    for face in ("fa-solid-900.woff2", "fa-brands-400.woff2"):
        assert f"webfonts/{face}" in css, face
    for icon in ("fa-github", "fa-download", "fa-bars", "fa-magnifying-glass"):
        assert re.search(rf"\.{icon}[,{{]", css), icon
