"""Bibliography labels that match the citations, with current ARIA roles.

- The text cites by author and year ("Dumoulin and Visin, 2016"), so the
  reference list labels its entries the same way, sorted by first author:
  the ``convbook`` pybtex style (``bibtex_default_style``).
- docutils marks each citation ``role="doc-biblioentry"``, a role ARIA 1.3
  deprecates, inside a ``role="list"`` that then has no list items; each
  entry becomes a ``listitem``.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle

NO_BRACES = str.maketrans("", "", "{}")


class AuthorYearLabels(BaseLabelStyle):
    """Labels such as "Dumoulin & Visin 2016" or "He et al. 2016"."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            # A group written as one name ("{oneDNN contributors}") keeps
            # its BibTeX braces in last_names; the label shows none.
            names = [" ".join(p.last_names).translate(NO_BRACES) for p in people]
            if len(names) > 2:
                who = f"{names[0]} et al."
            elif names:
                who = " & ".join(names)
            else:
                who = entry.key
            yield f"{who} {entry.fields.get('year', '')}".strip()


class AuthorYearStyle(PlainStyle):
    """pybtex's plain style (sorted by author) with author-year labels."""

    default_label_style = AuthorYearLabels


def _roles(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    register_plugin("pybtex.style.labels", "convbook_author_year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "convbook", AuthorYearStyle)
    app.connect("html-page-context", _roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
