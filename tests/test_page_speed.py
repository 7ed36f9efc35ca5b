"""The page-speed record and the README's summary of it agree.

``make pagespeed`` writes ``benchmarks/page-speed.json`` and the README's
summary of the same run (``scripts/pagespeed.py``); a hand edit of either, or
a record committed without its summary, fails here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "pagespeed", ROOT / "scripts" / "pagespeed.py"
)
pagespeed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pagespeed)

RECORD = json.loads((ROOT / "benchmarks" / "page-speed.json").read_text("utf-8"))


def test_record_names_its_worst_and_heaviest_chapter() -> None:
    chapters = RECORD["chapters"]
    worst = max(chapters, key=lambda name: chapters[name]["ready_seconds"])
    heaviest = max(chapters, key=lambda name: chapters[name]["megabytes"])
    assert RECORD["worst_ready"] == {"chapter": worst, **chapters[worst]}
    assert RECORD["heaviest"] == {"chapter": heaviest, **chapters[heaviest]}
    targets = RECORD["targets"]
    met = all(
        r["ready_seconds"] <= targets["ready_seconds"]
        and r["megabytes"] <= targets["megabytes"]
        for r in chapters.values()
    )
    assert RECORD["targets_met"] is met


def test_every_chapter_is_measured() -> None:
    book = sorted(p.stem for p in (ROOT / "book").glob("*.md"))
    assert sorted(RECORD["chapters"]) == book


def test_readme_summarises_the_recorded_run() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert pagespeed.readme_with_summary(readme, RECORD) == readme, (
        "README.md's page-speed summary differs from benchmarks/page-speed.json; "
        "run `make pagespeed` (or copy its summary) so that they agree"
    )
    assert f"**{RECORD['worst_ready']['chapter']}**" in readme


def test_summary_states_the_worst_chapter_and_whether_targets_are_met() -> None:
    report = {
        "conditions": {
            "cpus": 2,
            "load_average_1min_at_start": 0.5,
            "load_average_1min_at_end": 0.7,
        },
        "targets": {"ready_seconds": 1.0, "megabytes": 3.0},
        "targets_met": False,
        "worst_ready": {"chapter": "gradients", "ready_seconds": 1.2, "megabytes": 1.5},
        "heaviest": {"chapter": "index", "ready_seconds": 0.5, "megabytes": 1.7},
        "chapters": {
            "gradients": {"ready_seconds": 1.2, "megabytes": 1.5},
            "index": {"ready_seconds": 0.5, "megabytes": 1.7},
        },
    }
    assert pagespeed.readme_summary(report) == (
        "Last run (2 CPUs, load average 0.5 at its start and 0.7 at its end): "
        "targets **not met**. Worst chapter: **gradients**, ready in **1.20 s** "
        "(target ≤ 1.0 s); 1 of 2 chapters are ready within the target. "
        "Heaviest: **index**, **1.70 MB** (target ≤ 3.0 MB)."
    )


def test_summary_gives_the_reference_pages_for_scale() -> None:
    chapter = {"ready_seconds": 1.2, "megabytes": 1.5}
    report = {
        "conditions": {"cpus": 2, "load_average_1min_at_end": 0.7},
        "targets": {"ready_seconds": 1.0, "megabytes": 3.0},
        "targets_met": False,
        "worst_ready": {"chapter": "gradients", **chapter},
        "heaviest": {"chapter": "gradients", **chapter},
        "chapters": {"gradients": chapter},
        "references": {
            "bare HTML page": {"ready_seconds": 0.31, "megabytes": 0.001},
            "theme, no chapter (404.html)": {"ready_seconds": 1.456, "megabytes": 0.9},
        },
    }
    assert pagespeed.readme_summary(report).endswith(
        "(target ≤ 3.0 MB). For scale, ready in the same run: bare HTML page "
        "0.31 s, theme, no chapter (404.html) 1.46 s."
    )


def test_record_measures_the_reference_pages() -> None:
    assert sorted(RECORD["references"]) == sorted(pagespeed.REFERENCES)
    assert pagespeed.BARE_PAGE.count("<p>") == 1


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(SystemExit) as raised:
        pagespeed.readme_with_summary("# convbook\n", RECORD)
    assert str(raised.value) == (
        "pagespeed: README.md lacks the lines "
        "'<!-- page speed: written by `make pagespeed` -->' and "
        "'<!-- end of page speed -->' that mark where the summary goes"
    )
