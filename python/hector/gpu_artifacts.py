"""Precompiled CUDA models ("GPU artifacts") for machines without MLIR.

A GPU machine may have CUDA, CMake and Python but no MLIR, so the models
are compiled here (``scripts/gpu_artifacts.sh`` ->
``python3 -m hector.gpu_artifacts build``) into a directory::

    gpu-artifacts/
      manifest.json        what is there (format below)
      models/<key>.so.xz   one CUDA model per (IR, pipeline options), xz
                           compressed (the PTX text shrinks about 20x: the
                           device tool carries at most 64 MiB)
      unpacked/            the libraries, decompressed on first load
      data/                a copy of the datasets the tests and benchmark read

and loaded there (:func:`load_function`, ``$HECTOR_ARTIFACTS``) instead of
compiled.  A model is keyed by :func:`artifact_key`: a hash of its rgnn IR
(built by :func:`hector.models.build`, pure Python, so the loader rebuilds
the text and finds the exact library) and of the canonical pipeline options
``chip=sm_XX compact=true|false`` (plus `` traversal=node`` for the
node-parallel models, edge-parallel being the GPU pipeline's default, and
`` lanes=off`` for the models without lanes over feature loops).
``manifest.json``::

    {"format": 2, "created": "...", "git_commit": "...", "host_cpu": "x86-64",
     "rpath": "$ORIGIN/../../build-rt/lib:...", "data": "data",
     "entries": [{"key": ..., "file": "models/<key>.so.xz", "model": "rgat",
                  "heads": 4, "in_dim": 64, "out_dim": 64, "schema": "aifb",
                  "num_node_types": 1, "num_relations": 90, "chip": "sm_90",
                  "compact": true, "traversal": "edge", "lanes": true,
                  "options": "chip=sm_90 compact=true",
                  "bytes": 58288, "library_bytes": 512000,
                  "sha256": "..."}, ...]}

``bytes`` and ``sha256`` are the compressed file's; a library is unpacked
to ``unpacked/<key>-<sha256 prefix>.so``, so a rebuilt artifact never
loads a stale library.

The libraries find ``libHectorCUDA.so.0`` through the run path
``$ORIGIN/../../build-rt/lib`` (from ``unpacked/``, the MLIR-free build next
to the artifacts directory at the repository root) and ``$ORIGIN/../../build/lib``; their
host code is compiled for a generic x86-64 CPU (``HECTOR_HOST_CPU``).
:data:`SPECS` lists every model the GPU tests and the GPU benchmark need.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .testing import edge_case_arrays

FORMAT = 2
MANIFEST = "manifest.json"
UNPACKED = "unpacked"
CHIPS = ("sm_90", "sm_80")
NUM_BASES = 30
RPATH = "$ORIGIN/../../build-rt/lib:$ORIGIN/../../build/lib"
HOST_CPU = "x86-64"

REAL = ("aifb", "fb15k-237", "acm", "dblp")
LARGE = ("ogbn-mag", "ogbl-wikikg2")          # synthetic, published scale
#: (model, heads) of the tests and the benchmark (heads unused by rgcn).
CONFIGS = (("rgcn", 4), ("rgat", 1), ("rgat", 4), ("hgt", 1), ("hgt", 4))
#: (synthetic graph, model, heads), at 32 -> 32: empty relations, nodes
#: without incoming edges, many relations, no edges at all.
EDGE_CASES = (("holes", "rgcn", 4), ("holes", "rgat", 4), ("holes", "hgt", 2),
              ("typed", "rgcn", 4), ("typed", "rgat", 2), ("typed", "hgt", 4),
              ("many", "rgcn", 4), ("many", "rgat", 1), ("many", "hgt", 4),
              ("edgeless", "rgcn", 4), ("edgeless", "rgat", 4),
              ("edgeless", "hgt", 4))
#: (model, heads) trained on the GPU: the layers of hector.nn at 64 -> 64
#: (:func:`hector.nn.benchmark_layer`'s; "rgcn-max" is aggr="max").
TRAINING = (("rgcn", 4), ("rgat", 4), ("hgt", 4), ("rgcn-max", 4))
#: The traversal schedules (THREADS,LANES) bench_schedule times: a warp
#: per row or edge, and 8 lanes with 2 rows' worth of features each.
SCHEDULES = ("256,32", "128,8")
#: The feature sizes (in = out) the cost model is judged at (issue 6).
COST_SIZES = (16, 64, 256)
#: Datasets whose models are also compiled for sm_80.
SM80_DATASETS = ("aifb", "dblp")


class ArtifactMissing(KeyError):
    """No precompiled model for a (model, schema, options)."""

    def __str__(self):
        return self.args[0] if self.args else "artifact missing"


@dataclass(frozen=True)
class Spec:
    model: str
    heads: int
    in_dim: int
    out_dim: int
    schema: str
    chip: str = "sm_90"
    compact: bool = True
    traversal: str = "edge"
    #: Lanes over the feature loops of traversals and parallel loops (the
    #: GPU pipeline's default); False compiles with ``lanes=off``.
    lanes: bool = True
    #: ``THREADS,LANES``: every traversal's schedule (the pipelines'
    #: ``traversal-schedule``); empty: none.
    schedule: str = ""
    #: With the combined backward, as hector.nn's layers compile it.
    autodiff: bool = False
    #: A training spec whose features need no gradient (a first layer's):
    #: the backward hector.nn compiles with rgnn-autodiff's ``wrt=`` for
    #: every other float input.
    frozen: bool = False

    @property
    def options(self) -> str:
        text = options_text(self.chip, self.compact, self.traversal,
                            self.autodiff, lanes=self.lanes,
                            schedule=self.schedule)
        if self.frozen:
            text += " wrt=" + ",".join(str(i) for i in frozen_wrt(self))
        return text


def frozen_wrt(s: "Spec") -> List[int]:
    """The argument indices hector.nn names in ``wrt=`` when a training
    spec's features need no gradient: every layer input after the features
    (argument 0 is the graph, 1 the features; the benchmark layers' inputs
    are all float, which :func:`load_spec` checks against the library)."""
    names = _nn_build(s)[2]
    return list(range(2, len(names) + 1))


TRAVERSALS = ("node", "edge")


def options_text(chip: str = "sm_90", compact: bool = True,
                 traversal: str = "edge", autodiff: bool = False,
                 forward_values: Optional[str] = "saved",
                 lanes: bool = True, schedule: str = "") -> str:
    """The canonical pipeline options of a CUDA model (the GPU pipeline's
    defaults, edge-parallel traversal and lanes, unnamed). ``autodiff`` adds the combined
    backward without SENSEi variants and with ``forward_values`` (unnamed
    if None), as :mod:`hector.nn` compiles."""
    if traversal not in TRAVERSALS:
        raise ValueError(f"unknown traversal {traversal!r} (node or edge)")
    text = f"chip={chip} compact={'true' if compact else 'false'}"
    text += f" traversal={traversal}" if traversal != "edge" else ""
    text += "" if lanes else " lanes=off"
    text += f" traversal-schedule={schedule}" if schedule else ""
    if autodiff:
        text += " autodiff=true gradients=combined reassociate=false"
        if forward_values:
            text += f" forward-values={forward_values}"
    return text


def artifact_key(mlir_text: str, options: str) -> str:
    h = hashlib.sha256()
    h.update(b"cuda\0" + options.encode() + b"\0" + mlir_text.encode())
    return h.hexdigest()[:24]


def needed_specs() -> List[Spec]:
    """Every model test_gpu_correctness.py and bench/gpu_inference.py use."""
    out = []
    for ds in REAL:
        for model, heads in CONFIGS:
            for compact in (True, False):
                out.append(Spec(model, heads, 64, 64, ds, "sm_90", compact))
            if ds in SM80_DATASETS:
                out.append(Spec(model, heads, 64, 64, ds, "sm_80", True))
    for name, model, heads in EDGE_CASES:
        for compact in (True, False):
            out.append(Spec(model, heads, 32, 32, name, "sm_90", compact))
    for ds in LARGE:
        for model, heads in CONFIGS:
            out.append(Spec(model, heads, 64, 64, ds, "sm_90", True))
    # The node-parallel traversal (no atomics): tested on every graph and
    # benchmarked against the default edge-parallel one.
    for ds in REAL + LARGE:
        for model, heads in CONFIGS:
            out.append(Spec(model, heads, 64, 64, ds, "sm_90", True, "node"))
    for name, model, heads in EDGE_CASES:
        out.append(Spec(model, heads, 32, 32, name, "sm_90", True, "node"))
    # Without lanes over feature loops: benchmarked against the default.
    for ds in REAL + LARGE:
        for model, heads in CONFIGS:
            out.append(Spec(model, heads, 64, 64, ds, "sm_90", True,
                            lanes=False))
    # Traversal schedules (fewer lanes, other block sizes): benchmarked
    # against the default on the real graphs.
    for ds in REAL:
        for model, heads in CONFIGS:
            for schedule in SCHEDULES:
                out.append(Spec(model, heads, 64, 64, ds, "sm_90", True,
                                schedule=schedule))
    # Training through hector.nn (test_gpu_training.py on the real graphs,
    # bench/gpu_training.py on all), with and without the features'
    # gradient.
    for ds in REAL + LARGE:
        for model, heads in TRAINING:
            for frozen in (False, True):
                out.append(Spec(model, heads, 64, 64, ds, "sm_90", True,
                                autodiff=True, frozen=frozen))
    # The GPU cost model's calibration (bench/cost_model.py --target cuda):
    # every variant of the three models at each feature size, 4 heads.
    for ds in REAL:
        for model in ("rgcn", "rgat", "hgt"):
            for size in COST_SIZES:
                out.append(Spec(model, 4, size, size, ds, "sm_90", True))
    return list(dict.fromkeys(out))  # one of each (the 64s are above)


SPECS = needed_specs()


# ---------------------------------------------------------------------------
# Graphs and schemas
# ---------------------------------------------------------------------------

def load_graph(name: str, scale: float = 1.0):
    """A real dataset as the main job loads it, or a synthetic one."""
    if name in LARGE:
        from .data import synthetic_graph
        return synthetic_graph(name, scale=scale)
    from .main import load_graph as main_load
    return main_load(name)


_schemas: Dict[str, tuple] = {}


def schema(name: str):
    """``(T, R, triples)`` of a dataset or edge-case graph name (cached)."""
    if name not in _schemas:
        _schemas[name] = _schema(name)
    return _schemas[name]


def _schema(name: str):
    from .runtime import schema_of
    if name in dict.fromkeys(n for n, _, _ in EDGE_CASES):
        a = edge_case_arrays(name)
        return a[6], a[4], a[7]
    if name in LARGE:
        # The schema does not depend on the scale.
        return schema_of(load_graph(name, scale=1e-4))
    return schema_of(load_graph(name))


def module_text(model: str, schema_tuple, in_dim: int, out_dim: int,
                heads: int) -> str:
    """The rgnn IR ``runtime.compile_layer`` builds for this schema."""
    from . import models
    T, R, triples = schema_tuple
    return models.build(model, R, T, in_dim, out_dim, triples, heads,
                        NUM_BASES)


def spec_text(s: Spec, schema_tuple=None) -> str:
    """The IR of a spec: :func:`module_text`, or for a training spec the IR
    :func:`hector.nn.benchmark_layer`'s layer builds (HGT takes its triples
    from the graph's metadata, which names every relation's types even when
    the loader gives none)."""
    if not s.autodiff:
        return module_text(s.model, schema_tuple or schema(s.schema),
                           s.in_dim, s.out_dim, s.heads)
    return _nn_build(s)[0]


def _nn_build(s: Spec):
    """``(text, function name, ...)`` of training spec ``s``'s layer, as
    :mod:`hector.nn` builds it (the name is the model family: "rgcn" for
    "rgcn-max")."""
    from . import nn as hnn
    if s.in_dim != s.out_dim:
        raise ValueError(f"{s}: hector.nn's benchmark layers are square")
    if s.schema not in _nn_graphs:
        # A synthetic graph's schema and names do not depend on its scale.
        _nn_graphs[s.schema] = hnn.Graph(load_graph(
            s.schema, scale=1e-4 if s.schema in LARGE else 1.0))
    g = _nn_graphs[s.schema]
    return hnn.benchmark_layer(s.model, g, s.in_dim, s.heads)._build(g)


_nn_graphs: Dict[str, object] = {}


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

_manifests: Dict[str, dict] = {}


def read_manifest(directory) -> dict:
    d = str(Path(directory).resolve())
    if d not in _manifests:
        path = Path(d) / MANIFEST
        try:
            m = json.loads(path.read_text())
        except OSError as e:
            raise ArtifactMissing(f"no artifact manifest: {e}; build the "
                                  f"artifacts with scripts/gpu_artifacts.sh"
                                  ) from None
        if m.get("format") != FORMAT:
            raise ArtifactMissing(f"{path}: format {m.get('format')!r}, this "
                                  f"package reads {FORMAT}")
        m["by_key"] = {e["key"]: e for e in m["entries"]}
        _manifests[d] = m
    return _manifests[d]


def artifacts_dir(explicit=None) -> Optional[Path]:
    """``explicit``, else ``$HECTOR_ARTIFACTS``, else None (compile)."""
    value = explicit or os.environ.get("HECTOR_ARTIFACTS")
    return Path(value).resolve() if value else None


def load_function(model: str, graph_or_schema, in_dim: int = 64,
                  out_dim: int = 64, heads: int = 4, chip: str = "sm_90",
                  compact: bool = True, artifacts=None, cache_dir=None,
                  unpack_dir=None, traversal: str = "edge",
                  lanes: bool = True, schedule: str = ""):
    """A CUDA :class:`hector.runtime.Function` for ``model`` on this schema:
    from the artifacts directory (``artifacts`` or ``$HECTOR_ARTIFACTS``)
    when one is given, else compiled (needs hector-opt).  Its inputs are
    named as :func:`hector.runtime.compile_layer` names them;
    ``fn.artifact`` is the manifest entry (None when compiled).  Libraries
    are unpacked into ``unpack_dir`` (default: ``<artifacts>/unpacked``,
    which must be two levels below the repository root for the run
    path)."""
    from . import models, runtime
    sch = runtime.schema_of(graph_or_schema)
    options = options_text(chip, compact, traversal, lanes=lanes,
                           schedule=schedule)
    directory = artifacts_dir(artifacts)
    if directory is None:
        fn = runtime.compile_layer(model, sch, in_dim, out_dim, heads=heads,
                                   target="cuda", cache_dir=cache_dir,
                                   options=options)
        fn.artifact = None
        return fn
    text = module_text(model, sch, in_dim, out_dim, heads)
    key = artifact_key(text, options)
    manifest = read_manifest(directory)
    entry = manifest["by_key"].get(key)
    if entry is None:
        T, R, _ = sch
        raise ArtifactMissing(
            f"{directory}: no precompiled {model} (heads {heads}, "
            f"{in_dim}->{out_dim}, {T} node types, {R} relations, {options}; "
            f"key {key}); rebuild the artifacts with scripts/gpu_artifacts.sh")
    fn = runtime.load(_unpack(directory, entry, unpack_dir)).function(model)
    fn.set_input_names([a.name for a in models.signature(
        model, in_dim, out_dim, heads, NUM_BASES)])
    fn.mlir, fn.artifact, fn.compile_result = text, entry, None
    return fn


def load_module(text: str, options: str, artifacts=None, unpack_dir=None):
    """The CUDA :class:`hector.runtime.Model` of rgnn IR ``text`` with
    pipeline ``options``: precompiled from the artifacts directory
    (``artifacts`` or ``$HECTOR_ARTIFACTS``) when one is given, else
    compiled (needs hector-opt). :mod:`hector.nn` loads its GPU layers so."""
    from . import runtime
    directory = artifacts_dir(artifacts)
    if directory is None:
        from .compiler import compile_module_info
        return runtime.load(compile_module_info(text, "cuda",
                                                options=options).path)
    key = artifact_key(text, options)
    entry = read_manifest(directory)["by_key"].get(key)
    if entry is None:
        raise ArtifactMissing(
            f"{directory}: no precompiled model for these options "
            f"({options}; key {key}); rebuild the artifacts with "
            f"scripts/gpu_artifacts.sh")
    return runtime.load(_unpack(directory, entry, unpack_dir))


def load_spec(s: Spec, artifacts=None, unpack_dir=None):
    """What spec ``s`` is loaded as: the :class:`hector.runtime.Function`
    of an inference spec, the :class:`hector.runtime.Model` of a training
    spec (checked to hold its function's ``__backward``). Both have
    ``target`` and ``chip``."""
    if s.autodiff:
        text, name = _nn_build(s)[:2]
        model = load_module(text, s.options, artifacts, unpack_dir)
        backward = model.function(f"{name}__backward")
        if s.frozen:
            floats = [a.index for a in model.function(name).inputs
                      if a.dtype.kind == "f"]
            if floats[1:] != frozen_wrt(s) or \
                    len(backward.results) != len(floats) - 1:
                raise ArtifactMissing(
                    f"{s}: the library's float inputs are {floats} and its "
                    f"backward has {len(backward.results)} results; the "
                    f"spec assumed wrt={frozen_wrt(s)}")
        return model
    return load_function(s.model, schema(s.schema), s.in_dim, s.out_dim,
                         s.heads, s.chip, s.compact, artifacts=artifacts,
                         unpack_dir=unpack_dir, traversal=s.traversal,
                         lanes=s.lanes)


def _unpack(directory: Path, entry: dict, unpack_dir=None) -> Path:
    """The decompressed library of manifest ``entry``."""
    packed = directory / entry["file"]
    where = Path(unpack_dir) if unpack_dir else directory / UNPACKED
    dest = where / f"{entry['key']}-{entry['sha256'][:16]}.so"
    if not dest.is_file():
        where.mkdir(parents=True, exist_ok=True)
        try:
            data = lzma.decompress(packed.read_bytes())
        except (OSError, lzma.LZMAError) as e:
            raise ArtifactMissing(f"{packed}: {e}; rebuild the artifacts with "
                                  f"scripts/gpu_artifacts.sh") from None
        tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    return dest


# ---------------------------------------------------------------------------
# Building (here, with MLIR)
# ---------------------------------------------------------------------------

def _compile_one(args) -> Tuple[str, str, float]:
    text, options, cache = args
    from .compiler import CompileError, compile_module_info
    try:
        r = compile_module_info(text, "cuda", cache_dir=cache,
                                options=options)
    except CompileError as e:       # not picklable: pass the text back
        return "", str(e), 0.0
    return str(r.path), options, sum(r.step_seconds.values())


def _git_commit() -> str:
    from ._runtime import repo_root
    try:
        return subprocess.run(["git", "-C", str(repo_root()), "rev-parse",
                               "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        return ""


def build(out_dir, specs: Optional[List[Spec]] = None, jobs: int = 0,
          data: bool = True, cache_dir=None, log=print) -> dict:
    """Compile ``specs`` (default :data:`SPECS`) into ``out_dir`` with a
    manifest; copy the datasets into ``out_dir/data`` when ``data``."""
    from concurrent.futures import ProcessPoolExecutor
    from .data import data_dir
    specs = list(SPECS if specs is None else specs)
    out = Path(out_dir).resolve()
    (out / "models").mkdir(parents=True, exist_ok=True)
    os.environ["HECTOR_HOST_CPU"] = os.environ.get("HECTOR_HOST_CPU",
                                                   HOST_CPU)
    os.environ["HECTOR_CUDA_RPATH"] = os.environ.get("HECTOR_CUDA_RPATH",
                                                     RPATH)
    if cache_dir is None:
        from .compiler import default_cache_dir
        cache_dir = default_cache_dir() / "gpu-artifacts"
    schemas = {}
    for s in specs:
        if s.schema not in schemas:
            log(f"schema of {s.schema} ...")
            schemas[s.schema] = schema(s.schema)
    jobs_list, meta = [], []
    seen = set()
    for s in specs:
        text = spec_text(s, schemas[s.schema])
        key = artifact_key(text, s.options)
        if key in seen:
            continue
        seen.add(key)
        jobs_list.append((text, s.options, str(cache_dir)))
        meta.append((key, s))
    log(f"compiling {len(jobs_list)} CUDA models ...")
    entries, failed = [], []
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as ex:
        for (key, s), (path, _, secs) in zip(meta, ex.map(_compile_one,
                                                          jobs_list)):
            if not path:
                failed.append(f"{s}: {_}")
                continue
            dest = out / "models" / f"{key}.so.xz"
            library = Path(path).read_bytes()
            packed = lzma.compress(library)
            dest.write_bytes(packed)
            T, R, _ = schemas[s.schema]
            e = dict(key=key, file=f"models/{key}.so.xz", **asdict(s),
                     num_node_types=T, num_relations=R, options=s.options,
                     bytes=len(packed), library_bytes=len(library),
                     sha256=hashlib.sha256(packed).hexdigest())
            entries.append(e)
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(jobs_list)} models did "
                           f"not compile:\n" + "\n\n".join(failed))
    keep = {f"{e['key']}.so.xz" for e in entries}
    for f in (out / "models").iterdir():
        if f.name not in keep:
            f.unlink()
    shutil.rmtree(out / UNPACKED, ignore_errors=True)
    if data:
        src = data_dir()
        for sub in ("aifb", "fb15k-237", "hgb", "README.md"):
            p = src / sub
            if p.is_dir():
                shutil.copytree(p, out / "data" / sub, dirs_exist_ok=True)
            elif p.is_file():
                (out / "data").mkdir(exist_ok=True)
                shutil.copyfile(p, out / "data" / sub)
    manifest = {"format": FORMAT,
                "created": datetime.datetime.now().isoformat(timespec="seconds"),
                "git_commit": _git_commit(),
                "host_cpu": os.environ["HECTOR_HOST_CPU"],
                "rpath": os.environ["HECTOR_CUDA_RPATH"],
                "data": "data" if data else None,
                "entries": entries}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m hector.gpu_artifacts",
                                 description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="compile every needed CUDA model")
    b.add_argument("--out", default="gpu-artifacts")
    b.add_argument("--jobs", type=int, default=0)
    b.add_argument("--no-data", action="store_true")
    c = sub.add_parser("check", help="every needed model is in the manifest "
                                     "and loads (no GPU needed)")
    c.add_argument("--dir", default="gpu-artifacts")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        m = build(args.out, jobs=args.jobs, data=not args.no_data)
        total = sum(e["bytes"] for e in m["entries"])
        print(f"{len(m['entries'])} models, {total / 2**20:.1f} MiB, in "
              f"{Path(args.out).resolve()}")
        return 0
    import tempfile
    from . import runtime
    bad = 0
    # Unpacked beside models/ (for the run path) and removed afterwards, so
    # that the directory carried to a GPU machine stays small.
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".check-") as tmp:
        for s in SPECS:
            try:
                fn = load_spec(s, args.dir, tmp)
                assert fn.target == "cuda" and fn.chip == s.chip, (fn.target,
                                                                   fn.chip)
            except (ArtifactMissing, runtime.ModelError, AssertionError) as e:
                print(f"{s}: {e}")
                bad += 1
    print(f"{len(SPECS) - bad} of {len(SPECS)} needed models present and "
          f"loadable")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
