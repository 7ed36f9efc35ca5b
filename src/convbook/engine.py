"""The column engine: windows gathered into matrices, and scattered back.

Every fast function of the package runs on the two routines here.
:func:`map_column_blocks` copies the windows of an input into blocks of the
im2col matrix and hands each block to a function, so that matrix products
(in BLAS) compute a convolution: :func:`convbook.conv2d`,
:func:`convbook.im2col` and the weight gradient of
:func:`convbook.conv2d_backward` use it (:func:`column_blocks` yields such
blocks one after another, in the calling thread). :func:`scatter_columns` is its
adjoint, the col2im that adds columns back onto an input-shaped canvas: the
input gradient of :func:`convbook.conv2d_backward` and
:func:`convbook.conv_transpose2d` use it.

Both work in blocks under a memory budget (a parameter of every public
function, :data:`DEFAULT_MEMORY_BUDGET` bytes by default): a batch goes
through a few samples at a time, and one large image a few output rows at a
time, so the working memory does not grow with the batch size.

A large problem is shared among threads: :func:`map_column_blocks` hands
the blocks to the calling thread and to as many more as numpy's BLAS may
use, and each thread copies its blocks' columns and runs their products
with BLAS held to one thread (through threadpoolctl), so that every core
both copies and multiplies. numpy releases the interpreter lock in both.
Where it fits in the budget, the padded input is copied once per call and
every block copies only its columns from it, so the blocks can be small
enough to stay in the cache. The helper threads are started
once and wait for the next call, and every thread keeps its buffers while
the next call's blocks have the same shapes, so that a call repeated
(every layer of a network at every step) pays neither for starting threads
nor for the page faults of fresh memory; :func:`release_workers` stops the
helpers and frees the buffers. Without threadpoolctl the blocks run one
after another, the products on BLAS's own threads.

The module also holds the argument checks that these functions share.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from ._checks import check_array, check_bias_array, check_int
from .geometry import Geometry, resolve_geometry

__all__ = [
    "DEFAULT_MEMORY_BUDGET",
    "blas_threads",
    "column_blocks",
    "map_column_blocks",
    "release_workers",
    "scatter_columns",
]

Pair = tuple[int, int]
T = TypeVar("T")

#: Bytes of columns in a block when the blocks share their stride phases
#: (see :func:`map_column_blocks`): small enough that a block's columns are
#: still in the cache when its product reads them, and that the threads
#: finish close together; large enough that a block's few copies and its
#: product dwarf the Python around them (1 to 4 MiB measured alike on the
#: ResNet stem; below 1 MiB, slower).
BLOCK_BYTES = 2 * 2**20

#: A column matrix of at least this many elements is built and multiplied in
#: parallel by :func:`map_column_blocks`; a smaller one is not worth a thread.
PARALLEL_COLUMN_ELEMENTS = 2**18

_BLAS: list[Any] = []  # threadpoolctl's controller of numpy's BLAS, once found


def _blas() -> Any:
    """threadpoolctl's controller of the loaded BLAS libraries, or None."""
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return None
        _BLAS.append(ThreadpoolController().select(user_api="blas"))
    return _BLAS[0]


def blas_threads() -> int:
    """How many threads numpy's BLAS may use now (1 without threadpoolctl)."""
    blas = _blas()
    pools = [] if blas is None else blas.info()
    return max((pool["num_threads"] for pool in pools), default=1)


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Hold BLAS to one thread inside a ``with`` block, then restore it."""
    blas = _blas()
    if blas is None:
        return contextlib.nullcontext()
    return blas.limit(limits=1)


#: Bytes that the blocks of columns (with the input they are read from) may
#: take at once, unless a function is given another ``memory_budget``:
#: bounded, so memory stays flat in the batch size, and large enough that
#: each block is a large matrix product. Threads share it evenly.
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


class _TapGroup(NamedTuple):
    """The taps of one axis that read one stride phase.

    Taps ``taps`` (a range) read the phase at offsets ``first``,
    ``first + step``, ...: tap ``u`` reads phase ``u*d % s`` at offset
    ``u*d // s``, and the taps sharing a phase are evenly spaced, so one
    strided copy moves them all.
    """

    taps: slice
    count: int
    first: int
    step: int


def _tap_groups(kernel: int, dilation: int, stride: int) -> dict[int, _TapGroup]:
    """Return, per stride phase that some tap reads, its :class:`_TapGroup`."""
    groups = {}
    for phase in range(stride):
        taps = [u for u in range(kernel) if u * dilation % stride == phase]
        if taps:
            step = taps[1] - taps[0] if len(taps) > 1 else 1
            groups[phase] = _TapGroup(
                slice(taps[0], taps[-1] + 1, step),
                len(taps),
                taps[0] * dilation // stride,
                step * dilation // stride,
            )
    return groups


class _Plan(NamedTuple):
    """The blocks of a column matrix, and the size of one block's buffers."""

    blocks: list[tuple[int, int, int, int]]  # (n0, n1, i0, i1), in order
    per_block: int  # samples a block holds at most
    block_rows: int  # output rows a block holds at most


def _split(count: int, parts: int) -> list[Pair]:
    """``range(count)`` cut into at most ``parts`` contiguous, even pieces."""
    parts = max(1, min(count, parts))
    cuts = [count * j // parts for j in range(parts + 1)]
    return list(itertools.pairwise(cuts))


def _round_up(count: int, multiple: int) -> int:
    return -(-count // multiple) * multiple


@functools.lru_cache(maxsize=64)
def _plan(
    n: int,
    channels: int,
    geometry: Geometry,
    item: int,
    budget: int,
    threads: int,
    shared: bool = False,
) -> _Plan:
    """Cut ``n`` samples into blocks whose buffers fit in ``budget`` bytes.

    Whole samples are grouped while they fit; a sample that does not fit
    alone is cut into blocks of output rows. For ``threads`` > 1 the count
    of blocks is made a multiple of ``threads`` where it can be (and at
    least ``threads``), so that the threads get even shares. With
    ``shared``, the stride phases are made once for all blocks
    (:func:`map_column_blocks`), and a block's buffer holds only columns.
    """
    kh, kw = geometry.kernel_size
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    ho, wo = geometry.output_size
    taps = {((u * dh) % sh, (v * dw) % sw) for u in range(kh) for v in range(kw)}
    phase_w = sum(len(range(q, geometry.padded[1], sw)) for _, q in taps)
    halo = (kh - 1) * dh // sh  # phase rows below a block's last output row
    # bytes per sample and output row: columns, then phases (with the halo)
    column_row = channels * kh * kw * wo * item
    phase_row = 0 if shared else channels * phase_w * item
    sample = ho * (column_row + phase_row) + halo * phase_row
    if sample <= budget:  # whole samples, in groups that fit
        groups = -(-n // (budget // sample))
        if threads > 1:
            groups = min(n, _round_up(groups, threads))
        pieces = min(ho, -(-threads // groups)) if 0 < groups < threads else 1
    else:  # one sample at a time, in pieces of rows that fit
        groups = n
        fits = max(1, (budget - halo * phase_row) // (column_row + phase_row))
        pieces = -(-ho // fits)
        if threads > 1 and (n * pieces) % threads:
            pieces = min(ho, pieces + threads - (n * pieces) % threads)
    samples = _split(n, groups) if n else []
    rows = _split(ho, pieces)
    return _Plan(
        [(n0, n1, i0, i1) for n0, n1 in samples for i0, i1 in rows],
        max((b - a for a, b in samples), default=1),
        max(b - a for a, b in rows),
    )


class _Layout(NamedTuple):
    """Where a block's copies read and write: fixed by the shapes alone."""

    halo: int  # phase rows a block reads below its last output row
    phases: dict[Pair, tuple[int, ...]]  # shape of each stride phase's buffer
    size: int  # elements of the column buffer
    row_phases: list[tuple[int, int, int]]  # see _phase_geometry
    col_phases: list[tuple[int, int, int]]
    row_groups: dict[int, _TapGroup]
    col_groups: dict[int, _TapGroup]


@functools.lru_cache(maxsize=64)
def _layout(shape: tuple[int, ...], geometry: Geometry, plan_shape: Pair) -> _Layout:
    """The :class:`_Layout` of blocks of ``plan_shape`` (samples, rows)."""
    c, h, w = shape[1:]
    per_block, block_rows = plan_shape
    kh, kw = geometry.kernel_size
    (sh, sw), (dh, dw) = geometry.stride, geometry.dilation
    (top, _), (left, _) = geometry.padding
    row_groups, col_groups = _tap_groups(kh, dh, sh), _tap_groups(kw, dw, sw)
    halo = max(g.first + (g.count - 1) * g.step for g in row_groups.values())
    phases = {
        (p, q): (
            c,
            per_block,
            block_rows + halo,
            len(range(q, geometry.padded[1], sw)),
        )
        for p in row_groups
        for q in col_groups
    }
    size = c * kh * kw * per_block * block_rows * geometry.output_size[1]
    return _Layout(
        halo,
        phases,
        size,
        _phase_geometry(h, top, sh),
        _phase_geometry(w, left, sw),
        row_groups,
        col_groups,
    )


class _Gatherer:
    """One thread's buffers, and the copies that fill them for a block.

    The padded input is held as its ``sh * sw`` stride phases,
    ``phase[p][q] = padded[..., p::sh, q::sw]`` (a single phase, the padded
    input itself, at stride 1): tap ``(u, v)`` then reads phase
    ``(u*dh % sh, v*dw % sw)`` at offset ``(u*dh // sh, v*dw // sw)`` with
    unit stride, and the taps that read one phase are evenly spaced, so one
    copy per phase fills all their columns. A block's phases hold only the
    rows that its output rows read; or, given ``shared`` (a gatherer whose
    phases hold every row of every sample, filled once by :meth:`fill`),
    the block reads those and copies only its columns. With ``reuse``, the
    buffers are those that this thread used last, when they have the same
    shapes (see :func:`_buffers`). With ``columns=False`` there is no
    column buffer (a gatherer that only holds phases).
    """

    def __init__(
        self,
        x4: np.ndarray,
        geometry: Geometry,
        dtype: np.dtype,
        plan: _Plan,
        reuse: bool = False,
        shared: _Gatherer | None = None,
        columns: bool = True,
    ) -> None:
        self.x4, self.geometry, self.shared = x4, geometry, shared
        self.whole = not columns  # phases of every row of every sample
        self.layout = _layout(x4.shape, geometry, (plan.per_block, plan.block_rows))
        phases, size = self.layout.phases, self.layout.size
        # phases that hold whole samples are filled the same way by every
        # call of this geometry: kept ones already hold its padding zeros
        self.phases, self.buffer, self.fresh, cache = _buffers(
            {} if shared else phases,
            size if columns else 0,
            dtype,
            reuse,
            "block" if columns else "phases",
            None if columns else geometry,
        )
        if shared is not None:
            self.phases, self.windows = shared.phases, shared.windows
        else:  # views of kept phases are kept with them
            key = ("windows", geometry, plan.per_block, plan.block_rows)
            if key not in cache:
                cache[key] = self._windows()
            self.windows = cache[key]

    def fill(
        self, n0: int, n1: int, i0: int, i1: int, row_phase: int | None = None
    ) -> None:
        """Copy the input that output rows ``i0:i1`` of samples ``n0:n1`` read.

        The phases' local rows ``0:i1 - i0 + halo`` become phase rows
        ``i0:`` of samples ``n0:n1``, padding included, in the phases'
        samples ``0:n1 - n0`` (a block's own phases) or ``n0:n1`` (phases
        of every sample, in a gatherer without columns). With ``row_phase``
        ``p``, just the phases ``(p, q)``: they read the same input rows,
        which the first copy brings into the cache for the others.
        """
        layout, (sh, sw) = self.layout, self.geometry.stride
        m, rows = n1 - n0, i1 - i0
        sample = self.x4[n0:n1].transpose(1, 0, 2, 3)  # (C, m, H, W)
        end = rows + layout.halo  # local phase rows 0:end are rows i0:i0+end
        # kept whole phases of the same geometry (a tag of their buffers)
        # hold their padding zeros already
        zeros = self.fresh or not self.whole
        at = slice(n0, n1) if self.whole else slice(0, m)
        for (p, q), phase in self.phases.items():
            if row_phase is not None and p != row_phase:
                continue
            a0, r0, nr = layout.row_phases[p]
            b0, s0, ns = layout.col_phases[q]
            # local rows lo:hi hold input rows, the others are padding
            lo = min(max(a0 - i0, 0), end)
            hi = max(min(a0 + nr - i0, end), lo)
            start = r0 + (i0 + lo - a0) * sh
            if zeros:  # padding rows and columns
                phase[:, at, :lo] = 0
                phase[:, at, hi:end] = 0
                phase[:, at, lo:hi, :b0] = 0
                phase[:, at, lo:hi, b0 + ns :] = 0
            np.copyto(
                phase[:, at, lo:hi, b0 : b0 + ns],
                sample[
                    :, :, start : start + (hi - lo) * sh : sh, s0 : s0 + ns * sw : sw
                ],
                casting="unsafe",
            )

    def __call__(self, n0: int, n1: int, i0: int, i1: int) -> np.ndarray:
        """Return the ``(C*kh*kw, (n1-n0)*(i1-i0)*Wo)`` columns of a block."""
        m, rows = n1 - n0, i1 - i0
        if self.shared is None:
            self.fill(n0, n1, i0, i1)
            n0, i0 = 0, 0  # the block's own phases start at its rows
        kh, kw = self.geometry.kernel_size
        c, wo = self.x4.shape[1], self.geometry.output_size[1]
        cols = self.buffer[: c * kh * kw * m * rows * wo]
        cols = cols.reshape(c, kh, kw, m, rows, wo)
        for (p, q), windows in self.windows.items():
            u, v = self.layout.row_groups[p], self.layout.col_groups[q]
            block = windows[:, :, :, n0 : n0 + m, i0 : i0 + rows]
            np.copyto(cols[:, u.taps, v.taps], block)
        return cols.reshape(c * kh * kw, -1)

    def _windows(self) -> dict[Pair, np.ndarray]:
        """Per phase, the read-only view ``(C, |u.taps|, |v.taps|, N, Ho, Wo)``.

        Element ``[c, i, j, n, y, x]`` is ``phase[c, n, u.first + i*u.step + y,
        v.first + j*v.step + x]``: the columns of taps ``(u.taps, v.taps)``
        of output pixel ``(y, x)``, ``N`` and ``Ho`` as many samples and rows
        as the phases hold (a block's slice of them is copied). Made once
        and kept with the phases, so a block costs one slice and one copy
        per phase.
        """
        views = {}
        for (p, q), phase in self.phases.items():
            u, v = self.layout.row_groups[p], self.layout.col_groups[q]
            samples, height = phase.shape[1], phase.shape[2] - self.layout.halo
            channel, sample, row, column = phase.strides
            views[p, q] = as_strided(
                phase[:, :, u.first :, v.first :],
                (
                    phase.shape[0],
                    u.count,
                    v.count,
                    samples,
                    height,
                    self.geometry.output_size[1],
                ),
                (channel, u.step * row, v.step * column, sample, row, column),
                writeable=False,
            )
        return views


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

    Each block first copies the input rows it reads into the stride phases
    of the padded input, ``phase[p][q] = padded[..., p::sh, q::sw]`` (one
    phase, the padded input itself, at stride 1), then copies each tap's
    window out of its phase with unit stride, so every copy moves contiguous
    rows. The phases and the columns live in buffers that every block
    reuses: a caller must be done with one block before it asks for the
    next.
    """
    plan = _plan(x4.shape[0], x4.shape[1], geometry, dtype.itemsize, budget, 1)
    gather = _Gatherer(x4, geometry, dtype, plan)
    for block in plan.blocks:
        yield *block, gather(*block)


def _threads_for(elements: int) -> int:
    """Threads for a job whose column matrix has ``elements`` elements."""
    return blas_threads() if elements >= PARALLEL_COLUMN_ELEMENTS else 1


_KEPT = threading.local()  # a thread's buffers between calls, and its role


def _buffers(
    shapes: dict[Pair, tuple[int, ...]],
    size: int,
    dtype: np.dtype,
    reuse: bool,
    role: str = "block",
    tag: Any = None,
) -> tuple[dict[Pair, np.ndarray], np.ndarray, bool, dict[Any, Any]]:
    """Return phase arrays of ``shapes``, a flat buffer of ``size``, whether
    they are new, and a dict kept with them (for views of them).

    With ``reuse`` (in the threads that run blocks), the arrays that this
    thread was given last for the same ``role`` are given again when the
    shapes, dtype and ``tag`` match, so a repeated call does not pay the
    page faults of fresh memory; they are kept until other shapes are asked
    for or :func:`release_workers`. Calls that run one after another in a
    thread may share them, so a block must fill every element it reads
    (:class:`_Gatherer` does); a call nested inside a block (``work``
    calling the engine) runs in that thread and gets fresh ones.
    """
    key = (tuple(sorted(shapes.items())), size, dtype, tag)
    reuse = reuse and not getattr(_KEPT, "inside", False)
    kept: dict[str, Any] = getattr(_KEPT, "buffers", None) or {}
    if reuse and role in kept and kept[role][0] == key:
        return kept[role][1], kept[role][2], False, kept[role][3]
    if reuse:
        kept.pop(role, None)  # free the old ones before making new ones
    phases = {name: np.empty(shape, dtype) for name, shape in shapes.items()}
    buffer = np.empty(size, dtype)
    cache: dict[Any, Any] = {}
    if reuse:
        kept[role] = (key, phases, buffer, cache)
        _KEPT.buffers = kept
    return phases, buffer, True, cache


class _Workers(NamedTuple):
    pool: ThreadPoolExecutor
    threads: int
    pid: int  # the process that started the threads (a fork has none)


_WORKERS: list[_Workers] = []
_WORKERS_LOCK = threading.Lock()


def _mark_worker() -> None:
    _KEPT.worker = True


def _workers(threads: int) -> ThreadPoolExecutor:
    """The engine's pool of ``threads`` threads, started at its first use.

    The threads live as long as the process (or until
    :func:`release_workers`), waiting for work, so that a call does not pay
    for starting them.
    """
    with _WORKERS_LOCK:
        wanted = (threads, os.getpid())
        if _WORKERS and (_WORKERS[0].threads, _WORKERS[0].pid) != wanted:
            old = _WORKERS.pop()
            if old.pid == os.getpid():
                old.pool.shutdown(wait=False)
        if not _WORKERS:
            pool = ThreadPoolExecutor(
                threads, thread_name_prefix="convbook", initializer=_mark_worker
            )
            _WORKERS.append(_Workers(pool, threads, os.getpid()))
        return _WORKERS[0].pool


def release_workers() -> None:
    """Stop the engine's worker threads and free the buffers they keep.

    The calling thread's own buffers (it runs blocks too) are freed as
    well. The workers start again at the next call that needs them. Useful
    to give the memory back after a large convolution, or to measure a
    call's memory from nothing.
    """
    _KEPT.buffers = {}
    with _WORKERS_LOCK:
        old = _WORKERS.pop() if _WORKERS else None
    if old is not None and old.pid == os.getpid():
        old.pool.shutdown(wait=True)


def _run_parts(
    parts: list[Any],
    run: Callable[[Any], list[T]],
    threads: int,
    first: Sequence[Callable[[], None]] = (),
) -> list[T]:
    """``run`` every part, in ``threads`` threads, BLAS on one thread each.

    Returns the concatenated results in the order of ``parts``. The calling
    thread is one of the ``threads``: it and ``threads - 1`` of the engine's
    workers (:func:`_workers`) take the parts one at a time from a shared
    list, so that a call wakes as few sleeping threads as it can. The tasks
    ``first`` are taken the same way, and all of them are done before any
    part starts. A call made from inside a part runs its own parts in that
    thread, so that no thread ever waits for another that has not started.
    """
    if threads <= 1 or len(parts) <= 1 or getattr(_KEPT, "worker", False):
        for task in first:
            task()
        return [value for part in parts for value in run(part)]
    results: list[list[T]] = [[] for _ in parts]
    order = iter(range(len(parts)))
    tasks = list(first)
    unfinished = [len(tasks)]  # first tasks not done yet
    ready = threading.Condition()

    def drain() -> None:
        while True:
            with ready:
                task = tasks.pop() if tasks else None
            if task is None:
                break
            try:
                task()
            except BaseException:
                with ready:  # the others stop waiting, and run no part
                    failed.append(True)
                    ready.notify_all()
                raise
            with ready:
                unfinished[0] -= 1
                if unfinished[0] == 0:
                    ready.notify_all()
        with ready:
            ready.wait_for(lambda: unfinished[0] == 0 or failed)
        while not failed:
            with ready:
                index = next(order, None)
            if index is None:
                return
            results[index] = run(parts[index])

    failed: list[bool] = []
    pool = _workers(threads - 1)
    with one_blas_thread():
        helpers = [pool.submit(drain) for _ in range(min(threads, len(parts)) - 1)]
        _KEPT.worker = True
        try:
            drain()
        finally:
            _KEPT.worker = False
            for helper in helpers:
                helper.exception()  # wait for it, whatever happened here
        for helper in helpers:
            helper.result()  # a worker's error is raised here
    return [value for part in results for value in part]


def map_column_blocks(
    x4: np.ndarray,
    geometry: Geometry,
    dtype: np.dtype,
    budget: int,
    work: Callable[[int, int, int, int, np.ndarray], T],
) -> list[T]:
    """Call ``work(n0, n1, i0, i1, cols)`` on every block of the column matrix.

    Returns what the calls returned, in the order of the blocks (by sample,
    then output row), whichever thread ran them. When numpy's BLAS may use
    several threads and the column matrix is large, the calling thread and
    the engine's worker threads (as many threads in all as BLAS has, the
    workers kept between calls) take the blocks one at a time from a shared
    list, each with its own buffers (kept too) and an even share of
    ``budget``, and do both the copies and the products of their blocks
    (``work``) with BLAS held to one thread meanwhile: every core copies and
    multiplies, and no idle BLAS worker spins waiting for the next product.
    For a column matrix larger than ``BLOCK_BYTES``, the stride phases of
    every sample are made once, when they leave each thread at least half
    of ``BLOCK_BYTES`` of ``budget`` (the threads fill them, a sample's row
    phase at a time, before any block starts); the blocks then hold only
    columns, at most ``BLOCK_BYTES`` each. Otherwise the blocks are those
    of :func:`column_blocks`. Without threadpoolctl, with BLAS on one
    thread or for a small matrix, the blocks run one after another in the
    calling thread, which keeps its buffers the same way. ``work`` must
    write only where its block says.
    """
    n, c = x4.shape[:2]
    (kh, kw), (ho, wo) = geometry.kernel_size, geometry.output_size
    threads = _threads_for(n * c * kh * kw * ho * wo)
    item = dtype.itemsize
    # for a column matrix larger than a block, the phases of every sample
    # are made once, where they leave each thread at least half of
    # BLOCK_BYTES for its columns; the threads fill them (the phases of a
    # sample that read the same rows at a time) before any block, and the
    # blocks then hold only columns
    shared, fills = None, []
    layout = _layout(x4.shape, geometry, (n, ho))
    phase_bytes = item * sum(math.prod(s) for s in layout.phases.values())
    block_bytes = min(BLOCK_BYTES, (budget - phase_bytes) // threads)
    columns = n * c * kh * kw * ho * wo * item
    if block_bytes < BLOCK_BYTES // 2 or columns <= BLOCK_BYTES:
        plan = _plan(n, c, geometry, item, max(1, budget // threads), threads)
    else:
        shared = _Gatherer(
            x4, geometry, dtype, _Plan([], n, ho), reuse=True, columns=False
        )
        plan = _plan(n, c, geometry, item, block_bytes, threads, shared=True)
        fills = [
            functools.partial(shared.fill, sample, sample + 1, 0, ho, row_phase)
            for row_phase in sorted({p for p, _ in shared.phases})
            for sample in range(n)
        ]
    gatherers: dict[int, _Gatherer] = {}  # per thread, made at its first block

    def run(block: tuple[int, int, int, int]) -> list[T]:
        ident = threading.get_ident()
        if ident not in gatherers:
            gatherers[ident] = _Gatherer(
                x4, geometry, dtype, plan, reuse=True, shared=shared
            )
        cols = gatherers[ident](*block)
        outer, _KEPT.inside = getattr(_KEPT, "inside", False), True
        try:
            return [work(*block, cols)]
        finally:
            _KEPT.inside = outer

    try:
        return _run_parts(plan.blocks, run, threads, fills)
    except BaseException:
        if shared is not None and shared.fresh:  # its zeros may be missing
            getattr(_KEPT, "buffers", {}).pop("phases", None)
        raise


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
    goes through in blocks whose columns fit in ``budget`` bytes; like
    :func:`map_column_blocks`, a large batch is cut into one part per BLAS
    thread, each part multiplied and added back in its own Python thread
    with BLAS held to one thread.
    """
    n, k, ho, wo = y4.shape
    kh, kw = kernel_size
    (sh, sw), (dh, dw) = stride, dilation
    canvas = np.zeros((n, channels, *canvas_size), y4.dtype)
    rows = matrix.shape[1]
    transposed = matrix.T  # (C*kh*kw, K), a view that BLAS reads as it is
    threads = _threads_for(n * rows * ho * wo)
    parts = _split(n, threads)
    share = max(1, budget // len(parts))

    def run(part: Pair) -> list[None]:
        first, end = part
        per_block = max(
            1, min(end - first, share // (rows * ho * wo * y4.dtype.itemsize))
        )
        buffer = np.empty((per_block, rows, ho * wo), y4.dtype)
        for n0 in range(first, end, per_block):
            n1 = min(end, n0 + per_block)
            cols = buffer[: n1 - n0]
            np.matmul(transposed, y4[n0:n1].reshape(n1 - n0, k, ho * wo), out=cols)
            cols6 = cols.reshape(n1 - n0, channels, kh, kw, ho, wo)
            for u in range(kh):
                for v in range(kw):
                    rows_hit = slice(u * dh, u * dh + (ho - 1) * sh + 1, sh)
                    cols_hit = slice(v * dw, v * dw + (wo - 1) * sw + 1, sw)
                    canvas[n0:n1, :, rows_hit, cols_hit] += cols6[:, :, u, v]
        return []

    _run_parts(parts, run, threads)
    return canvas
