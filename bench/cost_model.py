#!/usr/bin/python3
"""Calibrates the cost model and judges its variant choice by measurement.

    /usr/bin/python3 bench/cost_model.py [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--sizes 16,64,256]
        [--runs 7] [--write] [--out bench/results/cost_model.md]
    python3 bench/cost_model.py --target cuda [--chip sm_90]
        --artifacts gpu-artifacts [...]     (on a GPU machine)
    /usr/bin/python3 bench/cost_model.py --from-json FILE.json [--write]

For every (model, dataset, size) it compiles the layer (in = out = size,
4 heads for RGAT and HGT) with ``rgnn-reassociate``, and times every
variant the compiled model keeps (``Function.bind(exact=True)``, median
over at least ``--runs`` interleaved rounds after a warm-up, more for fast
variants): on the CPU with the threads OpenMP uses, or, with ``--target
cuda``, on the GPU, the models loaded from the precompiled artifacts
(``scripts/gpu_artifacts.sh``; the GPU machines have no MLIR), inputs and
result in device memory, each call timed with CUDA events.  The
static features of each variant on each graph (GEMM flops, other flops,
bytes, bytes gathered by table, bytes of intermediate values, kernels,
from the ``cost`` records) and the
measured times give:

* the parameters: nonnegative least squares on relative error for each
  cache size of a grid, the best cache size kept (``hector.cost.fit``);
  ``--write`` stores them in
  ``include/Hector/Analysis/CostParams.def`` as the entry of the target
  (``cpu``, or the chip) with this run's provenance, keeping the other
  targets' entries (rebuild, then recompile models, for the runtime to use
  them);
* the accuracy table: for each case, the variant the model picks
  (argmin of the estimate) against the fastest measured one.  The picks
  are judged twice: with the parameters fitted on all cases (in sample),
  and leaving each dataset out of the fit that judges it (out of sample).
  The bar: within 10 % of the fastest in at least 90 % of cases, never
  1.5x slower.

The table goes to ``--out`` (default ``bench/results/cost_model.md`` for
the CPU, ``cost_model_<chip>.md`` for a GPU) and the measurements with it
(``.json``).  ``--from-json`` fits, reports and (``--write``) stores from
such a file without measuring again: how a GPU run's parameters reach
``CostParams.def`` on the MLIR machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
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


def interleave(calls, runs, min_seconds):
    """Median seconds of each of ``calls`` (name -> a function returning
    the seconds of one timed call), in interleaved rounds: one call of each
    per round, so that a change in the machine's load (a shared 2-core VM
    here) hits them alike instead of whichever was being timed; at least
    ``runs`` rounds, more for fast calls, until every one has run for
    ``min_seconds`` (at most ``50 * runs`` rounds)."""
    times = {name: [] for name in calls}
    while True:
        for name, call in calls.items():
            times[name].append(call())
        done = len(next(iter(times.values())))
        if done >= runs and all(sum(ts) >= min_seconds
                                for ts in times.values()):
            break
        if done >= 50 * runs:
            break
    return {name: float(np.median(ts)) for name, ts in times.items()}


def cpu_call(b, inputs):
    """A function timing one call of binding ``b`` on the CPU (seconds),
    after a warm-up (which also fills the allocator's cache)."""
    arrays = b.prepare_inputs(inputs)
    b.run(arrays, poison=False)

    def call():
        t0 = time.perf_counter()
        b.run(arrays, poison=False)
        return time.perf_counter() - t0
    return call


def cuda_call(b, inputs):
    """:func:`cpu_call` on the GPU: the inputs uploaded once, the result in
    device memory, each call timed with CUDA events (``runtime.cuda_time``,
    which includes the call's host work, as a caller sees it)."""
    dev = b.upload_inputs(inputs)
    res = runtime.DeviceBuffer.empty(b.result_shape, np.float32)
    b.run(dev, out=res, poison=False)  # warm-up (and the memory pool)
    return lambda: 1e-3 * float(runtime.cuda_time(
        lambda: b.run(dev, out=res, poison=False), 1, 0)[0])


def time_variants(functions, prepared, inputs, runs, min_seconds=0.3,
                  timed_call=cpu_call):
    """Median seconds of one call of each function (:func:`interleave`,
    each call timed by ``timed_call``), and the relation choice table each
    binding used (each relation's cheapest choice under the compiled
    parameters, for a variant split by relation)."""
    bound = {name: fn.bind(prepared, exact=True)
             for name, fn in functions.items()}
    calls = {name: timed_call(b, inputs) for name, b in bound.items()}
    seconds = interleave(calls, runs, min_seconds)
    return {name: (seconds[name], b.relation_choice)
            for name, b in bound.items()}


def layer_loader(target, chip="sm_90", artifacts=None):
    """``load(model, graph, size)``: the layer the cost model is judged on
    (in = out = size, 4 heads), compiled here for the CPU, or the CUDA
    model for ``chip`` from the artifacts (compiled with hector-opt when
    ``artifacts`` is None, on a machine with MLIR)."""
    if target == "cpu":
        return lambda model, graph, size: runtime.compile_layer(
            model, graph, size, size, heads=4)
    from hector import gpu_artifacts as ga
    return lambda model, graph, size: ga.load_function(
        model, graph, size, size, heads=4, chip=chip, compact=True,
        artifacts=artifacts)


def measure(models, datasets, sizes, runs, load=None, timed_call=cpu_call):
    load = load or layer_loader("cpu")
    cases = []
    for ds in datasets:
        graph = load_graph(ds)
        prepared = prepare(graph)
        counts = cost.counts_of(prepared)
        ref_graph = reference.RefGraph.of(graph)
        for model in models:
            for size in sizes:
                fn = load(model, graph, size)
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
                timed = time_variants(functions, prepared, inputs, runs,
                                      timed_call=timed_call)
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


def params_entry(target, params, provenance):
    """One ``HECTOR_COST_PARAMS`` entry of CostParams.def."""
    return (f'HECTOR_COST_PARAMS("{target}", {params["gemm_flop"]:.6g}, '
            f'{params["other_flop"]:.6g}, {params["byte"]:.6g}, '
            f'{params["gathered_byte"]:.6g}, '
            f'{params["intermediate_byte"]:.6g}, {params["kernel"]:.6g}, '
            f'{params["cache"]:.6g},\n                   "{provenance}")\n')


def write_params(params, provenance, target="cpu", path=PARAMS_DEF):
    """Replaces (or adds) ``target``'s entry in CostParams.def, keeping
    the others; the CPU's stays first (the default target)."""
    # The entries start at the beginning of a line (the header comment
    # mentions the macro too).
    head, *chunks = re.split(r"(?m)^(?=HECTOR_COST_PARAMS\()",
                             Path(path).read_text())
    entries = {c.split('"', 2)[1]: c.rstrip("\n") + "\n" for c in chunks}
    entries[target] = params_entry(target, params, provenance)
    order = sorted(entries, key=lambda t: (t != "cpu", t))
    Path(path).write_text(head + "".join(entries[t] for t in order))


def cuda_machine(chip):
    """The GPU the CUDA runs measure (``runtime.cuda_device_info``)."""
    info = runtime.cuda_device_info(0)
    return (f"{info['name']} ({info['chip']}, {info['multiprocessors']} "
            f"SMs), models compiled for {chip}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="rgcn,rgat,hgt")
    ap.add_argument("--datasets", default="aifb,fb15k-237,acm,dblp")
    ap.add_argument("--sizes", default="16,64,256")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--target", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--chip", default="sm_90",
                    help="with --target cuda: the chip of the models")
    ap.add_argument("--artifacts",
                    help="with --target cuda: the precompiled models "
                         "(scripts/gpu_artifacts.sh); compiled here if "
                         "not given")
    ap.add_argument("--from-json", metavar="FILE",
                    help="fit and report the measurements of an earlier "
                         "run (its .json) instead of measuring")
    ap.add_argument("--write", action="store_true",
                    help="store the fitted parameters in CostParams.def "
                         "as the target's entry")
    ap.add_argument("--out",
                    help="the table (default bench/results/cost_model.md, "
                         "or cost_model_<chip>.md for a GPU)")
    args = ap.parse_args(argv)
    command = "bench/cost_model.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        cases = saved["cases"]
        meta = saved.get("meta") or {
            "target": "cpu", "machine": "unknown", "date": "unknown",
            "command": "unknown"}
        datasets = list(dict.fromkeys(c["dataset"] for c in cases))
        meta = dict(meta, refit=command)
    else:
        models = args.models.split(",")
        datasets = args.datasets.split(",")
        sizes = [int(s) for s in args.sizes.split(",")]
        if args.target == "cuda":
            ok, why = runtime.cuda_available()
            if not ok:
                print(f"cost_model.py: --target cuda needs a GPU: {why}",
                      file=sys.stderr)
                return 2
            target, machine = args.chip, cuda_machine(args.chip)
            cases = measure(models, datasets, sizes, args.runs,
                            layer_loader("cuda", args.chip, args.artifacts),
                            cuda_call)
        else:
            target = "cpu"
            machine = (f"{platform.processor() or platform.machine()}, "
                       f"{os.cpu_count()} cores")
            cases = measure(models, datasets, sizes, args.runs)
        meta = {"target": target, "machine": machine,
                "date": datetime.date.today().isoformat(),
                "command": ("/usr/bin/python3 " if target == "cpu"
                            else "python3 ") + command}
    params = fit_cases(cases)
    target = meta["target"]
    header = (f"# Cost model: calibration and variant choice "
              f"({'CPU' if target == 'cpu' else 'GPU, ' + target})\n\n"
              f"Machine: {meta['machine']}; date {meta['date']}; command "
              f"`{meta['command']}`" +
              (f" (fitted again by `{meta['refit']}`)" if "refit" in meta
               else "") + ".\n\n"
              f"Fitted parameters (seconds per unit): " +
              ", ".join(f"{k} {v:.4g}" for k, v in params.items()) +
              " (cache in bytes)")
    text, ins, outs = report(cases, params, datasets, header)
    print(text)
    out = Path(args.out or HERE / "results" / (
        "cost_model.md" if target == "cpu" else f"cost_model_{target}.md"))
    if not args.from_json or args.out:
        out.write_text(text)
        out.with_suffix(".json").write_text(json.dumps(
            {"meta": {k: v for k, v in meta.items() if k != "refit"},
             "params": params, "cases": cases}, indent=1))
    if args.write:
        write_params(params, f"fitted by bench/cost_model.py on "
                             f"{meta['date']}, {meta['machine']}; see "
                             f"bench/results/{out.name}", target)
        print(f"wrote {PARAMS_DEF}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
