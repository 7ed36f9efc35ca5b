"""Serve the interactive figures' script and styles on the pages that use them.

A chapter shows a widget by displaying one of :mod:`convbook.widgets`'s
objects; its markup carries a ``data-widget`` attribute. This extension adds
``convbook-widgets.js`` and ``convbook-widgets.css`` (both in ``_static``,
written by the project, no third-party code) to exactly those pages, so the
other pages load nothing extra.

It also marks every section that holds a widget with the class
``convbook-widget-section``: convbook.css lets the browser skip laying out
a section far below the screen, but never one holding a widget (its
controls change what it shows at once, and a skipped section would read as
empty until its next frame). Marking them when the book is built costs the
reader's browser nothing; the same test in the stylesheet (``:has()``)
made it restyle every section again and again while a long chapter arrived.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

SCRIPT = "convbook-widgets.js"
STYLES = "convbook-widgets.css"
SECTION_CLASS = "convbook-widget-section"


def _add_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if doctree is None or "data-widget=" not in context.get("body", ""):
        return
    app.add_js_file(SCRIPT, defer="defer")
    app.add_css_file(STYLES)


def _mark_sections(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in doctree.findall(nodes.raw):
        if "data-widget=" not in raw.astext():
            continue
        parent = raw.parent
        while parent is not None:
            if (
                isinstance(parent, nodes.section)
                and SECTION_CLASS not in parent["classes"]
            ):
                parent["classes"].append(SECTION_CLASS)
            parent = parent.parent


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", _mark_sections)
    app.connect("html-page-context", _add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
