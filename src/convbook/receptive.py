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
from .geometry import effective_kernel_size, parse_axis_padding

__all__ = ["ReceptiveField", "receptive_field", "receptive_fields"]

_AXES = ("height", "width")


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


def _layer_params(
    index: int, layer: Any, axis: int, shape: tuple[int, ...] | None
) -> tuple[int, int, int, int]:
    """Return one layer's ``(kernel_size, stride, before, dilation)`` on an axis."""
    if hasattr(layer, "receptive_params"):
        return layer.receptive_params(shape)[axis]
    if not isinstance(layer, Sequence) or isinstance(layer, str):
        hint = (
            " (pass a list of layers, e.g. [(3, 1, 1, 1)], not a single layer)"
            if isinstance(layer, int)
            else ""
        )
        raise TypeError(
            f"`layers[{index}]` must be a tuple (kernel_size, stride, padding, "
            f"dilation) or a layer object such as Conv2d, got {show(layer)}{hint}"
        )
    if len(layer) != 4:
        raise ValueError(
            f"`layers[{index}]` must be a tuple (kernel_size, stride, padding, "
            f"dilation) with 4 elements, got {show(layer)} with {len(layer)}"
        )
    kernel_size, stride, padding, dilation = layer
    kernel_size = check_int(f"layers[{index}].kernel_size", kernel_size, minimum=1)
    stride = check_int(f"layers[{index}].stride", stride, minimum=1)
    before, _ = parse_axis_padding(
        padding, name=f"layers[{index}].padding", modes=False
    )
    dilation = check_int(f"layers[{index}].dilation", dilation, minimum=1)
    return kernel_size, stride, before, dilation


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
        The layers from the input onwards. Each is either a tuple
        ``(kernel_size, stride, padding, dilation)`` of integers for one axis
        (``padding`` may be ``(before, after)``; only ``before`` matters), or a
        layer object from :mod:`convbook.layers` (``Conv2d``, ``ReLU``,
        ``MaxPool2d``, ``AvgPool2d``). Element-wise layers such as ``ReLU``
        leave the field unchanged.
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
        If a layer is neither a 4-tuple nor a layer object, or a number is not
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
    axis_index = _AXES.index(check_choice("axis", axis, _AXES))
    if isinstance(layers, str) or not isinstance(layers, Iterable):
        raise TypeError(
            "`layers` must be a sequence of layers, each a tuple (kernel_size, "
            f"stride, padding, dilation) or a layer object, got {show(layers)}"
        )
    shape = input_shape
    size, jump, start = 1, 1, 0
    fields = []
    for index, layer in enumerate(layers):
        kernel_size, stride, before, dilation = _layer_params(
            index, layer, axis_index, shape
        )
        size += (effective_kernel_size(kernel_size, dilation=dilation) - 1) * jump
        start -= before * jump
        jump *= stride
        fields.append(ReceptiveField(size=size, stride=jump, start=start))
        if shape is not None:
            # A bare tuple says nothing about channels or sizes downstream.
            has_shape = hasattr(layer, "output_shape")
            shape = layer.output_shape(shape) if has_shape else None
    return tuple(fields)


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
        The layers from the input onwards: tuples ``(kernel_size, stride,
        padding, dilation)`` for one axis, or layer objects from
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
        If a layer is neither a 4-tuple nor a layer object, or a number is not
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
