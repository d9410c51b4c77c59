#!/usr/bin/python3
"""Benchmark: a layer's forward + backward on the CPU with the forward's
values saved (``forward-values=saved``, hector.nn's default) or recomputed
by the backward (``forward-values=recomputed``).

    /usr/bin/python3 bench/forward_values.py [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--heads 4] [--dim 64]
        [--rounds 6] [--steps 3] [--no-write]

Two ``hector.nn`` layers with the same parameters (``benchmark_layer``),
one per setting, on features ``x`` [N, dim] that need a gradient. A step is
the forward, ``sum(y * dy)`` and the backward (no optimizer). The two are
timed interleaved, ``--steps`` steps of one then of the other for
``--rounds`` rounds, so that drift in the machine's speed hits both; the
medians of the steps are reported. Before timing, the gradients of the two
are compared (they compute the same values in a different order of calls,
so they agree to float32 rounding). Results go to stdout and
``bench/results/forward_values.md``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))

import hector  # noqa: E402,F401  (before torch: one OpenMP runtime)
import torch  # noqa: E402

from cpu_inference import ResultLog, load_graph  # noqa: E402
from cpu_training import layer_parser  # noqa: E402
from hector import nn as hnn  # noqa: E402
from hector.testing import rel_err  # noqa: E402

SETTINGS = ("saved", "recomputed")


def run_cell(model, g, args):
    torch.manual_seed(0)
    layers = {}
    for setting in SETTINGS:
        layer = hnn.benchmark_layer(model, g, args.dim, args.heads)
        layer.options = f"{hnn.DEFAULT_OPTIONS} forward-values={setting}"
        layers[setting] = layer
    layers["recomputed"].load_state_dict(layers["saved"].state_dict())
    x = torch.randn(g.num_nodes, args.dim, requires_grad=True)
    dy = torch.randn(g.num_nodes, args.dim)

    def step(layer):
        layer.zero_grad()
        x.grad = None
        (layer(x, g) * dy).sum().backward()
        return [x.grad] + [p.grad for p in layer.parameters()]

    grads = {s: step(layers[s]) for s in SETTINGS}
    err = max(rel_err(a, b) for a, b in zip(grads["saved"],
                                            grads["recomputed"]))
    saved = layers["saved"].compiled(g).num_saved
    times = {s: [] for s in SETTINGS}
    for _ in range(args.rounds):
        for s in SETTINGS:
            for _ in range(args.steps):
                t = time.perf_counter()
                step(layers[s])
                times[s].append(time.perf_counter() - t)
    return {s: statistics.median(v) for s, v in times.items()}, err, saved


def main(argv=None) -> int:
    ap = layer_parser(__doc__)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    log = ResultLog()
    log.emit("| model | dataset | values saved | saved (ms) | "
             "recomputed (ms) | recomputed / saved | max rel. diff of "
             "gradients |")
    log.emit("|---|---|---|---|---|---|---|")
    ratios = []
    for dataset in args.datasets.split(","):
        g = hnn.Graph(load_graph(dataset))
        for model in args.models.split(","):
            t, err, saved = run_cell(model, g, args)
            ratio = t["recomputed"] / t["saved"]
            ratios.append(ratio)
            log.emit(f"| {model} | {dataset} | {saved} | "
                     f"{t['saved'] * 1e3:.1f} | {t['recomputed'] * 1e3:.1f} "
                     f"| {ratio:.2f}x | {err:.1e} |")
    geo = statistics.geometric_mean(ratios)
    log.emit(f"\ngeometric mean of recomputed / saved: {geo:.3f}x over "
             f"{len(ratios)} cells")
    if not args.no_write:
        log.write(HERE / "results" / "forward_values.md",
                  "Forward values saved vs recomputed (CPU, forward + "
                  "backward)", "forward_values.py", argv,
                  [f"in = out = {args.dim}, heads = {args.heads} (RGAT, "
                   f"HGT); {args.rounds} interleaved rounds of {args.steps} "
                   "steps each",
                   "a step: forward, sum(y * dy), backward (x and every "
                   "parameter); see the script's docstring"],
                  machine=f"; torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
