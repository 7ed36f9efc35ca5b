r"""Interactive figures for the book's pages: their markup and starting state.

Each function returns an object that a notebook displays as HTML: the
widget's controls and text, already showing its starting state, every number
computed here by ``convbook``. The book's site adds a small script
(``convbook-widgets.js``) that makes the controls work; without it, or in a
plain notebook, the starting state is what the reader sees. Any data a widget
needs (an image, weights) travels inside its markup as JSON, written from the
arrays the caller passes, so the page and the chapter can never disagree.

The functions serve three chapters: :func:`shape_calculator` the output-shape
chapter, :func:`sliding_window` the chapter on convolution and
cross-correlation, :func:`layer2_explorer` the second-layer chapter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .conv import conv2d
from .geometry import resolve_axis
from .receptive import receptive_field
from .text import MINUS, minus_sign

__all__ = ["Widget", "layer2_explorer", "shape_calculator", "sliding_window"]

_RULES = {
    "same": ("pytorch-same", 'PyTorch "same"'),
    "same-tf": ("tensorflow-same", 'TensorFlow "SAME"'),
    "valid": ("valid", '"valid"'),
}


@dataclass(frozen=True)
class Widget:
    """An interactive figure: HTML for the page, plain text elsewhere.

    Attributes
    ----------
    html : str
        The markup, starting state included.
    text : str
        What the starting state says, for outputs that cannot show HTML.
    """

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def _num(value: int | float) -> str:
    return minus_sign(str(value))


def _decimal(a: int, b: int) -> str:
    """``a / b`` to at most three decimals, half up, ``≈`` when inexact."""
    r = (2000 * a + b) // (2 * b)
    frac = f"{r % 1000:03d}".rstrip("0")
    approx = "\u2248" if (1000 * a) % b else ""
    return approx + str(r // 1000) + ("." + frac if frac else "")


def _row_list(rows: list[int]) -> str:
    if not rows:
        return "none"
    shown = rows[:10] if len(rows) > 12 else rows
    more = f", \u2026 ({len(rows)} rows)" if len(rows) > 12 else ""
    return ", ".join(map(str, shown)) + more


def _axis(size: int, kernel: int, stride: int, padding: int | str, dilation: int):
    """One axis resolved by the package's geometry (its checks and messages)."""
    return resolve_axis(size, kernel, stride=stride, padding=padding, dilation=dilation)


def _data(payload: dict) -> str:
    # "</" cannot end the script element early: JSON allows "<\/".
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return (
        '<script type="application/json" class="cb-data">'
        + text.replace("</", "<\\/")
        + "</script>"
    )


def _number(name: str, label: str, value: int, low: int, high: int) -> str:
    return (
        f'<label>{label} <input type="number" name="{name}" '
        f'min="{low}" max="{high}" step="1" value="{value}" '
        'inputmode="numeric" disabled></label>'
    )


def _layer_fields(suffix: str, kernel, stride, padding, dilation) -> str:
    rule = "explicit" if isinstance(padding, int) else _RULES[padding][0]
    options = [("explicit", "a number of zeros"), *_RULES.values()]
    select = "".join(
        f'<option value="{value}"{" selected" if value == rule else ""}>'
        f"{label}</option>"
        for value, label in options
    )
    number = padding if isinstance(padding, int) else 0
    return (
        _number("kernel" + suffix, "kernel <var>k</var>", kernel, 1, 64)
        + _number("stride" + suffix, "stride <var>s</var>", stride, 1, 64)
        + f'<label>padding rule <select name="rule{suffix}" disabled>'
        + select
        + "</select></label>"
        + _number("padding" + suffix, "zeros each side <var>p</var>", number, 0, 64)
        + _number("dilation" + suffix, "dilation <var>d</var>", dilation, 1, 64)
    )


def _layer_results(suffix, size, kernel, stride, padding, dilation):
    axis = _axis(size, kernel, stride, padding, dilation)
    before, after, out = axis.before, axis.after, axis.output_size
    span, room = axis.span, axis.padded - axis.span
    formula = (
        f"o = \u230a({size} + {before} + {after} {MINUS} {span}) / {stride}"
        f"\u230b + 1 = \u230a{_decimal(room, stride)}\u230b + 1 = {out}"
    )
    unread = _row_list(list(axis.unread_inputs()))
    markup = (
        f'<p>output size <output name="size{suffix}-out">{out}</output>, '
        f'padding before, after <output name="padding{suffix}-out">'
        f"{before}, {after}</output></p>"
        f'<p class="cb-formula" data-role="formula{suffix}">{formula}</p>'
        f'<p data-role="unread{suffix}">Input rows that no window reads: '
        f"{unread}.</p>"
    )
    return markup, (before, after, out), formula


def shape_calculator(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    second: tuple[int, int, int | str, int] = (3, 1, 1, 1),
) -> Widget:
    """Return the shape calculator, starting at the given settings.

    Parameters
    ----------
    size, kernel_size, stride, dilation : int
        The first layer along one axis, as for :func:`convbook.output_size`.
    padding : int or str
        Zeros on each side (default 0), PyTorch's ``'same'`` (stride 1 only),
        TensorFlow's ``'SAME'`` (``'same-tf'``) or no padding.
    second : tuple
        ``(kernel_size, stride, padding, dilation)`` of a second layer that
        reads the first layer's output; by default ``(3, 1, 1, 1)``.

    Returns
    -------
    Widget

    Raises
    ------
    ValueError
        If a setting is out of range or no window fits, with the package's
        message.

    Examples
    --------
    >>> from convbook.widgets import shape_calculator
    >>> print(shape_calculator(5, 3, stride=2, padding=1))
    Shape calculator: o = ⌊(5 + 1 + 1 − 3) / 2⌋ + 1 = ⌊2⌋ + 1 = 3
    Layer 2 (kernel 3, stride 1, padding 1, dilation 1): output 3, field 7, jump 2
    """
    layer1, (b1, _, out1), formula = _layer_results(
        "", size, kernel_size, stride, padding, dilation
    )
    k2, s2, p2, d2 = second
    layer2, (b2, _, out2), _ = _layer_results("2", out1, k2, s2, p2, d2)
    field = receptive_field([(kernel_size, stride, b1, dilation), (k2, s2, b2, d2)])
    first, last = field.region(0)
    body = (
        '<div class="cb-widget" data-widget="shape-calculator" role="group" '
        'aria-label="Shape calculator">'
        "<fieldset><legend>Layer 1, along one axis</legend>"
        + _number("size", "input size <var>i</var>", size, 1, 4096)
        + _layer_fields("", kernel_size, stride, padding, dilation)
        + layer1
        + "</fieldset>"
        "<fieldset><legend>Layer 2, reading layer 1's output</legend>"
        + _layer_fields("2", k2, s2, p2, d2)
        + layer2
        + '<p>receptive field <output name="rf-out">'
        f"{field.size}</output> input rows, jump "
        f'<output name="jump-out">{field.stride}</output></p>'
        '<p data-role="field">Second-layer unit 0 sees input rows '
        f"{_num(first)} to {_num(last)}; each next unit is {field.stride} rows "
        "further on.</p></fieldset></div>"
    )
    text = (
        f"Shape calculator: {formula}\nLayer 2 (kernel {k2}, stride {s2}, "
        f"padding {p2}, dilation {d2}): output {out2}, field "
        f"{field.size}, jump {field.stride}"
    )
    return Widget(body, text)


def _nested(array: np.ndarray) -> list:
    return np.asarray(array, dtype=float).tolist()


def layer2_explorer(
    x: np.ndarray,
    w1: np.ndarray,
    b1: np.ndarray,
    w2: np.ndarray,
    b2: np.ndarray,
    *,
    layers: tuple[tuple[int, int, int, int], tuple[int, int, int, int]],
    unit: tuple[int, int, int] = (0, 0, 0),
    channels: tuple[int, ...] = (0,),
) -> Widget:
    """Return the layer-2 explorer for a two-layer network and its input.

    Parameters
    ----------
    x : ndarray
        The input, ``(C, H, W)`` (PyTorch layout, channels first).
    w1, b1 : ndarray
        First-layer weights ``(K1, C, F1, F1)`` and biases ``(K1,)``.
    w2, b2 : ndarray
        Second-layer weights ``(K2, K1, F2, F2)`` and biases ``(K2,)``.
    layers : pair of tuples
        ``(kernel_size, stride, padding, dilation)`` of each layer, with a
        symmetric integer padding.
    unit : tuple of int
        The second-layer unit ``(k, i, j)`` selected at the start; by
        default the corner unit of channel 0.
    channels : tuple of int
        The second-layer channels whose weights the page carries (channel 0
        by default).

    Returns
    -------
    Widget

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.widgets import layer2_explorer
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> print(layer2_explorer(x, w, np.zeros(1), w, np.zeros(1),
    ...                       layers=((3, 1, 1, 1), (3, 1, 1, 1))))
    Second-layer unit (0, 0, 0) = 100.000; it depends on input rows 0-2 and columns 0-2.
    """
    (f1, s1, p1, d1), (f2, s2, p2, d2) = layers
    k, i, j = unit
    a1 = np.maximum(conv2d(x, w1, b1, stride=s1, padding=p1, dilation=d1), 0)
    o2 = conv2d(a1, w2[[k]], b2[[k]], stride=s2, padding=p2, dilation=d2)
    value = float(o2[0, i, j])
    field = receptive_field([(f1, s1, p1, d1), (f2, s2, p2, d2)])
    rows = [
        max(r, 0) if n == 0 else min(r, x.shape[1] - 1)
        for n, r in enumerate(field.region(i))
    ]
    cols = [
        max(c, 0) if n == 0 else min(c, x.shape[2] - 1)
        for n, c in enumerate(field.region(j))
    ]
    value_text = f"{value:#.6g}"
    field_text = f"{rows[0]}-{rows[1]},{cols[0]}-{cols[1]}"
    payload = {
        "x": _nested(x),
        "w1": _nested(w1),
        "b1": _nested(b1),
        "w2": _nested(np.asarray(w2)[list(channels)]),
        "b2": _nested(np.asarray(b2)[list(channels)]),
        "channels": list(channels),
        "layers": [
            {"kernel": f, "stride": s, "padding": p, "dilation": d}
            for f, s, p, d in layers
        ],
        "unit": [k, i, j],
    }
    body = (
        '<div class="cb-widget" data-widget="layer2-explorer" role="group" '
        'aria-label="Layer-2 explorer">'
        + _data(payload)
        + '<div class="cb-maps"></div>'
        '<p aria-live="polite">Second-layer unit '
        f'<span data-role="unit">({k}, {i}, {j})</span> = '
        f'<output name="value-out">{value_text}</output>; it depends on input '
        f'rows and columns <output name="field-out">{field_text}</output> '
        "(first-last, inclusive, counted from 0).</p></div>"
    )
    text = (
        f"Second-layer unit ({k}, {i}, {j}) = {value_text}; it depends on "
        f"input rows {rows[0]}-{rows[1]} and columns {cols[0]}-{cols[1]}."
    )
    return Widget(body, text)


def _select(name: str, label: str, values: list[int], chosen: int) -> str:
    options = "".join(
        f'<option value="{v}"{" selected" if v == chosen else ""}>{v}</option>'
        for v in values
    )
    return f'<label>{label} <select name="{name}" disabled>{options}</select></label>'


def sliding_window(
    x: np.ndarray,
    w: np.ndarray,
    *,
    position: tuple[int, int] = (0, 0),
    strides: tuple[int, ...] = (1, 2),
    paddings: tuple[int, ...] = (0, 1, 2),
    dilations: tuple[int, ...] = (1, 2),
) -> Widget:
    """Return the sliding window over one image and one kernel.

    It starts at stride, padding and dilation ``strides[0]``, ``paddings[0]``
    and ``dilations[0]``, at output ``position``.

    Parameters
    ----------
    x : ndarray of int
        The image, ``(H, W)``.
    w : ndarray of int
        The kernel, ``(kh, kw)``.
    position : tuple of int
        The output position ``(i, j)`` shown first, by default the first.
    strides, paddings, dilations : tuple of int
        The choices the reader is offered.

    Returns
    -------
    Widget

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.widgets import sliding_window
    >>> x = np.arange(1, 10).reshape(3, 3)
    >>> print(sliding_window(x, np.array([[1, 0], [0, -1]]), position=(0, 1)))
    O[0, 1] = 2·1 + 3·0 + 5·0 + 6·(−1) = −4
    """
    x = np.asarray(x)
    w = np.asarray(w)
    if x.dtype.kind not in "iu" or w.dtype.kind not in "iu":
        raise TypeError(
            "`x` and `w` must hold integers (the window shows exact sums), "
            f"got {x.dtype} and {w.dtype}"
        )
    stride, padding, dilation = strides[0], paddings[0], dilations[0]
    out = conv2d(
        x[None], w[None, None], stride=stride, padding=padding, dilation=dilation
    )[0]
    i, j = position
    terms = []
    padded = np.pad(x, padding)
    for u, v in np.ndindex(*w.shape):
        pixel = int(padded[stride * i + dilation * u, stride * j + dilation * v])
        weight = int(w[u, v])
        shown = f"({_num(weight)})" if weight < 0 else _num(weight)
        terms.append(f"{_num(pixel)}\u00b7{shown}")
    total = int(np.rint(out[i, j]))
    sum_text = f"O[{i}, {j}] = " + " + ".join(terms) + f" = {_num(total)}"
    n = out.shape[0] * out.shape[1]
    step = i * out.shape[1] + j
    payload = {"x": x.tolist(), "w": w.tolist(), "step": step}
    body = (
        '<div class="cb-widget" data-widget="sliding-window" role="group" '
        'aria-label="Sliding window">'
        + _data(payload)
        + '<div class="cb-controls">'
        + _select("stride", "stride", list(strides), stride)
        + _select("padding", "padding", list(paddings), padding)
        + _select("dilation", "dilation", list(dilations), dilation)
        + "</div>"
        '<div class="cb-controls">'
        '<button type="button" name="back" disabled>\u25c0 back</button>'
        '<button type="button" name="play" disabled>\u25b6 play</button>'
        '<button type="button" name="pause" disabled>\u275a\u275a pause</button>'
        '<button type="button" name="step" disabled>step \u25b6</button>'
        "</div>"
        '<div class="cb-maps"></div>'
        f'<p data-role="position">Position {step + 1} of {n}: output row {i}, '
        f"column {j}.</p>"
        f'<p class="cb-formula" data-role="sum" aria-live="polite">{sum_text}</p>'
        "</div>"
    )
    return Widget(body, sum_text)
