"""One unit traced down through the layers to its receptive field, on one axis."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._checks import check_int, show
from ..geometry import padding_sides, parse_axis_padding
from ..receptive import ReceptiveField, receptive_fields
from ..shapes import output_size
from .style import _MAX_WIDTH, COLORS, new_figure

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
                f"the last three optional, got {show(layer)}"
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
            f"padding, dilation) or a layer object, got {show(layer)}"
        )
    sep = "." if attribute else " "
    if not (attribute and isinstance(p, str)):
        p = parse_axis_padding(p, name=f"{name}{sep}padding", modes=False)
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
    unit placed over the centre of its receptive field, and each layer's
    zero padding drawn as grey squares at its ends. Lines join the traced
    top unit to the units it reads, and those to theirs, down to the input,
    where a bracket marks the receptive field.

    A padding zero that a traced unit reads is outlined in the tracing
    colour, and the tracing stops there: the zero is a constant added by the
    next layer, not a unit computed from the layer below, so nothing under
    it can change it. Near a border the traced pixels can therefore be
    fewer than the bracket, which spans the receptive field as
    :func:`~convbook.receptive.receptive_field` computes it.

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
    ~convbook.receptive.receptive_field : the same numbers, computed.
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
    length = check_int("input_size", input_size, minimum=1)
    if isinstance(layers, str) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError(
            f"`layers` must be a non-empty sequence of layers, got {show(layers)}"
        )
    parsed = [_layer_1d(layer, i) for i, layer in enumerate(layers)]
    specs: list[tuple[int, int, tuple[int, int], int]] = []
    sizes = [length]
    for k, s, p, d in filter(None, parsed):
        p = padding_sides(p, k, stride=s, dilation=d, size=sizes[-1])
        specs.append((k, s, p, d))
        sizes.append(output_size(sizes[-1], k, stride=s, padding=p, dilation=d))
    depth = len(specs)
    if depth == 0:
        raise ValueError("`layers` must hold at least one layer with a kernel")
    if names is not None and (isinstance(names, str) or len(names) != depth + 1):
        raise ValueError(
            f"`names` must hold {depth + 1} labels (input first), got {show(names)}"
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
            if not 0 <= u < sizes[level]:
                continue  # a padding zero: a constant, it reads nothing
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
