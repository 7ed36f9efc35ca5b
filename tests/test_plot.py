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


def cell_patches(ax, rows, cols):
    """The first rows * cols patches: one per cell, row-major."""
    return ax.patches[: rows * cols]


def faces(patches):
    return [to_hex(p.get_facecolor()) for p in patches]


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
    assert plot.COLORS["read"] != plot.COLORS["unread"]


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
        ({"width": 0}, ValueError, r"`width` must be a positive number, got 0"),
        ({"height": float("nan")}, ValueError, r"`height` must be a positive number"),
        ({"width": "6"}, TypeError, r"`width` must be a positive number, got '6'"),
        ({"nrows": 0}, ValueError, r"`nrows` must be a positive integer, got 0"),
        ({"ncols": 1.0}, TypeError, r"`ncols` must be an integer"),
    ],
)
def test_new_figure_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot.new_figure(**kwargs)


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
    assert len(ax.patches) == values.size
    assert all(p.get_width() == p.get_height() == 1 for p in ax.patches)


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
    assert len(ax.patches) == rows * cols
    hatched = {
        (int(p.get_y()), int(p.get_x()))
        for p in ax.patches
        if p.get_hatch() is not None
    }
    expected = {
        (r, c)
        for r in range(rows)
        for c in range(cols)
        if not (top <= r < top + 2 and left <= c < left + 3)
    }
    assert hatched == expected
    assert len(hatched) == rows * cols - values.size
    texts = cell_texts(ax)
    assert all(texts[rc] == "0" for rc in expected)
    assert texts[top, left] == "1"
    assert texts[top + 1, left + 2] == "6"


def test_draw_grid_window_outline_and_taps():
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.arange(16).reshape(4, 4), padding=1, highlight=(1, 2, 2, 3))
    cells = 6 * 6
    assert len(ax.patches) == cells + 2 * 3 + 1
    taps = ax.patches[cells:-1]
    assert {(p.get_y(), p.get_x()) for p in taps} == {
        (r, c) for r in (1, 2) for c in (2, 3, 4)
    }
    outline = ax.patches[-1]
    assert (outline.get_x(), outline.get_y()) == (2, 1)
    assert (outline.get_width(), outline.get_height()) == (3, 2)
    assert to_hex(outline.get_edgecolor()) == plot.COLORS["window"].lower()
    assert not outline.get_fill()


def test_draw_grid_dilated_window_marks_only_the_taps():
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.zeros((7, 7)), highlight=(1, 0, 3, 2, (2, 3)))
    taps = ax.patches[49:-1]
    assert {(p.get_y(), p.get_x()) for p in taps} == {
        (1 + 2 * a, 3 * b) for a in range(3) for b in range(2)
    }
    span = ax.patches[-1]
    assert (span.get_width(), span.get_height()) == (4, 5)
    assert span.get_linestyle() == "--"


def test_draw_grid_several_windows_get_distinct_colours():
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.zeros((5, 5)), highlight=[(0, 0, 3, 3), (0, 2, 3, 3)])
    assert len(ax.patches) == 25 + 2 * 9 + 2
    outlines = [p for p in ax.patches if not p.get_fill()]
    assert len({to_hex(p.get_edgecolor()) for p in outlines}) == 2


def test_draw_grid_mask_in_input_coordinates_is_shifted_by_padding():
    mask = np.zeros((3, 3), dtype=bool)
    mask[0, 2] = mask[2, 1] = True
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.ones((3, 3)), padding=1, highlight=mask)
    marked = ax.patches[25:]
    assert {(p.get_y(), p.get_x()) for p in marked} == {(1, 3), (3, 2)}
    padded = np.zeros((5, 5), dtype=bool)
    padded[0, 0] = True
    _fig, ax = plot.new_figure(4, 4)
    plot.draw_grid(ax, np.ones((3, 3)), padding=1, highlight=padded)
    assert [(p.get_y(), p.get_x()) for p in ax.patches[25:]] == [(0, 0)]


def test_draw_grid_colour_map_and_text_contrast():
    _fig, ax = plot.new_figure(3, 1)
    plot.draw_grid(ax, [[0, 5, 10]], cmap="Blues")
    light, _, dark = ax.patches
    assert to_rgba(light.get_facecolor()) != to_rgba(dark.get_facecolor())
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
        ({"values": [1, 2]}, ValueError, r"`values` must have 2 dimensions"),
        ({"values": [["a"]]}, TypeError, r"`values` must be a numeric"),
        ({"padding": "same"}, TypeError, r"`padding` must be a number of cells"),
        ({"padding": -1}, ValueError, r"`padding` must be an integer >= 0"),
        ({"highlight": (0, 0, 3)}, ValueError, r"`highlight` must be a window"),
        (
            {"highlight": (1, 1, 2, 2)},
            ValueError,
            r"outside the padded grid of shape \(2, 2\)",
        ),
        ({"highlight": (0, 0, 1, 1, 0)}, ValueError, r"`highlight dilation` must be"),
        ({"highlight": np.ones((2, 2))}, TypeError, r"must be a boolean mask"),
        ({"highlight": np.ones((3, 3), bool)}, ValueError, r"mask has shape \(3, 3\)"),
        ({"fmt": 3}, TypeError, r"`fmt` must be a format string"),
    ],
)
def test_draw_grid_errors(kwargs, error, match):
    _fig, ax = plot.new_figure(2, 2)
    arguments = {"values": [[1, 2], [3, 4]], **kwargs}
    with pytest.raises(error, match=match):
        plot.draw_grid(ax, **arguments)


def test_draw_grid_refuses_something_else_than_axes():
    fig, _ = plot.new_figure(2, 2)
    with pytest.raises(TypeError, match=r"`ax` must be a matplotlib Axes"):
        plot.draw_grid(fig, [[1]])


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
    marked = outputs[3].patches[16:]
    assert [(p.get_y(), p.get_x()) for p in marked] == [(3, 3)]


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
        assert len(ax.patches) == 81 + 4 + 1
    # Output grid: output_size(7, 2, stride=2, padding=1, dilation=2) = 4.
    assert len(fig.axes[1].patches) == 4 * 4 + 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": np.zeros((1, 4, 4))}, ValueError, r"`x` must have 2 dimensions"),
        ({"kernel": np.ones((2, 2))}, ValueError, r"`kernel` has shape \(2, 2\)"),
        (
            {"positions": [(2, 0)]},
            ValueError,
            r"0 <= i < 2 and 0 <= j < 2, got \(2, 0\)",
        ),
        ({"positions": []}, ValueError, r"`positions` must list output positions"),
        ({"ncols": 0}, ValueError, r"`ncols` must be a positive integer"),
        ({"kernel_size": 5}, ValueError, r"the kernel spans 5 pixels"),
    ],
)
def test_sliding_window_errors(kwargs, error, match):
    arguments = {"x": np.zeros((4, 4)), "kernel_size": 3, **kwargs}
    with pytest.raises(error, match=match):
        plot.draw_sliding_window(**arguments)


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
        i for i, f in enumerate(faces(cells)) if f == plot.COLORS["unread"].lower()
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
    unread = plot.COLORS["unread"].lower()
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
    assert [f == plot.COLORS["unread"].lower() for f in cells] == expected
    assert sum(expected) == 8 * 9 - (8 - len(rows_unread)) * (9 - len(cols_unread))
    assert len(ax.lines[0].get_xdata()) == 3 * 2  # the first window's taps


def test_stride_coverage_on_given_axes():
    fig, axes = plot.new_figure(8, 3, ncols=2)
    returned = plot.draw_stride_coverage(6, 3, stride=2, ax=axes[1])
    assert returned is fig
    assert len(axes[1].lines) == 2
    assert not axes[0].lines


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0, 3), {"stride": 1}, ValueError, r"`size` must be a positive integer"),
        ((5, 3), {"stride": 0}, ValueError, r"`stride` must be a positive integer"),
        ((5, 7), {"stride": 1}, ValueError, r"the kernel spans 7 pixels"),
        ((5, 3), {"stride": 1, "padding": -1}, ValueError, r"`padding` must be"),
        (((5, 5, 5), 3), {"stride": 1}, ValueError, r"`size` must be an integer or"),
        ((5, 3), {"stride": 1, "ax": "ax"}, TypeError, r"`ax` must be a matplotlib"),
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
        assert image.get_cmap().name == "RdBu_r"
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
        ({"maps": np.zeros((1, 1, 2, 2))}, ValueError, r"`maps` must have 2 or 3"),
        ({"titles": ["a"]}, ValueError, r"`titles` must hold one label per map \(2\)"),
        ({"image": np.zeros((2, 5, 5))}, ValueError, r"`image` must be a grey"),
        ({"ncols": 0}, ValueError, r"`ncols` must be a positive integer"),
        ({"panel_size": -1}, ValueError, r"`panel_size` must be a positive number"),
    ],
)
def test_feature_maps_errors(kwargs, error, match):
    arguments = {"maps": np.zeros((2, 3, 3)), **kwargs}
    with pytest.raises(error, match=match):
        plot.feature_maps(**arguments)


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


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (((5, 5), (3, 1), (0, 1)), {}, ValueError, r"`region_rows` must have first <="),
        (((5, 5), (0, 1), [(0, 1), (1, 2)]), {}, ValueError, r"has 1 regions but"),
        (
            ((5, 5), (0, 1), (0, 1)),
            {"labels": ["a", "b"]},
            ValueError,
            r"`labels` must",
        ),
        (((5, 5), (0,), (0, 1)), {}, ValueError, r"`region_rows` must be a pair"),
        (((5, 5), (0.5, 1), (0, 1)), {}, TypeError, r"`region_rows first` must be an"),
        ((np.zeros((2, 5, 5)), (0, 1), (0, 1)), {}, ValueError, r"`image` must be"),
    ],
)
def test_overlay_errors(args, kwargs, error, match):
    _fig, ax = plot.new_figure(3, 3)
    with pytest.raises(error, match=match):
        plot.receptive_field_overlay(ax, *args, **kwargs)


def traced_inputs(ax):
    """x positions of the input-level dots in the field (blue or padding)."""
    xs = []
    for line in ax.lines:
        marker_edge = to_hex(line.get_markeredgecolor())
        if marker_edge == plot.COLORS["window"].lower() and set(line.get_ydata()) == {
            0
        }:
            xs.extend(line.get_xdata())
    return sorted(xs)


@pytest.mark.parametrize(
    ("size", "layers", "unit"),
    [
        (9, [(3, 1, 0, 1), (3, 1, 0, 1)], 2),  # F1 + (F2 - 1) S1 = 5
        (11, [(3, 2, 1, 1), (3, 1, 1, 1)], 3),  # 3 + 2 * 2 = 7
        (12, [(5, 2, 2, 1), (3, 2, 0, 1)], 0),  # 5 + 2 * 2 = 9, into the padding
        (9, [(2, 2, 0, 1), (2, 2, 0, 1), (2, 2, 0, 1)], 0),  # 8 = 2 ** 3
    ],
)
def test_layers_trace_the_receptive_field(size, layers, unit):
    fig = plot.receptive_field_layers(size, layers, unit=unit)
    ax = fig.axes[0]
    field = convbook.receptive_field(layers)
    first, last = field.region(unit)
    assert traced_inputs(ax) == list(range(first, last + 1))
    assert ax.texts[-1].get_text() == f"receptive field: {field.size} inputs"
    assert len(ax.collections) == len(layers)  # one set of dependency lines per layer
    k1, s1 = layers[0][:2]
    if len(layers) == 2:
        assert field.size == k1 + (layers[1][0] - 1) * s1


@pytest.mark.parametrize(
    ("layers", "legend"),
    [
        ([(3, 1, 0, 1), (3, 1, 0, 1)], ["traced unit", "units it depends on"]),
        (
            [(3, 1, 1, 1), (3, 1, 0, 1)],
            ["traced unit", "units it depends on", "zero padding"],
        ),
    ],
)
def test_layers_legend_mentions_padding_only_when_there_is_some(layers, legend):
    fig = plot.receptive_field_layers(7, layers)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == legend


def test_layers_dilation_leaves_holes():
    fig = plot.receptive_field_layers(9, [(3, 1, 0, 2)], unit=1)
    assert traced_inputs(fig.axes[0]) == [1, 3, 5]
    assert fig.axes[0].texts[-1].get_text() == "receptive field: 5 inputs"


def test_layers_accept_layer_objects_and_skip_relu():
    stack = [
        Conv2d(1, 4, 3, padding=1),
        ReLU(),
        Conv2d(4, 4, 3, stride=2),
        MaxPool2d(2),
    ]
    fig = plot.receptive_field_layers(13, stack, unit=0)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 4
    assert labels[0] == "input"
    field = convbook.receptive_field(stack)
    assert traced_inputs(ax) == list(range(field.start, field.start + field.size))
    duck = SimpleNamespace(
        kernel_size=(3, 5), stride=(2, 1), padding=(1, 0), dilation=1
    )
    fig = plot.receptive_field_layers(7, [duck], names=["x", "y"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["x", "y"]


def test_layers_same_padding_of_a_layer_object():
    stack = [Conv2d(1, 1, 3, stride=2, padding="same")]
    fig = plot.receptive_field_layers(8, stack, unit=0)
    # same_padding(8, 3, stride=2) = (0, 1): nothing before the input.
    assert traced_inputs(fig.axes[0]) == [0, 1, 2]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((9, []), {}, ValueError, r"`layers` must be a non-empty sequence"),
        ((9, [ReLU()]), {}, ValueError, r"at least one layer with a kernel"),
        (
            (9, [(3, 1, 0, 1, 0)]),
            {},
            ValueError,
            r"`layers\[0\]` must be \(kernel_size",
        ),
        ((9, ["conv"]), {}, TypeError, r"`layers\[0\]` must be a kernel size"),
        ((9, [(3, 0)]), {}, ValueError, r"`layers\[0\] stride` must be a positive"),
        ((9, [3]), {"unit": 7}, ValueError, r"smaller than the top layer's size 7"),
        ((9, [3]), {"names": ["x"]}, ValueError, r"`names` must hold 2 labels"),
        ((2, [3]), {}, ValueError, r"the kernel spans 3 pixels"),
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
    assert len(ax.patches) == 64
    assert ax.get_xlabel() == "paths"
    blank = [p for p, v in zip(ax.patches, counts.ravel(), strict=True) if v == 0]
    assert {to_hex(p.get_facecolor()) for p in blank} == {"#ffffff"}
    _fig, ax = plot.new_figure(4, 4)
    plot.dependency_heatmap(ax, counts, show_zeros=True, show_indices=False)
    assert len(ax.texts) == 64
    assert ax.get_xticks().size == 0


@pytest.mark.parametrize(
    ("counts", "error", "match"),
    [
        ([[1, -1]], ValueError, r"`counts` must hold non-negative integers"),
        ([[0.5, 1]], ValueError, r"`counts` must hold non-negative integers"),
        ([1, 2], ValueError, r"`counts` must have 2 dimensions"),
    ],
)
def test_heatmap_errors(counts, error, match):
    _fig, ax = plot.new_figure(2, 2)
    with pytest.raises(error, match=match):
        plot.dependency_heatmap(ax, counts)


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
        ([("a", 1.0)], TypeError, r"`results` must be a mapping"),
        ({}, ValueError, r"`results` must hold at least one timing"),
        ({"a": 0.0}, ValueError, r"`results\['a'\]` must be a positive, finite"),
        ({"a": float("inf")}, ValueError, r"`results\['a'\]` must be a positive"),
        ({"a": "1 ms"}, TypeError, r"`results\['a'\]` must be a number of seconds"),
    ],
)
def test_bar_timings_errors(results, error, match):
    with pytest.raises(error, match=match):
        plot.bar_timings(results)
