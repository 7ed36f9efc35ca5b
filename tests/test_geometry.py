"""Tests for convbook.geometry: one rule for every function that slides a window.

The central promise is consistency: the same padding, stride or size is
accepted or refused the same way, with the same exception and message, by
every entry point (the 1-D shape functions, conv2d, im2col, the layer
descriptions, pooling and the command line).
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convbook
from convbook import (
    AvgPool2d,
    Conv2d,
    MaxPool2d,
    avg_pool2d,
    conv2d,
    im2col,
    max_pool2d,
    output_size,
    parse_padding,
    pool_output_size,
    resolve_axis,
    resolve_geometry,
)
from convbook.cli import main

# --- the same input, the same answer everywhere ------------------------------

ENTRY_POINTS = {
    "resolve_geometry": lambda p, s: resolve_geometry((5, 5), 3, stride=s, padding=p),
    "conv2d": lambda p, s: conv2d(
        np.ones((1, 5, 5)), np.ones((1, 1, 3, 3)), stride=s, padding=p
    ),
    "im2col": lambda p, s: im2col(np.ones((1, 5, 5)), 3, stride=s, padding=p),
    "Conv2d": lambda p, s: Conv2d(1, 1, 3, stride=s, padding=p).output_shape((1, 5, 5)),
    "conv2d_macs": lambda p, s: convbook.conv2d_macs(
        (1, 5, 5), 1, 3, stride=s, padding=p
    ),
    "conv2d_backward": lambda p, s: convbook.conv2d_backward(
        np.ones((1, 5, 5)),
        np.ones((1, 1, 3, 3)),
        np.ones((1, *resolve_geometry(5, 3, stride=s, padding=p).output_size)),
        stride=s,
        padding=p,
    ),
}

PADDING_REFUSALS = [
    pytest.param(
        "full",
        1,
        ValueError,
        "`padding` must be an integer, a pair (ph, pw), a pair of pairs "
        "((top, bottom), (left, right)), 'valid', 'same' or 'same-tf', got 'full'",
        id="unknown-name",
    ),
    pytest.param(
        "same",
        2,
        ValueError,
        "`padding`='same' is PyTorch's rule, defined for stride 1 only, got "
        "`stride` 2 along the height; use 'same-tf' for TensorFlow's rule at any "
        "stride",
        id="same-with-stride",
    ),
    pytest.param(
        "SAME",
        2,
        ValueError,
        "`padding`='same' is PyTorch's rule, defined for stride 1 only, got "
        "`stride` 2 along the height; use 'same-tf' for TensorFlow's rule at any "
        "stride",
        id="upper-case-same-with-stride",
    ),
    pytest.param(
        1.0,
        1,
        TypeError,
        "`padding` must be an integer, got 1.0 of type float",
        id="float",
    ),
    pytest.param(
        -1, 1, ValueError, "`padding` must be an integer >= 0, got -1", id="negative"
    ),
    pytest.param(
        np.array([1.5, 1.5]),
        1,
        TypeError,
        "`padding[0]` must be an integer, got 1.5 of type float",
        id="float-array",
    ),
    pytest.param(
        2**20 + 1,
        1,
        ValueError,
        "`padding` must be at most 1048576 (2**20; no real network comes near "
        "it), got 1048577",
        id="beyond-the-sanity-limit",
    ),
]


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize(("padding", "stride", "error", "message"), PADDING_REFUSALS)
def test_every_entry_point_refuses_a_padding_the_same_way(
    entry, padding, stride, error, message
):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        ENTRY_POINTS[entry](padding, stride)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize(
    ("padding", "stride", "expected"),
    [
        pytest.param("same", 1, (5, 5), id="same"),
        pytest.param("Same", 1, (5, 5), id="same-any-case"),
        pytest.param("same-tf", 2, (3, 3), id="same-tf-stride-2"),
        pytest.param("VALID", 1, (3, 3), id="valid-upper-case"),
        pytest.param(np.array([1, 0]), 1, (5, 3), id="numpy-array"),
        pytest.param(np.int64(1), 2, (3, 3), id="numpy-integer"),
        pytest.param(np.array(1), 1, (5, 5), id="0-d-array"),
        pytest.param(((0, 1), (1, 0)), 1, (4, 4), id="pair-of-pairs"),
    ],
)
def test_every_entry_point_accepts_a_padding_the_same_way(
    entry, padding, stride, expected
):
    result = ENTRY_POINTS[entry](padding, stride)
    if entry == "resolve_geometry":
        assert result.output_size == expected
    elif entry == "conv2d":
        assert result.shape[-2:] == expected
    elif entry == "conv2d_backward":
        assert result[0].shape == (1, 5, 5)
    elif entry == "im2col":
        assert result.shape[-1] == expected[0] * expected[1]
    elif entry == "Conv2d":
        assert result[1:] == expected
    else:
        assert result == expected[0] * expected[1] * 9


def test_the_command_line_gives_the_api_message(capsys):
    status = main(["1x5x5", "conv:1:3:2:same"])
    err = capsys.readouterr().err
    assert status == 2
    assert err == (
        "convbook: error: layer 1 'conv:1:3:2:same': `padding`='same' is "
        "PyTorch's rule, defined for stride 1 only, got `stride` 2 along the "
        "height; use 'same-tf' for TensorFlow's rule at any stride\n"
    )
    with pytest.raises(
        ValueError,
        match=r"^`padding`='same' is PyTorch's rule, defined for stride 1 only, got "
        r"`stride` 2 along the height; use 'same-tf' for TensorFlow's rule at "
        r"any stride$",
    ) as refused:
        Conv2d(1, 1, 3, stride=2, padding="same")
    assert str(refused.value) in err


def test_the_command_line_accepts_names_in_any_case(capsys):
    assert main(["--json", "1x5x5", "conv:1:3:1:SAME", "conv:1:3:2:Same-TF"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert [layer["output_shape"] for layer in layers] == [[1, 5, 5], [1, 3, 3]]


def test_a_huge_size_is_refused_not_computed(capsys):
    with pytest.raises(
        ValueError,
        match=r"^`size` must be at most 1048576 \(2\*\*20; no real network comes "
        r"near it\), got 1000000000000000000000$",
    ):
        output_size(10**21, 3)
    assert main(["3x1000000000000000000000x28", "conv:16:3"]) == 2
    assert "must be at most 1048576" in capsys.readouterr().err


# --- 'same' and 'same-tf' ----------------------------------------------------


@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 3),
)
def test_same_tf_gives_ceil_of_size_over_stride(size, kernel, stride, dilation):
    axis = resolve_axis(
        size, kernel, stride=stride, padding="same-tf", dilation=dilation
    )
    assert axis.output_size == math.ceil(size / stride)
    assert 0 <= axis.after - axis.before <= 1


@given(size=st.integers(1, 40), kernel=st.integers(1, 7), dilation=st.integers(1, 3))
def test_same_and_same_tf_agree_at_stride_1(size, kernel, dilation):
    same = resolve_axis(size, kernel, padding="same", dilation=dilation)
    same_tf = resolve_axis(size, kernel, padding="same-tf", dilation=dilation)
    assert same == same_tf
    assert same.output_size == size
    assert same.before + same.after == dilation * (kernel - 1)


def test_parse_padding_keeps_names_in_lower_case():
    assert parse_padding("Same-TF") == "same-tf"
    assert parse_padding("valid") == "valid"


# --- rows a stride never reads -----------------------------------------------


def _brute_force_read(size, kernel, stride, padding, dilation):
    before, after = padding
    count = (size + before + after - dilation * (kernel - 1) - 1) // stride + 1
    read = {j * stride + u * dilation for j in range(count) for u in range(kernel)}
    return [r in read for r in range(size + before + after)]


@given(
    size=st.integers(1, 30),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 5),
    before=st.integers(0, 2),
    after=st.integers(0, 2),
    dilation=st.integers(1, 3),
)
def test_read_mask_matches_the_windows(size, kernel, stride, before, after, dilation):
    span = dilation * (kernel - 1) + 1
    padding = (before, after)
    if span > size + before + after:
        message = (
            f"the dilated kernel spans {span} pixels (`kernel_size` {kernel}, "
            f"`dilation` {dilation}) but the padded input has only "
            f"{size + before + after} (`size` {size} plus `padding` {before}+{after}); "
            "the kernel must fit inside the padded input"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            resolve_axis(
                size, kernel, stride=stride, padding=padding, dilation=dilation
            )
        return
    axis = resolve_axis(size, kernel, stride=stride, padding=padding, dilation=dilation)
    expected = _brute_force_read(size, kernel, stride, padding, dilation)
    assert axis.read_mask().tolist() == expected
    unread = [r - before for r, hit in enumerate(expected) if not hit]
    assert list(axis.unread_inputs()) == [r for r in unread if 0 <= r < size]
    assert axis.unread == (size + before + after - span) % stride


def test_unread_rows_of_the_stride_2_examples():
    assert resolve_axis(28, 3, stride=2).unread_inputs() == (27,)
    assert resolve_axis(8, 1, stride=2).unread_inputs() == (1, 3, 5, 7)
    assert resolve_axis(7, 3, stride=2).unread_inputs() == ()


# --- pooling -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        pytest.param((7, 2), {}, 3, id="floor"),
        pytest.param((7, 2), {"ceil_mode": True}, 4, id="ceil"),
        pytest.param((6, 2), {"ceil_mode": True}, 3, id="ceil-exact"),
        pytest.param((112, 3), {"stride": 2, "padding": 1}, 56, id="resnet-pool"),
        # the last ceil window would start in the right padding: dropped
        pytest.param(
            (5, 3), {"stride": 2, "padding": 1, "ceil_mode": True}, 3, id="ceil-drop"
        ),
        pytest.param(
            (6, 3), {"stride": 2, "padding": 1, "ceil_mode": True}, 4, id="ceil-keep"
        ),
    ],
)
def test_pool_output_size(args, kwargs, expected):
    assert pool_output_size(*args, **kwargs) == expected


def test_pool_layers_use_the_pool_geometry():
    assert MaxPool2d(2, ceil_mode=True).output_shape((4, 7, 7)) == (4, 4, 4)
    assert str(MaxPool2d(2, ceil_mode=True)) == "MaxPool2d(2x2, s2, ceil)"
    assert AvgPool2d(3, 2, 1).output_shape((1, 112, 112)) == (1, 56, 56)
    with pytest.raises(
        ValueError,
        match=r"^`padding` must be at most half of `kernel_size` \(PyTorch's rule "
        r"for pooling\), got padding \(2, 2\) for kernel_size \(3, 3\)$",
    ):
        pool_output_size(9, 3, padding=2)
    with pytest.raises(
        TypeError, match=r"^`ceil_mode` must be True or False, got 1 of type int$"
    ):
        MaxPool2d(2, ceil_mode=1)


def _pool_loops(x, k, s, p, ceil_mode, reduce):
    """Literal pooling of one (H, W) channel, PyTorch's rules."""
    h, w = x.shape
    ho = pool_output_size(h, k, stride=s, padding=p, ceil_mode=ceil_mode)
    wo = pool_output_size(w, k, stride=s, padding=p, ceil_mode=ceil_mode)
    out = np.empty((ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * s - p, j * s - p
            r1, c1 = min(r0 + k, h + p), min(c0 + k, w + p)
            window = [
                x[r, c] if 0 <= r < h and 0 <= c < w else None
                for r in range(r0, r1)
                for c in range(c0, c1)
            ]
            if reduce == "max":
                out[i, j] = max(v for v in window if v is not None)
            else:
                out[i, j] = sum(v or 0.0 for v in window) / len(window)
    return out


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize(
    ("size", "k", "s", "p"),
    [(7, 2, 2, 0), (7, 3, 2, 1), (8, 3, 3, 1), (5, 2, 1, 1), (6, 3, 2, 0)],
)
def test_pooling_matches_the_loops(size, k, s, p, ceil_mode):
    x = np.random.default_rng(size * k + s).standard_normal((1, 2, size, size + 1))
    for name, function in (("max", max_pool2d), ("avg", avg_pool2d)):
        ours = function(x, k, s, p, ceil_mode=ceil_mode)
        for c in range(2):
            expected = _pool_loops(x[0, c], k, s, p, ceil_mode, name)
            np.testing.assert_allclose(ours[0, c], expected, rtol=1e-12)


def test_pooling_keeps_float32_and_the_layout():
    x = np.ones((3, 4, 4), dtype=np.float32)
    assert max_pool2d(x, 2).shape == (3, 2, 2)
    assert max_pool2d(x, 2).dtype == np.float32
    assert avg_pool2d(x.astype(int), 2).dtype == np.float64
