"""One unit traced down through the layers to its receptive field, on one axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._checks import show
from ..receptive import trace_unit
from .palette import COLORS
from .style import MAX_WIDTH, new_figure

__all__ = ["receptive_field_layers"]


_NODE = {"markersize": 8, "markeredgewidth": 1.2, "zorder": 3}
_NODES = {
    "unit": {
        "marker": "o",
        "markerfacecolor": "white",
        "markeredgecolor": COLORS["muted"],
    },
    "field": {
        "marker": "o",
        "markerfacecolor": COLORS["field"],
        "markeredgecolor": COLORS["field"],
    },
    "pad": {
        "marker": "s",
        "markerfacecolor": COLORS["padding"],
        "markeredgecolor": COLORS["padding_edge"],
    },
    "padread": {
        "marker": "s",
        "markerfacecolor": COLORS["padding"],
        "markeredgecolor": COLORS["field"],
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


def receptive_field_layers(
    input_size: int,
    layers: Sequence[Any],
    *,
    unit: int | None = None,
    names: Sequence[str] | None = None,
) -> Figure:
    r"""Draw, along one axis, which units each layer's unit depends on.

    The input is the bottom row of dots and each layer a row above it, every
    unit placed over the centre of its receptive field, and each layer's
    zero padding drawn as grey squares at its ends. Lines join the traced
    top unit to the units it reads, and those to theirs, down to the input,
    where a bracket marks the receptive field.

    The traced unit has the ``'output'`` colour of the palette, the units
    it depends on, and the bracket, the ``'field'`` colour. A padding zero
    that a traced unit reads is outlined in the field's colour, and the
    tracing stops there: the zero is a constant added by the next layer,
    not a unit computed from the layer below, so nothing under it can
    change it. Near a border the traced pixels can therefore be
    fewer than the bracket, which spans the receptive field as
    :func:`~convbook.receptive.receptive_field` computes it.

    Parameters
    ----------
    input_size : int
        Length of the input along the drawn axis (e.g. :math:`H_i`).
    layers : sequence
        The layers, each as :func:`convbook.layer_window` reads it: a tuple
        ``(kernel_size[, stride[, padding[, dilation]]])`` or a layer object
        of :mod:`convbook.layers` (``Conv2d``, ``MaxPool2d``, ...; the height
        axis is drawn). Element-wise layers such as ``ReLU`` are skipped:
        they do not change the field.
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
        As :func:`convbook.trace_unit`, which computes everything drawn; and
        if ``names`` does not hold one label per row.

    See Also
    --------
    ~convbook.receptive.trace_unit : the numbers drawn here.
    ~convbook.receptive.receptive_field : the field alone.
    ~convbook.plot.fields.receptive_field_overlay : the field drawn on a 2-D input.

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

    At the border of the question's network (two 3-wide layers, stride 1,
    padding 1), unit 0 reads a padding zero of layer 1, and no line leaves
    that zero:

    >>> fig = receptive_field_layers(8, [(3, 1, 1), (3, 1, 1)], unit=0)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['traced unit', 'units it depends on', 'zero padding', 'padding read']
    >>> [len(c.get_segments()) for c in fig.axes[0].collections]
    [6, 3]
    >>> plt.close(fig)
    """
    trace = trace_unit(input_size, layers, unit=unit)
    depth, sizes, length, unit = trace.depth, trace.sizes, trace.sizes[0], trace.unit
    if names is not None and (isinstance(names, str) or len(names) != depth + 1):
        raise ValueError(
            f"`names` must hold {depth + 1} labels (input first), got {show(names)}"
        )
    traced = [set(positions) for positions in trace.reached]
    where = trace.center
    edges = [
        [((where(level + 1, u), level + 1), (where(level, v), level)) for u, v in pairs]
        for level, pairs in enumerate(trace.edges)
    ]
    specs = [(w.kernel_size, w.stride, w.padding, w.dilation) for w in trace.windows]

    fig_width = min(max(0.38 * (length + 2 * specs[0][2][0] + 2) + 1.4, 3.5), MAX_WIDTH)
    fig, ax = new_figure(fig_width, 0.95 * depth + 1.5)
    for segments in edges:
        ax.add_collection(
            LineCollection(
                segments,
                colors=to_rgba(COLORS["field"], 0.7),
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
    if any(sum(p) for _, _, p, _ in specs):
        handles.append(
            Line2D([], [], linestyle="none", label="zero padding", **_NODES["pad"])
        )
    if any(
        not 0 <= index < sizes[level]
        for level in range(depth)
        for index in traced[level]
    ):
        handles.append(
            Line2D([], [], linestyle="none", label="padding read", **_NODES["padread"])
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
            fontsize=9,
            color=COLORS["muted"],
        )
    first, last = trace.field.region(unit)
    y = -0.55
    ax.plot(
        [first - 0.3, first - 0.3, last + 0.3, last + 0.3],
        [y + 0.1, y, y, y + 0.1],
        color=COLORS["field"],
        linewidth=1.8,
    )
    ax.text(
        (first + last) / 2,
        y - 0.12,
        f"receptive field: {trace.field.size} inputs",
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
