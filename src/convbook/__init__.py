"""convbook: the numpy package behind the book *How a CNN's second layer computes*.

Arrays follow PyTorch's layout so that every result can be checked against the
framework: inputs are ``(C, H, W)`` or ``(N, C, H, W)``, weights are
``(K, C, kh, kw)`` (out channels, in channels, kernel height, kernel width) and
biases are ``(K,)``. "Convolution" means cross-correlation, as in every
deep-learning framework; :func:`correlate1d` and :func:`convolve1d` show the
difference.

Importing :mod:`convbook` needs numpy only; the drawing helpers live in
:mod:`convbook.plot` and import matplotlib when that module is imported.

Each module has one job:

- :mod:`~convbook.geometry`: turns ``kernel_size``, ``stride``, ``padding``
  and ``dilation`` into padding pairs, the dilated kernel and output sizes;
  the only place these arguments are checked and resolved.
- :mod:`~convbook.shapes`: the one-axis size formulas, as plain integer
  functions on top of :mod:`~convbook.geometry`.
- :mod:`~convbook.engine`: gathers every window into the columns of a matrix
  (im2col) under a memory budget, and scatters columns back.
- :mod:`~convbook.conv`: the convolution itself, as literal loops and on the
  engine, with ``im2col``, padding, the 1-D correlation and ReLU.
- :mod:`~convbook.grad`: the gradients of the convolution and the transposed
  convolution.
- :mod:`~convbook.pool`: max and average pooling.
- :mod:`~convbook.layers`: layers described without weights, with their
  output shapes, parameter counts and costs.
- :mod:`~convbook.receptive`: receptive fields, and which units one unit
  depends on layer by layer.
- :mod:`~convbook.summary`: the layer-by-layer table of a network.
- :mod:`~convbook.cli`: the ``convbook`` command, which prints that table
  for a network written on one line.
- :mod:`~convbook.text`: numbers written one way, in the prose and in the
  figures.
- :mod:`~convbook.notebook`: ``glue`` for a chapter run as a plain notebook.
- :mod:`~convbook.widgets`: the markup and starting state of the book's
  interactive figures.
- :mod:`~convbook.plot`: the figures (matplotlib), drawing numbers that the
  modules above compute.
"""

from __future__ import annotations

from . import conv, engine, geometry, grad, layers, pool, receptive, shapes, summary
from .conv import *  # noqa: F403  (each module lists its public names in __all__)
from .engine import *  # noqa: F403
from .geometry import *  # noqa: F403
from .grad import *  # noqa: F403
from .layers import *  # noqa: F403
from .pool import *  # noqa: F403
from .receptive import *  # noqa: F403
from .shapes import *  # noqa: F403
from .summary import *  # noqa: F403

__version__ = "0.1.0"

__all__ = [
    *geometry.__all__,
    *shapes.__all__,
    *conv.__all__,
    *engine.__all__,
    *grad.__all__,
    *pool.__all__,
    *receptive.__all__,
    *layers.__all__,
    *summary.__all__,
]
