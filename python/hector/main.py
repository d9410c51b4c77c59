"""The main job: compile a model for a dataset's schema, run it, check it.

::

    PYTHONPATH=python /usr/bin/python3 -m hector.main [--model rgcn|rgat|hgt]
        [--dataset aifb|fb15k-237|acm|dblp|<path>] [--target cpu|cuda]
        [--heads H] [--in-dim 64] [--out-dim 64] [--runs 20] [--seed S]
        [--chip sm_90] [--no-compact] [--artifacts DIR]

Steps: load and prepare the dataset (AIFB with the R-GCN paper's
preprocessing; FB15k-237 with reverse edges, 474 relations); build the
model's rgnn IR with :mod:`hector.models` for the dataset's schema and
compile it (:mod:`hector.compiler`, cached); draw random node features
(``N x in_dim``, standard normal: the datasets' own features have a
different size per node type) and weights (:func:`hector.reference.
init_weights`), both rounded to f32; run once with the result poisoned;
compare with the float64 reference (``|out - ref| / |ref|`` must be below
``--tolerance``, default 1e-5); then time ``--runs`` forward passes after a
warm-up.  Exit status 1 on a failed check, 2 on bad usage or input.

``--target cuda`` compiles with ``--hector-lower-to-ptx{chip=... compact=...}``
(or, with ``--artifacts DIR`` / ``$HECTOR_ARTIFACTS``, loads the model
precompiled by scripts/gpu_artifacts.sh, on a machine without MLIR), runs
it through the CUDA driver shim (the result poisoned on the device, the
check as for the CPU), then times ``--runs`` calls on device buffers with
CUDA events (no host-device copies in the timed region).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

DATASETS = ("aifb", "fb15k-237", "acm", "dblp")
MODELS = ("rgcn", "rgat", "hgt")


def load_graph(name: str):
    """The dataset as the main job runs it (see the module docstring)."""
    from .data import load_dataset
    from .graph import add_reverse_edges
    key = name.lower()
    if key == "aifb":
        return load_dataset("aifb", preprocessing="paper")
    if key in ("fb15k-237", "fb15k237"):
        return add_reverse_edges(load_dataset(key))
    return load_dataset(name, features=False)


def _f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m hector.main",
        description="Compile an RGNN layer for a dataset, run it and check "
                    "it against the float64 reference.")
    ap.add_argument("--model", default="rgcn", choices=MODELS)
    ap.add_argument("--dataset", default="aifb",
                    help=f"{', '.join(DATASETS)} or a path (default aifb)")
    ap.add_argument("--target", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--chip", default="sm_90",
                    help="CUDA chip of --target cuda (default sm_90)")
    ap.add_argument("--no-compact", action="store_true",
                    help="--target cuda: compile without compact "
                         "materialization")
    ap.add_argument("--artifacts", default=None,
                    help="--target cuda: load precompiled models from DIR "
                         "(scripts/gpu_artifacts.sh; default "
                         "$HECTOR_ARTIFACTS) instead of compiling")
    ap.add_argument("--heads", type=int, default=4,
                    help="attention heads of rgat/hgt (default 4)")
    ap.add_argument("--in-dim", type=int, default=64)
    ap.add_argument("--out-dim", type=int, default=64)
    ap.add_argument("--runs", type=int, default=20,
                    help="timed forward passes (default 20)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tolerance", type=float, default=1e-5)
    ap.add_argument("--no-cache", action="store_true",
                    help="compile into a fresh temporary cache")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.in_dim < 1 or args.out_dim < 1 or args.heads < 1:
        ap.error("--runs, --in-dim, --out-dim and --heads must be positive")
    if args.model != "rgcn" and args.out_dim % args.heads:
        ap.error(f"--heads ({args.heads}) must divide --out-dim "
                 f"({args.out_dim})")

    from . import reference, runtime
    from .compiler import CompileError
    from .errors import DataFormatError, RuntimeLibraryError
    from .prep import prepare

    heads = args.heads if args.model != "rgcn" else None
    title = f"{args.model}" + (f" ({heads} heads)" if heads else "")
    try:
        t0 = time.perf_counter()
        g = load_graph(args.dataset)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = prepare(g)
        t_prep = time.perf_counter() - t0
    except (DataFormatError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"hector: {title} on {args.dataset}: {g.num_nodes} nodes, "
          f"{g.num_edges} edges, {g.num_relations} relations, "
          f"{g.num_ntypes} node types")
    print(f"  load {t_load:.2f} s, prepare {t_prep:.3f} s")

    cache = None
    if args.no_cache:
        import tempfile
        cache = tempfile.mkdtemp(prefix="hector-cache-")
    from .gpu_artifacts import ArtifactMissing, load_function
    if args.target == "cuda":
        ok, why = runtime.cuda_available()
        if not ok:
            print(f"error: no usable GPU: {why}", file=sys.stderr)
            return 2
    try:
        if args.target == "cuda":
            fn = load_function(args.model, g, args.in_dim, args.out_dim,
                               heads=args.heads, chip=args.chip,
                               compact=not args.no_compact,
                               artifacts=args.artifacts, cache_dir=cache)
        else:
            fn = runtime.compile_layer(args.model, g, args.in_dim,
                                       args.out_dim, heads=args.heads,
                                       target=args.target, cache_dir=cache)
    except (CompileError, RuntimeLibraryError, runtime.ModelError,
            ArtifactMissing) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if cache is not None:
            # The library stays mapped once loaded.
            import shutil
            shutil.rmtree(cache, ignore_errors=True)
    cr = fn.compile_result
    if cr is None:
        print(f"  model: {fn.model.path} (precompiled: "
              f"{fn.artifact['options']})")
    else:
        steps = ", ".join(f"{k} {v:.2f}" for k, v in cr.step_seconds.items())
        total = sum(cr.step_seconds.values())
        print(f"  compile {total:.2f} s ({steps})"
              + (" [cached]" if cr.cached else ""))
        print(f"  model: {cr.path}" + (" (temporary)" if cache else ""))
    if args.target == "cuda":
        info = runtime.cuda_device_info(0)
        print(f"  device: {info['name']} ({info['chip']}, "
              f"{info['multiprocessors']} SMs); model chip {fn.chip}")

    rng = np.random.default_rng(args.seed)
    ref_graph = reference.RefGraph.of(g)
    # Inputs rounded to f32 once, so the check measures the compiled
    # computation, not the rounding of its inputs.
    h = _f32(rng.standard_normal((g.num_nodes, args.in_dim)))
    weights = {k: _f32(v) for k, v in reference.init_weights(
        args.model, ref_graph, args.in_dim, args.out_dim, heads=args.heads,
        rng=rng).items()}
    names = [a.name for a in fn.inputs]
    inputs = [h] + [weights[n] for n in names[1:]]
    print(f"  inputs: random N(0,1) features {g.num_nodes}x{args.in_dim} "
          f"(the dataset's own features differ in size per node type) and "
          f"random weights, seed {args.seed}")

    try:
        bound = fn.bind(p)
        arrays = bound.prepare_inputs(inputs)
        t0 = time.perf_counter()
        out = bound.run(arrays, poison=True)
        t_first = time.perf_counter() - t0
    except runtime.ModelError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if fn.variants:
        est = {n: fn.model.function(n).estimate(p) * 1e3
               for n in [fn.name] + fn.variants}
        print(f"  variant (rgnn-reassociate, cost model): {bound.variant} "
              f"of " + ", ".join(f"{n} ~{t:.2f} ms" for n, t in est.items()))
    ref = reference.MODELS[args.model](ref_graph, h, weights)
    if out.shape != ref.shape:
        print(f"error: result shape {out.shape}, reference {ref.shape}",
              file=sys.stderr)
        return 1
    denom = np.linalg.norm(ref)
    err = np.linalg.norm(out.astype(np.float64) - ref) / (denom or 1.0)
    finite = bool(np.isfinite(out).all())
    ok = finite and err < args.tolerance
    print(f"  every element written (poison check): yes")
    print(f"  |out - ref| / |ref| = {err:.3e} "
          f"({'OK' if ok else 'FAIL'}: tolerance {args.tolerance:g}"
          f"{'' if finite else ', non-finite values'})")

    if args.target == "cuda":
        try:
            dev = bound.upload_inputs(arrays)
            res = runtime.DeviceBuffer.empty(bound.result_shape, out.dtype)
            times = runtime.cuda_time(
                lambda: bound.run(dev, poison=False, out=res),
                runs=args.runs, warmup=args.warmup)
        except (runtime.ModelError, runtime.CudaError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        print(f"  forward (CUDA events, device buffers): median "
              f"{np.median(times):.3f} ms, min {times.min():.3f} ms over "
              f"{args.runs} runs (first call, with copies, "
              f"{t_first * 1e3:.1f} ms)")
        return 0 if ok else 1
    for _ in range(args.warmup):
        bound.run(arrays, poison=False, out=out)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        bound.run(arrays, poison=False, out=out)
        times.append(time.perf_counter() - t0)
    threads = os.environ.get("OMP_NUM_THREADS") or f"{os.cpu_count()} (all)"
    print(f"  forward: median {np.median(times) * 1e3:.2f} ms, min "
          f"{min(times) * 1e3:.2f} ms over {args.runs} runs (first call "
          f"{t_first * 1e3:.1f} ms; threads {threads})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
