#!/usr/bin/env python3
"""Benchmark: a training step of RGCN / RGAT / HGT on the GPU, Hector vs PyG.

    python3 bench/gpu_training.py --artifacts gpu-artifacts
        [--datasets aifb,fb15k-237,acm,dblp,ogbn-mag,ogbl-wikikg2]
        [--configs rgcn,rgat-4h,hgt-4h] [--runs 30] [--warmup 3]
        [--budget 5.0] [--no-write]

Needs a CUDA GPU, PyTorch with CUDA and torch_geometric (the device
machine; see docs/gpu.md); without them it says so and exits with status 2.

The protocol is bench/gpu_inference.py's (read its docstring first): the
same graphs, the same PyG layers configured to compute the same function
(``gpu_inference.build_pyg``), CUDA events, warm-up, the median of up to
``--runs`` runs within ``--budget`` seconds per cell, out-of-memory caught
and reported per cell, each dataset in its own subprocess.  What differs:

* What is timed is a training step: zero the gradients, the forward on
  features ``x`` [N, 64] that need a gradient (as in a middle layer), the
  loss ``sum(y * dy)`` for a fixed random ``dy``, the backward (``x`` and
  every parameter) and one Adam step (lr 1e-3) over the parameters and
  ``x``.  PyG's HGTConv takes per-type features: its leaves are the
  per-type feature tensors (built outside the timed region).
* Hector's layer is :func:`hector.nn.benchmark_layer` (``RGCNConv``,
  ``RGATConv`` without bias, ``HGTConv``; 64 -> 64, 4 heads) on the CUDA
  device: its forward and its combined backward (``rgnn-autodiff``) run the
  precompiled ``autodiff`` models of scripts/gpu_artifacts.sh, found
  through ``$HECTOR_ARTIFACTS`` = ``--artifacts``.  Its initial parameters
  (seeded) are copied into the PyG layers; RGAT's attention vector is made
  the same for every relation first (PyG's ``Q``/``K`` are shared).
* PyG's HGTConv outputs only node types that are some relation's
  destination (ogbn-mag's authors are not): ``dy`` is zero on the other
  rows for both, so both compute the same loss.
* Agreement, after one step of each from the same state: the output
  (``err_y``, over the rows PyG outputs), the gradient of ``x``
  (``err_dx``), and the gradient of every parameter that has the same name
  and shape in both layers (``err_dw``: RGCN's ``weight``, ``root`` and
  ``bias``), each ``||pyg - hector|| / ||hector||``; a cell agrees when all
  are below ``--agree``.  The other parameter gradients are held to float64
  by python/tests/test_gpu_training.py.
* Memory: Hector, the driver's used memory sampled during the timed steps
  minus its value before the layer was built, with PyTorch's cache and the
  pool of compiled code's temporaries emptied (the graph on the device,
  parameters, Adam's state, ``x``, the output, the gradients, the compiled
  code's temporaries and the caching allocator's slack); PyG,
  ``torch.cuda.max_memory_allocated`` minus what was allocated before its
  layer was built.

Results: stdout and ``bench/results/gpu_training.md`` (machine, GPU,
driver, date, command, versions), with the raw numbers in
``bench/results/gpu_training.json``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gpu_inference as gi  # noqa: E402  (also puts python/ on the path)
from hector import gpu_artifacts as ga  # noqa: E402
from hector import runtime  # noqa: E402

DIM = gi.DIM
CONFIGS = ("rgcn", "rgat-4h", "hgt-4h")
NEEDS = gi.NEEDS
LR = 1e-3


def loss_of(y, dy):
    """``sum(y * dy)``; per node type for PyG's HGTConv (a dict)."""
    if isinstance(y, dict):
        return sum((y[k] * dy[k]).sum() for k in dy if y.get(k) is not None)
    return (y * dy).sum()


def training_step(torch, params, forward, dy):
    """A closure that runs one step and returns the output."""
    opt = torch.optim.Adam(params, lr=LR)

    def step():
        opt.zero_grad()
        y = forward()
        loss_of(y, dy).backward()
        opt.step()
        return y
    return step


def output_rows(model, data, schema):
    """The rows both implementations output: PyG's HGTConv only the nodes
    of destination types; None when all."""
    if model != "hgt":
        return None
    rows = gi.hgt_output_rows(data, schema)
    return None if rows.all() else rows


def pyg_weights(model, layer):
    """Hector's ``layer``'s parameters under the names build_pyg reads."""
    p = {k: v.detach().cpu().numpy().copy()
         for k, v in layer.named_parameters()}
    if model == "rgcn":
        return {"w": p["weight"], "w_root": p["root"], "bias": p["bias"]}
    if model == "rgat":
        return {"w": p["weight"], "attn": p["attn"]}
    return p


def make_layer(torch, hnn, model, heads, g):
    """Hector's benchmark layer on the CPU, with its seeded initial
    parameters."""
    torch.manual_seed(gi.SEED_WEIGHTS)
    layer = hnn.benchmark_layer(model, g, DIM, heads)
    if model == "rgat":
        with torch.no_grad():   # PyG's attention is shared by relations
            layer.attn.copy_(layer.attn[:1].expand_as(layer.attn))
    return layer


def classify_error(torch, e):
    """(status, note, whether the CUDA context may be broken)."""
    msg = str(e)
    if isinstance(e, torch.cuda.OutOfMemoryError) or \
            "out of memory" in msg.lower() or "OUT_OF_MEMORY" in msg:
        return "OOM", msg.splitlines()[0][:200] if msg else "OOM", False
    broken = isinstance(e, RuntimeError) and "cuda" in msg.lower()
    return "error", f"{type(e).__name__}: {msg}"[:300], broken


def timed(torch, step, args):
    """(median, min, runs) of CUDA-event times of ``step``."""
    import numpy as np
    times = gi.time_torch(torch, step, args.runs, args.warmup, args.budget)
    return float(np.median(times)), float(min(times)), len(times)


def run_hector(torch, layer, cell, g, x0, dy, args):
    """Hector's record, and (y, x's gradient, parameter gradients) of its
    first step (None if it failed)."""
    rec = dict(cell, impl="hector")
    first = None
    try:
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        runtime.cuda_trim_memory()
        sampler = gi.MemSampler(torch)
        base = sampler.used()
        layer = layer.cuda()
        x = x0.clone().requires_grad_()
        step = training_step(torch, list(layer.parameters()) + [x],
                             lambda: layer(x, g), dy)
        t0 = time.perf_counter()
        y = step()                  # loads the model, binds the graph
        torch.cuda.synchronize()
        rec["setup_s"] = round(time.perf_counter() - t0, 2)
        first = (y.detach().clone(), x.grad.clone(),
                 {k: v.grad.clone() for k, v in layer.named_parameters()})
        del y
        with sampler:
            med, low, runs = timed(torch, step, args)
        rec.update(status="ok", median_ms=med, min_ms=low, runs=runs,
                   peak_mib=(sampler.peak - base) / 2**20)
    except ga.ArtifactMissing as e:
        rec.update(status="missing", note=str(e)[:300])
    except Exception as e:  # noqa: BLE001 (OOM, runtime errors)
        status, note, broken = classify_error(torch, e)
        rec.update(status=status, note=note)
        if broken:
            rec["broken"] = True
    return rec, first


def run_pyg(torch, name, cell, heads, data, schema, weights, x0, dy, first,
            rows, args):
    """PyG layer ``name`` with Hector's initial ``weights``: its record
    (agreement with Hector's ``first`` step)."""
    rec = dict(cell, impl=name)
    m = fwd = step = None
    try:
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        x = x0.clone().requires_grad_()
        m, fwd = gi.build_pyg(torch, name, data, schema, weights, heads, x)
        m.train()
        if hasattr(fwd, "inputs"):          # HGTConv: per-type leaves
            leaves = list(fwd.inputs.values())
            for t in leaves:
                t.requires_grad_()
            pdy = {k: dy[fwd.order[int(k[1:])]] for k in fwd.inputs}
        else:
            leaves, pdy = [x], dy
        step = training_step(torch, list(m.parameters()) + leaves, fwd, pdy)
        y = step()
        if first is not None:
            if hasattr(fwd, "to_global"):
                y = fwd.to_global(y)
                dx = torch.zeros_like(x0)
                for k, t in fwd.inputs.items():
                    if t.grad is not None:    # a type no loss term reads
                        dx[fwd.order[int(k[1:])]] = t.grad
            else:
                dx = x.grad
            y_ref, dx_ref, dw_ref = first
            rec["err_y"] = gi.rows_rel_err(torch, y.detach(), y_ref, rows)
            rec["err_dx"] = gi.rows_rel_err(torch, dx, dx_ref)
            same = [(p.grad, dw_ref[k]) for k, p in m.named_parameters()
                    if k in dw_ref and p.grad is not None
                    and p.shape == dw_ref[k].shape]
            if same:
                rec["err_dw"] = max(gi.rows_rel_err(torch, a, b)
                                    for a, b in same)
            rec["agrees"] = all(rec[k] < args.agree for k in rec
                                if k.startswith("err_"))
        del y
        med, low, runs = timed(torch, step, args)
        rec.update(status="ok", median_ms=med, min_ms=low, runs=runs,
                   peak_mib=(torch.cuda.max_memory_allocated() - before)
                   / 2**20)
    except Exception as e:  # noqa: BLE001 (OOM, configuration problems)
        status, note, broken = classify_error(torch, e)
        rec.update(status=status, note=note)
        if broken:
            rec["broken"] = True
    finally:
        del m, fwd, step
    return rec


def worker(args) -> int:
    import numpy as np
    import torch
    from hector import nn as hnn
    from hector import runtime
    os.environ["HECTOR_ARTIFACTS"] = str(Path(args.artifacts).resolve())
    cells, emit = gi.worker_setup(torch, args)
    t0 = time.perf_counter()
    data = ga.load_graph(args.dataset, args.scale)
    g = hnn.Graph(data)
    schema = runtime.schema_of(data)
    load_s = time.perf_counter() - t0
    T, R, _ = schema
    def normal(seed):
        return torch.as_tensor(np.random.default_rng(seed).standard_normal(
            (data.num_nodes, DIM)).astype(np.float32), device="cuda")

    x0, dy_all = normal(gi.SEED_FEATURES), normal(gi.SEED_FEATURES + 1)
    for model, heads in cells:
        cell = dict(dataset=args.dataset, model=model, heads=heads,
                    nodes=data.num_nodes, edges=data.num_edges, relations=R,
                    node_types=T, load_s=round(load_s, 2))
        rows, dy = output_rows(model, data, schema), dy_all
        if rows is not None:
            rows = torch.as_tensor(rows, device="cuda")
            dy = dy_all.masked_fill(~rows[:, None], 0)
        layer = make_layer(torch, hnn, model, heads, g)
        weights = pyg_weights(model, layer)
        rec, first = run_hector(torch, layer, cell, g, x0, dy, args)
        del layer
        emit(rec)
        if rec.pop("broken", False):
            return 3           # the context may be broken: restart
        for name in gi.PYG[model]:
            rec = run_pyg(torch, name, cell, heads, data, schema, weights,
                          x0, dy, first, rows, args)
            broken = rec.pop("broken", False)
            emit(rec)
            if broken:
                return 3
    return 0


def report(argv, records, started, device):
    lines = ["# GPU training step: Hector vs PyG", "",
             f"- date: {started}", f"- command: `{' '.join(argv)}`",
             f"- machine: {platform.node()}, {platform.machine()}, "
             f"python {platform.python_version()}",
             f"- GPU: {device}",
             "- a step: zero grads, forward, sum(y * dy), backward (x and "
             "every parameter), Adam; times: median ms per step (CUDA "
             "events); memory: peak MiB; `agree`: the largest of "
             "||pyg - hector|| / ||hector|| over the output, x's gradient "
             "and the gradients of same-named parameters (see "
             "bench/gpu_training.py)", ""]
    lines += ["| dataset | model | Hector ms | Hector MiB | PyG layer | "
              "PyG ms | PyG MiB | agree | Hector speed-up vs best PyG |",
              "|" + "---|" * 9]
    cells = gi.group_cells(records)
    for (ds, model, heads), (hec, pygs, ratio) in cells.items():
        for k, p in enumerate(pygs or [None]):
            hcols = (gi.fmt_ms(hec), f"{hec['peak_mib']:.0f}" if hec and
                     hec.get("peak_mib") is not None else "-") \
                if k == 0 else ("", "")
            errs = [v for key, v in (p or {}).items()
                    if key.startswith("err_")]
            pcols = (p["impl"], gi.fmt_ms(p), f"{p['peak_mib']:.0f}"
                     if p.get("peak_mib") is not None else "-",
                     f"{max(errs):.1e}" + ("" if p.get("agrees") else
                                           " (NO)") if errs else "-") \
                if p else ("-", "-", "-", "-")
            name = model + (f" {heads}h" if model != "rgcn" else "")
            rcol = (f"{ratio:.2f}x" if ratio else "-") if k == 0 else ""
            lines.append(f"| {ds if k == 0 else ''} | "
                         f"{name if k == 0 else ''} | " +
                         " | ".join(hcols + pcols) + f" | {rcol} |")
    return "\n".join(lines + gi.summary_lines(cells, records)) + "\n"


def main(argv=None) -> int:
    argv_list = sys.argv[1:] if argv is None else list(argv)
    ap = argparse.ArgumentParser(
        prog="bench/gpu_training.py",
        description="GPU training step of RGCN/RGAT/HGT: Hector vs PyG "
                    f"({NEEDS}; see docs/gpu.md).")
    gi.add_common_arguments(ap, CONFIGS, runs=30, warmup=3, budget=5.0)
    ap.add_argument("--output",
                    default=str(HERE / "results" / "gpu_training.md"),
                    help="the table (and .json beside it)")
    args = ap.parse_args(argv_list)
    configs, datasets = gi.checked_cells(ap, args)
    trained = set(ga.TRAINING)
    for model, heads in configs:
        if model != "rgcn" and (model, heads) not in trained:
            ap.error(f"--configs: {model}-{heads}h has no training "
                     f"artifacts (trained: " + ", ".join(
                         f"{m}-{h}h" for m, h in ga.TRAINING
                         if m != "rgcn") + ", rgcn)")
    if not gi.can_run(ap.prog, args):
        return 2
    if args.worker:
        return worker(args)
    import torch
    started = datetime.datetime.now().isoformat(timespec="seconds")
    device = gi.describe_device(torch)
    print(f"GPU: {device}")
    records = []
    options = ["--artifacts", args.artifacts, "--runs", str(args.runs),
               "--warmup", str(args.warmup), "--budget", str(args.budget),
               "--scale", str(args.scale), "--agree", str(args.agree)]
    with tempfile.TemporaryDirectory() as tmp:
        for ds in datasets:
            t0 = time.perf_counter()
            print(f"{ds} ...", flush=True)
            recs = gi.run_dataset(Path(__file__).resolve(), options, ds,
                                  [list(c) for c in configs],
                                  Path(tmp) / f"{ds}.jsonl")
            gi.print_records(recs)
            records += recs
            print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    text = report(["python3", "bench/gpu_training.py"] + argv_list, records,
                  started, device)
    print(text)
    if not args.no_write:
        gi.write_results(text, args.output, {"device": device,
                                             "date": started,
                                             "records": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
