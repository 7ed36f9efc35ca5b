"""Which input rows and columns a strided window reads, and which it skips."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..geometry import resolve_axis, resolve_geometry
from ._common import check_axes, index_ticks, plain_axes, root_figure
from .palette import COLORS, tint
from .style import CELL, MAX_WIDTH, PAD_CELL, new_figure

__all__ = ["draw_stride_coverage"]


_DOTS = {"color": COLORS["window"], "marker": "o", "markersize": 4.5, "zorder": 3}


def _coverage_legend(
    ax: Axes, unread: bool, padding: bool, window: str, below: bool
) -> None:
    grid = {"edgecolor": COLORS["grid"]}
    handles = [Patch(facecolor=tint("window"), label="read", **grid)]
    if unread:
        handles.append(
            Patch(facecolor=COLORS["never_read"], label="never read", **grid)
        )
    if padding:
        handles.append(Patch(facecolor="white", label="zero padding", **PAD_CELL))
    dots = {"color": COLORS["window"], "marker": "o", "markersize": 5, "linewidth": 1.5}
    handles.append(Line2D([], [], label=window, **dots))
    wide = root_figure(ax).get_size_inches()[0] >= 5.5
    where = (
        {"loc": "upper center", "bbox_to_anchor": (0.5, -0.02)}
        if below
        else {"loc": "center left", "bbox_to_anchor": (1.02, 0.5)}
    )
    where["ncols"] = len(handles) if below and wide else 1 + below
    ax.legend(handles=handles, frameon=False, fontsize=9, handlelength=1.6, **where)


def _coverage_cells(ax: Axes, read: np.ndarray, pad: np.ndarray) -> None:
    for (r, c), is_read in np.ndenumerate(read):
        face = tint("window") if is_read else COLORS["never_read"]
        style = PAD_CELL if pad[r, c] else CELL
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=face, **style))


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
    ``(H, W)`` the view is the padded grid. Cells that a window reads are
    tinted in the ``'window'`` colour, cells that no window reads are drawn
    in the ``'never_read'`` colour; when the division in the output-size
    formula is not exact they are the last
    :math:`(i + p_b + p_a - k') \bmod s` rows, and a stride or dilation
    larger than the kernel leaves gaps as well.

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
        :func:`convbook.conv2d <convbook.conv.conv2d>` accepts.
    dilation : int or (int, int), default 1
        Spacing between taps.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure sized to the problem by default.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the drawing. Its axes hold one rectangle per
        padded cell (face ``tint('window')`` if a window reads it, else
        ``COLORS['never_read']``) and, in
        the 1-D view, one line per window.

    Raises
    ------
    TypeError, ValueError
        For bad sizes or a kernel longer than the padded input.

    See Also
    --------
    ~convbook.shapes.output_size : the number of windows.

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
    >>> [to_hex(p.get_facecolor()) == COLORS["never_read"].lower()
    ...  for p in ax.patches]
    [False, False, False, False, False, True]
    >>> len(ax.lines)  # output_size(6, 3, stride=2) windows
    2
    >>> plt.close(fig)
    """
    if ax is not None:
        ax = check_axes(ax)
    if isinstance(size, Sequence) and not isinstance(size, str):
        return _stride_coverage_2d(size, kernel_size, stride, padding, dilation, ax)
    axis = resolve_axis(
        size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    length, k, s, d = axis.size, axis.kernel_size, axis.stride, axis.dilation
    before, count, total = axis.before, axis.output_size, axis.padded
    read = axis.read_mask()
    pad = np.ones(total, dtype=bool)
    pad[before : before + length] = False

    step = 0.75  # vertical distance between windows, in cells
    bottom = 1.6 + step * (count - 1) + 0.5
    if ax is None:
        cell = min(0.32, (MAX_WIDTH - 1.3) / total)
        _fig, ax = new_figure(total * cell + 1.3, bottom * cell + 1.0)
    _coverage_cells(ax, read[None, :], pad[None, :])
    for j in range(count):
        taps = j * s + d * np.arange(k) + 0.5
        ax.plot(taps, np.full(k, 1.6 + step * j), linewidth=1.5, **_DOTS)
    ax.set_xlim(-0.1, total + 0.1)
    ax.set_ylim(bottom, -0.1)
    ax.set_aspect("equal")
    plain_axes(ax)
    index_ticks(ax.xaxis, before, length, 9)
    ax.xaxis.tick_top()
    ax.set_yticks(
        [0.5] + [1.6 + step * j for j in range(count)],
        ["input"] + [f"window {j}" if count <= 12 else str(j) for j in range(count)],
    )
    ax.tick_params(axis="y", length=0, labelsize=9, labelcolor=COLORS["text"])
    if count > 12:
        ax.set_ylabel("window", fontsize=9)
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
    geometry = resolve_geometry(
        size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    (height, width), (kh, kw) = geometry.size, geometry.kernel_size
    (dh, dw), ((top, _), (left, _)) = geometry.dilation, geometry.padding
    rows, cols = geometry.padded
    read = np.outer(geometry.height.read_mask(), geometry.width.read_mask())
    pad = np.ones((rows, cols), dtype=bool)
    pad[top : top + height, left : left + width] = False
    if ax is None:
        cell = min(0.32, (MAX_WIDTH - 2.4) / cols, 5.0 / rows)
        _fig, ax = new_figure(cols * cell + 2.4, rows * cell + 0.6)
    _coverage_cells(ax, read, pad)
    taps_x, taps_y = np.meshgrid(dw * np.arange(kw) + 0.5, dh * np.arange(kh) + 0.5)
    ax.plot(taps_x.ravel(), taps_y.ravel(), linestyle="none", **_DOTS)
    span = geometry.span[::-1]  # (x, y) extent of the first window
    outline = {"edgecolor": COLORS["window"], "linewidth": 2.2, "clip_on": False}
    ax.add_patch(Rectangle((0, 0), *span, fill=False, zorder=4, **outline))
    ax.set_xlim(-0.1, cols + 0.1)
    ax.set_ylim(rows + 0.1, -0.1)
    ax.set_aspect("equal")
    plain_axes(ax)
    index_ticks(ax.xaxis, left, width, 8)
    index_ticks(ax.yaxis, top, height, 8)
    ax.xaxis.tick_top()
    _coverage_legend(ax, bool((~read).any()), bool(pad.any()), "first window", False)
    return ax.figure
