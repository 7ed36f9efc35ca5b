"""The book's notation: one table, one meaning per symbol, linked everywhere.

``book/notation.md`` lists every symbol once. The tests here check that the
table really gives each symbol one row, that every chapter links to it, and
that the chapters which follow it avoid the spellings the table rules out
(another letter for the same thing, or the same letter for another thing).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
NOTATION = BOOK / "notation.md"

# Every page a reader reads as a chapter; the reference pages are not.
NOT_CHAPTERS = {"notation.md", "references.md"}
CHAPTERS = sorted(p.name for p in BOOK.glob("*.md") if p.name not in NOT_CHAPTERS)

# Every chapter follows the notation page, and so does the page itself.
FOLLOWING = ["notation.md", *CHAPTERS]

# (pattern, why it is ruled out, where): "all" applies to the whole source,
# prose, mathematics and code alike; "math" to the mathematics only.
FORBIDDEN = [
    (
        r"𝟙|\\mathbf\{1\}\s*\[|\\boldsymbol\{1\}|\\mathbb 1",
        "the indicator is written \\mathbb{1}[...]",
        "all",
    ),
    (
        r"(?<![A-Za-z}_^\]|])\s*\[\\,?\s*0\s*\\le",
        "a bare Iverson bracket; the indicator is written \\mathbb{1}[...]",
        "math",
    ),
    (
        r"\\mathbb\{1\}(?!\s*(?:\[|\\big\[|\\Big\[|\\left\[))",
        "\\mathbb{1} is the indicator and takes a bracket",
        "all",
    ),
    (
        r"\\mathbf\{1\}(?![_\[])",
        "\\mathbf{1} is a column of ones and takes a length subscript",
        "all",
    ),
    (
        r"(?<![A-Za-z_])W[12](?![A-Za-z0-9_])",
        "weights in code are w1, w2; W_1 is a width",
        "all",
    ),
    (r"functional as F\b", "F is a kernel size", "all"),
    (
        r"\\partial L\b",
        "the loss is \\mathcal{L}; L is the last layer",
        "all",
    ),
    (
        r"(?<!\\mathbf)(?<!\\mathbf\{)[,{]\s*b\s*(?:[,}]|=\s*0)",
        "b is the bias, never a tap index",
        "math",
    ),
    (
        r"_\{[^{}]*,m[,}]|_\{m,|\\sum_\{m\s*=\s*0\}\^\{K",
        "the intermediate channel is c, not m",
        "math",
    ),
    (
        r"\bi\s*[-+]\s*(?:2p|k)\b|\bk\s*=\s*2n\b",
        "Dumoulin and Visin's letters are translated (k is a filter number)",
        "all",
    ),
    (
        r"(?i)horizontal Sobel|vertical Sobel|horizontal-difference",
        "the Sobel kernels are named by the derivative they take",
        "all",
    ),
]

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)


def _scope(text: str, where: str) -> list[tuple[int, str]]:
    """The parts of ``text`` a rule applies to, with their offsets."""
    if where == "all":
        return [(0, text)]
    return [(m.start(), m.group(0)) for m in MATH.finditer(text)]


def _rows(text: str) -> list[str]:
    """First cells of every table row of the notation page."""
    cells = []
    for line in text.splitlines():
        if not line.startswith("| $"):
            continue
        cells.append(line.split("|")[1].strip())
    return cells


def _symbols(cell: str) -> list[str]:
    """Split a first cell such as ``$H_l, W_l$`` into its symbols."""
    inner = " ".join(re.findall(r"\$([^$]+)\$", cell))
    parts = re.split(r",\s*(?![^{]*\})", inner)
    return [p.strip() for p in parts if p.strip()]


def test_each_symbol_has_one_row() -> None:
    symbols = [s for cell in _rows(NOTATION.read_text()) for s in _symbols(cell)]
    assert len(symbols) > 30
    repeated = sorted({s for s in symbols if symbols.count(s) > 1})
    assert repeated == []


def test_the_table_names_the_question_symbols() -> None:
    symbols = {s for cell in _rows(NOTATION.read_text()) for s in _symbols(cell)}
    for name in ["H_i", "W_i", "C_i", "K_l", "F_l", "S_l", "P_l", "k", "c"]:
        assert name in symbols


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_links_to_the_notation(name: str) -> None:
    text = (BOOK / name).read_text()
    assert re.search(r"\{doc\}`(?:[^`<]*<)?notation>?`", text), name


@pytest.mark.parametrize("name", FOLLOWING)
def test_chapter_avoids_ruled_out_spellings(name: str) -> None:
    text = (BOOK / name).read_text()
    if name == "notation.md":
        # The page names the ruled-out spellings in its last sections only.
        text = text.split("## Other texts' letters")[0]
    found = []
    for pattern, why, where in FORBIDDEN:
        for offset, part in _scope(text, where):
            for match in re.finditer(pattern, part):
                at = offset + match.start()
                line = text.count("\n", 0, at) + 1
                found.append(f"{name}:{line}: {match.group(0)!r}: {why}")
    assert found == []


@pytest.mark.parametrize("pattern", [rule[0] for rule in FORBIDDEN])
def test_each_rule_can_fire(pattern: str) -> None:
    samples = [
        r"\mathbf{1}[x > 0]",
        r"w\; [\,0 \le r < H_1\,]",
        r"\mathbb{1}(x > 0)",
        r"\mathbb{1}_{n}",
        r"\mathbf{1}^\top",
        "W1 = rng.random()",
        "import torch.nn.functional as F",
        r"\partial L",
        r"\sum_{a,b=0}",
        r"\mathbf{W}_{k,m,u,v}",
        "o = i + 2p - k",
        "the horizontal Sobel kernel",
    ]
    assert any(re.search(pattern, s) for s in samples)


@pytest.mark.parametrize(
    "sample",
    [
        r"$b^{(2)}_k$",
        r"$\mathbf{b}$",
        r"$\mathbb{1}[0 \le r < H_1]$",
        r"$\mathbf{1}_{H_o W_o}$",
        "w1 = rng.random()",
        "W_1 = 28",
        r"$\prod_{m=1}^{l-1} S_m$",
        r"$\mathbf{W}^{(2)}_{k,c,u,v}$",
        r"$\mathbb{1}\big[O > 0\big]$",
        "conv2d(X, w, b, padding=1)",
    ],
)
def test_allowed_spellings_pass(sample: str) -> None:
    assert not any(
        re.search(pattern, part)
        for pattern, _, where in FORBIDDEN
        for _, part in _scope(sample, where)
    )
