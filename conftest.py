"""Settings shared by every test run, including the doctests under src/."""

import os

# Figures are drawn off-screen in tests; the book's kernels use the inline backend.
os.environ.setdefault("MPLBACKEND", "Agg")
