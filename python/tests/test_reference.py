"""Tests of hector.reference, the float64 numpy oracle.

Every op is checked against a loop-by-loop evaluation of its RGNNOps.td
formula; every model against a plain-PyTorch implementation written here
(per relation / per node type loops, no shared code) on small random
graphs with empty relations, nodes without incoming edges, one or several
node types and several heads; RGCN also against its formula with explicit
Python loops on a tiny graph.
"""

import math

import numpy as np
import pytest

from hector import reference as ref
from hector.graph import HeteroGraph, IndexNames
from hector.reference import Shared

try:
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


@pytest.fixture(autouse=True)
def float64_default():
    """The torch cross-checks build float64 tensors by default; restored
    after each test, so that other modules' tests keep float32."""
    if torch is None:
        yield
        return
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)

needs_torch = pytest.mark.skipif(
    torch is None, reason="torch is not importable (the model cross-checks "
    "need Debian's python3-torch at /usr/bin/python3)")

TOL = dict(rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------

def random_graph(seed, num_nodes=12, num_edges=40, num_relations=5,
                 num_node_types=1, empty_relations=(1,), isolated_dst=2,
                 triples=None):
    """A random graph in which ``empty_relations`` have no edges and the
    last ``isolated_dst`` nodes have no incoming edges.  With ``triples``
    every edge of relation r goes from type triples[r][0] to
    triples[r][2]."""
    rng = np.random.default_rng(seed)
    ntype = np.sort(rng.integers(0, num_node_types, num_nodes))
    ntype[:num_node_types] = np.arange(num_node_types)   # every type used
    rng.shuffle(ntype)
    live = [r for r in range(num_relations) if r not in empty_relations]
    can_dst = np.arange(num_nodes - isolated_dst)
    src, dst, et = [], [], []
    while len(src) < num_edges:
        r = int(rng.choice(live))
        if triples is None:
            s = int(rng.integers(0, num_nodes))
            d = int(rng.choice(can_dst))
        else:
            ss = np.flatnonzero(ntype == triples[r][0])
            dd = [v for v in np.flatnonzero(ntype == triples[r][2])
                  if v in can_dst]
            if not len(ss) or not len(dd):
                continue
            s, d = int(rng.choice(ss)), int(rng.choice(dd))
        src.append(s)
        dst.append(d)
        et.append(r)
    # A few duplicated edges (multi-edges) on purpose.
    src += src[:3]
    dst += dst[:3]
    et += et[:3]
    return ref.RefGraph(num_nodes, src, dst, et, ntype,
                        num_relations=num_relations,
                        num_node_types=num_node_types, triples=triples)


GRAPHS = {
    "one-type": lambda: random_graph(0),
    "three-types": lambda: random_graph(1, num_nodes=15, num_edges=50,
                                        num_relations=6, num_node_types=3,
                                        empty_relations=(0, 4)),
    "typed-triples": lambda: random_graph(
        2, num_nodes=14, num_edges=45, num_relations=4, num_node_types=2,
        empty_relations=(3,), triples=[(0, 0, 1), (1, 1, 0), (0, 2, 0),
                                       (1, 3, 1)]),
}


@pytest.fixture(params=sorted(GRAPHS))
def graph(request):
    return GRAPHS[request.param]()


def test_random_graphs_have_the_edge_cases():
    for make in GRAPHS.values():
        g = make()
        per_rel = np.bincount(g.etype, minlength=g.num_relations)
        assert (per_rel == 0).any()
        indeg = np.bincount(g.dst, minlength=g.num_nodes)
        assert (indeg == 0).any()


# ---------------------------------------------------------------------------
# RefGraph: unique pairs, orders, HeteroGraph interop
# ---------------------------------------------------------------------------

def test_unique_pairs_sorted_by_relation_then_node(graph):
    for end, node in (("src", graph.src), ("dst", graph.dst)):
        pn = getattr(graph, f"{end}_rel_node")
        pr = getattr(graph, f"{end}_rel_rel")
        e2p = getattr(graph, f"edge_to_{end}_rel")
        want = sorted({(int(r), int(v)) for r, v in zip(graph.etype, node)})
        assert list(zip(pr.tolist(), pn.tolist())) == want
        assert (pn[e2p] == node).all() and (pr[e2p] == graph.etype).all()
        assert graph.domain_size(f"{end}_rel") == len(want)


def test_refgraph_of_heterograph():
    hg = HeteroGraph(
        name="t", num_nodes=4, src=[0, 1, 3, 0], dst=[1, 2, 2, 3],
        etype=[0, 1, 1, 0], ntype=[1, 0, 0, 1], ntype_names=["a", "b"],
        etype_names=["r0", "r1"], node_names=IndexNames("n", 4),
        canonical_etypes=[("b", "r0", "a"), ("a", "r1", "a")])
    g = ref.RefGraph.of(hg)
    assert g.num_relations == 2 and g.num_node_types == 2
    assert g.triples.tolist() == [[1, 0, 0], [0, 1, 0]]
    np.testing.assert_array_equal(g.src, hg.src)
    assert ref.RefGraph.of(g) is g
    # Models take the HeteroGraph directly.
    w = ref.init_weights("rgcn", hg, 3, 2, rng=0)
    h = np.ones((4, 3))
    np.testing.assert_allclose(ref.rgcn(hg, h, w), ref.rgcn(g, h, w))


def test_reference_shares_no_code_with_the_compiler():
    """The oracle imports only numpy and the standard library."""
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(ref))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in hector.reference"
            mods.add(node.module.split(".")[0])
    assert mods <= {"__future__", "math", "typing", "numpy"}, mods


def test_refgraph_rejects_bad_input():
    with pytest.raises(ValueError, match="src has ids outside"):
        ref.RefGraph(2, [0, 2], [0, 1], [0, 0])
    with pytest.raises(ValueError, match="one entry per edge"):
        ref.RefGraph(2, [0], [0, 1], [0])
    with pytest.raises(ValueError, match="triples has 1 entries"):
        ref.RefGraph(2, [0], [1], [0], num_relations=2, triples=[(0, 0, 0)])


# ---------------------------------------------------------------------------
# Ops against their formulas, element by element
# ---------------------------------------------------------------------------

def rnd(rng, *shape):
    return rng.standard_normal(shape)


def test_gather(graph):
    rng = np.random.default_rng(0)
    g = graph
    hn, hr, ht = rnd(rng, g.num_nodes, 3), rnd(rng, g.num_relations, 2), \
        rnd(rng, g.num_node_types, 2, 2)
    us, ud = rnd(rng, g.domain_size("src_rel"), 4), \
        rnd(rng, g.domain_size("dst_rel"), 4)
    for e in range(g.num_edges):
        s, d, r = g.src[e], g.dst[e], g.etype[e]
        np.testing.assert_array_equal(ref.gather(g, hn, "src")[e], hn[s])
        np.testing.assert_array_equal(ref.gather(g, hn, "dst")[e], hn[d])
        np.testing.assert_array_equal(ref.gather(g, hr, "relation")[e], hr[r])
        ps = list(zip(g.src_rel_node, g.src_rel_rel)).index((s, r))
        pd = list(zip(g.dst_rel_node, g.dst_rel_rel)).index((d, r))
        np.testing.assert_array_equal(ref.gather(g, us, "src_rel")[e], us[ps])
        np.testing.assert_array_equal(ref.gather(g, ud, "dst_rel")[e], ud[pd])
    for p, (v, r) in enumerate(zip(g.src_rel_node, g.src_rel_rel)):
        np.testing.assert_array_equal(
            ref.gather(g, hn, "src", result="src_rel")[p], hn[v])
        np.testing.assert_array_equal(
            ref.gather(g, hr, "relation", result="src_rel")[p], hr[r])
    for p, (v, r) in enumerate(zip(g.dst_rel_node, g.dst_rel_rel)):
        np.testing.assert_array_equal(
            ref.gather(g, hn, "dst", result="dst_rel")[p], hn[v])
        np.testing.assert_array_equal(
            ref.gather(g, hr, "relation", result="dst_rel")[p], hr[r])
    for v in range(g.num_nodes):
        np.testing.assert_array_equal(
            ref.gather(g, ht, "node_type", result="node")[v], ht[g.ntype[v]])
    if g.triples is None:
        with pytest.raises(ValueError, match="needs the graph's"):
            ref.gather(g, ht, "src_type", result="relation")
    else:
        for r, (st, _, dt) in enumerate(g.triples):
            np.testing.assert_array_equal(
                ref.gather(g, ht, "src_type", result="relation")[r], ht[st])
            np.testing.assert_array_equal(
                ref.gather(g, ht, "dst_type", result="relation")[r], ht[dt])
    with pytest.raises(ValueError, match="cannot gather by 'src' into"):
        ref.gather(g, hn, "src", result="dst_rel")
    with pytest.raises(ValueError, match="node domain has"):
        ref.gather(g, hn[:-1], "src")


def loop_aggregate(g, x, reduction, to, input_domain, result):
    """``aggregate`` by its table, with Python loops."""
    if input_domain == "edge":
        keys = [(g.src[e] if to == "src" else g.dst[e], g.etype[e])
                for e in range(g.num_edges)]
        if result == "node":
            targets = [k[0] for k in keys]
        else:
            pn = getattr(g, f"{to}_rel_node")
            pr = getattr(g, f"{to}_rel_rel")
            pairs = list(zip(pn.tolist(), pr.tolist()))
            targets = [pairs.index((int(v), int(r))) for v, r in keys]
    else:
        targets = list(getattr(g, f"{to}_rel_node"))
    size = g.domain_size(result)
    out = np.zeros((size,) + x.shape[1:])
    for i in range(size):
        contrib = [x[k] for k, t in enumerate(targets) if t == i]
        if contrib and reduction == "max":
            out[i] = np.max(np.stack(contrib), axis=0)
        elif contrib:
            out[i] = sum(contrib)
            if reduction == "mean":
                out[i] /= len(contrib)
    return out


@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
@pytest.mark.parametrize("to, input_domain, result", [
    ("dst", "edge", "node"), ("dst", "edge", "dst_rel"),
    ("dst", "dst_rel", "node"), ("src", "edge", "node"),
    ("src", "edge", "src_rel"), ("src", "src_rel", "node")])
def test_aggregate(graph, reduction, to, input_domain, result):
    rng = np.random.default_rng(1)
    x = rnd(rng, graph.domain_size(input_domain), 2, 3)
    got = ref.aggregate(graph, x, reduction, to, input_domain, result)
    np.testing.assert_allclose(
        got, loop_aggregate(graph, x, reduction, to, input_domain, result),
        **TOL)
    if result == "node" and to == "dst" and input_domain == "edge":
        nobody = np.bincount(graph.dst, minlength=graph.num_nodes) == 0
        assert nobody.any() and (got[nobody] == 0).all()


def test_aggregate_rejects_wrong_domains(graph):
    x = np.zeros((graph.domain_size("src_rel"), 2))
    with pytest.raises(ValueError, match="input domain when aggregating"):
        ref.aggregate(graph, x, "sum", "dst", "src_rel")
    with pytest.raises(ValueError, match="reduction"):
        ref.aggregate(graph, x, "min", "src", "src_rel")


def test_edge_softmax(graph):
    rng = np.random.default_rng(2)
    x = rnd(rng, graph.num_edges, 3) * 5
    x[0] += 800.0                     # exp would overflow without the max
    got = ref.edge_softmax(graph, x)
    assert np.isfinite(got).all()
    for v in range(graph.num_nodes):
        into = np.flatnonzero(graph.dst == v)
        for h in range(3):
            vals = [math.exp(x[e, h] - max(x[into, h])) for e in into]
            for e, val in zip(into, vals):
                assert got[e, h] == pytest.approx(val / sum(vals),
                                                  rel=1e-12, abs=1e-300)
        if into.size:
            np.testing.assert_allclose(got[into].sum(axis=0), 1.0, **TOL)


def test_edge_softmax_empty_graph():
    g = ref.RefGraph(3, [], [], [], num_relations=2)
    assert ref.edge_softmax(g, np.zeros((0, 4))).shape == (0, 4)
    assert ref.aggregate(g, np.zeros((0, 4)), "mean").shape == (3, 4)


def test_relation_and_node_type_sums(graph):
    rng = np.random.default_rng(3)
    for dom in ("edge", "src_rel", "dst_rel"):
        x = rnd(rng, graph.domain_size(dom), 2, 2)
        rel = graph.relation_of(dom)
        got = ref.relation_sum(graph, x, dom)
        for r in range(graph.num_relations):
            want = sum((x[i] for i in range(len(rel)) if rel[i] == r),
                       np.zeros((2, 2)))
            np.testing.assert_allclose(got[r], want, **TOL)
    x = rnd(rng, graph.num_nodes, 3)
    got = ref.node_type_sum(graph, x)
    for t in range(graph.num_node_types):
        np.testing.assert_allclose(got[t], x[graph.ntype == t].sum(0), **TOL)


def test_merge_node_types(graph):
    rng = np.random.default_rng(4)
    parts = [rnd(rng, graph.domain_size("node", t), 3)
             for t in range(graph.num_node_types)]
    got = ref.merge_node_types(graph, parts)
    for v in range(graph.num_nodes):
        t = graph.ntype[v]
        rank = int(np.sum(graph.ntype[:v] == t))
        np.testing.assert_array_equal(got[v], parts[t][rank])
    with pytest.raises(ValueError, match="one input per node type"):
        ref.merge_node_types(graph, parts + [parts[0]])


def row_times(x, w):
    """One element: ``x . w`` by the typed_linear shape rules, in loops."""
    if w.ndim == 2:
        return x @ w
    return np.stack([(x[h] if x.ndim == 2 else x) @ w[h]
                     for h in range(w.shape[0])])


@pytest.mark.parametrize("wshape, xshape", [
    ((3, 4), (3,)), ((3, 4), (2, 3)), ((2, 3, 4), (2, 3)), ((2, 3, 4), (3,))])
def test_typed_linear(graph, wshape, xshape):
    rng = np.random.default_rng(5)
    g = graph
    wr = rnd(rng, g.num_relations, *wshape)
    wt = rnd(rng, g.num_node_types, *wshape)
    hn = rnd(rng, g.num_nodes, *xshape)
    # on src / dst, by relation and by node_type, onto edges and pairs.
    for on, node in (("src", g.src), ("dst", g.dst)):
        e_rel = ref.typed_linear(g, hn, wr, "relation", on)
        e_typ = ref.typed_linear(g, hn, wt, "node_type", on)
        for e in range(g.num_edges):
            np.testing.assert_allclose(
                e_rel[e], row_times(hn[node[e]], wr[g.etype[e]]), **TOL)
            np.testing.assert_allclose(
                e_typ[e], row_times(hn[node[e]], wt[g.ntype[node[e]]]), **TOL)
        pn = getattr(g, f"{on}_rel_node")
        pr = getattr(g, f"{on}_rel_rel")
        p_rel = ref.typed_linear(g, hn, wr, "relation", on, f"{on}_rel")
        for p in range(len(pn)):
            np.testing.assert_allclose(p_rel[p], row_times(hn[pn[p]],
                                                           wr[pr[p]]), **TOL)
    # on self.
    for dom in ("edge", "src_rel", "dst_rel"):
        x = rnd(rng, g.domain_size(dom), *xshape)
        got = ref.typed_linear(g, x, wr, "relation", "self", dom)
        rel = g.relation_of(dom)
        for i in range(len(x)):
            np.testing.assert_allclose(got[i], row_times(x[i], wr[rel[i]]),
                                       **TOL)
    got = ref.typed_linear(g, hn, wt, "node_type")
    for v in range(g.num_nodes):
        np.testing.assert_allclose(got[v], row_times(hn[v], wt[g.ntype[v]]),
                                   **TOL)
    # linear: one shared weight.
    got = ref.linear(hn, Shared(wr[0]))
    for v in range(g.num_nodes):
        np.testing.assert_allclose(got[v], row_times(hn[v], wr[0]), **TOL)


def test_typed_linear_rejects_bad_shapes(graph):
    hn = np.zeros((graph.num_nodes, 5))
    with pytest.raises(ValueError, match="must end in the weight's input"):
        ref.typed_linear(graph, hn, np.zeros((graph.num_relations, 4, 2)),
                         "relation", "src")
    with pytest.raises(ValueError, match="multi-head weight"):
        ref.typed_linear(graph, np.zeros((graph.num_nodes, 3, 4)),
                         np.zeros((graph.num_relations, 2, 4, 2)),
                         "relation", "src")
    with pytest.raises(ValueError, match="relation domain has"):
        ref.typed_linear(graph, hn, np.zeros((1, 5, 2)), "relation", "src")
    with pytest.raises(ValueError, match="result domain for 'on src'"):
        ref.typed_linear(graph, hn, np.zeros((graph.num_relations, 5, 2)),
                         "relation", "src", "dst_rel")


def test_weight_product():
    rng = np.random.default_rng(6)
    T = 3
    a, b = rnd(rng, T, 2, 4, 5), rnd(rng, T, 2, 5, 3)
    got = ref.weight_product(a, b)                       # matrix product
    for t in range(T):
        for h in range(2):
            np.testing.assert_allclose(got[t, h], a[t, h] @ b[t, h], **TOL)
    shared = rnd(rng, 2, 5, 3)
    got = ref.weight_product(a, Shared(shared))
    for t in range(T):
        for h in range(2):
            np.testing.assert_allclose(got[t, h], a[t, h] @ shared[h], **TOL)
    vec = rnd(rng, T, 2, 5)                              # matrix-vector
    got = ref.weight_product(a, vec)
    for t in range(T):
        for h in range(2):
            np.testing.assert_allclose(got[t, h], a[t, h] @ vec[t, h], **TOL)
    got = ref.weight_product(Shared(a[0]), vec)
    np.testing.assert_allclose(got[1, 1], a[0, 1] @ vec[1, 1], **TOL)
    coeff, bases = rnd(rng, T, 4), rnd(rng, 4, 3, 2)     # basis combination
    got = ref.weight_product(coeff, Shared(bases))
    for t in range(T):
        want = sum(coeff[t, k] * bases[k] for k in range(4))
        np.testing.assert_allclose(got[t], want, **TOL)
    both = ref.weight_product(Shared(coeff[0]), Shared(bases))
    assert isinstance(both, Shared)
    np.testing.assert_allclose(both.value, got[0], **TOL)
    with pytest.raises(ValueError, match="contraction size mismatch"):
        ref.weight_product(a, a)
    with pytest.raises(ValueError, match="must start with the length"):
        ref.weight_product(coeff, Shared(bases[:2]))


def test_products_and_scale():
    rng = np.random.default_rng(7)
    x, y = rnd(rng, 5, 3, 4), rnd(rng, 5, 3, 4)
    ip = ref.inner_product(x, y)
    op = ref.outer_product(x, rnd(rng, 5, 3, 2))
    s = rnd(rng, 5, 3)
    sc = ref.scale(s, x)
    shared = rnd(rng, 3, 4)
    ips = ref.inner_product(x, Shared(shared))
    for i in range(5):
        for h in range(3):
            assert ip[i, h] == pytest.approx(sum(x[i, h] * y[i, h]), rel=1e-12)
            assert ips[i, h] == pytest.approx(sum(x[i, h] * shared[h]),
                                              rel=1e-12)
            np.testing.assert_allclose(sc[i, h], s[i, h] * x[i, h], **TOL)
    z = rnd(rng, 5, 3, 2)
    op = ref.outer_product(x, z)
    assert op.shape == (5, 3, 4, 2)
    np.testing.assert_allclose(op[2, 1], np.outer(x[2, 1], z[2, 1]), **TOL)
    with pytest.raises(ValueError, match="without its last dim"):
        ref.scale(x, x)


def test_unary_ops():
    xs = np.array([[-800.0, -3.0, -0.5, 0.0], [1e-8, 0.7, 2.0, 800.0]])
    for i, x in np.ndenumerate(xs):
        assert ref.sigmoid(xs)[i] == pytest.approx(
            1 / (1 + math.exp(-x)) if x > -700 else 0.0, rel=1e-14, abs=0)
        want_gelu = 0.5 * x * (1 + math.erf(x / math.sqrt(2)))
        assert ref.gelu(xs)[i] == pytest.approx(want_gelu, rel=1e-13,
                                                abs=1e-16)
        assert ref.relu(xs)[i] == max(x, 0.0)
        assert ref.neg(xs)[i] == -x
        assert ref.leaky_relu(xs, 0.2)[i] == (x if x >= 0 else 0.2 * x)
        assert ref.leaky_relu(xs)[i] == (x if x >= 0 else 0.01 * x)
        assert ref.tanh(xs)[i] == pytest.approx(math.tanh(x), rel=1e-15)
    # Known values of the exact (erf) GELU, not the tanh approximation.
    assert ref.gelu(np.array([1.0]))[0] == pytest.approx(0.8413447460685429,
                                                         rel=1e-15)
    assert ref.gelu(np.array([-1.0]))[0] == pytest.approx(-0.15865525393145707,
                                                          rel=1e-15)
    assert ref.exp(np.array([[1.0]]))[0, 0] == math.e
    with np.errstate(over="ignore"):
        assert ref.exp(np.array([800.0]))[0] == np.inf


def test_binary_ops_and_broadcast():
    rng = np.random.default_rng(8)
    x, y = rnd(rng, 4, 2, 3), rnd(rng, 4, 2, 3) + 3
    bias, c = rnd(rng, 2, 3), 0.5
    np.testing.assert_array_equal(ref.add(x, y), x + y)
    np.testing.assert_array_equal(ref.sub(x, y), x - y)
    np.testing.assert_array_equal(ref.mul(x, y), x * y)
    np.testing.assert_array_equal(ref.div(x, y), x / y)
    z = np.where(rng.random(x.shape) < 0.5, x, y)
    np.testing.assert_array_equal(ref.equal(x, z), (z == x) * 1.0)
    assert 0 < ref.equal(x, z).sum() < x.size
    for i in range(4):
        np.testing.assert_array_equal(ref.add(x, Shared(bias))[i], x[i] + bias)
        np.testing.assert_array_equal(ref.sub(Shared(c), x)[i], c - x[i])
        np.testing.assert_array_equal(ref.div(Shared(bias), y)[i],
                                      bias / y[i])
    with pytest.raises(ValueError, match="must be a scalar or the "
                       "per-element shape"):
        ref.add(x, Shared(bias[0]))
    with pytest.raises(ValueError, match="both 'lhs' and 'rhs' are shared"):
        ref.mul(Shared(c), Shared(c))
    with pytest.raises(ValueError, match="must have the same shape"):
        ref.add(x, y[:3])


def test_shape_ops():
    rng = np.random.default_rng(9)
    a, b = rnd(rng, 3, 2, 4), rnd(rng, 3, 2, 5)
    cat = ref.concat([a, b], dim=1)
    assert cat.shape == (3, 2, 9)
    np.testing.assert_array_equal(cat[1, 0], np.concatenate([a[1, 0],
                                                             b[1, 0]]))
    pa, pb = ref.split(cat, 1, [4, 5])
    np.testing.assert_array_equal(pa, a)
    np.testing.assert_array_equal(pb, b)
    c0 = ref.concat([a, a], dim=0)
    assert c0.shape == (3, 4, 4)
    t = ref.transpose(a, [1, 0])
    assert t.shape == (3, 4, 2)
    np.testing.assert_array_equal(t[2], a[2].T)
    ts = ref.transpose(Shared(a[0]), [1, 0])
    assert isinstance(ts, Shared) and ts.shape == (4, 2)
    r = ref.reshape(a, [8])
    np.testing.assert_array_equal(r[1], a[1].reshape(-1))
    np.testing.assert_array_equal(ref.reshape(r, (2, 4)), a)
    assert ref.reshape(Shared(a[0]), (8,)).shape == (8,)
    with pytest.raises(ValueError, match="dim 2 is out of range"):
        ref.concat([a, b], dim=2)
    with pytest.raises(ValueError, match="do not add up"):
        ref.split(cat, 1, [4, 4])
    with pytest.raises(ValueError, match="element counts differ"):
        ref.reshape(a, [7])
    with pytest.raises(ValueError, match="not a permutation"):
        ref.transpose(a, [0, 0])


# ---------------------------------------------------------------------------
# RGCN by its formula, with explicit loops, on a tiny graph
# ---------------------------------------------------------------------------

def test_rgcn_formula_with_loops():
    # 5 nodes, 3 relations (relation 2 empty); node 4 has no incoming edge;
    # node 1 gets two edges of relation 0 and one of relation 1.
    edges = [(0, 0, 1), (2, 0, 1), (3, 1, 1), (1, 0, 2), (0, 1, 3),
             (1, 1, 3), (4, 0, 0), (4, 0, 0)]
    g = ref.RefGraph(5, [e[0] for e in edges], [e[2] for e in edges],
                     [e[1] for e in edges], num_relations=3)
    rng = np.random.default_rng(10)
    w = ref.init_weights("rgcn", g, 3, 2, rng=rng)
    h = rng.standard_normal((5, 3))
    out = ref.rgcn(g, h, w)
    for i in range(5):
        want = [sum(h[i][k] * w["w_root"][k][o] for k in range(3))
                + w["bias"][o] for o in range(2)]
        for r in range(3):
            nbrs = [s for s, rr, d in edges if rr == r and d == i]
            for o in range(2):
                total = 0.0
                for j in nbrs:
                    total += sum(h[j][k] * w["w"][r][k][o] for k in range(3))
                if nbrs:
                    want[o] += total / len(nbrs)
        np.testing.assert_allclose(out[i], want, **TOL)


def test_rgcn_variants_agree():
    """The basis weights and the 1/|N_r(i)| norm reproduce plain RGCN."""
    g = GRAPHS["three-types"]()
    rng = np.random.default_rng(11)
    wb = ref.init_weights("rgcn_basis_norm", g, 4, 6, rng=rng, num_bases=3)
    h = rng.standard_normal((g.num_nodes, 4))
    w_r = np.einsum("rb,bio->rio", wb["coeff"], wb["bases"])
    plain = ref.rgcn(g, h, {"w": w_r, "w_root": wb["w_root"],
                            "bias": wb["bias"]})
    np.testing.assert_allclose(ref.rgcn_basis_norm(g, h, wb), plain, **TOL)
    basis_only = {k: v for k, v in wb.items() if k != "norm"}
    np.testing.assert_allclose(ref.rgcn(g, h, basis_only), plain, **TOL)
    with pytest.raises(ValueError, match=r"missing weights \['norm'\]"):
        ref.rgcn_basis_norm(g, h, basis_only)
    with pytest.raises(ValueError, match="unexpected weights"):
        ref.rgcn(g, h, dict(wb, extra=1))


# ---------------------------------------------------------------------------
# Models against plain PyTorch
# ---------------------------------------------------------------------------

def T(x):
    return torch.as_tensor(np.asarray(x), dtype=torch.float64)


def torch_rgcn(g, h, w):
    """RGCNConv(aggr="mean") semantics, relation by relation; with 'norm'
    the per-edge constants replace the mean; with 'coeff'/'bases' the
    relation weights are the basis combination."""
    h = T(h)
    if "coeff" in w:
        weight = torch.einsum("rb,bio->rio", T(w["coeff"]), T(w["bases"]))
    else:
        weight = T(w["w"])
    out = h @ T(w["w_root"]) + T(w["bias"])
    src, dst = torch.as_tensor(g.src), torch.as_tensor(g.dst)
    for r in range(g.num_relations):
        mask = torch.as_tensor(g.etype == r)
        if not mask.any():
            continue
        msg = h[src[mask]] @ weight[r]
        if "norm" in w:
            msg = msg * T(w["norm"])[mask][:, None]
            out = out.index_add(0, dst[mask], msg)
        else:
            total = torch.zeros_like(out).index_add(0, dst[mask], msg)
            cnt = torch.bincount(dst[mask], minlength=g.num_nodes)
            out = out + total / cnt.clamp(min=1)[:, None].double()
    return out.numpy()


def torch_segment_softmax(score, dst, num_nodes):
    """Softmax of per-edge scores [E, H] over the edges into each node."""
    out = torch.zeros_like(score)
    for v in range(num_nodes):
        idx = (dst == v).nonzero().flatten()
        if len(idx):
            out[idx] = torch.softmax(score[idx], dim=0)
    return out


def torch_rgat(g, h, w, negative_slope=0.2):
    h = T(h)
    W, attn = T(w["w"]), w["attn"]
    shared_attn = isinstance(attn, Shared)
    attn = T(attn.value if shared_attn else attn)
    R, H, _, D = W.shape
    E = g.num_edges
    src, dst = torch.as_tensor(g.src), torch.as_tensor(g.dst)
    z_src = torch.zeros(E, H, D)
    score = torch.zeros(E, H)
    for r in range(R):
        m = torch.as_tensor(g.etype == r)
        if not m.any():
            continue
        zj = torch.einsum("ek,hkd->ehd", h[src[m]], W[r])
        zi = torch.einsum("ek,hkd->ehd", h[dst[m]], W[r])
        a = attn if shared_attn else attn[r]
        s = (zi * a[:, :D]).sum(-1) + (zj * a[:, D:]).sum(-1)
        z_src[m] = zj
        score[m] = torch.nn.functional.leaky_relu(s, negative_slope)
    alpha = torch_segment_softmax(score, dst, g.num_nodes)
    out = torch.zeros(g.num_nodes, H, D).index_add(
        0, dst, alpha[:, :, None] * z_src)
    return out.reshape(g.num_nodes, H * D).numpy()


def torch_hgt(g, h, w):
    """PyG HGTConv semantics, written per node type and per relation."""
    h = T(h)
    N, TT, R = g.num_nodes, g.num_node_types, g.num_relations
    H, D = w["a_rel"].shape[1], w["a_rel"].shape[2]
    F = H * D
    ntype = torch.as_tensor(g.ntype)
    k, q, v = (torch.zeros(N, F) for _ in range(3))
    for t in range(TT):
        m = ntype == t
        k[m] = h[m] @ T(w["w_k"][t]) + T(w["b_k"][t])
        q[m] = h[m] @ T(w["w_q"][t]) + T(w["b_q"][t])
        v[m] = h[m] @ T(w["w_v"][t]) + T(w["b_v"][t])
    k, q, v = k.view(N, H, D), q.view(N, H, D), v.view(N, H, D)
    src, dst = torch.as_tensor(g.src), torch.as_tensor(g.dst)
    E = g.num_edges
    k_e, v_e, score = torch.zeros(E, H, D), torch.zeros(E, H, D), \
        torch.zeros(E, H)
    for r in range(R):
        m = torch.as_tensor(g.etype == r)
        if not m.any():
            continue
        # Like HeteroLinear over (head, relation) types: row times matrix.
        k_e[m] = torch.einsum("ehd,hdf->ehf", k[src[m]], T(w["a_rel"][r]))
        v_e[m] = torch.einsum("ehd,hdf->ehf", v[src[m]], T(w["m_rel"][r]))
        score[m] = (q[dst[m]] * k_e[m]).sum(-1) * T(w["mu"][r])
    score = score / math.sqrt(D)
    alpha = torch_segment_softmax(score, dst, N)
    o = torch.zeros(N, H, D).index_add(0, dst, v_e * alpha[:, :, None])
    o = torch.nn.functional.gelu(o.reshape(N, F))        # exact (erf) gelu
    out = torch.zeros(N, F)
    for t in range(TT):
        m = ntype == t
        y = o[m] @ T(w["w_out"][t]) + T(w["b_out"][t])
        if "skip" in w and h.shape[1] == F:
            beta = torch.sigmoid(T(w["skip"][t]))
            y = beta * y + (1 - beta) * h[m]
        out[m] = y
    return out.numpy()


MODEL_CASES = [
    # model, in_dim, out_dim, heads, graph
    ("rgcn", 5, 7, 1, "one-type"),
    ("rgcn", 6, 4, 1, "three-types"),
    ("rgcn_basis", 4, 4, 1, "three-types"),
    ("rgcn_norm", 3, 5, 1, "typed-triples"),
    ("rgcn_basis_norm", 6, 6, 1, "one-type"),
    ("rgat", 5, 8, 2, "one-type"),
    ("rgat", 6, 6, 1, "three-types"),
    ("rgat", 4, 12, 3, "typed-triples"),
    ("hgt", 8, 8, 2, "three-types"),
    ("hgt", 12, 12, 4, "typed-triples"),
    ("hgt", 6, 6, 1, "one-type"),
    ("hgt", 6, 8, 2, "typed-triples"),     # in != out: no skip
]


@needs_torch
@pytest.mark.parametrize("model, in_dim, out_dim, heads, gname", MODEL_CASES)
def test_model_matches_torch(model, in_dim, out_dim, heads, gname):
    g = GRAPHS[gname]()
    rng = np.random.default_rng(hash((model, in_dim, gname)) % 2**32)
    w = ref.init_weights(model, g, in_dim, out_dim, heads, rng=rng,
                         num_bases=3)
    if "norm" in w:
        w["norm"] = rng.uniform(0.1, 2.0, size=g.num_edges)  # arbitrary c_e
    h = rng.standard_normal((g.num_nodes, in_dim))
    got = ref.MODELS[model](g, h, w)
    impl = {"rgat": torch_rgat, "hgt": torch_hgt}.get(model, torch_rgcn)
    want = impl(g, h, w)
    assert got.shape == (g.num_nodes, out_dim)
    np.testing.assert_allclose(got, want, **TOL)
    if model == "rgat":
        # Nodes without incoming edges get zero.
        nobody = np.bincount(g.dst, minlength=g.num_nodes) == 0
        assert (got[nobody] == 0).all()


@needs_torch
def test_rgat_shared_attention_matches_torch():
    """PyG's RGATConv case: one attention vector shared by all relations."""
    g = GRAPHS["three-types"]()
    rng = np.random.default_rng(12)
    w = ref.init_weights("rgat", g, 5, 6, 3, rng=rng)
    w["attn"] = Shared(rng.uniform(-1, 1, size=(3, 4)))
    h = rng.standard_normal((g.num_nodes, 5))
    np.testing.assert_allclose(ref.rgat(g, h, w), torch_rgat(g, h, w), **TOL)


@needs_torch
def test_gelu_and_sigmoid_match_torch():
    x = np.linspace(-12, 12, 1001)[:, None]
    # torch evaluates x/2 (1 + erf(x/sqrt 2)), which cancels for x << 0;
    # the reference's erfc form is the accurate one, hence the atol.
    np.testing.assert_allclose(
        ref.gelu(x), torch.nn.functional.gelu(T(x)).numpy(), rtol=1e-13,
        atol=1e-14)
    np.testing.assert_allclose(ref.sigmoid(x), torch.sigmoid(T(x)).numpy(),
                               rtol=1e-14)


def test_init_weights_validation():
    with pytest.raises(ValueError, match="heads \\(3\\) must divide"):
        ref.init_weights("hgt", (2, 3), 8, 8, heads=3)
    with pytest.raises(ValueError, match="needs a graph"):
        ref.init_weights("rgcn_basis_norm", (1, 3), 8, 8)
    with pytest.raises(ValueError, match="unknown model"):
        ref.init_weights("gcn", (1, 3), 8, 8)
    w = ref.init_weights("hgt", (2, 3), 8, 8, heads=2, rng=0)
    assert w["a_rel"].shape == (3, 2, 4, 4) and w["skip"].shape == (2,)
    assert "skip" not in ref.init_weights("hgt", (2, 3), 8, 4, heads=2)
