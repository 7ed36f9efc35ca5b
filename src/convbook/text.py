"""Numbers as the book prints them, in its prose and in its figures.

Every number a chapter quotes is computed and then glued into the text;
:func:`number` and :func:`percent` give all of them one typography: thousands
separated by commas ("4,640") and percentages written without a space
("13%"). A chapter calls them on the value it glues, so that no sentence
formats a number its own way. Figures and interactive figures write negative
numbers with the minus sign :data:`MINUS`, through :func:`minus_sign`.

>>> from convbook.text import number, percent
>>> number(4640)
'4,640'
>>> percent(0.13)
'13%'
"""

from __future__ import annotations

import numbers

__all__ = ["MINUS", "minus_sign", "number", "percent"]

#: The minus sign (U+2212) that figures and interactive figures print, wider
#: than the hyphen and level with the plus sign.
MINUS = "\u2212"


def number(value: numbers.Real, digits: int | None = None) -> str:
    """Write ``value`` with commas between thousands.

    Parameters
    ----------
    value : int or float
        The number to write. Integers (Python or numpy) are written exactly.
    digits : int, optional
        Digits after the decimal point for a float; by default a float is
        written with the fewest digits that read back as the same value.

    Returns
    -------
    str
        The number, e.g. ``'3,612,672'`` or ``'2.5'``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (a bool counts as not a number).
    ValueError
        If ``digits`` is negative.

    Examples
    --------
    >>> from convbook.text import number
    >>> number(3612672)
    '3,612,672'
    >>> number(1234.5678, digits=1)
    '1,234.6'
    >>> number(-0.25)
    '-0.25'
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`value` must be a real number, got {type(value).__name__} {value!r}"
        )
    if digits is not None and (not isinstance(digits, int) or digits < 0):
        raise ValueError(f"`digits` must be a non-negative int or None, got {digits!r}")
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if digits is None:
        return f"{float(value):,}".removesuffix(".0")
    return f"{float(value):,.{digits}f}"


def percent(fraction: numbers.Real, digits: int = 0) -> str:
    """Write a fraction as a percentage, without a space before the sign.

    Parameters
    ----------
    fraction : float
        The share, 1 for all of it: ``0.13`` is written ``'13%'``.
    digits : int, default 0
        Digits after the decimal point.

    Returns
    -------
    str
        The percentage, e.g. ``'13%'`` or ``'0.25%'``.

    Raises
    ------
    TypeError
        If ``fraction`` is not a real number.
    ValueError
        If ``digits`` is negative.

    Examples
    --------
    >>> from convbook.text import percent
    >>> percent(0.4937)
    '49%'
    >>> percent(0.0025, digits=2)
    '0.25%'
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise TypeError(
            f"`fraction` must be a real number, got "
            f"{type(fraction).__name__} {fraction!r}"
        )
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise ValueError(f"`digits` must be a non-negative int, got {digits!r}")
    return f"{100 * float(fraction):,.{digits}f}%"


def minus_sign(text: str) -> str:
    """Write every hyphen-minus of ``text`` as the minus sign :data:`MINUS`.

    Figures and interactive figures print negative numbers this way; the
    prose keeps the hyphen that :func:`number` writes.

    Parameters
    ----------
    text : str
        A number already written out, such as ``'-4'`` or ``'-0.25'``.

    Returns
    -------
    str
        ``text`` with each ``-`` replaced by ``'\u2212'``.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> from convbook.text import MINUS, minus_sign
    >>> minus_sign("-4") == MINUS + "4"
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, got {type(text).__name__} {text!r}")
    return text.replace("-", MINUS)
