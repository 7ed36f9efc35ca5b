"""Snippets under the search results, and chapters ranked above the API.

Sphinx's search page can show a few lines of each result's text, but only by
fetching every result's page, which a browser refuses for a site opened from
files. This extension writes the prose of every page once, after the build,
to ``_static/convbook-search-text.js`` (headings, paragraphs, list items and
captions; code and the typeset rendering of formulas are left out, a formula
keeps its TeX). ``search_scorer.js``, set as ``html_search_scorer`` so that
only the search page runs it, loads that file and writes a snippet around the
first query word under each page result (in its section when the result is
one); it also ranks chapters above
entries of the API reference.

Every build writes every page again, but most pages come out the same, so
the text of a page is kept in the build's cache folder (Sphinx's doctree
folder, never the site) under a hash of the page and of this file; a page
is parsed again only when it, or the way it is read, changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from sphinx.application import Sphinx

OUTPUT = "convbook-search-text.js"
#: Elements whose text a snippet may quote.
PROSE = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption"}
#: Elements whose text never belongs in a snippet.
SKIP = {"script", "style", "pre", "button", "svg", "template", "math"}


class _ProseText(HTMLParser):
    """Collect the prose inside ``<article class="bd-article">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, inside prose and kept)
        self.in_article = 0
        self.tex = False
        self.sections: dict[str, int] = {}  # section id -> where its text starts

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "hr", "input", "meta", "link", "wbr", "source"}:
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "article" and "bd-article" in classes:
            self.in_article += 1
        if tag == "section" and attributes.get("id") and self.in_article:
            self.sections[attributes["id"]] = len(self.text())
        keep = self.stack[-1][1] if self.stack else False
        if tag in PROSE:
            keep = True
        if tag in SKIP or "headerlink" in classes or "katex-html" in classes:
            keep = False
        if tag == "annotation" and attributes.get("encoding") == "application/x-tex":
            keep = True
            self.tex = True
        self.stack.append((tag, keep))

    def handle_endtag(self, tag):
        if all(name != tag for name, _ in self.stack):
            return  # a stray end tag closes nothing
        while self.stack:
            name, _ = self.stack.pop()
            if name == "annotation":
                self.tex = False
            if name == "article":
                self.in_article -= 1
            if name == tag:
                break
        if tag in PROSE:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.in_article and self.stack and self.stack[-1][1]:
            inside_math = any(name == "math" for name, _ in self.stack)
            if not inside_math or self.tex:
                self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()


def page_text(html: str) -> tuple[str, dict[str, int]]:
    """Return the prose of one built page and where each section's begins."""
    parser = _ProseText()
    parser.feed(html)
    parser.close()
    return parser.text(), parser.sections


#: The page texts of the last build, by hash (in Sphinx's doctree folder).
CACHE = "convbook-search-text-cache.json"
_READER = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _key(html: str) -> str:
    return hashlib.sha256(f"{_READER}\n{html}".encode()).hexdigest()


def cached_page_texts(pages: dict[str, str], cache: Path) -> dict:
    """Return :func:`page_text` of every page, reusing ``cache``'s entries.

    ``pages`` maps a document name to its HTML. ``cache`` is rewritten to
    hold exactly the entries of these pages; a missing or unreadable cache
    only costs time.
    """
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    texts, kept = {}, {}
    for docname, html in pages.items():
        key = _key(html)
        entry = known.get(key)
        if not (isinstance(entry, list) and len(entry) == 2):
            text, sections = page_text(html)
            entry = [text, sections]
        texts[docname] = (entry[0], entry[1])
        kept[key] = entry
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f"{cache.name}.{os.getpid()}")
    partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    partial.replace(cache)
    return texts


def _write(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.builder.outdir)
    pages = {}
    for docname in sorted(app.env.found_docs):
        page = outdir / f"{docname}.html"
        if page.is_file():
            pages[docname] = page.read_text(encoding="utf-8")
    texts = cached_page_texts(pages, Path(app.doctreedir) / CACHE)
    data = json.dumps(texts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    target = outdir / "_static" / OUTPUT
    target.write_text(f"window.CONVBOOK_PAGE_TEXT = {data};\n", encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
