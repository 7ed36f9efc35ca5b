"""The column engine: windows gathered into matrices, and scattered back.

Every fast function of the package runs on the two routines here.
:func:`column_blocks` copies the windows of an input into blocks of the
im2col matrix, so that one matrix product (in BLAS) computes a convolution:
:func:`convbook.conv2d`, :func:`convbook.im2col` and the weight gradient of
:func:`convbook.conv2d_backward` use it. :func:`scatter_columns` is its
adjoint, the col2im that adds columns back onto an input-shaped canvas: the
input gradient of :func:`convbook.conv2d_backward` and
:func:`convbook.conv_transpose2d` use it.

Both work in blocks under a memory budget (a parameter of every public
function, :data:`DEFAULT_MEMORY_BUDGET` bytes by default): a batch goes
through a few samples at a time, and one large image a few output rows at a
time, so the working memory does not grow with the batch size.

The module also holds the argument checks that these functions share.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import check_array, check_bias_array, check_int
from .geometry import Geometry, resolve_geometry

__all__ = ["DEFAULT_MEMORY_BUDGET", "column_blocks", "scatter_columns"]

Pair = tuple[int, int]

#: Bytes that a block of columns (with the input it is read from) may take
#: at once, unless a function is given another ``memory_budget``: bounded, so
#: memory stays flat in the batch size, and large enough that each block is
#: one large matrix product (many small ones cost a BLAS thread
#: synchronisation each, which is slow on a busy machine).
DEFAULT_MEMORY_BUDGET = 16 * 2**20

X_LAYOUT = "(C, H, W) or (N, C, H, W)"


def check_budget(memory_budget: Any) -> int:
    """Return ``memory_budget`` (bytes) as a positive int."""
    return check_int("memory_budget", memory_budget, minimum=1, maximum=None)


def compute_dtype(*arrays: np.ndarray) -> np.dtype:
    """float32 if every array is float32, else float64 (integers included)."""
    if all(a.dtype == np.float32 for a in arrays):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_input(x: Any, name: str = "x") -> tuple[np.ndarray, bool]:
    """Return ``x`` as a 4-D array and whether the caller's was 4-D."""
    array = check_array(name, x, ndim=(3, 4), layout=X_LAYOUT)
    batched = array.ndim == 4
    if not batched:
        array = array[np.newaxis]
    if min(array.shape[1:]) < 1:
        raise ValueError(
            f"`{name}` must have at least one channel, row and column, "
            f"got shape {array.shape if batched else array.shape[1:]}"
        )
    return array, batched


def check_weight(weight: Any, channels: int, *, transposed: bool = False) -> np.ndarray:
    """Return a 4-D weight whose input-channel axis matches ``channels``.

    A convolution's weight is ``(out, in, kh, kw)``; a transposed
    convolution's is ``(in, out, kh, kw)``.
    """
    layout = (
        "(in_channels, out_channels, kh, kw)"
        if transposed
        else "(out_channels, in_channels, kh, kw)"
    )
    w = check_array("weight", weight, ndim=4, layout=layout)
    if min(w.shape) < 1:
        raise ValueError(
            "`weight` must have at least one element along every axis "
            f"{layout}, got shape {w.shape}"
        )
    axis = 0 if transposed else 1
    if w.shape[axis] != channels:
        rule = (
            "(weight is (in, out, kh, kw) for a transposed convolution)"
            if transposed
            else "(weight is (out, in, kh, kw))"
        )
        raise ValueError(
            f"`weight` has {w.shape[axis]} input channels but `x` has "
            f"{channels}; they must match {rule}"
        )
    return w


class ConvArgs(NamedTuple):
    """Checked arguments of a convolution, with the input made 4-D."""

    x: np.ndarray  # (N, C, H, W), the caller's dtype
    weight: np.ndarray  # (K, C, kh, kw), in `dtype`
    bias: np.ndarray | None  # (K,), in `dtype`
    batched: bool  # False if the caller passed a 3-D `x`
    geometry: Geometry
    dtype: np.dtype
    budget: int


def check_conv_args(
    x: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    memory_budget: Any,
) -> ConvArgs:
    """Check the arguments shared by the 2-D convolution functions."""
    x4, batched = check_input(x)
    w = check_weight(weight, x4.shape[1])
    b = check_bias_array(bias, w.shape[0])
    geometry = resolve_geometry(
        x4.shape[2:],
        w.shape[2:],
        stride=stride,
        padding=padding,
        dilation=dilation,
        size_name="x",
        kernel_name="weight",
    )
    dtype = compute_dtype(x4, w)
    return ConvArgs(
        x=x4,
        weight=w.astype(dtype, copy=False),
        bias=None if b is None else b.astype(dtype, copy=False),
        batched=batched,
        geometry=geometry,
        dtype=dtype,
        budget=check_budget(memory_budget),
    )


def window_view(padded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Return the read-only view ``(N, C, kh, kw, Ho, Wo)`` of every window.

    Element ``[n, c, u, v, i, j]`` is ``padded[n, c, i*sh + u*dh, j*sw + v*dw]``
    where ``padded`` is an ``(N, C, H', W')`` input already padded as
    ``geometry`` says. No data is copied.
    """
    out = geometry.output_size
    view = sliding_window_view(padded, geometry.span, axis=(2, 3))
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    view = view[:, :, : out[0] * sh : sh, : out[1] * sw : sw, ::dh, ::dw]
    return view.transpose(0, 1, 4, 5, 2, 3)


def _phase_geometry(size: int, before: int, stride: int) -> list[tuple[int, int, int]]:
    """Return, per phase ``p`` of one axis, where the input lands in it.

    Phase ``p`` holds the padded positions ``p, p + s, p + 2s, ...``. Entry
    ``p`` is ``(first, start, count)``: the phase's element ``first`` is the
    input's element ``start``, and ``count`` input elements follow at
    ``stride`` spacing; the other elements of the phase are padding zeros.
    """
    phases = []
    for p in range(stride):
        first = -((before - p) // -stride)  # ceil((before - p) / stride)
        start = p + first * stride - before
        phases.append((first, start, len(range(start, size, stride))))
    return phases


def column_blocks(
    x4: np.ndarray, geometry: Geometry, dtype: np.dtype, budget: int
) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """Yield ``(n0, n1, i0, i1, cols)``: the im2col matrix, block by block.

    ``cols`` has shape ``(C*kh*kw, (n1 - n0) * (i1 - i0) * Wo)``: the columns
    of samples ``n0:n1`` and output rows ``i0:i1``, ordered by sample, then
    output row, then output column, with row ``(c*kh + u)*kw + v`` holding
    tap ``(u, v)`` of channel ``c``. Whole samples are grouped while their
    columns and padded input fit in ``budget`` bytes; a sample that does not
    fit alone is split into blocks of output rows.

    The padded input is stored as its ``sh * sw`` stride phases,
    ``phase[p][q] = padded[..., p::sh, q::sw]`` (a single phase, the padded
    input itself, at stride 1): tap ``(u, v)`` then reads phase
    ``(u*dh % sh, v*dw % sw)`` at offset ``(u*dh // sh, v*dw // sw)`` with
    unit stride, so every copy moves contiguous rows. The phases and the
    columns live in buffers that every block reuses: a caller must be done
    with one block before it asks for the next.
    """
    n, c, h, w = x4.shape
    kh, kw = geometry.kernel_size
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    (top, _), (left, _) = geometry.padding
    (padded_h, padded_w), (ho, wo) = geometry.padded, geometry.output_size
    taps = [
        (divmod(u * dh, sh), divmod(v * dw, sw)) for u in range(kh) for v in range(kw)
    ]
    shapes = {
        (p, q): (len(range(p, padded_h, sh)), len(range(q, padded_w, sw)))
        for (_, p), (_, q) in taps
    }
    item = dtype.itemsize
    row_bytes = c * kh * kw * wo * item
    phase_bytes = c * sum(a * b for a, b in shapes.values()) * item
    if row_bytes * ho + phase_bytes <= budget:
        per_block = max(1, min(n, budget // (row_bytes * ho + phase_bytes)))
        rows = ho
    else:
        per_block, rows = 1, max(1, min(ho, (budget - phase_bytes) // row_bytes))
    phases = {
        key: np.zeros((c, per_block, *shape), dtype) for key, shape in shapes.items()
    }
    buffer = np.empty(c * kh * kw * per_block * rows * wo, dtype)
    row_phases = _phase_geometry(h, top, sh)
    col_phases = _phase_geometry(w, left, sw)
    for n0 in range(0, n, per_block):
        n1 = min(n, n0 + per_block)
        m = n1 - n0
        sample = x4[n0:n1].transpose(1, 0, 2, 3)  # (C, m, H, W)
        for (p, q), phase in phases.items():
            a0, r0, nr = row_phases[p]
            b0, s0, ns = col_phases[q]
            np.copyto(
                phase[:, :m, a0 : a0 + nr, b0 : b0 + ns],
                sample[:, :, r0 : r0 + nr * sh : sh, s0 : s0 + ns * sw : sw],
                casting="unsafe",
            )
        for i0 in range(0, ho, rows):
            i1 = min(ho, i0 + rows)
            cols = buffer[: c * kh * kw * m * (i1 - i0) * wo]
            cols = cols.reshape(c, kh * kw, m, i1 - i0, wo)
            for t, ((a, p), (b, q)) in enumerate(taps):
                np.copyto(cols[:, t], phases[p, q][:, :m, a + i0 : a + i1, b : b + wo])
            yield n0, n1, i0, i1, cols.reshape(c * kh * kw, -1)


def scatter_columns(
    y4: np.ndarray,
    matrix: np.ndarray,
    channels: int,
    kernel_size: Pair,
    stride: Pair,
    dilation: Pair,
    canvas_size: Pair,
    budget: int,
) -> np.ndarray:
    """Spread ``y4`` back over a padded input: the col2im of a convolution.

    ``y4`` is ``(N, K, Ho, Wo)`` and ``matrix`` is the ``(K, C*kh*kw)``
    weight matrix. Returns the ``(N, C, *canvas_size)`` array whose pixel
    ``[n, c, i*sh + u*dh, j*sw + v*dw]`` accumulates
    ``sum_k matrix[k, (c, u, v)] * y4[n, k, i, j]``: the adjoint of
    :func:`column_blocks` followed by the product with ``matrix``. The batch
    goes through in blocks whose columns fit in ``budget`` bytes.
    """
    n, k, ho, wo = y4.shape
    kh, kw = kernel_size
    (sh, sw), (dh, dw) = stride, dilation
    canvas = np.zeros((n, channels, *canvas_size), y4.dtype)
    rows = matrix.shape[1]
    per_block = max(1, min(n, budget // (rows * ho * wo * y4.dtype.itemsize)))
    buffer = np.empty((per_block, rows, ho * wo), y4.dtype)
    transposed = matrix.T  # (C*kh*kw, K), a view that BLAS reads as it is
    for n0 in range(0, n, per_block):
        n1 = min(n, n0 + per_block)
        cols = buffer[: n1 - n0]
        np.matmul(transposed, y4[n0:n1].reshape(n1 - n0, k, ho * wo), out=cols)
        cols6 = cols.reshape(n1 - n0, channels, kh, kw, ho, wo)
        for u in range(kh):
            for v in range(kw):
                rows_hit = slice(u * dh, u * dh + (ho - 1) * sh + 1, sh)
                cols_hit = slice(v * dw, v * dw + (wo - 1) * sw + 1, sw)
                canvas[n0:n1, :, rows_hit, cols_hit] += cols6[:, :, u, v]
    return canvas
