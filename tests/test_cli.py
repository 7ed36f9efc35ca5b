"""Tests for the ``convbook`` command (convbook.cli and ``python -m convbook``).

The expected numbers are computed here from the defining formulas, not read
from the package: parameters K*C*F*F + K, MACs K*H_out*W_out*C*F*F and the
output size floor((H + 2P - F) / S) + 1.
"""

from __future__ import annotations

import json
import re
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
    assert "channels first" in out
    assert "HxWxC is not accepted" in out
    assert "conv:OUT:K[:S[:P[:D]]]" in out


# --- every bad input: one line on stderr, status 2, no traceback -------------

ERRORS = [
    pytest.param(
        ["28x28", "conv:16:3"],
        r"the input shape must be CxHxW with three positive integers, channels "
        r"first \(e\.g\. 3x28x28\), got '28x28'",
        id="shape-two-dims",
    ),
    pytest.param(
        ["3x28x28x1", "relu"],
        r"the input shape must be CxHxW .* got '3x28x28x1'",
        id="shape-four-dims",
    ),
    pytest.param(
        ["3x0x28", "relu"], r"three positive integers.* got '3x0x28'", id="shape-zero"
    ),
    pytest.param(
        ["3,28,28", "relu"], r"must be CxHxW .* got '3,28,28'", id="shape-commas"
    ),
    pytest.param(
        ["3x²x3", "relu"], r"must be CxHxW .* got '3x²x3'", id="shape-unicode-digit"
    ),
    pytest.param(
        [],
        r"give an input shape and at least one layer, e\.g\. 3x28x28 conv:16:3:1:1",
        id="nothing",
    ),
    pytest.param(
        ["3x28x28"],
        r"give at least one layer after the input shape \(conv:OUT:K",
        id="no-layers",
    ),
    pytest.param(
        ["3x28x28", "conv:16"],
        r"layer 1: in 'conv:16': expected conv:OUT:K\[:S\[:P\[:D\]\]\], "
        r"got 1 field\(s\) after 'conv'",
        id="conv-too-few-fields",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:1:1:1"],
        r"layer 1: in 'conv:16:3:1:1:1:1': expected .* got 6 field\(s\)",
        id="conv-too-many-fields",
    ),
    pytest.param(
        ["3x28x28", "relu", "conv:x:3"],
        r"layer 2: in 'conv:x:3': OUT must be a positive integer, got 'x'",
        id="conv-bad-out",
    ),
    pytest.param(
        ["3x28x28", "conv:16:0"],
        r"layer 1: in 'conv:16:0': K must be a positive integer or HxW, got '0'",
        id="conv-zero-kernel",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:-1"],
        r"layer 1: in 'conv:16:3:1:-1': P must be an integer >= 0 or HxW, got '-1'",
        id="conv-negative-padding",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1:full"],
        r"P must be an integer >= 0 or HxW, got 'full'",
        id="conv-unknown-padding-word",
    ),
    pytest.param(
        ["3x28x28", "conv:16:3:1.5"],
        r"S must be a positive integer or HxW, got '1\.5'",
        id="conv-float-stride",
    ),
    pytest.param(
        ["3x28x28", "pool:2"],
        r"layer 1: unknown layer 'pool:2'; expected conv:OUT:K\[:S\[:P\[:D\]\]\], "
        r"relu, maxpool:K\[:S\[:P\]\] or avgpool:K\[:S\[:P\]\]",
        id="unknown-layer",
    ),
    pytest.param(
        ["3x28x28", "relu:1"],
        r"layer 1: in 'relu:1': relu takes no fields",
        id="relu-with-fields",
    ),
    pytest.param(
        ["3x28x28", "maxpool"],
        r"in 'maxpool': expected maxpool:K\[:S\[:P\]\], got 0 field\(s\)",
        id="pool-without-kernel",
    ),
    pytest.param(
        ["3x28x28", "maxpool:3:1:2"],
        r"layer 1 'maxpool:3:1:2': `padding` must be at most half of `kernel_size`",
        id="pool-padding-too-big",
    ),
    pytest.param(
        ["3x5x5", "conv:4:7"],
        r"layer 1 Conv2d\(3->4, 7x7, s1, p0\): the kernel spans 7 pixels",
        id="kernel-bigger-than-input",
    ),
    pytest.param(
        ["3x8x8", "conv:4:3", "conv:4:3", "conv:4:3", "conv:4:3"],
        r"layer 4 Conv2d\(4->4, 3x3, s1, p0\): the kernel spans 3 pixels .* "
        r"has only 2",
        id="shrinks-to-nothing",
    ),
    pytest.param(
        ["--batch", "0", "--example"],
        r"--batch must be a positive integer, got 0",
        id="batch-zero",
    ),
    pytest.param(
        ["--batch", "x", "--example"],
        r"argument --batch: invalid int value: 'x' \(see convbook --help\)",
        id="batch-not-a-number",
    ),
    pytest.param(
        ["--example", "3x28x28"],
        r"--example takes no input shape or layers",
        id="example-with-layers",
    ),
    pytest.param(
        ["--frobnicate", "--example"],
        r"unrecognized arguments: --frobnicate \(see convbook --help\)",
        id="unknown-option",
    ),
]


@pytest.mark.parametrize(("argv", "match"), ERRORS)
def test_errors_in_process(argv, match, capsys):
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("convbook: error: ")
    assert "Traceback" not in err
    assert re.search(match, lines[0]), lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["28x28", "conv:16:3"], id="bad-shape"),
        pytest.param(["3x28x28", "conv:16"], id="bad-spec"),
        pytest.param(["3x5x5", "conv:4:7"], id="package-error"),
        pytest.param(["--batch", "x", "--example"], id="argparse-error"),
    ],
)
def test_errors_as_module(argv):
    done = run_module(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("convbook: error: ")
    assert "Traceback" not in done.stderr
