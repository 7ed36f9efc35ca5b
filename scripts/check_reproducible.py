"""Build the book twice from scratch and check that the pages are identical.

Each build gets its own empty notebook cache, so every chapter is executed
twice; the two sites must then agree byte for byte on every HTML page and
every image. Run it with ``make reproducible``; it exits 1 and lists the
files that differ otherwise.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = {".html", ".svg", ".png", ".jpg", ".gif", ".js", ".css", ".ipynb", ".md"}


def build(out: Path) -> subprocess.Popen[bytes]:
    """Start a clean build into ``out`` with a cache of its own."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, CONVBOOK_CACHE_DIR=str(out / "cache"))
    command = [
        str(Path(sys.executable).parent / "sphinx-build"),
        *("-c", str(ROOT), "-W", "--keep-going", "-q", "-b", "html"),
        *("-d", str(out / "doctrees"), str(ROOT / "book"), str(out / "html")),
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT)


def differences(first: Path, second: Path) -> list[str]:
    """Return the files whose presence or bytes differ between two sites."""
    found: list[str] = []
    names = {p.relative_to(first) for p in first.rglob("*") if p.is_file()}
    names |= {p.relative_to(second) for p in second.rglob("*") if p.is_file()}
    for name in sorted(names):
        if name.suffix not in CHECKED:
            continue
        a, b = first / name, second / name
        if not (a.is_file() and b.is_file()):
            found.append(f"{name}: only in one build")
        elif not filecmp.cmp(a, b, shallow=False):
            found.append(f"{name}: contents differ")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "repro")
    args = parser.parse_args()
    runs = [build(args.out / tag) for tag in ("a", "b")]
    if any(run.wait() != 0 for run in runs):
        print("check_reproducible: a build failed (see its output)", file=sys.stderr)
        return 1
    found = differences(args.out / "a" / "html", args.out / "b" / "html")
    pages = len(list((args.out / "a" / "html").rglob("*.html")))
    if found:
        print(f"check_reproducible: {len(found)} files differ between two builds:")
        print("\n".join(f"  {line}" for line in found))
        return 1
    print(f"check_reproducible: two clean builds agree byte for byte ({pages} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
