"""The benchmark record and the README's table of it agree.

``make bench`` writes ``src/convbook/data/benchmark-results.json`` and the
README's table of the same run (``benchmarks/bench_conv.py --readme``); a hand
edit of either, or a record committed without its table, fails here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = json.loads(
    (ROOT / "src" / "convbook" / "data" / "benchmark-results.json").read_text("utf-8")
)


def _bench_conv():
    spec = importlib.util.spec_from_file_location(
        "bench_conv", ROOT / "benchmarks" / "bench_conv.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_table_is_the_recorded_run() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert _bench_conv().readme_with_table(readme, RECORD) == readme, (
        "README.md's benchmark table differs from benchmark-results.json; run "
        "`make bench` (or benchmarks/bench_conv.py --readme README.md) so that "
        "they agree"
    )


def test_the_table_shows_each_floor_and_its_value() -> None:
    bench = _bench_conv()
    table = bench.readme_table(RECORD)
    layer = RECORD["results"]["resnet_layer/float32"]
    row = next(line for line in table.splitlines() if "ResNet layer 8×64" in line)
    assert f"{layer['conv2d_fraction_of_matmul_rate']:.0%} (floor ≥ 70%)" in row
    assert f"{layer['conv2d_over_torch_time']:.2f} (floor ≤ 2)" in row
    assert len(table.splitlines()) == 2 + len(bench.README_ROWS)
