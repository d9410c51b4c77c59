"""Compiled CPU models against the float64 reference.

Every test compiles its model with ``hector-lower-to-cpu`` (through
``hector.runtime.compile_layer``; the content-addressed cache in
``build/hector-cache`` compiles each (model, schema) once), draws fresh
random features and weights (the seed is in the failure message), runs
with the result poisoned (every element must be written) and requires
``|out - ref| / |ref| < 1e-5``.  Inputs are rounded to f32 before the
reference sees them, so only the compiled computation is measured.

These tests need the lowering pipeline and fail (not skip) without it.
"""

import numpy as np
import pytest

from hector import reference, runtime
from hector.prep import prepare_arrays
from hector.testing import (Case, edge_case_arrays, f32, fresh_seed,
                            typed_graph)

TOL = 1e-5


def check(case: Case, model: str, in_dim=64, out_dim=64, heads=4,
          seed=None, options=None):
    seed = fresh_seed() if seed is None else seed
    fn = runtime.compile_layer(model, case.schema, in_dim, out_dim,
                               heads=heads, options=options)
    rng = np.random.default_rng(seed)
    h = f32(rng.standard_normal((case.ref.num_nodes, in_dim)))
    weights = {k: f32(v) for k, v in reference.init_weights(
        model, case.ref, in_dim, out_dim, heads=heads, rng=rng).items()}
    inputs = [h] + [weights[a.name] for a in fn.inputs[1:]]
    out = fn.bind(case.prepared).run(inputs, poison=True)
    ref = reference.MODELS[model](case.ref, h, weights)
    assert out.shape == ref.shape
    assert np.isfinite(out).all(), f"{model} on {case.name}: non-finite " \
                                   f"values (seed {seed})"
    denom = np.linalg.norm(ref)
    err = np.linalg.norm(out - ref) / (denom if denom else 1.0)
    assert err < TOL, (f"{model} (heads={heads}) on {case.name}: relative "
                       f"error {err:.3e} (seed {seed})")
    return out, ref


# ---- real datasets --------------------------------------------------------

CONFIGS = [("rgcn", 4), ("rgat", 1), ("rgat", 4), ("hgt", 1), ("hgt", 4)]


@pytest.mark.parametrize("dataset", ["aifb", "fb15k-237", "acm", "dblp"])
@pytest.mark.parametrize("model,heads", CONFIGS,
                         ids=[f"{m}-{h}h" for m, h in CONFIGS])
def test_dataset(datasets, dataset, model, heads):
    case = datasets(dataset)
    if dataset == "fb15k-237":
        assert case.prepared.num_relations == 474  # with reverse edges
    check(case, model, heads=heads)


# ---- synthetic edge cases ---------------------------------------------------

@pytest.fixture(scope="session")
def synthetic():
    # holes: relations 1 and 4 have no edges, nodes 0..9 no incoming edges
    # (an empty softmax); typed: several node types with a consistent
    # schema; many: 600 relations, many empty; edgeless: no edges at all.
    return {name: Case(name, arrays=edge_case_arrays(name))
            for name in ("holes", "typed", "many", "edgeless")}


EDGE_CASES = [("holes", "rgcn", 4), ("holes", "rgat", 4), ("holes", "hgt", 2),
              ("typed", "rgcn", 4), ("typed", "rgat", 2), ("typed", "hgt", 4),
              ("many", "rgcn", 4), ("many", "rgat", 1), ("many", "hgt", 4),
              ("edgeless", "rgcn", 4), ("edgeless", "rgat", 4),
              ("edgeless", "hgt", 4)]


@pytest.mark.parametrize("graph,model,heads", EDGE_CASES,
                         ids=[f"{g}-{m}-{h}h" for g, m, h in EDGE_CASES])
def test_edge_cases(synthetic, graph, model, heads):
    out, ref = check(synthetic[graph], model, in_dim=32, out_dim=32,
                     heads=heads)
    if model == "rgat" and graph == "holes":
        # No incoming edges: the empty softmax contributes nothing.
        assert np.all(out[:10] == 0)


def test_empty_softmax_rows_hgt(synthetic):
    # Without incoming edges the attention output is 0, so HGT's row is
    # gelu(0) W_out + b_out mixed with the skip input.
    case = synthetic["holes"]
    out, ref = check(case, "hgt", 32, 32, heads=4)
    np.testing.assert_allclose(out[:10], ref[:10], rtol=1e-5, atol=1e-6)


FUSED = [("holes", "rgat", 4), ("holes", "hgt", 2), ("typed", "rgat", 2),
         ("typed", "hgt", 4)]


@pytest.mark.parametrize("graph,model,heads", FUSED,
                         ids=[f"{g}-{m}-{h}h" for g, m, h in FUSED])
def test_fused_edge_softmax(synthetic, graph, model, heads):
    # The GPU's default (off by default on the CPU, where it measured
    # slower): per-destination statistics, weights computed in the
    # aggregation; nodes without incoming edges must still get exactly 0.
    out, _ = check(synthetic[graph], model, in_dim=32, out_dim=32,
                   heads=heads, options="fuse-edge-softmax=true")
    if model == "rgat" and graph == "holes":
        assert np.all(out[:10] == 0)


@pytest.mark.parametrize("model", ["rgcn_basis", "rgcn_norm",
                                   "rgcn_basis_norm"])
def test_rgcn_variants(synthetic, model):
    check(synthetic["typed"], model, in_dim=16, out_dim=24)


def test_hgt_without_skip(synthetic):
    # in_dim != out_dim: no gated skip connection (as in PyG).
    check(synthetic["typed"], "hgt", in_dim=24, out_dim=32, heads=4)


# ---- rejections at bind and run time ------------------------------------------

def test_bind_rejects_other_schemas(datasets):
    aifb = datasets("aifb")
    fn = runtime.compile_layer("rgcn", aifb.graph, 64, 64)
    wrong_r = typed_graph(4, 50, 100, 91, 1, triples=False)
    with pytest.raises(runtime.ModelError,
                       match="compiled for 90 relations, but the graph has "
                             "91"):
        fn.bind(prepare_arrays(*wrong_r[:7]))
    wrong_t = typed_graph(4, 50, 100, 90, 2, triples=False)
    with pytest.raises(runtime.ModelError,
                       match="compiled for 1 node types, but the graph has 2"):
        fn.bind(prepare_arrays(*wrong_t[:7]))


def test_run_rejects_wrong_feature_size(datasets):
    aifb = datasets("aifb")
    fn = runtime.compile_layer("rgcn", aifb.graph, 64, 64)
    bound = fn.bind(aifb.prepared)
    n = aifb.prepared.num_nodes
    w = reference.init_weights("rgcn", aifb.ref, 64, 64, rng=0)
    good = [np.zeros((n, 64))] + [w[a.name] for a in fn.inputs[1:]]
    with pytest.raises(runtime.ModelError,
                       match=rf"argument 1 'h' .*buffer has {n * 32} "
                             rf"elements, expected {n * 64}") as e:
        bound.run([np.zeros((n, 32))] + good[1:])
    assert e.value.argument == "h"
    with pytest.raises(runtime.ModelError, match=r"argument 2 'w' .*expected "
                                                 r"368640 \(shape 90x64x64\)"):
        bound.run(good[:1] + [w["w"][:89]] + good[2:])
    with pytest.raises(runtime.ModelError, match="takes 4 inputs"):
        bound.run(good[:3])


def test_hgt_rejects_graph_against_triples(synthetic):
    case = synthetic["typed"]
    fn = runtime.compile_layer("hgt", case.schema, 32, 32, heads=4)
    n, src, dst, rel, R, ntype, T, trip = typed_graph(2, 300, 2500, 7, 3,
                                                      empty_rels=(5,),
                                                      no_in=(3, 50))
    # Move one edge to a relation whose triple its endpoints do not match.
    r0 = int(rel[0])
    other = next(r for r in range(R) if trip[r][0] != trip[r0][0]
                 or trip[r][2] != trip[r0][2])
    rel = rel.copy()
    rel[0] = other
    with pytest.raises(runtime.ModelError, match=r"edge 0 \(relation "
                                                 rf"{other}\) goes from"):
        fn.bind(prepare_arrays(n, src, dst, rel, R, ntype, T))
