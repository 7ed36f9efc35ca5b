"""Tests of convbook.conv: the 2-D convolution, its helpers and the 1-D pair.

Every numeric result is checked against an independent reference: the literal
loops of :func:`conv2d_reference` (which follow the defining equation term by
term), :func:`scipy.signal.correlate` (which no one here wrote) and numpy's
own ``correlate`` / ``convolve`` / ``pad``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from convbook import (
    conv2d,
    conv2d_reference,
    convolve1d,
    correlate1d,
    im2col,
    output_size,
    pad2d,
    relu,
)

RNG = np.random.default_rng(20260)


def _random_case(
    n: int, c: int, k: int, h: int, w: int, kh: int, kw: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(-4, 5, size=(n, c, h, w)).astype(np.float64)
    weight = rng.integers(-3, 4, size=(k, c, kh, kw)).astype(np.float64)
    bias = rng.integers(-2, 3, size=k).astype(np.float64)
    return x, weight, bias


def _scipy_conv2d(x, weight, bias, stride, padding, dilation):
    """conv2d rebuilt from scipy.signal.correlate, one channel pair at a time.

    Dilation inserts zeros between the kernel taps; the stride keeps every
    s-th position of the stride-1 'valid' correlation of the padded input.
    """
    (sh, sw), (dh, dw) = stride, dilation
    (top, bottom), (left, right) = padding
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    k_count, c_count, kh, kw = weight.shape
    dilated = np.zeros((k_count, c_count, dh * (kh - 1) + 1, dw * (kw - 1) + 1))
    dilated[:, :, ::dh, ::dw] = weight
    maps = []
    for sample in xp:
        channels = []
        for k in range(k_count):
            total = sum(
                scipy.signal.correlate(
                    sample[c], dilated[k, c], mode="valid", method="direct"
                )
                for c in range(c_count)
            )
            channels.append(total[::sh, ::sw] + bias[k])
        maps.append(channels)
    return np.array(maps)


def _pair(value):
    return tuple(value) if isinstance(value, tuple) else (value, value)


def _normalise(kwargs, size, kernel):
    """Stride, padding and dilation as pairs, 'same' by TensorFlow's formula."""
    stride = _pair(kwargs.get("stride", 1))
    dilation = _pair(kwargs.get("dilation", 1))
    padding = kwargs.get("padding", 0)
    if padding == "valid":
        padding = 0
    if padding in ("same", "same-tf"):
        totals = [
            max((math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)
            for n, k, s, d in zip(size, kernel, stride, dilation, strict=True)
        ]
        padding = tuple((t // 2, t - t // 2) for t in totals)
    padding = tuple(_pair(p) for p in _pair(padding))
    return stride, padding, dilation


# ---------------------------------------------------------------- shapes ---

# (H, kernel, stride, padding, dilation, expected output) -- each row is a
# figure of Dumoulin & Visin, "A guide to convolution arithmetic for deep
# learning" (2016), or a layer of a well-known network.
SHAPE_CASES = [
    pytest.param(4, 3, 1, 0, 1, 2, id="D&V fig 2.1: no padding, unit stride"),
    pytest.param(5, 4, 1, 2, 1, 6, id="D&V fig 2.2: arbitrary padding"),
    pytest.param(5, 3, 1, 1, 1, 5, id="D&V fig 2.3: half (same) padding"),
    pytest.param(5, 3, 1, 2, 1, 7, id="D&V fig 2.4: full padding"),
    pytest.param(5, 3, 2, 0, 1, 2, id="D&V fig 2.6: no padding, stride 2"),
    pytest.param(5, 3, 2, 1, 1, 3, id="D&V fig 2.7: padding, stride 2"),
    pytest.param(6, 3, 2, 1, 1, 3, id="D&V fig 2.8: padding, stride 2, odd"),
    pytest.param(7, 3, 1, 0, 2, 3, id="D&V fig 5.1: dilation 2"),
    pytest.param(224, 7, 2, 3, 1, 112, id="ResNet conv1 (He et al. 2016, table 1)"),
    pytest.param(227, 11, 4, 0, 1, 55, id="AlexNet conv1 on 227 px input"),
]


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "expected"), SHAPE_CASES
)
def test_output_shape_matches_published_layers(
    size, kernel, stride, padding, dilation, expected
):
    x = np.zeros((1, 1, size, size), np.float32)
    weight = np.zeros((2, 1, kernel, kernel), np.float32)
    y = conv2d(x, weight, stride=stride, padding=padding, dilation=dilation)
    assert y.shape == (1, 2, expected, expected)


# ------------------------------------------------- fast against literal ---

CASES = [
    pytest.param({}, id="defaults"),
    pytest.param({"padding": 1}, id="padding 1"),
    pytest.param({"stride": 2}, id="stride 2"),
    pytest.param(
        {"stride": (1, 2), "padding": (0, 1)}, id="per-axis stride and padding"
    ),
    pytest.param({"padding": ((0, 2), (1, 0))}, id="asymmetric padding"),
    pytest.param({"dilation": 2, "padding": 2}, id="dilation 2"),
    pytest.param({"dilation": (1, 2), "stride": (2, 1)}, id="per-axis dilation"),
    pytest.param({"padding": "same"}, id="same"),
    pytest.param({"padding": "same-tf", "stride": 2}, id="same-tf, stride 2"),
    pytest.param({"padding": "valid", "stride": 3}, id="valid, stride 3"),
]


@pytest.mark.parametrize("kwargs", CASES)
@pytest.mark.parametrize("with_bias", [False, True])
def test_conv2d_matches_reference_and_scipy(kwargs, with_bias):
    x, weight, bias = _random_case(2, 3, 4, 7, 6, 3, 2)
    b = bias if with_bias else None
    fast = conv2d(x, weight, b, **kwargs)
    literal = conv2d_reference(x, weight, b, **kwargs)
    np.testing.assert_allclose(fast, literal, rtol=0, atol=1e-12)

    stride, padding, dilation = _normalise(kwargs, x.shape[2:], weight.shape[2:])
    ref = _scipy_conv2d(
        x, weight, bias if with_bias else np.zeros(4), stride, padding, dilation
    )
    np.testing.assert_allclose(fast, ref, rtol=0, atol=1e-12)


def test_question_network_by_hand():
    """A 3x3 input, one 2x2 filter: every output value computed by hand."""
    x = np.array([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    weight = np.array([[[[1, 0], [0, -1]]]])
    # top-left window [[1, 2], [4, 5]] -> 1*1 + 5*(-1) = -4, and so on
    expected = np.array([[[-4.0, -4.0], [-4.0, -4.0]]])
    np.testing.assert_array_equal(conv2d(x, weight), expected)
    np.testing.assert_array_equal(conv2d_reference(x, weight), expected)


def test_three_dimensional_input_gives_three_dimensional_output():
    x, weight, bias = _random_case(1, 2, 3, 5, 5, 3, 3)
    y3 = conv2d(x[0], weight, bias, padding=1)
    assert y3.shape == (3, 5, 5)
    np.testing.assert_array_equal(y3, conv2d(x, weight, bias, padding=1)[0])
    assert conv2d_reference(x[0], weight, bias).shape == (3, 3, 3)


def test_two_layers_with_relu_match_reference():
    """The question's network: 3 -> 16 filters 3x3 pad 1 -> ReLU -> 32 filters."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 3, 8, 8))
    w1, b1 = rng.standard_normal((16, 3, 3, 3)), rng.standard_normal(16)
    w2, b2 = rng.standard_normal((4, 16, 3, 3)), rng.standard_normal(4)
    fast = conv2d(relu(conv2d(x, w1, b1, padding=1)), w2, b2, padding=1)
    slow = conv2d_reference(
        relu(conv2d_reference(x, w1, b1, padding=1)), w2, b2, padding=1
    )
    assert fast.shape == (1, 4, 8, 8)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


@st.composite
def conv_problems(draw):
    """A random, valid convolution: shapes, strides, asymmetric paddings, dilations."""
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 3))
    k = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(
        (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2)
    )
    spans = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    h = draw(st.integers(max(1, spans[0] - sum(padding[0])), 8))
    w = draw(st.integers(max(1, spans[1] - sum(padding[1])), 8))
    seed = draw(st.integers(0, 2**16))
    x, weight, bias = _random_case(n, c, k, h, w, kh, kw, seed=seed)
    return x, weight, bias, {"stride": stride, "padding": padding, "dilation": dilation}


@settings(max_examples=60, deadline=None)
@given(conv_problems())
def test_fast_equals_literal_on_random_problems(problem):
    x, weight, bias, kwargs = problem
    fast = conv2d(x, weight, bias, **kwargs)
    np.testing.assert_allclose(
        fast, conv2d_reference(x, weight, bias, **kwargs), rtol=0, atol=1e-12
    )
    for axis in range(2):
        assert fast.shape[2 + axis] == output_size(
            x.shape[2 + axis],
            weight.shape[2 + axis],
            stride=kwargs["stride"][axis],
            padding=kwargs["padding"][axis],
            dilation=kwargs["dilation"][axis],
        )


@settings(max_examples=25, deadline=None)
@given(conv_problems(), st.sampled_from([1, 200, 2000]))
def test_chunking_does_not_change_the_result(problem, budget):
    """Tiny memory budgets force one-sample chunks and blocks of output rows."""
    x, weight, bias, kwargs = problem
    expected = conv2d(x, weight, bias, **kwargs)
    chunked = conv2d(x, weight, bias, **kwargs, memory_budget=budget)
    np.testing.assert_array_equal(chunked, expected)
    columns = im2col(x, weight.shape[2:], **kwargs)
    np.testing.assert_array_equal(
        im2col(x, weight.shape[2:], **kwargs, memory_budget=budget), columns
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 2),
)
def test_same_padding_gives_ceil_of_size_over_stride(h, w, kh, kw, sh, sw, d):
    x = np.ones((1, 1, h, w))
    weight = np.ones((1, 1, kh, kw))
    y = conv2d(x, weight, stride=(sh, sw), padding="same-tf", dilation=d)
    assert y.shape[2:] == (math.ceil(h / sh), math.ceil(w / sw))


def test_same_padding_puts_the_odd_pixel_bottom_right():
    """An even 2x2 kernel of ones on ones: the last row and column see zeros."""
    y = conv2d(np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)), padding="same")
    np.testing.assert_array_equal(y[0], [[4, 4, 2], [4, 4, 2], [2, 2, 1]])


# ------------------------------------------------------------ dtypes ---


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "expected"),
    [
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float64),
        (np.float64, np.float32, np.float64),
        (np.int64, np.int64, np.float64),
        (np.uint8, np.float32, np.float64),
        (np.float16, np.float16, np.float64),
    ],
)
@pytest.mark.parametrize("function", [conv2d, conv2d_reference])
def test_dtype_rule(function, x_dtype, w_dtype, expected):
    x = np.arange(2 * 4 * 4).reshape(2, 4, 4).astype(x_dtype)
    weight = np.ones((3, 2, 2, 2), w_dtype)
    y = function(x, weight, np.ones(3, np.float64))
    assert y.dtype == expected
    np.testing.assert_array_equal(
        y, conv2d_reference(x.astype(float), weight.astype(float), np.ones(3))
    )


def test_float32_is_close_to_float64():
    x, weight, bias = _random_case(2, 8, 4, 10, 10, 3, 3)
    y32 = conv2d(
        x.astype(np.float32), weight.astype(np.float32), bias.astype(np.float32)
    )
    np.testing.assert_allclose(y32, conv2d(x, weight, bias), rtol=1e-6, atol=1e-5)


def test_nan_propagates_to_exactly_the_windows_that_read_it():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 3] = np.nan
    weight = np.ones((1, 1, 3, 3))
    for function in (conv2d, conv2d_reference):
        y = function(x, weight, stride=1, padding=1)
        touched = conv2d(np.isnan(x).astype(float), weight, padding=1) > 0
        np.testing.assert_array_equal(np.isnan(y), touched)
    infinite = conv2d(np.full((1, 2, 2), np.inf), np.ones((1, 1, 2, 2)))
    assert np.isposinf(infinite).all()


def test_input_that_is_not_contiguous():
    x, weight, bias = _random_case(2, 3, 2, 6, 8, 3, 3)
    view = np.swapaxes(np.swapaxes(x, 2, 3).copy(), 2, 3)
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(conv2d(view, weight, bias), conv2d(x, weight, bias))


def test_empty_batch():
    y = conv2d(np.zeros((0, 3, 5, 5)), np.ones((2, 3, 3, 3)))
    assert y.shape == (0, 2, 3, 3)
    assert im2col(np.zeros((0, 3, 5, 5)), 3).shape == (0, 27, 9)


# ------------------------------------------------------------ im2col ---


@pytest.mark.parametrize("kwargs", CASES)
def test_im2col_times_weight_is_conv2d(kwargs):
    x, weight, _ = _random_case(2, 3, 4, 7, 6, 3, 2)
    cols = im2col(x, (3, 2), **kwargs)
    y = conv2d(x, weight, **kwargs)
    assert cols.shape == (2, 3 * 3 * 2, y.shape[2] * y.shape[3])
    np.testing.assert_allclose(
        (weight.reshape(4, -1) @ cols).reshape(y.shape), y, atol=1e-12
    )
    single = im2col(x[1], (3, 2), **kwargs)
    np.testing.assert_array_equal(single, cols[1])


def test_im2col_rows_are_channel_then_kernel_row_then_kernel_column():
    x = np.arange(2 * 3 * 3).reshape(2, 3, 3)
    cols = im2col(x, 2)
    # row (c*kh + u)*kw + v, column i*Wo + j holds x[c, i + u, j + v]
    for c in range(2):
        for u in range(2):
            for v in range(2):
                for i in range(2):
                    for j in range(2):
                        assert (
                            cols[(c * 2 + u) * 2 + v, i * 2 + j] == x[c, i + u, j + v]
                        )
    assert cols.dtype == x.dtype


# ------------------------------------------------------------- pad2d ---


@pytest.mark.parametrize(
    ("padding", "numpy_pad"),
    [
        (0, ((0, 0), (0, 0))),
        (2, ((2, 2), (2, 2))),
        ((1, 3), ((1, 1), (3, 3))),
        (((0, 1), (2, 0)), ((0, 1), (2, 0))),
    ],
)
@pytest.mark.parametrize("lead", [(), (3,), (2, 3)])
def test_pad2d_matches_numpy_pad(padding, numpy_pad, lead):
    x = RNG.integers(0, 9, size=(*lead, 4, 5)).astype(np.int16)
    padded = pad2d(x, padding)
    np.testing.assert_array_equal(padded, np.pad(x, ((0, 0),) * len(lead) + numpy_pad))
    assert padded.dtype == np.int16


# -------------------------------------------------------------- relu ---


def test_relu():
    x = np.array([[-3.0, -0.0, 2.5], [np.nan, np.inf, -np.inf]], np.float32)
    y = relu(x)
    assert y.dtype == np.float32
    assert y.shape == x.shape
    np.testing.assert_array_equal(y, [[0, 0, 2.5], [np.nan, np.inf, 0]])
    assert relu(np.array([-1, 4], np.int32)).tolist() == [0, 4]
    assert relu(-2.0) == 0.0
    x_copy = x.copy()
    relu(x)
    np.testing.assert_array_equal(x, x_copy)  # the input is not modified


# ------------------------------------------------------- 1-D functions ---


def test_question_example_convolve_flips_the_kernel():
    """np.convolve is a true convolution, not a cross-correlation."""
    signal, kernel = [1, 2, 3, 4, 5, 6], [1, -1]
    np.testing.assert_array_equal(np.convolve(signal, kernel, "valid"), [1, 1, 1, 1, 1])
    np.testing.assert_array_equal(convolve1d(signal, kernel), [1, 1, 1, 1, 1])
    np.testing.assert_array_equal(correlate1d(signal, kernel), [-1, -1, -1, -1, -1])
    np.testing.assert_array_equal(
        correlate1d(signal, kernel[::-1]), convolve1d(signal, kernel)
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(-9, 9), min_size=1, max_size=9),
    st.lists(st.integers(-9, 9), min_size=1, max_size=9),
    st.sampled_from(["valid", "same", "full"]),
)
def test_1d_functions_match_numpy_exactly(x, kernel, mode):
    """Odd and even kernels, kernels longer than the signal, every mode."""
    np.testing.assert_array_equal(
        correlate1d(x, kernel, mode), np.correlate(x, kernel, mode)
    )
    np.testing.assert_array_equal(
        convolve1d(x, kernel, mode), np.convolve(x, kernel, mode)
    )


def test_1d_functions_on_floats():
    x, kernel = RNG.standard_normal(11), RNG.standard_normal(4)
    for mode in ("valid", "same", "full"):
        np.testing.assert_allclose(
            correlate1d(x, kernel, mode), np.correlate(x, kernel, mode)
        )
        np.testing.assert_allclose(
            convolve1d(x, kernel, mode), np.convolve(x, kernel, mode)
        )


# ------------------------------------------------------------ errors ---

X = np.zeros((1, 16, 5, 5))
W8 = np.zeros((4, 8, 3, 3))


@pytest.mark.parametrize("function", [conv2d, conv2d_reference])
@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (X, W8),
            {},
            ValueError,
            r"^`weight` has 8 input channels but `x` has 16; they must match "
            r"\(weight is \(out, in, kh, kw\)\)$",
        ),
        (
            (np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3))),
            {"dilation": 2},
            ValueError,
            r"^along the height, the dilated kernel spans 5 pixels \(`weight` 3, "
            r"`dilation` 2\) but the padded input has only 4 \(`x` 4 plus `padding` "
            r"0\+0\); the kernel must fit inside the padded input$",
        ),
        (
            (np.zeros((1, 2, 6)), np.zeros((1, 1, 3, 3))),
            {"padding": ((0, 0), (0, 0))},
            ValueError,
            r"^along the height, the dilated kernel spans 3 pixels \(`weight` 3, "
            r"`dilation` 1\) but the padded input has only 2 \(`x` 2 plus `padding` "
            r"0\+0\); the kernel must fit inside the padded input$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"stride": 0},
            ValueError,
            r"^`stride` must be a positive integer, got 0$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"stride": (1, -2)},
            ValueError,
            r"^`stride\[1\]` must be a positive integer, got -2$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"dilation": 0},
            ValueError,
            r"^`dilation` must be a positive integer, got 0$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"stride": (1, 2, 3)},
            ValueError,
            r"^`stride` must be an integer or a pair \(height, width\), got \(1, 2, "
            r"3\) with 3 elements$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"padding": -1},
            ValueError,
            r"^`padding` must be an integer >= 0, got -1$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"padding": ((0, -1), (0, 0))},
            ValueError,
            r"^`padding\[0\]\[1\]` must be an integer >= 0, got -1$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"padding": "full"},
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\), a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), 'valid', 'same' or 'same-tf', "
            r"got 'full'$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"padding": (1, 2, 3)},
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\), a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), 'valid', 'same' or 'same-tf', "
            r"got \(1, 2, 3\) with 3 elements$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"stride": 1.5},
            TypeError,
            r"^`stride` must be an integer, got 1.5 of type float$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"padding": 1.0},
            TypeError,
            r"^`padding` must be an integer, got 1\.0 of type float$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1))),
            {"dilation": True},
            TypeError,
            r"^`dilation` must be an integer, got True of type bool$",
        ),
        (
            (np.zeros((5, 5)), np.zeros((1, 1, 1, 1))),
            {},
            ValueError,
            r"^`x` must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 2 "
            r"\(shape \(5, 5\)\)$",
        ),
        (
            (X, np.zeros((16, 3, 3))),
            {},
            ValueError,
            r"^`weight` must have 4 dimensions \(out_channels, in_channels, kh, kw\), "
            r"got 3 \(shape \(16, 3, 3\)\)$",
        ),
        (
            (X, np.zeros((2, 16, 1, 1)), np.zeros((2, 1))),
            {},
            ValueError,
            r"^`bias` must have 1 dimension \(out_channels,\), got 2 "
            r"\(shape \(2, 1\)\)$",
        ),
        (
            (X, np.zeros((2, 16, 1, 1)), np.zeros(3)),
            {},
            ValueError,
            r"^`bias` has 3 elements but `weight` has 2 output channels; they must "
            r"match \(bias is \(out,\)\)$",
        ),
        (
            (np.full((1, 2, 2), "a"), np.zeros((1, 1, 1, 1))),
            {},
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(C, H, W\) or \(N, "
            r"C, H, W\), got dtype <U1$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1), complex)),
            {},
            TypeError,
            r"^`weight` must be a numeric \(integer or floating\) array "
            r"\(out_channels, in_channels, kh, kw\), got dtype complex128$",
        ),
        (
            (np.zeros((1, 2, 2), bool), np.zeros((1, 1, 1, 1))),
            {},
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(C, H, W\) or "
            r"\(N, C, H, W\), got dtype bool$",
        ),
        (
            (X, np.zeros((1, 16, 1, 1)), ["a"]),
            {},
            TypeError,
            r"^`bias` must be a numeric \(integer or floating\) array "
            r"\(out_channels,\), got dtype <U1$",
        ),
        (
            (X, [[[[1]], [[1, 2]]]]),
            {},
            TypeError,
            r"^`weight` must be a numeric array \(out_channels, in_channels, kh, kw\), "
            r"got \[\[\[\[1\]\], \[\[1, 2\]\]\]\] which numpy cannot turn into an "
            r"array \(setting an array element with a sequence\. The requested array "
            r"has an inhomogeneous shape after 3 dimensions\. The detected shape was "
            r"\(1, 2, 1\) \+ inhomogeneous part\.\)$",
        ),
        (
            (np.zeros((1, 0, 4)), np.zeros((1, 1, 1, 1))),
            {},
            ValueError,
            r"^`x` must have at least one channel, row and column, got shape \(1, "
            r"0, 4\)$",
        ),
        (
            (np.zeros((1, 4, 4)), np.zeros((1, 1, 0, 1))),
            {},
            ValueError,
            r"^`weight` must have at least one element along every axis "
            r"\(out_channels, in_channels, kh, kw\), got shape \(1, 1, 0, 1\)$",
        ),
    ],
)
def test_conv2d_errors(function, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (np.zeros((1, 3, 3)), 0),
            {},
            ValueError,
            r"^`kernel_size` must be a positive integer, got 0$",
        ),
        (
            (np.zeros((1, 3, 3)), 2.0),
            {},
            TypeError,
            r"^`kernel_size` must be an integer, got 2\.0 of type float$",
        ),
        (
            (np.zeros((1, 3, 3)), 4),
            {},
            ValueError,
            r"^along the height, the dilated kernel spans 4 pixels \(`kernel_size` "
            r"4, `dilation` 1\) but the padded input has only 3 \(`x` 3 plus "
            r"`padding` 0\+0\); the kernel must fit inside the padded input$",
        ),
        (
            (np.zeros((3, 3)), 2),
            {},
            ValueError,
            r"^`x` must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 2 "
            r"\(shape \(3, 3\)\)$",
        ),
        (
            (np.zeros((1, 3, 3)), 2),
            {"padding": "nope"},
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\), a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), 'valid', 'same' or 'same-tf', "
            r"got 'nope'$",
        ),
    ],
)
def test_im2col_errors(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        im2col(*args, **kwargs)


@pytest.mark.parametrize(
    ("x", "padding", "error", "message"),
    [
        (
            np.zeros((3, 3)),
            "same",
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\) or a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), got 'same' \(a named padding "
            r"needs the kernel and the stride: pass it to the function that slides "
            r"the window, or resolve it with convbook\.resolve_geometry\)$",
        ),
        (
            np.zeros((3, 3)),
            -2,
            ValueError,
            r"^`padding` must be an integer >= 0, got -2$",
        ),
        (
            np.zeros((3, 3)),
            (1, 1.5),
            TypeError,
            r"^`padding\[1\]` must be an integer, got 1\.5 of type float$",
        ),
        (
            np.zeros(3),
            1,
            ValueError,
            r"^`x` must have 2 or 3 or 4 dimensions \(H, W\), \(C, H, W\) or \(N, C, "
            r"H, W\), got 1 \(shape \(3,\)\)$",
        ),
        (
            np.array(["a"]),
            1,
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(H, W\), "
            r"\(C, H, W\) or \(N, C, H, W\), got dtype <U1$",
        ),
    ],
)
def test_pad2d_errors(x, padding, error, message):
    with pytest.raises(error, match=message):
        pad2d(x, padding)


@pytest.mark.parametrize("function", [correlate1d, convolve1d])
@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            ([1, 2, 3], [1], "circular"),
            ValueError,
            r"^`mode` must be one of 'valid', 'same', 'full', got 'circular'$",
        ),
        (
            ([[1, 2]], [1]),
            ValueError,
            r"^`x` must have 1 dimension \(length,\), got 2 \(shape \(1, 2\)\)$",
        ),
        (
            ([1, 2], 3),
            ValueError,
            r"^`kernel` must have 1 dimension \(length,\), got 0 \(shape \(\)\)$",
        ),
        (([], [1]), ValueError, r"^`x` must not be empty$"),
        (([1], []), ValueError, r"^`kernel` must not be empty$"),
        (
            (["a", "b"], [1]),
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(length,\), "
            r"got dtype <U1$",
        ),
        (
            ([1, 2], [1j]),
            TypeError,
            r"^`kernel` must be a numeric \(integer or floating\) array \(length,\), "
            r"got dtype complex128$",
        ),
    ],
)
def test_1d_errors(function, args, error, message):
    with pytest.raises(error, match=message):
        function(*args)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (
            np.array(["a"]),
            "`x` must be a numeric (integer or floating) array (any shape), "
            "got dtype <U1",
        ),
        (
            [[1], [1, 2]],
            "`x` must be a numeric array (any shape), got [[1], [1, 2]] which "
            "numpy cannot turn into an array (setting an array element with a "
            "sequence. The requested array has an inhomogeneous shape after 1 "
            "dimensions. The detected shape was (2,) + inhomogeneous part.)",
        ),
    ],
)
def test_relu_errors(x, message):
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        relu(x)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_convolve1d_is_correlate1d_reversed_except_where_numpy_centres_apart(mode):
    # the claim of convolve1d's Notes, checked over every small length pair
    for n in range(1, 8):
        for k in range(1, 8):
            x, w = np.arange(1, n + 1), 3 * np.arange(1, k + 1) + 1
            same = np.array_equal(convolve1d(x, w, mode), correlate1d(x, w[::-1], mode))
            exception = mode == "same" and k > n and n % 2 == 0
            assert same != exception, (n, k)
