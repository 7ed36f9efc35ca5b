r"""Pooling: the maximum or the mean of each window, channel by channel.

A pooling layer slides its window exactly as a convolution does -- the
geometry, output size included, comes from :func:`convbook.resolve_geometry`
-- but it has no weights and never mixes channels: each output is the largest
value, or the mean, of one window of one channel. The functions follow
PyTorch's ``max_pool2d`` and ``avg_pool2d``: the stride defaults to the
window, the padding is at most half the window, and ``ceil_mode`` counts a
last window that runs past the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import check_pair
from .engine import check_input, window_view
from .geometry import Geometry, check_pool_padding, resolve_geometry

__all__ = ["avg_pool2d", "max_pool2d"]

Pair = tuple[int, int]


def _windows(
    x: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
    fill: float,
) -> tuple[np.ndarray, bool, Geometry]:
    """Return ``(view, batched, geometry)``; ``view`` is ``(N, C, kh, kw, Ho, Wo)``.

    The input is padded with ``fill``, and further past the padding where a
    ceil-mode window runs over the end.
    """
    x4, batched = check_input(x)
    kernel = check_pair("kernel_size", kernel_size, minimum=1)
    pads = check_pair("padding", padding, minimum=0)
    check_pool_padding(pads, kernel)
    geometry = resolve_geometry(
        x4.shape[2:],
        kernel,
        stride=kernel if stride is None else stride,
        padding=pads,
        dilation=dilation,
        ceil_mode=ceil_mode,
        size_name="x",
    )
    dtype = np.float32 if x4.dtype == np.float32 else np.float64
    extent = [
        max((axis.output_size - 1) * axis.stride + axis.span, axis.padded)
        for axis in geometry.axes
    ]
    canvas = np.full((*x4.shape[:2], *extent), fill, dtype)
    (top, _), (left, _) = geometry.padding
    h, w = x4.shape[2:]
    canvas[:, :, top : top + h, left : left + w] = x4
    return window_view(canvas, geometry), batched, geometry


def max_pool2d(
    x: Any,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
    *,
    ceil_mode: bool = False,
) -> np.ndarray:
    r"""Return the largest value of every window, channel by channel.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (N, C, H, W)
        Input feature maps, channels first.
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; the window size by default (no overlap).
    padding : int or (int, int), default 0
        Padding on both sides of each axis, at most half the window; padded
        positions never win (they count as :math:`-\infty`).
    dilation : int or (int, int), default 1
        Spacing between window taps.
    ceil_mode : bool, default False
        Count a last window that runs past the end
        (see :func:`convbook.pool_output_size`).

    Returns
    -------
    numpy.ndarray, shape (C, Ho, Wo) or (N, C, Ho, Wo)
        float32 for a float32 input, float64 otherwise.

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a 3-D or 4-D numeric array, or a size is invalid
        (as for :func:`convbook.resolve_geometry`), or the padding exceeds
        half the window.

    See Also
    --------
    avg_pool2d, convbook.MaxPool2d

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import max_pool2d
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> max_pool2d(x, 2)
    array([[[ 5.,  7.],
            [13., 15.]]])
    >>> max_pool2d(np.arange(5.0).reshape(1, 1, 5), (1, 2), ceil_mode=True)
    array([[[1., 3., 4.]]])
    """
    view, batched, _ = _windows(
        x, kernel_size, stride, padding, dilation, ceil_mode, -np.inf
    )
    out = view.max(axis=(2, 3))
    return out if batched else out[0]


def avg_pool2d(
    x: Any,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    *,
    ceil_mode: bool = False,
) -> np.ndarray:
    r"""Return the mean of every window, channel by channel.

    Padding zeros count in the mean (PyTorch's default,
    ``count_include_pad=True``); positions past the padding, which only a
    ceil-mode window reaches, do not.

    Parameters
    ----------
    x : array_like, shape (C, H, W) or (N, C, H, W)
        Input feature maps, channels first.
    kernel_size : int or (int, int)
        Window height and width.
    stride : int or (int, int), optional
        Step between windows; the window size by default.
    padding : int or (int, int), default 0
        Zeros on both sides of each axis, at most half the window.
    ceil_mode : bool, default False
        Count a last window that runs past the end.

    Returns
    -------
    numpy.ndarray, shape (C, Ho, Wo) or (N, C, Ho, Wo)
        float32 for a float32 input, float64 otherwise.

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool2d`.

    See Also
    --------
    max_pool2d, convbook.AvgPool2d

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import avg_pool2d
    >>> avg_pool2d(np.arange(16.0).reshape(1, 4, 4), 2)
    array([[[ 2.5,  4.5],
            [10.5, 12.5]]])
    >>> avg_pool2d(np.ones((1, 3, 3)), 3, stride=1, padding=1)[0, 0]
    array([0.44444444, 0.66666667, 0.44444444])
    """
    view, batched, geometry = _windows(
        x, kernel_size, stride, padding, 1, ceil_mode, 0.0
    )
    counts = [
        np.minimum(
            np.arange(axis.output_size) * axis.stride + axis.kernel_size,
            axis.padded,
        )
        - np.arange(axis.output_size) * axis.stride
        for axis in geometry.axes
    ]
    out = view.sum(axis=(2, 3)) / np.outer(*counts).astype(view.dtype)
    return out if batched else out[0]
