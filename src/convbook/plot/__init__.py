"""Drawing helpers shared by the book's chapters.

This subpackage is the only part of ``convbook`` that imports matplotlib;
``import convbook`` itself does not load it. Every helper follows the book's
house style:

- figures are created through :mod:`matplotlib.pyplot` (so a chapter cell
  ends with ``glue(name, fig, display=False); plt.close(fig)``) and nothing
  here calls ``plt.show()`` or selects a backend;
- the figure and every axes have an opaque white background, readable on the
  dark theme;
- no title is drawn inside a plot (captions come from the book); short panel
  labels are written as axis labels under the panels;
- colours come from one palette of roles (:data:`~convbook.plot.palette.ROLES`:
  input, padding, window, weights, output value, receptive field, ...), taken
  from the Okabe--Ito colours, which stay distinguishable under the common
  forms of colour blindness; the helpers take role names, not colours, so a
  role has the same colour in every figure;
- the output is deterministic, and the artists are few and simple
  (rectangles, lines, text) so that figures stay small.

Grids are drawn in "cell" coordinates: the cell in row ``r`` and column ``c``
of the (padded) grid covers ``c <= x <= c + 1`` and ``r <= y <= r + 1``, with
``y`` pointing down, so that the picture reads like the array. Arrays follow
PyTorch's layout: feature maps are ``(C, H, W)``.

Every public name can be imported from :mod:`convbook.plot` itself, e.g.
``from convbook.plot import draw_grid``; the modules group them by job:

- :mod:`~convbook.plot.palette`: the colour of each role, the colour scales
  and the legend of them all (:func:`~convbook.plot.palette.draw_palette`);
- :mod:`~convbook.plot.style`: resolution, new figures, saving,
  small PNG images for a page (:func:`~convbook.plot.style.as_png`);
- :mod:`~convbook.plot.grids`: an array as a grid of numbered cells;
- :mod:`~convbook.plot.sliding`: a window sliding over a padded input;
- :mod:`~convbook.plot.coverage`: which rows a strided window reads;
- :mod:`~convbook.plot.maps`: feature maps and dependency counts as images;
- :mod:`~convbook.plot.fields`: a receptive field drawn on the input;
- :mod:`~convbook.plot.tracing`: a unit traced down through the layers;
- :mod:`~convbook.plot.timings`: benchmark timings as bars;
- :mod:`~convbook.plot.textsize`: how small a figure's text is drawn.
"""

from __future__ import annotations

try:
    import matplotlib  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "convbook.plot draws with matplotlib, which is not installed; "
        "install the extra with: pip install 'convbook[plot]'"
    ) from error

from . import (
    coverage,
    fields,
    grids,
    maps,
    palette,
    sliding,
    style,
    textsize,
    timings,
    tracing,
)
from .coverage import *  # noqa: F403  (each module lists its public names in __all__)
from .fields import *  # noqa: F403
from .grids import *  # noqa: F403
from .maps import *  # noqa: F403
from .palette import *  # noqa: F403
from .sliding import *  # noqa: F403
from .style import *  # noqa: F403
from .textsize import *  # noqa: F403
from .timings import *  # noqa: F403
from .tracing import *  # noqa: F403

__all__ = [
    *palette.__all__,
    *style.__all__,
    *textsize.__all__,
    *grids.__all__,
    *sliding.__all__,
    *coverage.__all__,
    *maps.__all__,
    *fields.__all__,
    *tracing.__all__,
    *timings.__all__,
]
