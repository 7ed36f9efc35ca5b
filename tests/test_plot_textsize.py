"""Tests of convbook.plot.textsize: measuring the smallest glyph of a figure.

The expected sizes are the font sizes each test sets (and matplotlib's
mathtext rule that a sub- or superscript is drawn at 0.7 of its base), so
they do not come from the module under test.
"""

from __future__ import annotations

import io
import struct
import zlib

import matplotlib

matplotlib.use("Agg")  # tests only; the package never selects a backend

import matplotlib.pyplot as plt
import numpy as np
import pytest

from convbook import plot


def _svg(fig) -> bytes:
    out = io.BytesIO()
    plot.save_figure(fig, out, format="svg")
    plt.close(fig)
    return out.getvalue()


def _figure_with_text(*sizes: float, math: str | None = None):
    fig, ax = plot.new_figure(3, 2)
    ax.set_xticks([])
    ax.set_yticks([])
    for k, size in enumerate(sizes):
        ax.text(0.1, 0.2 * k + 0.1, f"label {k}", fontsize=size)
    if math is not None:
        ax.set_xlabel(math, fontsize=12)
    return fig


@pytest.mark.parametrize(
    ("sizes", "math", "expected"),
    [
        ((9, 14, 11.5), None, 9.0),
        ((30,), None, 30.0),
        ((), "$A_0$", 12 * 0.7),  # one level of subscript
        ((), "$A^{(1)}_{k}$", 12 * 0.7),
        ((), "$e^{x_0}$", 12 * 0.7 * 0.7),  # a subscript inside a superscript
        ((6,), "$A_0$", 6.0),
    ],
)
def test_smallest_text_finds_the_smallest_glyph(sizes, math, expected):
    svg = _svg(_figure_with_text(*sizes, math=math))
    assert plot.smallest_text(svg) == pytest.approx(expected, rel=1e-6)
    assert plot.smallest_text(svg.decode()) == pytest.approx(expected, rel=1e-6)


def test_smallest_text_of_a_figure_without_text_is_none():
    fig, ax = plot.new_figure(2, 2)
    ax.axis("off")
    ax.imshow(np.eye(3))
    assert plot.smallest_text(_svg(fig)) is None


def test_smallest_text_follows_rotated_text():
    fig = _figure_with_text(14)
    fig.axes[0].set_ylabel("rotated", fontsize=8)
    assert plot.smallest_text(_svg(fig)) == pytest.approx(8.0)


def test_figure_smallest_text_agrees_with_the_saved_svg():
    fig = _figure_with_text(10, 7.5, math="$O^{(2)}$")
    measured = plot.figure_smallest_text(fig)
    assert measured == pytest.approx(7.5)
    assert plot.smallest_text(_svg(fig)) == measured


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            3,
            TypeError,
            "`svg` must be the SVG file as bytes or str, got 3 of type int",
        ),
        (b"<svg", ValueError, "`svg` is not an SVG document: unclosed token: "),
        (
            b"<html></html>",
            ValueError,
            "`svg` is not an SVG document: its root is <html>",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>9</text></svg>',
            ValueError,
            "`svg` draws its text as <text> elements (svg.fonttype 'none'); "
            "only text drawn as paths (svg.fonttype 'path') can be measured",
        ),
    ],
)
def test_smallest_text_errors(value, error, message):
    with pytest.raises(error) as caught:
        plot.smallest_text(value)
    if message.endswith(": "):  # the parser's own words follow
        assert str(caught.value).startswith(message)
    else:
        assert str(caught.value) == message


def test_smallest_text_refuses_text_elements_from_matplotlib_itself():
    fig = _figure_with_text(10)
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(out, format="svg")
    plt.close(fig)
    with pytest.raises(ValueError, match=r"svg.fonttype 'none'"):
        plot.smallest_text(out.getvalue())


def test_png_smallest_text_reads_what_as_png_records():
    fig = _figure_with_text(9, 12)
    image = plot.as_png(fig, dpi=144)  # 2 pixels per point
    assert plot.png_smallest_text(image.data) == pytest.approx(18.0)
    empty, ax = plot.new_figure(1, 1)
    ax.axis("off")
    assert plot.png_smallest_text(plot.as_png(empty).data) is None


def _png_with_chunk(kind: bytes, body: bytes) -> bytes:
    """A tiny valid PNG carrying one extra chunk."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, format="png")
    data = out.getvalue()
    chunk = struct.pack(">I", len(body)) + kind + body
    chunk += struct.pack(">I", zlib.crc32(kind + body))
    return data[:-12] + chunk + data[-12:]


def test_png_smallest_text_reads_compressed_chunks_too():
    body = plot.PNG_TEXT_KEY.encode() + b"\0\0" + zlib.compress(b"12.50")
    assert plot.png_smallest_text(_png_with_chunk(b"zTXt", body)) == 12.5


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            "x",
            TypeError,
            "`png` must be the PNG file as bytes, got 'x' of type str",
        ),
        (b"GIF89a", ValueError, "`png` is not a PNG file (its signature is wrong)"),
        (
            "plain",
            ValueError,
            "`png` does not record its text size (no 'convbook smallest text px' "
            "text chunk); make it with convbook.plot.as_png",
        ),
    ],
)
def test_png_smallest_text_errors(value, error, message):
    if value == "plain":
        value = _png_with_chunk(b"tEXt", b"Comment\0hello")
    with pytest.raises(error) as caught:
        plot.png_smallest_text(value)
    assert str(caught.value) == message


def test_figure_smallest_text_errors():
    with pytest.raises(TypeError) as caught:
        plot.figure_smallest_text("fig")
    assert str(caught.value) == (
        "`fig` must be a matplotlib Figure, got 'fig' of type str"
    )


def test_min_text_pt_is_min_text_px_at_natural_size():
    # CSS: 96 pixels and 72 points per inch.
    assert plot.MIN_TEXT_PT * 96 / 72 == plot.MIN_TEXT_PX
