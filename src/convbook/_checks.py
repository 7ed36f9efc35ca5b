"""Validation of the public functions' arguments.

Every public function of :mod:`convbook` checks its arguments here, at its
boundary, so that a reader who passes something wrong gets one sentence that
names the parameter, what it received and what is allowed -- never a numpy
traceback from deep inside an index expression.

Messages follow one pattern: "`name` must be ..., got ...". Values are shown
with :func:`repr` so that ``3`` and ``'3'`` are told apart.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__: list[str] = []  # private module: nothing here is public


#: The largest size, stride, padding or channel count any function accepts.
#: Real networks stay far below it; beyond it a size is almost surely a
#: mistake, and the answer would be a number with dozens of digits.
MAX_SIZE = 2**20


def show(value: Any) -> str:
    """Return a short, unambiguous rendering of ``value`` for a message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_type(name: str, value: Any, kinds: Any, allowed: str) -> Any:
    """Return ``value`` if it is an instance of ``kinds``; ``allowed`` says what."""
    if not isinstance(value, kinds):
        raise TypeError(
            f"`{name}` must be {allowed}, got {show(value)} "
            f"of type {type(value).__name__}"
        )
    return value


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = MAX_SIZE,
) -> int:
    """Return ``value`` as a Python ``int`` or raise a clear error.

    ``bool`` is refused (``True`` is not a size), and so is a float, even an
    integral one, because a float size almost always hides a bug. numpy
    integer scalars and 0-d integer arrays are accepted. Values above
    ``maximum`` (by default :data:`MAX_SIZE`) are refused.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer, got {show(value)} "
            f"of type {type(value).__name__}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        allowed = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"`{name}` must be {allowed}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(
            f"`{name}` must be at most {maximum} (2**{maximum.bit_length() - 1}; "
            f"no real network comes near it), got {value}"
        )
    return value


def check_pair(name: str, value: Any, *, minimum: int | None = None) -> tuple[int, int]:
    """Return an int-or-pair argument (``stride``, ``dilation``, ...) as a pair."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        value = value.tolist()
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` must be an integer or a pair (height, width), "
                f"got {show(value)} with {len(value)} elements"
            )
        return (
            check_int(f"{name}[0]", value[0], minimum=minimum),
            check_int(f"{name}[1]", value[1], minimum=minimum),
        )
    return (check_int(name, value, minimum=minimum),) * 2


def check_array(
    name: str,
    value: Any,
    *,
    ndim: int | Sequence[int] | None,
    layout: str,
) -> np.ndarray:
    """Return ``value`` as a numeric ndarray with an allowed number of dims.

    ``layout`` describes the expected axes in words, e.g. ``"(N, C, H, W)"``;
    it is quoted in the message so that the reader sees what was meant.
    ``ndim=None`` accepts any number of dimensions.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"`{name}` must be a numeric array {layout}, got {show(value)} "
            f"which numpy cannot turn into an array ({error})"
        ) from None
    if array.dtype == np.bool_ or not (
        np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(
            f"`{name}` must be a numeric (integer or floating) array {layout}, "
            f"got dtype {array.dtype}"
        )
    if ndim is None:
        return array
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if array.ndim not in allowed:
        dims = " or ".join(str(d) for d in allowed)
        noun = "dimension" if allowed == (1,) else "dimensions"
        raise ValueError(
            f"`{name}` must have {dims} {noun} {layout}, "
            f"got {array.ndim} (shape {array.shape})"
        )
    return array


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {options}, got {show(value)}")
    return value


def check_bias_array(bias: Any, out_channels: int) -> np.ndarray | None:
    """Return ``bias`` as a 1-D array of ``out_channels`` numbers, or None."""
    if bias is None:
        return None
    array = check_array("bias", bias, ndim=1, layout="(out_channels,)")
    if array.shape[0] != out_channels:
        raise ValueError(
            f"`bias` has {array.shape[0]} elements but `weight` has "
            f"{out_channels} output channels; they must match (bias is (out,))"
        )
    return array


def check_positive(name: str, value: Any) -> float:
    """Return a positive finite real number or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a positive number, got {show(value)} "
            f"of type {type(value).__name__}"
        )
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive number, got {value!r}")
    return float(value)
