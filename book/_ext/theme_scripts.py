"""One change to the theme's script, made in the built site: no eager tab stops.

pydata-sphinx-theme's script gives every code block, cell output and table
box that scrolls a tab stop. It does so when the page has loaded (a ``load``
handler) by reading ``scrollWidth`` and ``clientWidth`` of every such box on
the page at once, which lays out every code cell of the chapter, including
those far below the screen that ``convbook.css`` lets the browser skip
(``content-visibility``): on a long chapter that one handler was the largest
single piece of work before the page was ready. ``convbook-page.js`` gives
the same boxes their tab stops instead, as they come near the screen and the
rest while the browser is idle (and all of them before a Tab key moves focus).

So the theme's call of that function is taken out of the copy of its script
that the site serves, when the book is built; the installed package and the
repository keep no copy of it. The function itself stays, uncalled. If a
theme upgrade changes that call, the build fails here (a Sphinx extension
error naming what was expected), and ``tests/test_theme_scripts.py`` fails
too: read the new script and bring this and ``convbook-page.js`` up to date.
See CONTRIBUTING.md, "What keeps pages fast".
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

SCRIPT = Path("_static") / "scripts" / "pydata-sphinx-theme.js"

# The minified function (any name) that sets every box's tabIndex from its
# measured overflow, and the statement that runs it when the page has loaded.
TAB_STOPS = re.compile(
    r"function (?P<name>[\w$]+)\(\)\{const [\w$]+=\(\)=>\{document\.querySelectorAll\("
    r"\[\"pre\",[^\]]*\]\.join\(\", \"\)\)\.forEach\([\w$]+=>\{[\w$]+\.tabIndex="
    r"[\w$]+\.scrollWidth>[\w$]+\.clientWidth"
)
CALL = (
    '"complete"===document.readyState?{name}():window.addEventListener("load",{name})'
)
# What the call becomes: the expression it was, now doing nothing.
REPLACEMENT = "void 0"


def without_tab_stops(script: str) -> str:
    """Return the theme's script without its call of the tab-stop function.

    Raises ``ValueError`` (naming what is missing) when the script does not
    hold that function and that call exactly once each, e.g. after a theme
    upgrade.
    """
    functions = list(TAB_STOPS.finditer(script))
    if len(functions) != 1:
        raise ValueError(
            f"pydata-sphinx-theme.js: expected one function that sets the "
            f"tab stops of code blocks from scrollWidth, found {len(functions)}"
        )
    call = CALL.format(name=functions[0].group("name"))
    if script.count(call) != 1:
        raise ValueError(
            f"pydata-sphinx-theme.js: expected the call {call!r} once, found "
            f"it {script.count(call)} times"
        )
    return script.replace(call, REPLACEMENT)


def theme_file(app: Sphinx, path: Path, extension: str) -> Path:
    """Return the theme's own ``_static/…`` file ``path``, as installed (never edited).

    ``extension`` names the caller in the error raised when no theme folder
    holds it.
    """
    inside = path.relative_to("_static")
    for folder in app.builder.theme.get_theme_dirs():
        found = Path(folder) / "static" / inside
        if found.is_file():
            return found
    raise ExtensionError(f"{extension}: no theme folder holds static/{inside}")


def theme_script(app: Sphinx) -> Path:
    """Return the theme's own script, as installed (never edited)."""
    return theme_file(app, SCRIPT, "theme_scripts")


def patch_site(app: Sphinx, exception: Exception | None) -> None:
    """Write the site's copy of the theme's script, without the eager call.

    Done at the end of the build, after Sphinx has copied the theme's files,
    from the installed original, so every build path writes the same bytes.
    """
    if exception is not None or app.builder.format != "html":
        return
    script = theme_script(app).read_text(encoding="utf-8")
    try:
        patched = without_tab_stops(script)
    except ValueError as error:
        raise ExtensionError(
            f"theme_scripts: {error}; see book/_ext/theme_scripts.py"
        ) from None
    target = Path(app.outdir) / SCRIPT
    if not target.is_file() or target.read_text(encoding="utf-8") != patched:
        target.write_text(patched, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("build-finished", patch_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
