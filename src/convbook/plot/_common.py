"""Building blocks the drawing modules share: axes, cell text, images, ranges.

Private to :mod:`convbook.plot` as a whole, like :mod:`convbook._checks`: its
names are plain so that every drawing module imports them from this one home,
and none of them is re-exported or part of the API. The house style itself
(palette, cell styles, figures) lives in :mod:`convbook.plot.style`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._checks import check_array, check_int, check_type, show
from ..text import minus_sign
from .palette import COLORS
from .textsize import readable_size

__all__: list[str] = []  # private module: nothing here is public


def root_figure(ax: Axes) -> Figure:
    """Return the top-level figure holding ``ax`` (through any subfigure)."""
    fig = ax.figure
    while not isinstance(fig, Figure):
        fig = fig.figure
    return fig


def check_axes(ax: Any) -> Axes:
    allowed = "a matplotlib Axes (e.g. from `new_figure()`)"
    return check_type("ax", ax, Axes, allowed)


def plain_axes(ax: Axes) -> None:
    """Remove ticks and spines, keeping the axis labels usable."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.patch.set_facecolor("white")


def index_ticks(axis: Any, first: int, count: int, fontsize: float) -> None:
    step = next(s for s in (1, 2, 4, 5, 10, 20, 50, 100) if count / s <= 16)
    axis.set_ticks(
        np.arange(0, count, step) + first + 0.5, [str(i) for i in range(0, count, step)]
    )
    axis.set_tick_params(
        length=0, labelsize=fontsize, labelcolor=COLORS["muted"], pad=2
    )


def _luminance(rgb: Sequence[float]) -> float:
    """Relative luminance (WCAG) of an sRGB colour."""
    channels = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]
    ]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def text_color(face: Sequence[float]) -> str:
    """Black text on light cells, white text on dark ones."""
    return COLORS["text"] if _luminance(face) > 0.22 else "white"


def _short_float(value: float) -> str:
    """A float with at most two decimals and no trailing zeros."""
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def cell_formatter(
    values: np.ndarray, fmt: str | Callable[[float], str] | None
) -> Callable[[float], str]:
    """Choose how the numbers in the cells are written."""
    if callable(fmt):
        return fmt
    if isinstance(fmt, str):
        return lambda v: minus_sign(fmt.format(v))
    if fmt is not None:
        raise TypeError(
            f"`fmt` must be a format string such as '{{:.1f}}', a callable or "
            f"None, got {show(fmt)}"
        )
    finite = values[np.isfinite(values)]
    if np.issubdtype(values.dtype, np.integer) or np.array_equal(
        finite, np.round(finite)
    ):
        return lambda v: minus_sign(f"{round(float(v))}")
    return lambda v: minus_sign(_short_float(v))


def auto_fontsize(ax: Axes, nrows: int, ncols: int, chars: int) -> float:
    """A font size that fits ``chars`` characters in one cell of the grid."""
    width, height = root_figure(ax).get_size_inches()
    box = ax.get_position()
    cell = 72 * min(width * box.width / ncols, height * box.height / nrows)
    return fontsize_for_cell(cell, chars)


def fontsize_for_cell(cell_points: float, chars: int) -> float:
    size = min(0.42 * cell_points, 0.8 * cell_points / (0.62 * max(chars, 1)))
    return float(np.clip(size, readable_size("0", 0.0), 13.0))


def as_image(name: str, image: Any) -> np.ndarray:
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


def parse_ranges(name: str, value: Any) -> list[tuple[int, int]]:
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
                f"got {show(value)}"
            )
        first = check_int(f"{name} first", item[0])
        last = check_int(f"{name} last", item[1])
        if last < first:
            raise ValueError(f"`{name}` must have first <= last, got ({first}, {last})")
        pairs.append((first, last))
    return pairs


def number_cells(
    ax: Axes,
    shape: tuple[int, int],
    *,
    offset: tuple[int, int] = (0, 0),
    first: tuple[int, int] = (0, 0),
    fontsize: float,
) -> None:
    """Write row numbers on the left and column numbers on top of a grid.

    ``shape`` cells are numbered, starting ``offset`` cells from the padded
    grid's top-left corner; the first gets the number ``first``.
    """
    small = readable_size("0", fontsize * 0.8)
    for axis, count, start, number in zip(
        (ax.yaxis, ax.xaxis), shape, offset, first, strict=True
    ):
        axis.set_ticks(
            np.arange(count) + start + 0.5,
            [minus_sign(str(number + i)) for i in range(count)],
        )
    ax.xaxis.tick_top()
    ax.tick_params(length=0, labelsize=small, labelcolor=COLORS["muted"], pad=2)
