"""Rewrite the block of README.md that a measuring script owns.

``make bench`` (``benchmarks/bench_conv.py``) and ``make pagespeed``
(``scripts/pagespeed.py``) each write a summary of their run into the README
between two marker lines of their own; the tests check that the committed
README holds exactly what the committed record gives.
"""

from __future__ import annotations

import re


def replace_between(text: str, start: str, end: str, body: str, tool: str) -> str:
    """Return ``text`` with the lines between ``start`` and ``end`` set to ``body``.

    Raises SystemExit naming ``tool`` and both markers when they are missing.
    """
    pattern = re.compile(re.escape(start) + r"\n.*?\n" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(
            f"{tool}: README.md lacks the lines {start!r} and {end!r} that mark "
            "where the summary goes"
        )
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text, count=1)
