"""Check that a built site may be published.

Run after every ``make html`` and before every deploy (the GitHub Pages
workflow and Read the Docs run it on the folder they publish). It fails, with
the reason, when:

* a chapter's downloadable notebook (``_sources/<chapter>.ipynb``) is
  missing or has a code cell that was never executed;
* the site holds Sphinx's working files (``.doctrees``, ``.buildinfo.bak``)
  or the build's ``reports`` of failed notebooks;
* ``sitemap.xml`` does not list every page (an incremental build with the
  stock sitemap extension lists only the pages it rewrote).

Usage: ``python scripts/check_site.py _build/html``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_IN_SITEMAP = {"404.html", "search.html", "genindex.html"}


def _notebook_cells():
    """Load the build's rule for an executed notebook (no Sphinx import)."""
    path = ROOT / "book" / "_ext" / "notebook_cells.py"
    spec = importlib.util.spec_from_file_location("notebook_cells", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def chapters(book: Path) -> list[str]:
    """Return the chapters that are notebooks (text files with a jupytext header)."""
    return sorted(
        path.relative_to(book).with_suffix("").as_posix()
        for path in book.rglob("*.md")
        if not any(part.startswith("_") for part in path.relative_to(book).parts)
        and path.read_text(encoding="utf-8").startswith("---\njupytext:")
    )


def problems(site: Path, book: Path) -> list[str]:
    """Return what stops ``site`` from being published; empty when it may be."""
    if not (site / "index.html").is_file():
        return [f"{site} holds no built site (no index.html)"]
    unexecuted_cells = _notebook_cells().unexecuted_cells
    found: list[str] = []
    for chapter in chapters(book):
        download = site / "_sources" / f"{chapter}.ipynb"
        if not download.is_file():
            found.append(f"{chapter}: no downloadable notebook {download}")
            continue
        missing = unexecuted_cells(json.loads(download.read_text(encoding="utf-8")))
        if missing:
            found.append(
                f"{chapter}: the downloadable notebook has unexecuted code "
                f"cells {missing} ({download})"
            )
    for name in (".doctrees", "reports", ".buildinfo.bak"):
        if (site / name).exists():
            found.append(f"{site / name} is a build file and must not be published")
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        found.append(f"no {sitemap}")
    else:
        listed = re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text("utf-8"))
        for page in sorted(site.rglob("*.html")):
            relative = page.relative_to(site).as_posix()
            if relative in NOT_IN_SITEMAP or relative.startswith("_"):
                continue
            if not any(loc.endswith("/" + relative) for loc in listed):
                found.append(f"sitemap.xml does not list {relative}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("--book", type=Path, default=ROOT / "book")
    args = parser.parse_args()
    found = problems(args.site, args.book)
    if found:
        print(f"check_site: {args.site} must not be published:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in found), file=sys.stderr)
        return 1
    print(f"check_site: {args.site} may be published")
    return 0


if __name__ == "__main__":
    sys.exit(main())
