"""Compiled CUDA models against the float64 reference: the CPU correctness
bar (test_cpu_correctness.py) on the GPU.

RGCN, RGAT (1 and 4 heads) and HGT (1 and 4 heads) on AIFB, FB15k-237
(with reverse edges, 474 relations), ACM and DBLP at 64 -> 64, and the
synthetic edge cases (empty relations, nodes without incoming edges, 600
relations, no edges) at 32 -> 32.  Every run draws fresh random features
and weights (the seed is in the failure message; one seed per (graph,
model, heads) per session, shared by that cell's variants), poisons the
result (every element must be written) and requires ``|out - ref| / |ref|
< 1e-5``.  Variants: ``sm_90`` with compact materialization on (all) and
off (all), and ``sm_80`` (PTX JIT-compiled for the device, on AIFB and
DBLP).

Models come from ``$HECTOR_ARTIFACTS`` (a directory made by
scripts/gpu_artifacts.sh, see hector.gpu_artifacts) when it is set, so the
tests run on a GPU machine without MLIR; otherwise they are compiled
(``--hector-lower-to-ptx``).  Without a usable GPU every GPU test skips
with ``hector.runtime.cuda_available()``'s reason; the manifest test runs
anywhere the artifacts exist.
"""

import os

import numpy as np
import pytest

from hector import gpu_artifacts as ga
from hector import reference, runtime
from hector.testing import Case, edge_case_arrays, f32, fresh_seed

TOL = 1e-5
ARTIFACTS = os.environ.get("HECTOR_ARTIFACTS") or None

_ok, _why = runtime.cuda_available()
needs_gpu = pytest.mark.skipif(not _ok, reason=f"no usable GPU: {_why}")


_cases = {}
_refs = {}
_functions = {}


def get_case(name) -> Case:
    if name not in _cases:
        if name in ga.REAL:
            _cases[name] = Case(name, graph=ga.load_graph(name))
        else:
            _cases[name] = Case(name, arrays=edge_case_arrays(name))
    return _cases[name]


def reference_run(case, model, dim, heads):
    """Fresh inputs and the float64 reference, once per session."""
    key = (case.name, model, dim, heads)
    if key not in _refs:
        seed = fresh_seed()
        rng = np.random.default_rng(seed)
        h = f32(rng.standard_normal((case.ref.num_nodes, dim)))
        weights = {k: f32(v) for k, v in reference.init_weights(
            model, case.ref, dim, dim, heads=heads, rng=rng).items()}
        ref = reference.MODELS[model](case.ref, h, weights)
        _refs[key] = (seed, h, weights, ref)
    return _refs[key]


def function(case, model, dim, heads, chip, compact, traversal):
    key = (case.name, model, dim, heads, chip, compact, traversal)
    if key not in _functions:
        _functions[key] = ga.load_function(model, case.schema, dim, dim,
                                           heads, chip, compact,
                                           artifacts=ARTIFACTS,
                                           traversal=traversal)
    return _functions[key]


def check(case, model, dim, heads, chip="sm_90", compact=True,
          traversal="edge"):
    seed, h, weights, ref = reference_run(case, model, dim, heads)
    fn = function(case, model, dim, heads, chip, compact, traversal)
    assert fn.target == "cuda" and fn.chip == chip
    inputs = [h] + [weights[a.name] for a in fn.inputs[1:]]
    bound = fn.bind(case.prepared)
    out = bound.run(inputs, poison=True)   # raises if any element unwritten
    what = (f"{model} (heads={heads}, {chip}, compact={compact}, "
            f"traversal={traversal}) on {case.name}")
    assert out.shape == ref.shape
    assert np.isfinite(out).all(), f"{what}: non-finite values (seed {seed})"
    denom = np.linalg.norm(ref)
    err = np.linalg.norm(out - ref) / (denom if denom else 1.0)
    assert err < TOL, f"{what}: relative error {err:.3e} (seed {seed})"
    return bound, inputs, out, ref


# ---- real datasets ----------------------------------------------------------

VARIANTS = [(ds, "sm_90", True) for ds in ga.REAL] + \
           [(ds, "sm_90", False) for ds in ga.REAL] + \
           [(ds, "sm_80", True) for ds in ga.SM80_DATASETS]


@needs_gpu
@pytest.mark.parametrize("dataset,chip,compact", VARIANTS,
                         ids=[f"{d}-{c}-{'compact' if k else 'nocompact'}"
                              for d, c, k in VARIANTS])
@pytest.mark.parametrize("model,heads", ga.CONFIGS,
                         ids=[f"{m}-{h}h" for m, h in ga.CONFIGS])
def test_dataset(data_root, dataset, chip, compact, model, heads):
    case = get_case(dataset)
    if dataset == "fb15k-237":
        assert case.prepared.num_relations == 474  # with reverse edges
    check(case, model, 64, heads, chip, compact)


# ---- synthetic edge cases -----------------------------------------------------

@needs_gpu
@pytest.mark.parametrize("compact", [True, False],
                         ids=["compact", "nocompact"])
@pytest.mark.parametrize("graph,model,heads", ga.EDGE_CASES,
                         ids=[f"{g}-{m}-{h}h" for g, m, h in ga.EDGE_CASES])
def test_edge_cases(graph, model, heads, compact):
    case = get_case(graph)
    _, _, out, ref = check(case, model, 32, heads, "sm_90", compact)
    if graph == "holes":
        # Nodes 0..9 have no incoming edges: their softmax is empty.
        if model == "rgat":
            assert np.all(out[:10] == 0)
        np.testing.assert_allclose(out[:10], ref[:10], rtol=1e-5, atol=1e-6)


# ---- the node-parallel traversal (no atomics) -------------------------------

@needs_gpu
@pytest.mark.parametrize("dataset", ga.REAL)
@pytest.mark.parametrize("model,heads", ga.CONFIGS,
                         ids=[f"{m}-{h}h" for m, h in ga.CONFIGS])
def test_node_parallel_dataset(data_root, dataset, model, heads):
    check(get_case(dataset), model, 64, heads, traversal="node")


@needs_gpu
@pytest.mark.parametrize("graph,model,heads", ga.EDGE_CASES,
                         ids=[f"{g}-{m}-{h}h" for g, m, h in ga.EDGE_CASES])
def test_node_parallel_edge_cases(graph, model, heads):
    _, _, out, ref = check(get_case(graph), model, 32, heads,
                           traversal="node")
    if graph == "holes" and model == "rgat":
        assert np.all(out[:10] == 0)


# ---- device buffers, repeatability ----------------------------------------------

@needs_gpu
@pytest.mark.parametrize("model,heads", [("rgcn", 4), ("rgat", 4),
                                         ("hgt", 4)])
def test_device_buffers_and_repeatability(data_root, model, heads):
    """The device-pointer path gives the host path's result, and repeated
    runs on the same inputs agree to rounding (a moving result would be a
    race). Node-parallel, whose sums have a fixed order: the default
    edge-parallel form's atomic adds may round differently run to run."""
    case = get_case("acm")
    bound, inputs, out, ref = check(case, model, 64, heads,
                                    traversal="node")
    dev = bound.upload_inputs(inputs)
    res = runtime.DeviceBuffer.empty(bound.result_shape, np.float32)
    outs = [bound.run(dev, out=res, poison=True).to_host()
            for _ in range(3)]
    scale = np.abs(out).max()
    for o in outs:
        assert np.abs(o - out).max() <= 1e-6 * scale
    times = runtime.cuda_time(lambda: bound.run(dev, out=res, poison=False),
                              runs=3, warmup=1)
    assert (times > 0).all()


# ---- the artifacts themselves (no GPU needed) -------------------------------------

@pytest.mark.skipif(ARTIFACTS is None, reason="HECTOR_ARTIFACTS is not set")
def test_artifacts_manifest_complete(data_root):
    """Every model the GPU tests and benchmarks need is in the
    manifest, loads (the metadata; no GPU needed) and is a CUDA model for
    its chip."""
    manifest = ga.read_manifest(ARTIFACTS)
    missing = []
    for s in ga.SPECS:
        try:
            fn = ga.load_spec(s, ARTIFACTS)
        except ga.ArtifactMissing as e:
            missing.append(str(e))
            continue
        assert (fn.target, fn.chip) == ("cuda", s.chip)
        if not s.autodiff:   # a training spec is a module: checked above
            assert fn.artifact["model"] == s.model
    assert not missing, "\n".join(missing)
    assert len(manifest["entries"]) >= len(
        {(s.model, s.schema, s.in_dim, s.options) for s in ga.SPECS
         if s.model != "rgcn"})
