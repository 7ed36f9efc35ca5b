"""Receptive fields: which input pixels an output unit can see.

A unit of a convolutional layer depends on a window of the layer's input; that
window depends on windows of the layer before, and so on down to the image. The
span of input pixels reached this way is the unit's *receptive field*. For a
chain of layers (no branches) it is fixed by three integers per axis, computed
here with the recurrences of Araujo, Norris & Sim, "Computing Receptive Fields
of Convolutional Neural Networks", Distill (2019):

``size``
    how many input pixels the field spans (holes left by dilation included);
``stride``
    how far, in input pixels, the fields of two neighbouring output units are
    apart (the product of the strides, also called the *jump*);
``start``
    the input coordinate where the field of output unit 0 begins; it is
    negative when the field reaches into the zero padding, and ``-start`` is
    what Araujo et al. call the *effective padding*.

Everything works on one spatial axis at a time, as :mod:`convbook.shapes`
does: the height and width of a layer never interact, so a 2-D field is the
product of two 1-D ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._checks import check_choice, check_int, show
from .geometry import AxisGeometry, effective_kernel_size
from .layers import check_shape, layer_window

__all__ = [
    "ReceptiveField",
    "UnitTrace",
    "receptive_field",
    "receptive_fields",
    "trace_unit",
]


@dataclass(frozen=True)
class ReceptiveField:
    r"""The receptive field of the units of one layer along one axis.

    Parameters
    ----------
    size : int
        Number of input pixels spanned by the field of one unit, at least 1.
    stride : int
        Distance in input pixels between the fields of neighbouring units
        (the product of all strides so far), at least 1.
    start : int
        Input coordinate of the first pixel of output unit 0's field; negative
        when the field starts inside the zero padding.

    See Also
    --------
    receptive_field : compute it for a stack of layers.

    Notes
    -----
    Output unit :math:`n` sees the input pixels :math:`u_n` to :math:`v_n`
    (inclusive) with

    .. math::

        u_n = \text{start} + n\,\text{stride}, \qquad
        v_n = u_n + \text{size} - 1 .

    Coordinates count from 0 at the first real input pixel; the field may
    extend past either edge of the input, into the padding.

    Examples
    --------
    >>> from convbook import ReceptiveField
    >>> field = ReceptiveField(size=5, stride=1, start=-2)
    >>> field.region(0)
    (-2, 2)
    >>> field.region(3)
    (1, 5)
    >>> field.center(3)
    3.0
    """

    size: int
    stride: int
    start: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", check_int("size", self.size, minimum=1))
        object.__setattr__(self, "stride", check_int("stride", self.stride, minimum=1))
        object.__setattr__(self, "start", check_int("start", self.start))

    def region(self, index: int) -> tuple[int, int]:
        """Return the first and last input pixel (inclusive) seen by a unit.

        Parameters
        ----------
        index : int
            Position of the output unit along the axis, counted from 0.

        Returns
        -------
        (int, int)
            ``(first, last)`` input coordinates, ``last - first + 1 == size``.

        Raises
        ------
        TypeError
            If ``index`` is not an integer.
        ValueError
            If ``index`` is negative.

        Examples
        --------
        >>> from convbook import ReceptiveField
        >>> ReceptiveField(size=3, stride=2, start=-1).region(2)
        (3, 5)
        """
        index = check_int("index", index, minimum=0)
        first = self.start + index * self.stride
        return first, first + self.size - 1

    def center(self, index: int) -> float:
        """Return the input coordinate of the centre of a unit's field.

        Parameters
        ----------
        index : int
            Position of the output unit along the axis, counted from 0.

        Returns
        -------
        float
            ``start + index * stride + (size - 1) / 2``; a half-integer when
            ``size`` is even.

        Raises
        ------
        TypeError
            If ``index`` is not an integer.
        ValueError
            If ``index`` is negative.

        Examples
        --------
        >>> from convbook import ReceptiveField
        >>> ReceptiveField(size=4, stride=2, start=0).center(1)
        3.5
        """
        first, last = self.region(index)
        return (first + last) / 2


def receptive_fields(
    layers: Iterable[Any],
    *,
    axis: str = "height",
    input_shape: tuple[int, int, int] | None = None,
) -> tuple[ReceptiveField, ...]:
    r"""Return the receptive field after each layer of a stack, in order.

    Parameters
    ----------
    layers : iterable
        The layers from the input onwards, each as
        :func:`~convbook.layers.layer_window` reads it: a tuple
        ``(kernel_size[, stride[, padding[, dilation]]])`` of integers for
        one axis (``padding`` may be ``(before, after)``; only ``before``
        matters), or a layer object from :mod:`convbook.layers` (``Conv2d``,
        ``ReLU``, ``MaxPool2d``, ``AvgPool2d``). Element-wise layers such as
        ``ReLU`` leave the field unchanged.
    axis : {'height', 'width'}, default 'height'
        Which axis of the layer objects to follow; ignored for tuples, which
        describe one axis already.
    input_shape : (int, int, int), optional
        The ``(C, H, W)`` input, needed only when a layer object uses
        ``padding='same-tf'`` with a stride above 1 (TensorFlow's rule then
        puts a size-dependent number of zeros before the input).

    Returns
    -------
    tuple of ReceptiveField
        One field per layer; element ``l`` describes the units of layer
        ``l``'s output (an empty stack gives an empty tuple).

    Raises
    ------
    TypeError
        If a layer is neither a tuple nor a layer object, or a number is not
        an integer.
    ValueError
        If a tuple has the wrong length or a number is out of range, if
        ``axis`` is not 'height' or 'width', or if a layer rejects the shape.

    See Also
    --------
    receptive_field : only the last of these fields.

    Notes
    -----
    With :math:`k'_l = d_l (k_l - 1) + 1` the dilated kernel of layer
    :math:`l`, :math:`p_l` its padding before the input and :math:`s_l` its
    stride, the field after layer :math:`l` follows from the one after layer
    :math:`l - 1` (starting from size 1, stride 1, start 0 at the input):

    .. math::

        r_l = r_{l-1} + (k'_l - 1)\, j_{l-1}, \qquad
        j_l = j_{l-1}\, s_l, \qquad
        u_l = u_{l-1} - p_l\, j_{l-1} .

    Examples
    --------
    Two 3x3 convolutions with stride 1 and padding 1, as in the book's
    question:

    >>> from convbook import receptive_fields
    >>> for field in receptive_fields([(3, 1, 1, 1), (3, 1, 1, 1)]):
    ...     print(field)
    ReceptiveField(size=3, stride=1, start=-1)
    ReceptiveField(size=5, stride=1, start=-2)
    """
    if isinstance(layers, str) or not isinstance(layers, Iterable):
        raise TypeError(
            "`layers` must be a sequence of layers, each a tuple (kernel_size[, "
            f"stride[, padding[, dilation]]]) or a layer object, got {show(layers)}"
        )
    axis = check_choice("axis", axis, ("height", "width"))
    size = None
    if input_shape is not None:
        size = check_shape("input_shape", input_shape)[1 if axis == "height" else 2]
    field = ReceptiveField(size=1, stride=1, start=0)
    fields = []
    for index, layer in enumerate(layers):
        window = layer_window(layer, axis=axis, index=index)
        if window is not None:
            try:
                before = window.before(size)
            except ValueError as error:
                raise ValueError(f"{layer}: {error}; pass `input_shape`") from None
            field = _grow(
                field, window.kernel_size, window.stride, before, window.dilation
            )
            if size is not None:
                size = window.resolve(size).output_size
        fields.append(field)
    return tuple(fields)


def _grow(
    field: ReceptiveField, kernel_size: int, stride: int, before: int, dilation: int
) -> ReceptiveField:
    """The field one layer further up (the recurrence of Araujo et al.)."""
    span = effective_kernel_size(kernel_size, dilation=dilation)
    return ReceptiveField(
        size=field.size + (span - 1) * field.stride,
        stride=field.stride * stride,
        start=field.start - before * field.stride,
    )


def receptive_field(
    layers: Iterable[Any],
    *,
    axis: str = "height",
    input_shape: tuple[int, int, int] | None = None,
) -> ReceptiveField:
    r"""Return the receptive field of the last layer of a stack, on one axis.

    Parameters
    ----------
    layers : iterable
        The layers from the input onwards: tuples ``(kernel_size[, stride[,
        padding[, dilation]]])`` for one axis, or layer objects from
        :mod:`convbook.layers`. See :func:`receptive_fields`.
    axis : {'height', 'width'}, default 'height'
        Which axis of the layer objects to follow; ignored for tuples.
    input_shape : (int, int, int), optional
        The ``(C, H, W)`` input; needed only for ``padding='same-tf'`` with
        a stride above 1.

    Returns
    -------
    ReceptiveField
        ``size``, ``stride`` and ``start`` of the last layer's units. An empty
        stack gives the identity: size 1, stride 1, start 0.

    Raises
    ------
    TypeError
        If a layer is neither a tuple nor a layer object, or a number is not
        an integer.
    ValueError
        If a tuple has the wrong length, a number is out of range, or
        ``axis`` is not 'height' or 'width'.

    See Also
    --------
    receptive_fields : the field after every layer.
    ReceptiveField.region : the input pixels seen by one output unit.

    Notes
    -----
    Unrolling the recurrence of :func:`receptive_fields` gives the closed
    forms of Araujo et al. (2019), with :math:`k'_l = d_l (k_l - 1) + 1`:

    .. math::

        r_L = \sum_{l=1}^{L} (k'_l - 1) \prod_{i=1}^{l-1} s_i + 1, \qquad
        u_L = -\sum_{l=1}^{L} p_l \prod_{i=1}^{l-1} s_i .

    The field is the *theoretical* one: every pixel that can influence the
    unit, counted as if the feature maps were unbounded. Near the border some
    of those pixels are padding zeros.

    Examples
    --------
    >>> from convbook import receptive_field
    >>> field = receptive_field([(3, 1, 1, 1), (3, 1, 1, 1)])
    >>> field.size, field.stride, field.start
    (5, 1, -2)
    >>> field.region(0)
    (-2, 2)

    A 2x2 pooling with stride 2 doubles the distance between fields:

    >>> receptive_field([(3, 1, 0, 1), (2, 2, 0, 1), (3, 1, 0, 1)])
    ReceptiveField(size=8, stride=2, start=0)
    """
    fields = receptive_fields(layers, axis=axis, input_shape=input_shape)
    return fields[-1] if fields else ReceptiveField(size=1, stride=1, start=0)


@dataclass(frozen=True)
class UnitTrace:
    r"""Which units one unit depends on, layer by layer, along one axis.

    Returned by :func:`trace_unit`. Levels count from the input (level 0)
    to the last layer with a kernel (level ``depth``); element-wise layers
    are skipped, since they change neither sizes nor fields. Positions on a
    level count from 0 at its first real unit, so the zero padding that the
    next layer adds sits at negative positions and at positions from
    ``sizes[level]`` on.

    Attributes
    ----------
    sizes : tuple of int
        Length of every level, the input first.
    windows : tuple of AxisGeometry
        The window of every layer, resolved on the length of its input:
        ``windows[l]`` takes level ``l`` to level ``l + 1``.
    fields : tuple of ReceptiveField
        The receptive field of the units of every level (the input's is
        one pixel).
    unit : int
        The traced unit of the top level.
    reached : tuple of tuple of int
        For every level, the positions the traced unit depends on,
        sorted; a padding position is reached but reads nothing further.
    edges : tuple of tuple of (int, int)
        For every layer, the pairs ``(upper, lower)``: unit ``upper`` of
        level ``l + 1`` reads position ``lower`` of level ``l``.
    """

    sizes: tuple[int, ...]
    windows: tuple[AxisGeometry, ...]
    fields: tuple[ReceptiveField, ...]
    unit: int
    reached: tuple[tuple[int, ...], ...]
    edges: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def depth(self) -> int:
        """Number of layers with a kernel."""
        return len(self.windows)

    @property
    def field(self) -> ReceptiveField:
        """The receptive field of the top level's units."""
        return self.fields[-1]

    def center(self, level: int, position: int) -> float:
        """Input coordinate of the centre of a position's field on a level.

        Padding positions are placed where a unit there would be.
        """
        field = self.fields[level]
        return field.start + position * field.stride + (field.size - 1) / 2

    def read_inputs(self) -> tuple[int, ...]:
        """The input pixels reached, padding of the first layer included."""
        return self.reached[0]


def trace_unit(
    input_size: int,
    layers: Sequence[Any],
    *,
    unit: int | None = None,
    axis: str = "height",
) -> UnitTrace:
    r"""Trace one unit of the last layer down to the input pixels it reads.

    A unit reads the :math:`F` positions of its window on the level below;
    each of those that is a real unit reads its own window, and so on down
    to the input. A padding zero is a constant: it reads nothing, so the
    trace stops there. Near a border the input pixels reached can therefore
    be fewer than the receptive field, which counts every pixel as if the
    maps were unbounded.

    Parameters
    ----------
    input_size : int
        Length of the input along the axis (e.g. :math:`H_i`).
    layers : sequence
        The layers, each as :func:`~convbook.layers.layer_window` reads it:
        a tuple ``(kernel_size[, stride[, padding[, dilation]]])`` or a layer
        object. Element-wise layers are skipped.
    unit : int, optional
        Position of the traced unit on the top level (default: the middle).
    axis : {'height', 'width'}, default 'height'
        Which axis of layer objects to follow.

    Returns
    -------
    UnitTrace

    Raises
    ------
    TypeError, ValueError
        For a bad layer, a kernel that does not fit, a stack without any
        layer with a kernel, or ``unit`` outside the top level.

    See Also
    --------
    receptive_fields : the fields themselves.
    ~convbook.plot.tracing.receptive_field_layers : the trace drawn.

    Examples
    --------
    The corner unit of two 3-wide layers with padding 1 depends on input
    pixels -1 to 2 (the padding pixel -1 included), not on -2 to 2: the
    left-most position it reads on level 1 is a padding zero.

    >>> from convbook import trace_unit
    >>> trace = trace_unit(8, [(3, 1, 1), (3, 1, 1)], unit=0)
    >>> trace.reached
    ((-1, 0, 1, 2), (-1, 0, 1), (0,))
    >>> trace.field.region(0)
    (-2, 2)
    """
    size = check_int("input_size", input_size, minimum=1)
    if isinstance(layers, str) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(
            f"`layers` must be a non-empty sequence of layers, got {show(layers)}"
        )
    windows: list[AxisGeometry] = []
    fields = [ReceptiveField(size=1, stride=1, start=0)]
    sizes = [size]
    for index, layer in enumerate(layers):
        window = layer_window(layer, axis=axis, index=index)
        if window is None:
            continue
        resolved = window.resolve(sizes[-1])
        windows.append(resolved)
        fields.append(
            _grow(
                fields[-1],
                resolved.kernel_size,
                resolved.stride,
                resolved.before,
                resolved.dilation,
            )
        )
        sizes.append(resolved.output_size)
    if not windows:
        raise ValueError("`layers` must hold at least one layer with a kernel")
    top = sizes[-1]
    unit = top // 2 if unit is None else check_int("unit", unit, minimum=0)
    if unit >= top:
        raise ValueError(
            f"`unit` must be smaller than the top layer's size {top}, got {unit}"
        )
    reached: list[set[int]] = [set() for _ in sizes]
    reached[-1] = {unit}
    edges: list[list[tuple[int, int]]] = [[] for _ in windows]
    for level in range(len(windows), 0, -1):
        window = windows[level - 1]
        for upper in sorted(reached[level]):
            if not 0 <= upper < sizes[level]:
                continue  # a padding zero: a constant, it reads nothing
            for tap in range(window.kernel_size):
                lower = upper * window.stride - window.before + tap * window.dilation
                reached[level - 1].add(lower)
                edges[level - 1].append((upper, lower))
    return UnitTrace(
        sizes=tuple(sizes),
        windows=tuple(windows),
        fields=tuple(fields),
        unit=unit,
        reached=tuple(tuple(sorted(r)) for r in reached),
        edges=tuple(tuple(e) for e in edges),
    )
