"""Measure how fast the book builds, and how little a small edit rebuilds.

Four measurements, on a scratch copy of the repository so that nothing here
is touched:

1. a clean build (no site, no notebook cache; the environment exists);
2. the same build again with nothing changed;
3. after an edit to one chapter's prose: which chapters were re-executed;
4. after an edit to one chapter's code: which chapters were re-executed.

Results go to ``benchmarks/build-times.json`` (``make buildtimes``). The
targets (from the project's issue) are a clean build within 90 s, a no-op
rebuild within 5 s, no execution for a prose edit and exactly one chapter
executed for a code edit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["book", "src", "conf.py", "pyproject.toml", "requirements", "benchmarks"]
COPIED += ["package.json", "package-lock.json", "node_modules"]  # KaTeX
EXECUTED = re.compile(r"(\S+\.md): Executing notebook")
TARGETS = {"clean": 90.0, "nothing_changed": 5.0}


def sphinx(tree: Path) -> tuple[float, list[str]]:
    """Build the copy's book; return the wall time and the chapters executed."""
    command = [
        str(Path(sys.executable).parent / "sphinx-build"),
        *("-c", ".", "-W", "--keep-going", "-d", "_build/doctrees/html"),
        *("-b", "html", "book", "_build/html"),
    ]
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=tree, capture_output=True, text=True, check=False, env=os.environ
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build_times: the build failed:\n{result.stdout}\n{result.stderr}")
    executed = sorted(
        {Path(m).name for m in EXECUTED.findall(result.stdout + result.stderr)}
    )
    return seconds, executed


def edit(path: Path, *, code: bool) -> None:
    """Append a sentence to the prose, or a comment to the first code cell."""
    text = path.read_text(encoding="utf-8")
    if code:
        marker = "```{code-cell} ipython3\n"
        at = text.index(marker) + len(marker)
        if text[at:].startswith("---\n"):  # skip the cell's metadata block
            at = text.index("---\n", at + 4) + 4
        text = text[:at] + "# an edit to this chapter's code\n" + text[at:]
    else:
        text += "\nAn edit to this chapter's prose.\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="output-shape.md")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "build-times.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="convbook-build-times-") as scratch:
        tree = Path(scratch)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, tree / name)
            else:
                shutil.copy2(source, tree / name)
        chapter = tree / "book" / args.chapter
        results: dict[str, dict[str, object]] = {}
        seconds, executed = sphinx(tree)
        results["clean"] = {"seconds": round(seconds, 1), "executed": executed}
        seconds, executed = sphinx(tree)
        results["nothing_changed"] = {
            "seconds": round(seconds, 1),
            "executed": executed,
        }
        edit(chapter, code=False)
        seconds, executed = sphinx(tree)
        results["prose_edit"] = {"seconds": round(seconds, 1), "executed": executed}
        edit(chapter, code=True)
        seconds, executed = sphinx(tree)
        results["code_edit"] = {"seconds": round(seconds, 1), "executed": executed}
    chapters = len(list((ROOT / "book").glob("*.md")))
    checks = {
        "clean_within_90s": results["clean"]["seconds"] <= TARGETS["clean"],
        "nothing_changed_within_5s": results["nothing_changed"]["seconds"]
        <= TARGETS["nothing_changed"],
        "nothing_changed_executes_nothing": results["nothing_changed"]["executed"]
        == [],
        "prose_edit_executes_nothing": results["prose_edit"]["executed"] == [],
        "code_edit_executes_only_that_chapter": results["code_edit"]["executed"]
        == [args.chapter],
    }
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
        },
        "chapters": chapters,
        "edited_chapter": args.chapter,
        "results": results,
        "checks": checks,
    }
    args.output.write_text(
        json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    for name, row in results.items():
        executed = ", ".join(row["executed"]) or "-"
        print(f"{name:16} {row['seconds']:6.1f} s  executed: {executed}")
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
