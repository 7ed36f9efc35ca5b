"""How large a figure's text is drawn: the readability rule and its measure.

A figure is drawn for the width it is shown at on the page (at most 7
inches, the 672 CSS pixels of the text column at desktop width), and no
glyph in it may come out smaller than :data:`MIN_TEXT_PX` CSS pixels there.
This module measures the smallest glyph of a figure file:
:func:`smallest_text` reads an SVG that matplotlib wrote (text drawn as
paths), and :func:`png_smallest_text` reads the size that
:func:`~convbook.plot.style.as_png` records in every PNG it makes. The book's
browser test combines either with the size the page shows the image at.
"""

from __future__ import annotations

import io
import math
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from typing import Any

from .._checks import show

__all__ = [
    "MIN_TEXT_PT",
    "MIN_TEXT_PX",
    "PNG_TEXT_KEY",
    "SCRIPT_SHRINK",
    "figure_smallest_text",
    "png_smallest_text",
    "readable_size",
    "smallest_text",
]

#: The smallest glyph a figure may show, in CSS pixels at the size the page
#: displays it (the book's text is 16 px; a subscript in it about 11 px).
MIN_TEXT_PX = 11.0

#: :data:`MIN_TEXT_PX` in points for a figure shown at its natural size
#: (CSS has 96 pixels and 72 points per inch).
MIN_TEXT_PT = MIN_TEXT_PX * 72 / 96

#: How much smaller matplotlib draws a formula's sub- or superscript than
#: the formula (one level; ``mathtext``'s shrink factor).
SCRIPT_SHRINK = 0.7

#: The PNG text chunk in which :func:`~convbook.plot.style.as_png` records
#: the size of the smallest glyph, in the image's own pixels.
PNG_TEXT_KEY = "convbook smallest text px"

_SVG = "{http://www.w3.org/2000/svg}"
_SCALE = re.compile(r"scale\(\s*([-+\d.eE]+)(?:[\s,]+([-+\d.eE]+))?\s*\)")


def _scale(transform: str | None) -> float:
    """The (uniform) scale factor of an SVG transform; 1 if it has none."""
    found = _SCALE.findall(transform or "")
    factor = 1.0
    for sx, _ in found:
        factor *= abs(float(sx))
    return factor


def smallest_text(svg: bytes | str) -> float | None:
    """Return the size, in points, of the smallest glyph in a matplotlib SVG.

    Matplotlib writes text as paths (``svg.fonttype = 'path'``, the book's
    setting): each text is a group ``<g transform="translate(x y)
    scale(s -s)">`` of ``<use>`` elements, one per glyph, where ``100 s`` is
    the font size in points; a glyph of a formula's sub- or superscript
    carries its own ``scale(f)`` on top (``f = 0.7`` for one level). The
    size of a glyph is therefore ``100 s f`` points. Points here are the
    SVG's user units, 1/72 of an inch of the figure.

    Parameters
    ----------
    svg : bytes or str
        The whole SVG file, as matplotlib's SVG backend writes it.

    Returns
    -------
    float or None
        The smallest glyph size in points, or None if the figure has no text.

    Raises
    ------
    TypeError
        If ``svg`` is not bytes or str.
    ValueError
        If ``svg`` is not an SVG document, or draws text as ``<text>``
        elements (``svg.fonttype = 'none'``), whose size this cannot tell.

    Examples
    --------
    >>> import io
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import new_figure, save_figure, smallest_text
    >>> fig, ax = new_figure(2, 1)
    >>> label = ax.set_xlabel("$x_0$", fontsize=12)
    >>> ticks = ax.tick_params(labelsize=10)
    >>> out = io.BytesIO(); save_figure(fig, out, format="svg")
    >>> round(smallest_text(out.getvalue()), 2)  # the subscript: 0.7 * 12
    8.4
    >>> plt.close(fig)
    """
    from matplotlib.textpath import TextToPath

    if not isinstance(svg, (bytes, str)):
        raise TypeError(
            f"`svg` must be the SVG file as bytes or str, got {show(svg)} "
            f"of type {type(svg).__name__}"
        )
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as error:
        raise ValueError(f"`svg` is not an SVG document: {error}") from None
    if root.tag != f"{_SVG}svg":
        raise ValueError(f"`svg` is not an SVG document: its root is <{root.tag}>")
    if root.find(f".//{_SVG}text") is not None:
        raise ValueError(
            "`svg` draws its text as <text> elements (svg.fonttype 'none'); "
            "only text drawn as paths (svg.fonttype 'path') can be measured"
        )
    sizes = []
    for group in root.iter(f"{_SVG}g"):
        glyphs = group.findall(f"{_SVG}use")
        if not glyphs or "scale(" not in (group.get("transform") or ""):
            continue
        points = _scale(group.get("transform")) * TextToPath.FONT_SCALE
        sizes.extend(points * _scale(use.get("transform")) for use in glyphs)
    return min(sizes) if sizes else None


def readable_size(text: str, size: float) -> float:
    """Return the font size, at least ``size``, that keeps ``text`` readable.

    At its natural size (the way the book shows figures at desktop width)
    a glyph must be at least :data:`MIN_TEXT_PT`. A formula with sub- or
    superscripts (``$A_0$``) draws them :data:`SCRIPT_SHRINK` times smaller,
    so it needs ``MIN_TEXT_PT / SCRIPT_SHRINK``. The result is rounded up to
    half a point. The drawing helpers pass their labels through this.

    Parameters
    ----------
    text : str
        The text, possibly with ``$...$`` formulas.
    size : float
        The size the caller would like, in points.

    Returns
    -------
    float
        ``size``, or the smallest readable size if ``size`` is smaller.

    Examples
    --------
    >>> from convbook.plot import readable_size
    >>> readable_size("output", 7), readable_size("output", 10)
    (8.5, 10)
    >>> readable_size("$O^{(2)}_k$", 9)  # its scripts are drawn at 0.7 of it
    12.0
    """
    scripts = "$" in text and ("_" in text or "^" in text)
    need = MIN_TEXT_PT / (SCRIPT_SHRINK if scripts else 1.0)
    return max(size, math.ceil(2 * need) / 2)


def _png_text_chunks(data: bytes) -> dict[str, str]:
    """The tEXt (and zTXt) chunks of a PNG file, as a dict."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("`png` is not a PNG file (its signature is wrong)")
    chunks: dict[str, str] = {}
    at = 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        body = data[at + 8 : at + 8 + length]
        if kind in (b"tEXt", b"zTXt"):
            key, _, value = body.partition(b"\0")
            if kind == b"zTXt":
                value = zlib.decompress(value[1:])
            chunks[key.decode("latin-1")] = value.decode("latin-1")
        if kind == b"IEND":
            break
        at += 12 + length
    return chunks


def png_smallest_text(png: bytes) -> float | None:
    """Return the smallest glyph size a PNG records, in the image's pixels.

    :func:`~convbook.plot.style.as_png` measures the figure's text when it
    renders it and stores the size of its smallest glyph in the PNG text
    chunk :data:`PNG_TEXT_KEY` (``"none"`` for a figure without text).

    Parameters
    ----------
    png : bytes
        The whole PNG file.

    Returns
    -------
    float or None
        The size in pixels of the image, or None if the figure has no text.

    Raises
    ------
    TypeError
        If ``png`` is not bytes.
    ValueError
        If ``png`` is not a PNG file or does not record its text size (a PNG
        not made by :func:`~convbook.plot.style.as_png`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import as_png, new_figure, png_smallest_text
    >>> fig, ax = new_figure(2, 1)
    >>> label = ax.set_xlabel("time", fontsize=9)
    >>> ax.tick_params(labelbottom=False, labelleft=False)
    >>> image = as_png(fig, dpi=144)  # 2 pixels per point
    >>> png_smallest_text(image.data)
    18.0
    """
    if not isinstance(png, bytes):
        raise TypeError(
            f"`png` must be the PNG file as bytes, got {show(png)} "
            f"of type {type(png).__name__}"
        )
    chunks = _png_text_chunks(png)
    if PNG_TEXT_KEY not in chunks:
        raise ValueError(
            f"`png` does not record its text size (no {PNG_TEXT_KEY!r} text "
            "chunk); make it with convbook.plot.as_png"
        )
    value = chunks[PNG_TEXT_KEY]
    return None if value == "none" else float(value)


def figure_smallest_text(fig: Any) -> float | None:
    """Return the size, in points, of the smallest glyph a figure draws.

    Renders ``fig`` as SVG in memory, text as paths, and measures it with
    :func:`smallest_text`, so that a figure saved in any format is judged by
    the same rule.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    float or None
        The smallest glyph size in points, or None if the figure has no text.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import figure_smallest_text, new_figure
    >>> fig, ax = new_figure(2, 1)
    >>> ax.tick_params(labelsize=9)
    >>> figure_smallest_text(fig)
    9.0
    >>> plt.close(fig)
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(
            f"`fig` must be a matplotlib Figure, got {show(fig)} "
            f"of type {type(fig).__name__}"
        )
    rendered = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": "convbook"}):
        fig.savefig(rendered, format="svg", metadata={"Date": None})
    return smallest_text(rendered.getvalue())
