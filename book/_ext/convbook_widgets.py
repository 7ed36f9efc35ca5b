"""Serve the interactive figures' script and styles on the pages that use them.

A chapter shows a widget by displaying one of :mod:`convbook.widgets`'s
objects; its markup carries a ``data-widget`` attribute. This extension adds
``convbook-widgets.js`` and ``convbook-widgets.css`` (both in ``_static``,
written by the project, no third-party code) to exactly those pages, so the
other pages load nothing extra.
"""

from __future__ import annotations

from sphinx.application import Sphinx

SCRIPT = "convbook-widgets.js"
STYLES = "convbook-widgets.css"


def _add_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None or "data-widget=" not in context.get("body", ""):
        return
    app.add_js_file(SCRIPT, defer="defer")
    app.add_css_file(STYLES)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
