"""The edge-parallel aggregation (``traversal=edge``), run on the CPU.

Every aggregation becomes ``hetop.traverse edge_parallel``: one iteration
per CSR entry, its row found by binary search of the offsets, every add
atomic. It must give the CPU's correctness bar (relative error below 1e-5
against the float64 reference, every element written, fresh random data)
for every variant and relation choice, with the softmax fused or not, on
the edge-case graphs and on FB15k-237's hubs. The GPU runs the same form
in ``test_gpu_correctness.py``. (Not repeated with each rewrite off or
under AddressSanitizer: the node-parallel tests cover those, and the
binary search is the GEMM templates'.)
"""

import numpy as np
import pytest

from hector import runtime
from hector.testing import (Case, check_every_variant, edge_case_arrays, f32,
                            fresh_seed, typed_graph)


@pytest.fixture(scope="module")
def synthetic():
    return {name: Case(name, arrays=edge_case_arrays(name))
            for name in ("holes", "typed", "many", "edgeless")}


TRAVERSAL = [("rgcn", 4), ("rgat", 4), ("hgt", 2)]


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("graph", ["holes", "typed", "many", "edgeless"])
@pytest.mark.parametrize("model,heads", TRAVERSAL,
                         ids=[f"{m}-{h}h" for m, h in TRAVERSAL])
def test_edge_parallel_traversal(synthetic, graph, model, heads, fuse):
    # traversal=edge: every aggregation (means, sums onto nodes and pairs,
    # per-relation choices, fused softmax weights) runs one iteration per
    # entry with atomic adds; every variant, every relation choice.
    case = synthetic[graph]
    fn = runtime.compile_layer(
        model, case.schema, 32, 32, heads=heads,
        options="prune-variants=false traversal=edge "
                f"fuse-edge-softmax={'true' if fuse else 'false'}")
    check_every_variant(fn, case.prepared, case.ref, model, 32, 32, heads,
                        f"{graph} (edge-parallel)")


@pytest.mark.parametrize("model,heads", TRAVERSAL,
                         ids=[f"{m}-{h}h" for m, h in TRAVERSAL])
def test_edge_parallel_traversal_fb15k(datasets, model, heads):
    # Hub destinations with thousands of in-edges: many threads add into
    # the same rows at once.
    case = datasets("fb15k-237")
    fn = runtime.compile_layer(model, case.schema, 64, 64, heads=heads,
                               options="traversal=edge "
                                       "fuse-edge-softmax=true")
    check_every_variant(fn, case.prepared, case.ref, model, 64, 64, heads,
                        "fb15k-237 (edge-parallel)")


CHUNKED = [("rgcn_basis_norm", 1), ("rgat", 2), ("hgt", 2)]


@pytest.mark.parametrize("model,heads", CHUNKED,
                         ids=[f"{m}-{h}h" for m, h in CHUNKED])
def test_chunked_weight_gradients_span_chunks(model, heads):
    # Under traversal=edge the weight gradients' sums (over a relation's
    # edges or pairs, a node type's nodes, or the whole domain) run in
    # chunks of 256 rows added atomically, the GPU's form. With 3000 edges
    # a relation spans several chunks and a chunk several relations; the
    # combined backward must equal the node-parallel one's (rows summed in
    # order), which test_autodiff.py holds to finite differences.
    seed = fresh_seed()
    case = Case("typed", arrays=typed_graph(seed, 300, 3000, 5, 2,
                                            empty_rels=(2,), no_in=(0,)))
    rng = np.random.default_rng(seed)
    results = {}
    for traversal in ("node", "edge"):
        fn = runtime.compile_layer(
            model, case.schema, 16, 16, heads=heads, num_bases=3,
            options=f"autodiff=true reassociate=false traversal={traversal}")
        bound = fn.model.function(f"{model}__backward").bind(case.prepared)
        if not results:
            args = [f32(rng.standard_normal(s)) for s in bound.input_shapes]
        results[traversal] = bound.run_all(args, poison=True)
    names = [a.name for a in fn.inputs]
    for name, node, edge in zip(names, results["node"], results["edge"]):
        err = np.linalg.norm(edge - node) / max(np.linalg.norm(node), 1e-30)
        assert err < 1e-5, (f"{model}: d/d{name} chunked vs in order: "
                            f"relative error {err:.3e} (seed {seed})")
