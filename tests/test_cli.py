"""Tests for the ``convbook`` command (convbook.cli and ``python -m convbook``).

The expected numbers are computed here from the defining formulas, not read
from the package: parameters K*C*F*F + K (K*C*F*F without biases), MACs
K*H_out*W_out*C*F*F and the output size floor((H + 2P - F) / S) + 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import convbook
from convbook.cli import EXAMPLE, main

QUESTION = ["3x28x28", "conv:16:3:1:1", "relu", "conv:32:3:1:1", "relu"]


def size(h, f, s, p):
    return (h + 2 * p - f) // s + 1


H1 = size(28, 3, 1, 1)
H2 = size(H1, 3, 1, 1)
PARAMS = [16 * 3 * 3 * 3 + 16, 32 * 16 * 3 * 3 + 32]
MACS = [16 * H1 * H1 * 3 * 3 * 3, 32 * H2 * H2 * 16 * 3 * 3]


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def run_module(*argv):
    return subprocess.run(
        [sys.executable, "-m", "convbook", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- the question's network -------------------------------------------------


def check_table(text):
    lines = text.splitlines()
    assert lines[0] == "Input: 3x28x28 (C x H x W), batch 1"
    rows = [line.split() for line in lines if line[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    conv1, relu1, conv2, relu2 = (" ".join(row) for row in rows)
    assert f"16x{H1}x{H1} {PARAMS[0]:,} {MACS[0]:,}" in conv1
    assert f"16x{H1}x{H1} 0 0" in relu1
    assert f"32x{H2}x{H2} {PARAMS[1]:,} {MACS[1]:,}" in conv2
    assert f"32x{H2}x{H2} 0 0" in relu2
    assert f"Total parameters: {sum(PARAMS):,}" in lines
    assert f"Total MACs: {sum(MACS):,} (about {2 * sum(MACS):,} FLOPs)" in lines


def test_question_network_in_process(capsys):
    status, out, err = run(QUESTION, capsys)
    assert (status, err) == (0, "")
    check_table(out)
    assert (H1, H2, PARAMS, MACS) == (28, 28, [448, 4640], [338_688, 3_612_672])


def test_question_network_as_module():
    done = run_module(*QUESTION)
    assert (done.returncode, done.stderr) == (0, "")
    check_table(done.stdout)


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("convbook")
    done = subprocess.run(
        [str(script), *QUESTION],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    check_table(done.stdout)


def test_json_output(capsys):
    status, out, err = run([*QUESTION, "--json"], capsys)
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["input_shape"] == [3, 28, 28]
    assert [row["output_shape"] for row in data["layers"]] == [
        [16, H1, H1],
        [16, H1, H1],
        [32, H2, H2],
        [32, H2, H2],
    ]
    assert [row["parameters"] for row in data["layers"]] == [PARAMS[0], 0, PARAMS[1], 0]
    assert [row["macs"] for row in data["layers"]] == [MACS[0], 0, MACS[1], 0]
    assert data["total_parameters"] == sum(PARAMS)
    assert data["total_macs"] == sum(MACS)
    assert data["layers"][2]["receptive_field"] == {
        "size": [5, 5],
        "stride": [1, 1],
        "start": [-2, -2],
    }


def test_json_output_as_module():
    done = run_module("--json", *QUESTION)
    assert done.returncode == 0
    assert json.loads(done.stdout)["total_parameters"] == sum(PARAMS)


def test_example_flag_is_the_question(capsys):
    assert EXAMPLE == QUESTION
    status, example, _ = run(["--example"], capsys)
    assert status == 0
    _, typed, _ = run(QUESTION, capsys)
    assert example == typed


def test_batch_scales_macs(capsys):
    status, out, _ = run([*QUESTION, "--json", "--batch", "4"], capsys)
    assert status == 0
    data = json.loads(out)
    assert data["batch"] == 4
    assert data["total_macs"] == 4 * sum(MACS)
    assert data["total_parameters"] == sum(PARAMS)


def test_options_may_come_between_layers(capsys):
    status, out, _ = run(["3x28x28", "--json", "conv:16:3:1:1", "relu"], capsys)
    assert status == 0
    assert len(json.loads(out)["layers"]) == 2


@pytest.mark.parametrize(
    ("argv", "names", "shape"),
    [
        pytest.param(
            ["3x32x32", "conv:8:3:1:same", "maxpool:2", "avgpool:2"],
            ["Conv2d(3->8, 3x3, s1, same)", "MaxPool2d(2x2, s2)", "AvgPool2d(2x2, s2)"],
            [8, 8, 8],
            id="same-and-pools",
        ),
        pytest.param(
            ["1x9x9", "conv:2:3x5:1:1x2:2"],
            ["Conv2d(1->2, 3x5, s1, p(1,2), d2)"],
            [2, 7, 5],
            id="pairs-and-dilation",
        ),
        pytest.param(
            ["3x28x28", "CONV:4:3:2:valid", "ReLU", "maxpool:3:2:1"],
            ["Conv2d(3->4, 3x3, s2, valid)", "ReLU()", "MaxPool2d(3x3, s2, p1)"],
            [4, 7, 7],
            id="names-any-case-valid-pool-padding",
        ),
    ],
)
def test_layer_spellings(argv, names, shape, capsys):
    status, out, err = run([*argv, "--json"], capsys)
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert [row["name"] for row in data["layers"]] == names
    assert data["output_shape"] == shape


def test_version(capsys):
    status, out, _ = run(["--version"], capsys)
    assert status == 0
    assert out == f"convbook {convbook.__version__}\n"


def test_help_says_channels_first(capsys):
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    assert "The input shape is CxHxW, channels first" in out
    assert "With --channels-last it is HxWxC instead (e.g. 28x28x3)" in out
    assert "still read channels\nfirst, with a warning on standard error" in out
    assert "conv:OUT:K[:S[:P[:D]]][:nobias]" in out
    assert "final field nobias drops the biases" in out


def test_help_examples_run(capsys):
    """Every example command in --help works as printed, without warnings."""
    _, out, _ = run(["--help"], capsys)
    examples = out.split("examples:\n", 1)[1]
    commands = [
        line.split()[1:]
        for line in examples.splitlines()
        if line.startswith("  convbook ")
    ]
    assert len(commands) == 4
    assert commands[0] == QUESTION
    assert "--channels-last" in commands[1]
    assert "conv:64:7:2:3:nobias" in commands[2]
    for argv in commands:
        status, out, err = run(argv, capsys)
        assert (status, err) == (0, ""), argv
        assert out


# --- --channels-last: the input written HxWxC --------------------------------


def test_channels_last_is_the_same_network(capsys):
    status, last, err = run(["--channels-last", *["28x28x3", *QUESTION[1:]]], capsys)
    assert (status, err) == (0, "")
    check_table(last)  # the table says 3x28x28 (C x H x W): converted
    _, first, _ = run(QUESTION, capsys)
    assert last == first


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        pytest.param("28x28x3", [3, 28, 28], id="rgb"),
        pytest.param("32x48x1", [1, 32, 48], id="grey-not-square"),
        pytest.param("7x7x2048", [2048, 7, 7], id="feature-map"),
    ],
)
def test_channels_last_json_shape(shape, expected, capsys):
    status, out, err = run(["--json", "--channels-last", shape, "relu"], capsys)
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["input_shape"] == expected
    assert data["output_shape"] == expected


def test_channels_last_as_module():
    done = run_module("--channels-last", "28x28x3", *QUESTION[1:])
    assert (done.returncode, done.stderr) == (0, "")
    check_table(done.stdout)


# --- a shape that looks written in the other order: warn, then carry on ------

WARN_28X28X3 = (
    "convbook: warning: input shape 28x28x3 is read channels first "
    "(C=28, H=28, W=3); for a 28x28 RGB image write 3x28x28 "
    "or pass --channels-last\n"
)


def test_hwc_shape_warns_and_is_read_channels_first(capsys):
    status, out, err = run(["28x28x3", "conv:16:3:1:1"], capsys)
    assert status == 0
    assert err == WARN_28X28X3
    lines = out.splitlines()
    assert lines[0] == "Input: 28x28x3 (C x H x W), batch 1"
    conv = next(line for line in lines if line.startswith("1 "))
    # read as 28 channels of a 28 x 3 image: 16*28*9 + 16 parameters
    assert " ".join(conv.split()[1:7]) == (
        f"Conv2d(28->16, 3x3, s1, p1) 16x28x3 {16 * 28 * 9 + 16:,}"
    )


def test_warning_keeps_json_clean(capsys):
    status, out, err = run(["--json", "28x28x3", "conv:16:3:1:1"], capsys)
    assert status == 0
    assert err == WARN_28X28X3
    assert json.loads(out)["input_shape"] == [28, 28, 3]


def test_warning_as_module():
    done = run_module("28x28x3", "conv:16:3:1:1")
    assert done.returncode == 0
    assert done.stderr == WARN_28X28X3
    assert done.stdout.startswith("Input: 28x28x3 (C x H x W)")


@pytest.mark.parametrize(
    ("argv", "warning"),
    [
        pytest.param(
            ["224x224x1"],
            "224x224x1 is read channels first (C=224, H=224, W=1); "
            "for a 224x224 greyscale image write 1x224x224 or pass --channels-last",
            id="grey",
        ),
        pytest.param(
            ["64x64x4"],
            "for a 64x64 RGBA image write 4x64x64",
            id="rgba",
        ),
        pytest.param(
            ["480x640x3"],
            "(C=480, H=640, W=3); for a 480x640 RGB image write 3x480x640",
            id="not-square",
        ),
        pytest.param(
            ["32x32x2"], "for a 32x32 2-channel image write 2x32x32", id="two"
        ),
        pytest.param(
            ["--channels-last", "3x28x28"],
            "input shape 3x28x28 is read channels last, as --channels-last asks "
            "(H=3, W=28, C=28); for a 28x28 RGB image write 28x28x3 "
            "or drop --channels-last",
            id="channels-last-given-chw",
        ),
        pytest.param(
            ["--channels-last", "1x28x28"],
            "for a 28x28 greyscale image write 28x28x1",
            id="channels-last-given-grey-chw",
        ),
    ],
)
def test_shapes_that_warn(argv, warning, capsys):
    status, out, err = run([*argv, "relu"], capsys)
    assert status == 0
    assert out.startswith("Input: ")
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("convbook: warning: input shape ")
    assert warning in lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["3x28x28"], id="question"),
        pytest.param(["1x28x28"], id="mnist"),
        pytest.param(["512x4x4"], id="late-feature-map"),
        pytest.param(["2048x7x7"], id="resnet-last-stage"),
        pytest.param(["256x6x6"], id="alexnet-last-stage"),
        pytest.param(["16x1x1"], id="one-pixel"),
        pytest.param(["3x3x3"], id="tiny-cube"),
        pytest.param(["1x28x3"], id="one-channel-strip"),
        pytest.param(["--channels-last", "28x28x3"], id="channels-last-rgb"),
        pytest.param(["--channels-last", "4x4x512"], id="channels-last-small"),
        pytest.param(["--channels-last", "7x7x2048"], id="channels-last-wide"),
    ],
)
def test_shapes_that_do_not_warn(argv, capsys):
    status, out, err = run([*argv, "relu"], capsys)
    assert (status, err) == (0, "")
    assert out.startswith("Input: ")


# --- nobias: a convolution without biases -------------------------------------


def test_resnet_stem_without_bias(capsys):
    argv = ["--json", "3x224x224", "conv:64:7:2:3:nobias", "relu", "maxpool:3:2:1"]
    status, out, err = run(argv, capsys)
    assert (status, err) == (0, "")
    data = json.loads(out)
    h1 = size(224, 7, 2, 3)
    h2 = size(h1, 3, 2, 1)
    assert (h1, h2) == (112, 56)  # He et al. 2016, Table 1: conv1, conv2_x
    conv = data["layers"][0]
    assert conv["name"] == "Conv2d(3->64, 7x7, s2, p3, no bias)"
    assert conv["parameters"] == 64 * 3 * 7 * 7 == 9408
    assert conv["macs"] == 64 * h1 * h1 * 3 * 7 * 7
    assert data["output_shape"] == [64, h2, h2]
    assert data["total_parameters"] == 9408


def test_resnet_stem_without_bias_table(capsys):
    status, out, err = run(["3x224x224", "conv:64:7:2:3:nobias"], capsys)
    assert (status, err) == (0, "")
    assert "Conv2d(3->64, 7x7, s2, p3, no bias)" in out
    assert "Total parameters: 9,408" in out.splitlines()


@pytest.mark.parametrize(
    ("spec", "name", "parameters"),
    [
        pytest.param("conv:16:3:nobias", "Conv2d(3->16, 3x3, s1, p0, no bias)", 432),
        pytest.param(
            "conv:16:3:1:1:NoBias", "Conv2d(3->16, 3x3, s1, p1, no bias)", 432
        ),
        pytest.param(
            "conv:16:3x5:2:same-tf:2:nobias",
            "Conv2d(3->16, 3x5, s2, same-tf, d2, no bias)",
            16 * 3 * 3 * 5,
        ),
        pytest.param("conv:16:3", "Conv2d(3->16, 3x3, s1, p0)", 16 * 3 * 9 + 16),
    ],
)
def test_nobias_spellings(spec, name, parameters, capsys):
    status, out, err = run(["--json", "3x28x28", spec], capsys)
    assert (status, err) == (0, "")
    row = json.loads(out)["layers"][0]
    assert (row["name"], row["parameters"]) == (name, parameters)


def test_nobias_keeps_macs(capsys):
    _, with_bias, _ = run(["--json", "16x28x28", "conv:32:3:1:1"], capsys)
    _, without, _ = run(["--json", "16x28x28", "conv:32:3:1:1:nobias"], capsys)
    rows = [json.loads(out)["layers"][0] for out in (with_bias, without)]
    assert [row["macs"] for row in rows] == [MACS[1], MACS[1]]
    assert [row["parameters"] for row in rows] == [PARAMS[1], PARAMS[1] - 32]


# --- every bad input: one line on stderr, status 2, no traceback -------------

ERRORS = [
    pytest.param(
        ["28x28", "conv:16:3"],
        "the input shape must be CxHxW with three positive integers, channels first "
        "(e.g. 3x28x28; for HxWxC pass --channels-last), got '28x28'",
        id="shape-two-dims",
    ),
    pytest.param(
        ["3x28x28x1", "relu"],
        "the input shape must be CxHxW with three positive integers, channels first "
        "(e.g. 3x28x28; for HxWxC pass --channels-last), got '3x28x28x1'",
        id="shape-four-dims",
    ),
    pytest.param(
        ["3x0x28", "relu"],
        "the input shape must be CxHxW with three positive integers, channels first "
        "(e.g. 3x28x28; for HxWxC pass --channels-last), got '3x0x28'",
        id="shape-zero",
    ),
    pytest.param(
        ["3,28,28", "relu"],
        "the input shape must be CxHxW with three positive integers, channels first "
        "(e.g. 3x28x28; for HxWxC pass --channels-last), got '3,28,28'",
        id="shape-commas",
    ),
    pytest.param(
        ["3x²x3", "relu"],
        "the input shape must be CxHxW with three positive integers, channels first "
        "(e.g. 3x28x28; for HxWxC pass --channels-last), got '3x²x3'",
        id="shape-unicode-digit",
    ),
    pytest.param(
        [],
        "give an input shape and at least one layer, e.g. 3x28x28 conv:16:3:1:1 relu "
        "conv:32:3:1:1 relu",
        id="nothing",
    ),
    pytest.param(
        ["3x28x28"],
        "give at least one layer after the input shape "
        "(conv:OUT:K[:S[:P[:D]]][:nobias], relu, maxpool:K[:S[:P]] or "
        "avgpool:K[:S[:P]])",
        id="no-layers",
    ),
    pytest.param(
        ["3x28x28", "conv:16"],
        "layer 1: in 'conv:16': expected conv:OUT:K[:S[:P[:D]]][:nobias], got 1 "
        "field(s) after 'conv'",
        id="conv-too-few-fields",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:1:1:1"],
        "layer 1: in 'conv:16:3:1:1:1:1': expected conv:OUT:K[:S[:P[:D]]][:nobias], "
        "got 6 field(s) after 'conv'",
        id="conv-too-many-fields",
    ),
    pytest.param(
        ["3x28x28", "relu", "conv:x:3"],
        "layer 2: in 'conv:x:3': OUT must be a positive integer, got 'x'",
        id="conv-bad-out",
    ),
    pytest.param(
        ["3x28x28", "conv:16:0"],
        "layer 1: in 'conv:16:0': K must be a positive integer or HxW, got '0'",
        id="conv-zero-kernel",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:-1"],
        "layer 1: in 'conv:16:3:1:-1': P must be an integer >= 0 or HxW, got '-1'",
        id="conv-negative-padding",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:full"],
        "layer 1 'conv:16:3:1:full': `padding` must be an integer, a pair (ph, pw), "
        "a pair of pairs ((top, bottom), (left, right)), 'valid', 'same' or "
        "'same-tf', got 'full'",
        id="conv-unknown-padding-word",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:2:same"],
        "layer 1 'conv:16:3:2:same': `padding`='same' is PyTorch's rule, defined for "
        "stride 1 only, got `stride` 2 along the height; use 'same-tf' for "
        "TensorFlow's rule at any stride",
        id="conv-same-with-stride",
    ),
    pytest.param(
        ["3x1000000000000000000000x28", "conv:16:3"],
        "`input_shape[1]` must be at most 1048576 (2**20; no real network comes near "
        "it), got 1000000000000000000000",
        id="sanity-limit",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1.5"],
        "layer 1: in 'conv:16:3:1.5': S must be a positive integer or HxW, got '1.5'",
        id="conv-float-stride",
    ),
    pytest.param(
        ["3x28x28", "pool:2"],
        "layer 1: unknown layer 'pool:2'; expected conv:OUT:K[:S[:P[:D]]][:nobias], "
        "relu, maxpool:K[:S[:P]] or avgpool:K[:S[:P]]",
        id="unknown-layer",
    ),
    pytest.param(
        ["3x28x28", "relu:1"],
        "layer 1: in 'relu:1': relu takes no fields (write plain 'relu'), got 1 "
        "field(s) after 'relu'",
        id="relu-with-fields",
    ),
    pytest.param(
        ["3x28x28", "maxpool"],
        "layer 1: in 'maxpool': expected maxpool:K[:S[:P]], got 0 field(s) after "
        "'maxpool'",
        id="pool-without-kernel",
    ),
    pytest.param(
        ["3x28x28", "maxpool:3:1:2"],
        "layer 1 'maxpool:3:1:2': `padding` must be at most half of `kernel_size` "
        "(PyTorch's rule for pooling), got padding (2, 2) for kernel_size (3, 3)",
        id="pool-padding-too-big",
    ),
    pytest.param(
        ["3x5x5", "conv:4:7"],
        "layer 1 Conv2d(3->4, 7x7, s1, p0): along the height, the dilated kernel "
        "spans 7 pixels (`kernel_size` 7, `dilation` 1) but the padded input has "
        "only 5 (`size` 5 plus `padding` 0+0); the kernel must fit inside the padded "
        "input",
        id="kernel-bigger-than-input",
    ),
    pytest.param(
        ["3x8x8", "conv:4:3", "conv:4:3", "conv:4:3", "conv:4:3"],
        "layer 4 Conv2d(4->4, 3x3, s1, p0): along the height, the dilated kernel "
        "spans 3 pixels (`kernel_size` 3, `dilation` 1) but the padded input has "
        "only 2 (`size` 2 plus `padding` 0+0); the kernel must fit inside the padded "
        "input",
        id="shrinks-to-nothing",
    ),
    pytest.param(
        ["--batch", "0", "--example"],
        "--batch must be a positive integer, got 0",
        id="batch-zero",
    ),
    pytest.param(
        ["--batch", "x", "--example"],
        "argument --batch: invalid int value: 'x' (see convbook --help)",
        id="batch-not-a-number",
    ),
    pytest.param(
        ["--example", "3x28x28"],
        "--example prints its own network and takes no input shape or layers, got "
        "'3x28x28'",
        id="example-with-layers",
    ),
    pytest.param(
        ["--channels-last", "28x28", "relu"],
        "with --channels-last the input shape must be HxWxC with three positive "
        "integers (e.g. 28x28x3), got '28x28'",
        id="channels-last-two-dims",
    ),
    pytest.param(
        ["--channels-last", "28x28x0", "relu"],
        "with --channels-last the input shape must be HxWxC with three positive "
        "integers (e.g. 28x28x3), got '28x28x0'",
        id="channels-last-zero",
    ),
    pytest.param(
        ["--example", "--channels-last"],
        "--example takes no --channels-last: its input 3x28x28 is written channels "
        "first",
        id="example-with-channels-last",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:nobias:1"],
        "layer 1: in 'conv:16:3:nobias:1': nobias must be the last field "
        "(conv:OUT:K[:S[:P[:D]]][:nobias])",
        id="nobias-not-last",
    ),
    pytest.param(
        ["3x28x28", "conv:16:nobias"],
        "layer 1: in 'conv:16:nobias': expected conv:OUT:K[:S[:P[:D]]][:nobias], got "
        "1 field(s) between 'conv' and 'nobias'",
        id="nobias-without-kernel",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:1:1:1:nobias"],
        "layer 1: in 'conv:16:3:1:1:1:1:nobias': expected "
        "conv:OUT:K[:S[:P[:D]]][:nobias], got 6 field(s) between 'conv' and 'nobias'",
        id="nobias-too-many-fields",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:nobias:nobias"],
        "layer 1: in 'conv:16:3:nobias:nobias': nobias must be the last field "
        "(conv:OUT:K[:S[:P[:D]]][:nobias])",
        id="nobias-twice",
    ),
    pytest.param(
        ["3x28x28", "maxpool:2:nobias"],
        "layer 1: in 'maxpool:2:nobias': maxpool has no bias to drop; nobias is for "
        "conv",
        id="pool-nobias",
    ),
    pytest.param(
        ["3x28x28", "relu:nobias"],
        "layer 1: in 'relu:nobias': relu takes no fields (write plain 'relu'), got 1 "
        "field(s) after 'relu'",
        id="relu-nobias",
    ),
    pytest.param(
        ["28x28x3", "conv:16:5"],
        "layer 1 Conv2d(28->16, 5x5, s1, p0): along the width, the dilated kernel "
        "spans 5 pixels (`kernel_size` 5, `dilation` 1) but the padded input has "
        "only 3 (`size` 3 plus `padding` 0+0); the kernel must fit inside the padded "
        "input; note: input shape 28x28x3 is read channels first (C=28, H=28, W=3); "
        "for a 28x28 RGB image write 3x28x28 or pass --channels-last",
        id="misread-shape-named-in-error",
    ),
    pytest.param(
        ["28x28x3", "conv:16:x"],
        "layer 1: in 'conv:16:x': K must be a positive integer or HxW, got 'x'; "
        "note: input shape 28x28x3 is read channels first (C=28, H=28, W=3); for a "
        "28x28 RGB image write 3x28x28 or pass --channels-last",
        id="misread-shape-with-spec-error",
    ),
    pytest.param(
        ["--frobnicate", "--example"],
        "unrecognized arguments: --frobnicate (see convbook --help)",
        id="unknown-option",
    ),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS)
def test_errors_in_process(argv, message, capsys):
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines == [f"convbook: error: {message}"]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["28x28", "conv:16:3"], id="bad-shape"),
        pytest.param(["3x28x28", "conv:16"], id="bad-spec"),
        pytest.param(["3x5x5", "conv:4:7"], id="package-error"),
        pytest.param(["28x28x3", "conv:4:7"], id="package-error-with-note"),
        pytest.param(["3x28x28", "conv:4:3:nobias:1"], id="nobias-error"),
        pytest.param(["--batch", "x", "--example"], id="argparse-error"),
    ],
)
def test_errors_as_module(argv, capsys):
    done = run_module(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    _, _, err = run(argv, capsys)
    assert err.startswith("convbook: error: ")
    assert done.stderr == err  # the whole message, as the in-process run gives it
