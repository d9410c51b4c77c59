"""The GPU's typed-GEMM templates, run on the CPU.

``gemm-template=tiled`` lowers every typed GEMM with the GPU's
shared-memory tiled kernel, emulated: thread blocks are a parallel loop and
a block's threads run one after another between its barriers.
``gemm-template=elementwise`` is the GPU's simple form (one iteration per
element of C). Both must give the CPU's correctness bar (relative error
below 1e-5 against the float64 reference, every element written) for every
variant and relation choice, on graphs whose segments (relations) are
empty, shorter than a tile or span tiles, and at feature sizes that do not
fill a tile. This checks the templates' indexing, segment walk and masking
on machines with no GPU; the GPU tests run the same kernels on a device.
As on the GPU, RGAT's and HGT's edge softmax is fused into the
aggregations (``fuse-edge-softmax=true``, off by default on the CPU).
"""

import pytest

from hector import runtime
from hector.testing import Case, check_every_variant, edge_case_arrays

MODELS = [("rgcn", 4), ("rgat", 4), ("hgt", 2)]


@pytest.fixture(scope="module")
def synthetic():
    return {name: Case(name, arrays=edge_case_arrays(name))
            for name in ("holes", "typed", "many", "edgeless")}


def run_all(case, model, heads, template, in_dim, out_dim):
    fn = runtime.compile_layer(
        model, case.schema, in_dim, out_dim, heads=heads,
        options=f"prune-variants=false gemm-template={template} "
                "fuse-edge-softmax=true")
    check_every_variant(fn, case.prepared, case.ref, model, in_dim, out_dim,
                        heads, f"{case.name} ({template})")


GRAPHS = ["holes", "typed", "many", "edgeless"]


# Separate functions, so that scripts/test.sh can run the tiled ones under
# AddressSanitizer by name.
@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("model,heads", MODELS,
                         ids=[f"{m}-{h}h" for m, h in MODELS])
def test_tiled_on_edge_cases(synthetic, graph, model, heads):
    run_all(synthetic[graph], model, heads, "tiled", 32, 32)


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("model,heads", MODELS,
                         ids=[f"{m}-{h}h" for m, h in MODELS])
def test_elementwise_on_edge_cases(synthetic, graph, model, heads):
    run_all(synthetic[graph], model, heads, "elementwise", 32, 32)


@pytest.mark.parametrize("model,heads", MODELS,
                         ids=[f"{m}-{h}h" for m, h in MODELS])
def test_tiled_partial_tiles(synthetic, model, heads):
    # K = 20 and N = 36 (18 per head for HGT's 2 heads) fill neither the K
    # step nor the column tile: the guards must zero the staged padding and
    # skip the columns past N.
    run_all(synthetic["typed"], model, heads, "tiled", 20, 36)


@pytest.mark.parametrize("dataset", ["fb15k-237", "acm"])
@pytest.mark.parametrize("model,heads", MODELS,
                         ids=[f"{m}-{h}h" for m, h in MODELS])
def test_tiled_on_real_graphs(datasets, dataset, model, heads):
    # FB15k-237: 474 relations, many shorter than a 64-row tile.
    case = datasets(dataset)
    fn = runtime.compile_layer(model, case.schema, 64, 64, heads=heads,
                               options="gemm-template=tiled "
                                       "fuse-edge-softmax=true")
    check_every_variant(fn, case.prepared, case.ref, model, 64, 64, heads,
                        f"{dataset} (tiled)")


@pytest.mark.parametrize("traversal", ["node", "edge"])
@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("model,heads", MODELS,
                         ids=[f"{m}-{h}h" for m, h in MODELS])
def test_lanes_on_edge_cases(synthetic, graph, model, heads, traversal):
    # The GPU's loop forms: a parallel iteration per row, entry or element
    # and lane of the body's feature loops (traversals and other parallel
    # loops), run by OpenMP threads here, so lanes of one row race as they
    # would on the device.
    case = synthetic[graph]
    fn = runtime.compile_layer(
        model, case.schema, 32, 32, heads=heads,
        options=f"prune-variants=false traversal={traversal} "
                "lanes=on gemm-template=tiled "
                "fuse-edge-softmax=true")
    check_every_variant(fn, case.prepared, case.ref, model, 32, 32, heads,
                        f"{graph} (lanes, {traversal}-parallel)")


@pytest.mark.parametrize("schedule", ["128,4", "32,1"])
@pytest.mark.parametrize("traversal", ["node", "edge"])
@pytest.mark.parametrize("model,heads", MODELS,
                         ids=[f"{m}-{h}h" for m, h in MODELS])
def test_traversal_schedule_lanes(synthetic, model, heads, traversal,
                                  schedule):
    # A schedule with fewer lanes than a traversal's feature loops have
    # iterations: each lane runs every 4th (or, with 1 lane, every)
    # iteration after the body's top level, so owned rows still get plain
    # adds from one lane per element.
    case = synthetic["typed"]
    fn = runtime.compile_layer(
        model, case.schema, 32, 32, heads=heads,
        options=f"prune-variants=false traversal={traversal} lanes=on "
                f"traversal-schedule={schedule} fuse-edge-softmax=true")
    check_every_variant(fn, case.prepared, case.ref, model, 32, 32, heads,
                        f"typed (lanes, {traversal}-parallel, schedule "
                        f"{schedule})")


def test_unknown_template_is_an_error(synthetic):
    from hector.compiler import CompileError
    with pytest.raises(CompileError, match="unknown gemm-template 'tild'"):
        runtime.compile_layer("rgcn", synthetic["holes"].schema, 8, 8,
                              options="gemm-template=tild")
    with pytest.raises(CompileError, match="unknown traversal-lanes 'yes'"):
        runtime.compile_layer("rgcn", synthetic["holes"].schema, 8, 8,
                              options="lanes=yes")
    with pytest.raises(CompileError, match="lanes must be a power of two"):
        runtime.compile_layer("rgcn", synthetic["holes"].schema, 8, 8,
                              options="lanes=on traversal-schedule=64,6")
