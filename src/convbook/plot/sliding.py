"""A window sliding over a padded input, one panel per output position."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .._checks import check_array, check_int, show
from ..conv import conv2d
from ..geometry import resolve_geometry
from ._common import cell_formatter, fontsize_for_cell
from .grids import draw_grid
from .style import MAX_WIDTH, blank_figure, white_background

__all__ = ["draw_sliding_window"]


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
        As in :func:`convbook.conv2d <convbook.conv.conv2d>`.
    padding : int, pair, pair of pairs, 'valid' or 'same', default 0
        As in :func:`convbook.conv2d <convbook.conv.conv2d>`.
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
    ~convbook.plot.grids.draw_grid : one grid with one or more windows.
    ~convbook.shapes.output_size : the number of positions along each axis.

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
    geometry = resolve_geometry(
        x.shape,
        kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        size_name="x",
    )
    (kh, kw), (sh, sw), (dh, dw) = (
        geometry.kernel_size,
        geometry.stride,
        geometry.dilation,
    )
    (top, bottom), (left, right) = geometry.padding
    height, width = x.shape
    out_h, out_w = geometry.output_size
    if kernel is not None:
        kernel = check_array("kernel", kernel, ndim=2, layout="(kh, kw)")
        if kernel.shape != (kh, kw):
            raise ValueError(
                f"`kernel` has shape {kernel.shape} but `kernel_size` is "
                f"{(kh, kw)}; they must match"
            )
        result = conv2d(
            x[np.newaxis].astype(float),
            kernel[np.newaxis, np.newaxis].astype(float),
            stride=geometry.stride,
            padding=geometry.padding,
            dilation=geometry.dilation,
        )[0]
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
            f"`positions` must list output positions (i, j), got {show(positions)}"
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
                f"and 0 <= j < {out_w}, got {show(p)}"
            )
    positions = [(int(p[0]), int(p[1])) for p in positions]
    count = len(positions)
    if ncols is None:
        ncols = 2 if count == 4 else min(3, count)
    ncols = min(check_int("ncols", ncols, minimum=1), count)
    nrows = math.ceil(count / ncols)

    rows, cols = height + top + bottom, width + left + right
    panel = cols + out_w + 1.6
    cell = min(0.3, MAX_WIDTH / (ncols * panel))
    fig = blank_figure(
        ncols * panel * cell + 0.2, nrows * (max(rows, out_h) + 1.6) * cell + 0.2
    )
    grid = fig.add_gridspec(nrows, 2 * ncols, width_ratios=[cols, out_w] * ncols)
    to_text = cell_formatter(x, None)
    digits = max(len(to_text(v)) for v in np.ravel(x))
    if kernel is not None:
        to_text = cell_formatter(result, None)
        digits = max(digits, *(len(to_text(v)) for v in np.ravel(result)))
    size = fontsize_for_cell(cell * 72, digits)
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
        draw_grid(
            ax_out,
            shown,
            highlight=marked,
            role="output",
            label="output",
            fontsize=size,
        )
    white_background(fig)
    return fig
