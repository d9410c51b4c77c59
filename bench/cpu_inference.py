#!/usr/bin/python3
"""Benchmark: one RGCN / RGAT / HGT layer on the CPU, PyTorch vs Hector.

    /usr/bin/python3 bench/cpu_inference.py [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--heads 4] [--runs 20]
        [--warmup 3] [--threads N] [--torch-gemm matmul|onednn] [--no-write]

For every (model, heads, dataset) it measures two implementations of the
same layer at in = out = 64, on the same graph, with the same random float32
features and weights (``hector.reference.init_weights``, fixed seeds):

* ``torch``: ``bench/torch_layers.py``, plain PyTorch on the CPU
  (index_select + one GEMM per relation + index_add_, index tensors
  precomputed outside the timed region);
* ``hector``: the layer built by ``hector.models``, compiled by
  ``hector.runtime.compile_layer`` (``hector-lower-to-cpu``, OpenMP) and run
  through ``BoundFunction.run`` on inputs converted once.

Each (implementation, model, heads, dataset) runs in a fresh subprocess:
load the graph, prepare (index tensors / compile + graph preparation +
bind), then reset the peak-RSS counter (``/proc/self/clear_refs``) and
record the resident size; then one checked run, ``--warmup`` runs and
``--runs`` timed runs.  Reported: median and min wall time of the timed runs;
the layer's working memory (peak RSS during the runs minus RSS after
preparation) and the subprocess's total peak RSS; the relative error
``max|hector - torch| / max|torch|``.  Results go to stdout and to
``bench/results/cpu_inference.md`` (with the machine, date, command, torch
version, thread count and the load average before and after each run).

Datasets: ``aifb`` (R-GCN paper preprocessing: 90 relations),
``fb15k-237`` (training triples plus every edge's reverse: 474 relations),
``acm`` and ``dblp`` (HGB, with their node types).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

DIM = 64
SEED_FEATURES, SEED_WEIGHTS = 1234, 5678
DATASETS = ("aifb", "fb15k-237", "acm", "dblp")
MODELS = ("rgcn", "rgat", "hgt")
IMPLS = ("torch", "hector")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def proc_status_mib(key: str) -> float:
    """VmRSS / VmHWM of this process in MiB (0 if unavailable)."""
    try:
        text = open("/proc/self/status").read()
    except OSError:
        return 0.0
    m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) / 1024.0 if m else 0.0


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter to the current RSS (Linux >= 4.0;
    ``getrusage`` ru_maxrss and VmHWM follow it)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def ru_maxrss_mib() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def loadavg() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True,
                             check=False).stdout
        m = re.search(r"^Model name:\s+(.*)$", out, re.M)
        if m:
            return m.group(1).strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class ResultLog:
    """A benchmark's table lines, printed as they come and kept for its
    results file, with when it started and the load average then."""

    def __init__(self):
        self.started = datetime.datetime.now()
        self.load_start = loadavg()
        self.lines: list = []

    def emit(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)

    def write(self, path, title: str, script: str, argv, details,
              machine: str = "") -> None:
        """``path``: ``# title``, then date, machine (and ``machine``),
        command (``script`` and ``argv``), ``details`` lines and the load
        average, then the lines."""
        args = argv if argv is not None else sys.argv[1:]
        head = [f"# {title}", "",
                f"- date: {self.started:%Y-%m-%d %H:%M}",
                f"- machine: {cpu_model()}, {os.cpu_count()} CPUs{machine}",
                f"- command: /usr/bin/python3 bench/{script} "
                f"{' '.join(args)}".rstrip()]
        head += [f"- {d}" for d in details]
        head += [f"- load average before {self.load_start}, after "
                 f"{loadavg()}", ""]
        Path(path).write_text("\n".join(head + self.lines) + "\n")
        print(f"written to {path}")


def load_graph(name: str):
    """The benchmark's graph ``name`` as a HeteroGraph (features not read:
    the benchmark uses random ones)."""
    from hector.data import load_dataset
    from hector.graph import HeteroGraph, IndexNames
    if name == "aifb":
        return load_dataset("aifb", preprocessing="paper")
    if name in ("fb15k-237", "fb15k"):
        g = load_dataset("fb15k-237")
        try:                                # hector's helper, where it exists
            from hector.graph import add_reverse_edges
        except ImportError:
            add_reverse_edges = None
        if add_reverse_edges is not None:
            return add_reverse_edges(g)
        from torch_layers import reverse_edges
        src, dst, etype, R = reverse_edges(g.src, g.dst, g.etype,
                                           g.num_relations)
        names = list(g.etype_names) + [f"rev-{n}" for n in g.etype_names]
        return HeteroGraph(name="fb15k-237+reverse", num_nodes=g.num_nodes,
                           src=src, dst=dst, etype=etype, ntype=g.ntype,
                           ntype_names=list(g.ntype_names),
                           etype_names=names,
                           node_names=IndexNames("n", g.num_nodes))
    if name in ("acm", "dblp"):
        return load_dataset(name, features=False)
    raise SystemExit(f"unknown dataset {name!r}; expected one of {DATASETS}")


# ---------------------------------------------------------------------------
# Worker: one (implementation, model, heads, dataset) in a fresh process
# ---------------------------------------------------------------------------

def worker(args) -> int:
    warnings.filterwarnings("ignore", message="scatter_reduce")
    import torch
    import torch_layers as tl
    from hector import reference as ref
    threads = tl.set_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    res = {"impl": args.impl, "model": args.model, "heads": args.heads,
           "dataset": args.dataset, "threads": threads}
    t0 = time.perf_counter()
    g = load_graph(args.dataset)
    res.update(nodes=g.num_nodes, edges=g.num_edges,
               relations=g.num_relations, node_types=g.num_ntypes)
    h = np.random.default_rng(SEED_FEATURES).standard_normal(
        (g.num_nodes, DIM)).astype(np.float32)
    w = ref.init_weights(args.model, (g.num_ntypes, g.num_relations), DIM,
                         DIM, heads=args.heads, rng=SEED_WEIGHTS)
    res["load_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if args.impl == "torch":
        layer = tl.build(args.model, g, w, heads=args.heads,
                         gemm=args.torch_gemm)
        x = torch.from_numpy(h)
        run = lambda: layer(x)                       # noqa: E731
        to_numpy = lambda y: y.numpy()               # noqa: E731
        res["variant"] = f"gemm={args.torch_gemm}, compact=True"
    else:
        from hector import models, runtime
        from hector.prep import prepare
        fn = runtime.compile_layer(args.model, g, DIM, DIM, args.heads)
        cr = fn.compile_result
        res["compile_s"] = sum(cr.step_seconds.values())
        res["compile_cached"] = bool(cr.cached)
        bound = fn.bind(prepare(g))
        inputs = bound.prepare_inputs(models.reference_inputs(
            args.model, h, w, DIM, DIM, args.heads))
        run = lambda: bound.run(inputs, poison=False)  # noqa: E731
        to_numpy = lambda y: y                       # noqa: E731
        res["variant"] = "hector-lower-to-cpu"
    res["prepare_s"] = time.perf_counter() - t0
    del w
    gc.collect()
    res["peak_load_mib"] = proc_status_mib("VmHWM")
    res["peak_reset"] = reset_peak_rss()
    res["rss_ready_mib"] = proc_status_mib("VmRSS")

    if args.impl == "hector":
        out = bound.run(inputs, poison=True)         # checked run
    else:
        out = to_numpy(run())
    out = np.array(out, copy=True)
    for _ in range(args.warmup):
        run()
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    res["peak_run_mib"] = proc_status_mib("VmHWM")
    res["ru_maxrss_mib"] = ru_maxrss_mib()
    res["times_s"] = times
    res["median_ms"] = float(np.median(times)) * 1e3
    res["min_ms"] = float(np.min(times)) * 1e3
    res["work_mib"] = res["peak_run_mib"] - res["rss_ready_mib"]
    res["total_peak_mib"] = max(res["peak_run_mib"], res["peak_load_mib"])
    res["finite"] = bool(np.isfinite(out).all())
    np.save(args.out, out)
    print("RESULT " + json.dumps(res), flush=True)
    return 0


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def run_one(args, impl, model, heads, dataset, tmp: Path):
    out = tmp / f"{impl}-{model}-{heads}-{dataset}.npy"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker",
           "--impl", impl, "--model", model, "--heads", str(heads),
           "--dataset", dataset, "--runs", str(args.runs),
           "--warmup", str(args.warmup), "--torch-gemm", args.torch_gemm,
           "--out", str(out)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    for attempt in range(3):
        load_before = loadavg()
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        for line in p.stdout.splitlines():
            if line.startswith("RESULT "):
                res = json.loads(line[7:])
                res.update(load_before=load_before, load_after=loadavg(),
                           wall_s=wall, output=str(out), attempts=attempt + 1)
                return res
        # A compile step that failed because build/ is being rebuilt (a
        # missing or half-written tool) is worth another try.
        if impl != "hector" or "CompileError" not in p.stderr:
            break
        time.sleep(20)
    err = (p.stderr.strip().splitlines() or ["no output"])
    # The last line of a traceback says what went wrong.
    reason = err[-1][:300]
    return {"impl": impl, "model": model, "heads": heads, "dataset": dataset,
            "error": reason, "stderr": p.stderr[-4000:],
            "load_before": load_before, "load_after": loadavg()}


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def fmt_time(r) -> str:
    if "error" in r:
        return "n/a"
    return f"{r['median_ms']:.1f} ({r['min_ms']:.1f})"


def fmt_mem(r) -> str:
    if "error" in r:
        return "n/a"
    return f"{r['work_mib']:.0f} / {r['total_peak_mib']:.0f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--heads", default="4",
                    help="comma-separated head counts for rgat/hgt "
                         "(rgcn has none); e.g. 1,4")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0,
                    help="intra-op threads (default: all cores)")
    ap.add_argument("--torch-gemm", default="matmul",
                    choices=("matmul", "onednn"))
    ap.add_argument("--impls", default=",".join(IMPLS))
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--output", default=str(HERE / "results" /
                                            "cpu_inference.md"))
    # worker mode
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--impl", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--dataset", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        args.heads = int(args.heads)
        return worker(args)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    models = [m for m in args.models.split(",") if m]
    datasets = [d for d in args.datasets.split(",") if d]
    impls = [i for i in args.impls.split(",") if i]
    heads_list = [int(x) for x in args.heads.split(",") if x]
    for m in models:
        if m not in MODELS:
            ap.error(f"unknown model {m!r}")
    for d in datasets:
        if d not in DATASETS:
            ap.error(f"unknown dataset {d!r}")
    configs = []
    for m in models:
        for hd in ([1] if m == "rgcn" else heads_list):
            for d in datasets:
                configs.append((m, hd, d))

    started = datetime.datetime.now().isoformat(timespec="seconds")
    load_start = loadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="hector-bench-") as tmp:
        tmp = Path(tmp)
        for m, hd, d in configs:
            res = {i: run_one(args, i, m, hd, d, tmp) for i in impls}
            err = None
            if all("error" not in r for r in res.values()) and len(res) == 2:
                err = rel_err(np.load(res["hector"]["output"]),
                              np.load(res["torch"]["output"]))
            rows.append((m, hd, d, res, err))
            print(line_of(m, hd, d, res, err), flush=True)
    load_end = loadavg()
    text = report(args, argv, rows, started, load_start, load_end, impls)
    print()
    print(text)
    if not args.no_write:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        raw = out.with_suffix(".json")
        raw.write_text(json.dumps([
            {"model": m, "heads": hd, "dataset": d, "rel_err": e,
             "results": {k: {kk: vv for kk, vv in v.items()
                             if kk not in ("output", "stderr")}
                         for k, v in res.items()}}
            for m, hd, d, res, e in rows], indent=1))
        print(f"wrote {out} and {raw}")
    ok = all(len(res) == 2 and "error" not in res["torch"]
             and "error" not in res["hector"]
             and res["hector"]["median_ms"] <= res["torch"]["median_ms"]
             for _, _, _, res, _ in rows)
    return 0 if ok else 1


def speedup(res) -> str:
    t, h = res.get("torch", {}), res.get("hector", {})
    if "median_ms" in t and "median_ms" in h:
        return f"{t['median_ms'] / h['median_ms']:.2f}x"
    return "n/a"


def line_of(m, hd, d, res, err) -> str:
    parts = [f"{m:5s} h={hd} {d:10s}"]
    for i, r in res.items():
        if "error" in r:
            parts.append(f"{i}: not available ({r['error']})")
        else:
            parts.append(f"{i}: {fmt_time(r)} ms, {fmt_mem(r)} MiB")
    parts.append(f"speedup {speedup(res)}")
    if err is not None:
        parts.append(f"rel err {err:.1e}")
    return " | ".join(parts)


def report(args, argv, rows, started, load_start, load_end, impls) -> str:
    import torch
    cmd = "/usr/bin/python3 bench/cpu_inference.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    threads = args.threads or os.cpu_count()
    blas_lib = "?"
    try:
        libs = {l.split()[-1] for l in open("/proc/self/maps")
                if "blas" in l.split()[-1]}
        blas_lib = ", ".join(sorted(libs)) or "none"
    except OSError:
        pass
    if "/blas/libblas" in blas_lib:
        blas_lib += (" (netlib reference BLAS, single-threaded: every "
                     "torch.matmul/mm/addmm of the baseline runs on it)")
    head = subprocess.run(["git", "-C", str(ROOT), "log", "-1",
                           "--format=%h %s"], capture_output=True,
                          text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--short",
                            "--untracked-files=no"], capture_output=True,
                           text=True).stdout.strip()
    try:
        from hector.compiler import hector_opt_path
        hopt = hector_opt_path()
        hopt_time = datetime.datetime.fromtimestamp(
            hopt.stat().st_mtime).isoformat(timespec="seconds")
        hopt_desc = f"{hopt} (built {hopt_time})"
    except Exception as e:  # noqa: BLE001
        hopt_desc = f"unavailable ({e})"
    lines = [
        "# CPU inference: PyTorch vs Hector, one layer, in = out = 64",
        "",
        f"- date: {started}",
        f"- command: `{cmd.strip()}`",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()} ({platform.node()})",
        f"- load average (1/5/15 min): {load_start} at start, {load_end} at "
        f"end (the machine is shared; see the per-row load below)",
        f"- torch {torch.__version__} (BLAS_INFO="
        f"{blas.group(1) if blas else '?'}), numpy {np.__version__}, "
        f"python {platform.python_version()}",
        f"- BLAS library in the torch process: {blas_lib}",
        f"- repository: {head}" + (" (with uncommitted changes)" if dirty
                                   else ""),
        f"- hector-opt: {hopt_desc}",
        f"- threads: {threads} (torch.set_num_threads and OMP_NUM_THREADS)",
        f"- timing: {args.warmup} warm-up runs, then median (min) of "
        f"{args.runs} runs, wall clock, one layer forward",
        f"- torch baseline: bench/torch_layers.py, gemm={args.torch_gemm}, "
        "per-relation GEMMs on distinct (node, relation) pairs",
        "- memory: 'work / total' MiB: peak RSS during the runs minus RSS "
        "after loading and preparing (index tensors, weights, compiled "
        "model, prepared graph) / the subprocess's total peak RSS; each "
        "cell is a fresh subprocess",
        "- rel err: max |hector - torch| / max |torch| on the checked run",
        "",
        "| model | heads | dataset | nodes | edges | rel. | "
        + " | ".join(f"{i} ms median (min)" for i in impls)
        + " | speedup | "
        + " | ".join(f"{i} MiB work / total" for i in impls)
        + " | rel err | load before→after |",
        "|---|---|---|---|---|---|" + "---|" * len(impls) + "---|"
        + "---|" * len(impls) + "---|---|",
    ]
    notes = []
    for m, hd, d, res, err in rows:
        any_ok = next((r for r in res.values() if "error" not in r), {})
        cells = [m, str(hd), d, str(any_ok.get("nodes", "")),
                 str(any_ok.get("edges", "")),
                 str(any_ok.get("relations", ""))]
        for i in impls:
            r = res[i]
            if "error" in r:
                cells.append("not available")
                notes.append(f"{m}/{hd}/{d} {i}: {r['error']}")
            else:
                cells.append(fmt_time(r))
        cells.append(speedup(res))
        cells += [fmt_mem(res[i]) for i in impls]
        cells.append("" if err is None else f"{err:.1e}")
        loads = "; ".join(f"{i}: {res[i]['load_before'].split()[0]}→"
                          f"{res[i]['load_after'].split()[0]}" for i in impls)
        cells.append(loads)
        lines.append("| " + " | ".join(cells) + " |")
    comp = [res["hector"] for *_, res, _ in rows
            if "hector" in res and "error" not in res["hector"]]
    if comp:
        lines += ["", "Hector compile time (hector-opt → link, seconds, "
                  "from the cache entry): " + ", ".join(
                      f"{r['model']}/{r['heads']}/{r['dataset']} "
                      f"{r['compile_s']:.2f}" for r in comp)]
    sp = [(f"{m}/{hd}/{d}", res["torch"]["median_ms"]
           / res["hector"]["median_ms"])
          for m, hd, d, res, _ in rows
          if all(i in res and "error" not in res[i]
                 for i in ("torch", "hector"))]
    if sp:
        slower = [f"{k} ({v:.2f}x)" for k, v in sp if v < 1.0]
        below2 = [f"{k} ({v:.2f}x)" for k, v in sp if 1.0 <= v < 2.0]
        lines += ["", f"Goal (hector median <= torch median on every pair; "
                  f"target 2x): {len(sp) - len(slower)} of {len(sp)} pairs "
                  f"at least as fast, {sum(v >= 2 for _, v in sp)} at 2x "
                  f"or more."]
        if slower:
            lines.append("Hector slower: " + ", ".join(slower) + ".")
        if below2:
            lines.append("Between 1x and 2x: " + ", ".join(below2) + ".")
    if notes:
        lines += ["", "Not available:"] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
