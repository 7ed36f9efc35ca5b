"""Accessibility: axe-core finds no WCAG 2.1 A or AA violation on any page.

axe-core is Deque's accessibility engine. It comes from the npm registry at
test time (``make axe`` installs the pinned version into ``_build/axe``; it
is never part of the repository) and is injected into each page of the built
site, at desktop and at phone width, in light and in dark mode (colour
contrast differs between them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_pages import site_pages  # noqa: E402

AXE_DEFAULT = ROOT / "_build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE = Path(os.environ.get("CONVBOOK_AXE", AXE_DEFAULT))
PAGES = site_pages()
# The standard the book promises, and axe's own best practices that concern
# what this site controls (landmarks, headings, names).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': '
      + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)),
    count: v.nodes.length,
  }));
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE}: run `make axe`"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this check must run)")
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("width", "mode"), [(1280, "light"), (375, "dark")], ids=["1280-light", "375-dark"]
)
@pytest.mark.parametrize("relative", PAGES)
def test_axe_finds_no_violation(
    open_at, axe_source, save_screenshot, relative: str, width: int, mode: str
) -> None:
    context, page = open_at(relative, width)
    try:
        page.emulate_media(color_scheme=mode)
        # Every block laid out as a reader who scrolls to it sees it: while
        # sections far below the screen are skipped (content-visibility), the
        # page's height changes as axe scrolls through it, and axe took the
        # background of text that had moved under the footer's PDF link.
        page.add_style_tag(content="* { content-visibility: visible !important; }")
        page.wait_for_timeout(100)
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(RUN, TAGS)
        report = [
            f"{v['id']} ({v['impact']}, {v['count']} elements): {v['help']}\n    "
            + "\n    ".join(v["nodes"])
            for v in violations
        ]
        assert not report, f"{relative} at {width}px, {mode}:\n" + "\n".join(report)
    except AssertionError:
        save_screenshot(page, f"a11y-{relative}-{width}-{mode}")
        raise
    finally:
        context.close()
