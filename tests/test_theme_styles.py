"""The theme's stylesheet, as the site serves it, keeps only the classes used.

``book/_ext/theme_styles.py`` drops from the site's copy of
pydata-sphinx-theme's stylesheet the Font Awesome icon rules
(``.fa-sun{--fa:"\\f185"}``) and Bootstrap's utility rules
(``.ms-3{margin-left:1rem!important}``) that no page or page script names.
These tests run it on the installed theme, so a theme upgrade that changes
those rules fails here, not only in the build.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pydata_sphinx_theme
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

import theme_styles

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
THEME_STATIC = THEME / "static"
INSTALLED = THEME_STATIC / theme_styles.STYLESHEET.relative_to("_static")
STYLESHEET = INSTALLED.read_text(encoding="utf-8")


def _selectors(rule, stylesheet: str) -> set[str]:
    return {
        name[1:]
        for match in rule.finditer(stylesheet)
        for name in match["selectors"].split(",")
    }


def test_the_installed_theme_holds_both_families_of_rules() -> None:
    icons = theme_styles.ICON_RULE
    utilities = theme_styles.UTILITY_RULE
    assert len(icons.findall(STYLESHEET)) >= 1000
    assert len(utilities.findall(STYLESHEET)) >= 500
    assert {"fa-sun", "fa-moon", "fa-bars", "fa-xmark"} <= _selectors(icons, STYLESHEET)
    assert {"d-none", "ms-3", "text-center"} <= _selectors(utilities, STYLESHEET)


def test_only_the_rules_of_unused_classes_are_dropped() -> None:
    used = {"fa-sun", "fa-level-down", "ms-3", "d-print-none"}
    trimmed = theme_styles.used_rules_only(STYLESHEET, used)
    # an alias keeps its rule, with every name of it
    assert _selectors(theme_styles.ICON_RULE, trimmed) == {
        "fa-sun",
        "fa-level-down",
        "fa-arrow-turn-down",
    }
    # d-print-none's rule sits inside @media print, which stays
    assert _selectors(theme_styles.UTILITY_RULE, trimmed) == {"ms-3", "d-print-none"}
    assert "@media print{.d-print-none{display:none!important}}" in trimmed
    assert "sourceMappingURL" not in trimmed
    # everything else is the original, in order
    rest = STYLESHEET
    for rule in (theme_styles.ICON_RULE, theme_styles.UTILITY_RULE):
        rest, trimmed = rule.sub("", rest), rule.sub("", trimmed)
    assert trimmed == theme_styles.SOURCE_MAP.sub("", rest)


def test_a_rule_inside_a_longer_selector_is_never_cut() -> None:
    sheet = '.a .fa-sun{--fa:"x"}.b .ms-3{margin:0!important}'
    assert theme_styles.ICON_RULE.findall(sheet) == []
    assert theme_styles.UTILITY_RULE.findall(sheet) == []


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (
            (r"\{--fa:", "{--fa-glyph:"),
            'expected at least 1000 icon rules like .fa-sun{--fa:"\\f185"}, found 0',
        ),
        (
            (r"!important", " !IMPORTANT"),
            "expected at least 500 utility rules like "
            ".ms-3{margin-left:1rem!important}, found 0",
        ),
    ],
)
def test_a_stylesheet_of_another_form_is_refused(replace, message) -> None:
    changed = re.sub(*replace, STYLESHEET)
    message = f"pydata-sphinx-theme.css: {message}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        theme_styles.used_rules_only(changed, {"fa-sun"})


def test_class_names_come_from_class_attributes_and_scripts() -> None:
    page = (
        "<p class=\"ms-3  text-center\">border</p><i class='fa-solid fa-sun'></i>"
        '<script src="x.js"></script><script>e.classList.add("d-none")</script>'
    )
    assert theme_styles.page_class_names(page) == {
        "ms-3",
        "text-center",
        "fa-solid",
        "fa-sun",
        "e",
        "classList",
        "add",
        "d-none",
    }
    script = "x.className = 'fa-solid fa-xmark'"
    assert theme_styles.class_names([script]) == {
        "x",
        "className",
        "fa-solid",
        "fa-xmark",
    }
