"""Compare convbook with PyTorch, the framework whose layout it follows.

PyTorch is an optional extra (``pip install convbook[torch]``). Without it
these tests are skipped on a developer's machine but fail under CI (where the
environment variable ``CI`` is set), so that a missing install cannot hide
behind a skip.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import numpy as np
import pytest

from convbook import conv2d, conv2d_backward, conv_transpose2d

pytestmark = pytest.mark.torch


def _import_torch() -> ModuleType:
    """Return the torch module, or skip (fail under CI) when it is missing."""
    try:
        return importlib.import_module("torch")
    except ImportError as error:
        if os.environ.get("CI"):
            pytest.fail(
                "PyTorch is not installed but CI must run the PyTorch comparison "
                f"tests: install the `torch` extra ({error})"
            )
        pytest.skip("PyTorch is not installed (pip install convbook[torch])")


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    return _import_torch()


CASES = [
    pytest.param((2, 3, 9, 8), (4, 3, 3, 3), {}, id="defaults"),
    pytest.param((2, 3, 9, 8), (4, 3, 3, 3), {"padding": 1}, id="padding 1"),
    pytest.param(
        (1, 2, 10, 9), (3, 2, 3, 2), {"stride": 2, "padding": (1, 0)}, id="stride 2"
    ),
    pytest.param(
        (1, 2, 11, 9), (3, 2, 3, 3), {"dilation": 2, "padding": 2}, id="dilation 2"
    ),
    pytest.param(
        (2, 3, 12, 10),
        (2, 3, 3, 2),
        {"stride": (3, 2), "dilation": (1, 2)},
        id="per-axis",
    ),
    pytest.param((1, 3, 28, 28), (16, 3, 3, 3), {"padding": 1}, id="question layer 1"),
    pytest.param(
        (1, 16, 28, 28), (32, 16, 3, 3), {"padding": 1}, id="question layer 2"
    ),
    pytest.param(
        (1, 3, 32, 32), (8, 3, 7, 7), {"stride": 2, "padding": 3}, id="ResNet stem"
    ),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_matches_torch(torch, x_shape, w_shape, kwargs, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    weight = rng.standard_normal(w_shape).astype(dtype)
    bias = rng.standard_normal(w_shape[0]).astype(dtype)
    ours = conv2d(x, weight, bias, **kwargs)
    theirs = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias), **kwargs
    ).numpy()
    assert ours.dtype == theirs.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), CASES)
def test_backward_matches_autograd(torch, x_shape, w_shape, kwargs):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape)
    weight = rng.standard_normal(w_shape)
    bias = rng.standard_normal(w_shape[0])
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(weight, requires_grad=True)
    bt = torch.tensor(bias, requires_grad=True)
    out = torch.nn.functional.conv2d(xt, wt, bt, **kwargs)
    grad_output = rng.standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(grad_output))
    grad_x, grad_weight, grad_bias = conv2d_backward(x, weight, grad_output, **kwargs)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(grad_weight, wt.grad.numpy(), rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(grad_bias, bt.grad.numpy(), rtol=1e-11, atol=1e-11)


TRANSPOSED = [
    pytest.param((2, 4, 5, 5), (4, 3, 3, 3), {}, id="defaults"),
    pytest.param(
        (1, 4, 5, 6), (4, 2, 3, 3), {"stride": 2, "padding": 1}, id="stride 2"
    ),
    pytest.param(
        (1, 4, 5, 6),
        (4, 2, 3, 3),
        {"stride": 2, "padding": 1, "output_padding": 1},
        id="output padding",
    ),
    pytest.param(
        (2, 3, 4, 4),
        (3, 2, 2, 3),
        {"stride": (3, 2), "dilation": (2, 1), "output_padding": (1, 1)},
        id="per-axis",
    ),
    pytest.param(
        (1, 2, 4, 4), (2, 1, 4, 4), {"stride": 2, "padding": 1}, id="DCGAN 4x4"
    ),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), TRANSPOSED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose2d_matches_torch(torch, x_shape, w_shape, kwargs, dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(x_shape).astype(dtype)
    weight = rng.standard_normal(w_shape).astype(dtype)
    bias = rng.standard_normal(w_shape[1]).astype(dtype)
    ours = conv_transpose2d(x, weight, bias, **kwargs)
    theirs = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias), **kwargs
    ).numpy()
    assert ours.dtype == theirs.dtype == dtype
    tolerance = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


# PyTorch warns (once) that an even kernel costs it a padded copy of the input
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("kernel", [(1, 1), (2, 2), (3, 3), (4, 3), (5, 2)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_same_padding_at_stride_1_matches_torch(torch, kernel, dilation):
    """PyTorch also puts the odd padding pixel at the bottom and right."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 9, 10))
    weight = rng.standard_normal((3, 2, *kernel))
    ours = conv2d(x, weight, padding="same", dilation=dilation)
    theirs = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(weight), padding="same", dilation=dilation
    ).numpy()
    assert ours.shape == theirs.shape == (1, 3, 9, 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding"),
    [(7, 2, 2, 0), (7, 3, 2, 1), (8, 3, 3, 1), (6, 3, 2, 1), (5, 2, 1, 1)],
)
def test_pooling_matches_torch(torch, size, kernel, stride, padding, ceil_mode):
    from convbook import avg_pool2d, max_pool2d, pool_output_size

    x = np.random.default_rng(size + kernel).standard_normal((2, 3, size, size + 1))
    functional = torch.nn.functional
    for ours, theirs in (
        (max_pool2d, functional.max_pool2d),
        (avg_pool2d, functional.avg_pool2d),
    ):
        got = ours(x, kernel, stride, padding, ceil_mode=ceil_mode)
        want = theirs(
            torch.from_numpy(x), kernel, stride, padding, ceil_mode=ceil_mode
        ).numpy()
        assert got.shape == want.shape
        assert got.shape[2] == pool_output_size(
            size, kernel, stride=stride, padding=padding, ceil_mode=ceil_mode
        )
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
