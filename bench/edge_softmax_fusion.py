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

BUILDS = {"unfused": "fuse-edge-softmax=false",
          "fused": "fuse-edge-softmax=true"}


def measure(model, graph, prepared, size, heads, runs, builds=None):
    """Median seconds of each build's base variant (``builds``: name ->
    pipeline options, the first the baseline; default :data:`BUILDS`) on
    the same inputs, and the largest relative difference of the others'
    outputs from the baseline's (at most 1e-5, else the run stops)."""
    builds = BUILDS if builds is None else builds
    ref_graph = reference.RefGraph.of(graph)
    functions = {name: runtime.compile_layer(model, graph, size, size,
                                             heads=heads, options=options)
                 for name, options in builds.items()}
    rng = np.random.default_rng(7)
    w = reference.init_weights(model, ref_graph, size, size, heads=heads,
                               rng=rng)
    h = rng.standard_normal((prepared.num_nodes, size)).astype(np.float32)
    base, *others = functions
    fn = functions[base]
    inputs = [h] + [np.asarray(w[a.name], np.float32) for a in fn.inputs[1:]]
    outs = {name: f.bind(prepared, exact=True).run(inputs, poison=True)
            for name, f in functions.items()}
    scale = float(np.abs(outs[base]).max()) or 1.0
    err = max(float(np.abs(outs[o] - outs[base]).max()) / scale
              for o in others)
    if not err < 1e-5:
        raise SystemExit(f"{model} on {graph.name} at {size}: the outputs "
                         f"of {', '.join(builds)} differ (relative "
                         f"{err:.2e})")
    timed = time_variants(functions, prepared, inputs, runs)
    return {name: seconds for name, (seconds, _) in timed.items()}, err


def write_report(title, script, argv, preamble, columns, rows, summary,
                 out):
    """Prints and (``out`` not None) writes a comparison table: ``rows``
    are (speedup, markdown row) pairs, summarized by their geometric
    mean, with the machine, date, commit and command."""
    ratios = np.array([r for r, _ in rows])
    geo = float(np.exp(np.log(ratios).mean()))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True)
    text = "\n".join([
        f"# {title}",
        "",
        f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} "
        f"cores; date {datetime.date.today()}; commit "
        f"{commit.stdout.strip()}; command `/usr/bin/python3 "
        f"{script} {' '.join(argv or sys.argv[1:])}`.",
        "",
        preamble,
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *[row for _, row in rows],
        "",
        f"{summary}: {geo:.2f}x over {len(rows)} cases "
        f"(min {ratios.min():.2f}x, max {ratios.max():.2f}x).",
        ""])
    print(text.splitlines()[-1])
    if out is not None:
        Path(out).write_text(text)
        print(f"wrote {out}")


def parse_comparison_args(doc, argv, models, sizes, out):
    """The command line of a two-build comparison: ``--models``,
    ``--datasets``, ``--sizes``, ``--heads``, ``--runs``, ``--no-write``
    and ``--out`` (default ``bench/results/<out>``)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--models", default=models)
    ap.add_argument("--datasets", default="aifb,fb15k-237,acm,dblp")
    ap.add_argument("--sizes", default=sizes)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / out))
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_comparison_args(__doc__, argv, models="rgat,hgt",
                                 sizes="16,64,256",
                                 out="edge_softmax_fusion.md")
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
    write_report(
        "Edge softmax fused into the weighted aggregation (CPU)",
        "bench/edge_softmax_fusion.py", argv,
        f"{args.heads} heads; base variant of each build, median ms over "
        f"interleaved rounds (at least {args.runs}).",
        ["model", "dataset", "size", "unfused ms", "fused ms", "speedup",
         "weights not stored (MiB)", "fused vs unfused"],
        rows, "Geometric mean speedup", None if args.no_write else args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
