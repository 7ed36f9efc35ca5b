"""Measure how fast the book builds, and how little a small edit rebuilds.

Each measurement times ``make html`` (the Makefile's target itself, so with
its options: chapters read in parallel, then ``check_site.py``) on a scratch
copy of the chapters, so that nothing here is touched:

1. a clean build (no site, no notebook cache; the environment exists);
2. the same build again with nothing changed;
3. after an edit to one chapter's prose: which chapters were re-executed;
4. after an edit to one chapter's code: which chapters were re-executed;
5. for comparison, a clean build with ``JOBS=1`` (chapters read one at a
   time), on a copy of its own.

Results go to ``benchmarks/build-times.json`` (``make buildtimes``), with the
load average before and after. The targets (from the project's issues) are a
clean build within 90 s, a no-op rebuild within 5 s, no execution for a prose
edit and exactly one chapter executed for a code edit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_reproducible import make_html, scratch_copy

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = re.compile(r"(\S+\.md): Executing notebook")
TARGETS = {"clean": 90.0, "nothing_changed": 5.0}
JOBS = re.compile(r"^JOBS \?= (\S+)$", re.M)


def build(out: Path, book: Path, jobs: str = "") -> tuple[float, list[str]]:
    """Run ``make html`` on the copy; return the wall time and the chapters executed."""
    start = time.perf_counter()
    output = make_html(out, book, quiet=False, jobs=jobs)
    seconds = time.perf_counter() - start
    executed = sorted({Path(m).name for m in EXECUTED.findall(output)})
    return seconds, executed


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


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
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="convbook-build-times-") as scratch:
        out = Path(scratch)
        book = scratch_copy(out)
        chapter = book / args.chapter
        results: dict[str, dict[str, object]] = {}
        for step in ("clean", "nothing_changed", "prose_edit", "code_edit"):
            if step == "prose_edit":
                edit(chapter, code=False)
            elif step == "code_edit":
                edit(chapter, code=True)
            seconds, executed = build(out, book)
            results[step] = {"seconds": round(seconds, 1), "executed": executed}
    with tempfile.TemporaryDirectory(prefix="convbook-build-times-") as scratch:
        out = Path(scratch)
        seconds, executed = build(out, scratch_copy(out), jobs="1")
        results["clean_one_job"] = {"seconds": round(seconds, 1), "executed": executed}
    load_after = load()
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
    jobs = JOBS.search((ROOT / "Makefile").read_text(encoding="utf-8"))
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
        },
        "jobs": os.environ.get("JOBS") or (jobs.group(1) if jobs else None),
        "load_average": {"before": load_before, "after": load_after},
        "recorded": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
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
    print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after")
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
