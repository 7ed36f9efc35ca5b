"""Benchmark timings drawn as a bar chart."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import EngFormatter, NullFormatter

from .._checks import show
from ._common import check_axes
from .palette import COLORS
from .style import new_figure

__all__ = ["bar_timings"]


def _seconds(value: float) -> str:
    """A duration with three significant digits and an SI prefix."""
    for factor, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if value >= factor or unit == "ns":
            return f"{value / factor:.3g} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def bar_timings(
    results: Mapping[str, float],
    *,
    ax: Axes | None = None,
    log: bool = True,
) -> Any:
    """Draw benchmark timings as horizontal bars, first entry at the top.

    Parameters
    ----------
    results : mapping of str to float
        Label of each implementation and its time per call in seconds.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    log : bool, default True
        Use a logarithmic time axis (timings often span decades).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the chart: one bar per entry, each followed by
        its time written out (e.g. ``'1.5 ms'``).

    Raises
    ------
    TypeError
        If ``results`` is not a mapping of labels to numbers.
    ValueError
        If it is empty or a time is not positive and finite.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook.plot import bar_timings
    >>> fig = bar_timings({"loops": 0.5, "im2col": 2e-3})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['500 ms', '2 ms']
    >>> plt.close(fig)
    """
    if not isinstance(results, Mapping):
        raise TypeError(
            f"`results` must be a mapping of label to seconds, got {show(results)}"
        )
    if not results:
        raise ValueError("`results` must hold at least one timing")
    labels = [str(k) for k in results]
    times = []
    for key, value in results.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"`results[{key!r}]` must be a number of seconds, got {show(value)}"
            )
        if not math.isfinite(value) or value <= 0:
            raise ValueError(
                f"`results[{key!r}]` must be a positive, finite number of "
                f"seconds, got {value!r}"
            )
        times.append(float(value))
    if ax is None:
        _, ax = new_figure(6.0, 0.45 * len(times) + 1.0)
    else:
        ax = check_axes(ax)
    rows = np.arange(len(times))
    low = min(times)
    if log:
        ax.set_xscale("log")
        left = 10 ** math.floor(math.log10(low))
        left = left / 10 if left > 0.5 * low else left
        right = max(times) * 4
    else:
        left, right = 0.0, max(times) * 1.25
    ax.barh(
        rows,
        [t - left for t in times],
        left=left,
        height=0.6,
        color=COLORS["data"],
        zorder=2,
    )
    for row, t in zip(rows, times, strict=True):
        ax.text(
            t * 1.12 if log else t + 0.01 * right,
            row,
            _seconds(t),
            va="center",
            ha="left",
            fontsize=9,
            color=COLORS["text"],
        )
    ax.set_yticks(rows, labels)
    ax.set_ylim(len(times) - 0.4, -0.6)
    ax.set_xlim(left, right)
    ax.xaxis.set_major_formatter(EngFormatter(unit="s"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("time per call")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=COLORS["padding"], linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.patch.set_facecolor("white")
    return ax.figure
