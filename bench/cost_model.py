#!/usr/bin/python3
"""Calibrates the cost model and judges its variant choice by measurement.

    /usr/bin/python3 bench/cost_model.py [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--sizes 16,64,256]
        [--runs 7] [--write] [--out bench/results/cost_model.md]

For every (model, dataset, size) it compiles the layer (in = out = size,
4 heads for RGAT and HGT) with ``rgnn-reassociate``, and times every
variant the compiled model keeps (``Function.bind(exact=True)``, median
over at least ``--runs`` interleaved rounds after a warm-up, more for fast
variants) on the CPU with the threads OpenMP uses.  The
static features of each variant on each graph (GEMM flops, other flops,
bytes, bytes gathered by table, bytes of intermediate values, kernels,
from the ``cost`` records) and the
measured times give:

* the parameters: nonnegative least squares on relative error for each
  cache size of a grid, the best cache size kept (``hector.cost.fit``);
  ``--write`` stores them in
  ``include/Hector/Analysis/CostParams.def`` with this run's provenance
  (rebuild, then recompile models, for the runtime to use them);
* the accuracy table: for each case, the variant the model picks
  (argmin of the estimate) against the fastest measured one.  The picks
  are judged twice: with the parameters fitted on all cases (in sample),
  and leaving each dataset out of the fit that judges it (out of sample).
  The bar: within 10 % of the fastest in at least 90 % of cases, never
  1.5x slower.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python"))

import numpy as np  # noqa: E402

from hector import cost, reference, runtime  # noqa: E402
from hector.main import load_graph  # noqa: E402
from hector.prep import prepare  # noqa: E402

PARAMS_DEF = ROOT / "include" / "Hector" / "Analysis" / "CostParams.def"


def time_variants(functions, prepared, inputs, runs, min_seconds=0.3):
    """Median seconds of one call of each function, and the relation
    choice table each binding used (each relation's cheapest choice under
    the compiled parameters, for a variant split by relation).

    The variants run in interleaved rounds (one call of each per round),
    so that a change in the machine's load (a shared 2-core VM here) hits
    them alike instead of whichever was being timed; a round count of at
    least ``runs``, more for fast variants, until every variant has run for
    ``min_seconds``."""
    bound = {}
    for name, fn in functions.items():
        b = fn.bind(prepared, exact=True)
        arrays = b.prepare_inputs(inputs)
        b.run(arrays, poison=False)  # warm-up (and the allocator cache)
        bound[name] = (b, arrays)
    times = {name: [] for name in bound}
    while True:
        for name, (b, arrays) in bound.items():
            t0 = time.perf_counter()
            b.run(arrays, poison=False)
            times[name].append(time.perf_counter() - t0)
        done = len(next(iter(times.values())))
        if done >= runs and all(sum(ts) >= min_seconds
                                for ts in times.values()):
            break
        if done >= 50 * runs:
            break
    return {name: (float(np.median(times[name])), b.relation_choice)
            for name, (b, _) in bound.items()}


def measure(models, datasets, sizes, runs):
    cases = []
    for ds in datasets:
        graph = load_graph(ds)
        prepared = prepare(graph)
        counts = cost.counts_of(prepared)
        ref_graph = reference.RefGraph.of(graph)
        for model in models:
            for size in sizes:
                fn = runtime.compile_layer(model, graph, size, size, heads=4)
                mc = cost.ModelCosts.parse(fn.model.info)
                rng = np.random.default_rng(7)
                w = reference.init_weights(model, ref_graph, size, size,
                                           heads=4, rng=rng)
                h = rng.standard_normal((prepared.num_nodes, size))
                inputs = [h.astype(np.float32)] + [
                    np.asarray(w[a.name], np.float32) for a in fn.inputs[1:]]
                functions = {name: fn if name == model
                             else fn.model.function(name)
                             for name in mc.variants(model)}
                timed = time_variants(functions, prepared, inputs, runs)
                variants = {}
                for name, (seconds, choice) in timed.items():
                    # A split by relation is fitted and judged with the
                    # choices it ran with.
                    variants[name] = {
                        "seconds": seconds,
                        "evaluated": mc.costs[name].evaluate(counts, choice)}
                case = {"model": model, "dataset": ds, "size": size,
                        "variants": variants}
                print(json.dumps({k: case[k] for k in
                                  ("model", "dataset", "size")}),
                      {n: round(v["seconds"] * 1e3, 3)
                       for n, v in variants.items()}, flush=True)
                cases.append(case)
    return cases


def fit_cases(cases):
    evaluated, times = [], []
    for c in cases:
        for v in c["variants"].values():
            evaluated.append(v["evaluated"])
            times.append(v["seconds"])
    return cost.fit(evaluated, times)


def judge(case, params):
    p = np.array([params[k] for k in cost.PARAMS])
    est = {n: float(np.dot(cost.features_of(v["evaluated"], params["cache"]),
                           p))
           for n, v in case["variants"].items()}
    pick = min(est, key=est.get)
    best = min(case["variants"], key=lambda n: case["variants"][n]["seconds"])
    ratio = (case["variants"][pick]["seconds"] /
             case["variants"][best]["seconds"])
    return pick, best, ratio, est


def summary(ratios):
    ratios = np.asarray(ratios)
    return (f"{int((ratios <= 1.10).sum())}/{len(ratios)} within 10 % "
            f"({100 * (ratios <= 1.10).mean():.0f} %), worst "
            f"{ratios.max():.3f}x")


def report(cases, params, datasets, header):
    lines = [header, "",
             "| model | dataset | size | variants: measured ms (estimated ms) "
             "| picked | fastest | picked/fastest | out of sample |",
             "|---|---|---|---|---|---|---|---|"]
    loo = {}
    for ds in datasets:
        rest = [c for c in cases if c["dataset"] != ds]
        loo[ds] = fit_cases(rest) if rest else params
    ins, outs = [], []
    short = cost.variant_label
    for c in cases:
        pick, best, ratio, est = judge(c, params)
        opick, _, oratio, _ = judge(c, loo[c["dataset"]])
        ins.append(ratio)
        outs.append(oratio)
        cells = "; ".join(f"{short(n)} "
                          f"{v['seconds'] * 1e3:.2f} ({est[n] * 1e3:.2f})"
                          for n, v in c["variants"].items())
        lines.append(f"| {c['model']} | {c['dataset']} | {c['size']} | "
                     f"{cells} | {short(pick)} | {short(best)} | "
                     f"{ratio:.3f} | {short(opick)} {oratio:.3f} |")
    lines += ["", f"In sample: {summary(ins)}.",
              f"Out of sample (each dataset judged by parameters fitted on "
              f"the others): {summary(outs)}.", ""]
    return "\n".join(lines), ins, outs


def write_params(params, provenance):
    text = PARAMS_DEF.read_text()
    # The entries start at the beginning of a line (the header comment
    # mentions the macro too).
    head = text.split("\nHECTOR_COST_PARAMS(", 1)[0] + "\n"
    entry = (f'HECTOR_COST_PARAMS("cpu", {params["gemm_flop"]:.6g}, '
             f'{params["other_flop"]:.6g}, {params["byte"]:.6g}, '
             f'{params["gathered_byte"]:.6g}, '
             f'{params["intermediate_byte"]:.6g}, {params["kernel"]:.6g}, '
             f'{params["cache"]:.6g},\n                   "{provenance}")\n')
    PARAMS_DEF.write_text(head + entry)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="rgcn,rgat,hgt")
    ap.add_argument("--datasets", default="aifb,fb15k-237,acm,dblp")
    ap.add_argument("--sizes", default="16,64,256")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--write", action="store_true",
                    help="store the fitted CPU parameters in CostParams.def")
    ap.add_argument("--out", default=str(HERE / "results" / "cost_model.md"))
    args = ap.parse_args(argv)
    models = args.models.split(",")
    datasets = args.datasets.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = measure(models, datasets, sizes, args.runs)
    params = fit_cases(cases)
    when = datetime.date.today().isoformat()
    machine = (f"{platform.processor() or platform.machine()}, "
               f"{os.cpu_count()} cores")
    command = "/usr/bin/python3 bench/cost_model.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    header = (f"# Cost model: calibration and variant choice (CPU)\n\n"
              f"Machine: {machine}; date {when}; command `{command}`.\n\n"
              f"Fitted parameters (seconds per unit): " +
              ", ".join(f"{k} {v:.4g}" for k, v in params.items()) +
              " (cache in bytes)")
    text, ins, outs = report(cases, params, datasets, header)
    print(text)
    Path(args.out).write_text(text)
    Path(args.out).with_suffix(".json").write_text(
        json.dumps({"params": params, "cases": cases}, indent=1))
    if args.write:
        write_params(params, f"fitted by bench/cost_model.py on {when}, "
                             f"{machine}; see bench/results/cost_model.md")
        print(f"wrote {PARAMS_DEF}")


if __name__ == "__main__":
    main()
