"""Tests of the column engine's blocks and threads (convbook.engine).

The engine cuts a column matrix into blocks under a memory budget and, when
numpy's BLAS may use several threads, hands the blocks to as many Python
threads, each running its copies and its products with BLAS held to one
thread. Checked here: the blocks cover every output pixel once and keep to
the budget; every function built on the engine returns the same numbers
whether the blocks run in threads or one after another, and the same as an
einsum over numpy's sliding windows; BLAS runs on one thread inside the
threads and gets its thread count back afterwards, even after an error; and
without threadpoolctl the engine runs the blocks in the calling thread.
"""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest
import threadpoolctl
from numpy.lib.stride_tricks import sliding_window_view

from convbook import conv2d, conv2d_backward, conv_transpose2d, engine, im2col
from convbook.geometry import resolve_geometry

# (x shape, weight shape, keyword arguments)
PROBLEMS = [
    pytest.param((5, 3, 12, 11), (4, 3, 3, 3), {"padding": 1}, id="batch 5, pad 1"),
    pytest.param((1, 2, 17, 16), (3, 2, 7, 7), {"stride": 2, "padding": 3}, id="stem"),
    pytest.param((2, 3, 15, 14), (2, 3, 3, 2), {"dilation": 2}, id="batch 2, dil 2"),
    pytest.param(
        (3, 2, 13, 12),
        (4, 2, 4, 3),
        {"stride": (3, 2), "padding": ((2, 0), (1, 2))},
        id="stride (3, 2), uneven padding",
    ),
    pytest.param(
        (2, 2, 30, 29),
        (3, 2, 5, 4),
        {"stride": (2, 3), "padding": ((2, 1), (0, 3)), "dilation": (1, 2)},
        id="batch 2, stride (2, 3), dil (1, 2)",
    ),
]


def _einsum_conv(x, weight, stride=1, padding=0, dilation=1):
    """conv2d by numpy's sliding windows and an einsum, in float64."""
    g = resolve_geometry(
        x.shape[2:], weight.shape[2:], stride=stride, padding=padding, dilation=dilation
    )
    (top, bottom), (left, right) = g.padding
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))
    windows = engine.window_view(xp, g)  # (N, C, kh, kw, Ho, Wo)
    return np.einsum("ncuvij,kcuv->nkij", windows, weight.astype(np.float64))


def _run_everything(x, weight, kwargs, budget):
    """Every public function on the engine, for one problem and budget."""
    y = conv2d(x, weight, **kwargs, memory_budget=budget)
    grad_y = np.cos(np.arange(y.size)).reshape(y.shape).astype(y.dtype)
    grad_x, grad_w, _ = conv2d_backward(
        x, weight, grad_y, **kwargs, memory_budget=budget
    )
    transposed = conv_transpose2d(grad_y, weight, **kwargs, memory_budget=budget)
    cols = im2col(x, weight.shape[2:], **kwargs, memory_budget=budget)
    return {
        "conv2d": y,
        "grad_x": grad_x,
        "grad_weight": grad_w,
        "conv_transpose2d": transposed,
        "im2col": cols,
    }


@pytest.fixture
def threads(monkeypatch):
    """Make the engine run every problem in ``count`` threads (0: serially)."""

    def use(count):
        monkeypatch.setattr(engine, "PARALLEL_COLUMN_ELEMENTS", 1 if count else 2**62)
        monkeypatch.setattr(engine, "blas_threads", lambda: max(count, 1))

    return use


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("budget", [1, 2000, 2**24], ids=["1 B", "2 kB", "16 MiB"])
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), PROBLEMS)
def test_threads_give_the_serial_numbers(
    threads, x_shape, w_shape, kwargs, budget, dtype
):
    rng = np.random.default_rng(sum(x_shape) + budget)
    x = rng.standard_normal(x_shape).astype(dtype)
    weight = rng.standard_normal(w_shape).astype(dtype)
    threads(0)
    serial = _run_everything(x, weight, kwargs, budget)
    tolerance = 2e-5 if dtype == np.float32 else 1e-12
    expected = _einsum_conv(x, weight, **kwargs)
    np.testing.assert_allclose(
        serial["conv2d"], expected, rtol=tolerance, atol=tolerance
    )
    for count in (2, 3):
        threads(count)
        threaded = _run_everything(x, weight, kwargs, budget)
        for name, value in serial.items():
            assert threaded[name].dtype == value.dtype, name
            # im2col only copies; the others differ at most by BLAS rounding
            if name == "im2col":
                np.testing.assert_array_equal(threaded[name], value)
            else:
                np.testing.assert_allclose(
                    threaded[name], value, rtol=tolerance, atol=tolerance, err_msg=name
                )


@pytest.mark.parametrize("threads_", [1, 2, 3, 4])
@pytest.mark.parametrize("budget", [1, 3000, 20000, 2**24])
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), PROBLEMS)
def test_blocks_cover_every_pixel_once_within_the_budget(
    x_shape, w_shape, kwargs, budget, threads_
):
    g = resolve_geometry(x_shape[2:], w_shape[2:], **kwargs)
    n, c = x_shape[:2]
    ho = g.output_size[0]
    plan = engine._plan(n, c, g, 8, budget, threads_)
    covered = np.zeros((n, ho), int)
    for n0, n1, i0, i1 in plan.blocks:
        assert 0 <= n0 < n1 <= n
        assert 0 <= i0 < i1 <= ho
        assert n1 - n0 <= plan.per_block
        assert i1 - i0 <= plan.block_rows
        covered[n0:n1, i0:i1] += 1
    assert (covered == 1).all()
    assert plan.blocks == sorted(plan.blocks)
    if threads_ > 1:  # enough blocks for every thread, when there are pixels enough
        assert len(plan.blocks) >= min(threads_, n * ho)
    # a block's buffers stay within the budget unless one output row is larger
    buffers = engine._Gatherer(np.zeros(x_shape), g, np.dtype(np.float64), plan)
    used = buffers.buffer.nbytes + sum(p.nbytes for p in buffers.phases.values())
    one_row = engine._plan(1, c, g, 8, 1, 1)
    smallest = engine._Gatherer(np.zeros(x_shape), g, np.dtype(np.float64), one_row)
    floor = smallest.buffer.nbytes + sum(p.nbytes for p in smallest.phases.values())
    assert used <= max(budget, floor)


def test_the_resnet_layer_gets_even_shares():
    """8 samples of 64x56x56, 3x3: the blocks split evenly over 2 threads."""
    g = resolve_geometry((56, 56), (3, 3), padding=1)
    for item in (4, 8):
        plan = engine._plan(8, 64, g, item, engine.DEFAULT_MEMORY_BUDGET // 2, 2)
        assert len(plan.blocks) % 2 == 0
        sizes = {(n1 - n0) * (i1 - i0) for n0, n1, i0, i1 in plan.blocks}
        assert max(sizes) - min(sizes) <= plan.per_block


def _blas_count():
    return max(
        pool["num_threads"]
        for pool in threadpoolctl.threadpool_info()
        if pool["user_api"] == "blas"
    )


def test_blas_runs_on_one_thread_inside_the_threads():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 16, 40, 40))
    g = resolve_geometry((40, 40), (3, 3), padding=1)
    seen = []

    def work(n0, n1, i0, i1, cols):
        name = threading.current_thread().name
        seen.append((name, engine.blas_threads(), _blas_count()))
        return cols.sum()

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        assert engine.blas_threads() == 2
        sums = engine.map_column_blocks(x, g, x.dtype, 2**20, work)
        assert _blas_count() == 2  # given back
    serial = [cols.sum() for *_, cols in engine.column_blocks(x, g, x.dtype, 2**19)]
    assert len(sums) == len(serial) >= 2
    # the caller and the engine's worker share the blocks, BLAS on one thread
    caller = threading.current_thread().name
    assert all(
        (name == caller or name.startswith("convbook")) and ours == 1 == theirs
        for name, ours, theirs in seen
    )


def test_an_error_in_a_thread_reaches_the_caller_and_blas_is_given_back():
    x = np.ones((4, 8, 40, 40))
    g = resolve_geometry((40, 40), (3, 3), padding=1)

    def work(n0, n1, i0, i1, cols):
        if n0 == 2:
            raise RuntimeError(f"block of sample {n0}")
        return n0

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(RuntimeError, match=r"^block of sample 2$"):
            engine.map_column_blocks(x, g, x.dtype, 2**16, work)
        assert _blas_count() == 2


def test_without_threadpoolctl_the_blocks_run_in_the_calling_thread(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails
    monkeypatch.setattr(engine, "_BLAS", [])
    assert engine.blas_threads() == 1
    with engine.one_blas_thread():  # nothing to hold
        pass
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 16, 40, 40))
    weight = rng.standard_normal((8, 16, 3, 3))
    idents = set()
    g = resolve_geometry((40, 40), (3, 3), padding=1)
    engine.map_column_blocks(
        x, g, x.dtype, 2**18, lambda *block: idents.add(threading.get_ident())
    )
    assert idents == {threading.get_ident()}
    np.testing.assert_allclose(
        conv2d(x, weight, padding=1),
        _einsum_conv(x, weight, padding=1),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), PROBLEMS)
def test_blocks_of_one_row_reading_shared_phases(
    threads, monkeypatch, x_shape, w_shape, kwargs
):
    """The blocks read phases made once per call; every row its own block."""
    monkeypatch.setattr(engine, "BLOCK_BYTES", 1)
    made = []
    fill = engine._Gatherer.fill

    def spy(self, *block):
        made.append((self.buffer.size, block))
        return fill(self, *block)

    monkeypatch.setattr(engine._Gatherer, "fill", spy)
    rng = np.random.default_rng(7)
    x = rng.standard_normal(x_shape)
    weight = rng.standard_normal(w_shape)
    threads(2)
    y = conv2d(x, weight, **kwargs)
    np.testing.assert_allclose(
        y, _einsum_conv(x, weight, **kwargs), rtol=1e-12, atol=1e-12
    )
    # one fill per sample and row phase that some tap reads, by a gatherer
    # without columns, of every row
    g = resolve_geometry(x_shape[2:], w_shape[2:], **kwargs)
    (kh, _), (sh, _), (dh, _) = g.kernel_size, g.stride, g.dilation
    row_phases = {u * dh % sh for u in range(kh)}
    fills = [
        (0, (n, n + 1, 0, y.shape[2], p)) for n in range(x_shape[0]) for p in row_phases
    ]
    assert sorted(made) == sorted(fills)


def test_an_error_while_filling_shared_phases_reaches_the_caller(threads, monkeypatch):
    """A fill that raises stops every thread: no block runs, nobody hangs."""
    threads(2)
    monkeypatch.setattr(engine, "BLOCK_BYTES", 2**12)  # a matrix of many blocks
    fill = engine._Gatherer.fill

    def broken(self, *block):
        if block[-1] == 1:
            raise MemoryError("row phase 1")
        return fill(self, *block)

    monkeypatch.setattr(engine._Gatherer, "fill", broken)
    ran, errors = [], []

    def call():
        x = np.ones((1, 2, 40, 40))
        g = resolve_geometry((40, 40), (5, 5), stride=2, padding=2)
        try:
            engine.map_column_blocks(x, g, x.dtype, 2**24, lambda *b: ran.append(b))
        except MemoryError as error:
            errors.append(str(error))

    caller = threading.Thread(target=call)
    caller.start()
    caller.join(timeout=30)
    assert not caller.is_alive()
    assert errors == ["row phase 1"]
    assert ran == []


def test_window_view_matches_sliding_window_view():
    """The einsum reference above reads the windows the engine documents."""
    x = np.arange(2 * 3 * 6 * 7.0).reshape(2, 3, 6, 7)
    g = resolve_geometry((6, 7), (2, 3))
    expected = sliding_window_view(x, (2, 3), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3)
    np.testing.assert_array_equal(engine.window_view(x, g), expected)


# ------------------------------------------------- workers and buffers ---


def _block_buffers(x, g, budget, seen):
    """Add, per worker thread, the arrays that its column blocks live in.

    ``seen`` maps a thread object to a list of those arrays; holding them
    keeps their memory from being given to a new buffer, so a buffer made
    afresh is a new object.
    """

    def work(n0, n1, i0, i1, cols):
        owner = cols
        while owner.base is not None:
            owner = owner.base
        kept = seen.setdefault(threading.current_thread(), [])
        if not any(owner is other for other in kept):
            kept.append(owner)

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        engine.map_column_blocks(x, g, x.dtype, budget, work)


def test_the_workers_stay_and_keep_their_buffers_between_calls():
    x = np.ones((4, 8, 40, 40))
    g = resolve_geometry((40, 40), (3, 3), padding=1)
    seen = {}
    for _ in range(5):
        _block_buffers(x, g, 2**17, seen)
    # the caller and one worker thread (two threads in all)
    caller = threading.current_thread()
    assert caller in seen
    assert len(seen) <= 2
    # every thread filled one and the same buffer in all five calls
    assert all(len(buffers) == 1 for buffers in seen.values())
    engine.release_workers()
    after = {}
    _block_buffers(x, g, 2**17, after)
    assert (set(after) - {caller}).isdisjoint(seen)  # a new worker after the release
    earlier = [buffer for buffers in seen.values() for buffer in buffers]
    fresh = [buffer for buffers in after.values() for buffer in buffers]
    assert not any(a is b for a in fresh for b in earlier)


def test_reused_buffers_hold_no_padding_of_an_earlier_call():
    """Same shapes, other padding: the kept phases must be refilled."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 60, 61))
    weight = rng.standard_normal((4, 3, 5, 5))
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        for padding in (((4, 0), (0, 4)), ((0, 4), (4, 0)), ((2, 2), (2, 2))):
            np.testing.assert_allclose(
                conv2d(x, weight, padding=padding, memory_budget=2**16),
                _einsum_conv(x, weight, padding=padding),
                rtol=1e-12,
                atol=1e-12,
                err_msg=str(padding),
            )


def test_calls_from_several_threads_at_once_share_the_workers_safely():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4, 33, 35))
    weights = [rng.standard_normal((5, 4, 3, 3)) for _ in range(4)]
    paddings = [0, 1, ((2, 0), (0, 2)), ((0, 2), (2, 0))]
    pairs = zip(weights, paddings, strict=True)
    expected = [_einsum_conv(x, w, padding=p) for w, p in pairs]
    errors = []

    def caller(j):
        try:
            for _ in range(5):
                y = conv2d(x, weights[j], padding=paddings[j], memory_budget=2**15)
                np.testing.assert_allclose(y, expected[j], rtol=1e-12, atol=1e-12)
        except AssertionError as error:  # pragma: no cover - reported below
            errors.append(error)

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        callers = [threading.Thread(target=caller, args=(j,)) for j in range(4)]
        for thread in callers:
            thread.start()
        for thread in callers:
            thread.join()
    assert errors == []


def test_a_call_nested_in_a_block_gets_its_own_buffers(monkeypatch):
    """``work`` that runs the engine again must not overwrite its block.

    Inside a block BLAS is held to one thread, so a nested call would run
    serially anyway; the engine is told here that BLAS has two threads, so
    that the nested call takes the threaded path from inside a worker.
    """
    monkeypatch.setattr(engine, "blas_threads", lambda: 2)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 6, 40, 40))
    weight = rng.standard_normal((3, 6, 3, 3))
    g = resolve_geometry((40, 40), (3, 3), padding=1)
    full = im2col(x, (3, 3), padding=1)  # (N, C*kh*kw, Ho*Wo)
    wo = g.output_size[1]
    blocks = []

    def work(n0, n1, i0, i1, cols):
        inner = conv2d(x, weight, padding=1, memory_budget=2**17)
        np.testing.assert_allclose(
            inner, _einsum_conv(x, weight, padding=1), rtol=1e-12, atol=1e-12
        )
        expected = full[n0:n1, :, i0 * wo : i1 * wo].transpose(1, 0, 2)
        np.testing.assert_array_equal(cols, expected.reshape(cols.shape[0], -1))
        blocks.append((n0, i0))

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        engine.map_column_blocks(x, g, x.dtype, 2**17, work)
    assert len(blocks) >= 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_workers():
    x = np.ones((4, 8, 40, 40))
    weight = np.ones((2, 8, 3, 3))
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        conv2d(x, weight, padding=1)  # the parent's workers are running
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through the pipe
            try:
                y = conv2d(x, weight, padding=1)
                os.write(writer, b"ok" if y[0, 0, 1, 1] == 72.0 else b"bad")
            finally:
                os._exit(0)
        os.close(writer)
        _, status = os.waitpid(pid, 0)
        answer = os.read(reader, 16)
        os.close(reader)
    assert status == 0
    assert answer == b"ok"
