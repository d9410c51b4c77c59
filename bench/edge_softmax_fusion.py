#!/usr/bin/python3
"""Benchmark: edge softmax fused into the weighted aggregation, or not.

    /usr/bin/python3 bench/edge_softmax_fusion.py [--models rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--sizes 16,64,256]
        [--heads 4] [--runs 9] [--no-write]

For every (model, dataset, size) it compiles the layer (in = out = size)
twice with ``hector-lower-to-cpu``: with ``fuse-edge-softmax=true`` (the
default: one loop per destination computes the softmax's statistics and
accumulates the weighted messages; the normalized weights are never
stored) and ``=false`` (the weights are written to an E x heads buffer,
then read by the aggregation). Each build's base variant runs on the same
random float32 inputs (``Function.bind(exact=True)``, interleaved rounds,
median; ``bench/cost_model.py``'s ``time_variants``); the two outputs must
agree to 1e-5 (relative, max norm). Printed and written to
``bench/results/edge_softmax_fusion.md``: both times, the ratio, and the
bytes of the weights buffer that fusion leaves out.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

from cost_model import time_variants  # noqa: E402
from hector import reference, runtime  # noqa: E402
from hector.main import load_graph  # noqa: E402
from hector.prep import prepare  # noqa: E402

BUILDS = {"fused": "fuse-edge-softmax=true",
          "unfused": "fuse-edge-softmax=false"}


def measure(model, graph, prepared, size, heads, runs):
    ref_graph = reference.RefGraph.of(graph)
    functions = {name: runtime.compile_layer(model, graph, size, size,
                                             heads=heads, options=options)
                 for name, options in BUILDS.items()}
    rng = np.random.default_rng(7)
    w = reference.init_weights(model, ref_graph, size, size, heads=heads,
                               rng=rng)
    h = rng.standard_normal((prepared.num_nodes, size)).astype(np.float32)
    fn = functions["fused"]
    inputs = [h] + [np.asarray(w[a.name], np.float32) for a in fn.inputs[1:]]
    outs = {name: f.bind(prepared, exact=True).run(inputs, poison=True)
            for name, f in functions.items()}
    scale = float(np.abs(outs["unfused"]).max()) or 1.0
    err = float(np.abs(outs["fused"] - outs["unfused"]).max()) / scale
    if not err < 1e-5:
        raise SystemExit(f"{model} on {graph.name} at {size}: fused and "
                         f"unfused outputs differ (relative {err:.2e})")
    timed = time_variants(functions, prepared, inputs, runs)
    return {name: seconds for name, (seconds, _) in timed.items()}, err


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="rgat,hgt")
    ap.add_argument("--datasets", default="aifb,fb15k-237,acm,dblp")
    ap.add_argument("--sizes", default="16,64,256")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" /
                                         "edge_softmax_fusion.md"))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for ds in args.datasets.split(","):
        graph = load_graph(ds)
        prepared = prepare(graph)
        for model in args.models.split(","):
            for size in sizes:
                t, err = measure(model, graph, prepared, size, args.heads,
                                 args.runs)
                weights_mib = prepared.num_edges * args.heads * 4 / 2**20
                row = (f"| {model} | {ds} | {size} | "
                       f"{t['unfused'] * 1e3:.2f} | {t['fused'] * 1e3:.2f} | "
                       f"{t['unfused'] / t['fused']:.2f}x | "
                       f"{weights_mib:.2f} | {err:.1e} |")
                print(row, flush=True)
                rows.append((t["unfused"] / t["fused"], row))
    ratios = np.array([r for r, _ in rows])
    geo = float(np.exp(np.log(ratios).mean()))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True)
    text = "\n".join([
        "# Edge softmax fused into the weighted aggregation (CPU)",
        "",
        f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} "
        f"cores; date {datetime.date.today()}; commit "
        f"{commit.stdout.strip()}; command `/usr/bin/python3 "
        f"bench/edge_softmax_fusion.py {' '.join(argv or sys.argv[1:])}`.",
        "",
        f"{args.heads} heads; base variant of each build, median ms over "
        f"interleaved rounds (at least {args.runs}).",
        "",
        "| model | dataset | size | unfused ms | fused ms | speedup | "
        "weights not stored (MiB) | fused vs unfused |",
        "|---|---|---|---|---|---|---|---|",
        *[row for _, row in rows],
        "",
        f"Geometric mean speedup: {geo:.2f}x over {len(rows)} cases "
        f"(min {ratios.min():.2f}x, max {ratios.max():.2f}x).",
        ""])
    print(text.splitlines()[-2])
    if not args.no_write:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
