"""Chapters a reader can finish, with numbers written one way.

Reading time: a chapter holds at most 3,000 words of prose (about fifteen
minutes at 200 words a minute, the pace of technical text), and the opening
page, which answers the question, at most 1,000 (five minutes). Code, display
mathematics and the front matter are not prose; figure captions and hidden
solutions are, since a reader reads them too. Inline mathematics counts as one
word, as does a cross-reference or glued value.

Typography: numbers reach the prose through ``convbook.text.number`` and
``convbook.text.percent``, so a chapter never formats a glued number with its
own format specification (``:,``, ``%``) or writes a space before ``%``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(p.name for p in BOOK.glob("*.md") if p.name != "references.md")
LIMITS = {"index.md": 1000}
DEFAULT_LIMIT = 3000

# Every chapter glues its numbers through convbook.text.
TYPESET = CHAPTERS

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.S | re.M)
CAPTION = re.compile(r"^\s+caption: \|\n((?:\s{6,}.*\n)+)", re.M)


def prose_words(text: str) -> int:
    """Words a reader reads in a chapter's source."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    captions = CAPTION.findall(text)
    text = FENCE.sub("", text) + "\n".join(captions)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " math ", text)
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", " ref ", text)
    return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", text))


def test_word_count_of_a_known_text() -> None:
    text = (
        "---\nkernelspec: x\n---\n# A title\n\nTwo words, $x + y$ and "
        "{glue:text}`key`.\n\n```{code-cell} ipython3\nprint(1, 2, 3)\n```\n"
        "\n$$\na = b\n$$\n"
    )
    # A title Two words math and ref
    assert prose_words(text) == 7


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_reads_in_time(name: str) -> None:
    words = prose_words((BOOK / name).read_text())
    assert words <= LIMITS.get(name, DEFAULT_LIMIT), (name, words)


GLUE_FORMAT = re.compile(
    r"""glue\([^\n]*(?:f["'][^"']*\{[^}]*:[^}]*[,%]\}|["'][^"']*\s%["'])"""
)


@pytest.mark.parametrize("name", TYPESET)
def test_glued_numbers_use_the_book_typography(name: str) -> None:
    text = (BOOK / name).read_text()
    assert GLUE_FORMAT.findall(text) == []


@pytest.mark.parametrize(
    "line",
    [
        'glue("a", f"{n:,}", display=False)',
        'glue("a", f"{share:.0%}", display=False)',
        'glue("a", f"{100 * x:.0f} %", display=False)',
    ],
)
def test_the_typography_rule_can_fire(line: str) -> None:
    assert GLUE_FORMAT.search(line)


def test_the_typography_rule_passes_the_helpers() -> None:
    assert not GLUE_FORMAT.search('glue("a", number(n), display=False)')
    assert not GLUE_FORMAT.search('glue("a", f"{gap:.0e}", display=False)')
