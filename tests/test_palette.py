"""The book's colour language: one colour per role, used by every figure.

The palette (``convbook.plot.palette``) gives each thing a figure marks one
colour. These tests check that the colours stay apart for colour-blind
readers and stand out on the white card every figure sits on; that the
figures the helpers draw use only the palette's colours; that the chapters'
figure code names roles instead of writing colours; that the notation page
shows the legend drawn from the palette; and that captions and prose write
sizes one way.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only; the package never selects a backend

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb, to_rgba

from convbook import plot
from convbook.plot import COLORS, ROLES, TINT

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("*.md"))

# Roles that mark something in a figure (an outline or a tint); they may
# meet in one figure, so every reader must tell each pair apart.
MARKS = [name for name, role in ROLES.items() if role.mark in ("outline", "dashed")]
MARKS += [name for name, role in ROLES.items() if role.mark == "tint"]
MARKS += ["never_read"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------
# The palette
# --------------------------------------------------------------------------


def linear(color: str) -> np.ndarray:
    """sRGB colour to linear RGB (IEC 61966-2-1)."""
    c = np.asarray(to_rgb(color))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio of two colours."""
    weights = [0.2126, 0.7152, 0.0722]
    low, high = sorted([float(linear(a) @ weights), float(linear(b) @ weights)])
    return (high + 0.05) / (low + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "normal vision": np.eye(3),
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """Linear RGB to CIELAB (D65)."""
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    t = to_xyz @ np.clip(rgb_linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, simulation: str) -> float:
    matrix = np.asarray(SIMULATIONS[simulation])
    return float(np.linalg.norm(lab(matrix @ linear(a)) - lab(matrix @ linear(b))))


def test_the_test_colour_maths_on_known_values():
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)  # WCAG's grey
    assert lab(linear("#FFFFFF")) == pytest.approx([100, 0, 0], abs=0.05)
    # Red and green, far apart for most readers, nearly meet for protanopes.
    assert delta_e("#D00000", "#008000", "normal vision") > 80
    assert delta_e("#D00000", "#008000", "protanopia") < 40


def test_every_role_has_its_own_colour():
    colours = [role.color.upper() for role in ROLES.values()]
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert set(MARKS) == {
        "window",
        "window2",
        "kernel",
        "output",
        "field",
        "never_read",
    }


@pytest.mark.parametrize("name", [n for n in MARKS if n != "never_read"])
def test_marks_stand_out_on_the_white_card(name):
    # WCAG 2.1's 1.4.11: graphics that carry meaning need 3:1 against
    # their background; every figure sits on white.
    assert contrast(ROLES[name].color) >= 3.0, name


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_marks_stay_apart_for_colour_blind_readers(simulation):
    pairs = itertools.combinations(MARKS, 2)
    closest = min(
        (delta_e(ROLES[a].color, ROLES[b].color, simulation), a, b) for a, b in pairs
    )
    assert closest[0] >= 12, closest


def test_the_scale_ends_are_the_palette_colours():
    assert to_hex(plot.DIVERGING(0.0)) == ROLES["negative"].color.lower()
    assert to_hex(plot.DIVERGING(1.0)) == ROLES["positive"].color.lower()
    assert plot.DIVERGING(0.5)[:3] == pytest.approx((1, 1, 1), abs=2 / 255)
    assert to_hex(plot.SEQUENTIAL(0.0)) == "#ffffff"


def test_role_color_and_tint():
    assert plot.role_color("output") == ROLES["output"].color
    expected = (1 - TINT) * np.ones(3) + TINT * np.asarray(to_rgb(COLORS["kernel"]))
    assert plot.tint("kernel") == to_hex(expected)
    with pytest.raises(ValueError, match=r"^`role` must be one of") as error:
        plot.role_color("orange")
    names = ", ".join(repr(n) for n in ROLES)
    assert str(error.value) == f"`role` must be one of {names}, got 'orange'"


# --------------------------------------------------------------------------
# The helpers draw with the palette only
# --------------------------------------------------------------------------


def allowed_colours() -> set[str]:
    """Palette colours, neutral tones, cells tinted by up to two roles, and
    the palette's colour scales."""
    base = {c.lower() for c in COLORS.values()} | {"#ffffff", "#000000"}
    faces = {"#ffffff", COLORS["padding"].lower()}
    for _ in range(2):  # a cell read by two overlapping windows
        faces |= {plot.tint(role, face) for role in ROLES for face in faces}
    scales = {
        to_hex(m(i)) for m in (plot.DIVERGING, plot.SEQUENTIAL) for i in range(256)
    }
    return base | faces | scales


def strays(colours, allowed) -> list:
    """Colours more than 2/255 away from every allowed colour (rounding)."""
    palette = np.array([to_rgb(c) for c in sorted(allowed)])
    return sorted(
        {
            item
            for item in colours
            if np.abs(palette - to_rgb(item[-1])).max(axis=1).min() > 2 / 255
        }
    )


def artist_colours(fig) -> list[tuple[str, str]]:
    """(what, colour) of every coloured mark on a figure, legends included."""
    found = []

    def add(what, colour):
        rgba = to_rgba(colour)
        if rgba[3] == 0:  # nothing drawn
            return
        found.append((what, to_hex(rgba[:3])))

    for ax in fig.axes:
        artists = list(ax.patches) + list(ax.lines) + list(ax.texts)
        artists += list(ax.collections)
        if ax.get_legend() is not None:
            legend = ax.get_legend()
            artists += list(legend.legend_handles) + list(legend.get_texts())
        for artist in artists:
            name = type(artist).__name__
            if hasattr(artist, "get_facecolor") and name != "Text":
                faces = np.atleast_2d(artist.get_facecolor())
                edges = np.atleast_2d(artist.get_edgecolor())
                for colour in [*faces, *edges]:
                    if len(colour):
                        add(f"{name} face/edge", _opaque(colour))
            drawn = name == "Text" or (
                name == "Line2D" and artist.get_linestyle() not in ("None", "")
            )
            if drawn:
                add(f"{name} colour", artist.get_color())
            if name == "Line2D":
                add("marker face", artist.get_markerfacecolor())
                add("marker edge", artist.get_markeredgecolor())
    return found


def _opaque(colour):
    """A translucent fill tints what lies under it with its own colour."""
    r, g, b, a = to_rgba(colour)
    return (r, g, b, a and 1.0)


def grid_cell_faces(fig) -> set[str]:
    """The cell faces of every grid drawn without a colour map."""
    faces = set()
    for ax in fig.axes:
        for image in ax.images:
            array = np.asarray(image.get_array())
            if array.ndim == 3:  # cells as RGB, not values through a map
                faces |= {to_hex(c) for c in array.reshape(-1, array.shape[-1])}
    return faces


def figures_of_the_helpers():
    """One figure from every helper that marks roles, in its main uses."""
    fig, axes = plot.new_figure(6.8, 3, ncols=5)
    x = np.arange(16).reshape(4, 4)
    plot.draw_grid(axes[0], x, padding=1, highlight=[(0, 0, 3, 3), (0, 2, 3, 3)])
    plot.draw_operator(axes[1], "×")
    plot.draw_grid(axes[2], np.ones((3, 3)), fill="kernel")
    plot.draw_operator(axes[3], "→")
    plot.draw_grid(axes[4], x, highlight=x == 5, role="output")
    yield "draw_grid", fig
    yield (
        "draw_sliding_window",
        plot.draw_sliding_window(
            np.arange(25).reshape(5, 5), 3, stride=2, padding=1, kernel=np.ones((3, 3))
        ),
    )
    yield "draw_stride_coverage 1-D", plot.draw_stride_coverage(9, 3, stride=2)
    yield (
        "draw_stride_coverage 2-D",
        plot.draw_stride_coverage((6, 7), (3, 2), stride=(2, 3), padding=1),
    )
    fig, ax = plot.new_figure(4, 4)
    plot.receptive_field_overlay(
        ax,
        (9, 9),
        [(-2, 2), (3, 5)],
        [(-2, 2), (3, 5)],
        padding_extent=2,
        labels=["a", "b"],
        roles=["field", "window"],
    )
    yield "receptive_field_overlay", fig
    yield (
        "receptive_field_layers",
        plot.receptive_field_layers(8, [(3, 1, 1), (3, 1, 1)], unit=0),
    )
    fig, ax = plot.new_figure(3, 3)
    plot.dependency_heatmap(ax, np.pad(np.outer([1, 2, 1], [1, 2, 1]), 1), padding=1)
    yield "dependency_heatmap", fig
    yield "bar_timings", plot.bar_timings({"loops": 0.5, "im2col": 2e-3})
    yield "draw_palette", plot.draw_palette()


@pytest.mark.parametrize(
    ("helper", "fig"), list(figures_of_the_helpers()), ids=lambda v: str(v)[:30]
)
def test_helpers_mark_with_palette_colours_only(helper, fig):
    allowed = allowed_colours()
    assert strays(artist_colours(fig), allowed) == [], helper
    assert strays([(f,) for f in grid_cell_faces(fig)], allowed) == [], helper


def test_the_colour_check_can_fail():
    fig, ax = plot.new_figure(2, 2)
    ax.plot([0, 1], [0, 1], "r+")
    found = strays(artist_colours(fig), allowed_colours())
    assert found
    assert {colour for *_, colour in found} == {"#ff0000"}


def test_a_role_looks_the_same_in_every_helper():
    # The output value: the sliding window's output cell and the traced
    # unit of the layer drawing share one colour, as do the receptive field
    # of the overlay and the units the traced unit depends on.
    sliding = plot.draw_sliding_window(np.zeros((4, 4)), 3)
    outline = sliding.axes[1].patches[-1]
    assert to_hex(outline.get_edgecolor()) == COLORS["output"].lower()
    layers = plot.receptive_field_layers(8, [(3, 1, 1), (3, 1, 1)], unit=0)
    handles = layers.axes[0].get_legend().legend_handles
    assert to_hex(handles[0].get_markerfacecolor()) == COLORS["output"].lower()
    assert to_hex(handles[1].get_markerfacecolor()) == COLORS["field"].lower()
    _fig, ax = plot.new_figure(3, 3)
    plot.receptive_field_overlay(ax, (5, 5), (0, 2), (0, 2))
    assert to_hex(ax.patches[-1].get_edgecolor()) == COLORS["field"].lower()


def test_draw_grid_roles_are_checked():
    _fig, ax = plot.new_figure(2, 2)
    with pytest.raises(ValueError, match=r"^`role` must be one of") as error:
        plot.draw_grid(ax, np.ones((3, 3)), highlight=(0, 0, 2, 2), role="red")
    names = ", ".join(repr(n) for n in ROLES)
    assert str(error.value) == f"`role` must be one of {names}, got 'red'"
    with pytest.raises(ValueError, match=r"^`role` must be one role or one per"):
        plot.draw_grid(
            ax, np.ones((3, 3)), highlight=[(0, 0, 2, 2)], role=["window", "output"]
        )
    with pytest.raises(ValueError, match=r"^`symbol` must be one of") as error:
        plot.draw_operator(ax, "*")
    assert str(error.value) == "`symbol` must be one of × + → = ⋆ ∗ −, got '*'"


def test_second_window_is_dashed():
    _fig, ax = plot.new_figure(3, 3)
    plot.draw_grid(ax, np.ones((4, 4)), highlight=[(0, 0, 2, 2), (2, 2, 2, 2)])
    first, second = ax.patches[-2:]
    assert first.get_linestyle() in ("-", "solid")
    assert second.get_linestyle() not in ("-", "solid")
    assert to_hex(first.get_edgecolor()) == COLORS["window"].lower()
    assert to_hex(second.get_edgecolor()) == COLORS["window2"].lower()


def test_weights_under_a_window_are_tinted_not_outlined():
    # The 1-D correlation figure: the window outlines the signal it reads,
    # the weights under it take the weights' tint and no outline of theirs.
    _fig, ax = plot.new_figure(3, 2)
    rows = np.array([[1.0, 2, 3, 4], [1, 2, 3, np.nan]])
    plot.draw_grid(
        ax,
        rows,
        highlight=[(0, 0, 1, 3), (1, 0, 1, 3)],
        role=["window", "kernel"],
    )
    faces = [[to_hex(c) for c in row] for row in ax.images[0].get_array()]
    assert faces[0] == [plot.tint("window")] * 3 + ["#ffffff"]
    assert faces[1] == [plot.tint("kernel")] * 3 + ["#ffffff"]
    (outline,) = ax.patches
    assert to_hex(outline.get_edgecolor()) == COLORS["window"].lower()
    assert (outline.get_y(), outline.get_height()) == (0, 1)


def test_fill_tints_the_values_only():
    _fig, ax = plot.new_figure(3, 3)
    plot.draw_grid(ax, np.array([[1.0, np.nan], [2.0, 3.0]]), padding=1, fill="kernel")
    faces = np.array([[to_hex(c) for c in row] for row in ax.images[0].get_array()])
    assert faces.tolist() == [
        [COLORS["padding"].lower()] * 4,
        [COLORS["padding"].lower(), plot.tint("kernel"), "#ffffff", "#e8e8e8"],
        ["#e8e8e8", plot.tint("kernel"), plot.tint("kernel"), "#e8e8e8"],
        ["#e8e8e8"] * 4,
    ]


# --------------------------------------------------------------------------
# The chapters
# --------------------------------------------------------------------------

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)

# Ways of writing a colour instead of naming a role.
RAW_COLOUR = re.compile(
    r"""OKABE_ITO"""
    r"""|["']\#[0-9A-Fa-f]{3,8}["']"""
    r"""|(?:color|colors|edgecolor|facecolor|mfc|mec|c)\s*=\s*["'](?!none["'])"""
    r"""|cmap\s*=\s*["']"""
    r"""|\.(?:plot|semilogy|semilogx|loglog)\([^)]*?["'][rgbcmykw][-.:o+x^sv*dp]*["']"""
)


def figure_code(path: Path) -> list[str]:
    """The source of every code cell of a chapter, without its metadata."""
    cells = []
    for cell in CELL.findall(path.read_text(encoding="utf-8")):
        cells.append(re.sub(r"\A---\n.*?\n---\n", "", cell, flags=re.S))
    return cells


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_name_roles_not_colours(path):
    found = [m.group(0) for c in figure_code(path) for m in RAW_COLOUR.finditer(c)]
    assert found == [], path.name


@pytest.mark.parametrize(
    "line",
    [
        'ax.plot(j, i, "r+", markersize=8)',
        "axes[0].semilogy(losses, 'k--')",
        'ax.axvline(x, color="grey")',
        'ax.imshow(a, cmap="viridis")',
        "for c in OKABE_ITO[5:7]:",
        'Rectangle((0, 0), 1, 1, edgecolor="#D55E00")',
    ],
)
def test_the_raw_colour_rule_can_fire(line):
    assert RAW_COLOUR.search(line)


def test_the_raw_colour_rule_passes_roles():
    for line in [
        'ax.plot(t, curve, color=COLORS["output"], lw=2)',
        'ax.plot(j, i, "s", ms=7, mfc="none", color=COLORS["output"])',
        "draw_grid(ax, w, fill='kernel', cmap=DIVERGING)",
        'axes[2].plot(offsets, gauss, "--", color=COLORS["muted"])',
    ]:
        # mfc="none" draws no colour: an empty marker.
        assert RAW_COLOUR.search(line) is None, line


def test_notation_page_shows_the_palette_legend():
    text = (BOOK / "notation.md").read_text(encoding="utf-8")
    cells = [c for c in figure_code(BOOK / "notation.md") if "draw_palette()" in c]
    assert len(cells) == 1
    alt = re.search(
        r"alt: (.*?)\n---", text.split("name: fig-notation-colours")[1], re.S
    )
    assert alt is not None
    words = " ".join(alt.group(1).split()).lower()
    labels = [r.label for n, r in ROLES.items() if n not in ("negative", "positive")]
    missing = [label for label in labels if label.lower() not in words]
    assert missing == []


# A size written as digits and a multiplication sign outside mathematics.
PLAIN_SIZE = re.compile(r"(?<![\w$\\.-])\d+\s*[×x]\s*\d+(?![\w$])")
PROTECTED = re.compile(
    r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]*`|\{[a-z:-]+\}`[^`]*`|<!--.*?-->", re.S
)
FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.S | re.M)
CAPTION = re.compile(r"^\s+caption: \|\n((?:\s{6,}.*\n)+)", re.M)


def reader_text(path: Path) -> str:
    """Prose and captions of a chapter, without code and mathematics."""
    text = path.read_text(encoding="utf-8")
    captions = CAPTION.findall(text)
    text = FENCE.sub("", text) + "\n".join(captions)
    return PROTECTED.sub(" ", text)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_sizes_are_written_one_way(path):
    # The notation page: sizes are written $3 \times 3$ in text and captions.
    assert PLAIN_SIZE.findall(reader_text(path)) == [], path.name


def test_the_size_rule_sees_captions_and_spares_mathematics(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "A $3 \\times 3$ kernel, `conv(3x3)`.\n\n```{code-cell} ipython3\n---\n"
        "mystnb:\n  figure:\n    caption: |\n      A 3×3 window over a 5 x 5 "
        "input.\n---\nx = 1\n```\n",
        encoding="utf-8",
    )
    assert PLAIN_SIZE.findall(reader_text(page)) == ["3×3", "5 x 5"]


def test_widgets_use_the_palette():
    css = (BOOK / "_static" / "convbook-widgets.css").read_text(encoding="utf-8")
    light = css.split('html[data-theme="dark"]')[0]
    for role in ("window", "output", "kernel", "field"):
        assert f"--cb-{role}: {COLORS[role].lower()};" in light, role


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_draw_on_house_figures(path):
    # new_figure (or a helper) gives the white card and a layout that comes
    # out the same on every draw; plain pyplot figures do neither.
    found = [
        m.group(0)
        for cell in figure_code(path)
        for m in re.finditer(r"plt\.(?:subplots|figure|subplot)\(", cell)
    ]
    assert found == [], path.name
