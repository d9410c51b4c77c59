"""hector.nn: the PyTorch modules against float64 autograd.

Each module's forward and every gradient (the input features and every
parameter) are compared with :mod:`hector.torch_reference`, the same model
in float64 torch differentiated by ``torch.autograd``, on small typed graphs
and on the four shared datasets. Every result is poisoned first
(``hector.nn.POISON``), so each gradient element must be written. The bar is
``|g - ref| / |ref| < 1e-4`` per tensor (``|ref|`` at least 1e-3 of the
largest gradient's norm, for gradients that cancel to nearly zero, and at
least 1e-2 of the size of the terms summed, for a small parameter whose
gradient is one sum over all outputs). The float64 torch oracle itself is
checked against the numpy reference (:mod:`hector.reference`).
"""

import os
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from hector import nn as hnn
from hector import reference
from hector import torch_reference as tr
from hector.testing import fresh_seed, module_reference, rel_err, typed_graph

TOL = 1e-4
F32 = torch.float32
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def poison():
    hnn.POISON = True
    yield
    hnn.POISON = False


def small(seed, T=2, R=3):
    """A typed graph with an empty relation and a node without in-edges,
    as (hector.nn.Graph, reference graph)."""
    n, src, dst, rel, R, ntype, T, trip = typed_graph(
        seed, 11, 40, R, T, empty_rels=(R - 1,), no_in=(0,))
    g = hnn.Graph(edge_index=torch.tensor(np.stack([src, dst])),
                  edge_type=torch.tensor(rel), num_nodes=n, num_relations=R,
                  node_type=torch.tensor(ntype), num_node_types=T,
                  triples=trip)
    ref = SimpleNamespace(num_nodes=n, src=src, dst=dst, etype=rel,
                          ntype=ntype, num_relations=R)
    return g, ref


def make(model, g, din, dout, heads, **kw):
    T, R, _ = g.schema
    if model == "rgcn":
        return hnn.RGCNConv(din, dout, R, **kw)
    if model == "rgat":
        return hnn.RGATConv(din, dout // heads, R, heads=heads, **kw)
    return hnn.HGTConv(din, dout, g.metadata(), heads=heads, **kw)


# RGAT's leaky ReLU has a kink at 0, where its derivative jumps from 0.2 to
# 1. A score within float32 rounding of 0 can fall on either side in the
# compiled model and on the other in the float64 oracle: the gradients then
# differ by that edge's whole contribution, which is not an error of either
# (seen: 2.6e-3 on ACM's attention gradient at a score of 3.7e-8). Inputs are
# drawn again until every score is this far from 0, relative to their RMS.
KINK_MARGIN = 1e-6


def near_kink(m, ref, x) -> bool:
    if not isinstance(m, hnn.RGATConv):
        return False
    with torch.no_grad():
        w = {"w": m.weight.double(), "attn": m.attn.double()}
        score, _ = tr.rgat_scores(ref, x.detach().double(), w)
    rms = float(score.pow(2).mean().sqrt())
    return bool((score.abs() < KINK_MARGIN * rms).any())


def draw_inputs(m, g, ref, din, seed, featureless, x_grad=True):
    """Seed the parameters (reset, then moved off their initial values) and
    the features; the seed alone reproduces a run. Returns (x, seed used)."""
    for attempt in range(20):
        used = (seed + attempt) % 2**32
        torch.manual_seed(used)
        m.reset_parameters()
        m.zero_grad(set_to_none=True)
        with torch.no_grad():
            for p in m.parameters():
                p.add_(0.1 * torch.randn_like(p))
        x = None if featureless else torch.randn(g.num_nodes, din, dtype=F32,
                                                 requires_grad=x_grad)
        if x is None or not near_kink(m, ref, x):
            return x, used
    raise AssertionError(f"20 draws from seed {seed} all put an RGAT score "
                         "at the leaky ReLU's kink")


SMALL_PARAM = 64


def term_size(m, ref, x64, params, dy, name) -> float:
    """The norm over the elements p_k of parameter ``name`` of
    ``sum_i |dy_i * dy_i/dp_k|``: the size of the terms each gradient element
    sums, from central differences of the float64 oracle."""
    p = params[name].detach()
    sizes = torch.zeros(p.numel(), dtype=torch.float64)
    with torch.no_grad():
        for k in range(p.numel()):
            h = 1e-5 * max(1.0, abs(float(p.view(-1)[k])))
            ys = []
            for step in (h, -h):
                q = p.clone()
                q.view(-1)[k] += step
                ys.append(module_reference(m, ref, x64, {**params, name: q}))
            sizes[k] = (dy * (ys[0] - ys[1]) / (2 * h)).abs().sum()
    return float(sizes.norm())


def check(m, g, ref, din, seed, featureless=False, pyg_call=None,
          x_grad=True):
    """Forward and all gradients of ``m`` on ``g`` against the oracle
    (without ``x_grad``, those of the parameters only)."""
    x, seed = draw_inputs(m, g, ref, din, seed, featureless, x_grad)
    y = m(x, *(pyg_call or (g,)))
    dy = torch.randn_like(y)
    (y * dy).sum().backward()

    params = {k: v.detach().double().requires_grad_()
              for k, v in m.named_parameters()}
    x64 = None if x is None else x.detach().double().requires_grad_()
    y64 = module_reference(m, ref, x64, params)
    (y64 * dy.double()).sum().backward()

    # A gradient can be zero or nearly so by cancellation (HGT's key bias:
    # the softmax cancels it exactly at every node whose in-edges share one
    # relation), while its float32 terms are not; the rounding of those
    # terms is then large next to the result. Such a gradient is measured
    # against 1e-3 of the largest gradient instead of its own norm.
    grads = {k: (v.grad, params[k].grad) for k, v in m.named_parameters()}
    if x is not None and x_grad:
        grads["x"] = (x.grad, x64.grad)
    floor = 1e-3 * max(float(want.norm()) for _, want in grads.values())
    errs = {"forward": rel_err(y.detach(), y64.detach())}
    errs.update({k: rel_err(got, want, floor)
                 for k, (got, want) in grads.items()})
    # A small parameter's gradient is one sum over every output element (HGT's
    # skip gate: 132k terms on AIFB). When the terms cancel (seen: a sum of
    # -0.4 from terms of total size 16453) the float32 rounding, about 1e-8 of
    # the terms' size, is large next to the sum; such a gradient is measured
    # against 1e-2 of its terms' size. Computed only where the bar is missed.
    for k, e in list(errs.items()):
        if k in params and not e < TOL and params[k].numel() <= SMALL_PARAM:
            scale = term_size(m, ref, x64, params, dy.double(), k)
            errs[k] = rel_err(*grads[k], max(floor, 1e-2 * scale))
    bad = {k: e for k, e in errs.items() if not e < TOL}
    assert not bad, (f"{type(m).__name__}: relative errors above {TOL}: "
                     f"{bad} (seed {seed}; all: {errs})")
    return errs


# ---- the oracle -------------------------------------------------------------

@pytest.mark.parametrize("model,heads,din,dout", [
    ("rgcn", 1, 5, 4), ("rgat", 2, 5, 4), ("hgt", 2, 4, 4),
    ("hgt", 1, 5, 4)])
def test_torch_reference_matches_numpy_reference(model, heads, din, dout):
    seed = fresh_seed()
    _, ref = small(seed)
    rg = reference.RefGraph(ref.num_nodes, ref.src, ref.dst, ref.etype,
                            ref.ntype, ref.num_relations, 2)
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((ref.num_nodes, din))
    w = reference.init_weights(model, rg, din, dout, heads=heads, rng=rng)
    want = reference.MODELS[model](rg, h, w)
    got = tr.MODELS[model](ref, torch.tensor(h),
                           {k: torch.tensor(v) for k, v in w.items()})
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


def test_torch_reference_featureless_matches_numpy():
    _, ref = small(fresh_seed(), T=1)
    rng = np.random.default_rng(0)
    w = {"w": rng.standard_normal((ref.num_relations, ref.num_nodes, 3)),
         "w_root": rng.standard_normal((ref.num_nodes, 3)),
         "bias": rng.standard_normal(3)}
    want = reference.rgcn_featureless(
        reference.RefGraph(ref.num_nodes, ref.src, ref.dst, ref.etype,
                           None, ref.num_relations, 1), w)
    got = tr.rgcn_featureless(ref, {k: torch.tensor(v) for k, v in w.items()})
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


def test_torch_reference_rgcn_max_matches_numpy_ops():
    """aggr="max": the torch oracle against the numpy reference's ops,
    composed as PyG's order (the maximum, then W_r, summed over relations)."""
    _, ref = small(fresh_seed())
    rg = reference.RefGraph(ref.num_nodes, ref.src, ref.dst, ref.etype,
                            ref.ntype, ref.num_relations, 2)
    rng = np.random.default_rng(3)
    h = rng.standard_normal((ref.num_nodes, 5))
    w = rng.standard_normal((ref.num_relations, 5, 4))
    per_pair = reference.aggregate(rg, reference.gather(rg, h, "src"), "max",
                                   result="dst_rel")
    want = reference.aggregate(
        rg, reference.typed_linear(rg, per_pair, w, domain="dst_rel"), "sum",
        input_domain="dst_rel")
    got = tr.rgcn(ref, torch.tensor(h), {"w": torch.tensor(w)}, "max")
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
    assert (got[0] == 0).all()      # node 0 has no in-edges


# ---- modules on small graphs ------------------------------------------------

@pytest.mark.parametrize("model,heads,din,dout,kw", [
    ("rgcn", 1, 5, 4, {}), ("rgcn", 1, 5, 4, {"num_bases": 2}),
    ("rgcn", 1, 5, 4, {"aggr": "add"}),
    ("rgcn", 1, 5, 4, {"root_weight": False, "bias": False}),
    ("rgcn", 1, 5, 4, {"aggr": "sum", "num_bases": 2, "bias": False}),
    ("rgcn", 1, 6, 4, {"num_blocks": 2}),
    ("rgcn", 1, 6, 6, {"num_blocks": 3, "aggr": "add", "root_weight": False}),
    ("rgcn", 1, 5, 4, {"aggr": "max"}),
    ("rgcn", 1, 5, 4, {"aggr": "max", "num_bases": 2, "bias": False}),
    ("rgcn", 1, 6, 4, {"aggr": "max", "num_blocks": 2}),
    ("rgcn", 1, 5, 4, {"aggr": "max",
                       "options": f"{hnn.DEFAULT_OPTIONS} traversal=edge"}),
    ("rgat", 1, 5, 4, {}), ("rgat", 2, 5, 4, {"bias": False}),
    ("rgat", 2, 5, 6, {"concat": False}),
    ("hgt", 2, 4, 4, {}), ("hgt", 1, 5, 4, {})],
    ids=["rgcn", "rgcn-bases", "rgcn-add", "rgcn-noroot-nobias",
         "rgcn-sum-bases-nobias", "rgcn-blocks", "rgcn-blocks-add-noroot",
         "rgcn-max", "rgcn-max-bases-nobias", "rgcn-max-blocks",
         "rgcn-max-edge-parallel",
         "rgat-1h", "rgat-2h-nobias", "rgat-2h-mean", "hgt-skip",
         "hgt-noskip"])
def test_module_gradients_small(model, heads, din, dout, kw):
    seed = fresh_seed()
    g, ref = small(seed)
    check(make(model, g, din, dout, heads, **kw), g, ref, din, seed)


@pytest.mark.parametrize("kw", [{}, {"num_bases": 2},
                                {"aggr": "add", "root_weight": False},
                                {"bias": False}, {"aggr": "max"}],
                         ids=["full", "bases", "add-noroot", "nobias", "max"])
def test_featureless_rgcn_gradients(kw):
    seed = fresh_seed()
    g, ref = small(seed, T=1)
    m = hnn.RGCNConv(g.num_nodes, 3, g.num_relations, **kw)
    check(m, g, ref, None, seed, featureless=True)


def test_rgcn_max_ties():
    """Tied maxima (features of a few values: most pairs tie) share the
    gradient evenly, as torch's amax; the forward is exact."""
    seed = fresh_seed()
    g, ref = small(seed)
    torch.manual_seed(seed)
    m = hnn.RGCNConv(5, 4, g.num_relations, aggr="max")
    x = torch.randint(-1, 2, (g.num_nodes, 5)).to(F32).requires_grad_()
    y = m(x, g)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    params = {k: v.detach().double().requires_grad_()
              for k, v in m.named_parameters()}
    x64 = x.detach().double().requires_grad_()
    y64 = module_reference(m, ref, x64, params)
    (y64 * dy.double()).sum().backward()
    assert rel_err(y.detach(), y64.detach()) < TOL
    assert rel_err(x.grad, x64.grad) < TOL, seed
    for k, v in m.named_parameters():
        assert rel_err(v.grad, params[k].grad) < TOL, (k, seed)
    # Ties happened: some (destination, relation) pair has several edges
    # at its maximum in some feature.
    key = torch.as_tensor(ref.etype * ref.num_nodes + ref.dst)
    _, inverse = torch.unique(key, return_inverse=True)
    hs = x.detach()[torch.as_tensor(ref.src)]
    top = tr.Graph(ref).max_per_pair(hs)[0]    # in the same (key) order
    ties = torch.zeros_like(top).index_add(0, inverse,
                                           (hs == top[inverse]).float())
    assert (ties > 1).any()


@pytest.mark.parametrize("model,heads", [("rgcn", 1), ("rgat", 2),
                                         ("hgt", 2)])
def test_weights_only_backward(model, heads):
    """Features that need no gradient (a first layer's): the backward is
    compiled for the parameters only (rgnn-autodiff's wrt=), and their
    gradients are unchanged."""
    seed = fresh_seed()
    g, ref = small(seed)
    m = make(model, g, 4, 4, heads)
    check(m, g, ref, 4, seed, x_grad=False)
    (c,) = m._compiled.values()
    (fn, wrt), = c._partial.values()
    assert wrt == c.wrt[1:] and len(fn.results) == len(c.wrt) - 1
    assert fn is not c.backward
    # It takes the values the layer's own forward saved.
    assert [a.shape for a in fn.inputs] == [a.shape for a in
                                            c.backward.inputs]


@pytest.mark.parametrize("model,heads,saved", [("rgcn", 1, 0),
                                               ("rgat", 2, 2),
                                               ("hgt", 2, 10)])
def test_forward_values(monkeypatch, model, heads, saved):
    """forward-values=saved (the default): in training the layer runs
    f__forward, whose extra results (RGAT: scores and attention weights;
    HGT: node projections, scores, weights, the GELU's input) the backward
    takes; without a gradient, the plain forward. forward-values=recomputed
    gets the same gradients by recomputing them."""
    seed = fresh_seed()
    g, ref = small(seed)
    # At 64 features a message (64 per edge) is too wide to save.
    m = make(model, g, 64, 64, heads)
    check(m, g, ref, 64, seed)
    c = m.compiled(g)
    assert c.training_forward.name == f"{c.name}__forward"
    assert c.num_saved == saved
    assert len(c.backward.inputs) == len(c.forward.inputs) + saved + 1
    ran = []
    run = hnn._run
    monkeypatch.setattr(hnn, "_run", lambda graph, fn, *a: (
        ran.append(fn.name), run(graph, fn, *a))[1])
    x = torch.randn(g.num_nodes, 64, requires_grad=True)
    with torch.no_grad():
        y0 = m(x, g)
    y1 = m(x, g)
    assert ran == [c.name, f"{c.name}__forward"]
    assert rel_err(y0, y1.detach()) < 1e-6
    r = make(model, g, 64, 64, heads,
             options=f"{hnn.DEFAULT_OPTIONS} forward-values=recomputed")
    check(r, g, ref, 64, seed)
    rc = r.compiled(g)
    assert rc.training_forward is rc.forward and rc.num_saved == 0
    assert len(rc.backward.inputs) == len(rc.forward.inputs) + 1


def test_block_diagonal_weights():
    """num_blocks: W_r is zero off its diagonal blocks, and so is its
    gradient (each block gets only its own)."""
    g, _ = small(2)
    m = hnn.RGCNConv(6, 4, g.num_relations, num_blocks=2)
    w = m._relation_weights()
    assert w.shape == (g.num_relations, 6, 4)
    assert torch.equal(w[:, :3, 2:], torch.zeros(g.num_relations, 3, 2))
    assert torch.equal(w[:, 3:, :2], torch.zeros(g.num_relations, 3, 2))
    assert torch.equal(w[:, 3:, 2:], m.weight[:, 1])
    m(torch.randn(g.num_nodes, 6), g).sum().backward()
    assert m.weight.grad.shape == m.weight.shape
    assert "num_blocks=2" in repr(m)


def test_pyg_call_convention():
    """conv(x, edge_index, edge_type) as in PyG, prepared once and reused
    while the index tensors are unchanged."""
    seed = fresh_seed()
    _, ref = small(seed, T=1)
    ei = torch.tensor(np.stack([ref.src, ref.dst]))
    et = torch.tensor(ref.etype)
    m = hnn.RGCNConv(5, 4, ref.num_relations)
    x = torch.randn(ref.num_nodes, 5, dtype=F32, requires_grad=True)
    y1 = m(x, ei, et)
    first = m._pyg_graph[1]
    y2 = m(x, ei, et)
    assert m._pyg_graph[1] is first
    assert torch.equal(y1, y2)
    g = hnn.Graph(edge_index=ei, edge_type=et, num_nodes=ref.num_nodes,
                  num_relations=ref.num_relations)
    assert torch.equal(m(x, g), y1)


# ---- modules on the shared datasets -----------------------------------------

@pytest.fixture(scope="module")
def real_graphs(data_root):
    from hector.main import load_graph
    cache = {}

    def get(name):
        if name not in cache:
            data = load_graph(name)
            cache[name] = (hnn.Graph(data), data)
        return cache[name]
    return get


@pytest.mark.parametrize("dataset", ["aifb", "fb15k-237", "acm", "dblp"])
@pytest.mark.parametrize("model", ["rgcn", "rgat", "hgt"])
def test_module_gradients_real(real_graphs, dataset, model):
    g, data = real_graphs(dataset)
    seed = fresh_seed()
    check(make(model, g, 16, 16, 2), g, data, 16, seed)


@pytest.mark.parametrize("dataset", ["aifb", "fb15k-237", "acm", "dblp"])
def test_rgcn_max_gradients_real(real_graphs, dataset):
    g, data = real_graphs(dataset)
    seed = fresh_seed()
    check(hnn.RGCNConv(16, 16, g.num_relations, aggr="max"), g, data, 16,
          seed)


def test_featureless_rgcn_gradients_aifb(real_graphs):
    g, data = real_graphs("aifb")
    seed = fresh_seed()
    check(hnn.RGCNConv(g.num_nodes, 16, g.num_relations), g, data, None,
          seed, featureless=True)


# ---- errors -----------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: hnn.RGCNConv(0, 4, 2), "RGCNConv: in_channels .* got 0"),
    (lambda: hnn.RGCNConv(4, -1, 2), "RGCNConv: out_channels .* got -1"),
    (lambda: hnn.RGCNConv(4, 4, 0), "RGCNConv: num_relations .* got 0"),
    (lambda: hnn.RGCNConv(4, 4, 2, num_bases=0),
     "RGCNConv: num_bases .* got 0"),
    (lambda: hnn.RGCNConv(4, 4, 2, num_blocks=0),
     "RGCNConv: num_blocks .* got 0"),
    (lambda: hnn.RGCNConv(4.5, 4, 2), "RGCNConv: in_channels .* got 4.5"),
    (lambda: hnn.RGATConv(4, 4, 2, heads=0), "RGATConv: heads .* got 0"),
    (lambda: hnn.RGATConv(4, 0, 2), "RGATConv: out_channels .* got 0"),
    (lambda: hnn.HGTConv(4, 4, (["a"], [("a", "r", "a")]), heads=0),
     "HGTConv: heads .* got 0"),
    (lambda: hnn.HGTConv(True, 4, (["a"], [("a", "r", "a")])),
     "HGTConv: in_channels .* got True"),
])
def test_sizes_must_be_positive_integers(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_errors():
    g, _ = small(1)
    T, R, _ = g.schema
    m = hnn.RGCNConv(5, 4, R)
    with pytest.raises(TypeError, match="float32"):
        m(torch.randn(g.num_nodes, 5, dtype=torch.float64), g)
    with pytest.raises(ValueError, match=r"x has shape \(11, 6\)"):
        m(torch.randn(g.num_nodes, 6, dtype=F32), g)
    with pytest.raises(ValueError, match="built for 4 relations"):
        hnn.RGCNConv(5, 4, R + 1)(torch.randn(g.num_nodes, 5, dtype=F32), g)
    with pytest.raises(ValueError, match="in_channels = number of nodes"):
        hnn.RGCNConv(3, 4, R)(None, g)
    with pytest.raises(ValueError, match="aggr in .*got 'min'"):
        hnn.RGCNConv(5, 4, R, aggr="min")
    with pytest.raises(ValueError, match="num_bases and num_blocks"):
        hnn.RGCNConv(4, 4, R, num_bases=2, num_blocks=2)
    with pytest.raises(ValueError, match=r"num_blocks \(2\) must divide "
                       r"in_channels \(5\)"):
        hnn.RGCNConv(5, 4, R, num_blocks=2)
    with pytest.raises(ValueError, match="num_blocks needs input features"):
        hnn.RGCNConv(g.num_nodes, 2, R, num_blocks=1)(None, g)
    with pytest.raises(ValueError, match="divisible"):
        hnn.HGTConv(5, 4, g.metadata(), heads=3)
    with pytest.raises(ValueError, match="HGTConv: metadata needs"):
        hnn.HGTConv(5, 4, (["a"], []))
    with pytest.raises(ValueError, match="edge type"):
        hnn.HGTConv(5, 4, (["a"], [("a", "r", "b")]))
    hgt = hnn.HGTConv(4, 4, (["a"], [("a", "r", "a")]))
    with pytest.raises(ValueError, match="built for 1 node types"):
        hgt(torch.randn(g.num_nodes, 4, dtype=F32), g)
    with pytest.raises(TypeError, match="edge_index"):
        hnn.Graph(edge_index=torch.zeros(2, 3), edge_type=torch.zeros(3),
                  num_nodes=4)
    with pytest.raises(TypeError, match="num_nodes must be an integer, got "
                       "2.5"):
        hnn.Graph(edge_index=torch.tensor([[0, 1], [1, 0]]),
                  edge_type=torch.tensor([0, 0]), num_nodes=2.5)
    from hector.errors import DataFormatError
    with pytest.raises(DataFormatError):
        hnn.Graph(edge_index=torch.tensor([[0, 9], [1, 2]]),
                  edge_type=torch.tensor([0, 0]), num_nodes=4)
    # Inputs decide the device; a parameter elsewhere is named.
    with pytest.raises(RuntimeError, match="on meta; Hector's layers run on "
                       "the CPU or a CUDA device"):
        m(torch.randn(g.num_nodes, 5, dtype=F32, device="meta"), g)
    m.root = torch.nn.Parameter(torch.empty(5, 4, dtype=F32, device="meta"))
    with pytest.raises(RuntimeError, match="RGCNConv: w_root is on meta, "
                       "the layer's other inputs on cpu"):
        m(torch.randn(g.num_nodes, 5, dtype=F32), g)


# ---- training ---------------------------------------------------------------

def test_aifb_rgcn_reaches_the_papers_accuracy(data_root, capsys):
    """The AIFB example (R-GCN paper setup, 5 seeds) reaches a mean test
    accuracy of at least 0.92 (the paper reports 0.9583)."""
    sys.path.insert(0, os.path.join(ROOT, "examples", "training"))
    try:
        import aifb_rgcn
    finally:
        sys.path.pop(0)
    status = aifb_rgcn.main(["--min-accuracy", "0.92"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "mean test accuracy over 5 seeds" in out


def test_parameters_are_float32_whatever_the_default_dtype():
    """The compiled code computes in float32: a float64 default dtype (set
    by other code in the same process) must not change the parameters."""
    g, _ = small(1)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        layers = [make(m, g, 4, 4, 2) for m in ("rgcn", "rgat", "hgt")]
        layers.append(hnn.RGCNConv(g.num_nodes, 3, g.num_relations,
                                   num_bases=2))
    finally:
        torch.set_default_dtype(old)
    for layer in layers:
        assert {p.dtype for p in layer.parameters()} == {F32}, layer
    x = torch.randn(g.num_nodes, 4, dtype=F32)
    assert layers[0](x, g).dtype == F32
