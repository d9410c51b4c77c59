#!/usr/bin/env python3
"""Benchmark: every kernel of Hector's GPU layers, its time and its DRAM
bandwidth against the device's copy bandwidth (Nsight Compute).

    python3 bench/gpu_kernels.py --artifacts gpu-artifacts
        [--datasets aifb,fb15k-237,acm,dblp] [--configs rgcn,rgat-4h,hgt-4h]
        [--traversal edge] [--chip sm_90] [--output FILE] [--no-write]

Needs a CUDA GPU, PyTorch with CUDA and Nsight Compute's ``ncu`` (the
device machine; docs/gpu.md); without them it says so and exits with
status 2.

For every (dataset, config) a worker process runs under ``ncu
--profile-from-start off``: it loads the precompiled layer (64 -> 64, the
random inputs of bench/gpu_inference.py), runs one forward to warm up, then
one forward between ``cudaProfilerStart`` and ``cudaProfilerStop``, so
``ncu`` records exactly the kernels of that forward, in launch order:
duration (``gpu__time_duration.sum``), DRAM bytes read and written
(``dram__bytes.sum``), grid, block and registers. Each kernel's achieved
bandwidth is its DRAM bytes over its duration, reported against the
device-to-device copy bandwidth measured once by the driver (outside
``ncu``; bench/gpu_inference.py's ``copy_bandwidth``). ``ncu`` serializes
kernels and flushes caches between them, so the sum of the durations
exceeds the layer's time in bench/gpu_inference.py: use these figures to
find which kernel to work on, not as the layer's time.

Written to ``bench/results/gpu_kernels[_node].md`` (and ``.json``).
"""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gpu_inference as gi  # noqa: E402  (sets up the hector import path)

CONFIGS = ("rgcn", "rgat-4h", "hgt-4h")
DATASETS = ("aifb", "fb15k-237", "acm", "dblp")
METRICS = ("gpu__time_duration.sum", "dram__bytes.sum", "launch__grid_size",
           "launch__block_size", "launch__registers_per_thread")
NEEDS = "needs a GPU, torch with CUDA and Nsight Compute (ncu)"

# ---------------------------------------------------------------------------
# ncu's text report
# ---------------------------------------------------------------------------

_HEADER = re.compile(r"^\s+(\S+) \((\d+), (\d+), (\d+)\)x\((\d+), (\d+), "
                     r"(\d+)\), Context \d+, Stream (\d+)")
_METRIC = re.compile(r"^\s+([a-z_]+__[a-z_.]+)\s+(\S*?)\s*([0-9][0-9,.]*)$")
_SCALE = {"": 1.0, "byte": 1.0, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9,
          "Tbyte": 1e12, "nsecond": 1e-9, "ns": 1e-9, "usecond": 1e-6,
          "us": 1e-6, "msecond": 1e-3, "ms": 1e-3, "second": 1.0, "s": 1.0,
          "register/thread": 1.0}


def parse_ncu(text: str):
    """The kernels of an ``ncu --metrics ...`` text report, in order: dicts
    with ``name``, ``grid`` and ``block`` (3-tuples), ``stream`` and the
    metrics in base units (bytes, seconds, counts). A unit it does not know
    is an error, not a silent misreading."""
    kernels = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            g = tuple(int(v) for v in m.group(2, 3, 4))
            b = tuple(int(v) for v in m.group(5, 6, 7))
            kernels.append(dict(name=m.group(1), grid=g, block=b,
                                stream=int(m.group(8)), metrics={}))
            continue
        m = _METRIC.match(line)
        if m and kernels:
            name, unit, value = m.groups()
            if unit not in _SCALE:
                raise ValueError(f"ncu metric {name}: unknown unit {unit!r}")
            kernels[-1]["metrics"][name] = (float(value.replace(",", ""))
                                            * _SCALE[unit])
    return kernels


def kernel_rows(kernels, copy_gbps: float):
    """Per kernel: time (us), DRAM MB, GB/s, % of the copy bandwidth and %
    of the kernels' summed time."""
    total = sum(k["metrics"].get("gpu__time_duration.sum", 0.0)
                for k in kernels)
    rows = []
    for i, k in enumerate(kernels):
        t = k["metrics"].get("gpu__time_duration.sum")
        nbytes = k["metrics"].get("dram__bytes.sum")
        gbps = nbytes / t / 1e9 if t and nbytes is not None else None
        rows.append(dict(
            index=i, name=k["name"], grid=k["grid"], block=k["block"],
            registers=k["metrics"].get("launch__registers_per_thread"),
            time_us=t * 1e6 if t is not None else None,
            dram_mb=nbytes / 1e6 if nbytes is not None else None,
            gbps=gbps,
            pct_copy=100 * gbps / copy_gbps if gbps and copy_gbps else None,
            pct_time=100 * t / total if t and total else None))
    return rows


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def cell_table(title: str, rows) -> list:
    """A markdown section for one (dataset, config)."""
    total = sum(r["time_us"] or 0 for r in rows)
    out = [f"### {title}: {len(rows)} kernels, {total / 1e3:.3f} ms summed",
           "", "| # | kernel | grid | block | regs | time us | % time | "
           "DRAM MB | GB/s | % copy |", "|---|---|---|---|---|---|---|---|"
           "---|---|"]
    for r in rows:
        out.append(
            f"| {r['index']} | {r['name']} | {'x'.join(map(str, r['grid']))}"
            f" | {'x'.join(map(str, r['block']))} | "
            f"{_fmt(r['registers'], '.0f')} | {_fmt(r['time_us'], '.1f')} | "
            f"{_fmt(r['pct_time'], '.0f')} | {_fmt(r['dram_mb'], '.2f')} | "
            f"{_fmt(r['gbps'], '.0f')} | {_fmt(r['pct_copy'], '.1f')} |")
    return out + [""]


# ---------------------------------------------------------------------------
# The worker: one cell, its second forward between profiler start and stop
# ---------------------------------------------------------------------------

def worker(args) -> int:
    import numpy as np
    import torch
    from hector import gpu_artifacts as ga
    from hector import reference, runtime
    from hector.prep import prepare
    model, heads = gi.parse_config(args.configs)
    g = ga.load_graph(args.datasets)
    schema = runtime.schema_of(g)
    T, R, _ = schema
    rng = np.random.default_rng(gi.SEED_WEIGHTS)
    w = {k: np.asarray(v, np.float32) for k, v in reference.init_weights(
        model, (T, R), gi.DIM, gi.DIM, heads=heads, rng=rng).items()}
    h = np.random.default_rng(gi.SEED_FEATURES).standard_normal(
        (g.num_nodes, gi.DIM)).astype(np.float32)
    fn = ga.load_function(model, schema, gi.DIM, gi.DIM, heads, args.chip,
                          True, artifacts=args.artifacts,
                          traversal=args.traversal)
    bound = fn.bind(prepare(g))
    dev = bound.upload_inputs([h] + [w[a.name] for a in fn.inputs[1:]])
    res = runtime.DeviceBuffer.empty(bound.result_shape, np.float32)
    bound.run(dev, out=res, poison=False)
    torch.cuda.synchronize()
    torch.cuda.profiler.start()
    bound.run(dev, out=res, poison=False)
    torch.cuda.synchronize()
    torch.cuda.profiler.stop()
    return 0


# ---------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------

def requirements(ncu):
    why = gi.requirements() or []
    why = [w for w in why if "torch_geometric" not in w]
    if not ncu:
        why.append("no ncu (Nsight Compute) on PATH or in /usr/local/cuda/bin")
    return why or None


def find_ncu():
    """ncu on PATH, else the CUDA toolkit's, else None."""
    default = Path("/usr/local/cuda/bin/ncu")
    return shutil.which("ncu") or (str(default) if default.is_file()
                                   else None)


def profile_cell(ncu, args, dataset, config):
    """The parsed kernels of one cell, or an error string."""
    cmd = [ncu, "--profile-from-start", "off", "--metrics", ",".join(METRICS),
           sys.executable, str(Path(__file__).resolve()), "--worker",
           "--artifacts", args.artifacts, "--datasets", dataset,
           "--configs", config, "--chip", args.chip, "--traversal",
           args.traversal]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    kernels = parse_ncu(p.stdout)
    if p.returncode != 0 or not kernels:
        return f"exit {p.returncode}: " + p.stdout[-800:].replace("\n", " ")
    return kernels


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="bench/gpu_kernels.py",
        description="Per-kernel time and DRAM bandwidth of Hector's GPU "
                    f"layers ({NEEDS}; see docs/gpu.md).")
    ap.add_argument("--artifacts",
                    default=os.environ.get("HECTOR_ARTIFACTS",
                                           str(gi.ROOT / "gpu-artifacts")),
                    help="precompiled models (scripts/gpu_artifacts.sh)")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--chip", default="sm_90")
    ap.add_argument("--traversal", default="edge", choices=("node", "edge"))
    ap.add_argument("--output", default=None,
                    help="default bench/results/gpu_kernels[_node].md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    configs = [c for c in args.configs.split(",") if c]
    datasets = [d for d in args.datasets.split(",") if d]
    for c in configs:
        try:
            gi.parse_config(c)
        except argparse.ArgumentTypeError as e:
            ap.error(f"--configs: {e}")
    for d in datasets:
        if d not in gi.DATASETS:
            ap.error(f"unknown dataset {d!r} (known: "
                     f"{', '.join(gi.DATASETS)})")
    if args.worker:
        return worker(args)
    ncu = find_ncu()
    missing = requirements(ncu)
    if missing:
        print(f"{ap.prog} {NEEDS} (the device machine: docs/gpu.md); here: "
              + "; ".join(missing), file=sys.stderr)
        return 2
    if not (Path(args.artifacts) / "manifest.json").is_file():
        print(f"error: no {args.artifacts}/manifest.json; build the "
              f"artifacts with scripts/gpu_artifacts.sh", file=sys.stderr)
        return 2
    import torch
    started = datetime.datetime.now().isoformat(timespec="seconds")
    bw = gi.copy_bandwidth(torch)
    try:
        device = gi.describe_device(torch)
    except ImportError:     # no torch_geometric, which this does not need
        device = torch.cuda.get_device_name(0)
    print(f"GPU: {device}; copy bandwidth {bw:.0f} GB/s; ncu {ncu}")
    lines, payload = [], []
    for d in datasets:
        for c in configs:
            title = f"{d} {c} ({args.traversal}-parallel)"
            print(f"{title} ...", flush=True)
            got = profile_cell(ncu, args, d, c)
            if isinstance(got, str):
                print(f"  error: {got}")
                lines += [f"### {title}: error", "", got, ""]
                payload.append(dict(dataset=d, config=c, error=got))
                continue
            rows = kernel_rows(got, bw)
            top = max(rows, key=lambda r: r["time_us"] or 0)
            print(f"  {len(rows)} kernels; slowest #{top['index']} "
                  f"{_fmt(top['time_us'], '.1f')} us at "
                  f"{_fmt(top['gbps'], '.0f')} GB/s")
            lines += cell_table(title, rows)
            payload.append(dict(dataset=d, config=c, kernels=rows))
    cmd = "python3 bench/gpu_kernels.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    text = "\n".join([
        "# Hector's GPU kernels: time and DRAM bandwidth (Nsight Compute)", "",
        f"- date: {started}", f"- command: `{cmd.strip()}`",
        f"- GPU: {device}",
        f"- device-to-device copy bandwidth: {bw:.0f} GB/s (1 GiB, read + "
        "written bytes)",
        "- per kernel of one forward at 64 -> 64: ncu's duration and DRAM "
        "bytes (read + written); GB/s = bytes / duration; ncu serializes "
        "kernels and flushes caches, so summed times exceed the layer's "
        "(bench/gpu_inference.py)", ""] + lines)
    if args.no_write:
        print(text)
        return 0
    output = args.output or str(
        HERE / "results" /
        f"gpu_kernels{'_node' if args.traversal == 'node' else ''}.md")
    gi.write_results(text, output, dict(device=device, copy_gbps=bw,
                                        date=started, cells=payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
