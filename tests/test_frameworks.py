"""The claims of the chapters "frameworks" and "gradients", checked against PyTorch.

book/frameworks.md says that the numbers the book computes are the ones the
frameworks return, and that PyTorch's conventions are as its table states
(layouts, where ``padding='same'`` puts the odd pixel, groups, bias). Each
test here pins one such sentence. The chapter's PyTorch code block is run
exactly as printed.

PyTorch is an optional extra: without it these tests are skipped on a
developer's machine, but under CI (``CI`` set) a missing PyTorch is an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import convbook

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        raise ImportError(
            "CI must run the PyTorch comparisons of tests/test_frameworks.py: "
            "install the `torch` extra"
        ) from error
    pytest.skip(
        "PyTorch is not installed (pip install convbook[torch])",
        allow_module_level=True,
    )

pytestmark = pytest.mark.torch

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "frameworks.md"
EVEN_KERNEL_WARNING = "ignore:Using padding='same' with even kernel lengths:UserWarning"


def _t(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def _torch_conv(x, w, b=None, **kwargs) -> np.ndarray:
    bias = None if b is None else _t(b)
    return F.conv2d(_t(x), _t(w), bias, **kwargs).numpy()


def _conv_nhwc(x: np.ndarray, w_hwio: np.ndarray, padding) -> np.ndarray:
    """Stride-1 cross-correlation written in TensorFlow's layouts (NHWC, HWIO)."""
    xp = np.pad(x, ((0, 0), *padding, (0, 0)))
    windows = sliding_window_view(xp, w_hwio.shape[:2], axis=(1, 2))
    return np.einsum("nijcuv,uvck->nijk", windows, w_hwio)


# -- the chapter's code, as printed -------------------------------------------


def _chapter_code() -> tuple[str, dict[str, str]]:
    """Return the data cell and the named code blocks of book/frameworks.md."""
    text = CHAPTER.read_text(encoding="utf-8")
    data = re.search(
        r"```\{code-cell\} ipython3\n(rng = np\.random\.default_rng\(2\)\n.*?)```",
        text,
        re.S,
    )
    blocks = dict(
        re.findall(r"```\{code-block\} python\n:name: (\S+)\n\n(.*?)```", text, re.S)
    )
    assert data is not None, "the data cell of frameworks.md was not found"
    return data.group(1), blocks


def test_chapter_torch_block_prints_the_books_numbers(capsys):
    data, blocks = _chapter_code()
    assert {"code-fw-torch", "code-fw-keras", "code-fw-jax"} <= blocks.keys()
    namespace: dict = {"np": np}
    exec(data, namespace)
    exec(blocks["code-fw-torch"], namespace)
    a1, w2, b2 = namespace["a1"], namespace["w2"], namespace["b2"]
    ours = convbook.conv2d(a1, w2, b2, stride=1, padding=1)
    theirs = namespace["o2_torch"]
    assert theirs.shape == ours.shape == (1, 32, 28, 28)
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-5)
    # the printed line is the chapter's glued value fw-o2-sample
    printed = capsys.readouterr().out.split()
    assert float(printed[-1]) == pytest.approx(float(ours[0, 5, 3, 7]), abs=1e-4)


# -- the argument table -------------------------------------------------------


def test_pytorch_parameter_shapes_are_oihw_and_k():
    layer = torch.nn.Conv2d(16, 32, kernel_size=3)
    assert tuple(layer.weight.shape) == (32, 16, 3, 3)
    assert tuple(layer.bias.shape) == (32,)
    assert layer.padding == (0, 0)  # the default padding is 0
    grouped = torch.nn.Conv2d(16, 32, kernel_size=3, groups=4)
    assert tuple(grouped.weight.shape) == (32, 16 // 4, 3, 3)


@pytest.mark.parametrize(("stride", "padding"), [(1, 1), (2, 1), (1, (2, 0))])
def test_oihw_to_hwio_transposition(stride, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 9, 8))
    w = rng.standard_normal((7, 5, 3, 3))
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    nhwc = _conv_nhwc(
        x.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0), ((ph, ph), (pw, pw))
    )[:, ::stride, ::stride]
    expected = _torch_conv(x, w, stride=stride, padding=padding)
    np.testing.assert_allclose(nhwc.transpose(0, 3, 1, 2), expected, atol=1e-12)
    hwio = w.transpose(2, 3, 1, 0)
    assert np.array_equal(hwio.transpose(3, 2, 0, 1), w)


def test_wrong_transposition_runs_and_is_wrong_for_a_square_layer():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 6, 8, 8))
    w = rng.standard_normal((6, 6, 3, 3))
    right = _conv_nhwc(x.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0), ((1, 1),) * 2)
    wrong = _conv_nhwc(x.transpose(0, 2, 3, 1), w.transpose(2, 3, 0, 1), ((1, 1),) * 2)
    assert wrong.shape == right.shape
    assert np.abs(wrong - right).max() > 0.1 * np.abs(right).max()


# -- padding ------------------------------------------------------------------


@pytest.mark.filterwarnings(EVEN_KERNEL_WARNING)
@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("size", [7, 8])
def test_same_padding_matches_torch_at_stride_1(kernel, dilation, size):
    rng = np.random.default_rng(kernel)
    x = rng.standard_normal((2, 3, size, size + 1))
    w = rng.standard_normal((4, 3, kernel, kernel))
    ours = convbook.conv2d(x, w, padding="same", dilation=dilation)
    theirs = _torch_conv(x, w, padding="same", dilation=dilation)
    assert ours.shape == theirs.shape == (2, 4, size, size + 1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings(EVEN_KERNEL_WARNING)
def test_torch_same_puts_the_odd_pixel_after_like_tensorflow():
    # frameworks.md: a 4x4 kernel on a 7-pixel axis pads (1, 2) in PyTorch,
    # TensorFlow and convbook; the other split, (2, 1), is JAX's "SAME_LOWER".
    assert convbook.same_padding(7, 4) == (1, 2)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 1, 7, 7))
    w = rng.standard_normal((1, 1, 4, 4))
    same = _torch_conv(x, w, padding="same")
    after = F.conv2d(F.pad(_t(x), (1, 2, 1, 2)), _t(w)).numpy()
    before = F.conv2d(F.pad(_t(x), (2, 1, 2, 1)), _t(w)).numpy()
    np.testing.assert_allclose(same, after, atol=1e-12)
    assert np.abs(same - before).max() > 1e-3
    np.testing.assert_allclose(convbook.conv2d(x, w, padding="same"), after, atol=1e-12)


def test_torch_pad_takes_the_last_axis_first():
    # F.pad(x, (left, right, top, bottom)) is convbook's ((top, bottom), (left, right))
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    theirs = F.pad(_t(x), (1, 2, 3, 0)).numpy()
    ours = convbook.pad2d(x, ((3, 0), (1, 2)))
    assert np.array_equal(theirs, ours)


def test_torch_refuses_same_padding_with_a_stride():
    x = torch.zeros(1, 3, 8, 8)
    w = torch.zeros(2, 3, 3, 3)
    with pytest.raises(RuntimeError, match="not supported for strided convolutions"):
        F.conv2d(x, w, stride=2, padding="same")


def test_stride_2_same_and_padding_1_give_one_shape_and_different_numbers():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 16, 8, 8))
    w = rng.standard_normal((32, 16, 3, 3))
    assert convbook.same_padding(8, 3, stride=2) == (0, 1)
    torch_p1 = _torch_conv(x, w, stride=2, padding=1)
    tf_same = convbook.conv2d(x, w, stride=2, padding="same-tf")
    np.testing.assert_allclose(
        convbook.conv2d(x, w, stride=2, padding=1), torch_p1, atol=1e-12
    )
    assert tf_same.shape == torch_p1.shape == (1, 32, 4, 4)
    assert np.abs(tf_same - torch_p1).max() > 1.0
    # the exact PyTorch translation of TensorFlow's "same": pad (0, 1) first
    exact = F.conv2d(F.pad(_t(x), (0, 1, 0, 1)), _t(w), stride=2).numpy()
    np.testing.assert_allclose(tf_same, exact, atol=1e-12)


# -- groups, depthwise, dilation and bias -------------------------------------


def _grouped_conv2d(x, w, b, groups, **kwargs):
    """The chapter's emulation of `groups` by splitting channels."""
    blocks = zip(
        np.split(x, groups, axis=-3),
        np.split(w, groups),
        np.split(b, groups),
        strict=True,
    )
    return np.concatenate(
        [convbook.conv2d(xg, wg, bg, **kwargs) for xg, wg, bg in blocks], axis=-3
    )


@pytest.mark.parametrize(
    ("channels", "filters", "groups"),
    [(16, 32, 1), (16, 32, 4), (16, 32, 16), (6, 6, 6), (6, 9, 3)],
)
def test_group_emulation_matches_torch_groups(channels, filters, groups):
    rng = np.random.default_rng(groups)
    x = rng.standard_normal((2, channels, 9, 9))
    w = rng.standard_normal((filters, channels // groups, 3, 3))
    b = rng.standard_normal(filters)
    theirs = _torch_conv(x, w, b, padding=1, stride=2, groups=groups)
    ours = _grouped_conv2d(x, w, b, groups, padding=1, stride=2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_depthwise_kernel_conversion_to_keras_layout():
    # PyTorch (C*m, 1, F, F) -> Keras DepthwiseConv2D (F, F, C, m); Keras output
    # channel c*m + q is filter q applied to input channel c.
    channels, multiplier = 4, 3
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, channels, 7, 7))
    w = rng.standard_normal((channels * multiplier, 1, 3, 3))
    kernel = w.reshape(channels, multiplier, 3, 3).transpose(2, 3, 0, 1)
    xp = np.pad(x.transpose(0, 2, 3, 1), ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = sliding_window_view(xp, (3, 3), axis=(1, 2))
    keras_like = np.einsum("nijcuv,uvcq->nijcq", windows, kernel).reshape(1, 7, 7, -1)
    theirs = _torch_conv(x, w, padding=1, groups=channels)
    np.testing.assert_allclose(keras_like.transpose(0, 3, 1, 2), theirs, atol=1e-12)


def test_dilation_and_bias_conventions():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 3, 11, 11))
    w = rng.standard_normal((5, 3, 3, 3))
    b = rng.standard_normal(5)
    theirs = _torch_conv(x, w, b, dilation=2, padding=2)
    ours = convbook.conv2d(x, w, b, dilation=2, padding=2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    # a bias is one number per filter, added after the sum (JAX adds it by hand)
    no_bias = convbook.conv2d(x, w, dilation=2, padding=2)
    np.testing.assert_allclose(ours, no_bias + b[None, :, None, None], atol=1e-12)


# -- the gradients chapter ----------------------------------------------------


@pytest.mark.parametrize("stride2", [1, 2])
def test_two_layer_backward_matches_autograd(stride2):
    """gradients.md: every gradient of L = sum(G * A2) through both layers."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 6, 6))
    w1 = rng.standard_normal((4, 3, 3, 3)) / 3
    b1 = rng.standard_normal(4) / 3
    w2 = rng.standard_normal((5, 4, 3, 3)) / 3
    b2 = rng.standard_normal(5) / 3
    o1 = convbook.conv2d(x, w1, b1, padding=1)
    a1 = convbook.relu(o1)
    o2 = convbook.conv2d(a1, w2, b2, stride=stride2, padding=1)
    g = rng.standard_normal(o2.shape)
    delta2 = g * (o2 > 0)
    ga1, gw2, gb2 = convbook.conv2d_backward(a1, w2, delta2, stride=stride2, padding=1)
    gx, gw1, gb1 = convbook.conv2d_backward(x, w1, ga1 * (o1 > 0), padding=1)

    params = [_t(p).requires_grad_() for p in (x, w1, b1, w2, b2)]
    tx, tw1, tb1, tw2, tb2 = params
    ta1 = torch.relu(F.conv2d(tx[None], tw1, tb1, padding=1))
    ta1.retain_grad()
    ta2 = torch.relu(F.conv2d(ta1, tw2, tb2, stride=stride2, padding=1))
    (ta2[0] * _t(g)).sum().backward()
    for ours, theirs in [
        (gx, tx.grad),
        (gw1, tw1.grad),
        (gb1, tb1.grad),
        (ga1, ta1.grad[0]),
        (gw2, tw2.grad),
        (gb2, tb2.grad),
    ]:
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("size", "output_padding"), [(7, 0), (8, 1)])
def test_transposed_convolution_sizes_7_and_8(size, output_padding):
    """gradients.md: sizes 7 and 8 both give 4 at stride 2; output_padding picks."""
    assert convbook.output_size(size, 3, stride=2, padding=1) == 4
    rng = np.random.default_rng(size)
    x = rng.standard_normal((1, 3, size, size))
    w = rng.standard_normal((2, 3, 3, 3))
    g = rng.standard_normal((1, 2, 4, 4))
    theirs = F.conv_transpose2d(
        _t(g), _t(w), stride=2, padding=1, output_padding=output_padding
    ).numpy()
    assert theirs.shape[-1] == size
    assert size == convbook.transposed_output_size(
        4, 3, stride=2, padding=1, output_padding=output_padding
    )
    ours = convbook.conv_transpose2d(
        g, w, stride=2, padding=1, output_padding=output_padding
    )
    grad_x = convbook.conv2d_backward(x, w, g, stride=2, padding=1)[0]
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(grad_x, theirs, atol=1e-12)


def test_output_padding_must_be_smaller_than_stride_or_dilation():
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(
            torch.zeros(1, 2, 4, 4), torch.zeros(2, 3, 3, 3), stride=2, output_padding=2
        )
    with pytest.raises(
        ValueError,
        match=r"^`output_padding` must be smaller than `stride` \(2\) or "
        r"`dilation` \(1\), got 2$",
    ):
        convbook.transposed_output_size(4, 3, stride=2, output_padding=2)
