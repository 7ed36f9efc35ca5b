"""Tests for convbook.receptive: receptive fields of stacked layers.

Independent references:

- a brute force that follows every kernel tap of an output unit back to the
  input, layer by layer, with Python sets (no formula);
- a numeric check: a stack of all-ones 1-D convolutions, computed with
  ``np.correlate``, applied to one-hot inputs shows which input pixels reach
  each output;
- back-propagation: ``convbook.conv2d_backward`` sends a one-hot output
  gradient back through a stack of all-ones 2-D convolutions; the input
  pixels that receive a non-zero gradient are the ones the unit depends on;
- the closed forms of Araujo, Norris & Sim, "Computing Receptive Fields of
  Convolutional Neural Networks", Distill (2019);
- the published values: the table in the README of
  github.com/google-research/receptive_field (the library of that article) and
  its receptive_field/RECEPTIVE_FIELD_TABLE.md, end-point by end-point, for
  TF-Slim's alexnet_v2 and vgg_16 (columns: RF, effective stride, effective
  padding = -start).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convbook import (
    AvgPool2d,
    Conv2d,
    MaxPool2d,
    ReceptiveField,
    ReLU,
    conv2d,
    conv2d_backward,
    layer_window,
    output_size,
    receptive_field,
    receptive_fields,
    trace_unit,
)

# --- independent references -------------------------------------------------


def brute_force_pixels(layers, index):
    """Input pixels that output unit ``index`` depends on, tap by tap.

    Works on unbounded feature maps (padding positions are followed as if they
    were units), which is the definition the receptive field uses.
    """
    positions = {index}
    for kernel, stride, padding, dilation in reversed(layers):
        positions = {
            q * stride - padding + t * dilation
            for q in positions
            for t in range(kernel)
        }
    return positions


def numeric_influence(layers, length):
    """Boolean matrix: does input pixel x change output unit j?

    Each layer is a 1-D convolution with an all-ones (dilated) kernel over the
    zero-padded signal, computed with ``np.correlate``; row x of the input is
    the one-hot signal at x, so output entries are positive exactly where x
    reaches.
    """
    signals = np.eye(length)
    for kernel, stride, padding, dilation in layers:
        taps = np.zeros(dilation * (kernel - 1) + 1)
        taps[::dilation] = 1.0
        padded = np.pad(signals, ((0, 0), (padding, padding)))
        assert padded.shape[1] >= taps.size
        signals = np.array([np.correlate(row, taps, "valid") for row in padded])
        signals = signals[:, ::stride]
    return signals > 0


def gradient_rows(layers, length, index):
    """Rows of a square input that get a gradient from output unit (index, index).

    The same 1-D layer is used along both axes, with all-ones weights, so
    gradients are positive and never cancel.
    """
    sizes = [length]
    for kernel, stride, padding, dilation in layers:
        sizes.append(
            output_size(
                sizes[-1], kernel, stride=stride, padding=padding, dilation=dilation
            )
        )
    grad = np.zeros((1, sizes[-1], sizes[-1]))
    grad[0, index, index] = 1.0
    for (kernel, stride, padding, dilation), size in zip(
        reversed(layers), reversed(sizes[:-1]), strict=True
    ):
        grad, _, _ = conv2d_backward(
            np.ones((1, size, size)),
            np.ones((1, 1, kernel, kernel)),
            grad,
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
    rows = np.flatnonzero(grad[0].any(axis=1))
    cols = np.flatnonzero(grad[0].any(axis=0))
    assert rows.tolist() == cols.tolist()  # the same layers on both axes
    return set(rows.tolist()), sizes[-1]


def closed_form_sums(layers):
    """The closed form written literally as sums of products of strides."""
    strides = [stride for _, stride, _, _ in layers]
    jumps = [math.prod(strides[:depth]) for depth in range(len(layers))]
    size = 1 + sum(
        dilation * (kernel - 1) * jump
        for (kernel, _, _, dilation), jump in zip(layers, jumps, strict=True)
    )
    start = -sum(
        padding * jump for (_, _, padding, _), jump in zip(layers, jumps, strict=True)
    )
    return size, math.prod(strides), start


layer_tuples = st.tuples(
    st.integers(1, 5),  # kernel_size
    st.integers(1, 3),  # stride
    st.integers(0, 3),  # padding
    st.integers(1, 3),  # dilation
)
stacks = st.lists(layer_tuples, min_size=1, max_size=4)


# --- the recursion against the references -----------------------------------


@settings(max_examples=60, deadline=None)
@given(layers=stacks)
def test_recursion_matches_closed_form(layers):
    field = receptive_field(layers)
    assert (field.size, field.stride, field.start) == closed_form_sums(layers)


@settings(max_examples=60, deadline=None)
@given(layers=stacks, index=st.integers(0, 6))
def test_region_matches_brute_force(layers, index):
    pixels = brute_force_pixels(layers, index)
    field = receptive_field(layers)
    assert field.region(index) == (min(pixels), max(pixels))
    assert field.size == max(pixels) - min(pixels) + 1
    # Without dilation and with kernels at least as long as their strides,
    # neighbouring fields touch at every layer, so the field has no holes.
    if all(d == 1 and k >= s for k, s, _, d in layers):
        assert pixels == set(range(min(pixels), max(pixels) + 1))


@settings(max_examples=30, deadline=None)
@given(layers=st.lists(layer_tuples, min_size=1, max_size=3))
def test_numeric_influence_matches_region(layers):
    field = receptive_field(layers)
    length = 2 * (field.size + field.stride - field.start) + 8
    reach = numeric_influence(layers, length)
    interior = 0
    for index in range(reach.shape[1]):
        first, last = field.region(index)
        touched = set(np.flatnonzero(reach[:, index]).tolist())
        # Never outside the field (clipped to the real input) ...
        assert touched <= set(range(max(first, 0), min(last, length - 1) + 1))
        # ... and exactly the brute-force pixels when the field is inside.
        if first >= 0 and last <= length - 1:
            interior += 1
            assert touched == brute_force_pixels(layers, index)
    assert interior > 0


small_layers = st.tuples(
    st.integers(1, 4), st.integers(1, 2), st.integers(0, 2), st.integers(1, 2)
)


@settings(max_examples=20, deadline=None)
@given(layers=st.lists(small_layers, min_size=1, max_size=3))
def test_backpropagated_gradient_reaches_exactly_the_field(layers):
    field = receptive_field(layers)
    length = 2 * (field.size + field.stride - field.start) + 4
    # the first unit whose field lies inside the input
    index = (field.stride - 1 - field.start) // field.stride
    first, last = field.region(index)
    assert first >= 0
    assert last <= length - 1
    reached, outputs = gradient_rows(layers, length, index)
    assert index < outputs
    assert reached == brute_force_pixels(layers, index)
    # unit 0 may see padding: its gradient stays inside the clipped field
    reached, _ = gradient_rows(layers, length, 0)
    first, last = field.region(0)
    assert reached <= set(range(max(first, 0), last + 1))


@settings(max_examples=40, deadline=None)
@given(first=layer_tuples, second=layer_tuples)
def test_second_layer_field_is_f1_plus_f2_minus_1_times_s1(first, second):
    # The question's notation: F_1, S_1 for layer 1 and F_2 for layer 2, with
    # dilated kernels standing in for F.
    (f1, s1, _, d1), (f2, _, _, d2) = first, second
    f1_eff, f2_eff = d1 * (f1 - 1) + 1, d2 * (f2 - 1) + 1
    assert receptive_field([first, second]).size == f1_eff + (f2_eff - 1) * s1


@settings(max_examples=40, deadline=None)
@given(layers=stacks)
def test_fields_after_each_layer_are_prefixes(layers):
    fields = receptive_fields(layers)
    assert len(fields) == len(layers)
    for depth, field in enumerate(fields, start=1):
        assert field == receptive_field(layers[:depth])


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        pytest.param([(3, 1, 1, 1)], (3, 1, -1), id="question-conv1-F3-S1-P1"),
        pytest.param(
            [(3, 1, 1, 1), (3, 1, 1, 1)], (5, 1, -2), id="question-conv2-3+(3-1)*1"
        ),
        pytest.param(
            [(3, 1, 1, 1), (2, 2, 0, 1), (3, 1, 1, 1)],
            (8, 2, -3),
            id="conv-pool-conv",
        ),
        pytest.param([(3, 1, 0, 2)], (5, 1, 0), id="dilation2-span5"),
        pytest.param(
            [(3, 1, 0, 1), (3, 1, 0, 2), (3, 1, 0, 4)],
            (15, 1, 0),
            id="Yu-Koltun-2016-dilations-1-2-4",
        ),
        pytest.param([(1, 1, 0, 1)] * 3, (1, 1, 0), id="1x1-convs-see-one-pixel"),
        pytest.param([(3, 2, (1, 0), 1)], (3, 2, -1), id="asymmetric-padding-before"),
        pytest.param([], (1, 1, 0), id="empty-stack-is-identity"),
    ],
)
def test_small_stacks(layers, expected):
    field = receptive_field(layers)
    assert (field.size, field.stride, field.start) == expected


# --- published values (google-research/receptive_field) --------------------

# TF-Slim alexnet_v2: conv1 11x11/4 VALID, pool1 3x3/2, conv2 5x5 SAME,
# pool2 3x3/2, conv3-5 3x3 SAME, pool5 3x3/2.
ALEXNET_V2 = [
    ("conv1", (11, 4, 0, 1)),
    ("pool1", (3, 2, 0, 1)),
    ("conv2", (5, 1, 2, 1)),
    ("pool2", (3, 2, 0, 1)),
    ("conv3", (3, 1, 1, 1)),
    ("conv4", (3, 1, 1, 1)),
    ("conv5", (3, 1, 1, 1)),
    ("pool5", (3, 2, 0, 1)),
]

# end-point: (RF, effective stride, effective padding) from
# RECEPTIVE_FIELD_TABLE.md; pool2 is not listed there.
ALEXNET_V2_TABLE = [
    pytest.param("conv1", (11, 4, 0), id="table-alexnet_v2/conv1-11-4-0"),
    pytest.param("pool1", (19, 8, 0), id="table-alexnet_v2/pool1-19-8-0"),
    pytest.param("conv2", (51, 8, 16), id="table-alexnet_v2/conv2-51-8-16"),
    pytest.param("conv3", (99, 16, 32), id="table-alexnet_v2/conv3-99-16-32"),
    pytest.param("conv4", (131, 16, 48), id="table-alexnet_v2/conv4-131-16-48"),
    pytest.param("conv5", (163, 16, 64), id="table-alexnet_v2/conv5-163-16-64"),
    pytest.param(
        "pool5", (195, 32, 64), id="README-and-table-alexnet_v2/pool5-195-32-64"
    ),
]


def _vgg16():
    layers = []
    for block, convs in enumerate([2, 2, 3, 3, 3], start=1):
        for conv in range(1, convs + 1):
            layers.append((f"conv{block}_{conv}", (3, 1, 1, 1)))
        layers.append((f"pool{block}", (2, 2, 0, 1)))
    return layers


VGG_16 = _vgg16()

VGG_16_TABLE = [
    pytest.param("conv1_1", (3, 1, 1), id="table-vgg_16/conv1_1-3-1-1"),
    pytest.param("pool1", (6, 2, 2), id="table-vgg_16/pool1-6-2-2"),
    pytest.param("conv2_1", (10, 2, 4), id="table-vgg_16/conv2_1-10-2-4"),
    pytest.param("pool2", (16, 4, 6), id="table-vgg_16/pool2-16-4-6"),
    pytest.param("conv3_1", (24, 4, 10), id="table-vgg_16/conv3_1-24-4-10"),
    pytest.param("conv3_2", (32, 4, 14), id="table-vgg_16/conv3_2-32-4-14"),
    pytest.param("pool3", (44, 8, 18), id="table-vgg_16/pool3-44-8-18"),
    pytest.param("conv4_1", (60, 8, 26), id="table-vgg_16/conv4_1-60-8-26"),
    pytest.param("conv4_2", (76, 8, 34), id="table-vgg_16/conv4_2-76-8-34"),
    pytest.param("pool4", (100, 16, 42), id="table-vgg_16/pool4-100-16-42"),
    pytest.param("conv5_1", (132, 16, 58), id="table-vgg_16/conv5_1-132-16-58"),
    pytest.param("conv5_2", (164, 16, 74), id="table-vgg_16/conv5_2-164-16-74"),
    # conv5_3 is not a row of the table: conv5_2 plus (3 - 1) * 16.
    pytest.param("conv5_3", (196, 16, 90), id="derived-vgg_16/conv5_3-164+2*16"),
    pytest.param("pool5", (212, 32, 90), id="README-and-table-vgg_16/pool5-212-32-90"),
]


def _field_at(network, end_point):
    names = [name for name, _ in network]
    layers = [layer for _, layer in network]
    return receptive_field(layers[: names.index(end_point) + 1])


@pytest.mark.parametrize(("end_point", "expected"), ALEXNET_V2_TABLE)
def test_alexnet_v2_published(end_point, expected):
    field = _field_at(ALEXNET_V2, end_point)
    assert (field.size, field.stride, -field.start) == expected


@pytest.mark.parametrize(("end_point", "expected"), VGG_16_TABLE)
def test_vgg_16_published(end_point, expected):
    field = _field_at(VGG_16, end_point)
    assert (field.size, field.stride, -field.start) == expected


def test_vgg_16_from_layer_objects_matches_tuples():
    layers, channels = [], 3
    for name, (kernel, stride, padding, _) in VGG_16:
        if name.startswith("conv"):
            layers += [Conv2d(channels, 64, kernel, stride, padding), ReLU()]
            channels = 64
        else:
            layers.append(MaxPool2d(kernel, stride))
    field = receptive_field(layers)
    assert (field.size, field.stride, field.start) == (212, 32, -90)


def test_center_matches_receptive_field_readme_example():
    # README of google-research/receptive_field: Inception-ResNet-v2 has
    # RF 3039, effective stride 32, effective padding 1482, and the feature
    # at [0, 2] is centred on input [37, 101].
    field = ReceptiveField(size=3039, stride=32, start=-1482)
    assert field.center(0) == 37
    assert field.center(2) == 101


# --- the ReceptiveField object ----------------------------------------------


def test_region_and_center_of_an_even_field():
    field = ReceptiveField(size=4, stride=2, start=-1)
    assert field.region(0) == (-1, 2)
    assert field.region(3) == (5, 8)
    assert field.center(0) == 0.5


def test_receptive_field_is_frozen():
    field = ReceptiveField(3, 1, -1)
    with pytest.raises(AttributeError):
        field.size = 5


# --- layer objects ----------------------------------------------------------


def test_layer_objects_follow_the_requested_axis():
    layers = [Conv2d(1, 4, (3, 5), stride=(1, 2), padding=(1, 2)), ReLU()]
    height = receptive_field(layers, axis="height")
    width = receptive_field(layers, axis="width")
    assert (height.size, height.stride, height.start) == (3, 1, -1)
    assert (width.size, width.stride, width.start) == (5, 2, -2)


def test_relu_leaves_the_field_unchanged():
    conv = Conv2d(3, 8, 3, padding=1)
    assert receptive_field([conv, ReLU(), ReLU()]) == receptive_field([conv])


def test_pooling_layers_contribute_their_window():
    layers = [Conv2d(3, 8, 3), MaxPool2d(2), Conv2d(8, 8, 3), AvgPool2d(3, 2, 1)]
    tuples = [(3, 1, 0, 1), (2, 2, 0, 1), (3, 1, 0, 1), (3, 2, 1, 1)]
    assert receptive_field(layers) == receptive_field(tuples)


def test_same_padding_stride_1_needs_no_input_shape():
    # 'same' with stride 1 pads (k' - 1) // 2 before, whatever the size.
    field = receptive_field([Conv2d(3, 8, 4, padding="same")])
    assert (field.size, field.start) == (4, -1)


@pytest.mark.parametrize(
    ("height", "start"),
    [
        pytest.param(28, 0, id="TF-SAME-28-k3-s2-pads-(0,1)"),
        pytest.param(29, -1, id="TF-SAME-29-k3-s2-pads-(1,1)"),
    ],
)
def test_same_padding_with_stride_uses_input_shape(height, start):
    layers = [Conv2d(3, 8, 3, stride=2, padding="same-tf")]
    field = receptive_field(layers, input_shape=(3, height, height))
    assert field.start == start


def test_input_shape_is_propagated_through_the_stack():
    # The second layer's 'same' padding depends on the first one's output
    # size: 28 -> 14 (k3 s2 'same'), then 14 with k3 s2 pads (0, 1).
    layers = [
        Conv2d(3, 8, 3, stride=2, padding="same-tf"),
        Conv2d(8, 8, 3, stride=2, padding="same-tf"),
    ]
    fields = receptive_fields(layers, input_shape=(3, 28, 28))
    assert [f.start for f in fields] == [0, 0]
    fields = receptive_fields(layers, input_shape=(3, 29, 29))
    # 29 -> 15 (pads (1, 1)); 15 -> 8 with pads (1, 1): start -1 - 1 * 2
    assert [f.start for f in fields] == [-1, -3]


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "error", "match"),
    [
        pytest.param(
            [(3, 1, 1, 1, 1)],
            ValueError,
            r"^`layers\[0\]` must be a tuple \(kernel_size\[, stride\[, padding\[, "
            r"dilation\]\]\]\) or a layer object such as Conv2d, got "
            r"\(3, 1, 1, 1, 1\) with 5 elements$",
            id="five-numbers",
        ),
        pytest.param(
            (3, 1, 1, 1),
            TypeError,
            r"^`layers\[0\]` must be a tuple \(kernel_size\[, stride\[, padding\[, "
            r"dilation\]\]\]\) or a layer object such as Conv2d, got 3 \(a kernel "
            r"size alone is written \(3,\); pass a list of layers, e\.g\. "
            r"\[\(3, 1, 1, 1\)\], not a single layer\)$",
            id="single-layer-not-in-a-list",
        ),
        pytest.param(
            [(3, 1, 1, 1), "relu"],
            TypeError,
            r"^`layers\[1\]` must be a tuple \(kernel_size\[, stride\[, padding\[, "
            r"dilation\]\]\]\) or a layer object such as Conv2d, got 'relu'$",
            id="string-layer",
        ),
        pytest.param(
            [(0, 1, 0, 1)],
            ValueError,
            r"^`layers\[0\]\.kernel_size` must be a positive integer, got 0$",
            id="zero-kernel",
        ),
        pytest.param(
            [(3, 0, 0, 1)],
            ValueError,
            r"^`layers\[0\]\.stride` must be a positive integer, got 0$",
            id="zero-stride",
        ),
        pytest.param(
            [(3, 1, -1, 1)],
            ValueError,
            r"^`layers\[0\]\.padding` must be an integer >= 0, got -1$",
            id="negative-padding",
        ),
        pytest.param(
            [(3, 1, 0, 0)],
            ValueError,
            r"^`layers\[0\]\.dilation` must be a positive integer, got 0$",
            id="zero-dilation",
        ),
        pytest.param(
            [(3, 1.0, 0, 1)],
            TypeError,
            r"^`layers\[0\]\.stride` must be an integer, got 1\.0 of type float$",
            id="float-stride",
        ),
        pytest.param(
            "conv",
            TypeError,
            r"^`layers` must be a sequence of layers, each a tuple \(kernel_size\[, "
            r"stride\[, padding\[, dilation\]\]\]\) or a layer object, got 'conv'$",
            id="string",
        ),
        pytest.param(
            3,
            TypeError,
            r"^`layers` must be a sequence of layers, each a tuple \(kernel_size\[, "
            r"stride\[, padding\[, dilation\]\]\]\) or a layer object, got 3$",
            id="number",
        ),
        pytest.param(
            [Conv2d(3, 8, 3, stride=2, padding="same-tf")],
            ValueError,
            r"^Conv2d\(3->8, 3x3, s2, same-tf\): with `padding`='same-tf' and a "
            r"stride above 1 the padding depends on the input size, which was "
            r"not given; pass `input_shape`$",
            id="same-with-stride-needs-input-shape",
        ),
    ],
)
def test_receptive_field_errors(layers, error, match):
    with pytest.raises(error, match=match):
        receptive_field(layers)


def test_axis_must_be_height_or_width():
    with pytest.raises(
        ValueError, match=r"^`axis` must be one of 'height', 'width', got 'depth'$"
    ):
        receptive_field([(3, 1, 1, 1)], axis="depth")
    with pytest.raises(
        ValueError, match=r"^`axis` must be one of 'height', 'width', got 0$"
    ):
        receptive_field([(3, 1, 1, 1)], axis=0)


@pytest.mark.parametrize(
    ("index", "error", "match"),
    [
        pytest.param(
            -1, ValueError, r"^`index` must be an integer >= 0, got -1$", id="neg"
        ),
        pytest.param(
            1.0,
            TypeError,
            r"^`index` must be an integer, got 1\.0 of type float$",
            id="float",
        ),
    ],
)
def test_region_errors(index, error, match):
    field = ReceptiveField(3, 1, -1)
    with pytest.raises(error, match=match):
        field.region(index)
    with pytest.raises(error, match=match):
        field.center(index)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        pytest.param(
            {"size": 0, "stride": 1, "start": 0},
            ValueError,
            r"^`size` must be a positive integer, got 0$",
            id="zero-size",
        ),
        pytest.param(
            {"size": 3, "stride": 0, "start": 0},
            ValueError,
            r"^`stride` must be a positive integer, got 0$",
            id="zero-stride",
        ),
        pytest.param(
            {"size": 3, "stride": 1, "start": 0.5},
            TypeError,
            r"^`start` must be an integer, got 0\.5 of type float$",
            id="float-start",
        ),
    ],
)
def test_receptive_field_object_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        ReceptiveField(**kwargs)


# --- the trace of one unit ----------------------------------------------------


def gradient_reach(size, layers, unit):
    """Positions of the padded input that have a path to `unit`, by gradient.

    An independent reference: the layers are run as 1 x N images with all
    weights 1 by convbook.conv2d, then a unit impulse at the top unit is
    propagated back by convbook.conv2d_backward to the *padded* input (the
    first layer's padding is applied by hand, so that its zeros get a
    gradient too). Positions are numbered in input coordinates.
    """
    p0 = layers[0][2]
    x = np.zeros((1, 1, 1, size + 2 * p0))
    inputs, h = [], x
    for index, (k, s, p, *_rest) in enumerate(layers):
        weight = np.ones((1, 1, 1, k))
        pad = (0, 0) if index == 0 else (0, p)
        inputs.append((h, weight, (1, s), pad))
        h = conv2d(h, weight, stride=(1, s), padding=pad)
    grad = np.zeros_like(h)
    grad[0, 0, 0, unit] = 1.0
    for h, weight, stride, pad in reversed(inputs):
        grad = conv2d_backward(h, weight, grad, stride=stride, padding=pad)[0]
    return [int(i) - p0 for i in np.flatnonzero(grad[0, 0, 0])]


@pytest.mark.parametrize(
    ("size", "layers", "unit"),
    [
        (9, [(3, 1, 0, 1), (3, 1, 0, 1)], 2),  # F1 + (F2 - 1) S1 = 5
        (11, [(3, 2, 1, 1), (3, 1, 1, 1)], 3),  # 3 + 2 * 2 = 7
        (12, [(5, 2, 2, 1), (3, 2, 0, 1)], 0),  # 5 + 2 * 2 = 9, into the padding
        (9, [(2, 2, 0, 1), (2, 2, 0, 1), (2, 2, 0, 1)], 0),  # 8 = 2 ** 3
    ],
)
def test_trace_reaches_the_receptive_field(size, layers, unit):
    trace = trace_unit(size, layers, unit=unit)
    first, last = receptive_field(layers).region(unit)
    assert trace.read_inputs() == tuple(range(first, last + 1))
    assert trace.field == receptive_field(layers)
    assert trace.depth == len(trace.edges) == len(layers)


def test_trace_dilation_leaves_holes():
    trace = trace_unit(9, [(3, 1, 0, 2)], unit=1)
    assert trace.read_inputs() == (1, 3, 5)
    assert trace.field.size == 5


@pytest.mark.parametrize(
    ("size", "layers", "unit"),
    [
        (28, [(3, 1, 1), (3, 1, 1)], 0),  # the question's network, its corner
        (28, [(3, 1, 1), (3, 1, 1)], 27),  # the other corner
        (28, [(3, 1, 1), (3, 1, 1)], 14),  # the interior: nothing changes
        (9, [(3, 1, 2), (3, 1, 2), (3, 1, 2)], 0),  # padding 2 on every layer
        (12, [(3, 2, 1), (5, 1, 2)], 0),  # stride, then wide padding
        (10, [(3, 1, 1), (3, 2, 1), (3, 1, 1)], 4),  # three layers, the last unit
    ],
)
def test_trace_stops_at_padding_units(size, layers, unit):
    trace = trace_unit(size, layers, unit=unit)
    assert list(trace.read_inputs()) == gradient_reach(size, layers, unit)
    for level, pairs in enumerate(trace.edges):
        # every edge leaves a real unit and ends on a position it reads
        assert {u for u, _ in pairs} <= {
            u for u in trace.reached[level + 1] if 0 <= u < trace.sizes[level + 1]
        }
        assert {v for _, v in pairs} == set(trace.reached[level])


def test_trace_of_the_corner_of_the_question_network():
    trace = trace_unit(28, [(3, 1, 1), (3, 1, 1)], unit=0)
    assert trace.reached == ((-1, 0, 1, 2), (-1, 0, 1), (0,))  # not -2
    assert [len(pairs) for pairs in trace.edges] == [2 * 3, 3]
    assert trace.field.region(0) == (-2, 2)  # the field counts -2 all the same
    assert trace.center(2, 0) == 0.0
    assert trace.center(1, -1) == -1.0


def test_trace_reads_layer_objects_and_skips_relu():
    stack = [
        Conv2d(1, 4, 3, padding=1),
        ReLU(),
        Conv2d(4, 4, 3, stride=2),
        MaxPool2d(2),
    ]
    trace = trace_unit(13, stack, unit=0)
    field = receptive_field(stack)
    assert trace.depth == 3
    assert trace.sizes == (13, 13, 6, 3)
    assert trace.read_inputs() == tuple(range(field.start, field.start + field.size))


def test_trace_resolves_same_tf_on_the_input_size():
    trace = trace_unit(8, [Conv2d(1, 1, 3, stride=2, padding="same-tf")], unit=0)
    # same_padding(8, 3, stride=2) = (0, 1): nothing before the input
    assert trace.read_inputs() == (0, 1, 2)
    assert trace.windows[0].padding == (0, 1)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            (9, []),
            {},
            ValueError,
            r"^`layers` must be a non-empty sequence of layers, got \[\]$",
        ),
        (
            (9, [ReLU()]),
            {},
            ValueError,
            r"^`layers` must hold at least one layer with a kernel$",
        ),
        (
            (9, [(3, 0)]),
            {},
            ValueError,
            r"^`layers\[0\]\.stride` must be a positive integer, got 0$",
        ),
        (
            (9, [(3,)]),
            {"unit": 7},
            ValueError,
            r"^`unit` must be smaller than the top layer's size 7, got 7$",
        ),
        (
            (2, [(3,)]),
            {},
            ValueError,
            r"^the dilated kernel spans 3 pixels \(`kernel_size` 3, `dilation` 1\) "
            r"but the padded input has only 2 \(`size` 2 plus `padding` 0\+0\); "
            r"the kernel must fit inside the padded input$",
        ),
    ],
)
def test_trace_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        trace_unit(*args, **kwargs)


def test_one_layer_description_for_fields_traces_and_layers():
    # a tuple, a layer object and its receptive_params describe one window
    conv = Conv2d(3, 8, (3, 5), stride=(2, 1), padding=((1, 0), (2, 2)))
    assert layer_window(conv) == layer_window((3, 2, (1, 0), 1))
    assert layer_window(conv, axis="width") == layer_window((5, 1, 2))
    assert conv.receptive_params() == ((3, 2, 1, 1), (5, 1, 2, 1))
    assert receptive_field([conv]) == receptive_field([(3, 2, (1, 0), 1)])
