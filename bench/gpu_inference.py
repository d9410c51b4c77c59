#!/usr/bin/env python3
"""Benchmark: one RGCN / RGAT / HGT layer on the GPU, Hector vs PyG.

    python3 bench/gpu_inference.py --artifacts gpu-artifacts
        [--datasets aifb,fb15k-237,acm,dblp,ogbn-mag,ogbl-wikikg2]
        [--configs rgcn,rgat-1h,rgat-4h,hgt-1h,hgt-4h] [--runs 50]
        [--warmup 5] [--budget 3.0] [--chip sm_90] [--traversal edge]
        [--lanes on] [--traversal-schedule THREADS,LANES]
        [--no-write]

Needs a CUDA GPU, PyTorch with CUDA and torch_geometric (the device
machine; see docs/gpu.md); without them it says so and exits with status 2.

For every (dataset, config) it runs, at in = out = 64, on the same graph
with the same random float32 features and weights
(``hector.reference.init_weights``, fixed seeds), Hector's layer
(precompiled by scripts/gpu_artifacts.sh, loaded from ``--artifacts``) and
the PyG layers configured to compute the same function, with Hector's
weights copied into them:

* ``rgcn``: ``RGCNConv(64, 64, R, aggr="mean", root_weight=True,
  bias=True)`` and ``FastRGCNConv`` (same arguments): ``weight`` = Hector's
  ``w`` [R, in, out], ``root`` = ``w_root``, ``bias`` = ``bias``.  Same
  function: ``h_i W_root + sum_r mean_{j in N_r(i)} h_j W_r + b``.
* ``rgat``: ``RGATConv(64, 64 / H, R, heads=H, dim=1, concat=True,
  bias=False, attention_mechanism="across-relation",
  attention_mode="additive-self-attention", negative_slope=0.2,
  dropout=0)``.  PyG's attention logits are ``q_i . Q + k_j . K`` with
  ``Q, K`` of shape [H*D, H*dim] shared by all relations, which mixes the
  heads; Hector's RGAT has one attention vector per (relation, head),
  ``attn`` [R, H, 2D].  Compared function: Hector's ``attn`` is the same
  vector ``a`` [H, 2D] for every relation, and PyG's ``Q`` / ``K`` are
  block-diagonal (``Q[h*D:(h+1)*D, h] = a[h, :D]`` (destination half),
  ``K[h*D:(h+1)*D, h] = a[h, D:]`` (source half), zero elsewhere), so both
  compute per-head ``LeakyReLU_0.2(z_dst . a_dst + z_src . a_src)``, the
  softmax over all incoming edges of the destination and the concatenation
  over heads.  ``weight[r]`` = ``w[r]`` [H, in, D] laid out as [in, H*D].
* ``hgt``: ``HGTConv(64, 64, metadata, heads=H)`` with node types ``t0..``
  and edge types ``(t_s, r<k>, t_d)`` in relation order (the schema's
  triples; one node type for AIFB and FB15k-237).  Same function as
  ``examples/models/hgt.mlir`` (written after PyG's HGTConv):
  ``kqv_lin`` per node type = ``[w_k | w_q | w_v]`` (in the order PyG's
  source splits ``kqv``), ``k_rel`` / ``v_rel`` type ``h * R + r`` =
  ``a_rel[r, h]`` / ``m_rel[r, h]``, ``p_rel`` = ``mu``, ``out_lin`` =
  ``w_out`` / ``b_out``, ``skip`` = ``skip``.  PyG takes per-type inputs
  with per-type node ids: the per-type feature dict and edge dict are built
  outside the timed region, as is mapping the output back to global ids.

TF32 is off for PyTorch's matmuls (Hector computes in plain f32), so
outputs must agree to ``--agree`` (default 1e-4, ``||pyg - hector|| /
||hector||``); a disagreement is reported in the table, not hidden.

Timing: CUDA events on the default stream around each forward (Hector:
``hector.runtime.cuda_time`` on device buffers, no host-device copies; its
run includes the model's own temporary allocations and a context
synchronization), after ``--warmup`` runs; the median of up to ``--runs``
runs (fewer when one run is slow: at most ``--budget`` seconds per cell,
at least 5 runs).  Memory: PyG, ``torch.cuda.max_memory_allocated`` during
the runs (graph, inputs, weights, output and temporaries of the caching
allocator); Hector, the driver's used memory (``cudaMemGetInfo``) sampled
every ~50 us by a thread during the timed runs minus the value before the
graph was bound, with the memory pool of model temporaries emptied (graph,
inputs, weights, output and temporaries; a sampled peak is a lower
bound).  Out-of-memory is caught per cell and reported as
``OOM``.  Each dataset runs in its own subprocess; a cell that breaks the
CUDA context (anything but OOM) is reported and the remaining cells run in
a fresh subprocess.

Bandwidth: a 1 GiB device-to-device copy is timed once (bytes read plus
written over time); each Hector cell reports the compulsory bytes (features
and weights read once, the output written once, the source, destination and
relation id of every edge and the CSR offsets read once) over its median
time, and that as a fraction of the copy bandwidth.  Per-kernel bandwidth is
not measured: the kernels run inside the model library and the shim has no
per-kernel timer (Nsight Compute, ``ncu``, on the device machine can give
it; not done here).

Results: stdout and ``bench/results/gpu_inference.md`` (machine, GPU,
driver, date, command, versions), with the raw numbers in
``bench/results/gpu_inference.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python"))

DIM = 64
SEED_FEATURES, SEED_WEIGHTS = 1234, 5678
DATASETS = ("aifb", "fb15k-237", "acm", "dblp", "ogbn-mag", "ogbl-wikikg2")
CONFIGS = ("rgcn", "rgat-1h", "rgat-4h", "hgt-1h", "hgt-4h")
PYG = {"rgcn": ("RGCNConv", "FastRGCNConv"), "rgat": ("RGATConv",),
       "hgt": ("HGTConv",)}
NEEDS = "needs a GPU and torch_geometric"


def parse_config(text):
    model, _, h = text.partition("-")
    if model not in PYG:
        raise argparse.ArgumentTypeError(f"unknown config {text!r}")
    heads = int(h.rstrip("h")) if h else 1
    return model, heads


def requirements():
    """None when everything is there, else the reasons it cannot run."""
    why = []
    try:
        import torch
        if not torch.cuda.is_available():
            why.append(f"torch {torch.__version__} sees no CUDA device")
    except ImportError as e:
        why.append(f"no torch ({e})")
    try:
        import torch_geometric  # noqa: F401
    except ImportError as e:
        why.append(f"no torch_geometric ({e})")
    try:
        from hector import runtime
        ok, reason = runtime.cuda_available()
        if not ok:
            why.append(f"Hector's CUDA shim: {reason}")
    except Exception as e:  # noqa: BLE001 (runtime library missing)
        why.append(f"Hector's runtime: {e}")
    return why or None


# ---------------------------------------------------------------------------
# The worker: one dataset, several cells, one JSON line per cell
# ---------------------------------------------------------------------------

class MemSampler:
    """The driver's used device memory, sampled by a thread."""

    def __init__(self, torch):
        self.torch, self.peak, self._stop = torch, 0, False

    def used(self):
        free, total = self.torch.cuda.mem_get_info()
        return total - free

    def __enter__(self):
        self.peak = self.used()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()
        return self

    def _loop(self):
        while not self._stop:
            self.peak = max(self.peak, self.used())
            time.sleep(5e-5)

    def __exit__(self, *exc):
        self._stop = True
        self._t.join()
        self.peak = max(self.peak, self.used())


def time_torch(torch, fn, runs, warmup, budget):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(True), torch.cuda.Event(True)
    times, t0 = [], time.perf_counter()
    while len(times) < runs:
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
        if len(times) >= 5 and time.perf_counter() - t0 > budget:
            break
    return times


def copy_bandwidth(torch):
    """GB/s of a 1 GiB device-to-device copy (read + written bytes)."""
    n = 1 << 28
    a = torch.empty(n, dtype=torch.float32, device="cuda").uniform_()
    b = torch.empty_like(a)
    times = time_torch(torch, lambda: b.copy_(a), 20, 3, 5.0)
    ms = sorted(times)[len(times) // 2]
    del a, b
    torch.cuda.empty_cache()
    return 2 * 4 * n / (ms * 1e-3) / 1e9


def hetero_inputs(torch, g, schema, x):
    """PyG HGTConv inputs: per-type features and per-relation edges with
    per-type node ids; the map back to global ids."""
    import numpy as np
    T, R, triples = schema
    ntype = g.ntype.astype(np.int64)
    local = np.zeros(g.num_nodes, np.int64)
    order = {}
    for t in range(T):
        ids = np.flatnonzero(ntype == t)
        local[ids] = np.arange(len(ids))
        order[t] = torch.as_tensor(ids, device="cuda")
    trip = triples or [(0, r, 0) for r in range(R)]
    x_dict = {f"t{t}": x[order[t]].contiguous() for t in range(T)}
    e_dict = {}
    et = g.etype.astype(np.int64)
    for s, r, d in trip:
        mask = et == r
        if not mask.any():
            continue
        ei = np.stack([local[g.src[mask]], local[g.dst[mask]]])
        e_dict[(f"t{s}", f"r{r}", f"t{d}")] = torch.as_tensor(ei,
                                                              device="cuda")
    metadata = ([f"t{t}" for t in range(T)],
                [(f"t{s}", f"r{r}", f"t{d}") for s, r, d in trip])
    return x_dict, e_dict, metadata, order


def hgt_output_rows(g, schema):
    """The nodes PyG's HGTConv outputs (bool [N]): those of node types that
    are some relation's destination (ogbn-mag's authors are not)."""
    import numpy as np
    T, R, triples = schema
    dst = sorted({d for _, _, d in (triples or [(0, r, 0)
                                                for r in range(R)])})
    return np.isin(g.ntype.astype(np.int64), np.asarray(dst, np.int64))


def kqv_order(HGTConv):
    import inspect
    import re
    try:
        m = re.search(r"(\w)\s*,\s*(\w)\s*,\s*(\w)\s*=\s*torch\.tensor_split"
                      r"\(\s*kqv", inspect.getsource(HGTConv.forward))
        if m:
            return "".join(m.groups())
    except (OSError, TypeError):
        pass
    return "kqv"


def build_pyg(torch, name, g, schema, w, heads, x):
    """(module, forward closure) of PyG layer ``name`` with Hector's
    weights; see the module docstring."""
    import numpy as np
    import torch_geometric.nn as pyg
    T, R, triples = schema
    t = lambda a: torch.as_tensor(np.asarray(a, np.float32), device="cuda")
    ei = torch.as_tensor(np.stack([g.src, g.dst]), device="cuda")
    et = torch.as_tensor(g.etype.astype(np.int64), device="cuda")
    with torch.no_grad():
        if name in ("RGCNConv", "FastRGCNConv"):
            m = getattr(pyg, name)(DIM, DIM, R, aggr="mean", root_weight=True,
                                   bias=True).cuda().eval()
            m.weight.copy_(t(w["w"]))
            m.root.copy_(t(w["w_root"]))
            m.bias.copy_(t(w["bias"]))
            return m, lambda: m(x, ei, et)
        if name == "RGATConv":
            D = DIM // heads
            m = pyg.RGATConv(DIM, D, R, heads=heads, dim=1, concat=True,
                             bias=False, attention_mechanism="across-relation",
                             attention_mode="additive-self-attention",
                             negative_slope=0.2, dropout=0.0).cuda().eval()
            wr = np.asarray(w["w"])                      # [R, H, in, D]
            m.weight.copy_(t(wr.transpose(0, 2, 1, 3).reshape(R, DIM, DIM)))
            a = np.asarray(w["attn"])[0]                 # [H, 2D]
            q = np.zeros((DIM, heads), np.float32)
            k = np.zeros((DIM, heads), np.float32)
            for h in range(heads):
                q[h * D:(h + 1) * D, h] = a[h, :D]
                k[h * D:(h + 1) * D, h] = a[h, D:]
            m.q.copy_(t(q))
            m.k.copy_(t(k))
            return m, lambda: m(x, ei, et)
        if name == "HGTConv":
            x_dict, e_dict, metadata, order = hetero_inputs(torch, g, schema,
                                                            x)
            m = pyg.HGTConv(DIM, DIM, metadata, heads=heads).cuda().eval()
            parts = {"k": w["w_k"], "q": w["w_q"], "v": w["w_v"]}
            bparts = {"k": w["b_k"], "q": w["b_q"], "v": w["b_v"]}
            seq = kqv_order(pyg.HGTConv)
            for ti in range(T):
                lin = m.kqv_lin.lins[f"t{ti}"]
                lin.weight.copy_(t(np.concatenate(
                    [np.asarray(parts[c])[ti].T for c in seq], 0)))
                lin.bias.copy_(t(np.concatenate(
                    [np.asarray(bparts[c])[ti] for c in seq], 0)))
                out = m.out_lin.lins[f"t{ti}"]
                out.weight.copy_(t(np.asarray(w["w_out"])[ti].T))
                out.bias.copy_(t(np.asarray(w["b_out"])[ti]))
                if "skip" in w:
                    m.skip[f"t{ti}"].copy_(t(np.asarray(w["skip"])[ti:ti + 1]))
            D = DIM // heads
            E = len(metadata[1])
            ka = np.asarray(w["a_rel"])                   # [R, H, D, D]
            va = np.asarray(w["m_rel"])
            kw = np.zeros((heads * E, D, D), np.float32)
            vw = np.zeros((heads * E, D, D), np.float32)
            for r in range(E):
                for h in range(heads):
                    kw[h * E + r], vw[h * E + r] = ka[r, h], va[r, h]
            m.k_rel.weight.copy_(t(kw).view_as(m.k_rel.weight))
            m.v_rel.weight.copy_(t(vw).view_as(m.v_rel.weight))
            mu = np.asarray(w["mu"])
            for s, r, d in metadata[1]:
                key = "__".join((s, r, d))
                m.p_rel[key].copy_(t(mu[int(r[1:])]).view_as(m.p_rel[key]))
            n = g.num_nodes

            def fwd():
                return m(x_dict, e_dict)

            def to_global(out_dict):
                y = torch.zeros((n, DIM), device="cuda")
                for ti in range(T):
                    if out_dict.get(f"t{ti}") is not None:
                        y[order[ti]] = out_dict[f"t{ti}"]
                return y
            fwd.to_global = to_global
            fwd.covered = torch.as_tensor(hgt_output_rows(g, schema),
                                          device="cuda")
            fwd.inputs, fwd.order = x_dict, order
            return m, fwd
    raise ValueError(name)


def rows_rel_err(torch, y, ref, covered=None) -> float:
    """``||y - ref|| / ||ref||`` over the rows ``covered`` (all if None)."""
    if covered is not None:
        y, ref = y[covered], ref[covered]
    return float(torch.linalg.norm(y - ref) /
                 torch.linalg.norm(ref).clamp_min(1e-30))


def compulsory_bytes(g, inputs, out_elems):
    edges = g.num_edges * 3 * 4            # src, dst, relation (i32)
    offsets = (g.num_nodes + 1) * 8        # in-CSR
    return sum(a.nbytes for a in inputs) + 4 * out_elems + edges + offsets


def worker_setup(torch, args):
    """A worker's cells and the function that records one: TF32 off (Hector
    computes in plain f32), the CUDA context created."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    result_file = open(args.result, "a")

    def emit(rec):
        result_file.write(json.dumps(rec) + "\n")
        result_file.flush()

    torch.zeros(1, device="cuda")
    return json.loads(args.cells), emit


def worker(args) -> int:
    import numpy as np
    import torch
    from hector import gpu_artifacts as ga
    from hector import reference, runtime
    from hector.prep import prepare
    cells, emit = worker_setup(torch, args)
    bw = args.copy_bw
    t0 = time.perf_counter()
    g = ga.load_graph(args.dataset, args.scale)
    p = prepare(g)
    schema = runtime.schema_of(g)
    load_s = time.perf_counter() - t0
    T, R, _ = schema
    for model, heads in cells:
        cell = dict(dataset=args.dataset, model=model, heads=heads,
                    nodes=g.num_nodes, edges=g.num_edges, relations=R,
                    node_types=T, load_s=round(load_s, 2))
        rng = np.random.default_rng(SEED_WEIGHTS)
        w = {k: np.asarray(v, np.float32) for k, v in reference.init_weights(
            model, (T, R), DIM, DIM, heads=heads, rng=rng).items()}
        if model == "rgat":
            w["attn"] = np.ascontiguousarray(np.broadcast_to(
                w["attn"][0], w["attn"].shape))      # one shared vector
        h = np.random.default_rng(SEED_FEATURES).standard_normal(
            (g.num_nodes, DIM)).astype(np.float32)
        # --- Hector ---------------------------------------------------------
        rec = dict(cell, impl="hector")
        hector_out = None
        try:
            fn = ga.load_function(model, schema, DIM, DIM, heads, args.chip,
                                  True, artifacts=args.artifacts,
                                  traversal=args.traversal,
                                  lanes=args.lanes == "on",
                                  schedule=args.traversal_schedule)
            torch.cuda.synchronize()
            # Earlier cells' temporaries stay in the pool: back to zero.
            runtime.cuda_trim_memory()
            sampler = MemSampler(torch)
            base = sampler.used()
            bound = fn.bind(p)
            inputs = [h] + [w[a.name] for a in fn.inputs[1:]]
            dev = bound.upload_inputs(inputs)
            res = runtime.DeviceBuffer.empty(bound.result_shape, np.float32)
            hector_out = bound.run(dev, out=res, poison=True).to_host()
            first = runtime.cuda_time(lambda: bound.run(dev, out=res,
                                                        poison=False), 1, 0)
            runs = max(5, min(args.runs, int(args.budget * 1e3 /
                                             max(first[0], 1e-3))))
            with sampler:
                times = runtime.cuda_time(
                    lambda: bound.run(dev, out=res, poison=False), runs,
                    args.warmup)
            med = float(np.median(times))
            nbytes = compulsory_bytes(g, [np.asarray(x) for x in inputs],
                                      hector_out.size)
            rec.update(status="ok", median_ms=med, min_ms=float(times.min()),
                       runs=len(times),
                       peak_mib=(sampler.peak - base) / 2**20,
                       gbps=nbytes / (med * 1e-3) / 1e9,
                       bw_fraction=(nbytes / (med * 1e-3) / 1e9) / bw
                       if bw else None)
            del dev, res, bound
        except runtime.ModelError as e:
            oom = "OUT_OF_MEMORY" in str(e) or "out of memory" in str(e)
            rec.update(status="OOM" if oom else "error", note=str(e)[:300])
        except ga.ArtifactMissing as e:
            rec.update(status="missing", note=str(e)[:300])
        emit(rec)
        # --- PyG ------------------------------------------------------------
        x = torch.as_tensor(h, device="cuda")
        for name in PYG[model]:
            rec = dict(cell, impl=name)
            m = fwd = None
            try:
                torch.cuda.empty_cache()
                m, fwd = build_pyg(torch, name, g, schema, w, heads, x)
                with torch.no_grad():
                    y = fwd()
                    if hasattr(fwd, "to_global"):
                        y = fwd.to_global(y)
                    torch.cuda.synchronize()
                    if hector_out is not None:
                        ref = torch.as_tensor(hector_out, device="cuda")
                        err = rows_rel_err(torch, y, ref,
                                           getattr(fwd, "covered", None))
                        rec["err_vs_hector"] = err
                        rec["agrees"] = bool(err < args.agree)
                    del y
                    torch.cuda.reset_peak_memory_stats()
                    s, e0 = torch.cuda.Event(True), torch.cuda.Event(True)
                    s.record(); fwd(); e0.record(); e0.synchronize()
                    runs = max(5, min(args.runs, int(
                        args.budget * 1e3 / max(s.elapsed_time(e0), 1e-3))))
                    times = time_torch(torch, fwd, runs, args.warmup,
                                       args.budget)
                rec.update(status="ok", median_ms=float(np.median(times)),
                           min_ms=float(min(times)), runs=len(times),
                           peak_mib=torch.cuda.max_memory_allocated() / 2**20)
            except torch.cuda.OutOfMemoryError as e:
                rec.update(status="OOM", note=str(e).splitlines()[0][:200])
            except RuntimeError as e:
                msg = str(e)
                if "out of memory" in msg.lower():
                    rec.update(status="OOM", note=msg.splitlines()[0][:200])
                else:
                    rec.update(status="error", note=msg[:300])
                    emit(rec)
                    if "CUDA" in msg or "cuda" in msg:
                        return 3       # the context may be broken: restart
                    continue
            except Exception as e:  # noqa: BLE001 (configuration problems)
                rec.update(status="error",
                           note=f"{type(e).__name__}: {e}"[:300])
            finally:
                del m, fwd
            emit(rec)
    return 0


# ---------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------

def run_dataset(script, options, dataset, cells, result_path):
    """Run ``cells`` of ``dataset`` in subprocesses of ``script --worker
    *options`` until all are done; their records."""
    todo = list(cells)
    records = []
    while todo:
        before = len(records)
        cmd = [sys.executable, str(script), "--worker", "--dataset", dataset,
               "--cells", json.dumps(todo), "--result", str(result_path),
               *options]
        result_path.write_text("")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        got = [json.loads(ln) for ln in result_path.read_text().splitlines()
               if ln.strip()]
        records += got
        seen = {(r["model"], r["heads"]) for r in got}
        left = [c for c in todo if tuple(c) not in seen]
        if proc.returncode not in (0, 3):
            # Crashed: blame the cell it was in (the last one that reported
            # but did not finish), else the next one.
            last = (got[-1]["model"], got[-1]["heads"]) if got else None
            finished = got and got[-1]["impl"] == PYG[got[-1]["model"]][-1]
            if last and not finished:
                blame = last
            elif left:
                blame, left = tuple(left[0]), left[1:]
            else:
                blame = None
            if blame:
                records.append(dict(dataset=dataset, model=blame[0],
                                    heads=blame[1], impl="(worker)",
                                    status="crashed",
                                    note=f"rc {proc.returncode}: "
                                         f"{proc.stderr[-300:]}"))
        elif proc.returncode == 0 and left:
            for m, hd in left:
                records.append(dict(dataset=dataset, model=m, heads=hd,
                                    impl="(worker)", status="not run",
                                    note=proc.stderr[-300:]))
            left = []
        todo = left
        if len(records) == before:
            break
        for line in proc.stdout.splitlines():
            print("   ", line)
    return records


def print_records(records):
    for r in records:
        errs = "".join(f" {k[4:]} {r[k]:.1e}" for k in r
                       if k.startswith("err_"))
        print(f"  {r['model']} {r.get('heads')} {r['impl']}: {fmt_ms(r)}"
              + errs + (f" [{r['note'][:120]}]" if r.get("note") else ""),
              flush=True)


def fmt_ms(r):
    if r is None:
        return "-"
    if r["status"] != "ok":
        return r["status"]
    return f"{r['median_ms']:.3f}"


def report(args, argv, records, bw, started, device):
    lines = ["# GPU inference: Hector vs PyG", "",
             f"- date: {started}", f"- command: `{' '.join(argv)}`",
             f"- machine: {platform.node()}, {platform.machine()}, "
             f"python {platform.python_version()}",
             f"- GPU: {device}",
             f"- Hector's aggregations: {args.traversal}-parallel "
             f"traversal, lanes over feature loops {args.lanes}" +
             (f", traversal schedule {args.traversal_schedule} "
              f"(threads, lanes)" if args.traversal_schedule else ""),
             f"- device-to-device copy bandwidth: {bw:.0f} GB/s "
             f"(1 GiB, read + written bytes)",
             "- times: median ms per forward (CUDA events); memory: peak "
             "MiB (see bench/gpu_inference.py for how each is measured); "
             "`agree`: ||pyg - hector|| / ||hector||", ""]
    head = ("| dataset | model | Hector ms | Hector MiB | Hector GB/s (% copy)"
            " | PyG layer | PyG ms | PyG MiB | agree | Hector speed-up vs "
            "best PyG |")
    lines += [head, "|" + "---|" * 10]
    cells = group_cells(records)
    for (ds, model, heads), (hec, pygs, ratio) in cells.items():
        for k, p in enumerate(pygs or [None]):
            hcols = (fmt_ms(hec), f"{hec['peak_mib']:.0f}" if hec and
                     hec.get("peak_mib") is not None else "-",
                     f"{hec['gbps']:.0f} ({100 * hec['bw_fraction']:.0f}%)"
                     if hec and hec.get("gbps") else "-") if k == 0 else \
                ("", "", "")
            name = f"{model}" + (f" {heads}h" if model != "rgcn" else "")
            pcols = (p["impl"], fmt_ms(p), f"{p['peak_mib']:.0f}"
                     if p.get("peak_mib") is not None else "-",
                     f"{p['err_vs_hector']:.1e}" +
                     ("" if p.get("agrees") else " (NO)")
                     if "err_vs_hector" in p else "-") if p else \
                ("-", "-", "-", "-")
            rcol = (f"{ratio:.2f}x" if ratio else "-") if k == 0 else ""
            lines.append(f"| {ds if k == 0 else ''} | "
                         f"{name if k == 0 else ''} | " +
                         " | ".join(hcols + pcols) + f" | {rcol} |")
    return "\n".join(lines + summary_lines(cells, records)) + "\n"


def group_cells(records):
    """``{(dataset, model, heads): (Hector's record, PyG's records, best
    PyG time / Hector time or None)}``."""
    cells = {}
    for r in records:
        cells.setdefault((r["dataset"], r["model"], r["heads"]), []).append(r)
    out = {}
    for key, rs in cells.items():
        hec = next((r for r in rs if r["impl"] == "hector"), None)
        pygs = [r for r in rs if r["impl"] != "hector"]
        ok = [r for r in pygs if r["status"] == "ok"]
        best = min(ok, key=lambda r: r["median_ms"]) if ok else None
        ratio = (best["median_ms"] / hec["median_ms"]
                 if best and hec and hec["status"] == "ok" else None)
        out[key] = (hec, pygs, ratio)
    return out


def summary_lines(cells, records):
    """The geometric mean of the ratios, and every record's note."""
    import numpy as np
    ratios = [r for _, _, r in cells.values() if r]
    gm = math.exp(np.mean(np.log(ratios))) if ratios else None
    lines = ["", f"Geometric mean of (best PyG time / Hector time) over "
                 f"{len(ratios)} cells: " + (f"{gm:.2f}x" if gm else "-")]
    notes = [r for r in records if r.get("note")]
    if notes:
        lines += ["", "Notes:", ""] + [
            f"- {r['dataset']} {r['model']} {r.get('heads')} {r['impl']}: "
            f"{r['status']}: {r['note']}" for r in notes]
    return lines


def describe_device(torch) -> str:
    """The GPU, its driver and the torch and PyG versions, in words."""
    import torch_geometric
    from hector import runtime
    info = runtime.cuda_device_info(0)
    return (f"{info['name']} ({info['chip']}, {info['multiprocessors']} "
            f"SMs, {info['total_memory'] / 2**30:.0f} GiB), driver "
            f"{info['driver_version']}, torch {torch.__version__}, "
            f"torch_geometric {torch_geometric.__version__}")


def write_results(text, output, payload):
    """``text`` to ``output`` and ``payload`` as JSON beside it."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {out} and {out.with_suffix('.json')}")


def add_common_arguments(ap, configs, runs, warmup, budget):
    """The options both GPU benchmarks take, and their workers' own."""
    ap.add_argument("--artifacts",
                    default=os.environ.get("HECTOR_ARTIFACTS",
                                           str(ROOT / "gpu-artifacts")),
                    help="precompiled models (scripts/gpu_artifacts.sh)")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--configs", default=",".join(configs))
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--warmup", type=int, default=warmup)
    ap.add_argument("--budget", type=float, default=budget,
                    help="seconds of timed runs per cell at most")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="scale of the synthetic ogbn-mag/ogbl-wikikg2 graphs")
    ap.add_argument("--agree", type=float, default=1e-4)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--dataset", help=argparse.SUPPRESS)
    ap.add_argument("--cells", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)


def checked_cells(ap, args):
    """The (model, heads) configs and the datasets of ``args`` (a usage
    error through ``ap`` if one is unknown)."""
    try:
        configs = [parse_config(c) for c in args.configs.split(",") if c]
    except (argparse.ArgumentTypeError, ValueError) as e:
        ap.error(f"--configs: {e}")
    datasets = [d for d in args.datasets.split(",") if d]
    for d in datasets:
        if d not in DATASETS:
            ap.error(f"unknown dataset {d!r} (known: {', '.join(DATASETS)})")
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be positive and --warmup not negative")
    return configs, datasets


def can_run(prog, args) -> bool:
    """Whether this machine can run the benchmark (a GPU, torch with CUDA,
    torch_geometric) and, for the driver, has the artifacts; else says why
    on stderr."""
    missing = requirements()
    if missing:
        print(f"{prog} {NEEDS} (PyTorch with CUDA and torch_geometric, as "
              f"on the device machine: docs/gpu.md); here: " +
              "; ".join(missing), file=sys.stderr)
        return False
    if not args.worker and not (Path(args.artifacts) /
                                "manifest.json").is_file():
        print(f"error: no {args.artifacts}/manifest.json; build the "
              f"artifacts with scripts/gpu_artifacts.sh", file=sys.stderr)
        return False
    return True


def main(argv=None) -> int:
    argv_list = sys.argv[1:] if argv is None else list(argv)
    ap = argparse.ArgumentParser(
        prog="bench/gpu_inference.py",
        description="GPU inference of RGCN/RGAT/HGT: Hector vs PyG "
                    f"({NEEDS}; see docs/gpu.md).")
    add_common_arguments(ap, CONFIGS, runs=50, warmup=5, budget=3.0)
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--traversal", default="edge", choices=("node", "edge"),
                    help="Hector's aggregation traversal: edge-parallel "
                         "(atomic adds, the GPU's default) or node-parallel "
                         "(no atomics); the default output of node is "
                         "gpu_inference_node.md")
    ap.add_argument("--lanes", default="on", choices=("on", "off"),
                    help="Hector's lanes over the feature loops of "
                         "traversals and parallel loops (on: the GPU's "
                         "default); the default output of off is "
                         "gpu_inference_nolanes.md")
    ap.add_argument("--traversal-schedule", default="",
                    metavar="THREADS,LANES",
                    help="the models compiled with this traversal schedule "
                         "(hector.gpu_artifacts.SCHEDULES); the default "
                         "output is gpu_inference_schedule_T_L.md")
    ap.add_argument("--output", default=None,
                    help="the table (and .json beside it); default "
                         "bench/results/gpu_inference[_edge].md")
    ap.add_argument("--copy-bw", type=float, default=0.0,
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv_list)
    if args.output is None:
        suffix = ("_node" if args.traversal == "node" else "") + \
            ("_nolanes" if args.lanes == "off" else "") + \
            ("_schedule_" + args.traversal_schedule.replace(",", "_")
             if args.traversal_schedule else "")
        args.output = str(HERE / "results" / f"gpu_inference{suffix}.md")
    configs, datasets = checked_cells(ap, args)
    if not can_run(ap.prog, args):
        return 2
    if args.worker:
        return worker(args)
    import torch
    started = datetime.datetime.now().isoformat(timespec="seconds")
    device = describe_device(torch)
    bw = copy_bandwidth(torch)
    print(f"GPU: {device}; copy bandwidth {bw:.0f} GB/s")
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for ds in datasets:
            t0 = time.perf_counter()
            print(f"{ds} ...", flush=True)
            options = ["--artifacts", args.artifacts, "--chip", args.chip,
                       "--traversal", args.traversal, "--lanes",
                       args.lanes, "--traversal-schedule",
                       args.traversal_schedule, "--runs",
                       str(args.runs), "--warmup", str(args.warmup),
                       "--budget", str(args.budget), "--scale",
                       str(args.scale), "--agree", str(args.agree),
                       "--copy-bw", str(bw)]
            recs = run_dataset(Path(__file__).resolve(), options, ds,
                               [list(c) for c in configs],
                               Path(tmp) / f"{ds}.jsonl")
            print_records(recs)
            records += recs
            print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    text = report(args, ["python3", "bench/gpu_inference.py"] + argv_list,
                  records, bw, started, device)
    print(text)
    if not args.no_write:
        write_results(text, args.output, {"device": device, "copy_gbps": bw,
                                          "date": started,
                                          "records": records})
    return 0


if __name__ == "__main__":
    sys.exit(main())
