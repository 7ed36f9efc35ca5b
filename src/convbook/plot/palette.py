"""The book's colour language: one colour per meaning, in every figure.

Each thing a figure can mark (the input, its padding, a window, a kernel's
weights, the output value, a receptive field, ...) is a *role* with one
colour, taken from the Okabe--Ito palette (Okabe & Ito, 2008), whose colours
stay apart under the common forms of colour blindness; the colours that
outline or tint have a contrast of at least 3:1 against white (WCAG's rule
for graphics). The drawing helpers take role names, never raw colours, so a
role looks the same in every figure; the notation page shows the legend
that :func:`draw_palette` draws from :data:`ROLES`.

Figures sit on an opaque white card on the light and the dark theme alike,
so the colours are chosen for a white background.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._checks import show

__all__ = [
    "COLORS",
    "DIVERGING",
    "OKABE_ITO",
    "ROLES",
    "SEQUENTIAL",
    "TINT",
    "Role",
    "draw_palette",
    "role_color",
    "tint",
]


#: The Okabe--Ito palette (Okabe & Ito, 2008), safe for colour-blind readers:
#: black, orange, sky blue, bluish green, yellow, blue, vermillion, purple.
OKABE_ITO: tuple[str, ...] = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)

#: How strongly a role colours the cells it marks: a marked cell's face is
#: ``TINT`` of the role's colour and ``1 - TINT`` of the cell's own face.
TINT = 0.3


@dataclass(frozen=True)
class Role:
    """One meaning a figure can mark, with its colour and how it is drawn.

    Attributes
    ----------
    label : str
        A short name for legends, e.g. ``'window'``.
    color : str
        The colour, as ``'#RRGGBB'``.
    meaning : str
        What the colour marks, in a few words.
    mark : str
        How the helpers draw it: ``'cell'`` (a cell's face), ``'tint'``
        (cells tinted with it, see :func:`tint`), ``'outline'``
        (a frame around the cells, which are tinted), ``'dashed'`` (the
        same, dashed), ``'scale'`` (one end of a colour scale) or ``'line'``
        (a curve or bar of data).
    """

    label: str
    color: str
    meaning: str
    mark: str


#: Every role, in the order the notation page lists them.
#:
#: :meta hide-value:
ROLES: dict[str, Role] = {
    "input": Role("input", "#FFFFFF", "values of the input", "cell"),
    "padding": Role("zero padding", "#E8E8E8", "zeros added around a map", "cell"),
    "window": Role(
        "window",
        OKABE_ITO[5],
        "what one position of a filter reads",
        "outline",
    ),
    "window2": Role(
        "another window",
        "#003C90",  # a darker blue than the window's, apart for every reader
        "a second position of the same filter",
        "dashed",
    ),
    "kernel": Role("weights", OKABE_ITO[3], "the weights of a filter", "tint"),
    "output": Role(
        "output value",
        OKABE_ITO[6],
        "the output value computed or traced",
        "outline",
    ),
    "field": Role(
        "receptive field",
        OKABE_ITO[7],
        "all inputs a deeper unit depends on",
        "outline",
    ),
    "never_read": Role(
        "never read", OKABE_ITO[4], "inputs that no window reads", "cell"
    ),
    "negative": Role("negative", "#2166AC", "negative values, blue", "scale"),
    "positive": Role("positive", "#B2182B", "positive values, red", "scale"),
    "data": Role("data", "#3C3C3C", "a measured or computed quantity", "line"),
}


def role_color(role: str) -> str:
    """Return the colour of a role of :data:`ROLES`, e.g. ``'window'``.

    Parameters
    ----------
    role : str
        A key of :data:`ROLES`.

    Returns
    -------
    str
        The colour as ``'#RRGGBB'``.

    Raises
    ------
    ValueError
        If ``role`` is not a role of the palette.

    Examples
    --------
    >>> from convbook.plot import role_color
    >>> role_color("window")
    '#0072B2'
    """
    if not isinstance(role, str) or role not in ROLES:
        raise ValueError(
            f"`role` must be one of {', '.join(map(repr, ROLES))}, got {show(role)}"
        )
    return ROLES[role].color


def tint(role: str, face: Any = "white") -> str:
    """Return the face of a cell of colour ``face`` marked with ``role``.

    Parameters
    ----------
    role : str
        A key of :data:`ROLES`.
    face : str or tuple of float, default 'white'
        The cell's own face (any matplotlib colour) before it is marked.

    Returns
    -------
    str
        ``TINT`` of the role's colour mixed with ``1 - TINT`` of ``face``,
        as ``'#rrggbb'``.

    Examples
    --------
    >>> from convbook.plot import tint
    >>> tint("window")
    '#b2d5e8'
    """
    mixed = (1 - TINT) * np.asarray(to_rgb(face)) + TINT * np.asarray(
        to_rgb(role_color(role))
    )
    return to_hex(mixed)


#: Colour scale of signed values, from blue (negative) through white (zero)
#: to red (positive).
#:
#: :meta hide-value:
DIVERGING = LinearSegmentedColormap.from_list(
    "convbook-diverging",
    [ROLES["negative"].color, "#FFFFFF", ROLES["positive"].color],
)

#: Colour scale of counts and magnitudes, from white (none) to dark blue.
#:
#: :meta hide-value:
SEQUENTIAL = LinearSegmentedColormap.from_list(
    "convbook-sequential", ["#FFFFFF", "#6BAED6", "#08306B"]
)

#: Every colour the helpers use, the roles' colours under their role names
#: and the neutral tones of grids and text.
COLORS: dict[str, str] = {
    **{name: role.color for name, role in ROLES.items()},
    "padding_edge": "#9A9A9A",  # borders and hatching of padding cells
    "grid": "#3C3C3C",  # borders of cells
    "text": "#1A1A1A",
    "muted": "#8C8C8C",  # indices, padding zeros, reference lines
}


def draw_palette() -> Figure:
    """Draw the colour language: one swatch per role, with what it marks.

    Each swatch is drawn as the helpers draw the role (a cell, a tinted
    cell in an outline, a dashed outline, a colour scale, a line), so the
    legend shows exactly what the figures show. The notation page shows it.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; its texts are, for each role of :data:`ROLES` in order,
        the role's label and then its meaning (the two scale ends share one
        row).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import ROLES, draw_palette
    >>> fig = draw_palette()
    >>> labels = fig.axes[0].texts[::2]
    >>> labels[0].get_text(), len(labels) == len(ROLES) - 1
    ('input', True)
    >>> plt.close(fig)
    """
    from .style import CELL, PAD_CELL, new_figure

    rows = [name for name in ROLES if name != "positive"]
    # Each role takes two lines beside its swatch, its label and what it
    # marks, so that the legend is narrow: a phone shrinks it little.
    # One unit of the axes is about a quarter of an inch.
    fig, ax = new_figure(4.3, 0.46 * len(rows) + 0.1)
    for row, name in enumerate(rows):
        role = ROLES[name]
        y = row * 1.8 + 0.45
        if name == "negative":
            ramp = np.linspace(-1, 1, 64)[np.newaxis]
            ax.imshow(ramp, cmap=DIVERGING, extent=(0, 2.4, y + 1.2, y), aspect="auto")
            label = "signed values"
            meaning = "blue negative, white zero, red positive"
        elif role.mark == "line":
            ax.plot([0.15, 2.25], [y + 0.6, y + 0.6], color=role.color, lw=2.2)
            label, meaning = role.label, role.meaning
        else:
            face = role.color if role.mark == "cell" else tint(name)
            style = PAD_CELL if name == "padding" else CELL
            for col in range(2):
                ax.add_patch(
                    Rectangle((1.2 * col, y), 1.2, 1.2, facecolor=face, **style)
                )
            if role.mark in ("outline", "dashed"):
                ax.add_patch(
                    Rectangle(
                        (0, y),
                        2.4,
                        1.2,
                        fill=False,
                        edgecolor=role.color,
                        linewidth=2.4,
                        linestyle="--" if role.mark == "dashed" else "-",
                        zorder=5,
                    )
                )
            label, meaning = role.label, role.meaning
        ax.text(2.9, y + 0.6, label, va="bottom", fontsize=11, weight="bold")
        ax.text(2.9, y + 0.65, meaning, va="top", fontsize=11)
    ax.set_xlim(-0.1, 16.4)
    ax.set_ylim(len(rows) * 1.8 + 0.1, 0)
    ax.set_axis_off()
    return fig
