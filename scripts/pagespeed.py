"""Measure how fast every chapter is ready on a phone, and how much it pulls.

The built site (``_build/html``) is served over HTTP on 127.0.0.1 under
``/convbook/``, the address prefix of the hosted book, by ``scripts/serve.py``
(``make serve``) in a process of its own, so that the server never waits for
this script's own work. Each chapter is opened in Chromium (Debian's
``/usr/bin/chromium``, driven by Playwright) in a fresh browser context (a
first visit: nothing cached) with a 375-pixel-wide window and the CPU slowed
down four times through the DevTools protocol, a mid-range phone. A page is
*ready* when its ``load`` event has fired and every handler of it has run (the
theme's among them), and its formulas are visible: every font the browser has
asked for so far has loaded (and, for a site that typesets in the browser, its
MathJax has finished). Blocks far below the first screen are drawn only when a
reader scrolls near them (``content-visibility`` in ``convbook.css``); the
fonts they need are asked for then. Bytes pulled are what came over the
network for the page and everything it loaded by one second after it was
ready.

For scale, two reference pages are measured the same way in the same run:
a bare HTML page of one paragraph (what any page costs in this browser on
this machine) and the site's ``404.html``, a page of the book with the
theme's stylesheets and scripts and almost no content (what the theme
costs before a chapter adds anything). They are reported, never counted
against the targets.

Each page is loaded three times; the median is reported. Results go to
``benchmarks/page-speed.json`` (``make pagespeed``), and the summary of the
run (the worst chapter, the heaviest, the targets) into README.md, between
the markers ``README_START`` and ``README_END``; ``tests/test_page_speed.py``
checks that the two agree. It is a benchmark, not a test: it reports the
targets (ready within 1.0 s, at most 3 MB) and always exits 0 when it could
measure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from readme_block import replace_between  # noqa: E402

PREFIX = "/convbook/"
CHROMIUM = os.environ.get("CONVBOOK_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 375, 812
CPU_SLOWDOWN = 4
RUNS = 3
TARGETS = {"ready_seconds": 1.0, "megabytes": 3.0}

# Runs in the page before its own scripts: records the moment the page is
# ready, measured from the start of the navigation.
READY_PROBE = """
window.addEventListener("load", async () => {
  await document.fonts.ready;
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) { await mj.startup.promise; }
  await document.fonts.ready;  // fonts that typesetting asked for
  // The other handlers of "load" (the theme's among them) run after this
  // one; a task queued now runs after them all.
  await new Promise((done) => setTimeout(done, 0));
  await document.fonts.ready;
  window.__convbookReady = performance.now();
});
"""


#: Served in place of a page of the site for the bare reference page.
BARE_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>Bare page</title></head><body><p>"
    + "A paragraph of plain text, with no stylesheet, script or font. " * 12
    + "</p></body></html>"
)
BARE_NAME = "pagespeed-bare-reference.html"
#: Reference pages: label -> page of the site (BARE_NAME is never written).
REFERENCES = {
    "bare HTML page": BARE_NAME,
    "theme, no chapter (404.html)": "404.html",
}

README = ROOT / "README.md"
README_START = "<!-- page speed: written by `make pagespeed` -->"
README_END = "<!-- end of page speed -->"


def readme_summary(report: dict) -> str:
    """Return the README's lines about a run (between the two markers)."""
    conditions, targets = report["conditions"], report["targets"]
    worst, heaviest = report["worst_ready"], report["heaviest"]
    chapters = report["chapters"]
    within = sum(
        r["ready_seconds"] <= targets["ready_seconds"] for r in chapters.values()
    )
    load = conditions.get("load_average_1min_at_start")
    load_text = (
        f"load average {load} at its start and "
        f"{conditions['load_average_1min_at_end']} at its end"
        if load is not None
        else f"load average {conditions['load_average_1min_at_end']} at its end"
    )
    verdict = "met" if report["targets_met"] else "**not met**"
    return (
        f"Last run ({conditions['cpus']} CPUs, {load_text}): targets {verdict}. "
        f"Worst chapter: **{worst['chapter']}**, ready in "
        f"**{worst['ready_seconds']:.2f} s** (target ≤ "
        f"{targets['ready_seconds']} s); {within} of {len(chapters)} chapters "
        f"are ready within the target. Heaviest: **{heaviest['chapter']}**, "
        f"**{heaviest['megabytes']:.2f} MB** (target ≤ {targets['megabytes']} MB)."
        + _references_text(report.get("references", {}))
    )


def _references_text(references: dict) -> str:
    if not references:
        return ""
    parts = [f"{label} {r['ready_seconds']:.2f} s" for label, r in references.items()]
    return " For scale, ready in the same run: " + ", ".join(parts) + "."


def readme_with_summary(text: str, report: dict) -> str:
    """Return README text with the block between the markers replaced."""
    return replace_between(
        text, README_START, README_END, readme_summary(report), "pagespeed"
    )


def start_server(site: Path) -> tuple[subprocess.Popen[str], str]:
    """Serve ``site`` with scripts/serve.py; return the process and the URL."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), "--port", "0", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # one line per request
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
    if not match:
        server.kill()
        raise SystemExit(f"pagespeed: the preview server did not start: {line!r}")
    origin = match.group(0)
    if not origin.endswith(PREFIX):
        server.kill()
        raise SystemExit(f"pagespeed: the site is not built for {PREFIX}: {origin}")
    return server, origin


def chapters(site: Path, book: Path) -> list[str]:
    """Return the pages built from the book's top-level chapters."""
    names = sorted(p.stem for p in book.glob("*.md"))
    found = [name for name in names if (site / f"{name}.html").is_file()]
    if not found:
        sys.exit(f"pagespeed: no chapter pages in {site}: run `make html` first")
    return found


def measure(browser, url: str) -> tuple[float, int]:
    """Load ``url`` once, cold; return (ready seconds, bytes pulled)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        pulled: dict[str, int] = {}
        cdp.on(
            "Network.loadingFinished",
            lambda event: pulled.__setitem__(
                event["requestId"], int(event["encodedDataLength"])
            ),
        )
        page.add_init_script(READY_PROBE)
        if url.endswith(BARE_NAME):
            page.route(
                url,
                lambda route: route.fulfill(
                    body=BARE_PAGE, content_type="text/html; charset=utf-8"
                ),
            )
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_function(
            "() => window.__convbookReady !== undefined", timeout=60_000
        )
        ready_ms = page.evaluate("window.__convbookReady")
        page.wait_for_timeout(1000)  # late requests (deferred icons, fonts)
        return ready_ms / 1000, sum(pulled.values())
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--book", type=Path, default=ROOT / "book")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "page-speed.json"
    )
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument(
        "--no-readme",
        dest="readme",
        action="store_false",
        help="do not write the run's summary into README.md",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    names = chapters(args.site, args.book)

    from playwright.sync_api import sync_playwright

    load_at_start = round(os.getloadavg()[0], 2)
    server, origin = start_server(args.site)
    results: dict[str, dict[str, object]] = {}
    references: dict[str, dict[str, object]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
            )
            try:
                pages = [(results, name, f"{name}.html") for name in names]
                pages += [(references, label, p) for label, p in REFERENCES.items()]
                for into, name, path in pages:
                    runs = [
                        measure(browser, f"{origin}{path}") for _ in range(args.runs)
                    ]
                    ready = statistics.median(r for r, _ in runs)
                    pulled = statistics.median(b for _, b in runs)
                    into[name] = {
                        "ready_seconds": round(ready, 3),
                        "megabytes": round(pulled / 1e6, 3),
                        "runs_ready_seconds": [round(r, 3) for r, _ in runs],
                    }
                    print(f"{name:28s} {ready:6.2f} s {pulled / 1e6:6.2f} MB")
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    worst = max(results, key=lambda n: results[n]["ready_seconds"])  # type: ignore[arg-type,return-value]
    heaviest = max(results, key=lambda n: results[n]["megabytes"])  # type: ignore[arg-type,return-value]
    met = all(
        r["ready_seconds"] <= TARGETS["ready_seconds"]  # type: ignore[operator]
        and r["megabytes"] <= TARGETS["megabytes"]  # type: ignore[operator]
        for r in results.values()
    )
    report = {
        "conditions": {
            "served": f"HTTP on 127.0.0.1 under {PREFIX}, uncompressed",
            "viewport": [WIDTH, HEIGHT],
            "cpu_slowdown": CPU_SLOWDOWN,
            "cache": "empty (first visit)",
            "statistic": f"median of {args.runs} loads",
            "ready": (
                "load event fired and all its handlers run; every font "
                "asked for so far (those of the formulas drawn) loaded"
            ),
            "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            # Other jobs on the machine slow every load; compare runs made
            # under similar load.
            "load_average_1min_at_start": load_at_start,
            "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        },
        "targets": TARGETS,
        "targets_met": met,
        "worst_ready": {"chapter": worst, **results[worst]},
        "heaviest": {"chapter": heaviest, **results[heaviest]},
        "chapters": results,
        "references": references,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.readme:
        text = README.read_text(encoding="utf-8")
        README.write_text(readme_with_summary(text, report), encoding="utf-8")
    print(
        f"worst: {worst} ready in {results[worst]['ready_seconds']} s; "
        f"heaviest: {heaviest} {results[heaviest]['megabytes']} MB; "
        f"targets {'met' if met else 'NOT met'}; written to {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
