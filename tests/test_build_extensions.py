"""The book's own Sphinx extensions (book/_ext) do what reproducibility needs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "book" / "_ext" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stable = _load("stable_notebooks")


def test_stream_chunks_are_merged_per_stream() -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": ["25088"]},
        {"output_type": "stream", "name": "stdout", "text": " 12544\n"},
        {"output_type": "stream", "name": "stderr", "text": "warn\n"},
        {"output_type": "execute_result", "data": {"text/plain": "1"}},
        {"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
    ]
    merged = stable.merge_streams(outputs)
    assert [o["output_type"] for o in merged] == [
        "stream",
        "stream",
        "execute_result",
        "stream",
    ]
    assert merged[0]["text"] == ["25088 12544\n"]
    assert merged[1]["name"] == "stderr"
    assert merged[3]["text"] == ["a\n", "b\n"]


def test_two_chunkings_of_one_notebook_give_the_same_bytes(tmp_path: Path) -> None:
    def notebook(chunks: list[str], cell_id: str) -> dict:
        outputs = [
            {"output_type": "stream", "name": "stdout", "text": c} for c in chunks
        ]
        cell = {
            "cell_type": "code",
            "id": cell_id,
            "metadata": {"execution": {"iopub.execute_input": cell_id}},
            "outputs": outputs,
            "source": "print(1, 2)",
            "execution_count": 1,
        }
        return {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    first.write_text(json.dumps(notebook(["1 2\n"], "f3a1")), encoding="utf-8")
    second.write_text(json.dumps(notebook(["1", " 2\n"], "09bc")), encoding="utf-8")
    stable.stabilise(first)
    stable.stabilise(second)
    assert first.read_bytes() == second.read_bytes()
    cell = json.loads(first.read_text(encoding="utf-8"))["cells"][0]
    assert cell["id"] == "cell-0"
    assert "execution" not in cell["metadata"]


def test_pages_join_stream_chunks_exactly_and_leave_the_notebook_alone() -> None:
    from nbformat import from_dict

    outputs = [
        from_dict({"output_type": "stream", "name": "stdout", "text": "54"}),
        from_dict({"output_type": "stream", "name": "stdout", "text": " 55\n"}),
    ]
    rendered = stable.exact_coalesce(outputs)
    assert len(rendered) == 1
    assert rendered[0]["text"] == "54 55\n"
    assert [o["text"] for o in outputs] == ["54", " 55\n"]  # untouched
