"""Shape arithmetic of a convolution: pure integer functions.

These are the public, one-axis faces of :mod:`convbook.geometry`, which
holds the rules. Everything here works on one spatial axis at a time (height
or width; the two are independent), takes and returns Python ``int`` values,
and never touches an array. The formulas are those of Dumoulin & Visin, "A
guide to convolution arithmetic for deep learning" (2016), with PyTorch's
conventions for padding and dilation.
"""

from __future__ import annotations

from ._checks import check_int
from .geometry import effective_kernel_size, parse_axis_padding, resolve_axis

__all__ = [
    "output_size",
    "same_padding",
    "transposed_output_size",
]


def output_size(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int = 1,
) -> int:
    r"""Return the number of positions a kernel takes along one axis.

    Parameters
    ----------
    size : int
        Input length along the axis (H or W), at least 1.
    kernel_size : int
        Kernel length along the axis, at least 1.
    stride : int, default 1
        Step between neighbouring windows, at least 1.
    padding : int, (int, int) or str, default 0
        Zeros added on each side, or ``(before, after)`` for an asymmetric
        padding, never negative; or ``'valid'``, ``'same'`` (PyTorch's rule,
        stride 1 only) or ``'same-tf'`` (TensorFlow's rule), as described in
        :mod:`convbook.geometry`.
    dilation : int, default 1
        Spacing between kernel taps, at least 1.

    Returns
    -------
    int
        The output length, at least 1.

    Raises
    ------
    TypeError
        If a size is not an integer (floats are refused, even ``3.0``).
    ValueError
        If a size is out of range, or if the dilated kernel is longer than the
        padded input (no window fits).

    See Also
    --------
    same_padding : the padding that makes the output ``ceil(size / stride)``.
    transposed_output_size : the inverse relationship.

    Notes
    -----
    With :math:`p_b + p_a` the total padding and
    :math:`k' = d(k - 1) + 1` the dilated kernel,

    .. math::

        o = \left\lfloor \frac{i + p_b + p_a - k'}{s} \right\rfloor + 1 .

    The floor counts only windows that fit entirely; when the division is not
    exact the last :math:`(i + p_b + p_a - k') \bmod s` padded rows are never
    read.

    Examples
    --------
    >>> from convbook import output_size
    >>> output_size(28, 3, padding=1)
    28
    >>> output_size(5, 3, stride=2)
    2
    >>> output_size(6, 3, stride=2)
    2
    >>> output_size(7, 3, dilation=2)
    3
    >>> output_size(5, 2, padding=(0, 1))
    5
    >>> output_size(5, 3, padding="same")
    5
    >>> output_size(5, 3, stride=2, padding="same-tf")
    3
    """
    return resolve_axis(
        size, kernel_size, stride=stride, padding=padding, dilation=dilation
    ).output_size


def same_padding(
    size: int, kernel_size: int, *, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    r"""Return the ``(before, after)`` padding of ``'same-tf'`` (TensorFlow).

    The padding makes the output length :math:`\lceil i / s \rceil` for any
    stride. When the total is odd, the extra pixel goes on the *after* side
    (bottom or right), as in TensorFlow and Keras. At stride 1 this is also
    ``'same'``, PyTorch's rule, which refuses other strides.

    Parameters
    ----------
    size : int
        Input length along the axis, at least 1.
    kernel_size : int
        Kernel length along the axis, at least 1.
    stride : int, default 1
        Step between windows, at least 1.
    dilation : int, default 1
        Spacing between kernel taps, at least 1.

    Returns
    -------
    (int, int)
        Zeros to add before and after the input along this axis.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is smaller than 1.

    See Also
    --------
    output_size

    Notes
    -----
    With :math:`o = \lceil i / s \rceil` and :math:`k' = d(k-1)+1`, the total
    padding is :math:`p = \max((o - 1)s + k' - i,\ 0)`, split as
    :math:`p_b = \lfloor p / 2 \rfloor` and :math:`p_a = p - p_b`.

    Examples
    --------
    >>> from convbook import same_padding, output_size
    >>> same_padding(28, 3)
    (1, 1)
    >>> same_padding(28, 4)
    (1, 2)
    >>> same_padding(224, 7, stride=2)
    (2, 3)
    >>> output_size(224, 7, stride=2, padding=same_padding(224, 7, stride=2))
    112
    """
    return resolve_axis(
        size, kernel_size, stride=stride, padding="same-tf", dilation=dilation
    ).padding


def transposed_output_size(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    r"""Return the output length of a transposed convolution along one axis.

    This is the size of the gradient of a convolution with respect to its
    input, and of PyTorch's ``ConvTranspose2d``.

    Parameters
    ----------
    size : int
        Input length of the transposed convolution (the forward output), >= 1.
    kernel_size, stride, dilation : int
        As for the forward convolution, each at least 1.
    padding : int or (int, int), default 0
        The forward convolution's padding, which the transposed one removes.
    output_padding : int, default 0
        Extra rows added on the after side to pick one of the ``stride``
        input lengths that a strided convolution maps to the same output;
        must be smaller than ``stride`` or ``dilation``.

    Returns
    -------
    int
        :math:`(i - 1)s - p_b - p_a + d(k - 1) + 1 + a`.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is out of range or the result is not positive.

    See Also
    --------
    output_size : the forward relationship this one inverts.

    Examples
    --------
    >>> from convbook import transposed_output_size, output_size
    >>> transposed_output_size(2, 3, stride=2)
    5
    >>> transposed_output_size(2, 3, stride=2, output_padding=1)
    6
    >>> output_size(6, 3, stride=2)
    2
    """
    # the transposed convolution's input is the forward output: any length
    # fits, so the forward geometry with `size` as its output is checked here
    size = check_int("size", size, minimum=1)
    span = effective_kernel_size(kernel_size, dilation=dilation)
    stride = check_int("stride", stride, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    output_padding = check_int("output_padding", output_padding, minimum=0)
    before, after = parse_axis_padding(padding, modes=False)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"`output_padding` must be smaller than `stride` ({stride}) or "
            f"`dilation` ({dilation}), got {output_padding}"
        )
    result = (size - 1) * stride - before - after + span + output_padding
    if result < 1:
        raise ValueError(
            f"`padding` {before}+{after} removes more than the transposed "
            f"convolution produces; the output length would be {result}"
        )
    return result
