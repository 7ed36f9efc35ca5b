"""Shape arithmetic of a convolution: pure integer functions.

Everything here works on one spatial axis at a time (height or width; the two
are independent), takes and returns Python ``int`` values, and never touches an
array. The formulas are those of Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning" (2016), with PyTorch's conventions for padding
and dilation.
"""

from __future__ import annotations

from typing import Any

from ._checks import check_int, check_side_padding

__all__ = [
    "effective_kernel_size",
    "output_size",
    "same_padding",
    "transposed_output_size",
]


def effective_kernel_size(kernel_size: int, *, dilation: int = 1) -> int:
    r"""Return the span of a dilated kernel, in input pixels.

    Parameters
    ----------
    kernel_size : int
        Number of taps along the axis, at least 1.
    dilation : int, default 1
        Spacing between taps, at least 1 (1 means adjacent taps).

    Returns
    -------
    int
        :math:`d\,(k - 1) + 1`.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is smaller than 1.

    Examples
    --------
    >>> from convbook import effective_kernel_size
    >>> effective_kernel_size(3)
    3
    >>> effective_kernel_size(3, dilation=2)
    5
    """
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    return dilation * (kernel_size - 1) + 1


def output_size(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
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
    padding : int or (int, int), default 0
        Zeros added on each side, or ``(before, after)`` for an asymmetric
        padding; never negative.
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
    """
    size = check_int("size", size, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    before, after = check_side_padding("padding", padding)
    span = dilation * (kernel_size - 1) + 1
    padded = size + before + after
    if span > padded:
        raise ValueError(
            f"the kernel spans {span} pixels (`kernel_size`={kernel_size}, "
            f"`dilation`={dilation}) but the padded input has only {padded} "
            f"(`size`={size} plus `padding` {before}+{after}); "
            "the kernel must fit inside the padded input"
        )
    return (padded - span) // stride + 1


def same_padding(
    size: int, kernel_size: int, *, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    r"""Return TensorFlow's ``'SAME'`` padding as ``(before, after)``.

    The padding makes the output length :math:`\lceil i / s \rceil` for any
    stride. When the total is odd, the extra pixel goes on the *after* side
    (bottom or right), as in TensorFlow and Keras. PyTorch's
    ``padding='same'`` agrees for stride 1 (and refuses other strides).

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
    size = check_int("size", size, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    span = dilation * (kernel_size - 1) + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


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
    size = check_int("size", size, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    output_padding = check_int("output_padding", output_padding, minimum=0)
    before, after = check_side_padding("padding", padding)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"`output_padding` must be smaller than `stride` ({stride}) or "
            f"`dilation` ({dilation}), got {output_padding}"
        )
    result = (
        (size - 1) * stride
        - before
        - after
        + dilation * (kernel_size - 1)
        + 1
        + output_padding
    )
    if result < 1:
        raise ValueError(
            f"`padding` {before}+{after} removes more than the transposed "
            f"convolution produces; the output length would be {result}"
        )
    return result


def _as_padding_pairs(value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """Normalise a 2-D numeric padding to ``((top, bottom), (left, right))``.

    Accepts an int (all four sides), ``(ph, pw)`` (symmetric per axis) or
    ``((top, bottom), (left, right))``. The strings ``'valid'`` and
    ``'same'`` are resolved by the caller, which knows the sizes.
    """
    from collections.abc import Sequence

    from ._checks import _show

    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(
                "`padding` must be an integer, a pair (ph, pw), a pair of pairs "
                "((top, bottom), (left, right)), 'valid' or 'same', "
                f"got {_show(value)}"
            )
        return (
            check_side_padding("padding[0]", value[0]),
            check_side_padding("padding[1]", value[1]),
        )
    if isinstance(value, str):
        raise ValueError(
            "`padding` must be an integer, a pair, a pair of pairs, "
            f"'valid' or 'same', got {value!r}"
        )
    p = check_int("padding", value, minimum=0)
    return (p, p), (p, p)


def _resolve_padding(
    padding: Any,
    size: tuple[int, int],
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Turn any accepted 2-D ``padding`` into ``((top, bottom), (left, right))``.

    ``'valid'`` is no padding; ``'same'`` is :func:`same_padding` on each axis
    (TensorFlow's rule, the odd pixel at the bottom and right).
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            return (
                same_padding(
                    size[0], kernel_size[0], stride=stride[0], dilation=dilation[0]
                ),
                same_padding(
                    size[1], kernel_size[1], stride=stride[1], dilation=dilation[1]
                ),
            )
        raise ValueError(
            f"`padding` must be an integer, a pair, a pair of pairs, 'valid' or "
            f"'same', got {padding!r}"
        )
    return _as_padding_pairs(padding)
