"""Benchmark convbook.conv2d against its literal loops, PyTorch and BLAS.

Run from the repository root::

    python benchmarks/bench_conv.py [--quick] [--output benchmarks/results.json]

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

Timings are medians over rounds in which every contender runs once in turn
(interleaved, so that a busy neighbour on a shared machine slows all of them
alike); each measurement is ``timeit`` over enough calls to last about 50 ms.
Ratios (conv2d / torch, matmul / conv2d) are medians of the per-round ratios
of samples taken side by side; the ratios of the fastest rounds
(``best_...``) are recorded too.

OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when it loads. Some
machines set them to dodge bugs of old OpenBLAS builds, which slows a current
numpy; unless ``--keep-openblas-env`` is given this script removes both from
its own environment before numpy is imported (nothing else is affected) and
records the kernel that then runs.
"""

from __future__ import annotations

import argparse
import os
import sys

# Before numpy (and so OpenBLAS) is loaded: see the module docstring.
_OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_OPENBLAS_SEEN = {name: os.environ.get(name) for name in _OPENBLAS_VARIABLES}
if "--keep-openblas-env" not in sys.argv:
    for _name in _OPENBLAS_VARIABLES:
        os.environ.pop(_name, None)

import datetime  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import timeit  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import convbook  # noqa: E402
from convbook import conv2d, conv2d_reference, relu  # noqa: E402

# (name, layers); each layer is (in_shape of x, weight shape, stride, padding)
# and a ReLU follows every layer but the last.
PROBLEMS: dict[str, list[tuple[tuple[int, ...], tuple[int, ...], int, int]]] = {
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
    "fraction_of_matmul_rate_min": 0.5,
    # batch 64 must not need 64x the working memory of batch 1
    "memory_batch64_over_batch1_max": 4.0,
}


def _blas_info() -> dict[str, Any]:
    """Which BLAS numpy runs, and with which kernel (threadpoolctl if present)."""
    try:
        import threadpoolctl
    except ImportError:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return {"source": "numpy.show_config", "blas": blas}
    pools = [
        {
            key: pool.get(key)
            for key in ("internal_api", "version", "architecture", "num_threads")
        }
        for pool in threadpoolctl.threadpool_info()
        if pool.get("user_api") == "blas"
    ]
    return {"source": "threadpoolctl", "blas": pools}


def _blas_threads(info: dict[str, Any]) -> int | None:
    if info["source"] == "threadpoolctl" and info["blas"]:
        return int(info["blas"][0]["num_threads"])
    return None


def _load() -> list[float] | None:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None


def _machine(torch: Any, quick: bool, load_at_start: Any) -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = _blas_info()
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
        "blas": blas,
        "openblas_env_at_start": _OPENBLAS_SEEN,
        "openblas_env_removed": "--keep-openblas-env" not in sys.argv,
        "quick": quick,
        "load_average_at_start": load_at_start,
        "load_average_at_end": _load(),
        "column_budget_bytes": convbook.conv._COLUMN_BUDGET,
    }


def _time(
    functions: dict[str, Callable[[], Any]], rounds: int, target: float
) -> dict[str, list[float]]:
    """Seconds per call of each function, one sample per interleaved round.

    Each round runs every function once in turn (a ``timeit`` loop of about
    ``target`` seconds), so that samples of the same round were taken under
    the same load on a shared machine.
    """
    numbers = {}
    for name, function in functions.items():
        function()  # warm up (allocations, BLAS threads, caches)
        once = min(timeit.Timer(function).repeat(repeat=3, number=1))
        numbers[name] = max(1, int(target / max(once, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            total = timeit.Timer(function).timeit(number=numbers[name])
            samples[name].append(total / numbers[name])
    return samples


def _paired_median(numerator: list[float], denominator: list[float]) -> float:
    """Median over rounds of the ratio of two samples taken side by side."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def _network(layers, weights, xs, function):
    """Run the problem's layers with ``function``, a ReLU between layers."""

    def run():
        a = xs
        for index, ((_, _, stride, padding), w) in enumerate(
            zip(layers, weights, strict=True)
        ):
            a = function(a, w, stride, padding)
            if index < len(layers) - 1:
                a = relu(a)
        return a

    return run


def _flops(layers) -> int:
    total = 0
    for x_shape, w_shape, stride, padding in layers:
        n, _, h, w = x_shape
        k, c, kh, kw = w_shape
        ho = (h + 2 * padding - kh) // stride + 1
        wo = (w + 2 * padding - kw) // stride + 1
        total += 2 * n * k * c * kh * kw * ho * wo
    return total


def _matmul_operands(layers, dtype, rng):
    """(K, C*kh*kw) and (C*kh*kw, N*Ho*Wo) contiguous operands per layer."""
    operands = []
    for x_shape, w_shape, stride, padding in layers:
        n, _, h, w = x_shape
        k, c, kh, kw = w_shape
        ho = (h + 2 * padding - kh) // stride + 1
        wo = (w + 2 * padding - kw) // stride + 1
        a = rng.standard_normal((k, c * kh * kw)).astype(dtype)
        b = rng.standard_normal((c * kh * kw, n * ho * wo)).astype(dtype)
        operands.append((a, b, np.empty((k, n * ho * wo), dtype)))
    return operands


def _reference_time(layers, weights, x, quick: bool) -> dict[str, Any]:
    """Time the literal loops on the question network (float64).

    The full network is run once. With --quick, an 8x8 crop of the input is
    run instead and the time is scaled by the ratio of multiply-adds (the
    loops do a constant amount of work per multiply-add).
    """
    if quick:
        crop = x[:, :, :8, :8]
        small_layers = [((1, s[1], 8, 8), w, st, p) for (s, w, st, p) in layers]
        run = _network(
            small_layers,
            weights,
            crop,
            lambda a, w, s, p: conv2d_reference(a, w, stride=s, padding=p),
        )
        seconds = min(timeit.Timer(run).repeat(repeat=2, number=1))
        scale = _flops(layers) / _flops(small_layers)
        return {
            "seconds": seconds * scale,
            "method": f"8x8 crop timed, scaled by the multiply-add ratio {scale:.2f}",
        }
    run = _network(
        layers,
        weights,
        x,
        lambda a, w, s, p: conv2d_reference(a, w, stride=s, padding=p),
    )
    start = timeit.default_timer()
    result = run()
    seconds = timeit.default_timer() - start
    fast = _network(
        layers, weights, x, lambda a, w, s, p: conv2d(a, w, stride=s, padding=p)
    )()
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
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    y = conv2d(x, w, padding=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    output = y.nbytes
    return {
        "batch": batch,
        "input_bytes": x.nbytes,
        "output_bytes": output,
        "peak_bytes": peak - before,
        "extra_bytes": peak - before - output,
    }


def _round(value: Any) -> Any:
    """Four significant digits for floats, so that the JSON reads well."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {key: _round(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_round(item) for item in value]
    return value


def run(quick: bool) -> dict[str, Any]:
    load_at_start = _load()
    try:
        import torch
        import torch.nn.functional as functional
    except ImportError:
        torch = functional = None
    blas = _blas_info()
    threads = _blas_threads(blas)
    if torch is not None and threads is not None:
        torch.set_num_threads(threads)
    rounds, target = (5, 0.01) if quick else (21, 0.05)
    rng = np.random.default_rng(0)
    results: dict[str, Any] = {}
    for problem, layers in PROBLEMS.items():
        for dtype in (np.float32, np.float64):
            key = f"{problem}/{np.dtype(dtype).name}"
            print(f"{key} ...", flush=True)
            x = rng.standard_normal(layers[0][0]).astype(dtype)
            weights = [rng.standard_normal(w).astype(dtype) for _, w, _, _ in layers]
            functions: dict[str, Callable[[], Any]] = {
                "conv2d": _network(
                    layers,
                    weights,
                    x,
                    lambda a, w, s, p: conv2d(a, w, stride=s, padding=p),
                ),
            }
            operands = _matmul_operands(layers, dtype, rng)

            def matmul(operands=operands):
                for a, b, out in operands:
                    np.matmul(a, b, out=out)

            functions["matmul"] = matmul
            check = {}
            if torch is not None:
                xt = torch.from_numpy(x)
                wts = [torch.from_numpy(w) for w in weights]

                def torch_conv(a, w, s, p):
                    return functional.conv2d(a, w, stride=s, padding=p)

                def torch_relu(a):
                    return torch.relu(a)

                def torch_network(layers=layers, wts=wts, xt=xt):
                    a = xt
                    for index, ((_, _, s, p), w) in enumerate(
                        zip(layers, wts, strict=True)
                    ):
                        a = torch_conv(a, w, s, p)
                        if index < len(layers) - 1:
                            a = torch_relu(a)
                    return a

                functions["torch"] = torch_network
                ours = functions["conv2d"]()
                theirs = torch_network().numpy()
                check["max_abs_difference_from_torch"] = float(
                    np.max(np.abs(ours - theirs))
                )
            samples = _time(functions, rounds, target)
            seconds = {name: statistics.median(v) for name, v in samples.items()}
            best = {name: min(v) for name, v in samples.items()}
            flops = _flops(layers)
            entry: dict[str, Any] = {
                "flops": flops,
                "seconds": seconds,
                "best_seconds": best,
                "gflops_per_second": {
                    name: flops / t / 1e9 for name, t in seconds.items()
                },
                "conv2d_fraction_of_matmul_rate": _paired_median(
                    samples["matmul"], samples["conv2d"]
                ),
                "best_conv2d_fraction_of_matmul_rate": best["matmul"] / best["conv2d"],
                **check,
            }
            if "torch" in seconds:
                entry["conv2d_over_torch_time"] = _paired_median(
                    samples["conv2d"], samples["torch"]
                )
                entry["best_conv2d_over_torch_time"] = best["conv2d"] / best["torch"]
            if problem == "question_network" and dtype == np.float64:
                reference = _reference_time(layers, weights, x, quick)
                entry["reference"] = reference
                entry["reference_over_conv2d_time"] = (
                    reference["seconds"] / seconds["conv2d"]
                )
            results[key] = entry
    print("memory ...", flush=True)
    memory = {f"batch_{b}": _memory(np.float32, b) for b in (1, 64)}
    memory["batch64_extra_over_batch1_extra"] = (
        memory["batch_64"]["extra_bytes"] / memory["batch_1"]["extra_bytes"]
    )
    results["memory_resnet_layer_float32"] = memory
    return {
        "machine": _machine(torch, quick, load_at_start),
        "results": results,
        "floors": _floors(results),
    }


def _floors(results: dict[str, Any]) -> dict[str, Any]:
    floors: dict[str, Any] = {"limits": FLOORS}
    for problem in ("resnet_layer", "resnet_stem"):
        for dtype, limit_key in (
            ("float32", "float32_vs_torch_max_ratio"),
            ("float64", "float64_vs_torch_max_ratio"),
        ):
            entry = results[f"{problem}/{dtype}"]
            if "conv2d_over_torch_time" in entry:
                ratio = entry["conv2d_over_torch_time"]
                floors[f"{problem}/{dtype}/vs_torch"] = {
                    "value": ratio,
                    "fastest_rounds_value": entry["best_conv2d_over_torch_time"],
                    "limit": FLOORS[limit_key],
                    "met": ratio <= FLOORS[limit_key],
                }
            fraction = entry["conv2d_fraction_of_matmul_rate"]
            floors[f"{problem}/{dtype}/fraction_of_matmul_rate"] = {
                "value": fraction,
                "fastest_rounds_value": entry["best_conv2d_fraction_of_matmul_rate"],
                "limit": FLOORS["fraction_of_matmul_rate_min"],
                "met": fraction >= FLOORS["fraction_of_matmul_rate_min"],
            }
    ratio = results["memory_resnet_layer_float32"]["batch64_extra_over_batch1_extra"]
    floors["memory/batch64_over_batch1"] = {
        "value": ratio,
        "limit": FLOORS["memory_batch64_over_batch1_max"],
        "met": ratio <= FLOORS["memory_batch64_over_batch1_max"],
    }
    return floors


def _report(data: dict[str, Any]) -> str:
    lines = []
    lines.append(
        f"{'problem':28} {'conv2d ms':>10} {'torch ms':>10} {'matmul ms':>10} "
        f"{'vs torch':>9} {'of matmul':>10}   (medians)"
    )
    for key, entry in data["results"].items():
        if not key.startswith("memory"):
            s = entry["seconds"]
            torch_ms = f"{s['torch'] * 1e3:10.3f}" if "torch" in s else f"{'-':>10}"
            ratio = (
                f"{entry['conv2d_over_torch_time']:9.2f}"
                if "torch" in s
                else f"{'-':>9}"
            )
            conv_ms, matmul_ms = s["conv2d"] * 1e3, s["matmul"] * 1e3
            fraction = entry["conv2d_fraction_of_matmul_rate"]
            lines.append(
                f"{key:28} {conv_ms:10.3f} {torch_ms} {matmul_ms:10.3f} "
                f"{ratio} {fraction:10.0%}"
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
    lines.append("floors:")
    for name, floor in data["floors"].items():
        if name != "limits":
            fastest = floor.get("fastest_rounds_value")
            aside = "" if fastest is None else f", fastest rounds {fastest:.3g}"
            lines.append(
                f"  {name:45} {floor['value']:.3g} (limit {floor['limit']}) "
                f"{'met' if floor['met'] else 'NOT MET'}{aside}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds, scaled reference"
    )
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--keep-openblas-env",
        action="store_true",
        help="do not remove OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE",
    )
    args = parser.parse_args(argv)
    data = _round(run(args.quick))
    print(_report(data))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
