"""The theme's script, as the site serves it, measures no code block on load.

``book/_ext/theme_scripts.py`` takes pydata-sphinx-theme's call of its
tab-stop function (which measures every code block of the page when it has
loaded) out of the copy of the script in the built site; ``convbook-page.js``
gives those boxes their tab stops as the reader gets near them. These tests
run the change on the installed theme, so a theme upgrade that moves the
call fails here, not only in the build.
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
    / "scripts"
    / "pydata-sphinx-theme.js"
)


def _load():
    spec = importlib.util.spec_from_file_location(
        "theme_scripts", ROOT / "book" / "_ext" / "theme_scripts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


theme_scripts = _load()


def test_the_installed_theme_calls_its_tab_stop_function_on_load() -> None:
    script = INSTALLED.read_text(encoding="utf-8")
    function = theme_scripts.TAB_STOPS.search(script)
    assert function, "the theme's tab-stop function is not where it was"
    name = function.group("name")
    assert f'window.addEventListener("load",{name})' in script


def test_only_that_call_is_taken_out() -> None:
    script = INSTALLED.read_text(encoding="utf-8")
    patched = theme_scripts.without_tab_stops(script)
    name = theme_scripts.TAB_STOPS.search(patched).group("name")
    assert f'window.addEventListener("load",{name})' not in patched
    # Nothing else calls it, and nothing else changed.
    assert not re.search(rf"[^\w$.]{re.escape(name)}\(\)(?!\{{)", patched)
    call = theme_scripts.CALL.format(name=name)
    assert patched == script.replace(call, theme_scripts.REPLACEMENT)


def test_a_script_without_the_call_is_refused() -> None:
    script = INSTALLED.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="expected the call"):
        theme_scripts.without_tab_stops(theme_scripts.without_tab_stops(script))
    with pytest.raises(ValueError, match="found 0"):
        theme_scripts.without_tab_stops("(()=>{})();")


def test_the_page_script_takes_over_the_same_boxes() -> None:
    script = INSTALLED.read_text(encoding="utf-8")
    theirs = re.search(
        r"document\.querySelectorAll\(\[(?P<list>\"pre\",[^\]]*)\]", script
    )
    assert theirs
    boxes = set(re.findall(r'"([^"]+)"', theirs.group("list")))
    page = (ROOT / "book" / "_static" / "convbook-page.js").read_text(encoding="utf-8")
    ours = re.search(r"const THEME_BOXES = \[(?P<list>[^\]]*)\]", page)
    assert ours
    # The table box is among convbook-page.js's own scrolling boxes.
    assert boxes - {".pst-scrollable-table-container"} == set(
        re.findall(r'"([^"]+)"', ours.group("list"))
    )
    assert ".bd-article .pst-scrollable-table-container" in page
