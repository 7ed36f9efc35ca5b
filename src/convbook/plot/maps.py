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

from .._checks import _show, check_array, check_int
from ._common import _as_image, _check_axes
from .grids import draw_grid
from .style import _MAX_WIDTH, COLORS, _check_positive, _white, new_figure

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
        ``ax``, with one rectangle per pixel (see
        :func:`~convbook.plot.grids.draw_grid`).

    Raises
    ------
    TypeError, ValueError
        If ``counts`` is not a 2-D array of non-negative integers.

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
