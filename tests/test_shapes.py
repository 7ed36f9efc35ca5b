"""Tests for convbook.shapes: the output-size formulas of a convolution.

Sources cited in the case ids:

- D&V: Dumoulin & Visin, "A guide to convolution arithmetic for deep
  learning" (arXiv:1603.07285): relationships 1-6 (convolution), 7 (pooling),
  8-14 (transposed convolution) and 15 (dilation), with the sizes of the
  figures that illustrate each one.
- PyTorch: the shape formulas and examples in the documentation of
  ``torch.nn.Conv2d`` and ``torch.nn.ConvTranspose2d``.
- TF: TensorFlow's notes on 'SAME' padding, out = ceil(in / stride),
  pad = max((out - 1) * stride + k - in, 0), the extra pixel after.
- d2l: Dive into Deep Learning, section 7.3 "Padding and Stride" (8x8 inputs).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convbook import (
    effective_kernel_size,
    output_size,
    resolve_geometry,
    same_padding,
    transposed_output_size,
)

# (size, kernel_size, stride, padding, dilation, expected)
OUTPUT_SIZE_CASES = [
    pytest.param(4, 3, 1, 0, 1, 2, id="D&V-rel1-i4-k3"),
    pytest.param(5, 4, 1, 2, 1, 6, id="D&V-rel2-i5-k4-p2"),
    pytest.param(5, 3, 1, 1, 1, 5, id="D&V-rel3-half-padding"),
    pytest.param(5, 3, 1, 2, 1, 7, id="D&V-rel4-full-padding"),
    pytest.param(5, 3, 2, 0, 1, 2, id="D&V-rel5-i5-k3-s2"),
    pytest.param(5, 3, 2, 1, 1, 3, id="D&V-rel6-i5-k3-s2-p1"),
    pytest.param(6, 3, 2, 1, 1, 3, id="D&V-rel6-i6-k3-s2-p1"),
    pytest.param(5, 3, 1, 0, 1, 3, id="D&V-rel7-pooling-3x3-on-5x5"),
    pytest.param(7, 3, 1, 0, 2, 3, id="D&V-rel15-dilation2"),
    pytest.param(50, 3, 2, 4, 3, 26, id="PyTorch-Conv2d-example-height"),
    pytest.param(100, 5, 1, 2, 1, 100, id="PyTorch-Conv2d-example-width"),
    pytest.param(12, 3, 2, 1, 1, 6, id="PyTorch-ConvTranspose2d-example-down"),
    pytest.param(8, 3, 1, 1, 1, 8, id="d2l-7.3-8x8-k3-p1"),
    pytest.param(8, 5, 1, 2, 1, 8, id="d2l-7.3-8x8-k5x3-p2x1-height"),
    pytest.param(8, 3, 2, 1, 1, 4, id="d2l-7.3-8x8-k3-p1-s2"),
    pytest.param(8, 3, 3, 0, 1, 2, id="d2l-7.3-8x8-k3x5-p0x1-s3x4-height"),
    pytest.param(8, 5, 4, 1, 1, 2, id="d2l-7.3-8x8-k3x5-p0x1-s3x4-width"),
    pytest.param(28, 3, 1, 1, 1, 28, id="question-H1-28-F3-S1-P1"),
    pytest.param(224, 11, 4, 2, 1, 55, id="PyTorch-torchvision-AlexNet-conv1"),
    pytest.param(5, 2, 1, (0, 1), 1, 5, id="asymmetric-padding-before-after"),
]


@pytest.mark.parametrize(
    ("size", "kernel_size", "stride", "padding", "dilation", "expected"),
    OUTPUT_SIZE_CASES,
)
def test_output_size_table(size, kernel_size, stride, padding, dilation, expected):
    got = output_size(
        size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    assert got == expected
    assert type(got) is int


# (size, kernel_size, stride, padding, dilation, output_padding, expected)
TRANSPOSED_CASES = [
    pytest.param(2, 3, 1, 0, 1, 0, 4, id="D&V-rel8-i'2-k3"),
    pytest.param(6, 4, 1, 2, 1, 0, 5, id="D&V-rel9-i'6-k4-p2"),
    pytest.param(5, 3, 1, 1, 1, 0, 5, id="D&V-rel10-half-padding"),
    pytest.param(7, 3, 1, 2, 1, 0, 5, id="D&V-rel11-full-padding"),
    pytest.param(2, 3, 2, 0, 1, 0, 5, id="D&V-rel12-i'2-k3-s2"),
    pytest.param(3, 3, 2, 1, 1, 0, 5, id="D&V-rel13-i'3-k3-s2-p1"),
    pytest.param(3, 3, 2, 1, 1, 1, 6, id="D&V-rel14-i'3-k3-s2-p1-a1"),
    pytest.param(6, 3, 2, 1, 1, 1, 12, id="PyTorch-ConvTranspose2d-example-up"),
    pytest.param(3, 3, 1, 0, 2, 0, 7, id="PyTorch-formula-dilation2"),
]


@pytest.mark.parametrize(
    (
        "size",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "output_padding",
        "expected",
    ),
    TRANSPOSED_CASES,
)
def test_transposed_output_size_table(
    size, kernel_size, stride, padding, dilation, output_padding, expected
):
    got = transposed_output_size(
        size,
        kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        output_padding=output_padding,
    )
    assert got == expected


# (size, kernel_size, stride, dilation, expected (before, after))
SAME_CASES = [
    pytest.param(28, 3, 1, 1, (1, 1), id="TF-SAME-odd-kernel-stride1"),
    pytest.param(28, 4, 1, 1, (1, 2), id="TF-SAME-even-kernel-extra-after"),
    pytest.param(5, 3, 2, 1, (1, 1), id="TF-SAME-i5-k3-s2"),
    pytest.param(6, 3, 2, 1, (0, 1), id="TF-SAME-i6-k3-s2"),
    pytest.param(13, 6, 5, 1, (1, 2), id="TF-SAME-i13-k6-s5"),
    pytest.param(224, 7, 2, 1, (2, 3), id="TF-SAME-ResNet-stem-224-k7-s2"),
    pytest.param(28, 3, 1, 2, (2, 2), id="TF-SAME-dilation2-span5"),
    pytest.param(5, 1, 1, 1, (0, 0), id="TF-SAME-1x1-kernel-needs-none"),
    pytest.param(7, 1, 3, 1, (0, 0), id="TF-SAME-negative-total-clipped-to-0"),
    pytest.param(5, 3, 1, 1, (1, 1), id="D&V-rel3-half-padding-is-same"),
]


@pytest.mark.parametrize(
    ("size", "kernel_size", "stride", "dilation", "expected"), SAME_CASES
)
def test_same_padding_table(size, kernel_size, stride, dilation, expected):
    got = same_padding(size, kernel_size, stride=stride, dilation=dilation)
    assert got == expected
    out = output_size(size, kernel_size, stride=stride, padding=got, dilation=dilation)
    assert out == math.ceil(size / stride)


@pytest.mark.parametrize(
    ("kernel_size", "dilation", "expected"),
    [
        pytest.param(3, 1, 3, id="no-dilation"),
        pytest.param(3, 2, 5, id="D&V-sec5.1-k3-d2-khat5"),
        pytest.param(3, 3, 7, id="PyTorch-Conv2d-example-k3-d3"),
        pytest.param(1, 7, 1, id="1x1-kernel-ignores-dilation"),
        pytest.param(4, 2, 7, id="even-kernel"),
    ],
)
def test_effective_kernel_size_table(kernel_size, dilation, expected):
    assert effective_kernel_size(kernel_size, dilation=dilation) == expected


def test_pytorch_conv2d_docs_example_full_shape():
    # torch.nn.Conv2d docs: Conv2d(16, 33, (3, 5), stride=(2, 1),
    # padding=(4, 2), dilation=(3, 1)) on (20, 16, 50, 100); the documented
    # formula gives (20, 33, 26, 100).
    height = output_size(50, 3, stride=2, padding=4, dilation=3)
    width = output_size(100, 5, stride=1, padding=2, dilation=1)
    assert (height, width) == (26, 100)


# --- the resolved 2-D padding ---------------------------------------------


@pytest.mark.parametrize(
    ("padding", "expected"),
    [
        pytest.param(1, ((1, 1), (1, 1)), id="int"),
        pytest.param((1, 2), ((1, 1), (2, 2)), id="pair-per-axis"),
        pytest.param(((0, 1), (2, 3)), ((0, 1), (2, 3)), id="pair-of-pairs"),
        pytest.param("valid", ((0, 0), (0, 0)), id="valid"),
        pytest.param("same", ((1, 1), (1, 2)), id="same-PyTorch-rule"),
        pytest.param("SAME", ((1, 1), (1, 2)), id="same-any-case"),
        pytest.param("same-tf", ((1, 1), (1, 2)), id="same-TF-rule"),
        pytest.param(np.array([1, 2]), ((1, 1), (2, 2)), id="numpy-array"),
        pytest.param(np.int64(1), ((1, 1), (1, 1)), id="numpy-integer"),
    ],
)
def test_resolve_padding(padding, expected):
    # a 28x28 input, 3x4 kernel: 'same' needs 2 rows and 3 columns
    got = resolve_geometry((28, 28), (3, 4), padding=padding).padding
    assert got == expected


# --- properties -------------------------------------------------------------

sizes = st.integers(1, 64)
kernels = st.integers(1, 7)
strides = st.integers(1, 5)
dilations = st.integers(1, 4)
pads = st.integers(0, 4)


@settings(max_examples=60, deadline=None)
@given(size=sizes, kernel=kernels, stride=strides, dilation=dilations)
def test_same_output_is_ceil_of_size_over_stride(size, kernel, stride, dilation):
    padding = same_padding(size, kernel, stride=stride, dilation=dilation)
    before, after = padding
    assert 0 <= after - before <= 1
    got = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    assert got == -(-size // stride)


@settings(max_examples=60, deadline=None)
@given(
    size=sizes,
    kernel=kernels,
    stride=strides,
    dilation=dilations,
    before=pads,
    after=pads,
)
def test_output_size_counts_window_positions(
    size, kernel, stride, dilation, before, after
):
    # Brute force: the window's first tap can sit at 0, stride, 2*stride, ...
    # of the padded input as long as its last tap is still inside.
    span = dilation * (kernel - 1) + 1
    padded = size + before + after
    starts = [p for p in range(0, padded, stride) if p + span <= padded]
    if not starts:
        message = (
            f"the dilated kernel spans {span} pixels (`kernel_size` {kernel}, "
            f"`dilation` {dilation}) but the padded input has only {padded} "
            f"(`size` {size} plus `padding` {before}+{after}); "
            "the kernel must fit inside the padded input"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            output_size(
                size,
                kernel,
                stride=stride,
                padding=(before, after),
                dilation=dilation,
            )
    else:
        got = output_size(
            size, kernel, stride=stride, padding=(before, after), dilation=dilation
        )
        assert got == len(starts)


@settings(max_examples=60, deadline=None)
@given(
    size=sizes,
    kernel=kernels,
    stride=strides,
    dilation=dilations,
    before=pads,
    after=pads,
)
def test_transposed_with_output_padding_recovers_size(
    size, kernel, stride, dilation, before, after
):
    # D&V relationship 14: a = (i + 2p - k) mod s picks the input size back.
    span = dilation * (kernel - 1) + 1
    assume(span <= size + before + after)  # the kernel must fit
    out = output_size(
        size, kernel, stride=stride, padding=(before, after), dilation=dilation
    )
    extra = (size + before + after - span) % stride
    back = transposed_output_size(
        out,
        kernel,
        stride=stride,
        padding=(before, after),
        dilation=dilation,
        output_padding=extra,
    )
    assert back == size


@settings(max_examples=40, deadline=None)
@given(kernel=kernels, dilation=dilations)
def test_effective_kernel_size_is_span_of_taps(kernel, dilation):
    taps = [t * dilation for t in range(kernel)]
    assert effective_kernel_size(kernel, dilation=dilation) == taps[-1] - taps[0] + 1


# --- error messages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        pytest.param(
            {"size": True, "kernel_size": 3},
            TypeError,
            r"^`size` must be an integer, got True of type bool$",
            id="bool-size",
        ),
        pytest.param(
            {"size": 28.0, "kernel_size": 3},
            TypeError,
            r"^`size` must be an integer, got 28\.0 of type float$",
            id="float-size",
        ),
        pytest.param(
            {"size": 28, "kernel_size": "3"},
            TypeError,
            r"^`kernel_size` must be an integer, got '3' of type str$",
            id="str-kernel",
        ),
        pytest.param(
            {"size": 0, "kernel_size": 3},
            ValueError,
            r"^`size` must be a positive integer, got 0$",
            id="zero-size",
        ),
        pytest.param(
            {"size": 28, "kernel_size": 3, "stride": -1},
            ValueError,
            r"^`stride` must be a positive integer, got -1$",
            id="negative-stride",
        ),
        pytest.param(
            {"size": 28, "kernel_size": 3, "dilation": 0},
            ValueError,
            r"^`dilation` must be a positive integer, got 0$",
            id="zero-dilation",
        ),
        pytest.param(
            {"size": 28, "kernel_size": 3, "padding": -1},
            ValueError,
            r"^`padding` must be an integer >= 0, got -1$",
            id="negative-padding",
        ),
        pytest.param(
            {"size": 2, "kernel_size": 5},
            ValueError,
            r"^the dilated kernel spans 5 pixels \(`kernel_size` 5, `dilation` 1\) "
            r"but the padded input has only 2 \(`size` 2 plus `padding` 0\+0\); "
            r"the kernel must fit inside the padded input$",
            id="kernel-bigger-than-input",
        ),
        pytest.param(
            {"size": 4, "kernel_size": 3, "padding": 1, "dilation": 3},
            ValueError,
            r"^the dilated kernel spans 7 pixels \(`kernel_size` 3, `dilation` 3\) "
            r"but the padded input has only 6 \(`size` 4 plus `padding` 1\+1\); "
            r"the kernel must fit inside the padded input$",
            id="dilated-kernel-bigger-than-padded-input",
        ),
        pytest.param(
            {"size": 5, "kernel_size": 3, "padding": (1, 2, 3)},
            ValueError,
            r"^`padding` must be an integer or a pair \(before, after\), 'valid', "
            r"'same' or 'same-tf', got \(1, 2, 3\) with 3 elements$",
            id="padding-triple",
        ),
        pytest.param(
            {"size": 5, "kernel_size": 3, "padding": (1, -1)},
            ValueError,
            r"^`padding\[1\]` must be an integer >= 0, got -1$",
            id="padding-pair-negative",
        ),
        pytest.param(
            {"size": 5, "kernel_size": 3, "padding": (1, 1.5)},
            TypeError,
            r"^`padding\[1\]` must be an integer, got 1\.5 of type float$",
            id="padding-pair-float",
        ),
        pytest.param(
            {"size": 5, "kernel_size": 3, "padding": "full"},
            ValueError,
            r"^`padding` must be an integer or a pair \(before, after\), 'valid', "
            r"'same' or 'same-tf', got 'full'$",
            id="padding-unknown-string",
        ),
        pytest.param(
            {"size": 5, "kernel_size": 3, "stride": 2, "padding": "same"},
            ValueError,
            r"^`padding`='same' is PyTorch's rule, defined for stride 1 only, "
            r"got `stride` 2; use 'same-tf' for TensorFlow's rule at any stride$",
            id="same-with-stride",
        ),
        pytest.param(
            {"size": 10**21, "kernel_size": 3},
            ValueError,
            r"^`size` must be at most 1048576 \(2\*\*20; no real network comes "
            r"near it\), got 1000000000000000000000$",
            id="sanity-limit",
        ),
    ],
)
def test_output_size_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        output_size(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        pytest.param(
            {"size": 3, "kernel_size": 3, "stride": 2, "output_padding": 2},
            ValueError,
            r"^`output_padding` must be smaller than `stride` \(2\) or `dilation` "
            r"\(1\), got 2$",
            id="output-padding-too-big",
        ),
        pytest.param(
            {"size": 3, "kernel_size": 3, "output_padding": -1},
            ValueError,
            r"^`output_padding` must be an integer >= 0, got -1$",
            id="output-padding-negative",
        ),
        pytest.param(
            {"size": 1, "kernel_size": 1, "padding": 1},
            ValueError,
            r"^`padding` 1\+1 removes more than the transposed convolution produces; "
            r"the output length would be -1$",
            id="padding-removes-everything",
        ),
        pytest.param(
            {"size": 3, "kernel_size": False},
            TypeError,
            r"^`kernel_size` must be an integer, got False of type bool$",
            id="bool-kernel",
        ),
    ],
)
def test_transposed_output_size_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        transposed_output_size(**kwargs)


def test_same_padding_errors():
    with pytest.raises(
        ValueError, match=r"^`stride` must be a positive integer, got 0$"
    ):
        same_padding(28, 3, stride=0)
    with pytest.raises(
        TypeError, match=r"^`size` must be an integer, got 2\.5 of type float$"
    ):
        same_padding(2.5, 3)


def test_effective_kernel_size_errors():
    with pytest.raises(
        ValueError, match=r"^`kernel_size` must be a positive integer, got 0$"
    ):
        effective_kernel_size(0)
    with pytest.raises(
        TypeError, match=r"^`dilation` must be an integer, got 2\.0 of type float$"
    ):
        effective_kernel_size(3, dilation=2.0)


@pytest.mark.parametrize(
    ("padding", "error", "match"),
    [
        pytest.param(
            "full",
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\), a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), 'valid', 'same' or 'same-tf', "
            r"got 'full'$",
            id="unknown-string",
        ),
        pytest.param(
            (1, 2, 3),
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\), a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), 'valid', 'same' or 'same-tf', "
            r"got \(1, 2, 3\) with 3 elements$",
            id="triple",
        ),
        pytest.param(
            ((1, 2), (3,)),
            ValueError,
            r"^`padding\[1\]` must be an integer or a pair \(before, after\), got "
            r"\(3,\) with 1 elements$",
            id="short-inner-pair",
        ),
        pytest.param(
            ((1, 2), (3, -4)),
            ValueError,
            r"^`padding\[1\]\[1\]` must be an integer >= 0, got -4$",
            id="negative-inner",
        ),
        pytest.param(
            -1,
            ValueError,
            r"^`padding` must be an integer >= 0, got -1$",
            id="negative-int",
        ),
        pytest.param(
            1.0,
            TypeError,
            r"^`padding` must be an integer, got 1\.0 of type float$",
            id="float",
        ),
    ],
)
def test_resolve_padding_errors(padding, error, match):
    with pytest.raises(error, match=match):
        resolve_geometry((28, 28), (3, 3), padding=padding)
