"""The input region that one output unit reads, drawn on the input."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Colormap, to_rgba
from matplotlib.patches import Patch, Rectangle

from .._checks import check_pair, show
from ..geometry import parse_padding
from ._common import as_image, check_axes, index_ticks, parse_ranges, plain_axes
from .palette import COLORS, role_color
from .style import PAD_CELL
from .textsize import readable_size

__all__ = ["receptive_field_overlay"]


def receptive_field_overlay(
    ax: Axes,
    image: Any,
    region_rows: Any,
    region_cols: Any,
    *,
    padding_extent: Any = None,
    labels: Sequence[str] | None = None,
    roles: str | Sequence[str] = "field",
    cmap: str | Colormap | None = None,
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
    roles : str or sequence of str, default 'field'
        What each region is, as a role of
        :data:`~convbook.plot.palette.ROLES`: one for all regions or one per
        region, e.g. ``'field'`` for a deeper unit's receptive field and
        ``'window'`` for a first-layer unit's, which is its window.
    cmap : str or Colormap, optional
        Colour map of a grey ``(H, W)`` image (default ``'gray'``), scaled
        from the image's minimum to its maximum; e.g. ``'Blues'`` for a map
        of gradient magnitudes. Colour images keep their own colours.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with one rectangle per region added last (``ax.patches[-n:]``).

    Raises
    ------
    TypeError, ValueError
        For a bad image, regions with ``last < first``, lists of different
        lengths or a ``cmap`` given without a grey image.

    See Also
    --------
    ~convbook.plot.tracing.receptive_field_layers : how the field grows layer by layer.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import new_figure, receptive_field_overlay
    >>> fig, ax = new_figure(3, 3)
    >>> ax = receptive_field_overlay(ax, (7, 7), [(1, 3), (0, 4)],
    ...                              [(1, 3), (0, 4)], labels=["A_1", "O_2"],
    ...                              roles=["window", "field"])
    >>> [p.get_width() for p in ax.patches[-2:]]
    [3, 5]
    >>> plt.close(fig)
    >>> fig, ax = new_figure(3, 3)
    >>> ax = receptive_field_overlay(ax, np.outer([1, 2, 1], [1, 2, 1]),
    ...                              (0, 2), (0, 2), cmap="Blues")
    >>> ax.images[0].get_cmap().name, ax.images[0].get_clim()
    ('Blues', (1, 4))
    >>> plt.close(fig)
    """
    ax = check_axes(ax)
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
        picture = as_image("image", image)
        height, width = picture.shape[:2]
    if cmap is not None and (picture is None or picture.ndim != 2):
        got = "a shape" if picture is None else f"a colour image {picture.shape}"
        raise ValueError(
            f"`cmap` colours a grey (H, W) image, but `image` is {got}; "
            "pass the values to colour as a 2-D array, or leave `cmap` out"
        )
    rows = parse_ranges("region_rows", region_rows)
    cols = parse_ranges("region_cols", region_cols)
    if len(rows) != len(cols):
        raise ValueError(
            f"`region_rows` has {len(rows)} regions but `region_cols` has "
            f"{len(cols)}; they must match"
        )
    if labels is not None and (isinstance(labels, str) or len(labels) != len(rows)):
        raise ValueError(
            f"`labels` must hold one label per region ({len(rows)}), got {show(labels)}"
        )
    if isinstance(roles, str):
        roles = [roles] * len(rows)
    if not isinstance(roles, Sequence) or len(roles) != len(rows):
        raise ValueError(
            f"`roles` must be one role or one per region ({len(rows)}), "
            f"got {show(roles)}"
        )
    palette = [role_color(role) for role in roles]
    if padding_extent is None:
        (top, bottom), (left, right) = (0, 0), (0, 0)
    else:
        (top, bottom), (left, right) = parse_padding(
            padding_extent, name="padding_extent", modes=False
        )

    full = (width + left + right, height + top + bottom)
    if top or bottom or left or right:
        face = {"facecolor": COLORS["padding"], **PAD_CELL, "zorder": 0}
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
        colormap = (cmap or "gray") if picture.ndim == 2 else None
        where = {"extent": (0, width, height, 0), "zorder": 0.5}
        ax.imshow(picture, cmap=colormap, interpolation="none", **where)
    handles = []
    areas = [
        (r1 - r0 + 1) * (c1 - c0 + 1)
        for (r0, r1), (c0, c1) in zip(rows, cols, strict=True)
    ]
    for number, ((r0, r1), (c0, c1)) in enumerate(zip(rows, cols, strict=True)):
        tone = palette[number]
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
    plain_axes(ax)
    index_ticks(ax.xaxis, 0, width, 9)
    index_ticks(ax.yaxis, 0, height, 9)
    ax.xaxis.tick_top()
    if handles:
        where = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.01)}
        size = max(readable_size(str(label), 10) for label in labels)
        ax.legend(
            handles=handles,
            ncols=min(len(handles), 2),
            frameon=False,
            fontsize=size,
            **where,
        )
    return ax
