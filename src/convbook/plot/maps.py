"""Arrays drawn as images: feature-map channels and dependency counts.

:func:`feature_maps` shows the channels of a ``(C, H, W)`` array side by
side; :func:`dependency_heatmap` shows how many paths join each input pixel
to one output unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from .._checks import check_array, check_int, check_pair, check_positive, show
from ..geometry import parse_padding
from ._common import as_image, auto_fontsize, check_axes, number_cells
from .grids import draw_grid
from .palette import COLORS, DIVERGING, SEQUENTIAL
from .style import MAX_WIDTH, new_figure, white_background
from .textsize import readable_size

__all__ = ["dependency_heatmap", "feature_maps"]


def feature_maps(
    maps: Any,
    *,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    cmap: str | Colormap | None = None,
    colorbar: bool = False,
    image: Any = None,
    image_label: str = "input",
    shared: bool | Sequence[Any] = True,
    panel_size: float = 1.5,
    row_labels: Sequence[str] | None = None,
    signed: bool | None = None,
) -> Figure:
    """Draw the channels of a ``(C, H, W)`` array as a row-major grid of panels.

    Signed maps use the palette's diverging scale
    (:data:`~convbook.plot.palette.DIVERGING`: blue negative, white zero, red
    positive) with limits symmetric about zero; other maps, such as the
    channels of a photograph, use ``'gray'`` from zero (black) to the
    maximum (white).

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
    signed : bool, optional
        Draw the maps as signed values (diverging scale, symmetric limits),
        even if none is negative, e.g. maps after a ReLU shown next to the
        maps before it; by default maps are signed if a value is negative.
    colorbar : bool, default False
        Add a colour bar: one for all panels when ``shared``, else one each.
    image : array_like, optional
        An input image shown in the first panel: ``(H, W)`` grey, or colour
        as ``(3, H, W)`` (PyTorch) or ``(H, W, 3)``.
    image_label : str, default 'input'
        Label under the image panel.
    shared : bool or sequence, default True
        One colour scale for all maps, so that panels compare; ``False``
        scales each map to its own range; a sequence of one key per map
        gives the maps with equal keys one scale, e.g. ``[0, 1, 0, 1]`` for
        two maps each shown before and after a ReLU.
    panel_size : float, default 1.5
        Side of one panel in inches (the figure is at most 7.5 inches wide).
    row_labels : sequence of str, optional
        One label per row of panels, written vertically to the left of the
        row's first panel, e.g. ``["before ReLU", "after ReLU"]``.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per map (after the image's, if any), then the colour bars.
        Each map is drawn with ``interpolation='none'``: one cell per value,
        never smoothed, and not resampled in SVG output.

    Raises
    ------
    TypeError, ValueError
        For arrays of the wrong kind or number of dimensions, or ``titles``
        or ``row_labels`` of the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import feature_maps
    >>> fig = feature_maps(np.arange(-12, 12).reshape(6, 2, 2), ncols=3)
    >>> len(fig.axes), fig.axes[0].images[0].get_cmap().name
    (6, 'convbook-diverging')
    >>> plt.close(fig)
    >>> fig = feature_maps(np.arange(8).reshape(2, 2, 2), ncols=1,
    ...                    row_labels=["first", "second"])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['first', 'second']
    >>> plt.close(fig)
    """
    array = check_array("maps", maps, ndim=(2, 3), layout="(C, H, W)").astype(float)
    if array.ndim == 2:
        array = array[None]
    channels = array.shape[0]
    if titles is not None and (isinstance(titles, str) or len(titles) != channels):
        raise ValueError(
            f"`titles` must hold one label per map ({channels}), got {show(titles)}"
        )
    picture = None if image is None else as_image("image", image)
    panels = channels + (picture is not None)
    ncols = min(check_int("ncols", ncols, minimum=1), panels)
    nrows = math.ceil(panels / ncols)
    panel_size = check_positive("panel_size", panel_size)
    if row_labels is not None and (
        isinstance(row_labels, str) or len(row_labels) != nrows
    ):
        raise ValueError(
            f"`row_labels` must hold one label per row of panels ({nrows}), "
            f"got {show(row_labels)}"
        )
    labelled = titles is not None or picture is not None
    extra = 0.9 if colorbar else 0.0
    side = min(panel_size, (MAX_WIDTH - extra) / ncols)
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
    if row_labels is not None:
        for row, text in enumerate(row_labels):
            axes[row * ncols].set_ylabel(text, fontsize=readable_size(text, 9))
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor(COLORS["muted"])
            spine.set_linewidth(0.6)
    if picture is not None:
        ax = axes.pop(0)
        ax.imshow(
            picture, cmap="gray" if picture.ndim == 2 else None, interpolation="none"
        )
        ax.set_xlabel(image_label, fontsize=readable_size(image_label, 9))

    def scale(values: np.ndarray) -> tuple[str | Colormap, Normalize]:
        finite = values[np.isfinite(values)]
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        if signed or (signed is None and low < 0):
            bound = max(-low, high, 0.0) or 1.0
            return cmap or DIVERGING, Normalize(-bound, bound)
        return cmap or "gray", Normalize(0.0, high if high > 0 else 1.0)

    groups = None
    if not isinstance(shared, bool):
        if isinstance(shared, str) or not isinstance(shared, Sequence):
            raise TypeError(
                f"`shared` must be True, False or one key per map, got {show(shared)}"
            )
        if len(shared) != channels:
            raise ValueError(
                f"`shared` must hold one key per map ({channels}), got {show(shared)}"
            )
        groups = np.array([list(shared).index(key) for key in shared])
    common = scale(array)
    per_map = groups is not None or not shared
    for c, ax in enumerate(axes):
        if groups is not None:
            colormap, norm = scale(array[groups == groups[c]])
        else:
            colormap, norm = common if shared else scale(array[c])
        image_artist = ax.imshow(
            array[c], cmap=colormap, norm=norm, interpolation="none"
        )
        if titles is not None:
            ax.set_xlabel(titles[c], fontsize=readable_size(titles[c], 9))
        if colorbar and per_map:
            fig.colorbar(image_artist, ax=ax, fraction=0.046, pad=0.04).ax.tick_params(
                labelsize=9
            )
    if colorbar and not per_map:
        fig.colorbar(image_artist, ax=axes, shrink=0.85).ax.tick_params(labelsize=9)
    white_background(fig)
    return fig


def _count_text(value: float) -> str:
    return f"{round(float(value))}"


def _padding_ring(
    shape: tuple[int, int], pads: tuple[tuple[int, int], tuple[int, int]]
) -> PathPatch:
    """A hatched, unfilled patch over the padding ring of a grid."""
    rows, cols = shape
    (top, bottom), (left, right) = pads
    outer = [(0, 0), (cols, 0), (cols, rows), (0, rows), (0, 0)]
    inner = [
        (left, top),
        (left, rows - bottom),
        (cols - right, rows - bottom),
        (cols - right, top),
        (left, top),
    ]  # the opposite way round, so that it is a hole
    codes = [Path.MOVETO, *[Path.LINETO] * 3, Path.CLOSEPOLY]
    ring = Path(outer + inner, codes + codes)
    return PathPatch(
        ring,
        fill=False,
        hatch="//",
        edgecolor=COLORS["padding_edge"],
        linewidth=0,
        zorder=2,
    )


def dependency_heatmap(
    ax: Axes,
    counts: Any,
    *,
    annotate: bool = True,
    cmap: str | Colormap = SEQUENTIAL,
    show_zeros: bool = False,
    label: str | None = None,
    show_indices: bool = True,
    padding: Any = 0,
    first_index: int | tuple[int, int] | None = None,
    vmax: float | None = None,
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
    cmap : str or Colormap, default :data:`~convbook.plot.palette.SEQUENTIAL`
        A sequential map from white (few) to dark (many).
    show_zeros : bool, default False
        Write and colour the zero cells; by default they stay blank, so the
        field's footprint stands out.
    label : str, optional
        Short label under the grid.
    show_indices : bool, default True
        Number the rows and columns.
    padding : int, (int, int) or ((int, int), (int, int)), default 0
        How many of the outer rows and columns of ``counts`` are zero
        padding (all sides, ``(ph, pw)`` or ``((top, bottom), (left,
        right))``). They are hatched and keep their counts: paths through a
        padding zero exist, they just carry no pixel.
    first_index : int or (int, int), optional
        Number written on the first row and column (one int for both). By
        default the first cell after the padding is numbered 0, so that
        padding rows get negative numbers, as in image coordinates.
    vmax : float, optional
        Count shown in the darkest colour (default: the largest count).
        Give panels that are compared the same ``vmax``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with the cells drawn by :func:`~convbook.plot.grids.draw_grid`
        and, if there is padding, one hatched patch over the padding ring
        (``ax.patches[-1]``).

    Raises
    ------
    TypeError, ValueError
        If ``counts`` is not a 2-D array of non-negative integers, the
        padding is not a valid padding or does not fit in ``counts``, or
        ``vmax`` is not a positive number.

    See Also
    --------
    ~convbook.plot.grids.draw_grid, ~convbook.plot.fields.receptive_field_overlay

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

    The same counts with their outer ring marked as padding, numbered from
    -1, on a colour scale whose darkest colour is 8 paths:

    >>> fig, ax = new_figure(3, 3)
    >>> ax = dependency_heatmap(ax, np.pad(counts, 1), padding=1, vmax=8)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['−1', '0', '1', '2', '3']
    >>> ax.patches[-1].get_hatch()  # the padding ring
    '//'
    >>> plt.close(fig)
    """
    ax = check_axes(ax)
    array = check_array("counts", counts, ndim=2, layout="(H, W)")
    if (
        not np.all(np.isfinite(array))
        or np.any(array < 0)
        or not np.array_equal(array, np.round(array))
    ):
        raise ValueError("`counts` must hold non-negative integers (numbers of paths)")
    pads = parse_padding(padding, modes=False)
    (top, bottom), (left, right) = pads
    rows, cols = array.shape
    if top + bottom > rows or left + right > cols:
        raise ValueError(
            f"`padding` {pads} does not fit in `counts` of shape {array.shape}; "
            "it counts rows and columns of `counts` itself"
        )
    first = (
        (-top, -left) if first_index is None else check_pair("first_index", first_index)
    )
    values = array.astype(float)
    top_count = float(values.max()) if values.size else 1.0
    darkest = max(top_count, 1.0) if vmax is None else check_positive("vmax", vmax)
    if not show_zeros:
        values[values == 0] = np.nan
    chars = max((len(_count_text(v)) for v in np.ravel(array)), default=1)
    fontsize = auto_fontsize(ax, rows, cols, chars)
    draw_grid(
        ax,
        values,
        annotate=annotate,
        cmap=cmap,
        vmin=-0.15 * darkest,
        vmax=darkest,
        fmt=_count_text,
        label=label,
        fontsize=fontsize,
    )
    if show_indices:
        number_cells(ax, array.shape, first=first, fontsize=fontsize)
    if top or bottom or left or right:
        ax.add_patch(_padding_ring(array.shape, pads))
    return ax
