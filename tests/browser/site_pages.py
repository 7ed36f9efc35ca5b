"""The pages of the built site that the browser tests open: one list for all.

With no site built the list is one case, ``no-site-built``, that reaches the
``site`` fixture, which says so (a skip on a reader's machine, a failure in
CI) instead of an empty, silently skipped parameter list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "_build" / "html"
#: Folders of the site that hold assets and downloads, not pages.
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}


def site_pages(exclude: set[str] = frozenset({"404.html"})) -> list:
    """Return the site's pages (paths relative to it), less ``exclude``.

    The 404 page is left out by default: it links its files from the site's
    root, so opened from a file it has no styles or scripts.
    """
    pages = sorted(
        path.relative_to(SITE).as_posix()
        for path in SITE.rglob("*.html")
        if not SKIP_DIRS.intersection(path.relative_to(SITE).parts)
        and path.name not in exclude
    )
    return pages or [pytest.param("index.html", id="no-site-built")]
