"""A 2-D array drawn as a grid of cells, with padding and sliding windows.

Grids are drawn in "cell" coordinates: the cell in row ``r`` and column
``c`` of the (padded) grid covers ``c <= x <= c + 1`` and
``r <= y <= r + 1``, with ``y`` pointing down, so that the picture reads
like the array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize, to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .._checks import check_array, check_int, check_pair, check_positive, show
from ..geometry import effective_kernel_size, parse_padding
from ._common import (
    auto_fontsize,
    cell_formatter,
    check_axes,
    number_cells,
    plain_axes,
    text_color,
)
from .palette import COLORS, ROLES, TINT, role_color
from .style import CELL, CENTER
from .textsize import readable_size

__all__ = ["draw_grid", "draw_operator"]


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
            f"dilation), a list of windows or a boolean mask, got {show(item)}"
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
    last_row = row + effective_kernel_size(kh, dilation=dh) - 1
    last_col = col + effective_kernel_size(kw, dilation=dw) - 1
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


def _grid_lines(ax: Axes, pad: np.ndarray) -> None:
    """Draw the borders of every cell as two polylines.

    A border next to an input cell is dark; a border between two padding
    cells (or a padding cell and the outside) is the lighter padding grey.
    Runs of borders of one colour along a line are merged into one segment,
    and each colour is one line broken by NaNs (one SVG path), the dark one
    drawn last, on top.
    """
    inside = np.pad(~pad, 1)  # False outside the grid
    # Horizontal border y = r between rows r - 1 and r, cell column c.
    across = inside[:-1, 1:-1] | inside[1:, 1:-1]  # (rows + 1, cols)
    # Vertical border x = c between columns c - 1 and c, cell row r.
    down = inside[1:-1, :-1] | inside[1:-1, 1:]  # (rows, cols + 1)
    points: dict[bool, tuple[list[float], list[float]]] = {
        False: ([], []),
        True: ([], []),
    }
    for y, line in enumerate(across):
        for dark, start, stop in _runs(line):
            points[dark][0].extend((start, stop, np.nan))
            points[dark][1].extend((y, y, np.nan))
    for x, line in enumerate(down.T):
        for dark, start, stop in _runs(line):
            points[dark][0].extend((x, x, np.nan))
            points[dark][1].extend((start, stop, np.nan))
    for dark, tone in ((False, COLORS["padding_edge"]), (True, COLORS["grid"])):
        xs, ys = points[dark]
        if xs:
            ax.add_line(
                Line2D(
                    xs,
                    ys,
                    color=tone,
                    linewidth=CELL["linewidth"],
                    solid_capstyle="projecting",
                    zorder=CELL["zorder"],
                )
            )


def _runs(flags: np.ndarray) -> list[tuple[bool, int, int]]:
    """Maximal runs ``(value, start, stop)`` of equal booleans."""
    runs = []
    start = 0
    for index in range(1, len(flags) + 1):
        if index == len(flags) or flags[index] != flags[start]:
            runs.append((bool(flags[start]), start, index))
            start = index
    return runs


def _highlight_roles(role: Any, count: int) -> list[str]:
    """One role per highlighted window (or the mask), checked."""
    if role is None:
        roles = []
    elif isinstance(role, str):
        roles = [role]
    elif isinstance(role, Sequence):
        roles = list(role)
        if len(roles) != count:
            raise ValueError(
                f"`role` must be one role or one per window ({count}), got {show(role)}"
            )
    else:
        raise TypeError(
            f"`role` must be a role name or a sequence of them, got {show(role)}"
        )
    defaults = ["window" if n % 2 == 0 else "window2" for n in range(count)]
    roles += defaults[len(roles) :]
    for name in roles:
        role_color(name)  # a clear error for an unknown role
    return roles


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
    role: str | Sequence[str] | None = None,
    fill: str | None = None,
    label_fontsize: float | None = None,
    frame: int | tuple[int, int] | None = None,
) -> Axes:
    r"""Draw a 2-D array as a grid of cells with its numbers written inside.

    Zero padding is drawn as light grey cells holding a grey 0, and a
    sliding window as a coloured outline around the cells it reads, which
    are tinted in its colour; with a dilation only the taps are tinted and
    outlined, and a dashed line shows the window's span.

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
        (dilation an int or a pair), a list of such windows (the first in
        the ``'window'`` role, the next in ``'window2'``, dashed, and so
        on alternately), or a boolean mask of the input's or the padded
        grid's shape marking single cells.
    annotate : bool, default True
        Write the numbers in the cells.
    cmap : str or Colormap, optional
        Colour the cells by value, e.g. with the palette's
        :data:`~convbook.plot.palette.DIVERGING` (signed values) or
        :data:`~convbook.plot.palette.SEQUENTIAL` (counts); by default the
        cells are white. The text turns white on dark cells.
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
    role : str or sequence of str, optional
        What the highlight marks, as a role of
        :data:`~convbook.plot.palette.ROLES` (``'window'``, ``'output'``,
        ``'field'``, ...): one role for the first window or the mask, or one
        per window. By default windows alternate ``'window'`` and
        ``'window2'`` and a mask is ``'window'``. A role drawn as a tint
        (``'kernel'``, the weights) tints its cells without an outline.
    fill : str, optional
        A role whose tint fills every cell that holds a value (not the
        padding, not NaN cells), e.g. ``'kernel'`` for a filter's weights.
    label_fontsize : float, optional
        Size of the label; by default the numbers' size, at least 9 points.
        Give the same value to every panel of a figure so that their labels
        match.
    frame : int or (int, int), optional
        Draw the grid centred in a frame of ``(rows, cols)`` cells (one int
        for both) instead of fitting the axes to it. Panels of one figure
        that have axes of the same size and the same frame get cells of the
        same size, e.g. a ``3 x 3`` input next to a ``2 x 2`` kernel drawn
        with ``frame=3``. The frame must hold the padded grid.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, holding the cells' colours as one image (``ax.images[0]``,
        one pixel per padded cell, highlighted cells tinted), their borders
        as lines (``ax.lines``: the padding's grey borders, if any, then the
        dark ones), one text per written number, then as patches: the edge
        of each marked cell of a mask and of each tap of a dilated window,
        then one outline per window (none for a tint role).

    Raises
    ------
    TypeError
        If ``ax`` is not an Axes, ``values`` is not numeric, ``padding`` is a
        string or a mask is not boolean.
    ValueError
        If ``values`` is not 2-D, a padding is negative, a window does not
        fit in the padded grid or the ``frame`` is smaller than the grid.

    See Also
    --------
    ~convbook.plot.sliding.draw_sliding_window
        Small multiples of a window sliding over a grid.

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
    >>> ax.images[0].get_array().shape  # one pixel per cell of the padded grid
    (5, 5, 3)
    >>> len(ax.texts), len(ax.patches)  # 5 x 5 numbers, 1 outline
    (25, 1)
    >>> plt.close(fig)
    """
    ax = check_axes(ax)
    array = check_array("values", values, ndim=2, layout="(H, W)")
    (top, bottom), (left, right) = parse_padding(padding, modes=False)
    height, width = array.shape
    rows, cols = height + top + bottom, width + left + right
    windows, mask = _parse_highlight(
        highlight, (rows, cols), (height, width), (top, left)
    )
    if frame is None:
        frame_rows, frame_cols = rows, cols
    else:
        frame_rows, frame_cols = check_pair("frame", frame, minimum=1)
        if frame_rows < rows or frame_cols < cols:
            raise ValueError(
                f"`frame` {(frame_rows, frame_cols)} is smaller than the padded "
                f"grid {(rows, cols)}; it must hold at least as many rows and "
                "columns"
            )
    if label_fontsize is not None:
        label_fontsize = check_positive("label_fontsize", label_fontsize)

    data = array.astype(float)
    finite = np.isfinite(data)
    to_text = cell_formatter(array, fmt)

    # Face colour of every padded cell.
    faces = np.ones((rows, cols, 3))
    pad = np.ones((rows, cols), dtype=bool)
    pad[top : top + height, left : left + width] = False
    faces[pad] = to_rgb(COLORS["padding"])
    if cmap is not None:
        colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
        low = float(np.min(data[finite])) if vmin is None and finite.any() else vmin
        high = float(np.max(data[finite])) if vmax is None and finite.any() else vmax
        low = 0.0 if low is None else low
        high = low + 1.0 if high is None or high <= low else high
        norm = Normalize(low, high)
        inside = faces[top : top + height, left : left + width]
        colored = colormap(norm(np.where(finite, data, low)))[..., :3]
        inside[finite] = colored[finite]

    if fill is not None:
        tone = np.asarray(to_rgb(role_color(fill)))
        inside = faces[top : top + height, left : left + width]
        inside[finite] = (1 - TINT) * inside[finite] + TINT * tone

    # Highlights: each tap is tinted towards its role's colour.
    roles = _highlight_roles(role, max(len(windows), 1))
    marked = (
        []
        if mask is None
        else [
            (*rc, role_color(roles[0]), ROLES[roles[0]].mark != "tint")
            for rc in zip(*np.nonzero(mask), strict=True)
        ]
    )
    outlines: list[Rectangle] = []
    for number, (row, col, kh, kw, dh, dw) in enumerate(windows):
        tone = role_color(roles[number])
        dilated = dh > 1 or dw > 1
        tinted_only = ROLES[roles[number]].mark == "tint"
        for a, b in np.ndindex(kh, kw):
            marked.append(
                (row + a * dh, col + b * dw, tone, dilated and not tinted_only)
            )
        span = (
            effective_kernel_size(kw, dilation=dw),
            effective_kernel_size(kh, dilation=dh),
        )
        if tinted_only:
            continue  # a role drawn as a tint (weights) gets no outline
        if dilated:
            style = {"linewidth": 1.3, "linestyle": "--"}
        elif ROLES[roles[number]].mark == "dashed":
            style = {"linewidth": 2.8, "linestyle": (0, (3, 1.5))}
        else:
            style = {"linewidth": 2.8}
        outlines.append(
            Rectangle((col, row), *span, fill=False, edgecolor=tone, zorder=5, **style)
        )
    shown = faces.copy()
    edges: list[Rectangle] = []
    for r, c, tone, edged in marked:
        shown[r, c] = (1 - TINT) * shown[r, c] + TINT * np.asarray(to_rgb(tone))
        if edged:
            edges.append(
                Rectangle(
                    (c, r), 1, 1, fill=False, edgecolor=tone, linewidth=2.3, zorder=4
                )
            )

    texts = {}
    if annotate:
        for r, c in np.ndindex(rows, cols):
            if pad[r, c]:
                texts[r, c] = "0"
            elif finite[r - top, c - left]:
                texts[r, c] = to_text(array[r - top, c - left])
    if fontsize is None:
        chars = max((len(t) for t in texts.values()), default=1)
        fontsize = auto_fontsize(ax, frame_rows, frame_cols, chars)

    ax.imshow(
        shown,
        extent=(0, cols, rows, 0),
        interpolation="none",
        zorder=CELL["zorder"] - 0.5,
    )
    _grid_lines(ax, pad)
    for (r, c), text in texts.items():
        tone = COLORS["muted"] if pad[r, c] else text_color(shown[r, c])
        written = ax.text(
            c + 0.5, r + 0.5, text, color=tone, fontsize=fontsize, **CENTER
        )
        written.set_in_layout(False)  # inside the cells: no need to measure it
    for patch in edges + outlines:
        patch.set_clip_on(False)
        ax.add_patch(patch)

    margin = 0.08
    x0, y0 = -(frame_cols - cols) / 2, -(frame_rows - rows) / 2
    ax.set_xlim(x0 - margin, x0 + frame_cols + margin)
    ax.set_ylim(y0 + frame_rows + margin, y0 - margin)
    ax.set_aspect("equal")
    plain_axes(ax)
    if show_indices:
        number_cells(ax, (height, width), offset=(top, left), fontsize=fontsize)
    if label is not None:
        ax.xaxis.set_label_position("bottom")
        size = readable_size(label, max(fontsize, 9.0))
        if label_fontsize is not None:
            size = label_fontsize
        ax.set_xlabel(label, fontsize=size)
    return ax


#: The operators a figure may write between its panels.
OPERATORS = ("×", "+", "→", "=", "⋆", "∗", "−")


def draw_operator(ax: Axes, symbol: str, *, fontsize: float = 20.0) -> Axes:
    """Write an operator between two panels of a figure that computes.

    Give the operator its own narrow axes between the panels (e.g. a column
    of the grid with a small width ratio); the symbol is centred in it, so
    it sits at the height of grids drawn centred in their axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The operator's axes. Its ticks and spines are removed.
    symbol : str
        One of ``×`` (multiply value by value), ``+``, ``→`` (gives),
        ``=``, ``⋆`` (cross-correlation), ``∗`` (convolution) or ``−``.
    fontsize : float, default 20
        Size of the symbol in points.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, holding one text: the symbol.

    Raises
    ------
    ValueError
        If ``symbol`` is not one of the operators above.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import draw_operator, new_figure
    >>> fig, axes = new_figure(3, 1, ncols=3, width_ratios=[3, 1, 3])
    >>> draw_operator(axes[1], "×").texts[0].get_text()
    '×'
    >>> plt.close(fig)
    """
    ax = check_axes(ax)
    if symbol not in OPERATORS:
        raise ValueError(
            f"`symbol` must be one of {' '.join(OPERATORS)}, got {show(symbol)}"
        )
    fontsize = check_positive("fontsize", fontsize)
    plain_axes(ax)
    ax.text(
        0.5,
        0.5,
        symbol,
        transform=ax.transAxes,
        fontsize=fontsize * (1.8 if symbol == "⋆" else 1.0),  # a small glyph
        color=COLORS["text"],
        **CENTER,
    )
    return ax
