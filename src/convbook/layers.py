"""Layer descriptions: output shapes, parameters and costs from input shapes.

The classes here hold no weights: they describe a layer (its kernel size,
stride, padding, ...) so that the shape of its output, its number of
parameters and its cost can be computed from the shape of its input. Their
arguments mirror ``torch.nn`` (``Conv2d``, ``ReLU``, ``MaxPool2d``,
``AvgPool2d``) so that a network written for PyTorch can be described with the
same numbers. :func:`convbook.summarize <convbook.summary.summarize>` puts
them together into a layer-by-layer table.

Shapes are ``(C, H, W)``: channels first, as in PyTorch, for one sample.

Counting conventions, used throughout:

- *parameters* are the learned numbers: a convolution has ``K * C * kh * kw``
  weights plus ``K`` biases; ReLU and pooling have none.
- *MACs* are multiply-accumulate operations, one multiplication and one
  addition each, so FLOPs are about ``2 * MACs``. Only the convolutions'
  weighted sums are counted, ``K * H_out * W_out * C * kh * kw``; the bias
  additions, ReLU's comparisons and pooling's comparisons or averages count 0.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ._checks import check_choice, check_int, check_pair, check_type, show
from .geometry import (
    AxisGeometry,
    Geometry,
    check_ceil_mode,
    check_pool_padding,
    padding_sides,
    parse_axis_padding,
    parse_padding,
    resolve_axis,
    resolve_geometry,
)

__all__ = [
    "AvgPool2d",
    "AxisWindow",
    "Conv2d",
    "Layer",
    "MaxPool2d",
    "ReLU",
    "conv2d_macs",
    "conv2d_parameters",
    "layer_window",
]


Pair = tuple[int, int]
Padding2d = tuple[Pair, Pair]


def check_shape(name: str, value: Any) -> tuple[int, int, int]:
    """Return a ``(C, H, W)`` shape as a tuple of positive ints."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(
            f"`{name}` must be a tuple (channels, height, width), got {show(value)}"
        )
    if len(value) != 3:
        raise ValueError(
            f"`{name}` must be (channels, height, width), channels first, "
            f"got {show(value)} with {len(value)} elements"
        )
    channels, height, width = (
        check_int(f"{name}[{i}]", v, minimum=1) for i, v in enumerate(value)
    )
    return channels, height, width


def check_bias_flag(value: Any) -> bool:
    """Return ``value`` if it is a bool (``bias`` is a switch, not a number)."""
    return check_type("bias", value, bool, "True or False")


def _show_pair(prefix: str, pair: Pair) -> str:
    """Render ``(3, 3)`` as ``'s3'`` and ``(1, 2)`` as ``'s(1,2)'``."""
    if pair[0] == pair[1]:
        return f"{prefix}{pair[0]}"
    return f"{prefix}({pair[0]},{pair[1]})"


def _show_padding(padding: str | Padding2d) -> str:
    """Render a resolved or string padding compactly for a layer's name."""
    if isinstance(padding, str):
        return padding
    (top, bottom), (left, right) = padding
    if top == bottom == left == right:
        return f"p{top}"
    if top == bottom and left == right:
        return f"p({top},{left})"
    return f"p(({top},{bottom}),({left},{right}))"


_AXES = ("height", "width")

_LAYER_FORMS = (
    "a tuple (kernel_size[, stride[, padding[, dilation]]]) or a layer object "
    "such as Conv2d"
)


class AxisWindow(NamedTuple):
    """What a layer does along one axis: the window it slides.

    Returned by :func:`layer_window`; ``padding`` is ``(before, after)`` or a
    padding name (see :mod:`convbook.geometry`), resolved once the input
    length is known.

    Examples
    --------
    >>> from convbook import layer_window
    >>> window = layer_window((3, 2, "same-tf"))
    >>> window.before(8), window.resolve(8).output_size
    (0, 4)
    """

    kernel_size: int
    stride: int
    padding: str | Pair
    dilation: int
    ceil_mode: bool = False

    def before(self, size: int | None = None) -> int:
        """Zeros before the input; ``size`` is needed only for ``'same-tf'``."""
        return padding_sides(
            self.padding,
            self.kernel_size,
            stride=self.stride,
            dilation=self.dilation,
            size=size,
        )[0]

    def resolve(self, size: int) -> AxisGeometry:
        """The window on an input of length ``size``."""
        return resolve_axis(
            size,
            self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            ceil_mode=self.ceil_mode,
        )


def _on_axis(value: Any, axis: int) -> Any:
    """One axis's entry of an int-or-pair attribute."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return value[axis] if len(value) == 2 else value
    return value


def layer_window(
    layer: Any, *, axis: str = "height", index: int | None = None
) -> AxisWindow | None:
    """Describe one layer along one axis: the one reading of a layer.

    :func:`~convbook.receptive.receptive_fields`, :func:`~convbook.receptive.trace_unit`
    and the figures of :mod:`convbook.plot` read layers through this
    function, so a layer is written the same way for all of them.

    Parameters
    ----------
    layer : tuple or Layer
        A tuple ``(kernel_size[, stride[, padding[, dilation]]])`` of
        integers for one axis (stride 1, padding 0 and dilation 1 by default;
        padding may be ``(before, after)`` or a name such as ``'same'``), or
        a layer object: anything with a ``kernel_size`` attribute
        (:class:`Conv2d`, :class:`MaxPool2d`, :class:`AvgPool2d`, ...; its
        ``stride``, ``padding`` and ``dilation`` are read when present), or an
        element-wise layer such as :class:`ReLU`.
    axis : {'height', 'width'}, default 'height'
        Which axis of a layer object to read; a tuple describes one axis.
    index : int, optional
        The layer's position in its stack, for the messages
        (``layers[index]``).

    Returns
    -------
    AxisWindow or None
        None for an element-wise layer, which leaves sizes and receptive
        fields unchanged.

    Raises
    ------
    TypeError
        If ``layer`` is none of these, or a number is not an integer.
    ValueError
        If a tuple has the wrong length or a number is out of range.

    Examples
    --------
    >>> from convbook import Conv2d, ReLU, layer_window
    >>> layer_window((3, 1, 1))
    AxisWindow(kernel_size=3, stride=1, padding=(1, 1), dilation=1, ceil_mode=False)
    >>> layer_window(Conv2d(3, 8, (3, 5), padding="same"), axis="width").padding
    'same'
    >>> layer_window(ReLU()) is None
    True
    """
    axis_index = _AXES.index(check_choice("axis", axis, _AXES))
    name = "layer" if index is None else f"layers[{index}]"
    if hasattr(layer, "kernel_size"):
        pads = parse_padding(getattr(layer, "padding", 0), name=f"{name}.padding")
        stride = getattr(layer, "stride", None)
        values = (
            _on_axis(layer.kernel_size, axis_index),
            _on_axis(layer.kernel_size if stride is None else stride, axis_index),
            pads if isinstance(pads, str) else pads[axis_index],
            _on_axis(getattr(layer, "dilation", 1), axis_index),
        )
        ceil_mode = check_ceil_mode(getattr(layer, "ceil_mode", False))
    elif isinstance(layer, Layer):
        return None
    elif isinstance(layer, Sequence) and not isinstance(layer, str):
        if not 1 <= len(layer) <= 4:
            raise ValueError(
                f"`{name}` must be {_LAYER_FORMS}, got {show(layer)} with "
                f"{len(layer)} elements"
            )
        values = (*layer, *(1, 0, 1)[len(layer) - 1 :])
        ceil_mode = False
    else:
        hint = (
            " (a kernel size alone is written (3,); pass a list of layers, "
            "e.g. [(3, 1, 1, 1)], not a single layer)"
            if isinstance(layer, numbers.Number)
            else ""
        )
        raise TypeError(f"`{name}` must be {_LAYER_FORMS}, got {show(layer)}{hint}")
    kernel_size, stride, padding, dilation = values
    return AxisWindow(
        check_int(f"{name}.kernel_size", kernel_size, minimum=1),
        check_int(f"{name}.stride", stride, minimum=1),
        parse_axis_padding(padding, name=f"{name}.padding"),
        check_int(f"{name}.dilation", dilation, minimum=1),
        ceil_mode,
    )


class Layer:
    """The base of the layer descriptions: what every layer provides.

    By default a layer is element-wise: it keeps the shape, has no
    parameters, counts no MACs and leaves the receptive field unchanged.
    """

    @property
    def parameters(self) -> int:
        """Number of learned values (weights and biases)."""
        return 0

    def output_shape(self, input_shape: Sequence[int]) -> tuple[int, int, int]:
        """Return the ``(C, H, W)`` output shape for a ``(C, H, W)`` input."""
        return check_shape("input_shape", input_shape)

    def macs(self, input_shape: Sequence[int]) -> int:
        """Return the multiply-accumulates for one sample of this shape."""
        self.output_shape(input_shape)
        return 0

    def receptive_params(
        self, input_shape: Sequence[int] | None = None
    ) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
        """Return ``(kernel, stride, padding before, dilation)`` per axis.

        The first tuple is for the height, the second for the width, read
        through :func:`layer_window`; an element-wise layer gives
        ``(1, 1, 0, 1)``.

        Parameters
        ----------
        input_shape : (int, int, int), optional
            ``(C, H, W)``; needed only for ``padding='same-tf'`` with a
            stride above 1, where the padding depends on the input size.

        Raises
        ------
        ValueError
            If ``padding='same-tf'``, a stride is above 1 and
            ``input_shape`` is missing.
        """
        sizes: tuple[int | None, ...] = (None, None)
        if input_shape is not None:
            sizes = check_shape("input_shape", input_shape)[1:]
        params = []
        for axis, size in zip(_AXES, sizes, strict=True):
            window = layer_window(self, axis=axis)
            if window is None:
                params.append((1, 1, 0, 1))
                continue
            try:
                before = window.before(size)
            except ValueError as error:
                raise ValueError(f"{self}: {error}; pass `input_shape`") from None
            params.append((window.kernel_size, window.stride, before, window.dilation))
        return params[0], params[1]


@dataclass(frozen=True)
class Conv2d(Layer):
    r"""A 2-D convolution layer (cross-correlation, as in ``torch.nn.Conv2d``).

    Parameters
    ----------
    in_channels : int
        Channels of the input, :math:`C`.
    out_channels : int
        Number of filters, :math:`K`; channels of the output.
    kernel_size : int or (int, int)
        Kernel height and width.
    stride : int or (int, int), default 1
        Step between windows, per axis.
    padding : int, (int, int), ((int, int), (int, int)) or str
        Zeros around the input: one number for all sides, ``(ph, pw)`` per
        axis, ``((top, bottom), (left, right))``, ``'valid'`` (none),
        ``'same'`` (PyTorch's rule, stride 1 only) or ``'same-tf'``
        (TensorFlow's rule: output ``ceil(size / stride)``); see
        :mod:`convbook.geometry`.
    dilation : int or (int, int), default 1
        Spacing between kernel taps, per axis.
    bias : bool, default True
        Whether each filter adds a learned bias.

    Attributes
    ----------
    kernel_size, stride, dilation : (int, int)
        Stored as ``(height, width)`` pairs.
    padding : ((int, int), (int, int)) or str
        Stored as ``((top, bottom), (left, right))``, or the string.

    Raises
    ------
    TypeError
        If a size is not an integer or ``bias`` is not a bool.
    ValueError
        If a size is out of range or ``padding`` is malformed.

    See Also
    --------
    conv2d_parameters, conv2d_macs, ~convbook.summary.summarize

    Notes
    -----
    Output channel :math:`k` at position :math:`(i, j)` is

    .. math::

        O[k, i, j] = b_k + \sum_{c=0}^{C-1} \sum_{m=0}^{k_h-1}
        \sum_{n=0}^{k_w-1} W[k, c, m, n]\,
        X_p[c,\ i s_h + m d_h,\ j s_w + n d_w]

    where :math:`X_p` is the zero-padded input.

    Examples
    --------
    >>> from convbook import Conv2d
    >>> conv = Conv2d(3, 16, 3, padding=1)
    >>> conv.output_shape((3, 28, 28))
    (16, 28, 28)
    >>> conv.parameters
    448
    >>> conv.macs((3, 28, 28))
    338688
    >>> print(conv)
    Conv2d(3->16, 3x3, s1, p1)
    """

    in_channels: int
    out_channels: int
    kernel_size: int | Pair
    stride: int | Pair = 1
    padding: int | Pair | Padding2d | str = 0
    dilation: int | Pair = 1
    bias: bool = True

    def __post_init__(self) -> None:
        for name in ("in_channels", "out_channels"):
            value = check_int(name, getattr(self, name), minimum=1)
            object.__setattr__(self, name, value)
        for name in ("kernel_size", "stride", "dilation"):
            value = check_pair(name, getattr(self, name), minimum=1)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "padding", parse_padding(self.padding))
        for axis, name in enumerate(("height", "width")):
            padding_sides(  # 'same' with a stride is refused at once
                self.padding if isinstance(self.padding, str) else (0, 0),
                self.kernel_size[axis],
                stride=self.stride[axis],
                dilation=self.dilation[axis],
                size=self.kernel_size[axis],
                axis=name,
            )
        check_bias_flag(self.bias)

    def __str__(self) -> str:
        kh, kw = self.kernel_size
        parts = [
            f"{self.in_channels}->{self.out_channels}",
            f"{kh}x{kw}",
            _show_pair("s", self.stride),
            _show_padding(self.padding),
        ]
        if self.dilation != (1, 1):
            parts.append(_show_pair("d", self.dilation))
        if not self.bias:
            parts.append("no bias")
        return f"Conv2d({', '.join(parts)})"

    def geometry(self, height: int, width: int) -> Geometry:
        """Return the resolved window geometry on an ``height x width`` input."""
        return resolve_geometry(
            (height, width),
            self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
        )

    @property
    def parameters(self) -> int:
        """Number of weights ``K*C*kh*kw`` plus ``K`` biases when ``bias``."""
        return conv2d_parameters(
            self.in_channels, self.out_channels, self.kernel_size, bias=self.bias
        )

    def output_shape(self, input_shape: Sequence[int]) -> tuple[int, int, int]:
        """Return the output shape for an input shape.

        Parameters
        ----------
        input_shape : (int, int, int)
            ``(C, H, W)`` of one sample, channels first.

        Returns
        -------
        (int, int, int)
            ``(out_channels, H_out, W_out)``, each size from
            :func:`convbook.output_size <convbook.shapes.output_size>`.

        Raises
        ------
        ValueError
            If the input's channels differ from ``in_channels`` or the kernel
            does not fit in the padded input.
        """
        channels, height, width = check_shape("input_shape", input_shape)
        if channels != self.in_channels:
            raise ValueError(
                f"`input_shape` has {channels} channels but the layer's "
                f"`in_channels` is {self.in_channels}; they must match "
                "(shapes are (C, H, W), channels first)"
            )
        return (self.out_channels, *self.geometry(height, width).output_size)

    def macs(self, input_shape: Sequence[int]) -> int:
        """Return the multiply-accumulates for one sample.

        Parameters
        ----------
        input_shape : (int, int, int)
            ``(C, H, W)`` of one sample, channels first.

        Returns
        -------
        int
            ``K * H_out * W_out * C * kh * kw`` (bias additions not counted).
        """
        _, out_h, out_w = self.output_shape(input_shape)
        kh, kw = self.kernel_size
        return self.out_channels * out_h * out_w * self.in_channels * kh * kw


@dataclass(frozen=True)
class ReLU(Layer):
    r"""The rectified linear unit, :math:`\max(x, 0)` element by element.

    It keeps the shape, has no parameters, counts no MACs and leaves the
    receptive field unchanged.

    Examples
    --------
    >>> from convbook import ReLU
    >>> ReLU().output_shape((16, 28, 28))
    (16, 28, 28)
    >>> ReLU().parameters
    0
    """

    def __str__(self) -> str:
        return "ReLU()"


class _Pool2d(Layer):
    """Shared checks and shape rule of the pooling layers."""

    kernel_size: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    ceil_mode: bool

    def _normalise(self) -> None:
        if self.stride is None:
            object.__setattr__(self, "stride", self.kernel_size)
        for name, minimum in (
            ("kernel_size", 1),
            ("stride", 1),
            ("padding", 0),
            ("dilation", 1),
        ):
            value = check_pair(name, getattr(self, name), minimum=minimum)
            object.__setattr__(self, name, value)
        check_pool_padding(self.padding, self.kernel_size)
        object.__setattr__(self, "ceil_mode", check_ceil_mode(self.ceil_mode))

    def geometry(self, height: int, width: int) -> Geometry:
        """Return the resolved window geometry on an ``height x width`` input."""
        return resolve_geometry(
            (height, width),
            self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            ceil_mode=self.ceil_mode,
        )

    def _describe(self, name: str) -> str:
        kh, kw = self.kernel_size
        parts = [f"{kh}x{kw}", _show_pair("s", self.stride)]
        if self.padding != (0, 0):
            parts.append(_show_pair("p", self.padding))
        if self.dilation != (1, 1):
            parts.append(_show_pair("d", self.dilation))
        if self.ceil_mode:
            parts.append("ceil")
        return f"{name}({', '.join(parts)})"

    def output_shape(self, input_shape: Sequence[int]) -> tuple[int, int, int]:
        """Return the output shape for an input shape.

        Parameters
        ----------
        input_shape : (int, int, int)
            ``(C, H, W)`` of one sample, channels first.

        Returns
        -------
        (int, int, int)
            ``(C, H_out, W_out)``: pooling keeps the channels.

        Raises
        ------
        ValueError
            If the window does not fit in the padded input.
        """
        channels, height, width = check_shape("input_shape", input_shape)
        return (channels, *self.geometry(height, width).output_size)


@dataclass(frozen=True)
class MaxPool2d(_Pool2d):
    """Max pooling over windows, as ``torch.nn.MaxPool2d``.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size`` (no overlap).
    padding : int or (int, int), default 0
        Padding on both sides of each axis, at most half the window (PyTorch's
        rule); padded positions never win the maximum.
    dilation : int or (int, int), default 1
        Spacing between window taps.
    ceil_mode : bool, default False
        Count a last window that runs past the end, as PyTorch's
        ``ceil_mode`` (see :func:`convbook.pool_output_size`).

    Raises
    ------
    TypeError
        If a size is not an integer.
    ValueError
        If a size is out of range or ``padding`` exceeds half the window.

    Examples
    --------
    >>> from convbook import MaxPool2d
    >>> pool = MaxPool2d(2)
    >>> pool.output_shape((16, 28, 28))
    (16, 14, 14)
    >>> print(pool)
    MaxPool2d(2x2, s2)
    """

    kernel_size: int | Pair
    stride: int | Pair | None = None
    padding: int | Pair = 0
    dilation: int | Pair = 1
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        self._normalise()

    def __str__(self) -> str:
        return self._describe("MaxPool2d")


@dataclass(frozen=True)
class AvgPool2d(_Pool2d):
    """Average pooling over windows, as ``torch.nn.AvgPool2d``.

    Padded zeros are included in the average (PyTorch's default,
    ``count_include_pad=True``); the output size uses the floor.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Zeros on both sides of each axis, at most half the window.
    ceil_mode : bool, default False
        Count a last window that runs past the end, as PyTorch's
        ``ceil_mode`` (see :func:`convbook.pool_output_size`).

    Raises
    ------
    TypeError
        If a size is not an integer.
    ValueError
        If a size is out of range or ``padding`` exceeds half the window.

    Examples
    --------
    >>> from convbook import AvgPool2d
    >>> AvgPool2d(3, stride=2, padding=1).output_shape((8, 7, 7))
    (8, 4, 4)
    """

    kernel_size: int | Pair
    stride: int | Pair | None = None
    padding: int | Pair = 0
    ceil_mode: bool = False
    dilation: Pair = field(default=(1, 1), init=False, repr=False)

    def __post_init__(self) -> None:
        self._normalise()

    def __str__(self) -> str:
        return self._describe("AvgPool2d")


def conv2d_parameters(
    in_channels: int, out_channels: int, kernel_size: int | Pair, *, bias: bool = True
) -> int:
    r"""Return the number of learned values of a 2-D convolution.

    Parameters
    ----------
    in_channels : int
        Input channels :math:`C`.
    out_channels : int
        Filters :math:`K`.
    kernel_size : int or (int, int)
        Kernel height and width.
    bias : bool, default True
        Whether each filter has a bias.

    Returns
    -------
    int
        :math:`K\,C\,k_h k_w + K` (without the :math:`K` when ``bias`` is
        False). The count does not depend on the input's height and width.

    Raises
    ------
    TypeError
        If a size is not an integer or ``bias`` is not a bool.
    ValueError
        If a size is smaller than 1.

    Examples
    --------
    >>> from convbook import conv2d_parameters
    >>> conv2d_parameters(3, 16, 3)
    448
    >>> conv2d_parameters(16, 32, 3)
    4640
    >>> conv2d_parameters(16, 32, 3, bias=False)
    4608
    """
    in_channels = check_int("in_channels", in_channels, minimum=1)
    out_channels = check_int("out_channels", out_channels, minimum=1)
    kh, kw = check_pair("kernel_size", kernel_size, minimum=1)
    bias = check_bias_flag(bias)
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)


def conv2d_macs(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: int | Pair,
    *,
    stride: int | Pair = 1,
    padding: int | Pair | Padding2d | str = 0,
    dilation: int | Pair = 1,
) -> int:
    r"""Return the multiply-accumulates of a 2-D convolution on one sample.

    One MAC is one multiplication and one addition, so the FLOPs are about
    twice the MACs. Bias additions are not counted.

    Parameters
    ----------
    input_shape : (int, int, int)
        The input ``(C, H, W)``, channels first.
    out_channels : int
        Filters :math:`K`.
    kernel_size, stride, dilation : int or (int, int)
        As for :class:`Conv2d`.
    padding : int, pair, pair of pairs, 'valid' or 'same'
        As for :class:`Conv2d`.

    Returns
    -------
    int
        :math:`K\,H_o W_o\,C\,k_h k_w`: each of the :math:`K H_o W_o` outputs
        is a sum of :math:`C k_h k_w` products.

    Raises
    ------
    TypeError, ValueError
        As :class:`Conv2d` and :meth:`Conv2d.output_shape`.

    Examples
    --------
    >>> from convbook import conv2d_macs
    >>> conv2d_macs((3, 28, 28), 16, 3, padding=1)
    338688
    >>> conv2d_macs((16, 28, 28), 32, 3, padding=1)
    3612672
    """
    channels = check_shape("input_shape", input_shape)[0]
    layer = Conv2d(
        channels,
        out_channels,
        kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    return layer.macs(input_shape)
