#!/usr/bin/python3
"""Benchmark: the CPU GEMM kernels' vector width, per host ISA.

    /usr/bin/python3 bench/vector_width.py
        [--configs native:16,x86-64-v3:16,x86-64-v3:8,native:32]
        [--cells rgcn/fb15k-237,hgt/fb15k-237,...] [--runs 9] [--no-write]

A config ``CPU:W`` compiles the layer with ``HECTOR_HOST_CPU=CPU`` (opt and
llc target that CPU; ``native`` is this host) and the pipeline option
``vector-width=W`` (floats per vector in the typed GEMM and the outer-GEMM
weight gradients).  ``x86-64-v3`` is AVX2 without AVX-512: 16 ymm
registers, so the default 16 accumulators of 16 floats do not fit in
registers there, which this measures instead of guessing.  The code runs
on this host, so only ISAs it has can be compared.

Each cell is one layer (bench/cpu_training.py's: in = out = 64, 4 heads)
forward plus backward (x and every parameter) on random features.  The
configs of a cell are timed interleaved (one step of each, ``--runs``
rounds; the median per config), since a shared machine's speed drifts
more between runs than the configs differ.  Results go to stdout and
``bench/results/vector_width.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))

import torch  # noqa: E402

from cpu_inference import ResultLog, load_graph  # noqa: E402
from hector import nn as hnn  # noqa: E402

CONFIGS = "native:16,x86-64-v3:16,x86-64-v3:8,native:32"
CELLS = "rgcn/fb15k-237,hgt/fb15k-237,rgat/fb15k-237,hgt/acm,rgcn/dblp"


def layer_step(model, g, cpu, width, x, dy):
    """A compiled forward+backward step of ``model`` for one config."""
    if cpu == "native":
        os.environ.pop("HECTOR_HOST_CPU", None)
    else:
        os.environ["HECTOR_HOST_CPU"] = cpu
    torch.manual_seed(0)
    layer = hnn.benchmark_layer(model, g, x.shape[1], 4)
    layer.options = f"{hnn.DEFAULT_OPTIONS} vector-width={width}"

    def step():
        (layer(x, g) * dy).sum().backward()
    step()  # compiles (HECTOR_HOST_CPU is read now) and binds
    return step


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default=CONFIGS)
    ap.add_argument("--cells", default=CELLS)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    configs = [c.split(":") for c in args.configs.split(",")]
    torch.set_num_threads(os.cpu_count() or 1)
    saved_cpu = os.environ.get("HECTOR_HOST_CPU")
    log = ResultLog()
    log.emit("| model | dataset | " + " | ".join(
        f"{cpu}, width {w} (ms)" for cpu, w in configs) + " |")
    log.emit("|---|---|" + "---|" * len(configs))
    graphs = {}
    for cell in args.cells.split(","):
        model, dataset = cell.split("/")
        if dataset not in graphs:
            graphs[dataset] = hnn.Graph(load_graph(dataset))
        g = graphs[dataset]
        x = torch.randn(g.num_nodes, 64, requires_grad=True)
        dy = torch.randn(g.num_nodes, 64)
        steps = [layer_step(model, g, cpu, w, x, dy) for cpu, w in configs]
        times = [[] for _ in configs]
        for _ in range(args.runs):
            for step, t in zip(steps, times):
                t0 = time.perf_counter()
                step()
                t.append(time.perf_counter() - t0)
        log.emit(f"| {model} | {dataset} | " + " | ".join(
            f"{statistics.median(t) * 1e3:.1f}" for t in times) + " |")
    if saved_cpu is None:
        os.environ.pop("HECTOR_HOST_CPU", None)
    else:
        os.environ["HECTOR_HOST_CPU"] = saved_cpu
    if not args.no_write:
        log.write(HERE / "results" / "vector_width.md",
                  "CPU GEMM vector width per host ISA", "vector_width.py",
                  argv, ["one layer forward+backward, in = out = 64, 4 heads; "
                         f"median of {args.runs} interleaved steps"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
