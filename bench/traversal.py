#!/usr/bin/python3
"""Benchmark: node-parallel against edge-parallel aggregation on the CPU.

    /usr/bin/python3 bench/traversal.py [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--sizes 64] [--heads 4]
        [--runs 9] [--no-write]

For every (model, dataset, size) it compiles the layer (in = out = size)
twice with ``hector-lower-to-cpu``: ``traversal=node`` (the default: each
destination row walks its entries, accumulating in a row-local buffer, no
atomics) and ``traversal=edge`` (one iteration per CSR entry, its row
found by binary search, every add atomic). Each build's base variant runs
on the same random float32 inputs (interleaved rounds, median;
``bench/edge_softmax_fusion.py``'s ``measure``); the outputs must agree to
1e-5. Written to ``bench/results/traversal_cpu.md``. The GPU's comparison
(where edge-parallel is the default) is ``bench/gpu_inference.py
--traversal node``, ``bench/results/gpu_traversal.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(HERE))

from edge_softmax_fusion import (measure, parse_comparison_args,  # noqa: E402
                                 write_report)
from hector.main import load_graph  # noqa: E402
from hector.prep import prepare  # noqa: E402

BUILDS = {"node": "traversal=node", "edge": "traversal=edge"}


def main(argv=None) -> int:
    args = parse_comparison_args(__doc__, argv, models="rgcn,rgat,hgt",
                                 sizes="64", out="traversal_cpu.md")
    rows = []
    for ds in args.datasets.split(","):
        graph = load_graph(ds)
        prepared = prepare(graph)
        for model in args.models.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                t, err = measure(model, graph, prepared, size, args.heads,
                                 args.runs, BUILDS)
                ratio = t["node"] / t["edge"]
                row = (f"| {model} | {ds} | {size} | {t['node'] * 1e3:.2f} "
                       f"| {t['edge'] * 1e3:.2f} | {ratio:.2f}x | "
                       f"{err:.1e} |")
                print(row, flush=True)
                rows.append((ratio, row))
    write_report(
        "Aggregation traversal: node-parallel vs edge-parallel (CPU)",
        "bench/traversal.py", argv,
        f"{args.heads} heads (RGAT, HGT); base variant of each build, median "
        f"ms over interleaved rounds (at least {args.runs}); softmax "
        f"unfused (the CPU default).",
        ["model", "dataset", "size", "node ms", "edge ms", "edge speedup",
         "edge vs node"],
        rows, "Geometric mean speedup of edge-parallel",
        None if args.no_write else args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
