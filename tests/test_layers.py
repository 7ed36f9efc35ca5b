"""Tests for convbook.layers: layer shapes, parameters, MACs and summaries.

Published references:

- torchvision's AlexNet and VGG-16 (``torchvision/models/alexnet.py`` and
  ``vgg.py``): layer definitions, ``num_params`` (61,100,840 and 138,357,544)
  and ``_ops`` (0.714 and 15.47 GFLOPs, which torchvision counts as
  multiply-adds) in the weights' metadata;
- the book's question: 3x28x28 input, two 3x3 convolutions with 16 and 32
  filters, stride 1, padding 1.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convbook import (
    AvgPool2d,
    Conv2d,
    LayerSummary,
    MaxPool2d,
    ReceptiveField,
    ReLU,
    Summary,
    conv2d_macs,
    conv2d_parameters,
    summarize,
)


def question_network():
    return [
        Conv2d(3, 16, 3, stride=1, padding=1),
        ReLU(),
        Conv2d(16, 32, 3, stride=1, padding=1),
        ReLU(),
    ]


def torchvision_alexnet_features():
    return [
        Conv2d(3, 64, 11, stride=4, padding=2),
        ReLU(),
        MaxPool2d(3, stride=2),
        Conv2d(64, 192, 5, padding=2),
        ReLU(),
        MaxPool2d(3, stride=2),
        Conv2d(192, 384, 3, padding=1),
        ReLU(),
        Conv2d(384, 256, 3, padding=1),
        ReLU(),
        Conv2d(256, 256, 3, padding=1),
        ReLU(),
        MaxPool2d(3, stride=2),
    ]


def torchvision_vgg16_features():
    layers, channels = [], 3
    for width, convs in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        for _ in range(convs):
            layers += [Conv2d(channels, width, 3, padding=1), ReLU()]
            channels = width
        layers.append(MaxPool2d(2, stride=2))
    return layers


def linear_parameters(sizes):
    """Weights and biases of a chain of fully connected layers."""
    return sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))


def linear_macs(sizes):
    return sum(n_in * n_out for n_in, n_out in itertools.pairwise(sizes))


def literal_conv_macs(shape, out_channels, kernel, stride, padding, dilation):
    """Count the products of a convolution by walking its windows."""
    channels, height, width = shape
    (kh, kw), (sh, sw), ((top, bottom), (left, right)), (dh, dw) = (
        kernel,
        stride,
        padding,
        dilation,
    )
    rows = [
        r
        for r in range(0, height + top + bottom, sh)
        if r + dh * (kh - 1) < height + top + bottom
    ]
    cols = [
        c
        for c in range(0, width + left + right, sw)
        if c + dw * (kw - 1) < width + left + right
    ]
    products = 0
    for _ in rows:
        for _ in cols:
            products += out_channels * channels * kh * kw
    return products, (out_channels, len(rows), len(cols))


# --- the question's network -------------------------------------------------


def test_question_network_shapes_parameters_macs():
    summary = summarize((3, 28, 28), question_network())
    assert [row.output_shape for row in summary] == [
        (16, 28, 28),
        (16, 28, 28),
        (32, 28, 28),
        (32, 28, 28),
    ]
    assert [row.parameters for row in summary] == [448, 0, 4640, 0]
    # K * H_out * W_out * C * F * F, by hand
    assert [row.macs for row in summary] == [
        16 * 28 * 28 * 3 * 3 * 3,
        0,
        32 * 28 * 28 * 16 * 3 * 3,
        0,
    ]
    assert summary.total_parameters == 448 + 4640
    assert summary.total_macs == 338_688 + 3_612_672


def test_question_network_receptive_fields():
    summary = summarize((3, 28, 28), question_network())
    fields = [row.receptive_field for row in summary]
    first, second = ReceptiveField(3, 1, -1), ReceptiveField(5, 1, -2)
    assert fields == [
        (first, first),
        (first, first),
        (second, second),
        (second, second),
    ]


def test_question_network_text_table():
    text = summarize((3, 28, 28), question_network()).to_text()
    expected = """\
Input: 3x28x28 (C x H x W), batch 1
----------------------------------------------------------------------------
#  Layer                        Output    Params       MACs  RF  Jump  Start
----------------------------------------------------------------------------
1  Conv2d(3->16, 3x3, s1, p1)   16x28x28     448    338,688   3     1     -1
2  ReLU()                       16x28x28       0          0   3     1     -1
3  Conv2d(16->32, 3x3, s1, p1)  32x28x28   4,640  3,612,672   5     1     -2
4  ReLU()                       32x28x28       0          0   5     1     -2
----------------------------------------------------------------------------
Total parameters: 5,088
Total MACs: 3,951,360 (about 7,902,720 FLOPs)
Activation memory: 301,056 bytes (float32)
RF: receptive field size; Jump: distance between neighbouring fields;
Start: first input pixel seen by output unit 0 (negative: in the padding)."""
    assert text == expected
    assert text.isascii()
    assert max(len(line) for line in text.splitlines()) <= 79  # the book's width
    assert str(summarize((3, 28, 28), question_network())) == expected


def test_summary_json_round_trip():
    summary = summarize((3, 28, 28), question_network(), batch=2)
    data = json.loads(summary.to_json())
    assert data == summary.to_dict()
    assert data["input_shape"] == [3, 28, 28]
    assert data["output_shape"] == [32, 28, 28]
    assert data["batch"] == 2
    assert data["total_parameters"] == 5088
    assert data["total_macs"] == 2 * 3_951_360
    first = data["layers"][0]
    assert first == {
        "index": 1,
        "name": "Conv2d(3->16, 3x3, s1, p1)",
        "input_shape": [3, 28, 28],
        "output_shape": [16, 28, 28],
        "parameters": 448,
        "macs": 2 * 338_688,
        "activations": 16 * 28 * 28,
        "activation_bytes": 2 * 4 * 16 * 28 * 28,
        "receptive_field": {"size": [3, 3], "stride": [1, 1], "start": [-1, -1]},
    }


def test_batch_scales_macs_and_memory_not_parameters():
    one = summarize((3, 28, 28), question_network())
    eight = summarize((3, 28, 28), question_network(), batch=8)
    assert eight.total_parameters == one.total_parameters
    assert eight.total_macs == 8 * one.total_macs
    assert eight.total_activation_bytes == 8 * one.total_activation_bytes
    assert [r.activations for r in eight] == [r.activations for r in one]


def test_summary_is_a_sequence_of_rows():
    summary = summarize((3, 28, 28), question_network())
    assert isinstance(summary, Summary)
    assert len(summary) == 4
    assert isinstance(summary[0], LayerSummary)
    assert summary[-1].index == 4
    assert [row.index for row in summary[1:3]] == [2, 3]
    assert [row.name for row in summary] == [
        "Conv2d(3->16, 3x3, s1, p1)",
        "ReLU()",
        "Conv2d(16->32, 3x3, s1, p1)",
        "ReLU()",
    ]
    assert summary[2].input_shape == (16, 28, 28)


def test_empty_network_summary():
    summary = summarize((3, 8, 8), [])
    assert len(summary) == 0
    assert summary.output_shape == (3, 8, 8)
    assert summary.total_parameters == summary.total_macs == 0


# --- published networks (torchvision) ---------------------------------------


def test_torchvision_alexnet_parameters_and_ops():
    summary = summarize((3, 224, 224), torchvision_alexnet_features())
    assert summary.output_shape == (256, 6, 6)
    classifier = [256 * 6 * 6, 4096, 4096, 1000]
    assert summary.total_parameters + linear_parameters(classifier) == 61_100_840
    total = summary.total_macs + linear_macs(classifier)
    assert round(total / 1e9, 3) == 0.714


def test_torchvision_vgg16_parameters_and_ops():
    summary = summarize((3, 224, 224), torchvision_vgg16_features())
    assert summary.output_shape == (512, 7, 7)
    assert summary[-1].receptive_field[0] == ReceptiveField(212, 32, -90)
    classifier = [512 * 7 * 7, 4096, 4096, 1000]
    assert summary.total_parameters + linear_parameters(classifier) == 138_357_544
    total = summary.total_macs + linear_macs(classifier)
    assert round(total / 1e9, 2) == 15.47


def test_pytorch_conv2d_docs_example_shape():
    # torch.nn.Conv2d docs: Conv2d(16, 33, (3, 5), stride=(2, 1),
    # padding=(4, 2), dilation=(3, 1)) on a (20, 16, 50, 100) input.
    conv = Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
    assert conv.output_shape((16, 50, 100)) == (33, 26, 100)
    assert conv.parameters == 33 * 16 * 3 * 5 + 33


# --- MACs and parameters ----------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    channels=st.integers(1, 4),
    size=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    out_channels=st.integers(1, 4),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(
        st.tuples(st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.integers(0, 2), st.integers(0, 2)),
    ),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
def test_macs_and_shape_match_a_literal_count(
    channels, size, out_channels, kernel, stride, padding, dilation
):
    shape = (channels, *size)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    padded = [n + b + a for n, (b, a) in zip(size, padding, strict=True)]
    conv = Conv2d(
        channels,
        out_channels,
        kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    if any(s > p for s, p in zip(spans, padded, strict=True)):
        i = next(i for i in range(2) if spans[i] > padded[i])
        message = (
            f"along the {('height', 'width')[i]}, the dilated kernel spans {spans[i]} "
            f"pixels (`kernel_size` {kernel[i]}, `dilation` {dilation[i]}) but the "
            f"padded input has only {padded[i]} (`size` {size[i]} plus `padding` "
            f"{padding[i][0]}+{padding[i][1]}); the kernel must fit inside the "
            "padded input"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            conv.macs(shape)
        return
    expected_macs, expected_shape = literal_conv_macs(
        shape, out_channels, kernel, stride, padding, dilation
    )
    assert conv.output_shape(shape) == expected_shape
    assert conv.macs(shape) == expected_macs
    assert (
        conv2d_macs(
            shape,
            out_channels,
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
        == expected_macs
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        pytest.param((3, 16, 3), {}, 448, id="question-layer1-16*3*9+16"),
        pytest.param((16, 32, 3), {}, 4640, id="question-layer2-32*16*9+32"),
        pytest.param((16, 32, 3), {"bias": False}, 4608, id="no-bias"),
        pytest.param((3, 64, 11), {}, 23_296, id="torchvision-alexnet-conv1"),
        pytest.param((1, 1, (3, 5)), {}, 16, id="non-square-kernel"),
    ],
)
def test_conv2d_parameters(args, kwargs, expected):
    assert conv2d_parameters(*args, **kwargs) == expected
    assert Conv2d(*args, **kwargs).parameters == expected


def test_parameterless_layers():
    for layer in (ReLU(), MaxPool2d(2), AvgPool2d(2)):
        assert layer.parameters == 0
        assert layer.macs((4, 8, 8)) == 0


# --- shapes of the other layers ---------------------------------------------


@pytest.mark.parametrize(
    ("layer", "shape", "expected"),
    [
        pytest.param(MaxPool2d(2), (16, 28, 28), (16, 14, 14), id="maxpool-2-halves"),
        pytest.param(MaxPool2d(2), (16, 7, 7), (16, 3, 3), id="maxpool-floor"),
        pytest.param(
            MaxPool2d(3, stride=2), (64, 55, 55), (64, 27, 27), id="torchvision-alexnet"
        ),
        pytest.param(
            MaxPool2d(3, stride=1, padding=1), (8, 5, 5), (8, 5, 5), id="maxpool-same"
        ),
        pytest.param(
            MaxPool2d(2, stride=1, dilation=2),
            (1, 5, 5),
            (1, 3, 3),
            id="maxpool-dilated",
        ),
        pytest.param(AvgPool2d(3, 2, 1), (8, 7, 7), (8, 4, 4), id="avgpool-padded"),
        pytest.param(
            AvgPool2d((2, 3), stride=(2, 3)), (1, 6, 9), (1, 3, 3), id="avgpool-pairs"
        ),
        pytest.param(ReLU(), (5, 3, 2), (5, 3, 2), id="relu-keeps-shape"),
        pytest.param(
            Conv2d(3, 8, 3, stride=2, padding="same-tf"),
            (3, 28, 28),
            (8, 14, 14),
            id="TF-SAME-ceil-28/2",
        ),
        pytest.param(
            Conv2d(3, 8, 4, padding="same"), (3, 7, 9), (8, 7, 9), id="same-even-kernel"
        ),
        pytest.param(
            Conv2d(3, 8, 3, padding="valid"), (3, 5, 5), (8, 3, 3), id="valid"
        ),
        pytest.param(
            Conv2d(1, 1, 2, padding=((0, 1), (1, 0))),
            (1, 4, 4),
            (1, 4, 4),
            id="asymmetric-padding",
        ),
    ],
)
def test_output_shapes(layer, shape, expected):
    assert layer.output_shape(shape) == expected


def test_maxpool_stride_defaults_to_kernel_size():
    assert MaxPool2d(3).stride == (3, 3)
    assert AvgPool2d((2, 3)).stride == (2, 3)


def test_arguments_are_stored_as_pairs():
    conv = Conv2d(3, 8, 3, stride=2, padding=(1, 2), dilation=1)
    assert conv.kernel_size == (3, 3)
    assert conv.stride == (2, 2)
    assert conv.dilation == (1, 1)
    assert conv.padding == ((1, 1), (2, 2))
    assert Conv2d(3, 8, 3, padding="same").padding == "same"


def test_layers_are_frozen_and_comparable():
    conv = Conv2d(3, 8, 3)
    assert conv == Conv2d(3, 8, (3, 3), stride=(1, 1), padding=0)
    with pytest.raises(AttributeError):
        conv.out_channels = 4


@pytest.mark.parametrize(
    ("layer", "name"),
    [
        pytest.param(
            Conv2d(3, 16, 3, padding=1), "Conv2d(3->16, 3x3, s1, p1)", id="conv"
        ),
        pytest.param(
            Conv2d(
                3, 16, (3, 5), stride=(1, 2), padding=(1, 2), dilation=2, bias=False
            ),
            "Conv2d(3->16, 3x5, s(1,2), p(1,2), d2, no bias)",
            id="conv-everything",
        ),
        pytest.param(
            Conv2d(1, 1, 2, padding=((0, 1), (0, 1))),
            "Conv2d(1->1, 2x2, s1, p((0,1),(0,1)))",
            id="conv-asymmetric",
        ),
        pytest.param(
            Conv2d(1, 1, 3, padding="same"), "Conv2d(1->1, 3x3, s1, same)", id="same"
        ),
        pytest.param(ReLU(), "ReLU()", id="relu"),
        pytest.param(MaxPool2d(2), "MaxPool2d(2x2, s2)", id="maxpool"),
        pytest.param(
            MaxPool2d(3, 1, 1, 2), "MaxPool2d(3x3, s1, p1, d2)", id="maxpool-everything"
        ),
        pytest.param(AvgPool2d(3, 2, 1), "AvgPool2d(3x3, s2, p1)", id="avgpool"),
    ],
)
def test_layer_names(layer, name):
    assert str(layer) == name


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        pytest.param(
            lambda: Conv2d(0, 16, 3),
            ValueError,
            r"^`in_channels` must be a positive integer, got 0$",
            id="zero-in-channels",
        ),
        pytest.param(
            lambda: Conv2d(3, 16.0, 3),
            TypeError,
            r"^`out_channels` must be an integer, got 16\.0 of type float$",
            id="float-out-channels",
        ),
        pytest.param(
            lambda: Conv2d(3, 16, (3, 3, 3)),
            ValueError,
            r"^`kernel_size` must be an integer or a pair \(height, width\), got \(3, "
            r"3, 3\) with 3 elements$",
            id="kernel-triple",
        ),
        pytest.param(
            lambda: Conv2d(3, 16, 3, stride=0),
            ValueError,
            r"^`stride` must be a positive integer, got 0$",
            id="zero-stride",
        ),
        pytest.param(
            lambda: Conv2d(3, 16, 3, padding="full"),
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\), a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), 'valid', 'same' or 'same-tf', "
            r"got 'full'$",
            id="unknown-padding-string",
        ),
        pytest.param(
            lambda: Conv2d(3, 16, 3, stride=2, padding="same"),
            ValueError,
            r"^`padding`='same' is PyTorch's rule, defined for stride 1 only, "
            r"got `stride` 2 along the height; use 'same-tf' for TensorFlow's rule "
            r"at any stride$",
            id="same-with-stride",
        ),
        pytest.param(
            lambda: Conv2d(3, 2**20 + 1, 3),
            ValueError,
            r"^`out_channels` must be at most 1048576 \(2\*\*20; no real network "
            r"comes near it\), got 1048577$",
            id="sanity-limit",
        ),
        pytest.param(
            lambda: Conv2d(3, 16, 3, padding=(1, -1)),
            ValueError,
            r"^`padding\[1\]` must be an integer >= 0, got -1$",
            id="negative-padding",
        ),
        pytest.param(
            lambda: Conv2d(3, 16, 3, bias=1),
            TypeError,
            r"^`bias` must be True or False, got 1 of type int$",
            id="int-bias",
        ),
        pytest.param(
            lambda: MaxPool2d(3, padding=2),
            ValueError,
            r"^`padding` must be at most half of `kernel_size` \(PyTorch's rule for "
            r"pooling\), got padding \(2, 2\) for kernel_size \(3, 3\)$",
            id="pool-padding-too-big",
        ),
        pytest.param(
            lambda: AvgPool2d(2, stride=0),
            ValueError,
            r"^`stride` must be a positive integer, got 0$",
            id="pool-zero-stride",
        ),
        pytest.param(
            lambda: MaxPool2d(True),
            TypeError,
            r"^`kernel_size` must be an integer, got True of type bool$",
            id="pool-bool-kernel",
        ),
        pytest.param(
            lambda: conv2d_parameters(3, 16, 3, bias="yes"),
            TypeError,
            r"^`bias` must be True or False, got 'yes' of type str$",
            id="parameters-str-bias",
        ),
        pytest.param(
            lambda: conv2d_macs((28, 28), 16, 3),
            ValueError,
            r"^`input_shape` must be \(channels, height, width\), channels first, got "
            r"\(28, 28\) with 2 elements$",
            id="macs-two-dims",
        ),
    ],
)
def test_construction_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("layer", "shape", "error", "match"),
    [
        pytest.param(
            Conv2d(3, 16, 3),
            (16, 28, 28),
            ValueError,
            r"^`input_shape` has 16 channels but the layer's `in_channels` is 3; they "
            r"must match \(shapes are \(C, H, W\), channels first\)$",
            id="channel-mismatch",
        ),
        pytest.param(
            Conv2d(3, 16, 3),
            (28, 28, 3),
            ValueError,
            r"^`input_shape` has 28 channels but the layer's `in_channels` is 3; they "
            r"must match \(shapes are \(C, H, W\), channels first\)$",
            id="channels-last-by-mistake",
        ),
        pytest.param(
            Conv2d(3, 16, 7),
            (3, 5, 5),
            ValueError,
            r"^along the height, the dilated kernel spans 7 pixels \(`kernel_size` "
            r"7, `dilation` 1\) but the padded input has only 5 \(`size` 5 plus "
            r"`padding` 0\+0\); the kernel must fit inside the padded input$",
            id="kernel-too-big",
        ),
        pytest.param(
            ReLU(),
            (3, 28, 28, 1),
            ValueError,
            r"^`input_shape` must be \(channels, height, width\), channels first, got "
            r"\(3, 28, 28, 1\) with 4 elements$",
            id="four-dims",
        ),
        pytest.param(
            MaxPool2d(2),
            (3, 0, 28),
            ValueError,
            r"^`input_shape\[1\]` must be a positive integer, got 0$",
            id="zero-height",
        ),
        pytest.param(
            MaxPool2d(2),
            (3, 28.0, 28),
            TypeError,
            r"^`input_shape\[1\]` must be an integer, got 28\.0 of type float$",
            id="float-height",
        ),
        pytest.param(
            ReLU(),
            "3x28x28",
            TypeError,
            r"^`input_shape` must be a tuple \(channels, height, width\), got "
            r"'3x28x28'$",
            id="string-shape",
        ),
    ],
)
def test_output_shape_errors(layer, shape, error, match):
    with pytest.raises(error, match=match):
        layer.output_shape(shape)


@pytest.mark.parametrize(
    ("shape", "layers", "kwargs", "error", "match"),
    [
        pytest.param(
            (3, 28, 28),
            [Conv2d(3, 8, 3), ReLU(), Conv2d(16, 8, 3)],
            {},
            ValueError,
            r"^layer 3 Conv2d\(16->8, 3x3, s1, p0\): `input_shape` has 8 channels but "
            r"the layer's `in_channels` is 16; they must match \(shapes are \(C, H, "
            r"W\), channels first\)$",
            id="mismatch-names-the-layer",
        ),
        pytest.param(
            (3, 8, 8),
            [Conv2d(3, 8, 5), Conv2d(8, 8, 5)],
            {},
            ValueError,
            r"^layer 2 Conv2d\(8->8, 5x5, s1, p0\): along the height, the dilated "
            r"kernel spans 5 pixels \(`kernel_size` 5, `dilation` 1\) but the padded "
            r"input has only 4 \(`size` 4 plus `padding` 0\+0\); the kernel must "
            r"fit inside the padded input$",
            id="shrinks-below-kernel",
        ),
        pytest.param(
            (3, 28, 28),
            [Conv2d(3, 8, 3), (3, 1, 1, 1)],
            {},
            TypeError,
            r"^`layers\[1\]` must be a layer such as Conv2d, ReLU, MaxPool2d or "
            r"AvgPool2d, got \(3, 1, 1, 1\)$",
            id="tuple-is-not-a-layer",
        ),
        pytest.param(
            (3, 28, 28),
            Conv2d(3, 8, 3),
            {},
            TypeError,
            r"^`layers` must be a sequence of layers, got Conv2d\(in_channels=3, "
            r"out_channels=8, kernel_size=\(3, 3\),\.\.\.$",
            id="single-layer",
        ),
        pytest.param(
            (3, 28, 28),
            [ReLU()],
            {"batch": 0},
            ValueError,
            r"^`batch` must be a positive integer, got 0$",
            id="zero-batch",
        ),
        pytest.param(
            [28, 28],
            [ReLU()],
            {},
            ValueError,
            r"^`input_shape` must be \(channels, height, width\), channels first, got "
            r"\[28, 28\] with 2 elements$",
            id="two-dims",
        ),
    ],
)
def test_summarize_errors(shape, layers, kwargs, error, match):
    with pytest.raises(error, match=match):
        summarize(shape, layers, **kwargs)
