"""Check that every way of building the book gives the same site, byte for byte.

On a scratch copy of the chapters (``_build/repro/tree/book``; the working
tree is never edited), with a notebook cache of its own, this runs ``make html`` along
the paths authors and CI take and compares each resulting ``html`` folder
with the first, clean build:

1. a clean build (empty cache: every chapter is executed);
2. the same build again, nothing changed (a no-op), with ``JOBS=4``: the
   pages (all written again on every build) are written by three processes
   at once, as on a machine with more CPUs;
3. a cache-only rebuild: the site, Sphinx's state and myst-nb's executed
   notebooks removed, the notebook cache kept (what CI does when it restores
   the cache), with the chapters read one at a time (``JOBS=1``) where every
   other build reads them in parallel, so the site cannot depend on that;
4. a prose edit to one chapter, then its revert (the edited site is checked
   to differ, then the reverted one must equal the clean one);
5. an edit to that chapter's code (it is executed again), then its revert.

An edit to the package needs no step of its own: it changes the cache's
folder (see ``conf.py``), so it is a clean build (step 1), and its revert a
cache-only one (step 3).

With ``--also-compare DIR`` the clean build is also compared with another
site built from the same commit (``.ci/run`` passes the one ``make test``
built from scratch: a second, independent execution of every chapter).

Run it with ``make reproducible``. On a difference it names the files that
differ and shows the first differing lines, then exits 1.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOWN_FILES = 5  # how many differing files get their first differing lines shown
SHOWN_LINES = 12
WIDTH = 160


def scratch_copy(out: Path) -> Path:
    """Make ``out/tree``, a copy of the repository to build; return its book.

    The chapters are copied; everything they reach with ``..`` (the package,
    the benchmarks) is linked, so the copy sees the same files.
    """
    tree = out / "tree"
    tree.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in {"book", "_build", ".git"}:
            (tree / entry.name).symlink_to(entry)
    book = tree / "book"
    shutil.copytree(ROOT / "book", book)
    return book


def make_html(out: Path, book: Path, *, quiet: bool = True, jobs: str = "") -> str:
    """Run the Makefile's ``html`` target on ``book``, building into ``out``.

    ``jobs`` overrides the Makefile's ``JOBS`` (how many processes read the
    chapters). Returns the build's output; on failure, shows it and exits.
    """
    env = dict(os.environ, CONVBOOK_CACHE_DIR=str(out / "cache"))
    command = [
        "make",
        "--no-print-directory",
        "html",
        f"SOURCEDIR={book}",
        f"BUILDDIR={out}",
        f"SPHINXOPTS={'-q' if quiet else ''}",
        *([f"JOBS={jobs}"] if jobs else []),
    ]
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, env=env, check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        print(result.stdout[-5000:], result.stderr[-5000:], sep="\n")
        sys.exit(f"check_reproducible: the build failed ({' '.join(command)})")
    print(f"   built in {time.perf_counter() - start:.0f} s", flush=True)
    return result.stdout + result.stderr


def _files(site: Path) -> set[Path]:
    return {p.relative_to(site) for p in site.rglob("*") if p.is_file()}


def _excerpt(line: str, column: int) -> str:
    """Cut a long line down to the part around ``column``."""
    line = line.rstrip("\n")
    if len(line) <= WIDTH:
        return line
    start = max(0, column - WIDTH // 2)
    return ("..." if start else "") + line[start : start + WIDTH] + "..."


def first_difference(a: Path, b: Path) -> list[str]:
    """Describe where two files first differ: a few diff lines, or a byte offset."""
    data_a, data_b = a.read_bytes(), b.read_bytes()
    try:
        lines_a = data_a.decode("utf-8").splitlines(keepends=True)
        lines_b = data_b.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        offset = next(
            (i for i, (x, y) in enumerate(zip(data_a, data_b, strict=False)) if x != y),
            min(len(data_a), len(data_b)),
        )
        return [
            f"binary: {len(data_a)} bytes vs {len(data_b)} bytes, "
            f"first difference at byte {offset}"
        ]
    shown: list[str] = []
    for line in difflib.unified_diff(lines_a, lines_b, "clean", "this build", n=1):
        if line.startswith(("---", "+++")):
            continue
        shown.append(line.rstrip("\n"))
        if len(shown) >= SHOWN_LINES:
            break
    index = next(
        (i for i, (x, y) in enumerate(zip(lines_a, lines_b, strict=False)) if x != y),
        None,
    )
    if index is not None and max(len(lines_a[index]), len(lines_b[index])) > WIDTH:
        column = next(
            (
                i
                for i, (x, y) in enumerate(
                    zip(lines_a[index], lines_b[index], strict=False)
                )
                if x != y
            ),
            0,
        )
        return [
            f"line {index + 1}, column {column + 1}:",
            f"-{_excerpt(lines_a[index], column)}",
            f"+{_excerpt(lines_b[index], column)}",
        ]
    return shown


#: Files that ``make pdf`` copies into a site (the whole-book PDF). The HTML
#: builds this script runs do not make them, so when another site is compared
#: (``--also-compare``) they may stand there alone; their bytes are not the
#: HTML builder's and are not compared here.
ADDED_BY_MAKE_PDF = frozenset({"convbook.pdf"})


def differences(
    reference: Path, site: Path, added: frozenset[str] = frozenset()
) -> list[str]:
    """Return a report of the files whose presence or bytes differ.

    Names in ``added`` may be present in ``site`` alone without counting as a
    difference.
    """
    report: list[str] = []
    shown = 0
    for name in sorted(_files(reference) | _files(site)):
        a, b = reference / name, site / name
        if not a.is_file() and name.as_posix() in added:
            continue
        if not a.is_file():
            report.append(f"  {name}: only in this build")
        elif not b.is_file():
            report.append(f"  {name}: missing from this build")
        elif a.read_bytes() != b.read_bytes():
            report.append(f"  {name}: contents differ")
            if shown < SHOWN_FILES:
                report.extend(f"      {line}" for line in first_difference(a, b))
                shown += 1
    return report


def compare(
    step: str, reference: Path, site: Path, added: frozenset[str] = frozenset()
) -> bool:
    report = differences(reference, site, added)
    if report:
        count = sum(1 for line in report if not line.startswith("      "))
        print(f"FAIL {step}: {count} files differ from the clean build:")
        print("\n".join(report))
        return False
    print(f"ok   {step}: identical to the clean build ({len(_files(site))} files)")
    return True


def prose_edit(chapter: Path) -> bytes:
    """Add a paragraph to a chapter; return its original bytes."""
    original = chapter.read_bytes()
    chapter.write_bytes(original + b"\nA sentence added to check rebuilds.\n")
    return original


def code_edit(chapter: Path) -> bytes:
    """Add a comment to a chapter's first code cell; return its original bytes."""
    original = chapter.read_bytes()
    text = original.decode("utf-8")
    marker = "```{code-cell} ipython3\n"
    at = text.index(marker) + len(marker)
    if text[at:].startswith("---\n"):  # skip the cell's metadata block
        at = text.index("---\n", at + 4) + 4
    text = text[:at] + "# A comment added to check rebuilds.\n" + text[at:]
    chapter.write_bytes(text.encode("utf-8"))
    return original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "repro")
    parser.add_argument(
        "--chapter", help="the chapter to edit (default: the first notebook)"
    )
    parser.add_argument(
        "--also-compare",
        type=Path,
        metavar="DIR",
        help="another site built from scratch from the same commit",
    )
    args = parser.parse_args()
    out = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    book = scratch_copy(out)
    site, clean = out / "html", out / "clean"
    ok = True

    print("== 1. clean build (empty notebook cache)", flush=True)
    make_html(out, book)
    shutil.copytree(site, clean)
    if args.also_compare is not None:
        ok &= compare(
            f"site in {args.also_compare}",
            clean,
            args.also_compare,
            added=ADDED_BY_MAKE_PDF,
        )

    print(
        "== 2. the same build again, nothing changed, every page written by "
        "three processes at once (JOBS=4)",
        flush=True,
    )
    output = make_html(out, book, quiet=False, jobs="4")
    ok &= compare("no-op build, JOBS=4", clean, site)
    for line in output.splitlines():
        if "The configuration has changed" in line:
            print(f"FAIL no-op build: Sphinx reports a change: {line.strip()}")
            ok = False

    print(
        "== 3. cache-only rebuild (site, doctrees, executed notebooks removed), "
        "chapters read one at a time (JOBS=1)",
        flush=True,
    )
    for name in ("html", "doctrees", "jupyter_execute"):
        shutil.rmtree(out / name, ignore_errors=True)
    make_html(out, book, jobs="1")
    ok &= compare("cache-only rebuild, serial", clean, site)

    name = args.chapter or next(
        p.name
        for p in sorted(book.glob("*.md"))
        if p.read_text(encoding="utf-8").startswith("---\njupytext:")
    )
    print(f"== 4. prose edit to {name}, then its revert", flush=True)
    chapter = book / name
    original = prose_edit(chapter)
    make_html(out, book)
    page = site / Path(name).with_suffix(".html")
    if b"A sentence added to check rebuilds." not in page.read_bytes():
        print(f"FAIL prose edit: {page.name} does not show the edit")
        ok = False
    chapter.write_bytes(original)
    make_html(out, book)
    ok &= compare("prose edit and revert", clean, site)

    print(f"== 5. code edit to {name} (executes it again), then its revert")
    original = code_edit(chapter)
    make_html(out, book)
    if b"A comment added to check rebuilds." not in page.read_bytes():
        print(f"FAIL code edit: {page.name} does not show the edit")
        ok = False
    chapter.write_bytes(original)
    make_html(out, book)
    ok &= compare("code edit and revert", clean, site)

    if not ok:
        print("check_reproducible: the site depends on how it was built")
        return 1
    print("check_reproducible: every build path gives the clean build's site")
    return 0


if __name__ == "__main__":
    sys.exit(main())
