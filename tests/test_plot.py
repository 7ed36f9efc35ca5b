"""Tests of convbook.plot: what each helper draws, house style, determinism.

Every expected count below is computed here independently of the module
(cells of a padded grid, taps of a window, rows no window reads, paths
between two layers), then compared with the artists on the figure.
"""

from __future__ import annotations

import io
import subprocess
import sys
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")  # tests only; the package never selects a backend

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.layout_engine import ConstrainedLayoutEngine
from scipy.signal import correlate2d

import convbook
from convbook import plot
from convbook.layers import Conv2d, MaxPool2d, ReLU

MINUS = "\u2212"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def cell_texts(ax):
    """Texts drawn inside grid cells, keyed by (row, col)."""
    return {
        (int(t.get_position()[1] - 0.5), int(t.get_position()[0] - 0.5)): t.get_text()
        for t in ax.texts
    }


def cell_faces(ax):
    """Colour of each cell of a grid, from its image: a (rows, cols) array."""
    rgb = np.asarray(ax.images[0].get_array())
    return np.array([[to_hex(c) for c in row] for row in rgb])


def faces(patches):
    return [to_hex(p.get_facecolor()) for p in patches]


def corners(patches):
    """(row, col) of the top-left corner of each rectangle."""
    return [(p.get_y(), p.get_x()) for p in patches]


# --------------------------------------------------------------------------
# House style, shared by every helper
# --------------------------------------------------------------------------


def _grid_figure():
    fig, ax = plot.new_figure(3, 3)
    plot.draw_grid(ax, np.arange(9).reshape(3, 3), padding=1, highlight=(0, 0, 2, 2))
    return fig


def _overlay_figure():
    fig, ax = plot.new_figure(3, 3)
    plot.receptive_field_overlay(ax, (5, 5), (0, 2), (0, 2), padding_extent=1)
    return fig


def _heatmap_figure():
    fig, ax = plot.new_figure(3, 3)
    plot.dependency_heatmap(ax, np.outer([1, 2, 1], [1, 2, 1]))
    return fig


BUILDERS = {
    "new_figure": lambda: plot.new_figure(2, 2)[0],
    "draw_grid": _grid_figure,
    "draw_sliding_window": lambda: plot.draw_sliding_window(
        np.arange(16).reshape(4, 4), 3, padding=1, kernel=np.ones((3, 3), int)
    ),
    "draw_stride_coverage_1d": lambda: plot.draw_stride_coverage(6, 3, stride=2),
    "draw_stride_coverage_2d": lambda: plot.draw_stride_coverage(
        (5, 6), 3, stride=2, padding=1
    ),
    "feature_maps": lambda: plot.feature_maps(
        np.arange(-24, 24).reshape(3, 4, 4), colorbar=True, image=np.eye(4)
    ),
    "receptive_field_overlay": _overlay_figure,
    "receptive_field_layers": lambda: plot.receptive_field_layers(
        9, [(3, 1, 1), (3, 2)]
    ),
    "dependency_heatmap": _heatmap_figure,
    "bar_timings": lambda: plot.bar_timings({"a": 1e-3, "b": 2e-2}),
}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_house_style(build):
    fig = build()
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    assert fig.get_suptitle() == ""
    assert fig.axes
    for ax in fig.axes:
        assert ax.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
        assert all(ax.get_title(loc=loc) == "" for loc in ("left", "center", "right"))
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_png_and_svg_are_deterministic(build):
    fig = build()
    pngs = []
    for _ in range(2):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        pngs.append(buffer.getvalue())
    assert pngs[0] == pngs[1]
    with matplotlib.rc_context({"svg.hashsalt": "test"}):
        svgs = []
        for _ in range(2):
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
            svgs.append(buffer.getvalue())
    assert svgs[0] == svgs[1]
    assert b"<dc:date>" not in svgs[0]
    # So does a tight bounding box (what Jupyter's inline backend uses).
    tight = []
    for _ in range(2):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        tight.append(buffer.getvalue())
    assert tight[0] == tight[1]
    # A second, independently built figure gives the same bytes too.
    again = io.BytesIO()
    build().savefig(again, format="png", metadata={"Software": None})
    assert again.getvalue() == pngs[0]


def test_layout_is_applied_and_repeated_exactly():
    fig = BUILDERS["draw_sliding_window"]()
    width = fig.get_size_inches()[0]
    positions = []
    for _ in range(3):
        fig.draw_without_rendering()
        positions.append([tuple(ax.get_position().bounds) for ax in fig.axes])
    assert positions[0] == positions[1] == positions[2]
    # Constrained layout did run: the first panel starts near the left edge,
    # not at matplotlib's default subplot margin of 12.5 % of the width.
    assert positions[0][0][0] * width < 0.2
    assert all(ax.get_in_layout() for ax in fig.axes)


def test_png_stays_small():
    # The richest figure of the shape chapter must leave room in a 300 KB page.
    fig = BUILDERS["draw_sliding_window"]()
    buffer = io.BytesIO()
    plot.save_figure(fig, buffer, format="png")
    assert len(buffer.getvalue()) < 120_000


def test_save_figure_strips_stamps_and_infers_format(tmp_path):
    fig = _grid_figure()
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    plot.save_figure(fig, first)
    plot.save_figure(fig, str(second))
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().startswith(b"<?xml")
    assert b"<dc:date>" not in first.read_bytes()
    png = tmp_path / "a.png"
    plot.save_figure(fig, png)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert b"Software" not in png.read_bytes()
    buffer = io.BytesIO()
    plot.save_figure(fig, buffer)
    assert buffer.getvalue() == png.read_bytes()


def test_import_convbook_does_not_import_matplotlib():
    code = "import sys, convbook; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_palette_is_okabe_ito():
    assert plot.OKABE_ITO[5] == "#0072B2"
    assert len(set(plot.OKABE_ITO)) == 8
    assert plot.tint("window") != plot.COLORS["never_read"]


# --------------------------------------------------------------------------
# new_figure
# --------------------------------------------------------------------------


def test_new_figure_settings():
    fig, ax = plot.new_figure(5, 2)
    assert tuple(fig.get_size_inches()) == (5.0, 2.0)
    assert fig.dpi == plot.DPI
    assert len(fig.axes) == 1
    assert ax is fig.axes[0]
    fig, axes = plot.new_figure(nrows=2, ncols=3, sharex=True)
    assert axes.shape == (2, 3)
    assert len(fig.axes) == 6


def test_new_figure_keeps_white_even_if_asked_otherwise():
    fig, _ = plot.new_figure(facecolor="black")
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"width": 0}, ValueError, r"^`width` must be a positive number, got 0$"),
        (
            {"height": float("nan")},
            ValueError,
            r"^`height` must be a positive number, got nan$",
        ),
        (
            {"width": "6"},
            TypeError,
            r"^`width` must be a positive number, got '6' of type str$",
        ),
        ({"nrows": 0}, ValueError, r"^`nrows` must be a positive integer, got 0$"),
        (
            {"ncols": 1.0},
            TypeError,
            r"^`ncols` must be an integer, got 1\.0 of type float$",
        ),
        (
            {"width": 9},
            ValueError,
            r"^`width` must be at most 6\.8 inches \(the text column; the page "
            r"shrinks a wider figure and its text with it\), got 9\.0$",
        ),
    ],
)
def test_new_figure_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot.new_figure(**kwargs)


# --------------------------------------------------------------------------
# as_png
# --------------------------------------------------------------------------


def _photo_figure():
    """A figure with a smooth colour image: many colours before quantising."""
    rng = np.random.default_rng(0)
    fig, ax = plot.new_figure(3, 3)
    ax.imshow(rng.random((40, 40, 3)), interpolation="bilinear")
    return fig


def test_as_png_is_a_palette_png_whose_only_metadata_is_its_text_size():
    from PIL import Image

    fig = _photo_figure()
    image = plot.as_png(fig, colors=64)
    assert isinstance(image, plot.PNGImage)
    data, shown = image._repr_png_()
    assert data is image.data
    assert shown == {"width": image.display_width}
    with Image.open(io.BytesIO(image.data)) as opened:
        assert opened.format == "PNG"
        assert opened.mode == "P"
        assert len(opened.getcolors()) <= 64
        assert (opened.width, opened.height) == (image.width, image.height)
        # The tick labels, 10 pt by default, in pixels at 192 per inch.
        assert opened.text == {plot.PNG_TEXT_KEY: f"{10 * 192 / 72:.2f}"}
    assert image.data.count(b"tEXt") == 1
    for chunk in (b"iTXt", b"zTXt", b"tIME", b"pHYs"):
        assert chunk not in image.data
    assert repr(image).startswith(f"<PNGImage {image.width}x{image.height}, ")


def test_as_png_is_deterministic_and_smaller_than_a_plain_png():
    fig = _photo_figure()
    first = plot.as_png(fig, close=False)
    second = plot.as_png(fig, close=False)
    assert first.data == second.data
    plain = io.BytesIO()
    plot.save_figure(fig, plain, format="png", bbox_inches="tight")
    assert len(first.data) < len(plain.getvalue())
    # An independently built figure gives the same bytes.
    assert plot.as_png(_photo_figure()).data == first.data


def test_as_png_resolution_and_closing():
    fig = _photo_figure()
    full = plot.as_png(fig, close=False)
    assert plt.fignum_exists(fig.number)
    half = plot.as_png(fig, dpi=50)
    assert not plt.fignum_exists(fig.number)
    assert abs(full.width - 192 / 50 * half.width) <= 4
    # Both are shown at 96 CSS pixels per inch of figure: 2 device pixels per
    # CSS pixel at the default resolution.
    assert full.display_width == round(full.width / 2)
    assert abs(full.display_width - half.display_width) <= 2


def test_as_png_is_shown_as_image_png_by_ipython():
    # What myst-nb's glue and a cell's output rely on: IPython's formatter
    # finds the PNG through `_repr_png_`, without the package importing IPython.
    from IPython.core.formatters import PNGFormatter

    image = plot.as_png(plot.new_figure(1, 1)[0])
    assert PNGFormatter()(image) == (image.data, {"width": image.display_width})
    code = (
        "import sys, matplotlib; matplotlib.use('Agg'); from convbook import plot; "
        "plot.as_png(plot.new_figure(1, 1)[0]); print('IPython' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            ("fig",),
            {},
            TypeError,
            r"^`fig` must be a matplotlib Figure, got 'fig' of type str$",
        ),
        (
            (None,),
            {"colors": 1},
            ValueError,
            r"^`colors` must be an integer >= 2, got 1$",
        ),
        (
            (None,),
            {"colors": 257},
            ValueError,
            r"^`colors` must be at most 256 \(a PNG palette's size\), got 257$",
        ),
        (
            (None,),
            {"colors": 8.0},
            TypeError,
            r"^`colors` must be an integer, got 8\.0 of type float$",
        ),
        ((None,), {"dpi": 0}, ValueError, r"^`dpi` must be a positive number, got 0$"),
    ],
)
def test_as_png_errors(args, kwargs, error, match):
    if args == (None,):
        args = (plot.new_figure(1, 1)[0],)
    with pytest.raises(error, match=match):
        plot.as_png(*args, **kwargs)


# --------------------------------------------------------------------------
# draw_grid
# --------------------------------------------------------------------------


def test_draw_grid_writes_every_number_in_its_cell():
    values = np.array([[3, -1, 0], [12, 5, -20]])
    _fig, ax = plot.new_figure(3, 2)
    plot.draw_grid(ax, values)
    expected = {
        (r, c): str(v).replace("-", MINUS) for (r, c), v in np.ndenumerate(values)
    }
    assert cell_texts(ax) == expected
    # One image pixel per cell, one line of borders, no patch.
    assert ax.images[0].get_array().shape == (2, 3, 3)
    assert tuple(ax.images[0].get_extent()) == (0, 3, 2, 0)
    assert ax.images[0].get_interpolation() == "none"
    assert len(ax.lines) == 1
    assert not ax.patches
    assert (cell_faces(ax) == "#ffffff").all()


@pytest.mark.parametrize(
    ("values", "texts"),
    [
        ([[1.0, -2.0]], ["1", MINUS + "2"]),  # integral floats: no decimals
        ([[0.5, 0.25, 1 / 3]], ["0.5", "0.25", "0.33"]),  # at most two decimals
        ([[-0.001, 2.0, 10.126]], ["0", "2", "10.13"]),  # never "-0"
    ],
)
def test_draw_grid_number_format(values, texts):
    _fig, ax = plot.new_figure(3, 1)
    plot.draw_grid(ax, values)
    assert [t.get_text() for t in ax.texts] == texts


def test_draw_grid_custom_format_and_blank_nan():
    _fig, ax = plot.new_figure(3, 1)
    plot.draw_grid(ax, [[1.0, np.nan, 3.0]], fmt="{:.1f}")
    assert cell_texts(ax) == {(0, 0): "1.0", (0, 2): "3.0"}
    _fig, ax = plot.new_figure(3, 1)
    plot.draw_grid(ax, [[1, 2]], annotate=False, label="kernel")
    assert len(ax.texts) == 0
    assert ax.get_xlabel() == "kernel"


@pytest.mark.parametrize(
    ("padding", "pads"),
    [
        (1, ((1, 1), (1, 1))),
        ((2, 0), ((2, 2), (0, 0))),
        (((1, 0), (0, 2)), ((1, 0), (0, 2))),
    ],
)
def test_draw_grid_padding_cells(padding, pads):
    values = np.arange(1, 7).reshape(2, 3)
    (top, bottom), (left, right) = pads
    rows, cols = 2 + top + bottom, 3 + left + right
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, values, padding=padding)
    grey = {
        (r, c)
        for (r, c), face in np.ndenumerate(cell_faces(ax))
        if face == plot.COLORS["padding"].lower()
    }
    expected = {
        (r, c)
        for r in range(rows)
        for c in range(cols)
        if not (top <= r < top + 2 and left <= c < left + 3)
    }
    assert cell_faces(ax).shape == (rows, cols)
    assert grey == expected
    assert len(grey) == rows * cols - values.size
    texts = cell_texts(ax)
    assert all(texts[rc] == "0" for rc in expected)
    assert {to_hex(t.get_color()) for t in ax.texts if t.get_text() == "0"} == {
        plot.COLORS["muted"].lower()
    }
    assert texts[top, left] == "1"
    assert texts[top + 1, left + 2] == "6"
    # Light style: no hatching; the padding's own borders are grey, the
    # input's dark, each colour one line.
    assert not ax.patches
    assert [to_hex(line.get_color()) for line in ax.lines] == [
        plot.COLORS["padding_edge"].lower(),
        plot.COLORS["grid"].lower(),
    ]


def test_draw_grid_window_outline_and_taps():
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.arange(16).reshape(4, 4), padding=1, highlight=(1, 2, 2, 3))
    assert len(ax.patches) == 1  # the taps are tinted in the image
    tinted = {rc for rc, face in np.ndenumerate(cell_faces(ax)) if face != "#ffffff"}
    padding = {(r, c) for r in range(6) for c in range(6) if r in (0, 5) or c in (0, 5)}
    assert tinted - padding == {(r, c) for r in (1, 2) for c in (2, 3, 4)}
    # A tap is 30 % of the window's colour over the cell's face.
    tap = np.asarray(ax.images[0].get_array())[1, 2]
    blend = 0.7 * np.ones(3) + 0.3 * np.asarray(to_rgba(plot.COLORS["window"])[:3])
    assert tap == pytest.approx(blend)
    outline = ax.patches[-1]
    assert (outline.get_x(), outline.get_y()) == (2, 1)
    assert (outline.get_width(), outline.get_height()) == (3, 2)
    assert to_hex(outline.get_edgecolor()) == plot.COLORS["window"].lower()
    assert not outline.get_fill()


def test_draw_grid_dilated_window_marks_only_the_taps():
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.zeros((7, 7)), highlight=(1, 0, 3, 2, (2, 3)))
    taps = ax.patches[:-1]  # each tap outlined
    assert set(corners(taps)) == {
        (1 + 2 * a, 3 * b) for a in range(3) for b in range(2)
    }
    span = ax.patches[-1]
    assert (span.get_width(), span.get_height()) == (4, 5)
    assert span.get_linestyle() == "--"


def test_draw_grid_several_windows_get_distinct_colours():
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.zeros((5, 5)), highlight=[(0, 0, 3, 3), (0, 2, 3, 3)])
    assert len(ax.patches) == 2
    assert len({to_hex(p.get_edgecolor()) for p in ax.patches}) == 2
    # The column both windows read is tinted by one, then by the other.
    first, second = (np.asarray(to_rgba(p.get_edgecolor())[:3]) for p in ax.patches)
    twice = 0.7 * (0.7 + 0.3 * first) + 0.3 * second
    assert np.asarray(ax.images[0].get_array())[0, 2] == pytest.approx(twice)


def test_draw_grid_mask_in_input_coordinates_is_shifted_by_padding():
    mask = np.zeros((3, 3), dtype=bool)
    mask[0, 2] = mask[2, 1] = True
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.ones((3, 3)), padding=1, highlight=mask)
    assert set(corners(ax.patches)) == {(1, 3), (3, 2)}
    padded = np.zeros((5, 5), dtype=bool)
    padded[0, 0] = True
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.ones((3, 3)), padding=1, highlight=padded)
    assert corners(ax.patches) == [(0, 0)]


def test_draw_grid_colour_map_and_text_contrast():
    _fig, ax = plot.new_figure(3, 1)
    plot.draw_grid(ax, [[0, 5, 10]], cmap="Blues")
    light, _, dark = cell_faces(ax)[0]
    assert light != dark
    assert to_hex(ax.texts[0].get_color()) == plot.COLORS["text"].lower()
    assert ax.texts[2].get_color() == "white"


def test_draw_grid_indices_skip_padding():
    _fig, ax = plot.new_figure(3, 3)
    plot.draw_grid(ax, np.zeros((2, 3)), padding=1, show_indices=True)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert list(ax.get_xticks()) == [1.5, 2.5, 3.5]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"values": [1, 2]},
            ValueError,
            r"^`values` must have 2 dimensions \(H, W\), got 1 \(shape \(2,\)\)$",
        ),
        (
            {"values": [["a"]]},
            TypeError,
            r"^`values` must be a numeric \(integer or floating\) array \(H, W\), got "
            r"dtype <U1$",
        ),
        (
            {"padding": "same"},
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\) or a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), got 'same' \(a named padding "
            r"needs the kernel and the stride: pass it to the function that slides "
            r"the window, or resolve it with convbook\.resolve_geometry\)$",
        ),
        ({"padding": -1}, ValueError, r"^`padding` must be an integer >= 0, got -1$"),
        (
            {"highlight": (0, 0, 3)},
            ValueError,
            r"^`highlight` must be a window \(row, col, kh, kw\) or \(row, col, kh, "
            r"kw, dilation\), a list of windows or a boolean mask, got \(0, 0, 3\)$",
        ),
        (
            {"highlight": (1, 1, 2, 2)},
            ValueError,
            r"^`highlight` window \(1, 1, 2, 2\) reaches row 2, column 2, outside the "
            r"padded grid of shape \(2, 2\); rows and columns count from the top-left "
            r"corner of the padded grid$",
        ),
        (
            {"highlight": (0, 0, 1, 1, 0)},
            ValueError,
            r"^`highlight dilation` must be a positive integer, got 0$",
        ),
        (
            {"highlight": np.ones((2, 2))},
            TypeError,
            r"^`highlight` given as an array must be a boolean mask, got dtype "
            r"float64$",
        ),
        (
            {"highlight": np.ones((3, 3), bool)},
            ValueError,
            r"^`highlight` mask has shape \(3, 3\); it must match the input \(2, 2\) "
            r"or the padded grid \(2, 2\)$",
        ),
        (
            {"fmt": 3},
            TypeError,
            r"^`fmt` must be a format string such as '\{:\.1f\}', a callable or None, "
            r"got 3$",
        ),
        (
            {"frame": 1},
            ValueError,
            r"^`frame` \(1, 1\) is smaller than the padded grid \(2, 2\); it must hold "
            r"at least as many rows and columns$",
        ),
        (
            {"frame": (3, 0)},
            ValueError,
            r"^`frame\[1\]` must be a positive integer, got 0$",
        ),
        (
            {"label_fontsize": 0},
            ValueError,
            r"^`label_fontsize` must be a positive number, got 0$",
        ),
    ],
)
def test_draw_grid_errors(kwargs, error, match):
    _fig, ax = plot.new_figure(2, 2)
    arguments = {"values": [[1, 2], [3, 4]], **kwargs}
    with pytest.raises(error, match=match):
        plot.draw_grid(ax, **arguments)


def test_draw_grid_refuses_something_else_than_axes():
    fig, _ = plot.new_figure(2, 2)
    with pytest.raises(
        TypeError,
        match=r"^`ax` must be a matplotlib Axes \(e\.g\. from `new_figure\(\)`\), got "
        r"<Figure size 200x200 with 1 Axes> of type Figure$",
    ):
        plot.draw_grid(fig, [[1]])


def test_draw_grid_frame_keeps_the_cell_size_across_panels():
    fig, axes = plot.new_figure(6, 2, ncols=3)
    plot.draw_grid(axes[0], np.arange(9).reshape(3, 3), frame=3)
    plot.draw_grid(axes[1], np.ones((2, 2)), frame=(3, 3))
    plot.draw_grid(axes[2], np.ones((1, 2)), padding=((0, 0), (1, 0)), frame=3)
    fig.draw_without_rendering()
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in axes]
    spans = {(round(x1 - x0, 9), round(y0 - y1, 9)) for (x0, x1), (y0, y1) in limits}
    assert spans == {(3.16, 3.16)}  # 3 cells and two margins of 0.08 each
    widths = {round(ax.get_window_extent().width, 6) for ax in axes}
    assert len(widths) == 1  # same axes size, same frame: same cell size
    # The smaller grids are centred in the frame.
    assert axes[1].get_xlim() == pytest.approx((-0.5 - 0.08, 2.5 + 0.08))
    assert axes[1].get_ylim() == pytest.approx((2.5 + 0.08, -0.5 - 0.08))
    assert axes[2].get_xlim() == pytest.approx((-0.08, 3.08))
    assert axes[2].get_ylim() == pytest.approx((2.08, -1.08))
    # The numbers get one size when the frames match.
    assert {t.get_fontsize() for ax in axes[:2] for t in ax.texts} == {
        axes[0].texts[0].get_fontsize()
    }


def test_draw_grid_label_fontsize():
    _fig, axes = plot.new_figure(6, 2, ncols=2)
    plot.draw_grid(axes[0], np.zeros((2, 2)), label="big cells", label_fontsize=8)
    plot.draw_grid(axes[1], np.zeros((9, 9)), label="small cells", label_fontsize=8)
    assert [ax.xaxis.label.get_fontsize() for ax in axes] == [8, 8]
    _fig, ax = plot.new_figure(3, 3)
    plot.draw_grid(ax, np.zeros((2, 2)), label="default", fontsize=12)
    assert ax.xaxis.label.get_fontsize() == 12  # the numbers' size, at least 9


def test_draw_grid_numbers_are_not_measured_by_the_layout():
    # Constrained layout and tight bounding boxes measure every text that is
    # in the layout; the numbers sit inside the cells, so they are left out.
    _fig, ax = plot.new_figure(3, 3)
    plot.draw_grid(ax, np.arange(9).reshape(3, 3), padding=1)
    assert len(ax.texts) == 25
    assert not any(t.get_in_layout() for t in ax.texts)


# --------------------------------------------------------------------------
# draw_sliding_window
# --------------------------------------------------------------------------


def test_sliding_window_shows_every_position_of_a_small_output():
    x = np.arange(16).reshape(4, 4)
    fig = plot.draw_sliding_window(x, 3)
    assert len(fig.axes) == 2 * 4  # output 2 x 2, an input and an output panel each
    outlines = [ax.patches[-1] for ax in fig.axes[::2]]
    assert [(p.get_y(), p.get_x()) for p in outlines] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]


def test_sliding_window_fills_the_output_up_to_the_current_position():
    x = np.arange(1, 17).reshape(4, 4)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    expected = correlate2d(np.pad(x, 1), kernel, mode="valid")  # 4 x 4
    fig = plot.draw_sliding_window(x, 3, padding=1, kernel=kernel)
    # 16 positions: (0, 0), (0, 1), (1, 0) and the last one are shown.
    inputs, outputs = fig.axes[::2], fig.axes[1::2]
    assert [ax.get_xlabel() for ax in inputs] == [
        "window at (0, 0)",
        "window at (0, 1)",
        "window at (1, 0)",
        "window at (3, 3)",
    ]
    assert cell_texts(outputs[0]) == {(0, 0): str(expected[0, 0]).replace("-", MINUS)}
    assert len(cell_texts(outputs[2])) == 5  # the first row and (1, 0)
    final = {rc: str(v).replace("-", MINUS) for rc, v in np.ndenumerate(expected)}
    assert cell_texts(outputs[3]) == final
    assert corners(outputs[3].patches) == [(3, 3)]


def test_sliding_window_stride_dilation_and_positions():
    x = np.zeros((7, 7))
    fig = plot.draw_sliding_window(
        x, 2, stride=2, dilation=2, padding=1, positions=[(0, 1), (2, 2)], ncols=1
    )
    assert len(fig.axes) == 4
    for ax, (i, j) in zip(fig.axes[::2], [(0, 1), (2, 2)], strict=True):
        span = ax.patches[-1]
        assert (span.get_y(), span.get_x()) == (2 * i, 2 * j)
        assert (span.get_width(), span.get_height()) == (3, 3)
        assert len(ax.patches) == 4 + 1  # the 2 x 2 taps, then the span
        assert cell_faces(ax).shape == (9, 9)
    # Output grid: output_size(7, 2, stride=2, padding=1, dilation=2) = 4.
    assert cell_faces(fig.axes[1]).shape == (4, 4)
    assert len(fig.axes[1].patches) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"x": np.zeros((1, 4, 4))},
            ValueError,
            r"^`x` must have 2 dimensions \(H, W\); pass one channel x\[c\], got 3 "
            r"\(shape \(1, 4, 4\)\)$",
        ),
        (
            {"kernel": np.ones((2, 2))},
            ValueError,
            r"^`kernel` has shape \(2, 2\) but `kernel_size` is \(3, 3\); they must "
            r"match$",
        ),
        (
            {"positions": [(2, 0)]},
            ValueError,
            r"^`positions` must hold output positions \(i, j\) with 0 <= i < 2 and 0 "
            r"<= j < 2, got \(2, 0\)$",
        ),
        (
            {"positions": []},
            ValueError,
            r"^`positions` must list output positions \(i, j\), got \[\]$",
        ),
        ({"ncols": 0}, ValueError, r"^`ncols` must be a positive integer, got 0$"),
        (
            {"kernel_size": 5},
            ValueError,
            r"^along the height, the dilated kernel spans 5 pixels \(`kernel_size` 5, "
            r"`dilation` 1\) but the padded input has only 4 \(`x` 4 plus `padding` "
            r"0\+0\); the kernel must fit inside the padded input$",
        ),
    ],
)
def test_sliding_window_errors(kwargs, error, match):
    arguments = {"x": np.zeros((4, 4)), "kernel_size": 3, **kwargs}
    with pytest.raises(error, match=match):
        plot.draw_sliding_window(**arguments)


def test_sliding_window_stays_light():
    # The figure of the shape chapter: few artists per panel (one image of
    # the cells, two lines of borders, the window's outline), and a small SVG.
    fig = plot.draw_sliding_window(
        np.zeros((5, 5)), 3, stride=2, padding=1, annotate=False
    )
    for ax in fig.axes[::2]:
        assert len(ax.images) == 1
        assert len(ax.lines) == 2
        assert len(ax.patches) == 1
        assert not ax.texts
        assert all(p.get_hatch() is None for p in ax.patches)
    buffer = io.BytesIO()
    plot.save_figure(fig, buffer, format="svg", bbox_inches="tight")
    assert len(buffer.getvalue()) < 50_000
    assert b"<pattern" not in buffer.getvalue()  # no hatching


# --------------------------------------------------------------------------
# draw_stride_coverage
# --------------------------------------------------------------------------


def unread_positions(size, k, s, p, d):
    """Padded positions that no tap reads, by brute force."""
    padded = size + 2 * p
    count = (padded - d * (k - 1) - 1) // s + 1
    read = {j * s + t * d for j in range(count) for t in range(k)}
    return sorted(set(range(padded)) - read), count


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "d"),
    [
        (5, 3, 2, 0, 1),  # (5 - 3) % 2 = 0: all read
        (6, 3, 2, 0, 1),  # (6 - 3) % 2 = 1: the last row is lost
        (8, 3, 2, 1, 1),  # padded 10, (10 - 3) % 2 = 1: the padding row
        (7, 2, 3, 0, 1),  # stride above the kernel: gaps between windows
        (10, 2, 3, 0, 2),  # dilation: holes inside the windows
        (28, 5, 4, 0, 1),  # (28 - 5) % 4 = 3 rows lost
    ],
)
def test_stride_coverage_marks_exactly_the_unread_rows(size, k, s, p, d):
    fig = plot.draw_stride_coverage(size, k, stride=s, padding=p, dilation=d)
    ax = fig.axes[0]
    unread, count = unread_positions(size, k, s, p, d)
    assert count == convbook.output_size(size, k, stride=s, padding=p, dilation=d)
    cells = ax.patches[: size + 2 * p]
    marked = [
        i for i, f in enumerate(faces(cells)) if f == plot.COLORS["never_read"].lower()
    ]
    assert marked == unread
    assert len(ax.lines) == count
    for j, line in enumerate(ax.lines):
        assert list(line.get_xdata()) == [j * s + t * d + 0.5 for t in range(k)]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert ("never read" in legend) == bool(unread)
    assert ("zero padding" in legend) == bool(p)


@pytest.mark.parametrize(("size", "k", "s", "p"), [(6, 3, 2, 0), (9, 3, 2, 1)])
def test_stride_coverage_trailing_rows_follow_the_floor(size, k, s, p):
    # With d = 1 and s <= k, the unread rows are the last (i + 2p - k) % s.
    fig = plot.draw_stride_coverage(size, k, stride=s, padding=p)
    lost = (size + 2 * p - k) % s
    cells = faces(fig.axes[0].patches[: size + 2 * p])
    unread = plot.COLORS["never_read"].lower()
    assert [f == unread for f in cells] == [False] * (size + 2 * p - lost) + [
        True
    ] * lost


def test_stride_coverage_2d():
    fig = plot.draw_stride_coverage((6, 7), (3, 2), stride=(2, 3), padding=1)
    ax = fig.axes[0]
    rows_unread, _ = unread_positions(6, 3, 2, 1, 1)
    cols_unread, _ = unread_positions(7, 2, 3, 1, 1)
    cells = faces(ax.patches[: 8 * 9])
    expected = [
        r in rows_unread or c in cols_unread for r in range(8) for c in range(9)
    ]
    assert [f == plot.COLORS["never_read"].lower() for f in cells] == expected
    assert sum(expected) == 8 * 9 - (8 - len(rows_unread)) * (9 - len(cols_unread))
    assert len(ax.lines[0].get_xdata()) == 3 * 2  # the first window's taps


def test_stride_coverage_on_given_axes():
    fig, axes = plot.new_figure(6.8, 3, ncols=2)
    returned = plot.draw_stride_coverage(6, 3, stride=2, ax=axes[1])
    assert returned is fig
    assert len(axes[1].lines) == 2
    assert not axes[0].lines


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            (0, 3),
            {"stride": 1},
            ValueError,
            r"^`size` must be a positive integer, got 0$",
        ),
        (
            (5, 3),
            {"stride": 0},
            ValueError,
            r"^`stride` must be a positive integer, got 0$",
        ),
        (
            (5, 7),
            {"stride": 1},
            ValueError,
            r"^the dilated kernel spans 7 pixels \(`kernel_size` 7, `dilation` 1\) "
            r"but the padded input has only 5 \(`size` 5 plus `padding` 0\+0\); "
            r"the kernel must fit inside the padded input$",
        ),
        (
            (5, 3),
            {"stride": 1, "padding": -1},
            ValueError,
            r"^`padding` must be an integer >= 0, got -1$",
        ),
        (
            ((5, 5, 5), 3),
            {"stride": 1},
            ValueError,
            r"^`size` must be an integer or a pair \(height, width\), got \(5, 5, 5\) "
            r"with 3 elements$",
        ),
        (
            (5, 3),
            {"stride": 1, "ax": "ax"},
            TypeError,
            r"^`ax` must be a matplotlib Axes \(e\.g\. from `new_figure\(\)`\), got "
            r"'ax' of type str$",
        ),
    ],
)
def test_stride_coverage_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot.draw_stride_coverage(*args, **kwargs)


# --------------------------------------------------------------------------
# feature_maps
# --------------------------------------------------------------------------


def test_feature_maps_signed_maps_use_a_diverging_map_centred_at_zero():
    maps = np.arange(-20, 16).reshape(4, 3, 3)
    fig = plot.feature_maps(maps, titles=["a", "b", "c", "d"], ncols=3)
    assert len(fig.axes) == 4  # the two unused slots are removed
    for ax, title in zip(fig.axes, "abcd", strict=True):
        image = ax.images[0]
        assert image.get_cmap() is plot.DIVERGING
        assert image.get_clim() == (-20.0, 20.0)
        assert ax.get_xlabel() == title
        assert ax.get_title() == ""


def test_feature_maps_non_negative_maps_use_grey_from_zero():
    maps = np.maximum(np.arange(-4, 14).reshape(2, 3, 3), 0)
    fig = plot.feature_maps(maps)
    assert [ax.images[0].get_cmap().name for ax in fig.axes] == ["gray", "gray"]
    assert fig.axes[0].images[0].get_clim() == (0.0, 13.0)


def test_feature_maps_per_map_scale_and_colorbars():
    maps = np.stack([np.full((2, 2), 1.0), np.array([[0, 4], [-2, 0]])])
    fig = plot.feature_maps(maps, shared=False, colorbar=True)
    assert len(fig.axes) == 2 + 2
    assert fig.axes[0].images[0].get_clim() == (0.0, 1.0)
    assert fig.axes[1].images[0].get_clim() == (-4.0, 4.0)
    fig = plot.feature_maps(maps, colorbar=True)
    assert len(fig.axes) == 2 + 1


@pytest.mark.parametrize(
    ("image", "shape"),
    [
        (np.eye(3), (3, 3)),
        (np.zeros((3, 4, 5), dtype=np.uint8), (4, 5, 3)),  # PyTorch (C, H, W)
        (np.ones((4, 5, 3)), (4, 5, 3)),
        (np.ones((1, 4, 5)), (4, 5)),
    ],
)
def test_feature_maps_image_first(image, shape):
    fig = plot.feature_maps(np.zeros((2, 4, 4)), image=image, image_label="x")
    assert len(fig.axes) == 3
    assert fig.axes[0].images[0].get_array().shape == shape
    assert fig.axes[0].get_xlabel() == "x"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"maps": np.zeros((1, 1, 2, 2))},
            ValueError,
            r"^`maps` must have 2 or 3 dimensions \(C, H, W\), got 4 \(shape \(1, 1, "
            r"2, 2\)\)$",
        ),
        (
            {"titles": ["a"]},
            ValueError,
            r"^`titles` must hold one label per map \(2\), got \['a'\]$",
        ),
        (
            {"image": np.zeros((2, 5, 5))},
            ValueError,
            r"^`image` must be a grey \(H, W\) image or a colour image with 1 or 3 "
            r"channels, \(C, H, W\) or \(H, W, C\), got shape \(2, 5, 5\)$",
        ),
        ({"ncols": 0}, ValueError, r"^`ncols` must be a positive integer, got 0$"),
        (
            {"panel_size": -1},
            ValueError,
            r"^`panel_size` must be a positive number, got -1$",
        ),
        (
            {"row_labels": ["a", "b"]},
            ValueError,
            r"^`row_labels` must hold one label per row of panels \(1\), got \['a', "
            r"'b'\]$",
        ),
        (
            {"row_labels": "a"},
            ValueError,
            r"^`row_labels` must hold one label per row of panels \(1\), got 'a'$",
        ),
    ],
)
def test_feature_maps_errors(kwargs, error, match):
    arguments = {"maps": np.zeros((2, 3, 3)), **kwargs}
    with pytest.raises(error, match=match):
        plot.feature_maps(**arguments)


def test_feature_maps_row_labels_and_no_resampling():
    maps = np.arange(-12, 12).reshape(6, 2, 2)
    fig = plot.feature_maps(
        maps, ncols=3, image=np.eye(2), row_labels=["before", "after", "more"]
    )
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "before",
        "",
        "",
        "after",
        "",
        "",
        "more",
    ]
    assert {ax.images[0].get_interpolation() for ax in fig.axes} == {"none"}
    buffer = io.BytesIO()
    plot.save_figure(fig, buffer, format="svg")
    svg = buffer.getvalue()
    # Unresampled: every map is embedded at its own size, 2 x 2 pixels.
    assert svg.count(b"image-rendering:pixelated") == 7
    assert svg.count(b'width="2" height="2"') == 7


# --------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------


def test_overlay_rectangles_follow_the_regions():
    _fig, ax = plot.new_figure(3, 3)
    plot.receptive_field_overlay(
        ax, (9, 9), [(0, 4), (1, 3)], [(2, 6), (3, 5)], labels=["O_2", "A_1"]
    )
    outer, inner = ax.patches[-2:]
    assert (outer.get_x(), outer.get_y(), outer.get_width(), outer.get_height()) == (
        2,
        0,
        5,
        5,
    )
    assert (inner.get_x(), inner.get_y(), inner.get_width(), inner.get_height()) == (
        3,
        1,
        3,
        3,
    )
    assert inner.get_zorder() > outer.get_zorder()  # the smaller one stays visible
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["O_2", "A_1"]


def test_overlay_padding_and_regions_reaching_into_it():
    field = convbook.receptive_field([(3, 1, 1, 1), (3, 1, 1, 1)])
    first, last = field.region(0)
    assert (first, last) == (-2, 2)
    _fig, ax = plot.new_figure(3, 3)
    plot.receptive_field_overlay(
        ax, (6, 6), (first, last), (first, last), padding_extent=2
    )
    frame = ax.patches[0]
    assert frame.get_hatch() is not None
    assert (frame.get_x(), frame.get_y(), frame.get_width()) == (-2, -2, 10)
    assert ax.patches[-1].get_width() == field.size
    assert ax.get_xlim()[0] < -2
    assert ax.get_ylim()[1] < -2


def test_overlay_on_an_image():
    _fig, ax = plot.new_figure(3, 3)
    plot.receptive_field_overlay(ax, np.eye(8), (2, 4), (2, 4))
    assert len(ax.images) == 1
    assert tuple(ax.images[0].get_extent()) == (0, 8, 8, 0)
    assert ax.get_legend() is None
    assert ax.images[0].get_cmap().name == "gray"
    assert ax.images[0].get_interpolation() == "none"


def test_overlay_colours_a_grey_image_with_a_colour_map():
    values = np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1])
    _fig, ax = plot.new_figure(3, 3)
    plot.receptive_field_overlay(ax, values, (1, 3), (1, 3), cmap="Blues")
    image = ax.images[0]
    assert image.get_cmap().name == "Blues"
    assert image.get_clim() == (1, 9)
    # The same colours as the workaround it replaces, Blues of value / max.
    expected = plt.cm.Blues((values - 1) / 8)
    assert image.to_rgba(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            ((5, 5), (3, 1), (0, 1)),
            {},
            ValueError,
            r"^`region_rows` must have first <= last, got \(3, 1\)$",
        ),
        (
            ((5, 5), (0, 1), [(0, 1), (1, 2)]),
            {},
            ValueError,
            r"^`region_rows` has 1 regions but `region_cols` has 2; they must match$",
        ),
        (
            ((5, 5), (0, 1), (0, 1)),
            {"labels": ["a", "b"]},
            ValueError,
            r"^`labels` must hold one label per region \(1\), got \['a', 'b'\]$",
        ),
        (
            ((5, 5), (0,), (0, 1)),
            {},
            ValueError,
            r"^`region_rows` must be a pair \(first, last\) or a sequence of pairs, "
            r"got \(0,\)$",
        ),
        (
            ((5, 5), (0.5, 1), (0, 1)),
            {},
            TypeError,
            r"^`region_rows first` must be an integer, got 0\.5 of type float$",
        ),
        (
            (np.zeros((2, 5, 5)), (0, 1), (0, 1)),
            {},
            ValueError,
            r"^`image` must be a grey \(H, W\) image or a colour image with 1 or 3 "
            r"channels, \(C, H, W\) or \(H, W, C\), got shape \(2, 5, 5\)$",
        ),
        (
            (np.zeros((4, 4, 3)), (0, 1), (0, 1)),
            {"cmap": "Blues"},
            ValueError,
            r"^`cmap` colours a grey \(H, W\) image, but `image` is a colour image "
            r"\(4, 4, 3\); pass the values to colour as a 2-D array, or leave `cmap` "
            r"out$",
        ),
        (
            ((5, 5), (0, 1), (0, 1)),
            {"cmap": "Blues"},
            ValueError,
            r"^`cmap` colours a grey \(H, W\) image, but `image` is a shape; pass the "
            r"values to colour as a 2-D array, or leave `cmap` out$",
        ),
    ],
)
def test_overlay_errors(args, kwargs, error, match):
    _fig, ax = plot.new_figure(3, 3)
    with pytest.raises(error, match=match):
        plot.receptive_field_overlay(ax, *args, **kwargs)


# The numbers behind this figure (units reached, edges, the field) are tested
# without matplotlib through convbook.trace_unit in test_receptive.py; these
# tests check that the figure draws exactly what trace_unit returns.


def segment_ends(ax):
    """For each layer, the sorted (upper x, lower x) of its drawn lines."""
    return [
        sorted((round(s[0][0], 6), round(s[1][0], 6)) for s in c.get_segments())
        for c in ax.collections
    ]


@pytest.mark.parametrize(
    ("size", "layers", "unit"),
    [
        (9, [(3, 1, 0, 1), (3, 1, 0, 1)], 2),
        (12, [(5, 2, 2, 1), (3, 2, 0, 1)], 0),
        (9, [(3, 1, 0, 2)], 1),
        (28, [(3, 1, 1), (3, 1, 1)], 0),
        (10, [(3, 1, 1), (3, 2, 1), (3, 1, 1)], 4),
    ],
)
def test_layers_draw_the_trace(size, layers, unit):
    trace = convbook.trace_unit(size, layers, unit=unit)
    ax = plot.receptive_field_layers(size, layers, unit=unit).axes[0]
    expected = [
        sorted(
            (round(trace.center(level + 1, u), 6), round(trace.center(level, v), 6))
            for u, v in pairs
        )
        for level, pairs in enumerate(trace.edges)
    ]
    assert segment_ends(ax) == expected
    assert ax.texts[-1].get_text() == f"receptive field: {trace.field.size} inputs"


@pytest.mark.parametrize(
    ("layers", "unit", "legend"),
    [
        ([(3, 1, 0, 1), (3, 1, 0, 1)], 0, ["traced unit", "units it depends on"]),
        (
            [(3, 1, 1, 1), (3, 1, 0, 1)],
            2,
            ["traced unit", "units it depends on", "zero padding"],
        ),
        (
            [(3, 1, 1, 1), (3, 1, 1, 1)],
            0,
            ["traced unit", "units it depends on", "zero padding", "padding read"],
        ),
    ],
)
def test_layers_legend_mentions_padding_only_when_there_is_some(layers, unit, legend):
    fig = plot.receptive_field_layers(7, layers, unit=unit)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == legend


def test_layers_label_the_rows_of_layer_objects_and_skip_relu():
    stack = [
        Conv2d(1, 4, 3, padding=1),
        ReLU(),
        Conv2d(4, 4, 3, stride=2),
        MaxPool2d(2),
    ]
    fig = plot.receptive_field_layers(13, stack, unit=0)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 4
    assert labels[0] == "input"
    duck = SimpleNamespace(
        kernel_size=(3, 5), stride=(2, 1), padding=(1, 0), dilation=1
    )
    fig = plot.receptive_field_layers(7, [duck], names=["x", "y"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["x", "y"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (
            (9, []),
            {},
            ValueError,
            r"^`layers` must be a non-empty sequence of layers, got \[\]$",
        ),
        (
            (9, [(3,)]),
            {"unit": 7},
            ValueError,
            r"^`unit` must be smaller than the top layer's size 7, got 7$",
        ),
        (
            (9, [(3,)]),
            {"names": ["x"]},
            ValueError,
            r"^`names` must hold 2 labels \(input first\), got \['x'\]$",
        ),
    ],
)
def test_layers_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot.receptive_field_layers(*args, **kwargs)


# --------------------------------------------------------------------------
# dependency_heatmap
# --------------------------------------------------------------------------


def path_counts(size, k1, k2, i, j):
    """Paths x[u, v] -> O1[m, n] -> O2[i, j] for two stride-1 valid layers."""
    counts = np.zeros((size, size), dtype=int)
    for a in range(k2):
        for b in range(k2):
            m, n = i + a, j + b
            counts[m : m + k1, n : n + k1] += 1
    return counts


def test_heatmap_writes_the_path_counts_and_leaves_zeros_blank():
    counts = path_counts(8, 3, 3, 1, 2)
    assert counts.sum() == 9 * 9
    assert counts.max() == 9
    _fig, ax = plot.new_figure(4, 4)
    plot.dependency_heatmap(ax, counts, label="paths")
    expected = {rc: str(v) for rc, v in np.ndenumerate(counts) if v}
    assert cell_texts(ax) == expected
    assert cell_faces(ax).shape == (8, 8)
    assert ax.get_xlabel() == "paths"
    assert set(cell_faces(ax)[counts == 0]) == {"#ffffff"}
    assert "#ffffff" not in set(cell_faces(ax)[counts > 0])
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(i) for i in range(8)]
    assert not ax.patches  # no padding, no hatching
    _fig, ax = plot.new_figure(4, 4)
    plot.dependency_heatmap(ax, counts, show_zeros=True, show_indices=False)
    assert len(ax.texts) == 64
    assert ax.get_xticks().size == 0


@pytest.mark.parametrize(
    ("counts", "error", "match"),
    [
        (
            [[1, -1]],
            ValueError,
            r"^`counts` must hold non-negative integers \(numbers of paths\)$",
        ),
        (
            [[0.5, 1]],
            ValueError,
            r"^`counts` must hold non-negative integers \(numbers of paths\)$",
        ),
        (
            [1, 2],
            ValueError,
            r"^`counts` must have 2 dimensions \(H, W\), got 1 \(shape \(2,\)\)$",
        ),
    ],
)
def test_heatmap_errors(counts, error, match):
    _fig, ax = plot.new_figure(2, 2)
    with pytest.raises(error, match=match):
        plot.dependency_heatmap(ax, counts)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"padding": ((2, 1), (0, 0))},
            ValueError,
            r"^`padding` \(\(2, 1\), \(0, 0\)\) does not fit in `counts` of shape \(2, "
            r"3\); it counts rows and columns of `counts` itself$",
        ),
        ({"padding": -1}, ValueError, r"^`padding` must be an integer >= 0, got -1$"),
        (
            {"padding": "same"},
            ValueError,
            r"^`padding` must be an integer, a pair \(ph, pw\) or a pair of pairs "
            r"\(\(top, bottom\), \(left, right\)\), got 'same' \(a named padding "
            r"needs the kernel and the stride: pass it to the function that slides "
            r"the window, or resolve it with convbook\.resolve_geometry\)$",
        ),
        (
            {"first_index": 1.5},
            TypeError,
            r"^`first_index` must be an integer, got 1\.5 of type float$",
        ),
        ({"vmax": 0}, ValueError, r"^`vmax` must be a positive number, got 0$"),
        (
            {"vmax": "9"},
            TypeError,
            r"^`vmax` must be a positive number, got '9' of type str$",
        ),
    ],
)
def test_heatmap_option_errors(kwargs, error, match):
    _fig, ax = plot.new_figure(2, 2)
    with pytest.raises(error, match=match):
        plot.dependency_heatmap(ax, np.ones((2, 3), int), **kwargs)


def test_heatmap_padding_is_hatched_and_keeps_its_counts():
    counts = np.pad(path_counts(6, 3, 3, 0, 0), ((2, 0), (2, 0)))[:6, :6]
    counts[1, 1:] = 5  # a padding row that carries paths
    _fig, ax = plot.new_figure(4, 4)
    plot.dependency_heatmap(ax, counts, padding=((2, 0), (2, 0)))
    ring = ax.patches[-1]
    assert ring.get_hatch() == "//"
    assert not ring.get_fill()
    outer, inner = ring.get_path().to_polygons()
    assert {tuple(v) for v in outer} == {(0, 0), (6, 0), (6, 6), (0, 6)}
    assert {tuple(v) for v in inner} == {(2, 2), (6, 2), (6, 6), (2, 6)}
    # Drawn alone, the hatching covers the padding and leaves a hole inside.
    fig, alone = plot.new_figure(2, 2, layout=None)
    alone.set_position((0, 0, 1, 1))
    alone.add_patch(plot.maps._padding_ring((6, 6), ((2, 0), (2, 0))))
    alone.set_xlim(0, 6)
    alone.set_ylim(6, 0)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]  # 200 x 200
    assert (pixels[80:190, 80:190] == 255).all()  # rows and columns 2 to 6
    assert (pixels[:60, :] < 255).any()  # the hatched rows -2 and -1
    assert (pixels[:, :60] < 255).any()
    texts = cell_texts(ax)
    assert texts[1, 3] == "5"  # padding cells still show their counts
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        MINUS + "2",
        MINUS + "1",
        "0",
        "1",
        "2",
        "3",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()][:3] == [
        MINUS + "2",
        MINUS + "1",
        "0",
    ]


@pytest.mark.parametrize(
    ("first_index", "rows", "cols"),
    [(-2, -2, -2), ((3, 10), 3, 10), (0, 0, 0)],
)
def test_heatmap_first_index(first_index, rows, cols):
    _fig, ax = plot.new_figure(3, 3)
    plot.dependency_heatmap(ax, np.ones((3, 4), int), first_index=first_index)
    shown = [int(t.get_text().replace(MINUS, "-")) for t in ax.get_xticklabels()]
    assert shown == list(range(cols, cols + 4))
    shown = [int(t.get_text().replace(MINUS, "-")) for t in ax.get_yticklabels()]
    assert shown == list(range(rows, rows + 3))


def test_heatmap_shared_colour_scale():
    small, large = np.array([[4, 2]]), np.array([[4, 16]])
    _fig, axes = plot.new_figure(4, 2, ncols=2)
    plot.dependency_heatmap(axes[0], small, vmax=16)
    plot.dependency_heatmap(axes[1], large, vmax=16)
    assert cell_faces(axes[0])[0, 0] == cell_faces(axes[1])[0, 0]  # both 4
    # Without vmax each panel is scaled to its own largest count.
    _fig, axes = plot.new_figure(4, 2, ncols=2)
    plot.dependency_heatmap(axes[0], small)
    plot.dependency_heatmap(axes[1], large)
    assert cell_faces(axes[0])[0, 0] != cell_faces(axes[1])[0, 0]
    assert cell_faces(axes[0])[0, 0] == cell_faces(axes[1])[0, 1]  # each max


# --------------------------------------------------------------------------
# bar_timings
# --------------------------------------------------------------------------


def test_bar_timings_one_bar_per_entry_in_order():
    results = {"loops": 0.75, "im2col": 3.2e-4, "numpy": 1.5e-5}
    fig = plot.bar_timings(results)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == list(results)
    assert [p.get_x() + p.get_width() for p in ax.patches] == pytest.approx(
        list(results.values())
    )
    assert [t.get_text() for t in ax.texts] == ["750 ms", "320 µs", "15 µs"]
    assert ax.get_xscale() == "log"
    assert ax.get_xlim()[0] < 1.5e-5
    assert ax.yaxis_inverted()  # the first entry is at the top


def test_bar_timings_linear_on_given_axes():
    fig, ax = plot.new_figure(4, 2)
    assert plot.bar_timings({"a": 2.0, "b": 1e-9}, ax=ax, log=False) is fig
    assert ax.get_xscale() == "linear"
    assert ax.get_xlim()[0] == 0
    assert [t.get_text() for t in ax.texts] == ["2 s", "1 ns"]


@pytest.mark.parametrize(
    ("results", "error", "match"),
    [
        (
            [("a", 1.0)],
            TypeError,
            r"^`results` must be a mapping of label to seconds, got \[\('a', 1\.0\)\]$",
        ),
        ({}, ValueError, r"^`results` must hold at least one timing$"),
        (
            {"a": 0.0},
            ValueError,
            r"^`results\['a'\]` must be a positive, finite number of seconds, got "
            r"0\.0$",
        ),
        (
            {"a": float("inf")},
            ValueError,
            r"^`results\['a'\]` must be a positive, finite number of seconds, got inf$",
        ),
        (
            {"a": "1 ms"},
            TypeError,
            r"^`results\['a'\]` must be a number of seconds, got '1 ms'$",
        ),
    ],
)
def test_bar_timings_errors(results, error, match):
    with pytest.raises(error, match=match):
        plot.bar_timings(results)


def test_feature_maps_share_a_scale_within_each_group():
    before = np.array([[[-4.0, 2.0]], [[-1.0, 3.0]]])  # two maps, (2, 1, 2)
    after = np.maximum(before, 0)  # a ReLU
    fig = plot.feature_maps(
        np.concatenate([before, after]), shared=[0, 1, 0, 1], signed=True, ncols=2
    )
    limits = [ax.images[0].get_clim() for ax in fig.axes]
    # Each map after the ReLU keeps the scale of the same map before it.
    assert limits == [(-4.0, 4.0), (-3.0, 3.0), (-4.0, 4.0), (-3.0, 3.0)]
    with pytest.raises(ValueError, match=r"^`shared` must hold one key per map \(4\)"):
        plot.feature_maps(np.concatenate([before, after]), shared=[0, 1])
