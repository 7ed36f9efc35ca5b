"""Tests of how conv2d uses the column engine's blocks.

conv2d multiplies a block of columns sample by sample, straight into the
output, when a sample has enough output pixels, and in one product for the
whole block otherwise; the small problems of tests/test_conv.py take the
second way whenever a block holds two samples, so the first is checked here
on a layer large enough, against an einsum that no one here wrote.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from convbook import conv2d
from convbook.conv import IN_PLACE_COLUMNS


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", [1, 2])
def test_products_in_place_or_shared_match_an_einsum(dtype, stride):
    """Two samples in one block of the column engine, against an einsum.

    At stride 1 each sample has 34*34 output pixels, at least
    IN_PLACE_COLUMNS: each gets its own product, written in place; at
    stride 2 (17*17 pixels) the two samples share one product.
    """
    size = 34 // stride
    assert (size * size >= IN_PLACE_COLUMNS) == (stride == 1)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 16, 34, 34)).astype(dtype)
    weight = rng.standard_normal((8, 16, 3, 3)).astype(dtype)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).astype(np.float64)
    windows = sliding_window_view(xp, (3, 3), axis=(2, 3))[:, :, ::stride, ::stride]
    expected = np.einsum("ncijuv,kcuv->nkij", windows, weight.astype(np.float64))
    got = conv2d(x, weight, stride=stride, padding=1)
    assert got.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
