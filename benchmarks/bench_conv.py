"""Benchmark convbook.conv2d against its literal loops, PyTorch and BLAS.

Run from the repository root::

    python benchmarks/bench_conv.py [--quick] [--threads N] [--output FILE]

What is measured, in one run (see benchmarks/README.md):

* three problems -- the question's two-layer network (1x3x28x28 -> 16 filters
  3x3 pad 1 -> ReLU -> 32 filters 3x3 pad 1), a ResNet layer (8x64x56x56, 64
  filters 3x3 pad 1) and the ResNet stem (1x3x224x224, 64 filters 7x7 stride 2
  pad 3) -- in float32 and float64;
* for each: ``conv2d``; ``torch.nn.functional.conv2d`` on the CPU with the same
  number of threads as numpy's BLAS (when PyTorch is installed); and a plain
  numpy matrix product with the same FLOPs, (K, C*kh*kw) @ (C*kh*kw, N*Ho*Wo)
  on ready contiguous operands, which is what this machine's BLAS can do at
  best; ``conv2d_reference`` (the literal loops) on the question's network;
* the peak extra memory of ``conv2d`` (tracemalloc, to which numpy reports its
  allocations) for batch 1 and batch 64 of the ResNet layer.

Timing: each contender gets a block of ``timeit`` samples (each sample a loop
of about 50 ms), after a short pause that lets the other library's idle
worker threads stop spinning; the blocks are repeated in several passes so
that a change of load on a shared machine reaches every contender. Reported:
the median of all samples, and the fastest sample.

OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when it loads. Some
machines set them to dodge bugs of old OpenBLAS builds, which slows a current
numpy; unless ``--keep-openblas-env`` is given this script removes both from
its own environment before numpy is imported (nothing else is affected) and
records the kernel that then runs.
"""

from __future__ import annotations

import os
import sys

# Before numpy (and so OpenBLAS) is loaded: see the module docstring.
_OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_OPENBLAS_SEEN = {name: os.environ.get(name) for name in _OPENBLAS_VARIABLES}
if "--keep-openblas-env" not in sys.argv:
    for _name in _OPENBLAS_VARIABLES:
        os.environ.pop(_name, None)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from readme_block import replace_between  # noqa: E402

import convbook  # noqa: E402
from convbook import conv2d, conv2d_reference, relu  # noqa: E402

# Each layer is (shape of its input x, weight shape, stride, padding); a ReLU
# follows every layer but the last.
Layer = tuple[tuple[int, int, int, int], tuple[int, int, int, int], int, int]
PROBLEMS: dict[str, list[Layer]] = {
    "question_network": [
        ((1, 3, 28, 28), (16, 3, 3, 3), 1, 1),
        ((1, 16, 28, 28), (32, 16, 3, 3), 1, 1),
    ],
    "resnet_layer": [((8, 64, 56, 56), (64, 64, 3, 3), 1, 1)],
    "resnet_stem": [((1, 3, 224, 224), (64, 3, 7, 7), 2, 3)],
}

FLOORS = {
    "float32_vs_torch_max_ratio": 2.0,
    "float64_vs_torch_max_ratio": 1.0,
    "fraction_of_matmul_rate_min": 0.7,
    # batch 64 must not need 64x the working memory of batch 1
    "memory_batch64_over_batch1_max": 4.0,
}

PAUSE = 0.25  # seconds between blocks: idle OpenMP / OpenBLAS threads go to sleep
# Before it is timed, every contender runs at least WARM_CALLS times and for at
# least WARM_SECONDS: PyTorch's oneDNN needs dozens of calls to reach its steady
# state (its first calls can be three times slower), numpy's allocator and
# BLAS threads a few.
WARM_CALLS, WARM_SECONDS = 30, 0.3


# ------------------------------------------------------------ machine ---


def _blas_info() -> dict[str, Any]:
    """Which BLAS numpy runs, and with which kernel (threadpoolctl if present)."""
    try:
        import threadpoolctl
    except ImportError:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return {"source": "numpy.show_config", "blas": blas}
    keys = ("internal_api", "version", "architecture", "num_threads")
    pools = [
        {key: pool.get(key) for key in keys}
        for pool in threadpoolctl.threadpool_info()
        if pool.get("user_api") == "blas"
    ]
    return {"source": "threadpoolctl", "blas": pools}


def _limit_blas_threads(threads: int | None) -> contextlib.AbstractContextManager:
    """Limit numpy's BLAS to ``threads`` threads (no-op for None)."""
    if threads is None:
        return contextlib.nullcontext()
    try:
        import threadpoolctl
    except ImportError:
        raise SystemExit(
            "--threads needs threadpoolctl (pip install threadpoolctl)"
        ) from None
    return threadpoolctl.threadpool_limits(limits=threads, user_api="blas")


def _load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def _machine(torch: Any, quick: bool, load_at_start: Any) -> dict[str, Any]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "convbook": convbook.__version__,
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "blas": _blas_info(),
        "openblas_env_at_start": _OPENBLAS_SEEN,
        "openblas_env_removed": "--keep-openblas-env" not in sys.argv,
        "quick": quick,
        "load_average_at_start": load_at_start,
        "load_average_at_end": _load(),
        "column_budget_bytes": convbook.DEFAULT_MEMORY_BUDGET,
        # Python threads that share conv2d's blocks (each with BLAS on one
        # thread): numpy's BLAS thread count, see convbook.engine
        "conv2d_threads": convbook.engine.blas_threads(),
        "warm_up": {"calls_at_least": WARM_CALLS, "seconds_at_least": WARM_SECONDS},
    }


# ------------------------------------------------------------- timing ---


def _time(
    functions: dict[str, Callable[[], Any]], passes: int, per_pass: int, target: float
) -> dict[str, list[float]]:
    """Seconds per call of each function: ``passes`` blocks of ``per_pass``."""
    numbers = {}
    for name, function in functions.items():
        _warm_up(function)
        once = min(timeit.Timer(function).repeat(repeat=3, number=1))
        numbers[name] = max(1, int(target / max(once, 1e-9)))
    samples: dict[str, list[float]] = {
        key: [] for name in functions for key in (name, f"{name}/cpu")
    }
    for _ in range(passes):
        for name, function in functions.items():
            time.sleep(PAUSE)
            function()
            timer = timeit.Timer(function)
            cpu = time.process_time()
            for total in timer.repeat(repeat=per_pass, number=numbers[name]):
                samples[name].append(total / numbers[name])
            calls = per_pass * numbers[name]
            samples[f"{name}/cpu"].append((time.process_time() - cpu) / calls)
    return samples


def _warm_up(function: Callable[[], Any]) -> None:
    """Call ``function`` at least WARM_CALLS times and for WARM_SECONDS."""
    calls, start = 0, time.perf_counter()
    while calls < WARM_CALLS or time.perf_counter() - start < WARM_SECONDS:
        function()
        calls += 1


def _output_hw(layer: Layer) -> tuple[int, int]:
    (_, _, h, w), (_, _, kh, kw), stride, padding = layer
    return (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1


def _flops(layers: list[Layer]) -> int:
    total = 0
    for layer in layers:
        (n, _, _, _), (k, c, kh, kw), _, _ = layer
        ho, wo = _output_hw(layer)
        total += 2 * n * k * c * kh * kw * ho * wo
    return total


def _network(layers: list[Layer], weights, x, layer_function) -> Callable[[], Any]:
    """The problem's layers as one call, a ReLU between layers."""

    def run():
        a = x
        for index, ((_, _, stride, padding), w) in enumerate(
            zip(layers, weights, strict=True)
        ):
            a = layer_function(a, w, stride, padding)
            if index < len(layers) - 1:
                a = relu(a)
        return a

    return run


def _conv2d_layer(a, w, stride, padding):
    return conv2d(a, w, stride=stride, padding=padding)


def _reference_layer(a, w, stride, padding):
    return conv2d_reference(a, w, stride=stride, padding=padding)


def _matmul(layers: list[Layer], dtype, rng) -> Callable[[], None]:
    """Same-FLOP products (K, C*kh*kw) @ (C*kh*kw, N*Ho*Wo), operands ready."""
    operands = []
    for layer in layers:
        (n, _, _, _), (k, c, kh, kw), _, _ = layer
        ho, wo = _output_hw(layer)
        a = rng.standard_normal((k, c * kh * kw)).astype(dtype)
        b = rng.standard_normal((c * kh * kw, n * ho * wo)).astype(dtype)
        operands.append((a, b, np.empty((k, n * ho * wo), dtype)))

    def run():
        for a, b, out in operands:
            np.matmul(a, b, out=out)

    return run


def _torch_network(torch: Any, layers: list[Layer], weights, x) -> Callable[[], Any]:
    xt = torch.from_numpy(x)
    wts = [torch.from_numpy(w) for w in weights]

    def run():
        a = xt
        for index, ((_, _, s, p), w) in enumerate(zip(layers, wts, strict=True)):
            a = torch.nn.functional.conv2d(a, w, stride=s, padding=p)
            if index < len(layers) - 1:
                a = torch.relu(a)
        return a

    return run


def _reference_time(layers: list[Layer], weights, x, quick: bool) -> dict[str, Any]:
    """Time the literal loops on the question network (float64).

    The full network is run once. With --quick, an 8x8 crop of the input is
    run instead and the time is scaled by the ratio of multiply-adds (the
    loops do a constant amount of work per multiply-add).
    """
    if quick:
        small: list[Layer] = [((1, s[1], 8, 8), w, st, p) for (s, w, st, p) in layers]
        run = _network(small, weights, x[:, :, :8, :8], _reference_layer)
        seconds = min(timeit.Timer(run).repeat(repeat=2, number=1))
        scale = _flops(layers) / _flops(small)
        return {
            "seconds": seconds * scale,
            "method": f"8x8 crop timed, scaled by the multiply-add ratio {scale:.2f}",
        }
    start = timeit.default_timer()
    result = _network(layers, weights, x, _reference_layer)()
    seconds = timeit.default_timer() - start
    fast = _network(layers, weights, x, _conv2d_layer)()
    return {
        "seconds": seconds,
        "method": "full network, run once",
        "max_abs_difference_from_conv2d": float(np.max(np.abs(result - fast))),
    }


def _memory(dtype, batch: int) -> dict[str, Any]:
    """Peak bytes that conv2d allocates beyond its output (ResNet layer)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 64, 56, 56)).astype(dtype)
    w = rng.standard_normal((64, 64, 3, 3)).astype(dtype)
    convbook.engine.release_workers()  # count the buffers that the workers keep
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    y = conv2d(x, w, padding=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "batch": batch,
        "input_bytes": x.nbytes,
        "output_bytes": y.nbytes,
        "peak_bytes": peak - before,
        "extra_bytes": peak - before - y.nbytes,
    }


# ---------------------------------------------------------------- run ---


def run(quick: bool, threads: int | None, runs: int = 3) -> dict[str, Any]:
    load_at_start = _load()
    try:
        import torch
    except ImportError:
        torch = None
    with _limit_blas_threads(threads):
        blas_threads = [pool.get("num_threads") for pool in _blas_info()["blas"]]
        if torch is not None:
            same = threads or (blas_threads[0] if blas_threads else None)
            if same:
                torch.set_num_threads(int(same))
        passes, per_pass, target = (2, 3, 0.01) if quick else (3, 7, 0.05)
        rng = np.random.default_rng(0)
        results: dict[str, Any] = {}
        for problem, layers in PROBLEMS.items():
            for dtype in (np.float32, np.float64):
                key = f"{problem}/{np.dtype(dtype).name}"
                entry = _measure(problem, layers, dtype, rng, torch, quick)
                functions = entry.pop("_functions")
                # Several runs; the quietest (the fastest same-FLOP matrix
                # product, a probe of how busy the machine was) is kept, and
                # every ratio is taken within that one run.
                best = None
                for number in range(runs):
                    print(f"{key} run {number + 1}/{runs} ...", flush=True)
                    samples = _time(functions, passes, per_pass, target)
                    quiet = statistics.median(samples["matmul"])
                    if best is None or quiet < best[0]:
                        best = (quiet, samples)
                _summarise(entry, best[1])
                entry["runs"] = runs
                results[key] = entry
        print("memory ...", flush=True)
        memory: dict[str, Any] = {f"batch_{b}": _memory(np.float32, b) for b in (1, 64)}
        memory["batch64_extra_over_batch1_extra"] = (
            memory["batch_64"]["extra_bytes"] / memory["batch_1"]["extra_bytes"]
        )
        results["memory_resnet_layer_float32"] = memory
        machine = _machine(torch, quick, load_at_start)
    return {"machine": machine, "results": results, "floors": _floors(results)}


def _measure(problem, layers, dtype, rng, torch, quick) -> dict[str, Any]:
    """Build the contenders of one problem, check them, time the reference.

    The contenders are returned under the key ``_functions``, to be timed.
    """
    x = rng.standard_normal(layers[0][0]).astype(dtype)
    weights = [rng.standard_normal(w).astype(dtype) for _, w, _, _ in layers]
    functions: dict[str, Callable[[], Any]] = {
        "conv2d": _network(layers, weights, x, _conv2d_layer),
        "matmul": _matmul(layers, dtype, rng),
    }
    entry: dict[str, Any] = {}
    if torch is not None:
        functions["torch"] = _torch_network(torch, layers, weights, x)
        difference = functions["conv2d"]() - functions["torch"]().numpy()
        entry["max_abs_difference_from_torch"] = float(np.max(np.abs(difference)))
    if problem == "question_network" and dtype == np.float64:
        entry["reference"] = _reference_time(layers, weights, x, quick)

    entry["flops"] = _flops(layers)
    entry["_functions"] = functions
    return entry


def _summarise(entry: dict[str, Any], samples: dict[str, list[float]]) -> None:
    cpu = {
        n[:-4]: statistics.median(v) for n, v in samples.items() if n.endswith("/cpu")
    }
    samples = {name: v for name, v in samples.items() if not name.endswith("/cpu")}
    # CPU seconds of the whole process per call (every thread, spinning
    # included), the median of the passes: steadier than the wall clock
    # when neighbours take cores
    entry["cpu_seconds"] = cpu
    seconds = {name: statistics.median(v) for name, v in samples.items()}
    best = {name: min(v) for name, v in samples.items()}
    entry["seconds"] = seconds
    entry["best_seconds"] = best
    entry["samples"] = len(samples["conv2d"])
    entry["gflops_per_second"] = {
        n: entry["flops"] / t / 1e9 for n, t in seconds.items()
    }
    entry["conv2d_fraction_of_matmul_rate"] = seconds["matmul"] / seconds["conv2d"]
    entry["best_conv2d_fraction_of_matmul_rate"] = best["matmul"] / best["conv2d"]
    if "torch" in seconds:
        entry["conv2d_over_torch_time"] = seconds["conv2d"] / seconds["torch"]
        entry["best_conv2d_over_torch_time"] = best["conv2d"] / best["torch"]
    if "reference" in entry:
        ratio = entry["reference"]["seconds"] / seconds["conv2d"]
        entry["reference_over_conv2d_time"] = ratio


def _floors(results: dict[str, Any]) -> dict[str, Any]:
    floors: dict[str, Any] = {"limits": FLOORS}
    for problem in ("resnet_layer", "resnet_stem"):
        for dtype in ("float32", "float64"):
            entry = results[f"{problem}/{dtype}"]
            if "conv2d_over_torch_time" in entry:
                limit = FLOORS[f"{dtype}_vs_torch_max_ratio"]
                ratio = entry["conv2d_over_torch_time"]
                floors[f"{problem}/{dtype}/vs_torch"] = {
                    "value": ratio,
                    "fastest_samples_value": entry["best_conv2d_over_torch_time"],
                    "limit": limit,
                    "met": ratio <= limit,
                }
            limit = FLOORS["fraction_of_matmul_rate_min"]
            fraction = entry["conv2d_fraction_of_matmul_rate"]
            floors[f"{problem}/{dtype}/fraction_of_matmul_rate"] = {
                "value": fraction,
                "fastest_samples_value": entry["best_conv2d_fraction_of_matmul_rate"],
                "limit": limit,
                "met": fraction >= limit,
            }
    ratio = results["memory_resnet_layer_float32"]["batch64_extra_over_batch1_extra"]
    limit = FLOORS["memory_batch64_over_batch1_max"]
    floors["memory/batch64_over_batch1"] = {
        "value": ratio,
        "limit": limit,
        "met": ratio <= limit,
    }
    return floors


# ------------------------------------------------------------- output ---


def _round(value: Any) -> Any:
    """Four significant digits for floats, so that the JSON reads well."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {key: _round(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_round(item) for item in value]
    return value


def _report(data: dict[str, Any]) -> str:
    lines = [
        f"{'problem':26} {'conv2d ms':>10} {'torch ms':>10} {'matmul ms':>10} "
        f"{'vs torch':>9} {'of matmul':>10}   (medians)"
    ]
    for key, entry in data["results"].items():
        if key.startswith("memory"):
            continue
        s = entry["seconds"]
        torch_ms = f"{s['torch'] * 1e3:10.3f}" if "torch" in s else f"{'-':>10}"
        ratio = entry.get("conv2d_over_torch_time")
        ratio_text = f"{ratio:9.2f}" if ratio is not None else f"{'-':>9}"
        lines.append(
            f"{key:26} {s['conv2d'] * 1e3:10.3f} {torch_ms} "
            f"{s['matmul'] * 1e3:10.3f} {ratio_text} "
            f"{entry['conv2d_fraction_of_matmul_rate']:10.0%}"
        )
        cpu = entry["cpu_seconds"]
        lines.append(
            "  process CPU ms per call: "
            + ", ".join(f"{name} {cpu[name] * 1e3:.3f}" for name in sorted(cpu))
        )
        if "reference" in entry:
            ref = entry["reference"]
            lines.append(
                f"  conv2d_reference: {ref['seconds']:.2f} s ({ref['method']}), "
                f"{entry['reference_over_conv2d_time']:.0f}x conv2d"
            )
    memory = data["results"]["memory_resnet_layer_float32"]
    for batch in ("batch_1", "batch_64"):
        m = memory[batch]
        lines.append(
            f"memory {batch}: extra {m['extra_bytes'] / 2**20:.1f} MiB beyond the "
            f"{m['output_bytes'] / 2**20:.1f} MiB output"
        )
    machine = data["machine"]
    lines.append(
        f"load average {machine['load_average_at_start']} at start, "
        f"{machine['load_average_at_end']} at end"
    )
    lines.append("floors (medians; fastest samples in brackets):")
    for name, floor in data["floors"].items():
        if name == "limits":
            continue
        fastest = floor.get("fastest_samples_value")
        aside = "" if fastest is None else f" [{fastest:.3g}]"
        verdict = "met" if floor["met"] else "NOT MET"
        lines.append(
            f"  {name:45} {floor['value']:.3g}{aside} "
            f"(limit {floor['limit']}) {verdict}"
        )
    return "\n".join(lines)


README_START = "<!-- bench_conv.py writes this table: start -->"
README_END = "<!-- bench_conv.py writes this table: end -->"
README_ROWS = {
    "resnet_layer/float32": "ResNet layer 8×64×56×56, 3×3, float32",
    "resnet_layer/float64": "ResNet layer, float64",
    "resnet_stem/float32": "ResNet stem 1×3×224×224, 7×7/2, float32",
    "resnet_stem/float64": "ResNet stem, float64",
    "question_network/float64": "the question's network 1×3×28×28 → 16 → 32, float64",
}


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


def readme_table(data: dict[str, Any]) -> str:
    """The README's table of a run: medians, ratios and floors."""
    limits = data["floors"]["limits"]
    lines = [
        "| problem | `conv2d` | PyTorch | same-FLOP matmul | `conv2d` / PyTorch "
        "| share of matmul rate | process CPU per call: `conv2d` / matmul |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, name in README_ROWS.items():
        entry = data["results"][key]
        seconds, cpu = entry["seconds"], entry["cpu_seconds"]
        floored = not key.startswith("question")
        dtype = key.split("/")[1]
        torch_limit = limits[f"{dtype}_vs_torch_max_ratio"]
        vs_torch = entry.get("conv2d_over_torch_time")
        torch_text = "–" if vs_torch is None else f"{vs_torch:.2f}"
        if floored and vs_torch is not None:
            torch_text += f" (floor ≤ {torch_limit:g})"
        share = f"{entry['conv2d_fraction_of_matmul_rate']:.0%}"
        if floored:
            share += f" (floor ≥ {limits['fraction_of_matmul_rate_min']:.0%})"
        torch_time = _ms(seconds["torch"]) if "torch" in seconds else "–"
        lines.append(
            f"| {name} | {_ms(seconds['conv2d'])} | {torch_time} "
            f"| {_ms(seconds['matmul'])} | {torch_text} | {share} "
            f"| {_ms(cpu['conv2d'])} / {_ms(cpu['matmul'])} |"
        )
    return "\n".join(lines)


def readme_with_table(text: str, data: dict[str, Any]) -> str:
    """Return README text with the table between the markers replaced."""
    return replace_between(
        text, README_START, README_END, readme_table(data), "bench_conv"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer samples; reference extrapolated"
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="threads for numpy's BLAS and PyTorch (default: BLAS's own choice)",
    )
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--readme", type=Path, help="rewrite the results table in this README"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="whole runs per problem; the quietest is kept (default 3)",
    )
    parser.add_argument(
        "--keep-openblas-env",
        action="store_true",
        help="do not remove OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE",
    )
    args = parser.parse_args(argv)
    data = _round(run(args.quick, args.threads, max(1, args.runs)))
    print(_report(data))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.output}")
    if args.readme is not None:
        text = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(readme_with_table(text, data), encoding="utf-8")
        print(f"wrote the table in {args.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
