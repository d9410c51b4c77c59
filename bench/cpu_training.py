#!/usr/bin/python3
"""Benchmark: one training step of an RGCN / RGAT / HGT layer on the CPU,
plain PyTorch vs Hector.

    /usr/bin/python3 bench/cpu_training.py [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--heads 4] [--dim 64]
        [--runs 10] [--warmup 2] [--budget 30] [--frozen-features]
        [--no-write]

A training step is: zero the gradients, the layer's forward on features
``x`` [N, 64] that need a gradient (as in a middle layer), the loss
``sum(y * dy)`` for a fixed random ``dy``, the backward (the gradient of
``x`` and of every parameter), and one Adam step.  With
``--frozen-features`` ``x`` needs no gradient (as in a first layer): both
implementations then leave its gradient out (Hector compiles its backward
for the parameters alone, rgnn-autodiff's ``wrt=``), and the results go to
``bench/results/cpu_training_frozen.md``.  Two implementations of
the same layer, with the same initial float32 parameters:

* ``torch``: :mod:`hector.torch_reference` in float32 with autograd, plain
  PyTorch: one GEMM per relation on that relation's edges (the literal
  formulation; no aggregate-first or per-(source, relation) rewrite),
  ``index_add`` aggregation, a scatter-``amax`` edge softmax;
* ``hector``: :mod:`hector.nn` (``RGCNConv`` / ``RGATConv`` without bias /
  ``HGTConv``), whose forward and backward run the compiled function and
  its ``rgnn-autodiff`` gradient functions (default options: compaction
  and reordering on, no SENSEi variants).

``--models rgcn-max`` benchmarks ``RGCNConv(aggr="max")`` (the torch side
takes each (destination, relation) pair's maximum with a scatter-``amax``
and its tie mask, then one GEMM per relation on the pairs).

Before timing, one step of each is run and the outputs and every gradient
are compared (``|hector - torch| / |torch|``, reported).  Timing: wall
time of whole steps after ``--warmup`` steps; the median of up to
``--runs`` steps, stopping early after ``--budget`` seconds (at least 3).
Results go to stdout and ``bench/results/cpu_training.md``.
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

import hector  # noqa: E402,F401  (before torch: one OpenMP runtime)
import torch  # noqa: E402

from cpu_inference import ResultLog, load_graph  # noqa: E402
from hector import nn as hnn  # noqa: E402
from hector import torch_reference as tr  # noqa: E402
from hector.testing import module_reference, rel_err  # noqa: E402

DATASETS = ("aifb", "fb15k-237", "acm", "dblp")
MODELS = ("rgcn", "rgat", "hgt")


def time_steps(step, runs, warmup, budget):
    for _ in range(warmup):
        step()
    times, start = [], time.perf_counter()
    while len(times) < runs and (len(times) < 3
                                 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), len(times)


def run_cell(model, g, ref_graph, args):
    torch.manual_seed(0)
    layer = hnn.benchmark_layer(model, g, args.dim, args.heads)
    # The torch implementation's own copies of the same initial parameters.
    rparams = {k: v.detach().clone().requires_grad_()
               for k, v in layer.named_parameters()}
    x_grad = not args.frozen_features
    x_h = torch.randn(g.num_nodes, args.dim, dtype=torch.float32,
                      requires_grad=x_grad)
    x_t = x_h.detach().clone().requires_grad_(x_grad)
    dy = torch.randn(g.num_nodes, args.dim, dtype=torch.float32)
    opt_h = torch.optim.Adam(list(layer.parameters())
                             + ([x_h] if x_grad else []), lr=1e-3)
    opt_t = torch.optim.Adam(list(rparams.values())
                             + ([x_t] if x_grad else []), lr=1e-3)

    def step_h():
        opt_h.zero_grad()
        y = layer(x_h, g)
        (y * dy).sum().backward()
        opt_h.step()
        return y

    def step_t():
        opt_t.zero_grad()
        y = module_reference(layer, ref_graph, x_t, rparams)
        (y * dy).sum().backward()
        opt_t.step()
        return y

    t0 = time.perf_counter()
    layer(x_h, g)  # compile (cached on disk) and bind
    setup = time.perf_counter() - t0
    # Agreement of one step from the same state (before either updates).
    y_h, y_t = step_h(), step_t()
    errs = [rel_err(y_h.detach(), y_t.detach())]
    if x_grad:
        errs.append(rel_err(x_h.grad, x_t.grad))
    errs += [rel_err(v.grad, rparams[k].grad)
             for k, v in layer.named_parameters()]
    err = max(errs)
    res = {}
    for impl, step in (("torch", step_t), ("hector", step_h)):
        res[impl] = time_steps(step, args.runs, args.warmup, args.budget)
    return res, err, setup


def layer_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments of a benchmark of hector.nn's layers: the cells and
    the layer's size."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dim", type=int, default=64)
    return ap


def main(argv=None) -> int:
    ap = layer_parser(__doc__)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--frozen-features", action="store_true",
                    help="x needs no gradient (a first layer)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--output", default=None,
                    help="default: bench/results/cpu_training.md, or "
                    "cpu_training_frozen.md with --frozen-features")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch intra-op threads (default: every core, as "
                    "Hector's OpenMP uses)")
    args = ap.parse_args(argv)
    if args.output is None:
        args.output = str(HERE / "results" / (
            "cpu_training_frozen.md" if args.frozen_features
            else "cpu_training.md"))
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    log = ResultLog()
    log.emit("| model | dataset | torch step (ms) | hector step (ms) | "
             "speedup | max rel. diff | hector compile+bind (s) |")
    log.emit("|---|---|---|---|---|---|---|")
    speedups = []
    for dataset in args.datasets.split(","):
        data = load_graph(dataset)
        g = hnn.Graph(data)
        ref_graph = tr.Graph(data)
        for model in args.models.split(","):
            res, err, setup = run_cell(model, g, ref_graph, args)
            (tm, tmin, tn), (hm, hmin, hn) = res["torch"], res["hector"]
            speedups.append(tm / hm)
            log.emit(f"| {model} | {dataset} | {tm * 1e3:.1f} (min "
                     f"{tmin * 1e3:.1f}, {tn} runs) | {hm * 1e3:.1f} (min "
                     f"{hmin * 1e3:.1f}, {hn} runs) | {tm / hm:.2f}x | "
                     f"{err:.1e} | {setup:.1f} |")
    geo = 1.0
    for s in speedups:
        geo *= s
    geo **= 1.0 / max(len(speedups), 1)
    log.emit(f"\ngeometric-mean speedup of a training step: {geo:.2f}x "
             f"over {len(speedups)} cells")
    if not args.no_write:
        log.write(args.output, "CPU training step: plain PyTorch vs Hector",
                  "cpu_training.py", argv, [
                      "OpenMP runtime shared by torch and Hector "
                      f"(hector._openmp): {hector._openmp.status}",
                      f"in = out = {args.dim}, heads = {args.heads} (RGAT, "
                      "HGT)",
                      "a step: zero grads, forward, sum(y * dy), backward ("
                      + ("every parameter; x needs no gradient"
                         if args.frozen_features
                         else "x and every parameter")
                      + "), Adam; see the script's docstring"],
                  machine=f"; torch {torch.__version__} with "
                  f"{torch.get_num_threads()} threads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
