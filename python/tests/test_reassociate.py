"""rgnn-reassociate's variants and the runtime's choice among them.

Every candidate re-association (compiled with ``prune-variants=false`` so
none is dropped) must compute the same numbers as the float64 reference;
the runtime must bind the variant with the lowest estimate; malformed
variant and cost metadata is rejected with a message.
"""

import numpy as np
import pytest

from hector import cost, reference, runtime
from hector.prep import prepare_arrays
from hector.runtime import ModelError, check_info
from hector.testing import edge_case_arrays, f32, fresh_seed

CONFIGS = [("rgcn", 4), ("rgcn_norm", 4), ("rgat", 1), ("rgat", 4),
           ("hgt", 2)]


@pytest.fixture(scope="module")
def graphs():
    out = {}
    for name in ("holes", "typed"):
        n, src, dst, rel, R, ntype, T, triples = edge_case_arrays(name)
        out[name] = (prepare_arrays(n, src, dst, rel, R, ntype, T),
                     reference.RefGraph(n, src, dst, rel, ntype, R, T,
                                        triples), (T, R, triples))
    return out


@pytest.mark.parametrize("graph", ["holes", "typed"])
@pytest.mark.parametrize("model,heads", CONFIGS,
                         ids=[f"{m}-{h}h" for m, h in CONFIGS])
def test_every_variant_matches_reference(graphs, graph, model, heads):
    prepared, ref, schema = graphs[graph]
    fn = runtime.compile_layer(model, schema, 24, 24, heads=heads,
                               options="prune-variants=false")
    names = [fn.name] + fn.variants
    assert any("aggregate_first" in n for n in names), names
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    h = f32(rng.standard_normal((ref.num_nodes, 24)))
    w = {k: f32(v) for k, v in reference.init_weights(
        model, ref, 24, 24, heads=heads, rng=rng).items()}
    want = reference.MODELS[model](ref, h, w)
    inputs = [h] + [w[a.name] for a in fn.inputs[1:]]
    for name in names:
        variant = fn.model.function(name)
        assert variant.variant_of in ("", fn.name)
        out = variant.bind(prepared, exact=True).run(inputs, poison=True)
        err = np.linalg.norm(out - want) / np.linalg.norm(want)
        assert err < 1e-5, f"{name} on {graph}: {err:.3e} (seed {seed})"


def test_bind_picks_lowest_estimate(graphs):
    prepared, _, schema = graphs["typed"]
    fn = runtime.compile_layer("hgt", schema, 32, 32, heads=4,
                               options="prune-variants=false")
    names = [fn.name] + fn.variants
    estimates = {n: fn.model.function(n).estimate(prepared) for n in names}
    assert fn.bind(prepared).variant == min(estimates, key=estimates.get)
    assert fn.bind(prepared, exact=True).variant == fn.name
    # The Python evaluation of the records agrees with the runtime's.
    mc = cost.ModelCosts.parse(fn.model.info)
    counts = cost.counts_of(prepared)
    for n in names:
        assert cost.estimate(mc.costs[n], counts, mc.params) == \
            pytest.approx(estimates[n], rel=1e-9)


HEAD = ("hector-model 1\n"
        "cost-params target=cpu gemm_flop=1e-11 other_flop=1e-10 byte=1e-10 "
        "gathered_byte=2e-10 kernel=1e-6\n")
FUNC = ("func {name} entry=_mlir_ciface_{name} params=34\n"
        "graph node_types=1 relations=2 triples=-\n{extra}"
        "arg 0 graph\narg 1 feat domain=node shape=4 type=f32\n"
        "result feat domain=node shape={out} type=f32\nend\n")
COST = ("cost kernels=2 gemm_flops=Psrc:64 other_flops=E:4 bytes=E:16 "
        "gathered_bytes=0 memory=Psrc:16\n")


def info(*funcs):
    return HEAD + "".join(FUNC.format(name=n, extra=e, out=o)
                          for n, e, o in funcs)


def test_variant_metadata_accepted():
    check_info(info(("f", COST, 4), ("g", "variant of=f\n" + COST, 4)))


@pytest.mark.parametrize("text,message", [
    (info(("g", "variant of=f\n", 4)), "which the model does not have"),
    (info(("f", COST, 4), ("g", "variant of=f\n", 8)),
     "another signature"),
    (info(("f", "", 4), ("g", "variant of=f\n", 4),
          ("k", "variant of=g\n", 4)), "itself a variant"),
    (info(("f", COST.replace("Psrc:64", "Q:64"), 4)), "bad gemm_flops term"),
    (info(("f", COST.replace("E:16", "E:-1"), 4)), "nonnegative number"),
    (info(("f", COST + COST, 4)), "second 'cost' record"),
    (HEAD.replace(" kernel=1e-6", "") + FUNC.format(name="f", extra="",
                                                    out=4), "cost-params"),
])
def test_variant_metadata_rejected(text, message):
    with pytest.raises(ModelError, match=message):
        check_info(text)


def test_report_rows(graphs):
    # hector.report: one row per configuration; on a graph whose
    # (src, relation) pairs repeat, compaction lowers the GEMM work.
    from hector.report import CONFIGS, rows_for
    prepared, _, schema = graphs["typed"]
    s = prepared.stats
    assert s["num_unique_src_pairs"] < s["num_edges"]
    rows = rows_for("rgcn", schema, prepared, 64, 4)
    assert len(rows) == len(CONFIGS)
    gemm = {r.split("|")[2].strip(): float(r.split("|")[3]) for r in rows}
    assert gemm["compact"] < gemm["unoptimized"]
    assert any(k.startswith("sensei: ") for k in gemm)
