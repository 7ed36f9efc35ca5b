"""The ``convbook`` command: the layer table of a network given on one line.

Usage::

    convbook 3x28x28 conv:16:3:1:1 relu conv:32:3:1:1 relu

prints, for each layer, its output shape, parameters, multiply-accumulates,
activation memory and receptive field (see
:func:`convbook.summarize <convbook.summary.summarize>`). ``--json`` prints
the same as JSON. ``python -m convbook`` runs the same command.

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

_LAYER_FORMS = "conv:OUT:K[:S[:P[:D]]], relu, maxpool:K[:S[:P]] or avgpool:K[:S[:P]]"

_DESCRIPTION = """\
Print the layer-by-layer table of a convolutional network: output shape,
parameters, multiply-accumulates (MACs), activation memory and receptive field
of every layer.

The input shape is CxHxW, channels first as in PyTorch (e.g. 3x28x28 for a
28x28 RGB image); HxWxC is not accepted. Each layer is one word:

  conv:OUT:K[:S[:P[:D]]]  convolution with OUT filters of size K, stride S
                          (default 1), padding P (default 0; an integer,
                          'same' or 'valid') and dilation D (default 1)
  relu                    rectified linear unit
  maxpool:K[:S[:P]]       max pooling, window K, stride S (default K)
  avgpool:K[:S[:P]]       average pooling, window K, stride S (default K)

K, S, P and D may also be HxW pairs, e.g. conv:8:3x5:1:1x2.
"""

_EPILOG = (
    f"example (the network of the book's question):\n  convbook {' '.join(EXAMPLE)}"
)


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
        metavar="CxHxW",
        help="input shape, channels first, e.g. 3x28x28",
    )
    parser.add_argument(
        "layers", nargs="*", metavar="LAYER", help="layers in order, e.g. conv:16:3:1:1"
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


def _parse_input_shape(text: str) -> tuple[int, int, int]:
    parts = text.split("x")
    if len(parts) != 3 or not all(_is_count(part) and int(part) > 0 for part in parts):
        raise _UsageError(
            "the input shape must be CxHxW with three positive integers, "
            f"channels first (e.g. 3x28x28), got {text!r}"
        )
    channels, height, width = (int(part) for part in parts)
    return channels, height, width


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


def _parse_layer(spec: str, channels: int) -> Any:
    """Turn one layer word into a layer object taking ``channels`` inputs."""
    name, *fields = spec.split(":")
    kind = name.lower()
    if kind == "relu":
        if fields:
            raise _UsageError(f"in {spec!r}: relu takes no fields")
        return ReLU()
    if kind == "conv":
        if not 2 <= len(fields) <= 5:
            raise _UsageError(
                f"in {spec!r}: expected conv:OUT:K[:S[:P[:D]]], "
                f"got {len(fields)} field(s) after 'conv'"
            )
        if not (_is_count(fields[0]) and int(fields[0]) > 0):
            raise _UsageError(
                f"in {spec!r}: OUT must be a positive integer, got {fields[0]!r}"
            )
        out_channels = int(fields[0])
        kernel = _parse_number(spec, "K", fields[1], minimum=1)
        stride = (
            _parse_number(spec, "S", fields[2], minimum=1) if len(fields) > 2 else 1
        )
        padding: Any = 0
        if len(fields) > 3:
            text = fields[3].lower()
            padding = (
                text
                if text in ("same", "valid")
                else _parse_number(spec, "P", fields[3], minimum=0)
            )
        dilation = (
            _parse_number(spec, "D", fields[4], minimum=1) if len(fields) > 4 else 1
        )
        return Conv2d(channels, out_channels, kernel, stride, padding, dilation)
    if kind in ("maxpool", "avgpool"):
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


def _run(argv: Sequence[str]) -> str:
    """Parse ``argv`` and return the text to print."""
    args = _build_parser().parse_intermixed_args(argv)
    words = [args.input_shape, *args.layers] if args.input_shape else []
    if args.example:
        if words:
            raise _UsageError("--example takes no input shape or layers")
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
    shape = _parse_input_shape(words[0])
    layers = []
    channels = shape[0]
    for number, spec in enumerate(words[1:], start=1):
        try:
            layer = _parse_layer(spec, channels)
        except _UsageError as error:
            raise _UsageError(f"layer {number}: {error}") from None
        except (TypeError, ValueError) as error:
            raise _UsageError(f"layer {number} {spec!r}: {error}") from None
        if isinstance(layer, Conv2d):
            channels = layer.out_channels
        layers.append(layer)
    summary = summarize(shape, layers, batch=args.batch)
    return summary.to_json() if args.json else summary.to_text()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``convbook`` command and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 2 for any mistake in the arguments (after printing one
        line ``convbook: error: ...`` on standard error).

    Examples
    --------
    A layer without a kernel size is refused; the message goes to standard
    error and the status is 2:

    >>> from convbook.cli import main
    >>> main(["3x28x28", "conv:16"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        text = _run(argv)
    except SystemExit as done:  # --help and --version end here
        return done.code if isinstance(done.code, int) else 0
    except (_UsageError, TypeError, ValueError) as error:
        message = " ".join(str(error).split())  # always one line
        print(f"convbook: error: {message}", file=sys.stderr)
        return 2
    try:
        print(text, flush=True)
    except BrokenPipeError:  # e.g. `convbook ... | head`: the reader has gone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # keep the exit flush quiet
        return 1
    return 0
