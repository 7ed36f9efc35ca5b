"""Glue a computed value into a chapter, with or without the book's build.

The chapters name every number they quote with :func:`glue`. Inside the
book's Sphinx build, myst-nb is installed and :func:`glue` is myst-nb's own:
the value is stored in the notebook and placed in the text. A reader who runs
a downloaded chapter with Jupyter alone does not need myst-nb (nor Sphinx):
there :func:`glue` shows the value right in the notebook instead, labelled
with its name, so the numbers the text quotes can be read off the outputs.

>>> from convbook.notebook import plain_text
>>> plain_text("layer-2-channels", repr(32))
'layer-2-channels = 32'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["benchmark_results", "glue", "plain_text"]

#: The benchmark results that ship with the package (written by ``make bench``).
BENCHMARK_RESULTS = "data/benchmark-results.json"

#: Output metadata key that marks a value shown by the plain :func:`glue`.
METADATA_KEY = "convbook_glue"


def plain_text(name: str, text: str) -> str:
    """The line the plain :func:`glue` shows for a value whose repr is ``text``."""
    return f"{name} = {text}"


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Record ``variable`` under ``name`` for the text, or show it plainly.

    Parameters
    ----------
    name : str
        The key the chapter's text refers to (``{glue:text}`name```).
    variable : object
        The value: a number, a string, a figure, a formula.
    display : bool, default True
        With myst-nb, whether the value is also shown where the cell runs.
        Without it the value is always shown: the notebook has no other
        place to put it. A value shown only as text gets its name in front.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"glue: `name` must be a non-empty str, got {name!r}")
    try:
        from myst_nb import glue as myst_nb_glue
    except ImportError:
        myst_nb_glue = None
    if myst_nb_glue is not None:
        myst_nb_glue(name, variable, display=display)
        return

    from IPython.core.formatters import format_display_data
    from IPython.display import publish_display_data

    data, metadata = format_display_data(variable)
    if set(data) == {"text/plain"}:
        data = {"text/plain": plain_text(name, data["text/plain"])}
    publish_display_data(data, {**metadata, METADATA_KEY: {"name": name}})


def benchmark_results() -> dict[str, Any]:
    """The committed benchmark timings, as ``benchmarks/bench_conv.py`` wrote them.

    They travel inside the package, so a chapter that draws them runs the
    same from the repository, from an installed package or from a downloaded
    notebook; nothing is timed when they are read.

    >>> from convbook.notebook import benchmark_results
    >>> results = benchmark_results()
    >>> sorted(results)
    ['floors', 'machine', 'results']
    """
    text = resources.files("convbook").joinpath(BENCHMARK_RESULTS).read_text("utf-8")
    return json.loads(text)
