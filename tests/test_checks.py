"""Tests for convbook._checks: the shared argument validators and messages."""

from __future__ import annotations

import numpy as np
import pytest

from convbook._checks import (
    check_array,
    check_choice,
    check_int,
    check_pair,
    show,
)
from convbook.geometry import parse_axis_padding

# --- show -------------------------------------------------------------------


def test_show_tells_int_from_str():
    assert show(3) == "3"
    assert show("3") == "'3'"


def test_show_describes_arrays_by_shape_and_dtype():
    assert show(np.zeros((2, 3))) == "an array of shape (2, 3) and dtype float64"


def test_show_shortens_long_values():
    text = show("x" * 100)
    assert len(text) == 60
    assert text.endswith("...")


# --- check_int --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(3, 3, id="int"),
        pytest.param(np.int64(3), 3, id="numpy-int"),
        pytest.param(0, 0, id="zero-without-minimum"),
        pytest.param(-5, -5, id="negative-without-minimum"),
    ],
)
def test_check_int_accepts(value, expected):
    got = check_int("n", value)
    assert got == expected
    assert type(got) is int


@pytest.mark.parametrize(
    ("value", "match"),
    [
        pytest.param(
            True, r"^`n` must be an integer, got True of type bool$", id="bool"
        ),
        pytest.param(
            np.bool_(False),
            r"^`n` must be an integer, got np\.False_ of type bool$",
            id="np-bool",
        ),
        pytest.param(
            3.0, r"^`n` must be an integer, got 3\.0 of type float$", id="float"
        ),
        pytest.param(
            np.float64(2.0),
            r"^`n` must be an integer, got np\.float64\(2\.0\) of type float64$",
            id="np-float",
        ),
        pytest.param("3", r"^`n` must be an integer, got '3' of type str$", id="str"),
        pytest.param(
            None, r"^`n` must be an integer, got None of type NoneType$", id="none"
        ),
        pytest.param(
            np.array([1, 2]),
            r"^`n` must be an integer, got an array of shape \(2,\) and dtype int64 of "
            r"type ndarray$",
            id="array",
        ),
    ],
)
def test_check_int_refuses_non_integers(value, match):
    with pytest.raises(TypeError, match=match):
        check_int("n", value)


def test_check_int_minimum_one_says_positive():
    with pytest.raises(ValueError, match=r"^`n` must be a positive integer, got 0$"):
        check_int("n", 0, minimum=1)


def test_check_int_other_minimum_is_spelled_out():
    with pytest.raises(ValueError, match=r"^`n` must be an integer >= 0, got -1$"):
        check_int("n", -1, minimum=0)
    with pytest.raises(ValueError, match=r"^`n` must be an integer >= 2, got 1$"):
        check_int("n", 1, minimum=2)


# --- check_pair -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(2, (2, 2), id="int-repeated"),
        pytest.param((1, 2), (1, 2), id="tuple"),
        pytest.param([3, 4], (3, 4), id="list"),
        pytest.param(np.array([5, 6]), (5, 6), id="array"),
        pytest.param(np.array(7), (7, 7), id="0-d-array"),
    ],
)
def test_check_pair_accepts(value, expected):
    assert check_pair("stride", value, minimum=1) == expected


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        pytest.param(
            (1, 2, 3),
            ValueError,
            r"^`stride` must be an integer or a pair \(height, width\), got \(1, 2, "
            r"3\) with 3 elements$",
            id="triple",
        ),
        pytest.param(
            (),
            ValueError,
            r"^`stride` must be an integer or a pair \(height, width\), got \(\) with "
            r"0 elements$",
            id="empty",
        ),
        pytest.param(
            (1, 0),
            ValueError,
            r"^`stride\[1\]` must be a positive integer, got 0$",
            id="second-zero",
        ),
        pytest.param(
            (1.5, 1),
            TypeError,
            r"^`stride\[0\]` must be an integer, got 1\.5 of type float$",
            id="first-float",
        ),
        pytest.param(
            "22",
            TypeError,
            r"^`stride` must be an integer, got '22' of type str$",
            id="string-is-not-a-pair",
        ),
        pytest.param(
            np.array([[1, 2], [3, 4]]),
            TypeError,
            r"^`stride\[0\]` must be an integer, got \[1, 2\] of type list$",
            id="2-d-array",
        ),
    ],
)
def test_check_pair_errors(value, error, match):
    with pytest.raises(error, match=match):
        check_pair("stride", value, minimum=1)


# --- one axis's padding ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(0, (0, 0), id="zero"),
        pytest.param(2, (2, 2), id="int-both-sides"),
        pytest.param((0, 1), (0, 1), id="before-after"),
        pytest.param(np.array([1, 2]), (1, 2), id="array-pair"),
        pytest.param(np.int64(3), (3, 3), id="numpy-int"),
    ],
)
def test_axis_padding_accepts(value, expected):
    assert parse_axis_padding(value, modes=False) == expected


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        pytest.param(
            -1,
            ValueError,
            r"^`padding` must be an integer >= 0, got -1$",
            id="negative",
        ),
        pytest.param(
            (1, 2, 3),
            ValueError,
            r"^`padding` must be an integer or a pair \(before, after\), got \(1, 2, "
            r"3\) with 3 elements$",
            id="triple",
        ),
        pytest.param(
            (0, -2),
            ValueError,
            r"^`padding\[1\]` must be an integer >= 0, got -2$",
            id="negative-after",
        ),
        pytest.param(
            "same",
            ValueError,
            r"^`padding` must be an integer or a pair \(before, after\), got 'same' "
            r"\(a named padding needs the kernel and the stride: pass it to the "
            r"function that slides the window, or resolve it with "
            r"convbook\.resolve_geometry\)$",
            id="string",
        ),
        pytest.param(
            1.0,
            TypeError,
            r"^`padding` must be an integer, got 1\.0 of type float$",
            id="float",
        ),
    ],
)
def test_axis_padding_errors(value, error, match):
    with pytest.raises(error, match=match):
        parse_axis_padding(value, modes=False)


# --- check_array ------------------------------------------------------------


def test_check_array_returns_an_ndarray():
    array = check_array("x", [[1, 2], [3, 4]], ndim=2, layout="(H, W)")
    assert isinstance(array, np.ndarray)
    assert array.shape == (2, 2)


def test_check_array_accepts_any_listed_ndim():
    assert check_array("x", np.zeros((1, 2, 3)), ndim=(3, 4), layout="").ndim == 3


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "match"),
    [
        pytest.param(
            np.zeros(3),
            {"ndim": (3, 4), "layout": "(C, H, W) or (N, C, H, W)"},
            ValueError,
            r"^`x` must have 3 or 4 dimensions \(C, H, W\) or \(N, C, H, W\), got 1 "
            r"\(shape \(3,\)\)$",
            id="wrong-ndim",
        ),
        pytest.param(
            np.zeros((2, 2), dtype=bool),
            {"ndim": 2, "layout": "(H, W)"},
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(H, W\), got dtype "
            r"bool$",
            id="bool-dtype",
        ),
        pytest.param(
            np.zeros(2, dtype=complex),
            {"ndim": 1, "layout": "(W,)"},
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(W,\), got dtype "
            r"complex128$",
            id="complex-dtype",
        ),
        pytest.param(
            ["a", "b"],
            {"ndim": 1, "layout": "(W,)"},
            TypeError,
            r"^`x` must be a numeric \(integer or floating\) array \(W,\), got dtype "
            r"<U1$",
            id="strings",
        ),
        pytest.param(
            [[1, 2], [3]],
            {"ndim": 2, "layout": "(H, W)"},
            TypeError,
            r"^`x` must be a numeric array \(H, W\), got \[\[1, 2\], \[3\]\] which "
            r"numpy cannot turn into an array \(setting an array element with a "
            r"sequence\. The requested array has an inhomogeneous shape after 1 "
            r"dimensions\. The detected shape was \(2,\) \+ inhomogeneous part\.\)$",
            id="ragged",
        ),
    ],
)
def test_check_array_errors(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_array("x", value, **kwargs)


# --- check_choice -----------------------------------------------------------


def test_check_choice_returns_the_value():
    assert check_choice("mode", "same", ("valid", "same", "full")) == "same"


@pytest.mark.parametrize(
    ("value", "match"),
    [
        pytest.param(
            "Same",
            r"^`mode` must be one of 'valid', 'same', 'full', got 'Same'$",
            id="case-matters",
        ),
        pytest.param(
            3,
            r"^`mode` must be one of 'valid', 'same', 'full', got 3$",
            id="not-a-string",
        ),
    ],
)
def test_check_choice_errors(value, match):
    with pytest.raises(ValueError, match=match):
        check_choice("mode", value, ("valid", "same", "full"))
