"""Every chapter lays out its exercises the same way.

Each exercise is a paragraph opening with its number in bold (``**1.**``),
followed by its solution in a dropdown; no chapter writes them as a Markdown
list instead, and the numbers run 1, 2, 3, ... within a chapter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(p for p in BOOK.glob("*.md") if "\n## Exercises\n" in p.read_text())


def top_level(section: str) -> list[str]:
    """The lines of ``section`` outside code fences and dropdowns."""
    lines, fence, depth = [], None, 0
    for line in section.splitlines():
        stripped = line.strip()
        if fence:
            fence = None if stripped == fence else fence
        elif re.match(r"(`{3,}|~{3,})", stripped):
            fence = re.match(r"(`{3,}|~{3,})", stripped).group(1)
        elif stripped.startswith(":::{"):
            depth += 1
        elif stripped == ":::" and depth:
            depth -= 1
        elif not depth:
            lines.append(line)
    return lines


def test_some_chapters_have_exercises():
    assert len(CHAPTERS) >= 10


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_are_bold_numbered_paragraphs(chapter):
    section = chapter.read_text().split("\n## Exercises\n", 1)[1].split("\n## ", 1)[0]
    lines = top_level(section)
    assert not [line for line in lines if re.match(r"\s*\d+[.)] ", line)]
    numbers = [int(m) for line in lines for m in re.findall(r"^\*\*(\d+)\.\*\*", line)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert numbers
    assert section.count(":::{dropdown} Solution") == len(numbers)
