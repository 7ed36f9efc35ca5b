"""Tests of convbook.grad: gradients of conv2d and the transposed convolution.

References: central finite differences of the forward :func:`conv2d` (the
loss is bilinear, so they are exact up to rounding), the adjoint identity
<conv2d(x, W), y> = <x, conv_transpose2d(y, W)>, and a literal loop that
stamps the kernel for the transposed convolution.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convbook import (
    conv2d,
    conv2d_backward,
    conv_transpose2d,
    output_size,
    transposed_output_size,
)


def _finite_differences(x, weight, bias, grad_output, kwargs, eps=1e-4):
    """Central differences of L = sum(conv2d(x, weight, bias) * grad_output)."""

    def loss(x_, w_, b_):
        return float(np.sum(conv2d(x_, w_, b_, **kwargs) * grad_output))

    grads = []
    for which in range(3):
        args = [x.copy(), weight.copy(), bias.copy()]
        grad = np.zeros_like(args[which])
        for index in np.ndindex(grad.shape):
            original = args[which][index]
            args[which][index] = original + eps
            up = loss(*args)
            args[which][index] = original - eps
            down = loss(*args)
            args[which][index] = original
            grad[index] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


def _problem(n, c, k, h, w, kh, kw, seed):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((n, c, h, w)),
        rng.standard_normal((k, c, kh, kw)),
        rng.standard_normal(k),
    )


GRADIENT_CASES = [
    pytest.param((1, 1, 1, 4, 4, 2, 2), {}, id="one channel"),
    pytest.param((2, 2, 3, 5, 5, 3, 3), {"padding": 1}, id="batch, padding 1"),
    pytest.param((1, 2, 2, 6, 7, 3, 2), {"stride": 2}, id="stride 2, rows unread"),
    pytest.param(
        (1, 2, 2, 7, 6, 2, 3),
        {"stride": (2, 1), "padding": ((0, 2), (1, 0))},
        id="asymmetric",
    ),
    pytest.param((1, 1, 2, 7, 7, 3, 3), {"dilation": 2, "padding": 1}, id="dilation 2"),
    pytest.param(
        (1, 3, 2, 5, 6, 3, 3), {"padding": "same-tf", "stride": 2}, id="same-tf, s2"
    ),
]


@pytest.mark.parametrize(("dims", "kwargs"), GRADIENT_CASES)
def test_gradients_match_finite_differences(dims, kwargs):
    x, weight, bias = _problem(*dims, seed=sum(dims))
    y = conv2d(x, weight, bias, **kwargs)
    grad_output = np.random.default_rng(1).standard_normal(y.shape)
    grad_x, grad_weight, grad_bias = conv2d_backward(x, weight, grad_output, **kwargs)
    fd_x, fd_weight, fd_bias = _finite_differences(x, weight, bias, grad_output, kwargs)
    np.testing.assert_allclose(grad_x, fd_x, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(grad_weight, fd_weight, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(grad_bias, fd_bias, rtol=1e-7, atol=1e-8)
    assert grad_x.shape == x.shape
    assert grad_weight.shape == weight.shape


@st.composite
def backward_problems(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(
        (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2)
    )
    spans = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    h = draw(st.integers(max(1, spans[0] - sum(padding[0])), 6))
    w = draw(st.integers(max(1, spans[1] - sum(padding[1])), 6))
    dims = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        h,
        w,
        kh,
        kw,
    )
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation}
    return dims, kwargs, draw(st.integers(0, 2**16))


@settings(max_examples=15, deadline=None)
@given(backward_problems())
def test_gradients_match_finite_differences_on_random_problems(problem):
    dims, kwargs, seed = problem
    x, weight, bias = _problem(*dims, seed=seed)
    y = conv2d(x, weight, bias, **kwargs)
    grad_output = np.random.default_rng(seed + 1).standard_normal(y.shape)
    computed = conv2d_backward(x, weight, grad_output, **kwargs)
    expected = _finite_differences(x, weight, bias, grad_output, kwargs)
    for got, want in zip(computed, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-8)


def test_grad_bias_is_the_sum_of_grad_output():
    x, weight, _ = _problem(3, 2, 4, 6, 6, 3, 3, seed=5)
    grad_output = np.random.default_rng(2).standard_normal((3, 4, 4, 4))
    _, _, grad_bias = conv2d_backward(x, weight, grad_output)
    np.testing.assert_allclose(grad_bias, grad_output.sum(axis=(0, 2, 3)))


def test_pixels_no_window_reads_get_zero_gradient():
    """6 rows, kernel 3, stride 2: windows start at rows 0 and 2; row 5 is unread."""
    x = np.ones((1, 1, 6, 6))
    weight = np.ones((1, 1, 3, 3))
    assert output_size(6, 3, stride=2) == 2
    grad_x, _, _ = conv2d_backward(x, weight, np.ones((1, 1, 2, 2)), stride=2)
    np.testing.assert_array_equal(grad_x[0, 0, 5, :], 0)
    np.testing.assert_array_equal(grad_x[0, 0, :, 5], 0)
    # row and column 2 are read by both windows along that axis
    assert grad_x[0, 0, 2, 2] == 4
    assert grad_x[0, 0, 0, 0] == 1


def test_three_dimensional_input():
    x, weight, _ = _problem(1, 2, 3, 5, 5, 3, 3, seed=3)
    grad_output = np.ones((3, 3, 3))
    grad_x, grad_weight, grad_bias = conv2d_backward(x[0], weight, grad_output)
    batched = conv2d_backward(x, weight, grad_output[np.newaxis])
    assert grad_x.shape == (2, 5, 5)
    np.testing.assert_array_equal(grad_x, batched[0][0])
    np.testing.assert_array_equal(grad_weight, batched[1])
    np.testing.assert_array_equal(grad_bias, batched[2])


@pytest.mark.parametrize(
    ("x_dtype", "grad_dtype", "expected"),
    [
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float64),
        (np.int64, np.int64, np.float64),
    ],
)
def test_backward_dtype_rule(x_dtype, grad_dtype, expected):
    x = np.ones((1, 2, 4, 4), x_dtype)
    weight = np.ones((3, 2, 2, 2), x_dtype)
    grads = conv2d_backward(x, weight, np.ones((1, 3, 3, 3), grad_dtype))
    assert all(g.dtype == expected for g in grads)


@pytest.mark.parametrize("budget", [1, 300])
def test_backward_in_small_chunks_gives_the_same_result(budget):
    x, weight, _ = _problem(3, 2, 2, 7, 6, 3, 2, seed=9)
    kwargs = {"stride": (2, 1), "padding": ((1, 0), (0, 2)), "dilation": (1, 2)}
    grad_output = np.random.default_rng(4).standard_normal(
        conv2d(x, weight, **kwargs).shape
    )
    expected = conv2d_backward(x, weight, grad_output, **kwargs)
    chunked = conv2d_backward(x, weight, grad_output, **kwargs, memory_budget=budget)
    for got, want in zip(chunked, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


# ------------------------------------------------ transposed convolution ---


def _stamp_reference(x, weight, bias, stride, padding, dilation, output_padding):
    """conv_transpose2d as literal loops: every input pixel stamps the kernel."""
    n_count, k_count, h, w = x.shape
    _, c_count, kh, kw = weight.shape
    (sh, sw), (dh, dw) = stride, dilation
    (top, bottom), (left, right) = padding
    canvas = np.zeros(
        (
            n_count,
            c_count,
            (h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0],
            (w - 1) * sw + dw * (kw - 1) + 1 + output_padding[1],
        )
    )
    for n in range(n_count):
        for k in range(k_count):
            for i in range(h):
                for j in range(w):
                    for c in range(c_count):
                        for u in range(kh):
                            for v in range(kw):
                                canvas[n, c, i * sh + u * dh, j * sw + v * dw] += (
                                    weight[k, c, u, v] * x[n, k, i, j]
                                )
    rows = canvas.shape[2] - top - bottom
    cols = canvas.shape[3] - left - right
    return canvas[:, :, top : top + rows, left : left + cols] + bias[:, None, None]


TRANSPOSED_CASES = [
    pytest.param({}, id="defaults"),
    pytest.param({"stride": 2}, id="stride 2"),
    pytest.param({"stride": 2, "padding": 1, "output_padding": 1}, id="output padding"),
    pytest.param(
        {"stride": (3, 2), "padding": ((1, 0), (0, 2)), "output_padding": (2, 0)},
        id="asymmetric",
    ),
    pytest.param({"dilation": 2, "padding": 1, "output_padding": 1}, id="dilation 2"),
]


@pytest.mark.parametrize("kwargs", TRANSPOSED_CASES)
def test_conv_transpose2d_matches_stamp_loops(kwargs):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 4, 5))
    weight = rng.standard_normal((3, 2, 3, 2))
    bias = rng.standard_normal(2)
    y = conv_transpose2d(x, weight, bias, **kwargs)
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    padding = tuple(pair(p) for p in pair(kwargs.get("padding", 0)))
    expected = _stamp_reference(
        x,
        weight,
        bias,
        pair(kwargs.get("stride", 1)),
        padding,
        pair(kwargs.get("dilation", 1)),
        pair(kwargs.get("output_padding", 0)),
    )
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    for axis in range(2):
        assert y.shape[2 + axis] == transposed_output_size(
            x.shape[2 + axis],
            weight.shape[2 + axis],
            stride=pair(kwargs.get("stride", 1))[axis],
            padding=padding[axis],
            dilation=pair(kwargs.get("dilation", 1))[axis],
            output_padding=pair(kwargs.get("output_padding", 0))[axis],
        )


@settings(max_examples=20, deadline=None)
@given(backward_problems())
def test_grad_x_is_the_transposed_convolution_and_its_adjoint(problem):
    """<conv2d(x, W), y> = <x, conv_transpose2d(y, W)> for every x and y."""
    dims, kwargs, seed = problem
    x, weight, _ = _problem(*dims, seed=seed)
    y = np.random.default_rng(seed + 7).standard_normal(
        conv2d(x, weight, **kwargs).shape
    )
    stride, padding, dilation = kwargs["stride"], kwargs["padding"], kwargs["dilation"]
    # rows past the last window: the output padding that restores x's size
    extra = tuple(
        x.shape[2 + a]
        - (
            (y.shape[2 + a] - 1) * stride[a]
            - sum(padding[a])
            + dilation[a] * (weight.shape[2 + a] - 1)
            + 1
        )
        for a in range(2)
    )
    transposed = conv_transpose2d(y, weight, output_padding=extra, **kwargs)
    assert transposed.shape == x.shape
    np.testing.assert_allclose(
        np.sum(conv2d(x, weight, **kwargs) * y), np.sum(x * transposed), rtol=1e-10
    )
    grad_x, _, _ = conv2d_backward(x, weight, y, **kwargs)
    np.testing.assert_allclose(grad_x, transposed, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_three_dimensional_and_dtype():
    x = np.arange(8, dtype=np.float32).reshape(2, 2, 2)
    weight = np.ones((2, 3, 2, 2), np.float32)
    y = conv_transpose2d(x, weight, stride=2)
    assert y.shape == (3, 4, 4)
    assert y.dtype == np.float32
    assert conv_transpose2d(x.astype(int), weight).dtype == np.float64
    np.testing.assert_array_equal(
        y[0], [[4, 4, 6, 6], [4, 4, 6, 6], [8, 8, 10, 10], [8, 8, 10, 10]]
    )


# ------------------------------------------------------------ errors ---


@pytest.mark.parametrize(
    ("grad_output", "message"),
    [
        (
            np.zeros((1, 2, 3, 3)),
            r"^`grad_output` must have the forward output's shape \(1, 2, 4, 4\), "
            r"got \(1, 2, 3, 3\)$",
        ),
        (
            np.zeros((2, 4, 4)),
            r"^`grad_output` must have the forward output's shape \(1, 2, 4, 4\), "
            r"got \(2, 4, 4\)$",
        ),
        (
            np.zeros((1, 1, 2, 4, 4)),
            r"^`grad_output` must have 3 or 4 dimensions \(K, Ho, Wo\) or \(N, K, Ho, "
            r"Wo\), got 5 \(shape \(1, 1, 2, 4, 4\)\)$",
        ),
    ],
)
def test_backward_grad_output_errors(grad_output, message):
    with pytest.raises(ValueError, match=message):
        conv2d_backward(np.zeros((1, 3, 6, 6)), np.zeros((2, 3, 3, 3)), grad_output)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (np.zeros((1, 16, 4, 4)), np.zeros((2, 8, 3, 3)), np.zeros((1, 2, 2, 2))),
            {},
            ValueError,
            r"^`weight` has 8 input channels but `x` has 16; they must match \(weight "
            r"is \(out, in, kh, kw\)\)$",
        ),
        (
            (np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros((1, 2, 2))),
            {"stride": 0},
            ValueError,
            r"^`stride` must be a positive integer, got 0$",
        ),
        (
            (np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), ["x"]),
            {},
            TypeError,
            r"^`grad_output` must be a numeric \(integer or floating\) array \(K, Ho, "
            r"Wo\) or \(N, K, Ho, Wo\), got dtype <U1$",
        ),
        (
            (np.zeros((1, 2, 2)), np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 1))),
            {},
            ValueError,
            r"^along the height, the dilated kernel spans 3 pixels \(`weight` 3, "
            r"`dilation` 1\) but the padded input has only 2 \(`x` 2 plus `padding` "
            r"0\+0\); the kernel must fit inside the padded input$",
        ),
    ],
)
def test_backward_errors(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        conv2d_backward(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (np.zeros((1, 4, 3, 3)), np.zeros((2, 4, 3, 3))),
            {},
            ValueError,
            r"^`weight` has 2 input channels but `x` has 4; they must match "
            r"\(weight is \(in, out, kh, kw\) for a transposed convolution\)$",
        ),
        (
            (np.zeros((1, 2, 3, 3)), np.zeros((2, 4, 3, 3)), np.zeros(3)),
            {},
            ValueError,
            r"^`bias` has 3 elements but `weight` has 4 output channels; they must "
            r"match \(bias is \(out,\)\)$",
        ),
        (
            (np.zeros((1, 2, 3, 3)), np.zeros((2, 4, 3, 3))),
            {"padding": "same"},
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\) or a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), got 'same' \(a named padding needs "
            r"the kernel and the stride: pass it to the function that slides the "
            r"window, or resolve it with convbook\.resolve_geometry\)$",
        ),
        (
            (np.zeros((1, 2, 3, 3)), np.zeros((2, 4, 3, 3))),
            {"output_padding": 1},
            ValueError,
            r"^`output_padding` must be smaller than `stride` \(1\) or "
            r"`dilation` \(1\), got 1$",
        ),
        (
            (np.zeros((1, 2, 3, 3)), np.zeros((2, 4, 3, 3))),
            {"output_padding": -1},
            ValueError,
            r"^`output_padding` must be an integer >= 0, got -1$",
        ),
        (
            (np.zeros((1, 2, 1, 1)), np.zeros((2, 4, 1, 1))),
            {"padding": 1},
            ValueError,
            r"^`padding` 1\+1 removes more than the transposed convolution produces; "
            r"the output length would be -1$",
        ),
        (
            (np.zeros((2, 3, 3)), np.zeros((2, 4, 3))),
            {},
            ValueError,
            r"^`weight` must have 4 dimensions \(in_channels, out_channels, kh, kw\), "
            r"got 3 \(shape \(2, 4, 3\)\)$",
        ),
        (
            (np.zeros((2, 3, 3)), np.zeros((2, 0, 3, 3))),
            {},
            ValueError,
            r"^`weight` must have at least one element along every axis \(in_channels, "
            r"out_channels, kh, kw\), got shape \(2, 0, 3, 3\)$",
        ),
        (
            (np.zeros((2, 3)), np.zeros((2, 1, 3, 3))),
            {},
            ValueError,
            r"^`x` must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 2 "
            r"\(shape \(2, 3\)\)$",
        ),
        (
            (np.zeros((2, 3, 3)), np.zeros((2, 1, 3, 3))),
            {"dilation": 1.0},
            TypeError,
            r"^`dilation` must be an integer, got 1\.0 of type float$",
        ),
    ],
)
def test_conv_transpose2d_errors(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        conv_transpose2d(*args, **kwargs)
