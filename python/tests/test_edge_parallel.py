"""The edge-parallel aggregation (``traversal=edge``), run on the CPU.

Every aggregation becomes ``hetop.traverse edge_parallel``: one iteration
per CSR entry, its row read at the entry's id (the edge's destination, its
pair), every add atomic; so do a fused softmax's statistics (an atomic
maximum, then an atomic sum). It must give the CPU's correctness bar (relative error below 1e-5
against the float64 reference, every element written, fresh random data)
for every variant and relation choice, with the softmax fused or not, on
the edge-case graphs and on FB15k-237's hubs. The GPU runs the same form
in ``test_gpu_correctness.py``. (Not repeated with each rewrite off or
under AddressSanitizer: the node-parallel tests cover those.)
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


# Attention scores in the hundreds: exp overflows float32 past 88, so the
# softmax is only right if each destination's maximum is subtracted first.
LARGE_SCORES = {"rgat": {"attn": 300.0}, "hgt": {"mu": 300.0}}


@pytest.mark.parametrize("fuse", ["true", "false"])
@pytest.mark.parametrize("traversal", ["node", "edge"])
@pytest.mark.parametrize("model", sorted(LARGE_SCORES))
def test_softmax_large_scores(synthetic, model, traversal, fuse):
    case = synthetic["many"]
    fn = runtime.compile_layer(
        model, case.schema, 32, 32, heads=2,
        options=f"traversal={traversal} fuse-edge-softmax={fuse}")
    # float32 scores of a few hundred are off by ~1e-5 absolute, and so are
    # their exponentials relative to each other: the bar is 1e-4 here.
    check_every_variant(fn, case.prepared, case.ref, model, 32, 32, 2,
                        f"many ({traversal}, fuse {fuse}, large scores)",
                        tol=1e-4,
                        scale=LARGE_SCORES[model])


CHUNKED = [("rgcn_basis_norm", 1), ("rgat", 2), ("hgt", 2)]
SIZES = [(16, 16), (20, 36)]
# How the weight gradients' sums run: hetop.outer_gemm's register-blocked
# CPU tasks with the other sums in order per output row (the CPU's
# default); under traversal=edge, the chunked atomic sums for the rest,
# with the outer GEMM blocked or the GPU's tiled kernel emulated. (Its
# simple loops, which have no chunks, are held to finite differences in
# test_autodiff.py.)
FORMS = {"node": "traversal=node", "edge": "traversal=edge",
         "tiled": "traversal=edge gemm-template=tiled"}


@pytest.mark.parametrize("size", SIZES, ids=[f"{k}x{n}" for k, n in SIZES])
@pytest.mark.parametrize("model,heads", CHUNKED,
                         ids=[f"{m}-{h}h" for m, h in CHUNKED])
def test_chunked_weight_gradients_span_chunks(model, heads, size):
    # The GPU's forms of the weight gradients: hetop.outer_gemm (a thread
    # block per 256 rows and output tile, added atomically) for sums of
    # outer products, chunks of 256 rows added atomically for the other
    # sums. With 3000 edges a relation spans several blocks and a block
    # several relations, and 20 x 36 leaves partial tiles; every form of
    # the combined backward must equal the default one, which
    # test_autodiff.py holds to finite differences.
    seed = fresh_seed()
    case = Case("typed", arrays=typed_graph(seed, 300, 3000, 5, 2,
                                            empty_rels=(2,), no_in=(0,)))
    rng = np.random.default_rng(seed)
    results = {}
    for form, options in FORMS.items():
        fn = runtime.compile_layer(
            model, case.schema, *size, heads=heads, num_bases=3,
            options=f"autodiff=true reassociate=false {options}")
        bound = fn.model.function(f"{model}__backward").bind(case.prepared)
        if not results:
            args = [f32(rng.standard_normal(s)) for s in bound.input_shapes]
        results[form] = bound.run_all(args, poison=True)
    names = [a.name for a in fn.inputs]
    for form in ("edge", "tiled"):
        for name, node, other in zip(names, results["node"], results[form]):
            err = (np.linalg.norm(other - node)
                   / max(np.linalg.norm(node), 1e-30))
            assert err < 1e-5, (f"{model} {size}: d/d{name} {form} vs "
                                f"the default: relative error {err:.3e} "
                                f"(seed {seed})")
