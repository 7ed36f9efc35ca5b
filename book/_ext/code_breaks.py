"""Let inline code wrap between the parts of a name, never inside a word.

A long name such as ``lax.conv_general_dilated`` has to wrap somewhere on a
phone. The stylesheet only lets a browser break inside a word when nothing
else fits (``overflow-wrap: break-word``); this extension gives it better
places first: a ``<wbr>`` after each ``.``, ``_``, ``(``, ``,``, ``=`` and ``/``
inside inline code (``<code class="... literal ...">``) of every page.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx

CODE = re.compile(r'(<code class="[^"]*\bliteral\b[^"]*">)(.*?)(</code>)', re.S)
TAG = re.compile(r"(<[^>]+>)")
AFTER = re.compile(r"([._(,=/])(?=\w)")


def add_breaks(html: str) -> str:
    """Return ``html`` with break opportunities inside its inline code."""

    def code(match: re.Match) -> str:
        parts = TAG.split(match.group(2))
        for i in range(0, len(parts), 2):  # text between the tags
            parts[i] = AFTER.sub(r"\1<wbr>", parts[i])
        return match.group(1) + "".join(parts) + match.group(3)

    return CODE.sub(code, html)


def _page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and "literal" in body:
        context["body"] = add_breaks(body)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
