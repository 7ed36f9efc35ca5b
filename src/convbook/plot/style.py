"""House style of the figures: resolution, new figures and saving.

Every other drawing module takes its figure settings from here and its
colours from :mod:`~convbook.plot.palette`, so that one change restyles
every figure of the book. Besides the names it exports, it holds the
settings the drawing modules share and :mod:`convbook.plot` does not
re-export: the cell styles ``CELL``, ``PAD_CELL`` and ``CENTER``, the widest
figure ``MAX_WIDTH`` (inches), and the figure helpers ``blank_figure`` and
``white_background``.
"""

from __future__ import annotations

import io
import os
import struct
import weakref
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from .._checks import check_int, check_positive, show
from .palette import COLORS
from .textsize import PNG_TEXT_KEY, figure_smallest_text

__all__ = [
    "DPI",
    "MAX_WIDTH",
    "PNG_DPI",
    "PNGImage",
    "as_png",
    "new_figure",
    "save_figure",
]


#: Resolution of the figures the helpers create (dots per inch).
DPI = 100

#: Resolution of :func:`as_png` images: twice the 96 pixels per inch a page
#: shows them at, so that they stay sharp on high-density screens.
PNG_DPI = 192

#: The widest figure, in inches. Jupyter saves a figure with a tight box and
#: 0.1 in of padding on each side, so a 6.8 in figure fills the 7 in (672 CSS
#: pixels) of the text column at desktop width, where it is shown unscaled.
MAX_WIDTH = 6.8
CELL = {"edgecolor": COLORS["grid"], "linewidth": 0.8, "zorder": 1}
PAD_CELL = {**CELL, "edgecolor": COLORS["padding_edge"], "hatch": "/"}
CENTER = {"ha": "center", "va": "center_baseline", "zorder": 3}


def white_background(fig: Any) -> None:
    """Give a figure and all its axes an opaque white background."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    for ax in fig.axes:
        ax.patch.set_facecolor("white")
        ax.patch.set_alpha(1.0)


class _RepeatableLayout(ConstrainedLayoutEngine):
    """Constrained layout that gives the same result however often it runs.

    Matplotlib's constrained layout starts each run from the positions the
    previous run left, so with fixed-aspect axes (every grid here) or colour
    bars a figure drawn twice can come out a pixel apart. Putting each axes
    back where it was before the first run makes every draw repeat the first.
    """

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._start: weakref.WeakKeyDictionary[Axes, Any] = weakref.WeakKeyDictionary()

    def execute(self, fig: Any) -> Any:
        for figure in _all_figures(fig):
            for ax in figure.axes:
                if not ax.get_in_layout():
                    continue
                if ax not in self._start:
                    self._start[ax] = ax.get_position(original=True).frozen()
                ax.set_position(self._start[ax], which="both")
                ax.set_in_layout(True)  # set_position takes it out of the layout
        return super().execute(fig)


def _all_figures(fig: Any) -> list[Any]:
    """A figure and its subfigures, at any depth."""
    found = [fig]
    for sub in getattr(fig, "subfigs", []):
        found.extend(_all_figures(sub))
    return found


def blank_figure(width: float, height: float) -> Figure:
    """Create an empty house-style figure (constrained layout, white)."""
    fig = plt.figure(
        figsize=(min(width, MAX_WIDTH), height),
        dpi=DPI,
        layout=_RepeatableLayout(),
        facecolor="white",
    )
    white_background(fig)
    return fig


def new_figure(
    width: float = 6.0,
    height: float = 4.0,
    *,
    nrows: int = 1,
    ncols: int = 1,
    **kw: Any,
) -> tuple[Figure, Any]:
    """Create a figure and its axes with the book's house settings.

    A thin wrapper around :func:`matplotlib.pyplot.subplots`: opaque white
    figure and axes backgrounds, :data:`DPI` dots per inch and a constrained
    layout that comes out the same however often the figure is drawn (plain
    ``layout="constrained"`` can move fixed-aspect axes by a pixel between
    two saves). Close the figure with ``plt.close(fig)`` once it is glued.

    Parameters
    ----------
    width, height : float, default 6.0 and 4.0
        Figure size in inches. The width is at most :data:`MAX_WIDTH`, the
        text column at desktop width: the page would shrink a wider figure,
        and its text with it.
    nrows, ncols : int, default 1
        Grid of axes, as in :func:`~matplotlib.pyplot.subplots`.
    **kw
        Passed on to :func:`~matplotlib.pyplot.subplots` (``sharex``,
        ``squeeze``, ``gridspec_kw``, ``dpi``, ``layout``, ...). The face
        colour is always white.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure.
    ax : matplotlib.axes.Axes or numpy.ndarray of Axes
        One axes, or an array of shape ``(nrows, ncols)`` squeezed as
        :func:`~matplotlib.pyplot.subplots` does.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive number, the width is more than
        :data:`MAX_WIDTH` or a count is not a positive integer.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import new_figure
    >>> fig, axes = new_figure(6, 3, ncols=2)
    >>> len(fig.axes), fig.get_facecolor()
    (2, (1.0, 1.0, 1.0, 1.0))
    >>> plt.close(fig)
    """
    width = check_positive("width", width)
    height = check_positive("height", height)
    if width > MAX_WIDTH:
        raise ValueError(
            f"`width` must be at most {MAX_WIDTH} inches (the text column; the "
            f"page shrinks a wider figure and its text with it), got {width}"
        )
    nrows = check_int("nrows", nrows, minimum=1)
    ncols = check_int("ncols", ncols, minimum=1)
    if kw.get("layout", "constrained") == "constrained":
        kw["layout"] = _RepeatableLayout()
    kw.setdefault("dpi", DPI)
    kw["facecolor"] = "white"
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kw)
    white_background(fig)
    return fig, axes


def save_figure(
    fig: Figure, fname: Any, *, format: str | None = None, **kw: Any
) -> None:
    """Save a figure so that the same figure always gives the same bytes.

    Removes the software and date stamps from PNG, SVG and PDF metadata and
    fixes the salt of the identifiers in SVG files (``svg.hashsalt``), which
    matplotlib otherwise draws at random on every save.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    fname : str, path-like or binary file object
        Where to write, as for :meth:`~matplotlib.figure.Figure.savefig`.
    format : str, optional
        ``'png'``, ``'svg'``, ``'pdf'``, ...; by default taken from the file
        name's extension (PNG for a file object).
    **kw
        Passed on to :meth:`~matplotlib.figure.Figure.savefig`.

    Returns
    -------
    None

    Examples
    --------
    >>> import io
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import new_figure, save_figure
    >>> fig, ax = new_figure(2, 1)
    >>> first, second = io.BytesIO(), io.BytesIO()
    >>> save_figure(fig, first, format="svg"); save_figure(fig, second, format="svg")
    >>> first.getvalue() == second.getvalue()
    True
    >>> plt.close(fig)
    """
    if format is None:
        is_path = isinstance(fname, str) or hasattr(fname, "__fspath__")
        suffix = os.path.splitext(os.fspath(fname))[1] if is_path else ""
        format = suffix.lstrip(".").lower() or "png"
    stamps = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None},
    }
    kw.setdefault("metadata", stamps.get(format, {}))
    with mpl.rc_context({"svg.hashsalt": "convbook"}):
        fig.savefig(fname, format=format, **kw)


@dataclass(frozen=True, repr=False)
class PNGImage:
    """A PNG image that Jupyter, myst-nb's ``glue`` and cell outputs display.

    Returned by :func:`as_png`. It holds the file's bytes and the width to
    show it at; its ``_repr_png_`` method is what makes a notebook show it as
    ``image/png`` at that width (no IPython import is needed for that).

    Attributes
    ----------
    data : bytes
        The whole PNG file.
    display_width : int or None
        Width in CSS pixels to show the image at (96 per inch of figure), or
        None for its pixel width. A PNG rendered at twice that many pixels
        stays sharp on high-density screens.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import as_png, new_figure
    >>> fig, ax = new_figure(2, 1)
    >>> image = as_png(fig)
    >>> image.data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    >>> image.display_width == round(image.width / 2)  # 2 pixels per CSS pixel
    True
    """

    data: bytes
    display_width: int | None = None

    @property
    def width(self) -> int:
        """Width in pixels, read from the PNG header."""
        return struct.unpack(">I", self.data[16:20])[0]

    @property
    def height(self) -> int:
        """Height in pixels, read from the PNG header."""
        return struct.unpack(">I", self.data[20:24])[0]

    def _repr_png_(self) -> bytes | tuple[bytes, dict[str, int]]:
        if self.display_width is None:
            return self.data
        return self.data, {"width": self.display_width}

    def __repr__(self) -> str:
        return f"<PNGImage {self.width}x{self.height}, {len(self.data)} bytes>"


def as_png(
    fig: Figure, *, dpi: float = PNG_DPI, colors: int = 256, close: bool = True
) -> PNGImage:
    """Render a figure as a small, palette-based PNG image for a page.

    A vector (SVG) figure grows with the number of things drawn; a figure
    with photographs or many cells is often lighter as a PNG, and lighter
    still once its colours are reduced to a palette. This renders ``fig``
    with a tight bounding box (as Jupyter does), reduces it to at most
    ``colors`` colours with Pillow's median cut (no dithering), and stores
    it with maximal compression, so that the same figure always gives the
    same bytes. The image is rendered at :data:`PNG_DPI` (twice the screen's
    96 pixels per inch) and shown at 96 pixels per inch of figure, as an SVG
    figure is, so it stays sharp on high-density screens. Its only metadata
    is the size of its smallest glyph in pixels
    (:data:`~convbook.plot.textsize.PNG_TEXT_KEY`, measured by
    :func:`~convbook.plot.textsize.figure_smallest_text`), which the book's
    tests read back with :func:`~convbook.plot.textsize.png_smallest_text`.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render.
    dpi : float, default :data:`PNG_DPI`
        Resolution: the image is ``dpi`` pixels per inch of figure; it is
        shown at 96 CSS pixels per inch whatever ``dpi`` is.
    colors : int, default 256
        Size of the palette, from 2 to 256. Figures of flat colours (grids,
        diagrams) lose nothing visible at 256; photographs may show slight
        banding below that.
    close : bool, default True
        Close the figure with :func:`matplotlib.pyplot.close` once rendered,
        so that a notebook does not also show it as its own output.

    Returns
    -------
    PNGImage
        The image; end a notebook cell with it, or pass it to myst-nb's
        ``glue``, to show it (MIME type ``image/png``, with its display
        width). Its bytes are in ``.data``.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure or ``colors`` not an integer.
    ValueError
        If ``dpi`` is not a positive number or ``colors`` is not in 2..256.

    See Also
    --------
    save_figure : write a figure to a file, PNG, SVG or PDF.

    Examples
    --------
    >>> import io
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import PNG_DPI, as_png, new_figure
    >>> fig, ax = new_figure(2, 1)
    >>> line = ax.plot([0, 1], [0, 1])
    >>> small = as_png(fig, colors=16)
    >>> half = as_png(fig, dpi=PNG_DPI / 2, colors=16)
    >>> round(small.width / half.width)  # twice the dots per inch
    2
    >>> small.display_width == half.display_width  # shown at the same size
    True
    >>> small.data == as_png(fig, colors=16).data  # same figure, same bytes
    True
    >>> from PIL import Image
    >>> Image.open(io.BytesIO(small.data)).text  # 10 pt ticks, 192 dpi
    {'convbook smallest text px': '26.67'}
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    if not isinstance(fig, Figure):
        raise TypeError(
            f"`fig` must be a matplotlib Figure, got {show(fig)} "
            f"of type {type(fig).__name__}"
        )
    dpi = check_positive("dpi", dpi)
    colors = check_int("colors", colors, minimum=2)
    if colors > 256:
        raise ValueError(
            f"`colors` must be at most 256 (a PNG palette's size), got {colors}"
        )
    smallest = figure_smallest_text(fig)
    rendered = io.BytesIO()
    save_figure(fig, rendered, format="png", dpi=dpi, bbox_inches="tight")
    if close:
        plt.close(fig)
    with Image.open(rendered) as picture:
        palette = picture.convert("RGB").quantize(
            colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    palette.info.clear()  # no dpi, gamma or other text chunks
    record = PngInfo()
    # In the image's pixels: points * (dpi / 72).
    size = "none" if smallest is None else f"{smallest * dpi / 72:.2f}"
    record.add_text(PNG_TEXT_KEY, size)
    packed = io.BytesIO()
    palette.save(packed, format="png", optimize=True, pnginfo=record)
    return PNGImage(packed.getvalue(), round(palette.width * 96 / dpi))
