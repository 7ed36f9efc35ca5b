"""The Keras and JAX code of book/frameworks.md, run as printed.

The chapter shows Keras and JAX blocks that the book's build cannot run (the
book needs only numpy). Each test here executes one of those blocks, exactly
as the chapter prints it, and compares what it computes with ``convbook``.
It also pins the conventions the chapter states about these frameworks
(kernel layouts, ``transpose_kernel``, the padding of ``lax.conv_transpose``).

JAX and Keras (on its JAX backend) are an optional extra: without them these
tests are skipped on a developer's machine, but under CI (``CI`` set) a
missing package is an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import convbook

os.environ["KERAS_BACKEND"] = "jax"  # before keras is imported

try:
    import jax.numpy as jnp
    import keras
    from jax import lax
except ImportError as error:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        raise ImportError(
            "CI must run the Keras and JAX blocks of book/frameworks.md: "
            "install the `jax` extra (pip install convbook[jax])"
        ) from error
    pytest.skip(
        "JAX or Keras is not installed (pip install convbook[jax])",
        allow_module_level=True,
    )

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "frameworks.md"
TEXT = CHAPTER.read_text(encoding="utf-8")
BLOCKS = dict(
    re.findall(r"```\{code-block\} python\n:name: (\S+)\n\n(.*?)```", TEXT, re.S)
)


def _cell(first_line: str) -> str:
    """The source of the chapter's code cell that starts with ``first_line``."""
    match = re.search(
        r"```\{code-cell\} ipython3\n(" + re.escape(first_line) + r"\n.*?)```",
        TEXT,
        re.S,
    )
    assert match is not None, f"no code cell starting {first_line!r} in frameworks.md"
    return match.group(1)


@pytest.fixture
def namespace() -> dict:
    """The chapter's data cell, run as printed: a1, w2, b2 and rng."""
    names: dict = {"np": np, "convbook": convbook}
    exec(_cell("rng = np.random.default_rng(2)"), names)
    return names


def _run(name: str, names: dict) -> dict:
    assert name in BLOCKS, f"frameworks.md has no code block named {name}"
    exec(BLOCKS[name], names)
    return names


def _o2(names: dict) -> np.ndarray:
    return convbook.conv2d(names["a1"], names["w2"], names["b2"], padding=1)


def test_every_keras_and_jax_block_is_tested():
    shown = {name for name, code in BLOCKS.items() if re.search(r"keras|jax|lax", code)}
    tested = {
        "code-fw-keras",
        "code-fw-jax",
        "code-fw-jax-nhwc",
        "code-fw-keras-stride2",
        "code-fw-jax-reflect",
        "code-fw-keras-transpose",
        "code-fw-jax-transpose",
    }
    assert shown == tested


def test_keras_block_gives_the_books_second_layer(namespace):
    out = _run("code-fw-keras", namespace)["o2_keras"]
    assert out.shape == (1, 28, 28, 32)
    np.testing.assert_allclose(out.transpose(0, 3, 1, 2), _o2(namespace), atol=1e-5)


@pytest.mark.parametrize("name", ["code-fw-jax", "code-fw-jax-nhwc"])
def test_jax_blocks_give_the_books_second_layer(namespace, name):
    _run("code-fw-jax", namespace)  # the NHWC block continues this one
    _run(name, namespace)
    if name == "code-fw-jax":
        out = np.asarray(namespace["o2_jax"])
    else:
        out = np.asarray(namespace["o2_jax_nhwc"]).transpose(0, 3, 1, 2)
    assert out.shape == (1, 32, 28, 28)
    np.testing.assert_allclose(out, _o2(namespace), atol=1e-5)


def test_keras_strided_same_is_convbooks_same(capsys):
    _run("code-fw-keras-stride2", {"np": np})
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line, (h, f) in zip(lines, [(7, 3), (8, 4)], strict=True):
        img = np.random.default_rng(h).standard_normal((1, h, h))
        ker = np.random.default_rng(f).standard_normal((1, 1, f, f))
        ours = convbook.conv2d(img, ker, stride=2, padding="same-tf")
        o = ours.shape[-1]
        assert line.startswith(f"{h} {f} (1, {o}, {o}, 1) ")
        assert float(line.split()[-1]) == pytest.approx(float(ours.sum()), abs=2e-3)


def test_jax_reflect_block_is_numpy_reflect_padding(namespace):
    out = np.asarray(_run("code-fw-jax-reflect", namespace)["o2_jax_reflect"])
    padded = np.pad(namespace["a1"], ((0, 0), (0, 0), (1, 1), (1, 1)), mode="reflect")
    ours = convbook.conv2d(padded, namespace["w2"], namespace["b2"])
    np.testing.assert_allclose(out, ours, atol=1e-5)


@pytest.fixture
def transposed(namespace) -> dict:
    exec(
        _cell("o_small = rng.standard_normal((1, 32, 14, 14)).astype(np.float32)"),
        namespace,
    )
    return namespace


def test_keras_transpose_block_is_conv_transpose2d(transposed):
    out = _run("code-fw-keras-transpose", transposed)["up_keras"]
    assert out.shape == (1, 29, 29, 16)
    np.testing.assert_allclose(out.transpose(0, 3, 1, 2), transposed["up"], atol=1e-5)


def test_jax_transpose_block_is_conv_transpose2d(transposed):
    out = np.asarray(_run("code-fw-jax-transpose", transposed)["up_jax"])
    np.testing.assert_allclose(out, transposed["up"], atol=1e-5)


def test_jax_conv_transpose_needs_transpose_kernel(transposed):
    # "matches PyTorch only with transpose_kernel=True": without it PyTorch's
    # (C, K, F, F) weight is refused when C != K ...
    args = {
        "strides": (2, 2),
        "padding": "VALID",
        "dimension_numbers": ("NCHW", "OIHW", "NCHW"),
    }
    with pytest.raises(ValueError, match="rhs input feature dimension"):
        lax.conv_transpose(transposed["o_small"], transposed["w_t"], **args)
    # ... and gives other numbers when C == K
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 4, 5, 5)).astype(np.float32)
    w = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    ours = convbook.conv_transpose2d(x, w, stride=2)
    plain = np.asarray(lax.conv_transpose(x, w, **args))
    flipped = np.asarray(lax.conv_transpose(x, w, transpose_kernel=True, **args))
    assert plain.shape == ours.shape
    assert np.abs(plain - ours).max() > 0.1
    np.testing.assert_allclose(flipped, ours, atol=1e-5)


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_jax_explicit_transpose_padding_is_f_minus_1_minus_p(padding):
    # "JAX's explicit padding pairs ... F - 1 - P on each side"
    rng = np.random.default_rng(padding)
    x = rng.standard_normal((1, 4, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)  # (C, K, F, F)
    q = 3 - 1 - padding
    theirs = lax.conv_transpose(
        x,
        w,
        strides=(2, 2),
        padding=[(q, q), (q, q)],
        dimension_numbers=("NCHW", "OIHW", "NCHW"),
        transpose_kernel=True,
    )
    ours = convbook.conv_transpose2d(x, w, stride=2, padding=padding)
    np.testing.assert_allclose(np.asarray(theirs), ours, atol=1e-5)


def test_keras_kernel_layouts():
    # the table: Conv2D is HWIO, Conv2DTranspose is (F, F, K, C),
    # DepthwiseConv2D is (F, F, C, m)
    conv = keras.layers.Conv2D(32, 3)
    conv.build((None, 28, 28, 16))
    assert tuple(conv.kernel.shape) == (3, 3, 16, 32)
    assert tuple(conv.bias.shape) == (32,)
    up = keras.layers.Conv2DTranspose(16, 3)
    up.build((None, 14, 14, 32))
    assert tuple(up.kernel.shape) == (3, 3, 16, 32)
    depthwise = keras.layers.DepthwiseConv2D(3, depth_multiplier=2)
    depthwise.build((None, 28, 28, 16))
    assert tuple(depthwise.kernel.shape) == (3, 3, 16, 2)


def test_keras_refuses_stride_with_dilation():
    with pytest.raises(ValueError, match="dilation_rate"):
        keras.layers.Conv2D(8, 3, strides=2, dilation_rate=2)


def test_jax_pad_reflect_is_numpy_reflect():
    row = np.array([1.0, 2.0, 3.0])
    assert np.array_equal(
        np.asarray(jnp.pad(row, 2, mode="reflect")), np.pad(row, 2, mode="reflect")
    )
