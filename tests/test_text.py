"""The typography of numbers in the prose: convbook.text."""

from __future__ import annotations

import numpy as np
import pytest

from convbook.text import number, percent


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (4640, None, "4,640"),
        (3_612_672, None, "3,612,672"),
        (np.int64(338_688), None, "338,688"),
        (28, None, "28"),
        (-1200, None, "-1,200"),
        (2.5, None, "2.5"),
        (2.0, None, "2"),
        (np.float64(1234.5678), 1, "1,234.6"),
        (0.125, 3, "0.125"),
    ],
)
def test_number(value: float, digits: int | None, expected: str) -> None:
    assert number(value, digits=digits) == expected


@pytest.mark.parametrize(
    ("fraction", "digits", "expected"),
    [
        (0.13, 0, "13%"),
        (np.float64(0.4937), 0, "49%"),
        (0.0025, 2, "0.25%"),
        (1, 0, "100%"),
        (12.5, 0, "1,250%"),
    ],
)
def test_percent(fraction: float, digits: int, expected: str) -> None:
    assert percent(fraction, digits=digits) == expected


def test_no_space_before_the_percent_sign() -> None:
    assert " " not in percent(0.5)


def test_number_refuses_a_string() -> None:
    with pytest.raises(
        TypeError, match=r"^`value` must be a real number, got str '12'$"
    ):
        number("12")  # type: ignore[arg-type]


def test_number_refuses_a_bool() -> None:
    with pytest.raises(
        TypeError, match=r"^`value` must be a real number, got bool True$"
    ):
        number(True)


def test_number_refuses_negative_digits() -> None:
    with pytest.raises(
        ValueError,
        match=r"^`digits` must be a non-negative int or None, got -1$",
    ):
        number(2.5, digits=-1)


def test_percent_refuses_a_string() -> None:
    with pytest.raises(
        TypeError, match=r"^`fraction` must be a real number, got str '0.5'$"
    ):
        percent("0.5")  # type: ignore[arg-type]


def test_percent_refuses_negative_digits() -> None:
    with pytest.raises(
        ValueError, match=r"^`digits` must be a non-negative int, got -2$"
    ):
        percent(0.5, digits=-2)
