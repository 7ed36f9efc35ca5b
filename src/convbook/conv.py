r"""The convolution itself: a literal reference and a fast matrix version.

Arrays follow PyTorch's layout so that every result can be checked against
the framework: an input ``x`` is ``(C, H, W)`` or ``(N, C, H, W)``, a
``weight`` is ``(K, C, kh, kw)`` (out channels, in channels, kernel height,
kernel width) and a ``bias`` is ``(K,)``. "Convolution" means
cross-correlation, as in every deep-learning framework; :func:`correlate1d`
and :func:`convolve1d` show the difference on one axis.

Every function here computes

.. math::

    O[n, k, i, j] = b[k] + \sum_{c} \sum_{u} \sum_{v}
        W[k, c, u, v]\, X_p[n, c,\, i s_h + u d_h,\, j s_w + v d_w]

where :math:`X_p` is the zero-padded input, :math:`s` the stride and
:math:`d` the dilation. :func:`conv2d_reference` spells the sums out as loops;
:func:`conv2d` gathers the windows into blocks of a column matrix with the
engine of :mod:`convbook.engine` (the one :func:`im2col` returns whole) and
lets one matrix product per block do the arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import check_array, check_choice
from .engine import (
    DEFAULT_MEMORY_BUDGET,
    check_budget,
    check_conv_args,
    check_input,
    map_column_blocks,
)
from .geometry import parse_padding, resolve_geometry

__all__ = [
    "conv2d",
    "conv2d_reference",
    "convolve1d",
    "correlate1d",
    "im2col",
    "pad2d",
    "relu",
]

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]

#: A sample whose block has at least this many columns gets its own matrix
#: product, written in place into the output; smaller samples share one
#: product (many small BLAS calls would cost more than reordering one).
IN_PLACE_COLUMNS = 1024


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | Pair = 1,
    padding: int | str | Pair | Padding = 0,
    dilation: int | Pair = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> np.ndarray:
    r"""Apply a 2-D convolution (cross-correlation), as a CNN layer does.

    The fast implementation: the column engine
    (:func:`convbook.engine.map_column_blocks`, which :func:`im2col` runs
    too) copies the windows of a block of samples or output rows into a
    column matrix, and matrix products in BLAS do the arithmetic: one per
    sample of the block, written straight into the output, or, for samples
    with fewer than ``IN_PLACE_COLUMNS`` output pixels in the block, one
    for the whole block, reordered into the output. On a large problem the
    blocks are shared between the calling thread and as many more as
    numpy's BLAS may use, each copying and multiplying its own blocks with
    BLAS on one thread. :func:`conv2d_reference` computes the same numbers
    with loops.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (N, C, H, W)
        Input feature maps, channels first as in PyTorch.
    weight : array_like, shape (K, C, kh, kw)
        Filters (out channels, in channels, kernel height, kernel width).
    bias : array_like, shape (K,), optional
        One number added to each output channel.
    stride : int or (int, int), default 1
        Step between neighbouring windows, ``(sh, sw)``; at least 1.
    padding : int, (int, int), ((int, int), (int, int)) or str, default 0
        Zeros added around the input: ``p`` on all four sides, ``(ph, pw)``
        per axis, or ``((top, bottom), (left, right))``. ``'valid'`` is no
        padding; ``'same'`` keeps the size (PyTorch's rule, stride 1 only);
        ``'same-tf'`` makes the output ``ceil(H / sh)`` by ``ceil(W / sw)``
        for any stride (TensorFlow's rule). In both the odd pixel goes to
        the bottom and right; see :mod:`convbook.geometry`.
    dilation : int or (int, int), default 1
        Spacing between kernel taps, ``(dh, dw)``; at least 1.
    memory_budget : int, default DEFAULT_MEMORY_BUDGET
        Bytes that a block of columns may take; the batch is processed in
        blocks of samples (or of output rows) under it, so the working
        memory does not grow with the batch size. The result does not
        depend on it.

    Returns
    -------
    numpy.ndarray, shape (K, Ho, Wo) or (N, K, Ho, Wo)
        Same number of dimensions as ``x``; ``Ho`` and ``Wo`` are
        :func:`convbook.output_size` along each axis. float32 if ``x`` and
        ``weight`` are both float32, float64 otherwise (integers included).

    Raises
    ------
    TypeError
        If an array is not numeric or a size is not an integer.
    ValueError
        If a shape, a channel count, a stride, a padding or a dilation is
        invalid, or if the dilated kernel is larger than the padded input.

    See Also
    --------
    conv2d_reference : the same computation written as loops.
    im2col : the column matrix behind this function.
    convbook.conv2d_backward : its gradients.
    convbook.output_size : the output size along one axis.

    Notes
    -----
    With :math:`X_p` the zero-padded input,

    .. math::

        O[n, k, i, j] = b[k] + \sum_{c=0}^{C-1} \sum_{u=0}^{k_h-1}
            \sum_{v=0}^{k_w-1} W[k, c, u, v]\,
            X_p[n, c,\, i s_h + u d_h,\, j s_w + v d_w].

    The weight is not flipped: this is a cross-correlation, like PyTorch's
    ``conv2d``. NaN and infinity propagate to every output whose window
    contains them.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d
    >>> x = np.arange(16).reshape(1, 4, 4)
    >>> weight = np.ones((1, 1, 2, 2))
    >>> conv2d(x, weight)
    array([[[10., 14., 18.],
            [26., 30., 34.],
            [42., 46., 50.]]])
    >>> conv2d(x, weight, np.array([100.0]), stride=2)
    array([[[110., 118.],
            [142., 150.]]])
    >>> x = np.ones((2, 3, 28, 28), dtype=np.float32)
    >>> weight = np.ones((16, 3, 3, 3), dtype=np.float32)
    >>> y = conv2d(x, weight, padding="same")
    >>> y.shape, y.dtype, y[0, 0, 0, 0], y[0, 0, 1, 1]
    ((2, 16, 28, 28), dtype('float32'), np.float32(12.0), np.float32(27.0))
    """
    g = check_conv_args(x, weight, bias, stride, padding, dilation, memory_budget)
    n, k = g.x.shape[0], g.weight.shape[0]
    ho, wo = g.geometry.output_size
    matrix = np.ascontiguousarray(g.weight.reshape(k, -1))
    out = np.empty((n, k, ho, wo), g.dtype)

    def multiply(n0: int, n1: int, i0: int, i1: int, cols: np.ndarray) -> None:
        length = (i1 - i0) * wo  # columns per sample, ordered (row, column)
        if n1 - n0 == 1 or length >= IN_PLACE_COLUMNS:
            # one product per sample, written by BLAS straight into the output
            for n in range(n0, n1):
                part = cols[:, (n - n0) * length : (n - n0 + 1) * length]
                target = out[n].reshape(k, ho * wo)[:, i0 * wo : i1 * wo]
                np.matmul(matrix, part, out=target)
        else:  # many small samples: one product, reordered to NCHW
            product = (matrix @ cols).reshape(k, n1 - n0, i1 - i0, wo)
            out[n0:n1, :, i0:i1, :] = product.transpose(1, 0, 2, 3)

    map_column_blocks(g.x, g.geometry, g.dtype, g.budget, multiply)
    if g.bias is not None:
        out += g.bias[:, np.newaxis, np.newaxis]
    return out if g.batched else out[0]


def conv2d_reference(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: int | Pair = 1,
    padding: int | str | Pair | Padding = 0,
    dilation: int | Pair = 1,
) -> np.ndarray:
    r"""Apply a 2-D convolution with plain loops, one term of the sum at a time.

    The ground truth for :func:`conv2d`: same arguments, same checks, same
    result up to rounding, but every output value is the literal sum of its
    defining equation, so it is slow (use it on small inputs).

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (N, C, H, W)
        Input feature maps, channels first as in PyTorch.
    weight : array_like, shape (K, C, kh, kw)
        Filters (out channels, in channels, kernel height, kernel width).
    bias : array_like, shape (K,), optional
        One number added to each output channel.
    stride, padding, dilation
        As for :func:`conv2d`.

    Returns
    -------
    numpy.ndarray, shape (K, Ho, Wo) or (N, K, Ho, Wo)
        As for :func:`conv2d` (same shape and dtype rule).

    Raises
    ------
    TypeError, ValueError
        As for :func:`conv2d`.

    See Also
    --------
    conv2d : the fast implementation.

    Notes
    -----
    The loop body is the equation

    .. math::

        O[n, k, i, j] = b[k] + \sum_{c} \sum_{u} \sum_{v}
            W[k, c, u, v]\, X_p[n, c,\, i s_h + u d_h,\, j s_w + v d_w].

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d_reference
    >>> x = np.arange(9).reshape(1, 3, 3)
    >>> weight = np.array([[[[1, 0], [0, -1]]]])
    >>> conv2d_reference(x, weight)
    array([[[-4., -4.],
            [-4., -4.]]])
    """
    g = check_conv_args(x, weight, bias, stride, padding, dilation, 1)
    xp = pad2d(g.x.astype(g.dtype), g.geometry.padding)  # X_p: zeros around H, W
    w = g.weight
    b = np.zeros(w.shape[0], g.dtype) if g.bias is None else g.bias
    N, C, K = xp.shape[0], xp.shape[1], w.shape[0]
    kh, kw = w.shape[2], w.shape[3]
    (sh, sw), (dh, dw) = g.geometry.stride, g.geometry.dilation
    Ho, Wo = g.geometry.output_size
    out = np.empty((N, K, Ho, Wo), g.dtype)
    for n in range(N):
        for k in range(K):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[k]
                    for c in range(C):
                        for u in range(kh):
                            for v in range(kw):
                                row, col = i * sh + u * dh, j * sw + v * dw
                                total += w[k, c, u, v] * xp[n, c, row, col]
                    out[n, k, i, j] = total
    return out if g.batched else out[0]


def relu(x: Any) -> np.ndarray:
    r"""Return the rectified linear unit :math:`\max(x, 0)`, elementwise.

    Parameters
    ----------
    x : array_like
        Any numeric array (feature maps, typically ``(N, C, H, W)``).

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``x``; negative entries become 0, NaN stays
        NaN.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    .. math:: \operatorname{ReLU}(x) = \max(x, 0)

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import relu
    >>> relu(np.array([-2.0, -0.5, 0.0, 3.0, np.nan]))
    array([ 0.,  0.,  0.,  3., nan])
    >>> relu(np.array([-1, 2], dtype=np.int8))
    array([0, 2], dtype=int8)
    """
    array = check_array("x", x, ndim=None, layout="(any shape)")
    return np.maximum(array, array.dtype.type(0), out=np.empty_like(array))


def _check_1d(x: Any, kernel: Any, mode: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check the arguments of the 1-D functions."""
    xa = check_array("x", x, ndim=1, layout="(length,)")
    wa = check_array("kernel", kernel, ndim=1, layout="(length,)")
    for name, array in (("x", xa), ("kernel", wa)):
        if array.size == 0:
            raise ValueError(f"`{name}` must not be empty")
    check_choice("mode", mode, ("valid", "same", "full"))
    return xa, wa


def _crop_1d(
    full: np.ndarray, n: int, k: int, mode: str, *, flipped: bool
) -> np.ndarray:
    """Cut numpy's 'valid' or 'same' part out of a 'full' result."""
    if mode == "full":
        return full
    short = min(n, k)
    if mode == "valid":
        return full[short - 1 : short - 1 + abs(n - k) + 1]
    # 'same' keeps max(n, k) values, centred as numpy centres them (numpy
    # swaps the arguments of correlate when the kernel is the longer one).
    start = (short - 1) // 2 if flipped or n >= k else short // 2
    return full[start : start + max(n, k)]


def correlate1d(x: Any, kernel: Any, mode: str = "valid") -> np.ndarray:
    r"""Cross-correlate two 1-D sequences: slide the kernel as it is.

    This is what deep-learning frameworks call convolution. It matches
    :func:`numpy.correlate` in every mode.

    Parameters
    ----------
    x : array_like, shape (n,)
        The signal.
    kernel : array_like, shape (k,)
        The weights, not flipped.
    mode : {'valid', 'same', 'full'}, default 'valid'
        ``'valid'``: only positions where the kernel lies inside ``x``
        (``|n - k| + 1`` values); ``'full'``: every overlap, with zeros
        outside ``x`` (``n + k - 1`` values); ``'same'``: the centred
        ``max(n, k)`` values of ``'full'``.

    Returns
    -------
    numpy.ndarray, shape depends on ``mode``
        dtype of ``x * kernel`` (integers stay integers).

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If an input is not 1-D or is empty, or ``mode`` is unknown.

    See Also
    --------
    convolve1d : the true convolution, which flips the kernel.
    numpy.correlate : the same result.

    Notes
    -----
    For every lag :math:`i` (from :math:`-(k-1)` to :math:`n-1` in mode
    ``'full'``, from 0 to :math:`n-k` in mode ``'valid'``), with
    :math:`x` taken as zero outside :math:`0 \ldots n-1`,

    .. math:: y[i] = \sum_{m=0}^{k-1} x[i + m]\, w[m].

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import correlate1d
    >>> correlate1d([1, 2, 3, 4, 5, 6], [1, -1])
    array([-1, -1, -1, -1, -1])
    >>> correlate1d([1, 2, 3], [1, 10], mode="full")
    array([10, 21, 32,  3])
    """
    xa, wa = _check_1d(x, kernel, mode)
    n, k = xa.size, wa.size
    zeros = np.zeros(k - 1, xa.dtype)
    xpad = np.concatenate([zeros, xa, zeros])  # x is zero outside 0..n-1
    windows = sliding_window_view(xpad, k)  # windows[l] = xpad[l : l + k]
    full = windows @ wa  # y[i] = sum_m x[i + m] w[m], i = l - (k - 1)
    return _crop_1d(full, n, k, mode, flipped=False)


def convolve1d(x: Any, kernel: Any, mode: str = "valid") -> np.ndarray:
    r"""Convolve two 1-D sequences: the kernel is flipped as it slides.

    The convolution of signal processing, and of :func:`numpy.convolve`,
    which it matches in every mode. Deep-learning "convolution" is
    :func:`correlate1d` instead; for a symmetric kernel the two agree.

    Parameters
    ----------
    x : array_like, shape (n,)
        The signal.
    kernel : array_like, shape (k,)
        The weights.
    mode : {'valid', 'same', 'full'}, default 'valid'
        As for :func:`correlate1d`.

    Returns
    -------
    numpy.ndarray, shape depends on ``mode``
        dtype of ``x * kernel`` (integers stay integers).

    Raises
    ------
    TypeError
        If an input is not numeric.
    ValueError
        If an input is not 1-D or is empty, or ``mode`` is unknown.

    See Also
    --------
    correlate1d : the unflipped version that CNNs use.
    numpy.convolve : the same result.

    Notes
    -----
    For every :math:`i` (from 0 to :math:`n+k-2` in mode ``'full'``, from
    :math:`k-1` to :math:`n-1` in mode ``'valid'``), with :math:`x` taken as
    zero outside :math:`0 \ldots n-1`,

    .. math:: y[i] = \sum_{m=0}^{k-1} x[i - m]\, w[m],

    which in modes ``'valid'`` and ``'full'`` is :func:`correlate1d` with
    the kernel reversed. In mode ``'same'`` it is too, except when the
    kernel is longer than ``x`` and ``x`` has an even length: numpy then
    centres the two results one position apart, and this function follows
    numpy.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import convolve1d, correlate1d
    >>> convolve1d([1, 2, 3, 4, 5, 6], [1, -1])
    array([1, 1, 1, 1, 1])
    >>> np.convolve([1, 2, 3, 4, 5, 6], [1, -1], "valid")
    array([1, 1, 1, 1, 1])
    >>> convolve1d([1, 2, 3], [1, 10], mode="full")
    array([ 1, 12, 23, 30])
    >>> correlate1d([1, 2, 3], [10, 1], mode="full")
    array([ 1, 12, 23, 30])
    """
    xa, wa = _check_1d(x, kernel, mode)
    n, k = xa.size, wa.size
    zeros = np.zeros(k - 1, xa.dtype)
    xpad = np.concatenate([zeros, xa, zeros])  # x is zero outside 0..n-1
    # row i of `behind` is x[i], x[i - 1], ..., x[i - (k - 1)]
    behind = sliding_window_view(xpad, k)[:, ::-1]
    full = behind @ wa  # y[i] = sum_m x[i - m] w[m]
    return _crop_1d(full, n, k, mode, flipped=True)


def pad2d(x: Any, padding: int | Pair | Padding) -> np.ndarray:
    r"""Add zeros around the last two axes (height and width) of ``x``.

    Parameters
    ----------
    x : array_like, shape (H, W), (C, H, W) or (N, C, H, W)
        Feature maps; only the last two axes are padded.
    padding : int, (int, int) or ((int, int), (int, int))
        ``p`` zeros on all four sides, ``(ph, pw)`` per axis, or
        ``((top, bottom), (left, right))``; never negative.

    Returns
    -------
    numpy.ndarray, shape (..., top + H + bottom, left + W + right)
        A new array, same dtype as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or a padding is not an integer.
    ValueError
        If ``x`` has the wrong number of dimensions, or a padding is
        negative, malformed or a string.

    See Also
    --------
    numpy.pad : the general version.
    convbook.same_padding : the padding for ``'same'``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import pad2d
    >>> pad2d(np.array([[1, 2], [3, 4]]), 1)
    array([[0, 0, 0, 0],
           [0, 1, 2, 0],
           [0, 3, 4, 0],
           [0, 0, 0, 0]])
    >>> pad2d(np.ones((1, 2, 2)), ((0, 1), (2, 0)))
    array([[[0., 0., 1., 1.],
            [0., 0., 1., 1.],
            [0., 0., 0., 0.]]])
    """
    array = check_array(
        "x", x, ndim=(2, 3, 4), layout="(H, W), (C, H, W) or (N, C, H, W)"
    )
    (top, bottom), (left, right) = parse_padding(padding, modes=False)
    *lead, h, w = array.shape
    out = np.zeros((*lead, top + h + bottom, left + w + right), array.dtype)
    out[..., top : top + h, left : left + w] = array
    return out


def im2col(
    x: Any,
    kernel_size: int | Pair,
    *,
    stride: int | Pair = 1,
    padding: int | str | Pair | Padding = 0,
    dilation: int | Pair = 1,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> np.ndarray:
    r"""Gather every window of ``x`` into the columns of a matrix.

    Column ``i * Wo + j`` holds the window that produces output pixel
    ``(i, j)``, read in ``(c, u, v)`` order, so that a convolution becomes
    one matrix product: ``weight.reshape(K, -1) @ im2col(x, (kh, kw))``,
    reshaped to ``(K, Ho, Wo)``, equals :func:`conv2d`.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (N, C, H, W)
        Input feature maps, channels first as in PyTorch.
    kernel_size : int or (int, int)
        ``(kh, kw)``, at least 1.
    stride, padding, dilation
        As for :func:`conv2d`.
    memory_budget : int, default DEFAULT_MEMORY_BUDGET
        Bytes of columns gathered at once (the result is the whole matrix
        whatever the budget).

    Returns
    -------
    numpy.ndarray, shape (C*kh*kw, Ho*Wo) or (N, C*kh*kw, Ho*Wo)
        A new array with the dtype of ``x``; row ``(c*kh + u)*kw + v``
        holds tap ``(u, v)`` of channel ``c``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`conv2d`.

    See Also
    --------
    conv2d : which multiplies this matrix by the weights.

    Notes
    -----
    .. math::

        M[(c k_h + u) k_w + v,\ i W_o + j] =
            X_p[c,\, i s_h + u d_h,\, j s_w + v d_w].

    The matrix repeats each input pixel up to :math:`k_h k_w` times, which
    is the memory price of doing the sum as one matrix product.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d, im2col
    >>> x = np.arange(9).reshape(1, 3, 3)
    >>> im2col(x, 2)
    array([[0, 1, 3, 4],
           [1, 2, 4, 5],
           [3, 4, 6, 7],
           [4, 5, 7, 8]])
    >>> weight = np.array([[[[1, 0], [0, -1]]], [[[1, 1], [1, 1]]]])
    >>> product = (weight.reshape(2, -1) @ im2col(x, 2)).reshape(2, 2, 2)
    >>> product
    array([[[-4, -4],
            [-4, -4]],
    <BLANKLINE>
           [[ 8, 12],
            [20, 24]]])
    >>> np.array_equal(product, conv2d(x, weight))
    True
    """
    x4, batched = check_input(x)
    g = resolve_geometry(
        x4.shape[2:],
        kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        size_name="x",
    )
    budget = check_budget(memory_budget)
    (kh, kw), (ho, wo) = g.kernel_size, g.output_size
    n, c = x4.shape[0], x4.shape[1]
    out = np.empty((n, c * kh * kw, ho * wo), x4.dtype)

    def place(n0: int, n1: int, i0: int, i1: int, cols: np.ndarray) -> None:
        block = cols.reshape(c * kh * kw, n1 - n0, (i1 - i0) * wo)
        out[n0:n1, :, i0 * wo : i1 * wo] = block.transpose(1, 0, 2)

    map_column_blocks(x4, g, x4.dtype, budget, place)
    return out if batched else out[0]
