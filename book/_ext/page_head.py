"""What every page's head carries besides the theme's: link previews, icon.

* **Descriptions for link previews that read as text, not as TeX.**
  sphinxext-opengraph writes each page's ``og:description`` (and the
  ``description`` meta tag) from the first words of the page, taking every
  leaf of the document on its own: inline math comes out as raw TeX
  (``O^{(2)}``) and a link followed by a parenthesis loses the space between
  them. :func:`rewrite_descriptions` computes the description again, after
  opengraph, from the paragraphs as a reader sees them, with math turned
  into plain Unicode (:func:`tex_to_text`: ``O⁽²⁾``, ``K₁ × K₁``).
* **Scripts that never hold up the page.** Sphinx and its extensions put
  their scripts in the head as blocking ``<script src>`` tags: the browser
  stops reading the page until each has arrived and run, although every one
  of them waits for the page anyway (``DOMContentLoaded``).
  :func:`defer_scripts` marks them ``defer``: they still run in the same
  order, before ``DOMContentLoaded``. ``documentation_options.js`` stays as
  it is, since the inline scripts after it write into what it defines, and
  so does the search page, whose own blocking search scripts need Sphinx's
  ``doctools.js`` to have run.
* **The book's icon** (``book/_static/favicon.svg``, drawn for the book),
  inlined as a ``data:`` address: browsers then ask the host for no
  ``/favicon.ico`` (which a site under a prefix does not have) and make no
  request of their own that leaving the page could cut short.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinxext.opengraph._description_parser import get_description

_SUPERSCRIPT = dict(
    zip("0123456789+-=()nijklmx", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏˡᵐˣ", strict=True)
)
_SUBSCRIPT = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvx",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ",
        strict=True,
    )
)
_SYMBOLS = {
    "times": " × ",
    "cdot": " · ",
    "cdots": "⋯",
    "ldots": "…",
    "dots": "…",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "sum": "∑",
    "prod": "∏",
    "in": "∈",
    "to": "→",
    "mapsto": "↦",
    "infty": "∞",
    "star": "⋆",
    "ast": "∗",
    "circ": "∘",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "partial": "∂",
    "nabla": "∇",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "Delta": "Δ",
    "epsilon": "ε",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "sigma": "σ",
    "Sigma": "Σ",
    "pi": "π",
    "phi": "φ",
    "top": "ᵀ",
    "quad": " ",
    "qquad": " ",
}
_DROPPED = {"left", "right", "big", "Big", "bigl", "bigr", "displaystyle", "limits"}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "{": "{", "}": "}"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|([^\\{}^_\s]+)")


def _group(tokens: list[tuple[str, str]], at: int) -> tuple[str, int]:
    """Read one argument: a braced group or a single token; return its text."""
    if at >= len(tokens):
        return "", at
    kind, value = tokens[at]
    if kind == "brace" and value == "{":
        depth, end = 1, at + 1
        while end < len(tokens) and depth:
            if tokens[end] == ("brace", "{"):
                depth += 1
            elif tokens[end] == ("brace", "}"):
                depth -= 1
            end += 1
        return _render(tokens[at + 1 : end - 1]), end
    if kind == "text" and len(value) > 1:  # x^ab means x^a b
        tokens[at : at + 1] = [("text", value[0]), ("text", value[1:])]
    return _render(tokens[at : at + 1]), at + 1


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return mark + (text if len(text) == 1 else f"({text})")


def _render(tokens: list[tuple[str, str]]) -> str:
    out: list[str] = []
    at = 0
    while at < len(tokens):
        kind, value = tokens[at]
        at += 1
        if kind == "command":
            if value in ("frac", "dfrac", "tfrac"):
                top, at = _group(tokens, at)
                bottom, at = _group(tokens, at)
                top = top if len(top) == 1 else f"({top})"
                bottom = bottom if len(bottom) == 1 else f"({bottom})"
                out.append(f"{top}/{bottom}")
            elif value in _SYMBOLS:
                out.append(_SYMBOLS[value])
            elif value in _SPACES:
                out.append(_SPACES[value])
            elif value in _DROPPED:
                continue
            elif len(value) == 1:  # \{, \%, \_ ...
                out.append(value)
            else:  # \mathrm{x}, \text{x}, \operatorname{x}, \boldsymbol{x}
                continue
        elif kind == "brace":
            continue
        elif kind == "script":
            argument, at = _group(tokens, at)
            if value == "^":
                out.append(_script(argument, _SUPERSCRIPT, "^"))
            else:
                out.append(_script(argument, _SUBSCRIPT, "_"))
        elif kind == "space":
            out.append(" ")
        else:
            out.append(value)
    return re.sub(r" {2,}", " ", "".join(out))


def tex_to_text(tex: str) -> str:
    """Turn inline TeX into plain text with Unicode sub- and superscripts.

    >>> tex_to_text(r"O^{(2)}_{i,j} = \\sum_{c} K_1 \\times K_1")
    'O⁽²⁾_(i,j) = ∑_c K₁ × K₁'
    """
    tokens: list[tuple[str, str]] = []
    for command, special, space, text in _TOKEN.findall(tex):
        if command:
            tokens.append(("command", command))
        elif special in "{}" and special:
            tokens.append(("brace", special))
        elif special:
            tokens.append(("script", special))
        elif space:
            tokens.append(("space", space))
        else:
            tokens.append(("text", text))
    return _render(tokens).strip()


def _plain(node: nodes.Node) -> str:
    """The text of an inline node as a reader sees it (math as Unicode)."""
    if isinstance(node, nodes.math):
        return tex_to_text(node.astext())
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, (nodes.raw, nodes.Invisible)):
        return ""
    return "".join(_plain(child) for child in node.children)


def page_description(doctree: nodes.document, length: int, titles: set[str]) -> str:
    """Describe a page from its first paragraphs, as plain text."""
    document = doctree.deepcopy()
    for paragraph in list(document.findall(nodes.paragraph)):
        text = " ".join(_plain(paragraph).split())
        paragraph.children = []
        paragraph += nodes.Text(text)
    for math_block in list(document.findall(nodes.math_block)):
        math_block.parent.remove(math_block)
    return get_description(document, length, titles)


_TAGS = re.compile(
    r'(<meta (?:property="og:description"|name="description") content=")[^"]*(")'
)


def rewrite_descriptions(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Replace the description opengraph wrote for this page with plain text."""
    if doctree is None or "metatags" not in context:
        return
    title = context.get("title") or ""
    titles = {title, re.sub(r"<[^>]+>", "", html.unescape(title))}
    text = page_description(doctree, app.config.ogp_description_length, titles)
    context["metatags"] = _TAGS.sub(
        lambda m: m.group(1) + text + m.group(2), context["metatags"]
    )


# Read by inline scripts in the head as it is parsed, so it must run at once.
RUN_AT_ONCE = ("documentation_options.js",)


def defer_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Load every script file of the page with ``defer`` (see above)."""
    from sphinx.builders.html._assets import _JavaScript

    if pagename == "search":
        return

    scripts = []
    for script in context.get("script_files", []):
        name = str(getattr(script, "filename", "") or "")
        attributes = dict(getattr(script, "attributes", {}))
        if (
            name
            and "async" not in attributes
            and "defer" not in attributes
            and not name.endswith(RUN_AT_ONCE)
            and not name.startswith(("http:", "https:", "//"))
        ):
            attributes["defer"] = "defer"
            script = _JavaScript(name, priority=script.priority, **attributes)
        scripts.append(script)
    context["script_files"] = scripts


ICON = Path(__file__).resolve().parents[1] / "_static" / "favicon.svg"


def icon_link() -> str:
    """Return the ``<link rel="icon">`` tag with the icon inlined."""
    data = base64.b64encode(ICON.read_bytes()).decode("ascii")
    return f'<link rel="icon" type="image/svg+xml" href="data:image/svg+xml;base64,{data}" />\n'


def add_icon(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    context["metatags"] = context.get("metatags", "") + icon_link()


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", add_icon)
    app.connect("html-page-context", defer_scripts, priority=900)
    app.setup_extension("sphinxext.opengraph")
    # after opengraph's own handler (priority 500), which writes the tags
    app.connect("html-page-context", rewrite_descriptions, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
