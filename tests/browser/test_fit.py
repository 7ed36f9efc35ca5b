"""Equations and tables that fit, measured in a real browser.

- Every display equation fits its column at 1280 px: the formula and its
  number lie inside the column, nothing scrolls and nothing is clipped. On a
  phone a long equation may scroll inside its own block, but only with a
  visible sign (a faded edge) and a tab stop, never as a silent cut.
- Every table fits its column at 1280 px, and on a phone a wider one
  scrolls the same visible way.

The equation checks measure the block Sphinx writes for a display equation
(``div.math``) and the rendered formula inside it, so they hold for any way
of typesetting the formulas.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_pages import site_pages  # noqa: E402

DESKTOP, PHONE = 1280, 375
PAGES = site_pages(exclude={"404.html", "search.html", "genindex.html"})

# For each display block (equations, table boxes): how far its content reaches
# beyond the article column and beyond the block's own visible box, whether
# the block scrolls, and whether a reader can tell (faded edge, tab stop).
MEASURE = """(selector) => {
  const column = document.querySelector('.bd-article').getBoundingClientRect();
  // Text kept for screen readers only (the renderers' MathML copy) sits in
  // a 1-pixel clipped box; it is not part of what a reader sees.
  const screenReaderOnly = (el) => {
    const s = getComputedStyle(el);
    return s.position === 'absolute' && (s.clip !== 'auto'
      || (el.clientWidth <= 1 && s.overflow !== 'visible'));
  };
  const visible = (root) => {
    const found = [];
    const walk = (el) => {
      for (const child of el.children) {
        if (screenReaderOnly(child)) continue;
        found.push(child);
        // A box that clips its overflow shows only itself: what it hides
        // (KaTeX draws a stretched brace as a long path in such a box) is
        // not on the page.
        if (getComputedStyle(child).overflowX === 'hidden') continue;
        walk(child);
      }
    };
    walk(root);
    return found;
  };
  const out = [];
  for (const block of document.querySelectorAll(selector)) {
    const box = block.getBoundingClientRect();
    if (box.width === 0) continue;  // inside a closed <details>
    const parts = visible(block);
    let left = Infinity, right = -Infinity;
    for (const el of parts) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) {
        left = Math.min(left, r.left + block.scrollLeft);
        right = Math.max(right, r.right + block.scrollLeft);
      }
    }
    // Content cut by the rendered child itself (the renderer's own box, as
    // MathJax's overflow rule cut formulas); deeper clipping is the
    // renderer's drawing (e.g. stretched braces) and not measured.
    let clipped = 0;
    for (const el of block.children) {
      if (!screenReaderOnly(el) && getComputedStyle(el).overflowX !== 'visible') {
        clipped = Math.max(clipped, el.scrollWidth - el.clientWidth);
      }
    }
    const style = getComputedStyle(block);
    out.push({
      text: (block.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 50),
      id: block.id || (block.querySelector('[id]') || {}).id || '',
      beyondColumn: Math.max(0, Math.round(
        Math.max(box.right, right) - column.right,
        Math.max(column.left - Math.min(box.left, left), 0))),
      scrolls: block.scrollWidth - block.clientWidth,
      clipped: clipped,
      overflowX: style.overflowX,
      fade: style.maskImage || style.webkitMaskImage || 'none',
      tabindex: block.getAttribute('tabindex'),
    });
  }
  return out;
}"""

EQUATIONS = ".bd-article div.math"
TABLES = (
    ".bd-article .pst-scrollable-table-container,"
    " .bd-article table:not(.pst-scrollable-table-container table)"
)


def _problems(found: list[dict], width: int) -> list[str]:
    problems = []
    for block in found:
        where = f"{block['id'] or block['text']!r}"
        if block["clipped"] > 1:
            problems.append(f"{where}: {block['clipped']}px cut off inside the block")
        if width >= DESKTOP:
            if block["scrolls"] > 1 or block["beyondColumn"] > 1:
                problems.append(
                    f"{where}: {max(block['scrolls'], block['beyondColumn'])}px "
                    f"wider than the column at {width}px"
                )
        elif block["scrolls"] > 1:
            if block["overflowX"] not in ("auto", "scroll"):
                problems.append(f"{where}: cut off at {width}px (no scrolling)")
            if "gradient" not in block["fade"]:
                problems.append(f"{where}: scrolls at {width}px with no visible sign")
            if block["tabindex"] != "0":
                problems.append(f"{where}: scrolls but cannot be reached by keyboard")
        elif block["beyondColumn"] > 1:
            problems.append(f"{where}: {block['beyondColumn']}px outside the column")
    return problems


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("relative", PAGES)
def test_equations_and_tables_fit(
    open_at, save_screenshot, relative: str, width: int
) -> None:
    context, page = open_at(relative, width)
    try:
        found = page.evaluate(MEASURE, EQUATIONS) + page.evaluate(MEASURE, TABLES)
        problems = _problems(found, width)
        assert not problems, f"{relative} at {width}px:\n" + "\n".join(problems)
    except AssertionError:
        save_screenshot(page, f"{relative}-{width}")
        raise
    finally:
        context.close()


# Punctuation that follows an inline formula (", which ...") and has been
# pushed to the start of the next line, away from its formula.
ORPHANED_PUNCTUATION = """() => {
  const found = [];
  for (const formula of document.querySelectorAll('.bd-article span.math')) {
    const text = formula.nextSibling;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    if (!/^[,.;:!?)\\]\\u2019\\u201d]/.test(text.data)) continue;
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(text, 1);
    const mark = range.getBoundingClientRect();
    const lines = formula.getClientRects();
    const last = lines[lines.length - 1];
    if (mark.height && last && mark.top >= last.bottom - 2) {
      found.push(`${formula.textContent.slice(-20)} ${text.data.slice(0, 12)}`);
    }
  }
  return found;
}"""

# Pages of prose: the chapters (the API pages set few formulas in text).
CHAPTERS = [page for page in PAGES if "/" not in str(page)]


@pytest.mark.parametrize("relative", CHAPTERS)
def test_punctuation_stays_with_its_formula_on_a_phone(
    open_at, save_screenshot, relative: str
) -> None:
    context, page = open_at(relative, PHONE)
    try:
        # Lay out every block, also those far below the screen.
        page.add_style_tag(content="* { content-visibility: visible !important; }")
        orphans = page.evaluate(ORPHANED_PUNCTUATION)
        assert not orphans, (
            f"{relative} at {PHONE}px, punctuation starts a line:\n"
            + "\n".join(orphans)
        )
    except AssertionError:
        save_screenshot(page, f"punctuation-{relative}-{PHONE}")
        raise
    finally:
        context.close()
