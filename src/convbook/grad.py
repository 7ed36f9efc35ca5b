r"""Gradients of the convolution, and the transposed convolution.

Arrays follow PyTorch's layout, as in :mod:`convbook.conv`: ``x`` is
``(C, H, W)`` or ``(N, C, H, W)``, ``weight`` is ``(K, C, kh, kw)``. The
gradient of a loss :math:`L` with respect to the convolution's output,
``grad_output`` :math:`= \partial L / \partial O`, flows back to its three
arguments by the chain rule applied to the defining sum

.. math::

    O[n, k, i, j] = b[k] + \sum_{c, u, v}
        W[k, c, u, v]\, X_p[n, c,\, i s_h + u d_h,\, j s_w + v d_w].

Each input pixel receives the sum of the gradients of every output whose
window read it, weighted by the tap that read it: that "scatter" is a
transposed convolution, which :func:`conv_transpose2d` exposes as a layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import check_array, check_bias_array, check_pair
from .engine import (
    DEFAULT_MEMORY_BUDGET,
    check_budget,
    check_conv_args,
    check_input,
    check_weight,
    compute_dtype,
    map_column_blocks,
    scatter_columns,
)
from .geometry import effective_kernel_size, parse_padding
from .shapes import transposed_output_size

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]

__all__ = ["conv2d_backward", "conv_transpose2d"]


def conv2d_backward(
    x: Any,
    weight: Any,
    grad_output: Any,
    *,
    stride: int | Pair = 1,
    padding: int | str | Pair | Padding = 0,
    dilation: int | Pair = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Return the gradients of a loss with respect to ``x``, ``weight`` and bias.

    Given :math:`\partial L / \partial O` for the output :math:`O` of
    ``conv2d(x, weight, bias, stride=..., padding=..., dilation=...)``,
    compute what back-propagation sends to each argument. The bias itself
    is not needed.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (N, C, H, W)
        The forward input, channels first as in PyTorch.
    weight : array_like, shape (K, C, kh, kw)
        The forward filters (out channels, in channels, kh, kw).
    grad_output : array_like, shape (K, Ho, Wo) or (N, K, Ho, Wo)
        Gradient of the loss with respect to the forward output; exactly the
        forward output's shape.
    stride, padding, dilation
        The forward convolution's, as for :func:`convbook.conv2d`.
    memory_budget : int, default DEFAULT_MEMORY_BUDGET
        Bytes of columns handled at once, as for :func:`convbook.conv2d`.

    Returns
    -------
    grad_x : numpy.ndarray, same shape as ``x``
        Pixels that no window reads (rows and columns past the last stride)
        get zero.
    grad_weight : numpy.ndarray, shape (K, C, kh, kw)
    grad_bias : numpy.ndarray, shape (K,)
        The sum of ``grad_output`` over the batch and both spatial axes.

    All three are float32 if ``x``, ``weight`` and ``grad_output`` are
    float32, float64 otherwise.

    Raises
    ------
    TypeError
        If an array is not numeric or a size is not an integer.
    ValueError
        As for :func:`convbook.conv2d`, and if ``grad_output`` does not have
        the forward output's shape.

    See Also
    --------
    convbook.conv2d : the forward pass.
    conv_transpose2d : ``grad_x`` as a layer of its own.

    Notes
    -----
    With :math:`G = \partial L / \partial O` and :math:`X_p` the padded
    input,

    .. math::

        \frac{\partial L}{\partial W[k, c, u, v]} &= \sum_{n, i, j}
            G[n, k, i, j]\, X_p[n, c,\, i s_h + u d_h,\, j s_w + v d_w], \\
        \frac{\partial L}{\partial X_p[n, c, p, q]} &=
            \sum_{k, u, v} W[k, c, u, v]\, G[n, k, i, j] \\
            &\qquad \text{over } i s_h + u d_h = p,\ j s_w + v d_w = q, \\
        \frac{\partial L}{\partial b[k]} &= \sum_{n, i, j} G[n, k, i, j],

    and :math:`\partial L / \partial X` is the gradient of :math:`X_p`
    with its padding cut off.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d_backward, conv_transpose2d
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> weight = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> grad_output = np.ones((1, 2, 2))
    >>> grad_x, grad_weight, grad_bias = conv2d_backward(x, weight, grad_output)
    >>> grad_x
    array([[[ 1.,  3.,  2.],
            [ 4., 10.,  6.],
            [ 3.,  7.,  4.]]])
    >>> grad_weight
    array([[[[ 8., 12.],
             [20., 24.]]]])
    >>> grad_bias
    array([4.])
    >>> np.array_equal(grad_x, conv_transpose2d(grad_output, weight))
    True
    """
    g = check_conv_args(x, weight, None, stride, padding, dilation, memory_budget)
    expected = (g.x.shape[0], g.weight.shape[0], *g.geometry.output_size)
    if not g.batched:
        expected = expected[1:]
    grad = check_array(
        "grad_output", grad_output, ndim=(3, 4), layout="(K, Ho, Wo) or (N, K, Ho, Wo)"
    )
    if grad.shape != expected:
        raise ValueError(
            f"`grad_output` must have the forward output's shape {expected}, "
            f"got {grad.shape}"
        )
    dtype = compute_dtype(g.x, g.weight, grad)
    w = g.weight.astype(dtype, copy=False)
    grad4 = (grad if g.batched else grad[np.newaxis]).astype(dtype, copy=False)
    c, h, width = g.x.shape[1:]
    k, _, kh, kw = w.shape
    (top, _), (left, _) = g.geometry.padding

    grad_bias = grad4.sum(axis=(0, 2, 3))

    def weight_part(n0: int, n1: int, i0: int, i1: int, cols: np.ndarray) -> np.ndarray:
        # the gradient block with its columns in the order of `cols`:
        # sample, output row, output column
        block = grad4[n0:n1, :, i0:i1, :].transpose(1, 0, 2, 3).reshape(k, -1)
        return block @ cols.T

    grad_weight = np.zeros((k, c * kh * kw), dtype)
    # summed in the order of the blocks, whichever thread computed them
    for part in map_column_blocks(g.x, g.geometry, dtype, g.budget, weight_part):
        grad_weight += part

    matrix = np.ascontiguousarray(w.reshape(k, -1))
    grad_xp = scatter_columns(
        grad4,
        matrix,
        c,
        (kh, kw),
        g.geometry.stride,
        g.geometry.dilation,
        g.geometry.padded,
        g.budget,
    )
    grad_x = grad_xp[:, :, top : top + h, left : left + width]
    grad_x = np.ascontiguousarray(grad_x if g.batched else grad_x[0])
    return grad_x, grad_weight.reshape(w.shape), grad_bias


def conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | Pair = 1,
    padding: int | Pair | Padding = 0,
    dilation: int | Pair = 1,
    output_padding: int | Pair = 0,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> np.ndarray:
    r"""Apply a 2-D transposed convolution, as PyTorch's ``conv_transpose2d``.

    Each input pixel stamps the kernel, scaled by its value, onto the
    output at ``stride`` spacing, and the stamps add up. This is exactly the
    gradient of :func:`convbook.conv2d` with respect to its input, which is
    why the output size inverts :func:`convbook.output_size`.

    Parameters
    ----------
    x : array_like, shape (C_in, H, W) or (N, C_in, H, W)
        Input feature maps, channels first.
    weight : array_like, shape (C_in, C_out, kh, kw)
        Filters, **in channels first** as in PyTorch's ``conv_transpose2d``
        (the layout of the forward convolution it transposes).
    bias : array_like, shape (C_out,), optional
        One number added to each output channel.
    stride, dilation : int or (int, int), default 1
        The forward convolution's, at least 1.
    padding : int, (int, int) or ((int, int), (int, int)), default 0
        The forward convolution's padding, which is cut off the result.
    output_padding : int or (int, int), default 0
        Rows (columns) added at the bottom (right) to pick one of the input
        sizes that a strided convolution maps to the same output; smaller
        than ``stride`` or ``dilation``.
    memory_budget : int, default DEFAULT_MEMORY_BUDGET
        Bytes of columns handled at once, as for :func:`convbook.conv2d`.

    Returns
    -------
    numpy.ndarray, shape (C_out, Ho, Wo) or (N, C_out, Ho, Wo)
        Same number of dimensions as ``x``; ``Ho`` and ``Wo`` are
        :func:`convbook.transposed_output_size`. float32 if ``x`` and
        ``weight`` are float32, float64 otherwise.

    Raises
    ------
    TypeError
        If an array is not numeric or a size is not an integer.
    ValueError
        If a shape, a channel count or a size is invalid, or if the padding
        removes the whole output.

    See Also
    --------
    conv2d_backward : whose ``grad_x`` this computes.
    convbook.transposed_output_size : the output size along one axis.

    Notes
    -----
    With :math:`Y` the unpadded result before cropping,

    .. math::

        Y[n, c, i s_h + u d_h, j s_w + v d_w] \mathrel{+}=
            W[k, c', u, v]\, X[n, k, i, j]

    summed over the input channels :math:`k`, for output channel
    :math:`c'`; then ``padding`` rows and columns are removed from each
    side, and ``bias`` is added.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv_transpose2d
    >>> x = np.array([[[1, 2], [3, 4]]])
    >>> weight = np.ones((1, 1, 2, 2))
    >>> conv_transpose2d(x, weight)
    array([[[ 1.,  3.,  2.],
            [ 4., 10.,  6.],
            [ 3.,  7.,  4.]]])
    >>> conv_transpose2d(x, weight, stride=2)
    array([[[1., 1., 2., 2.],
            [1., 1., 2., 2.],
            [3., 3., 4., 4.],
            [3., 3., 4., 4.]]])
    >>> ones = np.ones((1, 1, 3, 3))
    >>> conv_transpose2d(ones, ones, stride=2, padding=1).shape
    (1, 1, 5, 5)
    """
    x4, batched = check_input(x)
    w = check_weight(weight, x4.shape[1], transposed=True)
    b = check_bias_array(bias, w.shape[1])
    stride = check_pair("stride", stride, minimum=1)
    dilation = check_pair("dilation", dilation, minimum=1)
    extra = check_pair("output_padding", output_padding, minimum=0)
    pads = parse_padding(padding, modes=False)
    budget = check_budget(memory_budget)
    k, h, width = x4.shape[1:]
    c, kh, kw = w.shape[1], w.shape[2], w.shape[3]
    out = tuple(
        transposed_output_size(
            size,
            kernel,
            stride=stride[axis],
            padding=pads[axis],
            dilation=dilation[axis],
            output_padding=extra[axis],
        )
        for axis, (size, kernel) in enumerate(((h, kh), (width, kw)))
    )
    dtype = compute_dtype(x4, w)
    matrix = np.ascontiguousarray(w.astype(dtype, copy=False).reshape(k, -1))
    canvas = tuple(
        (size - 1) * s + effective_kernel_size(kernel, dilation=d) + e
        for size, kernel, s, d, e in zip(
            (h, width), (kh, kw), stride, dilation, extra, strict=True
        )
    )
    y = scatter_columns(
        x4.astype(dtype, copy=False),
        matrix,
        c,
        (kh, kw),
        stride,
        dilation,
        canvas,
        budget,
    )
    (top, _), (left, _) = pads
    y = np.ascontiguousarray(y[:, :, top : top + out[0], left : left + out[1]])
    if b is not None:
        y += b.astype(dtype, copy=False)[:, np.newaxis, np.newaxis]
    return y if batched else y[0]
