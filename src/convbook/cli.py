"""The ``convbook`` command: the layer table of a network given on one line.

Usage::

    convbook [--json] [--batch N] [--channels-last] SHAPE LAYER [LAYER ...]
    convbook 3x28x28 conv:16:3:1:1 relu conv:32:3:1:1 relu

prints, for each layer, its output shape, parameters, multiply-accumulates,
activation memory and receptive field (see
:func:`convbook.summarize <convbook.summary.summarize>`). ``--json`` prints
the same as JSON. ``python -m convbook`` runs the same command.

The input shape ``SHAPE`` is ``CxHxW``, channels first as in PyTorch;
with ``--channels-last`` it is ``HxWxC``, the order of many texts and of
TensorFlow, and is turned into ``CxHxW`` before anything is counted.
Each layer is one word, fields separated by colons:

``conv:OUT:K[:S[:P[:D]]][:nobias]``
    ``OUT`` filters of size ``K``, stride ``S`` (default 1), padding ``P``
    (default 0; an integer, ``valid``, ``same`` -- PyTorch's rule, stride 1
    only -- or ``same-tf``, TensorFlow's rule at any stride), dilation ``D``
    (default 1). A final field ``nobias`` drops the ``OUT`` biases, as ``bias=False``
    in PyTorch: ``conv:64:7:2:3:nobias`` is ResNet's first layer.
``relu``
    The rectified linear unit.
``maxpool:K[:S[:P]]``, ``avgpool:K[:S[:P]]``
    Pooling with window ``K``, stride ``S`` (default ``K``), padding ``P``.

``K``, ``S``, ``P`` and ``D`` may also be ``HxW`` pairs, e.g. ``3x5``.

A shape such as ``28x28x3`` is read as written, channels first (28 channels
of a 28 x 3 image), but it looks like height x width x channels, so the
command warns on standard error, ``convbook: warning: ...``, and carries on.
The rule: the last number is at most 4 (the channels of a grey, RGB or RGBA
image), the middle one is larger than 4 and the first is larger than the
last. With ``--channels-last`` the mirror rule warns about ``3x28x28``.

Every mistake in the arguments ends the program with one line on standard
error, ``convbook: error: ...``, and exit status 2 (the convention of
:mod:`argparse`); never with a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .layers import AvgPool2d, Conv2d, MaxPool2d, ReLU
from .summary import summarize

__all__ = ["main"]

EXAMPLE = ["3x28x28", "conv:16:3:1:1", "relu", "conv:32:3:1:1", "relu"]

_CONV_FORM = "conv:OUT:K[:S[:P[:D]]][:nobias]"

_LAYER_FORMS = f"{_CONV_FORM}, relu, maxpool:K[:S[:P]] or avgpool:K[:S[:P]]"

_MAX_CHANNELS_HINT = 4  # grey, grey + alpha, RGB, RGBA

_IMAGE_KINDS = {1: "greyscale", 3: "RGB", 4: "RGBA"}

_DESCRIPTION = f"""\
Print the layer-by-layer table of a convolutional network: output shape,
parameters, multiply-accumulates (MACs), activation memory and receptive field
of every layer.

The input shape is CxHxW, channels first as in PyTorch (e.g. 3x28x28 for a
28x28 RGB image). With --channels-last it is HxWxC instead (e.g. 28x28x3),
the order of many texts and of TensorFlow. Without the flag a shape that
looks like HxWxC (last number at most 4, e.g. 28x28x3) is still read channels
first, with a warning on standard error. Each layer is one word:

  {_CONV_FORM}
                          convolution with OUT filters of size K, stride S
                          (default 1), padding P (default 0; an integer,
                          'valid', 'same' = PyTorch's rule, stride 1 only,
                          or 'same-tf' = TensorFlow's rule, any stride) and
                          dilation D (default 1); a
                          final field nobias drops the biases (bias=False
                          in PyTorch), e.g. conv:64:7:2:3:nobias
  relu                    rectified linear unit
  maxpool:K[:S[:P]]       max pooling, window K, stride S (default K)
  avgpool:K[:S[:P]]       average pooling, window K, stride S (default K)

K, S, P and D may also be HxW pairs, e.g. conv:8:3x5:1:1x2.
"""

_EPILOG = f"""\
examples:
  convbook {" ".join(EXAMPLE)}
      the network of the book's question (the same as convbook --example)
  convbook --channels-last 28x28x3 conv:16:3:1:1 relu
      its first layer, with the input written height x width x channels
  convbook 3x224x224 conv:64:7:2:3:nobias relu maxpool:3:2:1
      the stem of ResNet-50: a 7x7 convolution without biases, then pooling
  convbook --json --batch 64 3x28x28 conv:16:3:1:1
      JSON, with the MACs and the memory of a batch of 64 images
"""


class _UsageError(Exception):
    """A mistake in the command line; its message is printed as is."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and do not exit."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see convbook --help)")


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="convbook",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "input_shape",
        nargs="?",
        metavar="SHAPE",
        help="input shape CxHxW, channels first, e.g. 3x28x28 "
        "(HxWxC with --channels-last)",
    )
    parser.add_argument(
        "layers", nargs="*", metavar="LAYER", help="layers in order, e.g. conv:16:3:1:1"
    )
    parser.add_argument(
        "--channels-last",
        action="store_true",
        help="read the input shape as HxWxC, e.g. 28x28x3 (default: CxHxW)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON instead of a table"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=1,
        metavar="N",
        help="samples per batch; scales MACs and memory (default 1)",
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="use the network of the book's question: " + " ".join(EXAMPLE),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    return parser


def _is_count(text: str) -> bool:
    """Whether ``text`` is a plain decimal integer such as ``'28'``."""
    return text.isascii() and text.isdigit()


def _parse_input_shape(
    text: str, *, channels_last: bool = False
) -> tuple[int, int, int]:
    """Return ``(C, H, W)`` from ``'CxHxW'``, or from ``'HxWxC'`` when asked."""
    parts = text.split("x")
    if len(parts) != 3 or not all(_is_count(part) and int(part) > 0 for part in parts):
        if channels_last:
            raise _UsageError(
                "with --channels-last the input shape must be HxWxC with three "
                f"positive integers (e.g. 28x28x3), got {text!r}"
            )
        raise _UsageError(
            "the input shape must be CxHxW with three positive integers, "
            "channels first (e.g. 3x28x28; for HxWxC pass --channels-last), "
            f"got {text!r}"
        )
    first, second, third = (int(part) for part in parts)
    if channels_last:
        return third, first, second
    return first, second, third


def _image_kind(channels: int) -> str:
    """Name an image by its channels: ``'RGB'`` for 3, ``'2-channel'`` for 2."""
    return _IMAGE_KINDS.get(channels, f"{channels}-channel")


def _layout_hint(text: str, *, channels_last: bool) -> str | None:
    """Say how ``text`` is read if it looks written in the other order.

    Channels first, ``AxBxC`` looks like height x width x channels when
    ``C <= 4 < B`` and ``A > C`` (``28x28x3``); with ``--channels-last`` the
    mirror rule, ``A <= 4 < B`` and ``C > A``, catches ``3x28x28``. Returns
    ``None`` when the shape looks right (``3x28x28``, ``512x4x4``, ...).
    """
    first, second, third = (int(part) for part in text.split("x"))
    if not channels_last:
        if third <= _MAX_CHANNELS_HINT < second and first > third:
            return (
                f"input shape {text} is read channels first (C={first}, "
                f"H={second}, W={third}); for a {first}x{second} "
                f"{_image_kind(third)} image write {third}x{first}x{second} "
                "or pass --channels-last"
            )
        return None
    if first <= _MAX_CHANNELS_HINT < second and third > first:
        return (
            f"input shape {text} is read channels last, as --channels-last "
            f"asks (H={first}, W={second}, C={third}); for a {second}x{third} "
            f"{_image_kind(first)} image write {second}x{third}x{first} "
            "or drop --channels-last"
        )
    return None


def _parse_number(
    spec: str, what: str, text: str, *, minimum: int
) -> int | tuple[int, int]:
    """Parse ``'3'`` as 3 and ``'3x5'`` as (3, 5); both at least ``minimum``."""
    parts = text.split("x")
    if len(parts) in (1, 2) and all(_is_count(part) for part in parts):
        numbers = [int(part) for part in parts]
        if min(numbers) >= minimum:
            return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])
    allowed = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    raise _UsageError(f"in {spec!r}: {what} must be {allowed} or HxW, got {text!r}")


def _parse_conv(spec: str, fields: list[str], channels: int) -> Conv2d:
    """Build the layer of ``conv:OUT:K[:S[:P[:D]]][:nobias]``."""
    flags = [field.lower() == "nobias" for field in fields]
    bias = not (flags and flags[-1])
    if not bias:
        fields = fields[:-1]
    if any(flags[: len(fields)]):
        raise _UsageError(f"in {spec!r}: nobias must be the last field ({_CONV_FORM})")
    if not 2 <= len(fields) <= 5:
        where = "after 'conv'" if bias else "between 'conv' and 'nobias'"
        raise _UsageError(
            f"in {spec!r}: expected {_CONV_FORM}, got {len(fields)} field(s) {where}"
        )
    if not (_is_count(fields[0]) and int(fields[0]) > 0):
        raise _UsageError(
            f"in {spec!r}: OUT must be a positive integer, got {fields[0]!r}"
        )
    out_channels = int(fields[0])
    kernel = _parse_number(spec, "K", fields[1], minimum=1)
    stride = _parse_number(spec, "S", fields[2], minimum=1) if len(fields) > 2 else 1
    padding: Any = 0
    if len(fields) > 3:
        text = fields[3]
        # a name goes to the package as written: one rule, one message
        is_name = text.replace("-", "").isalpha() and text.lower() != "x"
        padding = text if is_name else _parse_number(spec, "P", text, minimum=0)
    dilation = _parse_number(spec, "D", fields[4], minimum=1) if len(fields) > 4 else 1
    return Conv2d(channels, out_channels, kernel, stride, padding, dilation, bias=bias)


def _parse_layer(spec: str, channels: int) -> Any:
    """Turn one layer word into a layer object taking ``channels`` inputs."""
    name, *fields = spec.split(":")
    kind = name.lower()
    if kind == "relu":
        if fields:
            raise _UsageError(
                f"in {spec!r}: relu takes no fields (write plain 'relu'), "
                f"got {len(fields)} field(s) after 'relu'"
            )
        return ReLU()
    if kind == "conv":
        return _parse_conv(spec, fields, channels)
    if kind in ("maxpool", "avgpool"):
        if any(field.lower() == "nobias" for field in fields):
            raise _UsageError(
                f"in {spec!r}: {kind} has no bias to drop; nobias is for conv"
            )
        if not 1 <= len(fields) <= 3:
            raise _UsageError(
                f"in {spec!r}: expected {kind}:K[:S[:P]], "
                f"got {len(fields)} field(s) after {kind!r}"
            )
        kernel = _parse_number(spec, "K", fields[0], minimum=1)
        stride = (
            _parse_number(spec, "S", fields[1], minimum=1) if len(fields) > 1 else None
        )
        padding = (
            _parse_number(spec, "P", fields[2], minimum=0) if len(fields) > 2 else 0
        )
        pool = MaxPool2d if kind == "maxpool" else AvgPool2d
        return pool(kernel, stride, padding)
    raise _UsageError(f"unknown layer {spec!r}; expected {_LAYER_FORMS}")


def _parse_layers(words: Sequence[str], channels: int) -> list[Any]:
    """Turn the layer words into layers, chaining the channel counts."""
    layers = []
    for number, spec in enumerate(words, start=1):
        try:
            layer = _parse_layer(spec, channels)
        except _UsageError as error:
            raise _UsageError(f"layer {number}: {error}") from None
        except (TypeError, ValueError) as error:
            raise _UsageError(f"layer {number} {spec!r}: {error}") from None
        if isinstance(layer, Conv2d):
            channels = layer.out_channels
        layers.append(layer)
    return layers


def _run(argv: Sequence[str]) -> tuple[str, list[str]]:
    """Parse ``argv``; return the text to print and the warnings to give."""
    args = _build_parser().parse_intermixed_args(argv)
    words = [args.input_shape, *args.layers] if args.input_shape else []
    if args.example:
        if words:
            raise _UsageError(
                "--example prints its own network and takes no input shape or "
                f"layers, got {' '.join(words)!r}"
            )
        if args.channels_last:
            raise _UsageError(
                "--example takes no --channels-last: its input "
                f"{EXAMPLE[0]} is written channels first"
            )
        words = EXAMPLE
    if not words:
        raise _UsageError(
            "give an input shape and at least one layer, e.g. " + " ".join(EXAMPLE)
        )
    if len(words) == 1:
        raise _UsageError(
            f"give at least one layer after the input shape ({_LAYER_FORMS})"
        )
    if args.batch < 1:
        raise _UsageError(f"--batch must be a positive integer, got {args.batch}")
    shape = _parse_input_shape(words[0], channels_last=args.channels_last)
    hint = _layout_hint(words[0], channels_last=args.channels_last)
    try:
        layers = _parse_layers(words[1:], shape[0])
        # the package checks the arguments; its refusals are usage errors
        try:
            summary = summarize(shape, layers, batch=args.batch)
        except (TypeError, ValueError) as error:
            raise _UsageError(str(error)) from None
    except _UsageError as error:
        if hint is None:
            raise
        # The misread shape is the likely cause: say so on the same line.
        raise _UsageError(f"{error}; note: {hint}") from None
    text = summary.to_json() if args.json else summary.to_text()
    return text, [] if hint is None else [hint]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``convbook`` command and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success (after printing the table, and one line
        ``convbook: warning: ...`` on standard error for an input shape that
        looks written in the other order), 2 for any mistake in the arguments
        (after printing one line ``convbook: error: ...`` on standard error).

    Examples
    --------
    ResNet-50's first layer has no biases, only its 64 x 3 x 7 x 7 weights:

    >>> from convbook.cli import main
    >>> main(["3x224x224", "conv:64:7:2:3:nobias"])  # doctest: +ELLIPSIS
    Input: 3x224x224 (C x H x W), batch 1
    ...
    Total parameters: 9,408
    ...
    0

    A layer without a kernel size is refused; the message goes to standard
    error and the status is 2:

    >>> main(["3x28x28", "conv:16"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        text, warnings = _run(argv)
    except SystemExit as done:  # --help and --version end here
        return done.code if isinstance(done.code, int) else 0
    except _UsageError as error:  # anything else is a bug: let it show
        message = " ".join(str(error).split())  # always one line
        print(f"convbook: error: {message}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"convbook: warning: {' '.join(warning.split())}", file=sys.stderr)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # e.g. `convbook ... | head`: the reader has gone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # keep the exit flush quiet
        return 1
    return 0
