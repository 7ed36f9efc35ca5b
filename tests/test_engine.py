"""Tests of convbook.engine: the copies shared among threads, and the column
engine run with its copies forced onto several threads.

The functions built on the engine are checked against independent references
elsewhere (tests/test_conv.py, tests/test_grad.py); here the same functions
must give the same numbers whether the engine's copies run on one thread or
are dealt to a pool, since the sharing must not change any result.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from convbook import conv2d, conv2d_backward, conv2d_reference, engine, im2col
from convbook.engine import parallel_copy


def _pairs(shapes, seed):
    """Targets of the given shapes and sources to copy into them (some cast,
    some broadcast)."""
    rng = np.random.default_rng(seed)
    pairs = []
    for index, shape in enumerate(shapes):
        target = np.zeros(shape)
        if index % 3 == 2 and shape:
            source = rng.integers(-9, 9, size=shape[-1:])  # int, broadcast
        else:
            source = rng.standard_normal(shape).astype(np.float32)
        pairs.append((target, source))
    return pairs


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple),
        min_size=1,
        max_size=5,
    ),
    st.integers(1, 5),
    st.integers(0, 2**16),
)
def test_parallel_copy_equals_copyto(shapes, threads, seed):
    pairs = _pairs(shapes, seed)
    expected = [np.zeros(t.shape) for t, _ in pairs]
    for out, (_, source) in zip(expected, pairs, strict=True):
        np.copyto(out, source, casting="unsafe")
    parallel_copy(pairs, threads=threads, min_bytes=0)
    for (target, _), want in zip(pairs, expected, strict=True):
        np.testing.assert_array_equal(target, want)


def _copying_threads(monkeypatch, pairs, *, wait_for_helper=False, **kwargs):
    """Names of the threads that copied while parallel_copy ran."""
    names = set()
    original = engine._copy_pieces
    caller = threading.current_thread()
    helper_started = threading.Event()

    def spy(pieces, taken):
        names.add(threading.current_thread().name)
        if threading.current_thread() is caller:
            # give a helper time to start (it is cancelled if it has not
            # started when the caller runs out of pieces)
            helper_started.wait(timeout=10 if wait_for_helper else 0)
        else:
            helper_started.set()
        original(pieces, taken)

    monkeypatch.setattr(engine, "_copy_pieces", spy)
    parallel_copy(pairs, **kwargs)
    return names


def test_large_copies_are_shared_with_helper_threads(monkeypatch):
    pairs = _pairs([(64, 64, 16)], seed=1)  # 512 KiB of float64
    names = _copying_threads(monkeypatch, pairs, threads=2, wait_for_helper=True)
    assert threading.current_thread().name in names
    assert any(name.startswith("convbook-copy") for name in names)
    np.testing.assert_array_equal(pairs[0][0], pairs[0][1])


def test_small_copies_stay_on_the_calling_thread(monkeypatch):
    pairs = _pairs([(8, 8)], seed=2)
    names = _copying_threads(monkeypatch, pairs, threads=4)
    assert names == {threading.current_thread().name}
    names = _copying_threads(monkeypatch, _pairs([(64, 64, 16)], 3), threads=1)
    assert names == {threading.current_thread().name}


def test_a_forked_process_makes_its_own_helpers(monkeypatch):
    """A child made by fork() inherits the pool object but not its threads."""
    stale = object()
    monkeypatch.setattr(engine, "_copy_pool", (-1, stale))
    pairs = _pairs([(4, 3)], seed=4)
    parallel_copy(pairs, threads=3, min_bytes=0)
    np.testing.assert_array_equal(pairs[0][0], pairs[0][1])
    pid, pool = engine._copy_pool
    assert pid == os.getpid()
    assert pool is not stale


@st.composite
def conv_problems(draw):
    """A random valid convolution: strides, asymmetric padding, dilation."""
    n, c, k = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in "hw")
    spans = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    h = draw(st.integers(max(1, spans[0] - sum(padding[0])), 9))
    w = draw(st.integers(max(1, spans[1] - sum(padding[1])), 9))
    budget = draw(st.sampled_from([1, 500, engine.DEFAULT_MEMORY_BUDGET]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.integers(-4, 5, size=(n, c, h, w)).astype(np.float64)
    weight = rng.integers(-3, 4, size=(k, c, kh, kw)).astype(np.float64)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation}
    return x, weight, kwargs, budget


@settings(max_examples=40, deadline=None)
@given(conv_problems(), st.integers(2, 4))
def test_engine_with_shared_copies_gives_the_same_numbers(problem, threads):
    """Every copy of the engine forced onto `threads` threads."""
    x, weight, kwargs, budget = problem
    grad_output = np.ones_like(conv2d_reference(x, weight, **kwargs))
    serial = (
        conv2d(x, weight, **kwargs, memory_budget=budget),
        im2col(x, weight.shape[2:], **kwargs, memory_budget=budget),
        conv2d_backward(x, weight, grad_output, **kwargs, memory_budget=budget),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "COPY_THREADS", threads)
        patch.setattr(engine, "PARALLEL_COPY_BYTES", 0)
        shared = conv2d(x, weight, **kwargs, memory_budget=budget)
        columns = im2col(x, weight.shape[2:], **kwargs, memory_budget=budget)
        grads = conv2d_backward(x, weight, grad_output, **kwargs, memory_budget=budget)
    np.testing.assert_allclose(
        shared, conv2d_reference(x, weight, **kwargs), rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(shared, serial[0])
    np.testing.assert_array_equal(columns, serial[1])
    for got, want in zip(grads, serial[2], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", [1, 2])
def test_a_layer_large_enough_to_share_its_copies(monkeypatch, dtype, stride):
    """A layer with copies of several MiB, against an einsum.

    At stride 1 each sample has 34*34 output pixels, enough for a product of
    its own written in place; at stride 2 the two samples share one.
    """
    monkeypatch.setattr(engine, "COPY_THREADS", 2)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 16, 34, 34)).astype(dtype)
    weight = rng.standard_normal((8, 16, 3, 3)).astype(dtype)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).astype(np.float64)
    windows = sliding_window_view(xp, (3, 3), axis=(2, 3))[:, :, ::stride, ::stride]
    expected = np.einsum("ncijuv,kcuv->nkij", windows, weight.astype(np.float64))
    got = conv2d(x, weight, stride=stride, padding=1)
    assert got.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
