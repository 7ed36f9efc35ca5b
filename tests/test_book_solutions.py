"""Hidden exercise solutions show the code that the book actually runs.

A MyST notebook cannot execute a code cell nested in a dropdown, so the
chapters listed here print each solution's code as a plain ```python block
inside the dropdown and run the same code, plus the ``glue`` calls that put its
numbers into the text, in a ``remove-cell`` cell right after it. This test
keeps the two copies identical (up to the ``glue`` calls), so that a reader who
pastes a solution gets the numbers the solution states.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = [
    "convolution-vs-correlation.md",
    "output-shape.md",
    "why-convolutions.md",
    "first-layer.md",
    "second-layer.md",
    "pooling.md",
    "receptive-fields.md",
    "composition.md",
    "matrix-view.md",
    "gradients.md",
    "costs.md",
    "frameworks.md",
]

SOLUTION = re.compile(
    r":::\{dropdown\} Solution\n(?P<body>.*?)\n:::\n\s*"
    r"```\{code-cell\} ipython3\n:tags: \[remove-cell\]\n(?P<hidden>.*?)```",
    re.S,
)
SHOWN = re.compile(r"```python\n(.*?)```", re.S)


class _DropGlue(ast.NodeTransformer):
    """Remove every statement that is a call of ``glue(...)``."""

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        call = node.value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "glue"
        ):
            return None
        return node


def _normalise(code: str, *, drop_glue: bool) -> str:
    tree = ast.parse(code)
    if drop_glue:
        tree = _DropGlue().visit(tree)
    return ast.dump(tree)


def _solutions(chapter: str) -> list[tuple[str, str]]:
    text = (BOOK / chapter).read_text(encoding="utf-8")
    pairs = []
    for match in SOLUTION.finditer(text):
        shown = SHOWN.findall(match.group("body"))
        if shown:
            pairs.append(("".join(shown), match.group("hidden")))
    return pairs


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_code_is_the_code_that_runs(chapter):
    pairs = _solutions(chapter)
    assert pairs, f"no solution with code found in {chapter}"
    for shown, hidden in pairs:
        assert _normalise(shown, drop_glue=False) == _normalise(
            hidden, drop_glue=True
        ), (
            f"{chapter}: a solution's printed code differs from the cell that runs:\n"
            f"{shown}"
        )


def test_every_solution_with_code_is_followed_by_its_cell():
    for chapter in CHAPTERS:
        text = (BOOK / chapter).read_text(encoding="utf-8")
        dropdowns = re.findall(r":::\{dropdown\} Solution\n(.*?)\n:::\n", text, re.S)
        with_code = sum(1 for body in dropdowns if SHOWN.search(body))
        assert with_code == len(_solutions(chapter)), chapter
