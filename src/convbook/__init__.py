"""convbook: the numpy package behind the book *How a CNN's second layer computes*.

Arrays follow PyTorch's layout so that every result can be checked against the
framework: inputs are ``(C, H, W)`` or ``(N, C, H, W)``, weights are
``(K, C, kh, kw)`` (out channels, in channels, kernel height, kernel width) and
biases are ``(K,)``. "Convolution" means cross-correlation, as in every
deep-learning framework; :func:`correlate1d` and :func:`convolve1d` show the
difference.

Importing :mod:`convbook` needs numpy only; the drawing helpers live in
:mod:`convbook.plot` and import matplotlib when that module is imported.
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
