r"""Window geometry: where kernel, stride, padding and dilation become sizes.

Every part of ``convbook`` that slides a window over an input -- the
convolution and its gradients, pooling, the layer descriptions, receptive
fields, the command line and the figures -- gives its caller's arguments to
:func:`resolve_geometry` (both axes) or :func:`resolve_axis` (one axis). So
one input is accepted or refused the same way everywhere, with the same
exception and the same message, and every size comes from one formula.

Padding is written in one of these ways:

- an integer ``p``: ``p`` zeros on every side;
- ``(ph, pw)``: ``ph`` zeros above and below, ``pw`` left and right (on one
  axis, a pair means ``(before, after)`` instead);
- ``((top, bottom), (left, right))``: each side on its own;
- ``'valid'``: no padding;
- ``'same'``: PyTorch's rule, for stride 1 only: :math:`d(k - 1)` zeros in
  total per axis, half before and half after, the odd one after (bottom,
  right), so the output has the input's size;
- ``'same-tf'``: TensorFlow's ``'SAME'``, for any stride: the output has
  :math:`\lceil i / s \rceil` positions and the zeros needed for that are
  split the same way, the odd one after. At stride 1 it equals ``'same'``.

Mode names ignore case (``'SAME'`` is ``'same'``); numpy integers and
integer arrays are accepted wherever Python integers and tuples are. Sizes,
strides, paddings, dilations and channel counts above ``MAX_SIZE``
(:math:`2^{20}`) are refused: no real network comes near them.

Pooling shares the same geometry; :func:`pool_output_size` adds PyTorch's
``ceil_mode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from . import _checks
from ._checks import check_int, check_pair, check_type, show

#: Sizes, strides, paddings, dilations and channel counts above this are
#: refused: no real network comes near :math:`2^{20}`.
MAX_SIZE = _checks.MAX_SIZE

__all__ = [
    "MAX_SIZE",
    "PADDING_MODES",
    "AxisGeometry",
    "Geometry",
    "effective_kernel_size",
    "padding_sides",
    "parse_axis_padding",
    "parse_padding",
    "pool_output_size",
    "resolve_axis",
    "resolve_geometry",
]

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]

#: The named paddings, in lower case.
PADDING_MODES = ("valid", "same", "same-tf")

_MODES_TEXT = "'valid', 'same' or 'same-tf'"
_FORMS_2D = (
    "an integer, a pair (ph, pw), a pair of pairs ((top, bottom), (left, right))"
)
_FORMS_1D = "an integer or a pair (before, after)"
_NO_MODE_HINT = (
    " (a named padding needs the kernel and the stride: pass it to the "
    "function that slides the window, or resolve it with "
    "convbook.resolve_geometry)"
)


def _forms(axes: int, modes: bool) -> str:
    """The accepted spellings of a padding, for a message."""
    if not modes:
        return (
            _FORMS_1D
            if axes == 1
            else _FORMS_2D.replace(", a pair of", " or a pair of")
        )
    return f"{_FORMS_2D if axes == 2 else _FORMS_1D}, {_MODES_TEXT}"


def _as_list(value: Any) -> Any:
    """An array becomes a (nested) list, a 0-d array its scalar."""
    if isinstance(value, np.ndarray):
        return value.tolist() if value.ndim else value[()]
    return value


def _mode(name: str, value: str, axes: int, modes: bool) -> str:
    """Return a padding name in lower case, or refuse it."""
    mode = value.lower()
    if modes and mode in PADDING_MODES:
        return mode
    hint = _NO_MODE_HINT if mode in PADDING_MODES else ""
    forms = _forms(axes, modes)
    raise ValueError(f"`{name}` must be {forms}, got {value!r}{hint}")


def _side_pair(name: str, value: Any) -> Pair:
    """One axis's numeric padding, an int or ``(before, after)``, as a pair."""
    value = _as_list(value)
    if isinstance(value, str):
        raise ValueError(f"`{name}` must be {_FORMS_1D}, got {value!r}")
    if isinstance(value, Sequence):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` must be {_FORMS_1D}, got {show(value)} "
                f"with {len(value)} elements"
            )
        return (
            check_int(f"{name}[0]", value[0], minimum=0),
            check_int(f"{name}[1]", value[1], minimum=0),
        )
    return (check_int(name, value, minimum=0),) * 2


def parse_axis_padding(
    padding: Any, *, name: str = "padding", modes: bool = True
) -> str | Pair:
    """Check a one-axis padding: return ``(before, after)`` or a mode name.

    Parameters
    ----------
    padding : int, (int, int) or str
        Zeros on both sides, ``(before, after)``, or one of
        :data:`PADDING_MODES` (any case) when ``modes`` is true.
    name : str, default 'padding'
        How the caller's parameter is called, for the message.
    modes : bool, default True
        Whether named paddings are allowed.

    Returns
    -------
    (int, int) or str
        The pair, or the mode name in lower case.

    Raises
    ------
    TypeError
        If a number is not an integer.
    ValueError
        If a number is negative or above ``MAX_SIZE``, a pair does not
        have two elements, or a string is not an allowed mode.

    Examples
    --------
    >>> from convbook import parse_axis_padding
    >>> parse_axis_padding(1), parse_axis_padding((0, 1)), parse_axis_padding("SAME")
    ((1, 1), (0, 1), 'same')
    """
    padding = _as_list(padding)
    if isinstance(padding, str):
        return _mode(name, padding, 1, modes)
    if isinstance(padding, Sequence) and len(padding) != 2:
        raise ValueError(
            f"`{name}` must be {_forms(1, modes)}, got {show(padding)} "
            f"with {len(padding)} elements"
        )
    return _side_pair(name, padding)


def parse_padding(
    padding: Any, *, name: str = "padding", modes: bool = True
) -> str | Padding:
    """Check a 2-D padding: return ``((top, bottom), (left, right))`` or a mode.

    This is the only function that reads a 2-D ``padding`` argument; every
    function of the package that takes one calls it.

    Parameters
    ----------
    padding : int, (int, int), ((int, int), (int, int)) or str
        See the module's description; a string must be one of
        :data:`PADDING_MODES` (any case) and is allowed only when ``modes``
        is true.
    name : str, default 'padding'
        How the caller's parameter is called, for the message.
    modes : bool, default True
        Whether named paddings are allowed.

    Returns
    -------
    ((int, int), (int, int)) or str
        The four sides, or the mode name in lower case.

    Raises
    ------
    TypeError
        If a number is not an integer.
    ValueError
        If a number is negative or above ``MAX_SIZE``, the nesting is
        wrong, or a string is not an allowed mode.

    Examples
    --------
    >>> from convbook import parse_padding
    >>> parse_padding(1)
    ((1, 1), (1, 1))
    >>> parse_padding((1, 2))
    ((1, 1), (2, 2))
    >>> parse_padding(((0, 1), (2, 3)))
    ((0, 1), (2, 3))
    >>> parse_padding("Valid")
    'valid'
    """
    padding = _as_list(padding)
    if isinstance(padding, str):
        return _mode(name, padding, 2, modes)
    if isinstance(padding, Sequence):
        if len(padding) != 2:
            raise ValueError(
                f"`{name}` must be {_forms(2, modes)}, got {show(padding)} "
                f"with {len(padding)} elements"
            )
        return (
            _side_pair(f"{name}[0]", padding[0]),
            _side_pair(f"{name}[1]", padding[1]),
        )
    p = check_int(name, padding, minimum=0)
    return (p, p), (p, p)


def effective_kernel_size(kernel_size: int, *, dilation: int = 1) -> int:
    r"""Return the span of a dilated kernel, in input pixels.

    Parameters
    ----------
    kernel_size : int
        Number of taps along the axis, at least 1.
    dilation : int, default 1
        Spacing between taps, at least 1 (1 means adjacent taps).

    Returns
    -------
    int
        :math:`d\,(k - 1) + 1`.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is smaller than 1 or above ``MAX_SIZE``.

    Examples
    --------
    >>> from convbook import effective_kernel_size
    >>> effective_kernel_size(3)
    3
    >>> effective_kernel_size(3, dilation=2)
    5
    """
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    dilation = check_int("dilation", dilation, minimum=1)
    return dilation * (kernel_size - 1) + 1


@dataclass(frozen=True)
class AxisGeometry:
    r"""A window sliding along one axis, every size resolved.

    Build it with :func:`resolve_axis`, which checks the arguments; the
    constructor trusts them.

    Attributes
    ----------
    size : int
        Input length :math:`i`.
    kernel_size : int
        Taps of the window :math:`k`.
    stride : int
        Step :math:`s` between windows.
    dilation : int
        Spacing :math:`d` between taps.
    before, after : int
        Zeros added before and after the input.
    ceil_mode : bool
        Whether a last, partial window is counted (pooling's ``ceil_mode``).

    Examples
    --------
    >>> from convbook import resolve_axis
    >>> axis = resolve_axis(7, 3, stride=2, padding="same-tf")
    >>> axis.before, axis.after, axis.span, axis.output_size
    (1, 1, 3, 4)
    """

    size: int
    kernel_size: int
    stride: int
    dilation: int
    before: int
    after: int
    ceil_mode: bool = False

    @cached_property
    def span(self) -> int:
        r"""The dilated kernel :math:`k' = d(k - 1) + 1`, in input pixels."""
        return effective_kernel_size(self.kernel_size, dilation=self.dilation)

    @cached_property
    def padded(self) -> int:
        """Length of the padded input, ``before + size + after``."""
        return self.before + self.size + self.after

    @cached_property
    def output_size(self) -> int:
        r"""Number of window positions :math:`\lfloor (i_p - k') / s \rfloor + 1`.

        With ``ceil_mode`` the division rounds up, but a window must still
        start inside the input or the padding before it (PyTorch's rule).
        """
        room = self.padded - self.span
        if not self.ceil_mode:
            return room // self.stride + 1
        count = -(-room // self.stride) + 1
        if (count - 1) * self.stride >= self.before + self.size:
            count -= 1
        return count

    @cached_property
    def unread(self) -> int:
        """Padded positions after the last window that no window reads."""
        last = (self.output_size - 1) * self.stride + self.span
        return max(self.padded - last, 0)

    def read_mask(self) -> np.ndarray:
        """Return, per padded position, whether some window's tap reads it.

        A bool array of length :attr:`padded`. Positions stay unread after
        the last window (see :attr:`unread`), and also between windows when
        the stride exceeds the span, or between taps when the dilation
        exceeds the stride.

        Examples
        --------
        >>> from convbook import resolve_axis
        >>> resolve_axis(6, 1, stride=2).read_mask().astype(int)
        array([1, 0, 1, 0, 1, 0])
        """
        read = np.zeros(self.padded, dtype=bool)
        starts = np.arange(self.output_size)[:, np.newaxis] * self.stride
        taps = starts + self.dilation * np.arange(self.kernel_size)
        read[taps[taps < self.padded]] = True  # ceil mode: a window may run over
        return read

    def unread_inputs(self) -> tuple[int, ...]:
        """Return the input positions (padding not counted) no window reads.

        Positions count from 0 at the first real input pixel.

        Examples
        --------
        >>> from convbook import resolve_axis
        >>> resolve_axis(28, 3, stride=2).unread_inputs()
        (27,)
        >>> resolve_axis(8, 1, stride=2).unread_inputs()
        (1, 3, 5, 7)
        """
        inside = self.read_mask()[self.before : self.before + self.size]
        return tuple(int(i) for i in np.flatnonzero(~inside))

    @property
    def padding(self) -> Pair:
        """``(before, after)``."""
        return self.before, self.after


def resolve_axis(
    size: Any,
    kernel_size: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    axis: str = "",
    names: Sequence[str] = ("size", "kernel_size", "stride", "padding", "dilation"),
) -> AxisGeometry:
    r"""Check one axis's arguments and return its resolved geometry.

    Parameters
    ----------
    size : int
        Input length along the axis, at least 1.
    kernel_size : int
        Taps of the window, at least 1.
    stride : int, default 1
        Step between windows, at least 1.
    padding : int, (int, int) or str, default 0
        ``p``, ``(before, after)``, ``'valid'``, ``'same'`` (stride 1 only)
        or ``'same-tf'``; see :mod:`convbook.geometry`.
    dilation : int, default 1
        Spacing between taps, at least 1.
    ceil_mode : bool, default False
        Count a last, partial window, as pooling's ``ceil_mode``.
    axis : str, optional
        ``'height'`` or ``'width'`` when the caller works in 2-D, for the
        messages.
    names : sequence of str
        The caller's names for the five arguments above, for the messages.

    Returns
    -------
    AxisGeometry

    Raises
    ------
    TypeError
        If a number is not an integer.
    ValueError
        If a number is out of range, ``padding`` is malformed, ``'same'`` is
        asked for with a stride above 1, or the dilated kernel is longer
        than the padded input.

    Examples
    --------
    >>> from convbook import resolve_axis
    >>> resolve_axis(28, 3, padding="same").output_size
    28
    >>> resolve_axis(224, 7, stride=2, padding="same-tf").padding
    (2, 3)
    """
    size_name, kernel_name, stride_name, padding_name, dilation_name = names
    size = check_int(size_name, size, minimum=1)
    kernel_size = check_int(kernel_name, kernel_size, minimum=1)
    stride = check_int(stride_name, stride, minimum=1)
    dilation = check_int(dilation_name, dilation, minimum=1)
    pads = parse_axis_padding(padding, name=padding_name)
    return _axis(size, kernel_size, stride, pads, dilation, ceil_mode, axis, names)


def padding_sides(
    padding: str | Pair,
    kernel_size: int,
    *,
    stride: int = 1,
    dilation: int = 1,
    size: int | None = None,
    axis: str = "",
    names: Sequence[str] = ("size", "kernel_size", "stride", "padding", "dilation"),
) -> Pair:
    """Return ``(before, after)`` for a parsed padding and checked sizes.

    ``size`` may be None when the padding does not depend on it (numbers,
    ``'valid'``, ``'same'``, and ``'same-tf'`` at stride 1).
    """
    if not isinstance(padding, str):
        return padding
    if padding == "valid":
        return 0, 0
    where = f" along the {axis}" if axis else ""
    if padding == "same" and stride != 1:
        raise ValueError(
            f"`{names[3]}`='same' is PyTorch's rule, defined for stride 1 "
            f"only, got `{names[2]}` {stride}{where}; use 'same-tf' for "
            "TensorFlow's rule at any stride"
        )
    span = effective_kernel_size(kernel_size, dilation=dilation)
    if stride == 1:  # both rules: k' - 1 zeros, the odd one after
        total = span - 1
    elif size is None:
        raise ValueError(
            f"with `{names[3]}`='same-tf' and a stride above 1{where} the "
            "padding depends on the input size, which was not given"
        )
    else:
        total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def _axis(
    size: int,
    kernel_size: int,
    stride: int,
    padding: str | Pair,
    dilation: int,
    ceil_mode: bool,
    axis: str,
    names: Sequence[str],
) -> AxisGeometry:
    """Resolve checked numbers and a parsed padding into an AxisGeometry."""
    before, after = padding_sides(
        padding,
        kernel_size,
        stride=stride,
        dilation=dilation,
        size=size,
        axis=axis,
        names=names,
    )
    geometry = AxisGeometry(
        size, kernel_size, stride, dilation, before, after, ceil_mode
    )
    if geometry.span > geometry.padded:
        where = f"along the {axis}, " if axis else ""
        raise ValueError(
            f"{where}the dilated kernel spans {geometry.span} pixels "
            f"(`{names[1]}` {kernel_size}, `{names[4]}` {dilation}) but the "
            f"padded input has only {geometry.padded} (`{names[0]}` {size} plus "
            f"`{names[3]}` {before}+{after}); the kernel must fit inside the "
            "padded input"
        )
    return geometry


def _per_axis(attribute: str, doc: str) -> Any:
    """A property: ``attribute`` of the height, then of the width.

    Computed once per geometry (the geometry is frozen), since the engine
    reads it many times per call.
    """

    def both(self: Geometry) -> tuple[Any, Any]:
        return getattr(self.height, attribute), getattr(self.width, attribute)

    both.__doc__ = doc
    return cached_property(both)


@dataclass(frozen=True)
class Geometry:
    """A window sliding over both axes: an :class:`AxisGeometry` per axis.

    Build it with :func:`resolve_geometry`.

    Examples
    --------
    >>> from convbook import resolve_geometry
    >>> g = resolve_geometry((28, 28), 3, padding=1)
    >>> g.output_size, g.padding, g.span
    ((28, 28), ((1, 1), (1, 1)), (3, 3))
    """

    height: AxisGeometry
    width: AxisGeometry

    @property
    def axes(self) -> tuple[AxisGeometry, AxisGeometry]:
        """``(height, width)``."""
        return self.height, self.width

    size = _per_axis("size", "``(H, W)`` of the input.")
    kernel_size = _per_axis("kernel_size", "``(kh, kw)``.")
    stride = _per_axis("stride", "``(sh, sw)``.")
    dilation = _per_axis("dilation", "``(dh, dw)``.")
    padding = _per_axis("padding", "``((top, bottom), (left, right))``.")
    span = _per_axis("span", "The dilated kernel ``(kh', kw')``.")
    padded = _per_axis("padded", "``(H, W)`` of the padded input.")
    output_size = _per_axis("output_size", "``(Ho, Wo)``.")


def resolve_geometry(
    size: Any,
    kernel_size: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    size_name: str = "size",
    kernel_name: str = "kernel_size",
) -> Geometry:
    r"""Check a 2-D window's arguments and return its resolved geometry.

    Parameters
    ----------
    size : int or (int, int)
        ``(H, W)`` of the input.
    kernel_size : int or (int, int)
        ``(kh, kw)``.
    stride, dilation : int or (int, int), default 1
        Per axis, at least 1.
    padding : int, (int, int), ((int, int), (int, int)) or str, default 0
        See :func:`parse_padding`; ``'same'`` needs stride 1.
    ceil_mode : bool, default False
        Count a last, partial window on each axis (pooling).
    size_name, kernel_name : str
        Where the input size and the kernel size came from, for the messages
        (e.g. ``'x'`` and ``'weight'``).

    Returns
    -------
    Geometry

    Raises
    ------
    TypeError, ValueError
        As :func:`resolve_axis`, per axis.

    Examples
    --------
    >>> from convbook import resolve_geometry
    >>> g = resolve_geometry((8, 8), 3, stride=2, padding="same-tf")
    >>> g.padding, g.output_size
    (((0, 1), (0, 1)), (4, 4))
    """
    sizes = check_pair(size_name, size, minimum=1)
    kernels = check_pair(kernel_name, kernel_size, minimum=1)
    strides = check_pair("stride", stride, minimum=1)
    dilations = check_pair("dilation", dilation, minimum=1)
    pads = parse_padding(padding)
    names = (size_name, kernel_name, "stride", "padding", "dilation")
    height, width = (
        _axis(
            sizes[i],
            kernels[i],
            strides[i],
            pads if isinstance(pads, str) else pads[i],
            dilations[i],
            ceil_mode,
            axis,
            names,
        )
        for i, axis in enumerate(("height", "width"))
    )
    return Geometry(height, width)


def pool_output_size(
    size: Any,
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> int:
    r"""Return the output length of a pooling window along one axis.

    Pooling slides its window exactly as a convolution does; the only
    differences are PyTorch's defaults and rules: the stride defaults to the
    window, the padding is at most half the window, and ``ceil_mode`` may
    count a last window that runs past the end.

    Parameters
    ----------
    size : int
        Input length along the axis, at least 1.
    kernel_size : int
        Window length, at least 1.
    stride : int, optional
        Step between windows; ``kernel_size`` by default.
    padding : int, default 0
        Padding on both sides, at most ``kernel_size // 2``.
    dilation : int, default 1
        Spacing between taps.
    ceil_mode : bool, default False
        Round the division up, as ``torch.nn.MaxPool2d(ceil_mode=True)``; a
        window must still start inside the input or the padding before it.

    Returns
    -------
    int
        :math:`\lfloor (i + 2p - k') / s \rfloor + 1`, or with
        :math:`\lceil \cdot \rceil` in ceil mode.

    Raises
    ------
    TypeError, ValueError
        As :func:`resolve_axis`, and if ``padding`` exceeds half the window
        or ``ceil_mode`` is not a bool.

    Examples
    --------
    >>> from convbook import pool_output_size
    >>> pool_output_size(7, 2), pool_output_size(7, 2, ceil_mode=True)
    (3, 4)
    >>> pool_output_size(112, 3, stride=2, padding=1)
    56
    """
    return resolve_pool_axis(
        size, kernel_size, stride, padding, dilation, ceil_mode
    ).output_size


def check_pool_padding(padding: Pair, kernel_size: Pair) -> Pair:
    """Refuse a pooling padding above half the window (PyTorch's rule)."""
    if any(p > k // 2 for p, k in zip(padding, kernel_size, strict=True)):
        raise ValueError(
            "`padding` must be at most half of `kernel_size` (PyTorch's "
            f"rule for pooling), got padding {padding} for kernel_size "
            f"{kernel_size}"
        )
    return padding


def check_ceil_mode(value: Any) -> bool:
    """Return ``ceil_mode`` if it is a bool."""
    return bool(check_type("ceil_mode", value, bool | np.bool_, "True or False"))


def resolve_pool_axis(
    size: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
) -> AxisGeometry:
    """The :class:`AxisGeometry` of a pooling window on one axis."""
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = kernel_size if stride is None else stride
    pad = check_int("padding", padding, minimum=0)
    check_pool_padding((pad, pad), (kernel_size, kernel_size))
    return resolve_axis(
        size,
        kernel_size,
        stride=stride,
        padding=pad,
        dilation=dilation,
        ceil_mode=check_ceil_mode(ceil_mode),
    )
