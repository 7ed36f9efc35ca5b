"""The pages skip the theme's icon script and keep the theme's icons.

``book/_templates/static/webpack-macros.html`` overrides the theme's file of
the same name only to drop ``fontawesome.js``; the icons are drawn by the
theme's stylesheet with Font Awesome's web fonts instead. If the theme's file
changes (a new theme version), the override must be refreshed from it.
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


def test_override_is_the_themes_file_without_the_icon_script() -> None:
    ours = re.sub(r"^\{#-.*?-#\}\n", "", OURS.read_text(encoding="utf-8"), flags=re.S)
    theirs = THEME.read_text(encoding="utf-8")
    assert DROPPED.search(theirs), "the theme no longer loads fontawesome.js here"
    assert ours.rstrip("\n") == DROPPED.sub("", theirs).rstrip("\n")
    assert "fontawesome" not in ours


def test_the_themes_stylesheet_draws_the_icons_with_web_fonts() -> None:
    css = (THEME.parent / "styles" / "pydata-sphinx-theme.css").read_text(
        encoding="utf-8"
    )
    for face in ("fa-solid-900.woff2", "fa-brands-400.woff2"):
        assert f"webfonts/{face}" in css, face
    for icon in ("fa-github", "fa-download", "fa-bars", "fa-magnifying-glass"):
        assert re.search(rf"\.{icon}[,{{]", css), icon
