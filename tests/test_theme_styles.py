"""The theme's stylesheet, as the site serves it, maps only the icons used.

``book/_ext/theme_styles.py`` drops from the site's copy of
pydata-sphinx-theme's stylesheet the Font Awesome icon rules
(``.fa-sun{--fa:"\\f185"}``) that no page or page script names. These tests
run it on the installed theme, so a theme upgrade that changes those rules
fails here, not only in the build.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pydata_sphinx_theme
import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALLED = (
    Path(pydata_sphinx_theme.__file__).parent
    / "theme"
    / "pydata_sphinx_theme"
    / "static"
    / "styles"
    / "pydata-sphinx-theme.css"
)


def _load():
    spec = importlib.util.spec_from_file_location(
        "theme_styles", ROOT / "book" / "_ext" / "theme_styles.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


theme_styles = _load()
STYLESHEET = INSTALLED.read_text(encoding="utf-8")


def _mapped(stylesheet: str) -> set[str]:
    return {
        name[1:]
        for match in theme_styles.ICON_RULE.finditer(stylesheet)
        for name in match["selectors"].split(",")
    }


def test_the_installed_theme_maps_every_icon_in_its_stylesheet() -> None:
    assert len(theme_styles.ICON_RULE.findall(STYLESHEET)) >= 1000
    assert {"fa-sun", "fa-moon", "fa-bars", "fa-xmark"} <= _mapped(STYLESHEET)


def test_only_the_rules_of_unused_icons_are_dropped() -> None:
    used = theme_styles.icon_names(
        ['<i class="fa-solid fa-sun"></i>', 'e.classList="fa-solid fa-level-down"']
    )
    trimmed = theme_styles.used_icons_only(STYLESHEET, used)
    # an alias keeps its rule, with every name of it
    assert _mapped(trimmed) == {"fa-sun", "fa-level-down", "fa-arrow-turn-down"}
    assert "sourceMappingURL" not in trimmed
    # everything else is the original, in order
    rest = theme_styles.ICON_RULE.sub("", STYLESHEET)
    assert theme_styles.ICON_RULE.sub("", trimmed) == theme_styles.SOURCE_MAP.sub(
        "", rest
    )
    assert len(trimmed) < len(STYLESHEET) - 60_000


def test_a_stylesheet_of_another_form_is_refused() -> None:
    changed = re.sub(r"\{--fa:", "{--fa-glyph:", STYLESHEET)
    message = (
        "pydata-sphinx-theme.css: expected at least 1000 icon rules like "
        '.fa-sun{--fa:"\\f185"}, found 0'
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        theme_styles.used_icons_only(changed, {"fa-sun"})


def test_icon_names_are_read_from_pages_and_scripts() -> None:
    texts = ['<i class="fa-brands fa-github">', "x.className = 'fa-solid fa-xmark'"]
    assert theme_styles.icon_names(texts) == {
        "fa-brands",
        "fa-github",
        "fa-solid",
        "fa-xmark",
    }
