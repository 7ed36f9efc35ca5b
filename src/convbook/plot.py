"""Drawing helpers shared by the book's chapters.

This is the only module of :mod:`convbook` that imports matplotlib; importing
:mod:`convbook` itself does not load it. Every helper follows the book's house
style:

- figures are created through :mod:`matplotlib.pyplot` (so a chapter cell
  ends with ``glue(name, fig, display=False); plt.close(fig)``) and nothing
  here calls ``plt.show()`` or selects a backend;
- the figure and every axes have an opaque white background, readable on the
  dark theme;
- no title is drawn inside a plot (captions come from the book); short panel
  labels are written as axis labels under the panels;
- colours come from the Okabe--Ito palette (:data:`OKABE_ITO`), which stays
  distinguishable under the common forms of colour blindness;
- the output is deterministic, and the artists are few and simple
  (rectangles, lines, text) so that figures stay small.

Grids are drawn in "cell" coordinates: the cell in row ``r`` and column ``c``
of the (padded) grid covers ``c <= x <= c + 1`` and ``r <= y <= r + 1``, with
``y`` pointing down, so that the picture reads like the array. Arrays follow
PyTorch's layout: feature maps are ``(C, H, W)``.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Colormap, Normalize, to_hex, to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import EngFormatter, NullFormatter

from ._checks import _show, check_array, check_int, check_pair, check_side_padding
from .receptive import ReceptiveField, receptive_fields
from .shapes import _resolve_padding, output_size, same_padding

__all__ = [
    "COLORS",
    "DPI",
    "OKABE_ITO",
    "bar_timings",
    "dependency_heatmap",
    "draw_grid",
    "draw_sliding_window",
    "draw_stride_coverage",
    "feature_maps",
    "new_figure",
    "receptive_field_layers",
    "receptive_field_overlay",
    "save_figure",
]

#: The Okabe--Ito palette (Okabe & Ito, 2008), safe for colour-blind readers:
#: black, orange, sky blue, bluish green, yellow, blue, vermillion, purple.
OKABE_ITO: tuple[str, ...] = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)


def _tint(color: str, amount: float) -> str:
    """Return ``color`` mixed with white; ``amount`` 1 keeps the colour."""
    rgb = np.asarray(to_rgb(color))
    return to_hex(amount * rgb + (1.0 - amount))


#: The colours the helpers give to each meaning, so chapters can match them.
COLORS: dict[str, str] = {
    "window": OKABE_ITO[5],  # the sliding window and what it reads
    "output": OKABE_ITO[6],  # the output unit being traced
    "read": _tint(OKABE_ITO[2], 0.45),  # input cells some window reads
    "unread": _tint(OKABE_ITO[6], 0.55),  # input cells no window reads
    "padding": "#E8E8E8",  # zero padding (drawn hatched)
    "padding_edge": "#9A9A9A",
    "grid": "#3C3C3C",
    "text": "#1A1A1A",
    "muted": "#8C8C8C",
    "bar": OKABE_ITO[5],
}

#: Resolution of the figures the helpers create (dots per inch).
DPI = 100

# Colours given to the first, second, ... highlighted window of one grid.
_WINDOW_COLORS = (OKABE_ITO[5], OKABE_ITO[1], OKABE_ITO[3], OKABE_ITO[7], OKABE_ITO[6])
_MAX_WIDTH = 7.5  # inches: wider figures are scaled down by the page anyway
_MINUS = "\u2212"
_CELL = {"edgecolor": COLORS["grid"], "linewidth": 0.8, "zorder": 1}
_PAD_CELL = {**_CELL, "edgecolor": COLORS["padding_edge"], "hatch": "/"}
_CENTER = {"ha": "center", "va": "center_baseline", "zorder": 3}
_NODE = {"markersize": 8, "markeredgewidth": 1.2, "zorder": 3}
_NODES = {
    "unit": {
        "marker": "o",
        "markerfacecolor": "white",
        "markeredgecolor": COLORS["muted"],
    },
    "field": {
        "marker": "o",
        "markerfacecolor": COLORS["window"],
        "markeredgecolor": COLORS["window"],
    },
    "pad": {
        "marker": "s",
        "markerfacecolor": COLORS["padding"],
        "markeredgecolor": COLORS["padding_edge"],
    },
    "padread": {
        "marker": "s",
        "markerfacecolor": COLORS["padding"],
        "markeredgecolor": COLORS["window"],
    },
    "traced": {
        "marker": "o",
        "markerfacecolor": COLORS["output"],
        "markeredgecolor": COLORS["output"],
        "markersize": 11,
        "zorder": 4,
    },
}
_NODES = {key: {**_NODE, **style} for key, style in _NODES.items()}
_DOTS = {"color": COLORS["window"], "marker": "o", "markersize": 4.5, "zorder": 3}


# --------------------------------------------------------------------------
# Small private helpers
# --------------------------------------------------------------------------


def _check_positive(name: str, value: Any) -> float:
    """Return a positive finite real number or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a positive number, got {_show(value)} "
            f"of type {type(value).__name__}"
        )
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive number, got {value!r}")
    return float(value)


def _white(fig: Any) -> None:
    """Give a figure and all its axes an opaque white background."""
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    for ax in fig.axes:
        ax.patch.set_facecolor("white")
        ax.patch.set_alpha(1.0)


def _figure(width: float, height: float) -> Figure:
    """Create an empty house-style figure (constrained layout, white)."""
    fig = plt.figure(
        figsize=(min(width, _MAX_WIDTH), height),
        dpi=DPI,
        layout="constrained",
        facecolor="white",
    )
    _white(fig)
    return fig


def _root_figure(ax: Axes) -> Figure:
    """Return the top-level figure holding ``ax`` (through any subfigure)."""
    fig = ax.figure
    while not isinstance(fig, Figure):
        fig = fig.figure
    return fig


def _check_axes(ax: Any) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(
            f"`ax` must be a matplotlib Axes (e.g. from `new_figure()`), "
            f"got {_show(ax)} of type {type(ax).__name__}"
        )
    return ax


def _plain_axes(ax: Axes) -> None:
    """Remove ticks and spines, keeping the axis labels usable."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.patch.set_facecolor("white")


def _luminance(rgb: Sequence[float]) -> float:
    """Relative luminance (WCAG) of an sRGB colour."""
    channels = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]
    ]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _text_color(face: Sequence[float]) -> str:
    """Black text on light cells, white text on dark ones."""
    return COLORS["text"] if _luminance(face) > 0.22 else "white"


def _short_float(value: float) -> str:
    """A float with at most two decimals and no trailing zeros."""
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def _formatter(
    values: np.ndarray, fmt: str | Callable[[float], str] | None
) -> Callable[[float], str]:
    """Choose how the numbers in the cells are written."""
    if callable(fmt):
        return fmt
    if isinstance(fmt, str):
        return lambda v: fmt.format(v).replace("-", _MINUS)
    if fmt is not None:
        raise TypeError(
            f"`fmt` must be a format string such as '{{:.1f}}', a callable or "
            f"None, got {_show(fmt)}"
        )
    finite = values[np.isfinite(values)]
    if np.issubdtype(values.dtype, np.integer) or np.array_equal(
        finite, np.round(finite)
    ):
        return lambda v: f"{round(float(v))}".replace("-", _MINUS)
    return lambda v: _short_float(v).replace("-", _MINUS)


def _auto_fontsize(ax: Axes, nrows: int, ncols: int, chars: int) -> float:
    """A font size that fits ``chars`` characters in one cell of the grid."""
    width, height = _root_figure(ax).get_size_inches()
    box = ax.get_position()
    cell = 72 * min(width * box.width / ncols, height * box.height / nrows)
    return _fontsize_for_cell(cell, chars)


def _fontsize_for_cell(cell_points: float, chars: int) -> float:
    size = min(0.42 * cell_points, 0.8 * cell_points / (0.62 * max(chars, 1)))
    return float(np.clip(size, 5.0, 13.0))


def _as_image(name: str, image: Any) -> np.ndarray:
    """Return an image as (H, W) grey or (H, W, 3|4) colour for imshow."""
    array = check_array(
        name, image, ndim=(2, 3), layout="(H, W), (C, H, W) or (H, W, C)"
    )
    if array.ndim == 2:
        return array
    if array.shape[0] in (1, 3):  # PyTorch layout first: (C, H, W)
        array = np.moveaxis(array, 0, -1)
    elif array.shape[-1] not in (3, 4):
        raise ValueError(
            f"`{name}` must be a grey (H, W) image or a colour image with 1 or 3 "
            f"channels, (C, H, W) or (H, W, C), got shape {array.shape}"
        )
    if array.shape[-1] == 1:
        return array[..., 0]
    if np.issubdtype(array.dtype, np.integer):
        return np.clip(array / 255.0, 0.0, 1.0)
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 1:
        array = (array - low) / (high - low if high > low else 1.0)
    return array


def _pairs(name: str, value: Any) -> list[tuple[int, int]]:
    """Parse ``(first, last)`` or a sequence of such pairs."""
    if (
        isinstance(value, Sequence)
        and len(value) > 0
        and all(isinstance(v, Sequence) and not isinstance(v, str) for v in value)
    ):
        items = list(value)
    else:
        items = [value]
    pairs = []
    for item in items:
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise ValueError(
                f"`{name}` must be a pair (first, last) or a sequence of pairs, "
                f"got {_show(value)}"
            )
        first = check_int(f"{name} first", item[0])
        last = check_int(f"{name} last", item[1])
        if last < first:
            raise ValueError(f"`{name}` must have first <= last, got ({first}, {last})")
        pairs.append((first, last))
    return pairs


# --------------------------------------------------------------------------
# Figures and saving
# --------------------------------------------------------------------------


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
    figure and axes backgrounds, constrained layout and :data:`DPI` dots per
    inch. Close the figure with ``plt.close(fig)`` once it is glued.

    Parameters
    ----------
    width, height : float, default 6.0 and 4.0
        Figure size in inches.
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
        If a size is not a positive number or a count not a positive integer.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import new_figure
    >>> fig, axes = new_figure(6, 3, ncols=2)
    >>> len(fig.axes), fig.get_facecolor()
    (2, (1.0, 1.0, 1.0, 1.0))
    >>> plt.close(fig)
    """
    width = _check_positive("width", width)
    height = _check_positive("height", height)
    nrows = check_int("nrows", nrows, minimum=1)
    ncols = check_int("ncols", ncols, minimum=1)
    kw.setdefault("layout", "constrained")
    kw.setdefault("dpi", DPI)
    kw["facecolor"] = "white"
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kw)
    _white(fig)
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


# --------------------------------------------------------------------------
# Grids of numbers
# --------------------------------------------------------------------------


def _window(
    item: Any, padded_shape: tuple[int, int]
) -> tuple[int, int, int, int, int, int]:
    """Parse one highlighted window (row, col, kh, kw[, dilation])."""
    if (
        not isinstance(item, Sequence)
        or isinstance(item, str)
        or len(item) not in (4, 5)
    ):
        raise ValueError(
            "`highlight` must be a window (row, col, kh, kw) or (row, col, kh, kw, "
            f"dilation), a list of windows or a boolean mask, got {_show(item)}"
        )
    row = check_int("highlight row", item[0], minimum=0)
    col = check_int("highlight col", item[1], minimum=0)
    kh = check_int("highlight kh", item[2], minimum=1)
    kw = check_int("highlight kw", item[3], minimum=1)
    dh, dw = (
        check_pair("highlight dilation", item[4], minimum=1)
        if len(item) == 5
        else (1, 1)
    )
    last_row, last_col = row + dh * (kh - 1), col + dw * (kw - 1)
    if last_row >= padded_shape[0] or last_col >= padded_shape[1]:
        raise ValueError(
            f"`highlight` window {tuple(item)} reaches row {last_row}, column "
            f"{last_col}, outside the padded grid of shape {padded_shape}; rows "
            "and columns count from the top-left corner of the padded grid"
        )
    return row, col, kh, kw, dh, dw


def _parse_highlight(
    highlight: Any,
    padded_shape: tuple[int, int],
    input_shape: tuple[int, int],
    offset: tuple[int, int],
) -> tuple[list[tuple[int, int, int, int, int, int]], np.ndarray | None]:
    if highlight is None:
        return [], None
    if isinstance(highlight, np.ndarray):
        if highlight.dtype != np.bool_:
            raise TypeError(
                "`highlight` given as an array must be a boolean mask, "
                f"got dtype {highlight.dtype}"
            )
        if highlight.shape == padded_shape:
            return [], highlight
        if highlight.shape == input_shape:
            mask = np.zeros(padded_shape, dtype=bool)
            top, left = offset
            mask[top : top + input_shape[0], left : left + input_shape[1]] = highlight
            return [], mask
        raise ValueError(
            f"`highlight` mask has shape {highlight.shape}; it must match the input "
            f"{input_shape} or the padded grid {padded_shape}"
        )
    if (
        isinstance(highlight, Sequence)
        and len(highlight) > 0
        and all(isinstance(h, Sequence) and not isinstance(h, str) for h in highlight)
    ):
        return [_window(h, padded_shape) for h in highlight], None
    return [_window(highlight, padded_shape)], None


def draw_grid(
    ax: Axes,
    values: Any,
    *,
    padding: Any = 0,
    highlight: Any = None,
    annotate: bool = True,
    cmap: str | Colormap | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str | Callable[[float], str] | None = None,
    label: str | None = None,
    show_indices: bool = False,
    fontsize: float | None = None,
    color: str | None = None,
) -> Axes:
    r"""Draw a 2-D array as a grid of cells with its numbers written inside.

    Zero padding is drawn as hatched grey cells holding 0, and a sliding
    window as a coloured outline around the cells it reads; with a dilation
    only the taps are coloured and a dashed line shows the window's span.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw. Its ticks and spines are removed.
    values : array_like, shape (H, W)
        The numbers (one channel of an input, a kernel, an output). Integers
        are written without decimals, other floats with at most two; NaN
        cells are left blank.
    padding : int, (int, int) or ((int, int), (int, int)), default 0
        Zero padding drawn around the values: all sides, ``(ph, pw)`` or
        ``((top, bottom), (left, right))``.
    highlight : tuple, list of tuples or bool array, optional
        A window ``(row, col, kh, kw)`` or ``(row, col, kh, kw, dilation)``
        whose top-left tap is at ``(row, col)`` of the *padded* grid
        (dilation an int or a pair), a list of such windows (drawn in
        successive colours), or a boolean mask of the input's or the padded
        grid's shape marking single cells.
    annotate : bool, default True
        Write the numbers in the cells.
    cmap : str or Colormap, optional
        Colour the cells by value (e.g. ``'Blues'``); by default the cells
        are white. The text turns white on dark cells.
    vmin, vmax : float, optional
        Limits of the colour scale (default: the values' range).
    fmt : str or callable, optional
        Format of the numbers, e.g. ``'{:.1f}'`` or a function of the value.
    label : str, optional
        A short panel label written under the grid (not a title).
    show_indices : bool, default False
        Number the input's rows and columns (padding cells get no number).
    fontsize : float, optional
        Size of the numbers; by default it fits the cells.
    color : str, optional
        Colour of the (first) highlight; defaults to ``COLORS['window']``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, holding one rectangle per padded cell (row-major), then one
        filled rectangle per marked cell of a mask and per tap of each
        window, then one outline per window.

    Raises
    ------
    TypeError
        If ``ax`` is not an Axes, ``values`` is not numeric, ``padding`` is a
        string or a mask is not boolean.
    ValueError
        If ``values`` is not 2-D, a padding is negative or a window does not
        fit in the padded grid.

    See Also
    --------
    draw_sliding_window : small multiples of a window sliding over a grid.

    Notes
    -----
    A window at output position :math:`(i, j)` with stride :math:`s` starts
    at padded cell :math:`(i s, j s)` and reads the taps
    :math:`(i s + a\,d,\ j s + b\,d)` for :math:`0 \le a < k_h`,
    :math:`0 \le b < k_w`.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import draw_grid, new_figure
    >>> fig, ax = new_figure(3, 3)
    >>> ax = draw_grid(ax, np.arange(9).reshape(3, 3), padding=1,
    ...                highlight=(0, 0, 2, 2))
    >>> len(ax.texts), len(ax.patches)  # 5 x 5 cells, 4 taps, 1 outline
    (25, 30)
    >>> plt.close(fig)
    """
    ax = _check_axes(ax)
    array = check_array("values", values, ndim=2, layout="(H, W)")
    if isinstance(padding, str):
        raise TypeError(
            f"`padding` must be a number of cells: an integer, (ph, pw) or "
            f"((top, bottom), (left, right)), got {padding!r}; resolve 'same' "
            "with convbook.same_padding first"
        )
    (top, bottom), (left, right) = _resolve_padding(
        padding, array.shape, (1, 1), (1, 1), (1, 1)
    )
    height, width = array.shape
    rows, cols = height + top + bottom, width + left + right
    windows, mask = _parse_highlight(
        highlight, (rows, cols), (height, width), (top, left)
    )

    data = array.astype(float)
    finite = np.isfinite(data)
    to_text = _formatter(array, fmt)
    if cmap is not None:
        colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
        low = float(np.min(data[finite])) if vmin is None and finite.any() else vmin
        high = float(np.max(data[finite])) if vmax is None and finite.any() else vmax
        low = 0.0 if low is None else low
        high = low + 1.0 if high is None or high <= low else high
        norm = Normalize(low, high)

    # Face colour of every padded cell.
    faces = np.ones((rows, cols, 3))
    pad = np.ones((rows, cols), dtype=bool)
    pad[top : top + height, left : left + width] = False
    faces[pad] = to_rgb(COLORS["padding"])
    if cmap is not None:
        inside = faces[top : top + height, left : left + width]
        colored = colormap(norm(np.where(finite, data, low)))[..., :3]
        inside[finite] = colored[finite]

    # Highlights: translucent fills over the taps (and their colours for the text).
    shown = faces.copy()
    extra: list[Rectangle] = []
    palette = ((color,) if color else ()) + _WINDOW_COLORS
    marked = (
        []
        if mask is None
        else [(*rc, palette[0], True) for rc in zip(*np.nonzero(mask), strict=True)]
    )
    for number, (row, col, kh, kw, dh, dw) in enumerate(windows):
        tone = palette[number % len(palette)]
        dilated = dh > 1 or dw > 1
        for a, b in np.ndindex(kh, kw):
            marked.append((row + a * dh, col + b * dw, tone, dilated))
        span = (dw * (kw - 1) + 1, dh * (kh - 1) + 1)
        style = {"linewidth": 1.3, "linestyle": "--"} if dilated else {"linewidth": 2.8}
        extra.append(
            Rectangle((col, row), *span, fill=False, edgecolor=tone, zorder=5, **style)
        )
    fills = []
    for r, c, tone, edged in marked:
        edge = (
            {"edgecolor": tone, "linewidth": 2.3, "zorder": 4}
            if edged
            else {"zorder": 2}
        )
        fills.append(Rectangle((c, r), 1, 1, facecolor=to_rgba(tone, 0.3), **edge))
        if not edged:
            fills[-1].set_edgecolor("none")
        shown[r, c] = 0.7 * shown[r, c] + 0.3 * np.asarray(to_rgb(tone))

    texts = {}
    if annotate:
        for r, c in np.ndindex(rows, cols):
            if pad[r, c]:
                texts[r, c] = "0"
            elif finite[r - top, c - left]:
                texts[r, c] = to_text(array[r - top, c - left])
    if fontsize is None:
        chars = max((len(t) for t in texts.values()), default=1)
        fontsize = _auto_fontsize(ax, rows, cols, chars)

    for r, c in np.ndindex(rows, cols):
        style = _PAD_CELL if pad[r, c] else _CELL
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=faces[r, c], **style))
        if (r, c) in texts:
            tone = COLORS["muted"] if pad[r, c] else _text_color(shown[r, c])
            ax.text(
                c + 0.5, r + 0.5, texts[r, c], color=tone, fontsize=fontsize, **_CENTER
            )
    for patch in fills + extra:
        patch.set_clip_on(False)
        ax.add_patch(patch)

    margin = 0.08
    ax.set_xlim(-margin, cols + margin)
    ax.set_ylim(rows + margin, -margin)
    ax.set_aspect("equal")
    _plain_axes(ax)
    if show_indices:
        small = max(fontsize * 0.8, 6.0)
        ax.set_xticks(np.arange(width) + left + 0.5, [str(i) for i in range(width)])
        ax.set_yticks(np.arange(height) + top + 0.5, [str(i) for i in range(height)])
        ax.xaxis.tick_top()
        ax.tick_params(length=0, labelsize=small, labelcolor=COLORS["muted"], pad=2)
    if label is not None:
        ax.xaxis.set_label_position("bottom")
        ax.set_xlabel(label, fontsize=max(fontsize, 9.0))
    return ax


def _correlate(
    padded: np.ndarray,
    kernel: np.ndarray,
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_shape: tuple[int, int],
) -> np.ndarray:
    """Cross-correlate one padded channel with one kernel (literal sums)."""
    (sh, sw), (dh, dw) = stride, dilation
    kh, kw = kernel.shape
    out = np.zeros(out_shape)
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            taps = padded[
                i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                j * sw : j * sw + dw * (kw - 1) + 1 : dw,
            ]
            out[i, j] = np.sum(taps * kernel)
    return out


def draw_sliding_window(
    x: Any,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: Any = 0,
    dilation: int | tuple[int, int] = 1,
    positions: Sequence[tuple[int, int]] | None = None,
    ncols: int | None = None,
    kernel: Any = None,
    annotate: bool = True,
) -> Figure:
    r"""Draw a window sliding over a padded input, one panel per position.

    Each panel pairs the padded input, with the window at one output
    position, and the output grid with that position's cell marked. With a
    ``kernel`` the output cells are filled in as the window reaches them.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One channel of the input (``x[c]`` of a ``(C, H, W)`` array).
    kernel_size : int or (int, int)
        ``(kh, kw)``, or one int for both.
    stride, dilation : int or (int, int), default 1
        As in :func:`convbook.conv2d`.
    padding : int, pair, pair of pairs, 'valid' or 'same', default 0
        As in :func:`convbook.conv2d`.
    positions : sequence of (int, int), optional
        Output positions to show, in order. By default all of them when
        there are at most six, otherwise ``(0, 0)``, ``(0, 1)``, ``(1, 0)``
        and the last one.
    ncols : int, optional
        Panels per row (default: up to 3).
    kernel : array_like, shape (kh, kw), optional
        Weights used to fill in the output; without them the output cells
        are blank.
    annotate : bool, default True
        Write the input's numbers in its cells.

    Returns
    -------
    matplotlib.figure.Figure
        A figure with two axes per position: the input (even indices of
        ``fig.axes``) and the output (odd indices).

    Raises
    ------
    TypeError, ValueError
        For a non-2-D ``x``, bad sizes, a kernel that does not fit, a
        ``kernel`` whose shape is not ``kernel_size`` or a position outside
        the output.

    See Also
    --------
    draw_grid : one grid with one or more windows.
    convbook.output_size : the number of positions along each axis.

    Notes
    -----
    The output has :math:`\lfloor (H + p_t + p_b - d(k_h - 1) - 1) / s \rfloor + 1`
    rows; the window for output :math:`(i, j)` starts at padded cell
    :math:`(i s_h, j s_w)`.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import draw_sliding_window
    >>> fig = draw_sliding_window(np.arange(16).reshape(4, 4), 3, stride=1)
    >>> len(fig.axes)  # 4 positions, each an input and an output panel
    8
    >>> plt.close(fig)
    """
    x = check_array("x", x, ndim=2, layout="(H, W); pass one channel x[c]")
    kh, kw = check_pair("kernel_size", kernel_size, minimum=1)
    sh, sw = check_pair("stride", stride, minimum=1)
    dh, dw = check_pair("dilation", dilation, minimum=1)
    height, width = x.shape
    (top, bottom), (left, right) = _resolve_padding(
        padding, (height, width), (kh, kw), (sh, sw), (dh, dw)
    )
    out_h = output_size(height, kh, stride=sh, padding=(top, bottom), dilation=dh)
    out_w = output_size(width, kw, stride=sw, padding=(left, right), dilation=dw)
    if kernel is not None:
        kernel = check_array("kernel", kernel, ndim=2, layout="(kh, kw)")
        if kernel.shape != (kh, kw):
            raise ValueError(
                f"`kernel` has shape {kernel.shape} but `kernel_size` is "
                f"{(kh, kw)}; they must match"
            )
        padded = np.pad(x.astype(float), ((top, bottom), (left, right)))
        result = _correlate(
            padded, kernel.astype(float), (sh, sw), (dh, dw), (out_h, out_w)
        )
        if np.issubdtype(x.dtype, np.integer) and np.issubdtype(
            kernel.dtype, np.integer
        ):
            result = np.round(result)
    if positions is None:
        everything = [(i, j) for i in range(out_h) for j in range(out_w)]
        if len(everything) <= 6:
            positions = everything
        else:
            positions = list(dict.fromkeys([(0, 0), (0, 1), (1, 0), everything[-1]]))
            positions = [p for p in positions if p in everything]
    if (
        isinstance(positions, str)
        or not isinstance(positions, Sequence)
        or not positions
    ):
        raise ValueError(
            f"`positions` must list output positions (i, j), got {_show(positions)}"
        )
    for p in positions:
        if (
            not isinstance(p, Sequence)
            or len(p) != 2
            or not all(isinstance(v, numbers.Integral) for v in p)
            or not (0 <= p[0] < out_h and 0 <= p[1] < out_w)
        ):
            raise ValueError(
                f"`positions` must hold output positions (i, j) with 0 <= i < {out_h} "
                f"and 0 <= j < {out_w}, got {_show(p)}"
            )
    positions = [(int(p[0]), int(p[1])) for p in positions]
    count = len(positions)
    if ncols is None:
        ncols = 2 if count == 4 else min(3, count)
    ncols = min(check_int("ncols", ncols, minimum=1), count)
    nrows = math.ceil(count / ncols)

    rows, cols = height + top + bottom, width + left + right
    panel = cols + out_w + 1.6
    cell = min(0.3, _MAX_WIDTH / (ncols * panel))
    fig = _figure(
        ncols * panel * cell + 0.2, nrows * (max(rows, out_h) + 1.6) * cell + 0.2
    )
    grid = fig.add_gridspec(nrows, 2 * ncols, width_ratios=[cols, out_w] * ncols)
    to_text = _formatter(x, None)
    digits = max(len(to_text(v)) for v in np.ravel(x))
    if kernel is not None:
        to_text = _formatter(result, None)
        digits = max(digits, *(len(to_text(v)) for v in np.ravel(result)))
    size = _fontsize_for_cell(cell * 72, digits)
    order = [(i, j) for i in range(out_h) for j in range(out_w)]
    for number, (i, j) in enumerate(positions):
        row, col = divmod(number, ncols)
        ax_in = fig.add_subplot(grid[row, 2 * col])
        ax_out = fig.add_subplot(grid[row, 2 * col + 1])
        draw_grid(
            ax_in,
            x,
            padding=((top, bottom), (left, right)),
            highlight=(i * sh, j * sw, kh, kw, (dh, dw)),
            annotate=annotate,
            label=f"window at ({i}, {j})",
            fontsize=size,
        )
        shown = np.full((out_h, out_w), np.nan)
        if kernel is not None:
            done = order[: order.index((i, j)) + 1]
            for a, b in done:
                shown[a, b] = result[a, b]
        marked = np.zeros((out_h, out_w), dtype=bool)
        marked[i, j] = True
        draw_grid(ax_out, shown, highlight=marked, label="output", fontsize=size)
    _white(fig)
    return fig


# --------------------------------------------------------------------------
# Which rows a strided window reads
# --------------------------------------------------------------------------


def _read_mask(
    padded: int, kernel_size: int, stride: int, dilation: int, count: int
) -> np.ndarray:
    """True for each padded position that some window's tap reads."""
    read = np.zeros(padded, dtype=bool)
    for j in range(count):
        read[j * stride + dilation * np.arange(kernel_size)] = True
    return read


def _coverage_legend(
    ax: Axes, unread: bool, padding: bool, window: str, below: bool
) -> None:
    grid = {"edgecolor": COLORS["grid"]}
    handles = [Patch(facecolor=COLORS["read"], label="read", **grid)]
    if unread:
        handles.append(Patch(facecolor=COLORS["unread"], label="never read", **grid))
    if padding:
        handles.append(Patch(facecolor="white", label="zero padding", **_PAD_CELL))
    dots = {"color": COLORS["window"], "marker": "o", "markersize": 5, "linewidth": 1.5}
    handles.append(Line2D([], [], label=window, **dots))
    wide = _root_figure(ax).get_size_inches()[0] >= 5.5
    where = (
        {"loc": "upper center", "bbox_to_anchor": (0.5, -0.02)}
        if below
        else {"loc": "center left", "bbox_to_anchor": (1.02, 0.5)}
    )
    where["ncols"] = len(handles) if below and wide else 1 + below
    ax.legend(handles=handles, frameon=False, fontsize=9, handlelength=1.6, **where)


def _coverage_cells(ax: Axes, read: np.ndarray, pad: np.ndarray) -> None:
    for (r, c), is_read in np.ndenumerate(read):
        face = COLORS["read"] if is_read else COLORS["unread"]
        style = _PAD_CELL if pad[r, c] else _CELL
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=face, **style))


def _index_ticks(axis: Any, first: int, count: int, fontsize: float) -> None:
    step = next(s for s in (1, 2, 4, 5, 10, 20, 50, 100) if count / s <= 16)
    axis.set_ticks(
        np.arange(0, count, step) + first + 0.5, [str(i) for i in range(0, count, step)]
    )
    axis.set_tick_params(
        length=0, labelsize=fontsize, labelcolor=COLORS["muted"], pad=2
    )


def draw_stride_coverage(
    size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int],
    padding: Any = 0,
    dilation: int | tuple[int, int] = 1,
    ax: Axes | None = None,
) -> Any:
    r"""Show which input rows the windows read, and which no window reads.

    With an integer ``size`` the view is one axis: the padded input as a row
    of cells above one line per window, with a dot on each tap. With a pair
    ``(H, W)`` the view is the padded grid. Cells that no window reads are
    drawn in vermillion; when the division in the output-size formula is not
    exact they are the last :math:`(i + p_b + p_a - k') \bmod s` rows, and a
    stride or dilation larger than the kernel leaves gaps as well.

    Parameters
    ----------
    size : int or (int, int)
        Input length (1-D view) or ``(H, W)`` (2-D view).
    kernel_size : int or (int, int)
        Kernel length, or ``(kh, kw)`` in the 2-D view.
    stride : int or (int, int)
        Step between windows (keyword-only and required).
    padding : int or (int, int), default 0
        1-D: zeros on both sides or ``(before, after)``. 2-D: anything
        :func:`convbook.conv2d` accepts.
    dilation : int or (int, int), default 1
        Spacing between taps.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the problem by default.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the drawing. Its axes hold one rectangle per
        padded cell (face ``COLORS['read']`` or ``COLORS['unread']``) and, in
        the 1-D view, one line per window.

    Raises
    ------
    TypeError, ValueError
        For bad sizes or a kernel longer than the padded input.

    See Also
    --------
    convbook.output_size : the number of windows.

    Notes
    -----
    Window :math:`j` reads the padded positions :math:`j s + t d` for
    :math:`0 \le t < k`, and there are
    :math:`o = \lfloor (i + p_b + p_a - d(k-1) - 1)/s \rfloor + 1` windows.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.colors import to_hex
    >>> from convbook.plot import COLORS, draw_stride_coverage
    >>> fig = draw_stride_coverage(6, 3, stride=2)  # (6 - 3) % 2 = 1 row lost
    >>> ax = fig.axes[0]
    >>> [to_hex(p.get_facecolor()) == COLORS["unread"] for p in ax.patches]
    [False, False, False, False, False, True]
    >>> len(ax.lines)  # output_size(6, 3, stride=2) windows
    2
    >>> plt.close(fig)
    """
    if ax is not None:
        ax = _check_axes(ax)
    if isinstance(size, Sequence) and not isinstance(size, str):
        return _stride_coverage_2d(size, kernel_size, stride, padding, dilation, ax)
    length = check_int("size", size, minimum=1)
    k = check_int("kernel_size", kernel_size, minimum=1)
    s = check_int("stride", stride, minimum=1)
    d = check_int("dilation", dilation, minimum=1)
    before, after = check_side_padding("padding", padding)
    count = output_size(length, k, stride=s, padding=(before, after), dilation=d)
    total = length + before + after
    read = _read_mask(total, k, s, d, count)
    pad = np.ones(total, dtype=bool)
    pad[before : before + length] = False

    step = 0.75  # vertical distance between windows, in cells
    bottom = 1.6 + step * (count - 1) + 0.5
    if ax is None:
        cell = min(0.32, (_MAX_WIDTH - 1.3) / total)
        _fig, ax = new_figure(total * cell + 1.3, bottom * cell + 1.0)
    _coverage_cells(ax, read[None, :], pad[None, :])
    for j in range(count):
        taps = j * s + d * np.arange(k) + 0.5
        ax.plot(taps, np.full(k, 1.6 + step * j), linewidth=1.5, **_DOTS)
    ax.set_xlim(-0.1, total + 0.1)
    ax.set_ylim(bottom, -0.1)
    ax.set_aspect("equal")
    _plain_axes(ax)
    _index_ticks(ax.xaxis, before, length, 8)
    ax.xaxis.tick_top()
    ax.set_yticks(
        [0.5] + [1.6 + step * j for j in range(count)],
        ["input"] + [f"window {j}" if count <= 12 else str(j) for j in range(count)],
    )
    ax.tick_params(axis="y", length=0, labelsize=8, labelcolor=COLORS["text"])
    _coverage_legend(ax, bool((~read).any()), bool(pad.any()), "kernel taps", True)
    return ax.figure


def _stride_coverage_2d(
    size: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ax: Axes | None,
) -> Any:
    height, width = check_pair("size", size, minimum=1)
    kh, kw = check_pair("kernel_size", kernel_size, minimum=1)
    sh, sw = check_pair("stride", stride, minimum=1)
    dh, dw = check_pair("dilation", dilation, minimum=1)
    (top, bottom), (left, right) = _resolve_padding(
        padding, (height, width), (kh, kw), (sh, sw), (dh, dw)
    )
    out_h = output_size(height, kh, stride=sh, padding=(top, bottom), dilation=dh)
    out_w = output_size(width, kw, stride=sw, padding=(left, right), dilation=dw)
    rows, cols = height + top + bottom, width + left + right
    read = np.outer(
        _read_mask(rows, kh, sh, dh, out_h), _read_mask(cols, kw, sw, dw, out_w)
    )
    pad = np.ones((rows, cols), dtype=bool)
    pad[top : top + height, left : left + width] = False
    if ax is None:
        cell = min(0.32, (_MAX_WIDTH - 2.4) / cols, 5.0 / rows)
        _fig, ax = new_figure(cols * cell + 2.4, rows * cell + 0.6)
    _coverage_cells(ax, read, pad)
    taps_x, taps_y = np.meshgrid(dw * np.arange(kw) + 0.5, dh * np.arange(kh) + 0.5)
    ax.plot(taps_x.ravel(), taps_y.ravel(), linestyle="none", **_DOTS)
    span = (dw * (kw - 1) + 1, dh * (kh - 1) + 1)
    outline = {"edgecolor": COLORS["window"], "linewidth": 2.2, "clip_on": False}
    ax.add_patch(Rectangle((0, 0), *span, fill=False, zorder=4, **outline))
    ax.set_xlim(-0.1, cols + 0.1)
    ax.set_ylim(rows + 0.1, -0.1)
    ax.set_aspect("equal")
    _plain_axes(ax)
    _index_ticks(ax.xaxis, left, width, 8)
    _index_ticks(ax.yaxis, top, height, 8)
    ax.xaxis.tick_top()
    _coverage_legend(ax, bool((~read).any()), bool(pad.any()), "first window", False)
    return ax.figure


# --------------------------------------------------------------------------
# Feature maps
# --------------------------------------------------------------------------


def feature_maps(
    maps: Any,
    *,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    cmap: str | Colormap | None = None,
    colorbar: bool = False,
    image: Any = None,
    image_label: str = "input",
    shared: bool = True,
    panel_size: float = 1.5,
) -> Figure:
    """Draw the channels of a ``(C, H, W)`` array as a row-major grid of panels.

    Maps with negative values use the diverging ``'RdBu_r'`` colour map
    centred at zero (red positive, blue negative); non-negative maps (after a
    ReLU) use ``'gray'`` from zero (black) to the maximum (white).

    Parameters
    ----------
    maps : array_like, shape (C, H, W) or (H, W)
        Feature maps in PyTorch's layout (one example, no batch axis).
    titles : sequence of str, optional
        One short label per map, written under its panel (not a title).
    ncols : int, default 4
        Panels per row.
    cmap : str or Colormap, optional
        Override the colour map; the limits stay symmetric for signed maps.
    colorbar : bool, default False
        Add a colour bar: one for all panels when ``shared``, else one each.
    image : array_like, optional
        An input image shown in the first panel: ``(H, W)`` grey, or colour
        as ``(3, H, W)`` (PyTorch) or ``(H, W, 3)``.
    image_label : str, default 'input'
        Label under the image panel.
    shared : bool, default True
        One colour scale for all maps, so that panels compare; ``False``
        scales each map to its own range.
    panel_size : float, default 1.5
        Side of one panel in inches (the figure is at most 7.5 inches wide).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per map (after the image's, if any), then the colour bars.

    Raises
    ------
    TypeError, ValueError
        For arrays of the wrong kind or number of dimensions, or a ``titles``
        of the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import feature_maps
    >>> fig = feature_maps(np.arange(-12, 12).reshape(6, 2, 2), ncols=3)
    >>> len(fig.axes), fig.axes[0].images[0].get_cmap().name
    (6, 'RdBu_r')
    >>> plt.close(fig)
    """
    array = check_array("maps", maps, ndim=(2, 3), layout="(C, H, W)").astype(float)
    if array.ndim == 2:
        array = array[None]
    channels = array.shape[0]
    if titles is not None and (isinstance(titles, str) or len(titles) != channels):
        raise ValueError(
            f"`titles` must hold one label per map ({channels}), got {_show(titles)}"
        )
    picture = None if image is None else _as_image("image", image)
    panels = channels + (picture is not None)
    ncols = min(check_int("ncols", ncols, minimum=1), panels)
    nrows = math.ceil(panels / ncols)
    panel_size = _check_positive("panel_size", panel_size)
    labelled = titles is not None or picture is not None
    extra = 0.9 if colorbar else 0.0
    side = min(panel_size, (_MAX_WIDTH - extra) / ncols)
    fig, axes = new_figure(
        ncols * side + extra,
        nrows * (side + (0.3 if labelled else 0.05)),
        nrows=nrows,
        ncols=ncols,
        squeeze=False,
    )
    axes = list(axes.ravel())
    for ax in axes[panels:]:
        fig.delaxes(ax)
    axes = axes[:panels]
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor(COLORS["muted"])
            spine.set_linewidth(0.6)
    if picture is not None:
        ax = axes.pop(0)
        ax.imshow(
            picture, cmap="gray" if picture.ndim == 2 else None, interpolation="nearest"
        )
        ax.set_xlabel(image_label, fontsize=9)

    def scale(values: np.ndarray) -> tuple[str | Colormap, Normalize]:
        finite = values[np.isfinite(values)]
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        if low < 0:
            bound = max(-low, high)
            return cmap or "RdBu_r", Normalize(-bound, bound)
        return cmap or "gray", Normalize(0.0, high if high > 0 else 1.0)

    common = scale(array)
    for c, ax in enumerate(axes):
        colormap, norm = common if shared else scale(array[c])
        image_artist = ax.imshow(
            array[c], cmap=colormap, norm=norm, interpolation="nearest"
        )
        if titles is not None:
            ax.set_xlabel(titles[c], fontsize=9)
        if colorbar and not shared:
            fig.colorbar(image_artist, ax=ax, fraction=0.046, pad=0.04).ax.tick_params(
                labelsize=7
            )
    if colorbar and shared:
        fig.colorbar(image_artist, ax=axes, shrink=0.85).ax.tick_params(labelsize=8)
    _white(fig)
    return fig


# --------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------


def receptive_field_overlay(
    ax: Axes,
    image: Any,
    region_rows: Any,
    region_cols: Any,
    *,
    padding_extent: Any = None,
    labels: Sequence[str] | None = None,
    colors: Sequence[str] | None = None,
) -> Axes:
    """Outline the input region that one output unit reads.

    Draws the input (an image, or a blank grid of its shape), the zero
    padding around it if asked, and one rectangle per region.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    image : array_like or (int, int)
        The input: a grey ``(H, W)`` or colour image, or just its shape
        ``(H, W)`` for a blank grid.
    region_rows, region_cols : (int, int) or sequence of (int, int)
        Inclusive ``(first, last)`` input rows and columns of each region,
        e.g. from ``convbook.receptive_field(layers).region(i)``; they may
        reach into the padding (negative or past the end).
    padding_extent : int, pair or pair of pairs, optional
        Zero padding to draw around the input, hatched.
    labels : sequence of str, optional
        One legend entry per region, shown under the axes.
    colors : sequence of str, optional
        One colour per region (default: blue, orange, green, ...).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with one rectangle per region added last (``ax.patches[-n:]``).

    Raises
    ------
    TypeError, ValueError
        For a bad image, regions with ``last < first`` or lists of different
        lengths.

    See Also
    --------
    receptive_field_layers : how the field grows layer by layer.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import new_figure, receptive_field_overlay
    >>> fig, ax = new_figure(3, 3)
    >>> ax = receptive_field_overlay(ax, (7, 7), [(1, 3), (0, 4)],
    ...                              [(1, 3), (0, 4)], labels=["A_1", "O_2"])
    >>> [p.get_width() for p in ax.patches[-2:]]
    [3, 5]
    >>> plt.close(fig)
    """
    ax = _check_axes(ax)
    blank = (
        isinstance(image, tuple | list)
        and len(image) == 2
        and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in image
        )
    )
    if blank:
        height, width = check_pair("image", tuple(image), minimum=1)
        picture = None
    else:
        picture = _as_image("image", image)
        height, width = picture.shape[:2]
    rows = _pairs("region_rows", region_rows)
    cols = _pairs("region_cols", region_cols)
    if len(rows) != len(cols):
        raise ValueError(
            f"`region_rows` has {len(rows)} regions but `region_cols` has "
            f"{len(cols)}; they must match"
        )
    if labels is not None and (isinstance(labels, str) or len(labels) != len(rows)):
        raise ValueError(
            f"`labels` must hold one label per region ({len(rows)}), "
            f"got {_show(labels)}"
        )
    palette = list(colors) if colors is not None else list(_WINDOW_COLORS)
    if padding_extent is None:
        (top, bottom), (left, right) = (0, 0), (0, 0)
    else:
        (top, bottom), (left, right) = _resolve_padding(
            padding_extent, (height, width), (1, 1), (1, 1), (1, 1)
        )

    full = (width + left + right, height + top + bottom)
    if top or bottom or left or right:
        face = {"facecolor": COLORS["padding"], **_PAD_CELL, "zorder": 0}
        ax.add_patch(Rectangle((-left, -top), *full, **face))
    if picture is None:
        ax.add_patch(Rectangle((0, 0), width, height, facecolor="white", zorder=0.5))
        lines = [
            [(x, -top), (x, height + bottom)] for x in range(-left, full[0] - left + 1)
        ]
        lines += [
            [(-left, y), (width + right, y)] for y in range(-top, full[1] - top + 1)
        ]
        thin = {"colors": COLORS["muted"], "linewidths": 0.5, "zorder": 1}
        ax.add_collection(LineCollection(lines, **thin))
        frame = {"edgecolor": COLORS["grid"], "linewidth": 1.0, "zorder": 1.5}
        ax.add_patch(Rectangle((0, 0), width, height, fill=False, **frame))
    else:
        cmap = "gray" if picture.ndim == 2 else None
        where = {"extent": (0, width, height, 0), "zorder": 0.5}
        ax.imshow(picture, cmap=cmap, interpolation="nearest", **where)
    handles = []
    areas = [
        (r1 - r0 + 1) * (c1 - c0 + 1)
        for (r0, r1), (c0, c1) in zip(rows, cols, strict=True)
    ]
    for number, ((r0, r1), (c0, c1)) in enumerate(zip(rows, cols, strict=True)):
        tone = palette[number % len(palette)]
        style = {"facecolor": to_rgba(tone, 0.12), "edgecolor": tone, "linewidth": 2.5}
        above = sum(area > areas[number] for area in areas)  # smaller on top
        box = Rectangle((c0, r0), c1 - c0 + 1, r1 - r0 + 1, zorder=5 + above, **style)
        box.set_clip_on(False)
        ax.add_patch(box)
        if labels is not None:
            handles.append(Patch(label=labels[number], **style))
    x0 = min([-left] + [c0 for c0, _ in cols]) - 0.15
    x1 = max([width + right] + [c1 + 1 for _, c1 in cols]) + 0.15
    y0 = min([-top] + [r0 for r0, _ in rows]) - 0.15
    y1 = max([height + bottom] + [r1 + 1 for _, r1 in rows]) + 0.15
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)
    ax.set_aspect("equal")
    _plain_axes(ax)
    _index_ticks(ax.xaxis, 0, width, 7)
    _index_ticks(ax.yaxis, 0, height, 7)
    ax.xaxis.tick_top()
    if handles:
        where = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.01)}
        ax.legend(handles=handles, ncols=min(len(handles), 2), frameon=False, **where)
    return ax


def _height(value: Any) -> Any:
    """The height entry of a per-axis pair; a single value is returned as is."""
    is_pair = isinstance(value, Sequence) and not isinstance(value, str)
    return value[0] if is_pair else value


def _layer_1d(layer: Any, index: int) -> tuple[int, int, Any, int] | None:
    """``(kernel_size, stride, padding, dilation)`` of a layer on the height axis.

    ``padding`` is ``(before, after)`` or the string ``'same'`` or ``'valid'``
    of a layer object; ``None`` stands for an element-wise layer (ReLU).
    """
    name = f"layers[{index}]"
    if isinstance(layer, numbers.Integral) and not isinstance(layer, bool):
        return check_int(name, layer, minimum=1), 1, (0, 0), 1
    if isinstance(layer, Sequence) and not isinstance(layer, str):
        if not 1 <= len(layer) <= 4:
            raise ValueError(
                f"`{name}` must be (kernel_size, stride, padding, dilation) with "
                f"the last three optional, got {_show(layer)}"
            )
        k, s, p, d = (*layer, *(1, 0, 1)[len(layer) - 1 :])
        attribute = False
    elif hasattr(layer, "kernel_size"):  # a layer object: take the height axis
        k, p = _height(layer.kernel_size), _height(getattr(layer, "padding", 0))
        s = _height(getattr(layer, "stride", None) or layer.kernel_size)
        d = _height(getattr(layer, "dilation", 1))
        attribute = True
    elif hasattr(layer, "receptive_params"):
        return None
    else:
        raise TypeError(
            f"`{name}` must be a kernel size, a tuple (kernel_size, stride, "
            f"padding, dilation) or a layer object, got {_show(layer)}"
        )
    sep = "." if attribute else " "
    if not (attribute and p in ("same", "valid")):
        p = check_side_padding(f"{name}{sep}padding", p)
    return (
        check_int(f"{name}{sep}kernel_size", k, minimum=1),
        check_int(f"{name}{sep}stride", s, minimum=1),
        p,
        check_int(f"{name}{sep}dilation", d, minimum=1),
    )


def receptive_field_layers(
    input_size: int,
    layers: Sequence[Any],
    *,
    unit: int | None = None,
    names: Sequence[str] | None = None,
) -> Figure:
    r"""Draw, along one axis, which units each layer's unit depends on.

    The input is the bottom row of dots and each layer a row above it, every
    unit placed over the centre of its receptive field. Lines join the traced
    top unit to the units it reads, and those to theirs, down to the input,
    where a bracket marks the receptive field.

    Parameters
    ----------
    input_size : int
        Length of the input along the drawn axis (e.g. :math:`H_i`).
    layers : sequence
        Each layer as ``kernel_size``, ``(kernel_size, stride)``,
        ``(kernel_size, stride, padding)`` or ``(kernel_size, stride,
        padding, dilation)`` (padding an int or ``(before, after)``), or a
        layer object of :mod:`convbook.layers` (``Conv2d``, ``MaxPool2d``,
        ...; the height axis is drawn). Element-wise layers such as ``ReLU``
        are skipped: they do not change the field.
    unit : int, optional
        Index of the top layer's unit to trace (default: the middle one).
    names : sequence of str, optional
        Labels of the rows, input first; by default ``input``, ``layer 1``
        (with its :math:`F` and :math:`S`), ...

    Returns
    -------
    matplotlib.figure.Figure
        A figure with one axes.

    Raises
    ------
    TypeError, ValueError
        For bad layers, a kernel that does not fit, or ``unit`` outside the
        top layer.

    See Also
    --------
    convbook.receptive_field : the same numbers, computed.
    receptive_field_overlay : the field drawn on a 2-D input.

    Notes
    -----
    With :math:`r_0 = 1` and :math:`J_0 = 1`, layer :math:`l` grows the field
    to :math:`r_l = r_{l-1} + (F_l - 1)\,d_l\,J_{l-1}` and
    :math:`J_l = J_{l-1} S_l`; for two layers
    :math:`r_2 = F_1 + (F_2 - 1) S_1` (Araujo et al., 2019).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import receptive_field_layers
    >>> fig = receptive_field_layers(9, [(3, 2), (3, 1)])
    >>> len(fig.axes)
    1
    >>> fig.axes[0].texts[-1].get_text()
    'receptive field: 7 inputs'
    >>> plt.close(fig)
    """
    length = check_int("input_size", input_size, minimum=1)
    if isinstance(layers, str) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError(
            f"`layers` must be a non-empty sequence of layers, got {_show(layers)}"
        )
    parsed = [_layer_1d(layer, i) for i, layer in enumerate(layers)]
    specs: list[tuple[int, int, tuple[int, int], int]] = []
    sizes = [length]
    for k, s, p, d in filter(None, parsed):
        if p == "valid":
            p = (0, 0)
        elif p == "same":
            p = same_padding(sizes[-1], k, stride=s, dilation=d)
        specs.append((k, s, p, d))
        sizes.append(output_size(sizes[-1], k, stride=s, padding=p, dilation=d))
    depth = len(specs)
    if depth == 0:
        raise ValueError("`layers` must hold at least one layer with a kernel")
    if names is not None and (isinstance(names, str) or len(names) != depth + 1):
        raise ValueError(
            f"`names` must hold {depth + 1} labels (input first), got {_show(names)}"
        )
    unit = sizes[-1] // 2 if unit is None else check_int("unit", unit, minimum=0)
    if unit >= sizes[-1]:
        raise ValueError(
            f"`unit` must be smaller than the top layer's size {sizes[-1]}, got {unit}"
        )

    # Size, jump and start of each level's field (the input is level 0).
    fields = (ReceptiveField(1, 1, 0), *receptive_fields(specs))
    field = [f.size for f in fields]
    jump = [f.stride for f in fields]
    start = [f.start for f in fields]

    def where(level: int, index: int) -> float:
        return start[level] + index * jump[level] + (field[level] - 1) / 2

    # Trace the dependencies from the top unit down.
    traced = [set() for _ in range(depth + 1)]
    traced[depth] = {unit}
    edges: list[list[tuple[tuple[float, float], tuple[float, float]]]] = [
        [] for _ in range(depth)
    ]
    for level in range(depth, 0, -1):
        k, s, (before, _), d = specs[level - 1]
        for u in sorted(traced[level]):
            for t in range(k):
                v = u * s - before + t * d
                traced[level - 1].add(v)
                edges[level - 1].append(
                    ((where(level, u), level), (where(level - 1, v), level - 1))
                )

    fig_width = min(
        max(0.38 * (length + 2 * specs[0][2][0] + 2) + 1.4, 3.5), _MAX_WIDTH
    )
    fig, ax = new_figure(fig_width, 0.95 * depth + 1.5)
    for segments in edges:
        ax.add_collection(
            LineCollection(
                segments,
                colors=to_rgba(COLORS["window"], 0.55),
                linewidths=1.2,
                zorder=1,
            )
        )
    xs_all: list[float] = []
    for level in range(depth + 1):
        pad_before, pad_after = specs[level][2] if level < depth else (0, 0)
        indices = range(-pad_before, sizes[level] + pad_after)
        groups: dict[str, list[float]] = {key: [] for key in _NODES}
        for index in indices:
            inside = 0 <= index < sizes[level]
            key = (
                ("field" if inside else "padread")
                if index in traced[level]
                else ("unit" if inside else "pad")
            )
            groups[key].append(where(level, index))
        xs_all.extend(where(level, i) for i in indices)
        for key, xs in groups.items():
            if xs:
                ax.plot(xs, [level] * len(xs), linestyle="none", **_NODES[key])
    ax.plot([where(depth, unit)], [depth], linestyle="none", **_NODES["traced"])
    handles = [
        Line2D([], [], linestyle="none", label=label, **_NODES[key])
        for key, label in (("traced", "traced unit"), ("field", "units it depends on"))
    ]
    if any(p for _, _, p, _ in specs):
        handles.append(
            Line2D([], [], linestyle="none", label="zero padding", **_NODES["pad"])
        )
    where_legend = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.01)}
    ax.legend(
        handles=handles, ncols=len(handles), frameon=False, fontsize=9, **where_legend
    )
    for index in range(length):
        ax.text(
            index,
            -0.32,
            str(index),
            ha="center",
            va="center",
            fontsize=7,
            color=COLORS["muted"],
        )
    first = start[depth] + unit * jump[depth]
    last = first + field[depth] - 1
    y = -0.55
    ax.plot(
        [first - 0.3, first - 0.3, last + 0.3, last + 0.3],
        [y + 0.1, y, y, y + 0.1],
        color=COLORS["output"],
        linewidth=1.5,
    )
    ax.text(
        (first + last) / 2,
        y - 0.12,
        f"receptive field: {field[depth]} inputs",
        ha="center",
        va="top",
        fontsize=9,
        color=COLORS["text"],
    )
    if names is None:
        names = ["input"] + [
            f"layer {i + 1}\n$F$={k}, $S$={s}" + (f", $d$={d}" if d > 1 else "")
            for i, (k, s, _, d) in enumerate(specs)
        ]
    ax.set_yticks(range(depth + 1), list(names))
    ax.tick_params(axis="y", length=0, labelsize=9)
    ax.set_xticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(min([*xs_all, first]) - 0.7, max([*xs_all, last]) + 0.7)
    ax.set_ylim(-1.05, depth + 0.35)
    return fig


# --------------------------------------------------------------------------
# Dependency counts and timings
# --------------------------------------------------------------------------


def dependency_heatmap(
    ax: Axes,
    counts: Any,
    *,
    annotate: bool = True,
    cmap: str | Colormap = "Blues",
    show_zeros: bool = False,
    label: str | None = None,
    show_indices: bool = True,
) -> Axes:
    r"""Colour each input pixel by how many paths lead from it to one output.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    counts : array_like of int, shape (H, W)
        Number of paths (products of weights) that join each input pixel to
        the chosen output unit, e.g. the gradient of that unit with respect
        to the input when every weight is 1 and there is no ReLU.
    annotate : bool, default True
        Write the counts in the cells.
    cmap : str or Colormap, default 'Blues'
        A sequential, colour-blind-safe map from white (few) to dark (many).
    show_zeros : bool, default False
        Write and colour the zero cells; by default they stay blank, so the
        field's footprint stands out.
    label : str, optional
        Short label under the grid.
    show_indices : bool, default True
        Number the rows and columns.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with one rectangle per pixel (see :func:`draw_grid`).

    Raises
    ------
    TypeError, ValueError
        If ``counts`` is not a 2-D array of non-negative integers.

    See Also
    --------
    draw_grid, receptive_field_overlay

    Notes
    -----
    For two stacked linear layers,
    :math:`\partial O_2[i, j] / \partial x[u, v]` sums one product of two
    weights per path :math:`x[u, v] \to O_1[m, n] \to O_2[i, j]`; with all
    weights equal to 1 it counts the paths.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import dependency_heatmap, new_figure
    >>> counts = np.outer([1, 2, 1], [1, 2, 1])
    >>> fig, ax = new_figure(3, 3)
    >>> ax = dependency_heatmap(ax, np.pad(counts, 1))
    >>> sorted(t.get_text() for t in ax.texts if t.get_position()[0] > 0)[-3:]
    ['2', '2', '4']
    >>> plt.close(fig)
    """
    ax = _check_axes(ax)
    array = check_array("counts", counts, ndim=2, layout="(H, W)")
    if (
        not np.all(np.isfinite(array))
        or np.any(array < 0)
        or not np.array_equal(array, np.round(array))
    ):
        raise ValueError("`counts` must hold non-negative integers (numbers of paths)")
    values = array.astype(float)
    top = float(values.max()) if values.size else 1.0
    if not show_zeros:
        values[values == 0] = np.nan
    return draw_grid(
        ax,
        values,
        annotate=annotate,
        cmap=cmap,
        vmin=-0.15 * max(top, 1.0),
        vmax=max(top, 1.0),
        fmt=lambda v: f"{round(float(v))}",
        label=label,
        show_indices=show_indices,
    )


def _seconds(value: float) -> str:
    """A duration with three significant digits and an SI prefix."""
    for factor, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if value >= factor or unit == "ns":
            return f"{value / factor:.3g} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def bar_timings(
    results: Mapping[str, float],
    *,
    ax: Axes | None = None,
    log: bool = True,
    color: str | None = None,
) -> Any:
    """Draw benchmark timings as horizontal bars, first entry at the top.

    Parameters
    ----------
    results : mapping of str to float
        Label of each implementation and its time per call in seconds.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    log : bool, default True
        Use a logarithmic time axis (timings often span decades).
    color : str, optional
        Bar colour (default ``COLORS['bar']``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the chart: one bar per entry, each followed by
        its time written out (e.g. ``'1.5 ms'``).

    Raises
    ------
    TypeError
        If ``results`` is not a mapping of labels to numbers.
    ValueError
        If it is empty or a time is not positive and finite.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import bar_timings
    >>> fig = bar_timings({"loops": 0.5, "im2col": 2e-3})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['500 ms', '2 ms']
    >>> plt.close(fig)
    """
    if not isinstance(results, Mapping):
        raise TypeError(
            f"`results` must be a mapping of label to seconds, got {_show(results)}"
        )
    if not results:
        raise ValueError("`results` must hold at least one timing")
    labels = [str(k) for k in results]
    times = []
    for key, value in results.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"`results[{key!r}]` must be a number of seconds, got {_show(value)}"
            )
        if not math.isfinite(value) or value <= 0:
            raise ValueError(
                f"`results[{key!r}]` must be a positive, finite number of "
                f"seconds, got {value!r}"
            )
        times.append(float(value))
    if ax is None:
        _, ax = new_figure(6.0, 0.45 * len(times) + 1.0)
    else:
        ax = _check_axes(ax)
    rows = np.arange(len(times))
    low = min(times)
    if log:
        ax.set_xscale("log")
        left = 10 ** math.floor(math.log10(low))
        left = left / 10 if left > 0.5 * low else left
        right = max(times) * 4
    else:
        left, right = 0.0, max(times) * 1.25
    ax.barh(
        rows,
        [t - left for t in times],
        left=left,
        height=0.6,
        color=color or COLORS["bar"],
        zorder=2,
    )
    for row, t in zip(rows, times, strict=True):
        ax.text(
            t * 1.12 if log else t + 0.01 * right,
            row,
            _seconds(t),
            va="center",
            ha="left",
            fontsize=9,
            color=COLORS["text"],
        )
    ax.set_yticks(rows, labels)
    ax.set_ylim(len(times) - 0.4, -0.6)
    ax.set_xlim(left, right)
    ax.xaxis.set_major_formatter(EngFormatter(unit="s"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("time per call")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.patch.set_facecolor("white")
    return ax.figure
