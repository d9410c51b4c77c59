"""Graph preparation against a brute-force construction."""

import gc

import numpy as np
import pytest

from hector.errors import DataFormatError
from hector.graph import HeteroGraph
from hector.prep import prepare, prepare_arrays


def random_graph(rng, n, e, r, t=3, empty_rels=(), isolated=()):
    allowed_rel = np.setdiff1d(np.arange(r), np.asarray(empty_rels, int))
    allowed_node = np.setdiff1d(np.arange(n), np.asarray(isolated, int))
    # Skewed endpoints so many edges share (src, rel) pairs.
    w = 1.0 / (1 + np.arange(len(allowed_node))) ** 1.2
    w /= w.sum()
    src = rng.choice(allowed_node, size=e, p=w)
    dst = rng.choice(allowed_node, size=e)
    rel = rng.choice(allowed_rel, size=e) if len(allowed_rel) else \
        np.zeros(0, int)
    ntype = rng.integers(0, t, size=n)
    return src, dst, rel, ntype


def brute_force(n, src, dst, rel, r, t, ntype):
    e = len(src)
    out = {}
    rel_eids = [i for k in range(r) for i in range(e) if rel[i] == k]
    out["rel_eids"] = rel_eids
    out["rel_offsets"] = [0] + list(np.cumsum([np.sum(rel == k) for k in range(r)]))
    out["rel_src"] = [src[i] for i in rel_eids]
    out["rel_dst"] = [dst[i] for i in rel_eids]
    for side, key, other in (("in", dst, src), ("out", src, dst)):
        eids = [i for v in range(n) for i in range(e) if key[i] == v]
        out[f"{side}_eids"] = eids
        out[f"{side}_indptr"] = [0] + list(np.cumsum([np.sum(key == v)
                                                       for v in range(n)]))
        out[f"{side}_{'src' if side == 'in' else 'dst'}"] = [other[i] for i in eids]
        out[f"{side}_etype"] = [rel[i] for i in eids]
    for side, key in (("src", src), ("dst", dst)):
        nodes, offsets, e2u, nuniq, maxdeg = [], [0], [None] * e, [], []
        for k in range(r):
            uniq = sorted({key[i] for i in range(e) if rel[i] == k})
            pos = {v: len(nodes) + j for j, v in enumerate(uniq)}
            for i in range(e):
                if rel[i] == k:
                    e2u[i] = pos[key[i]]
            nodes += uniq
            offsets.append(len(nodes))
            nuniq.append(len(uniq))
            mult = [sum(1 for i in range(e) if rel[i] == k and key[i] == v)
                    for v in uniq]
            maxdeg.append(max(mult) if mult else 0)
        out[f"unique_{side}_nodes"] = nodes
        out[f"unique_{side}_offsets"] = offsets
        out[f"edge_to_unique_{side}"] = e2u
        out[f"rel_num_unique_{side}"] = nuniq
        out["rel_max_out_degree" if side == "src" else "rel_max_in_degree"] = maxdeg
    out["in_degree"] = [int(np.sum(dst == v)) for v in range(n)]
    out["out_degree"] = [int(np.sum(src == v)) for v in range(n)]
    out["ntype_counts"] = [int(np.sum(ntype == k)) for k in range(t)]
    return out


def nearest_rank(values, p):
    s = sorted(values)
    if not s:
        return 0
    k = max(1, -(-p * len(s) // 100))
    return s[k - 1]


CASES = [
    # (nodes, edges, relations, ntypes, empty relations, isolated nodes)
    (1, 0, 1, 1, (), ()),
    (5, 0, 3, 2, (), ()),
    (7, 1, 1, 1, (), ()),
    (30, 200, 5, 3, (1, 4), (0, 7, 29)),
    (60, 500, 12, 4, (0, 11), tuple(range(40, 60))),
    (100, 1000, 3, 2, (), ()),
    (15, 400, 2, 1, (), (3,)),  # heavy multi-edges
    (40, 300, 20, 5, tuple(range(0, 20, 2)), (1, 2)),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_against_brute_force(case, dtype):
    n, e, r, t, empty, isolated = case
    rng = np.random.default_rng(hash((case, dtype == np.int32)) % 2**32)
    src, dst, rel, ntype = random_graph(rng, n, e, r, t, empty, isolated)
    p = prepare_arrays(n, src.astype(dtype), dst.astype(dtype),
                       rel.astype(dtype), r, ntype.astype(dtype), t)
    ref = brute_force(n, src, dst, rel, r, t, ntype)
    for name, want in ref.items():
        got = getattr(p, name)
        assert got.tolist() == [int(x) for x in want], name
        assert not got.flags.writeable
    assert p.rel_offsets.dtype == np.int64 and p.in_indptr.dtype == np.int64
    assert p.rel_eids.dtype == np.int32 and p.unique_src_nodes.dtype == np.int32
    s = p.stats
    assert s["num_nodes"] == n and s["num_edges"] == e
    assert s["num_relations"] == r and s["num_node_types"] == t
    assert s["num_empty_relations"] == sum(1 for k in range(r)
                                           if not np.any(rel == k))
    deg_any = np.array(ref["in_degree"]) + np.array(ref["out_degree"])
    assert s["num_isolated_nodes"] == int(np.sum(deg_any == 0))
    for v in isolated:
        assert deg_any[v] == 0
    assert s["num_unique_src_pairs"] == len(ref["unique_src_nodes"])
    assert s["num_unique_dst_pairs"] == len(ref["unique_dst_nodes"])
    for side in ("in", "out"):
        d = ref[f"{side}_degree"]
        got = s[f"{side}_degree"]
        assert got["min"] == min(d) and got["max"] == max(d)
        assert got["mean"] == pytest.approx(np.mean(d))
        assert got["stddev"] == pytest.approx(np.std(d), abs=1e-9)
        assert got["num_zero"] == d.count(0)
        for q in (50, 90, 99):
            assert got[f"p{q}"] == nearest_rank(d, q), (side, q)
    # The compact map reproduces every edge's endpoint.
    assert np.array_equal(p.unique_src_nodes[p.edge_to_unique_src], src)
    assert np.array_equal(p.unique_dst_nodes[p.edge_to_unique_dst], dst)


def test_views_outlive_prepared_graph():
    rng = np.random.default_rng(1)
    src, dst, rel, ntype = random_graph(rng, 50, 300, 4)
    p = prepare_arrays(50, src, dst, rel, 4, ntype, 3)
    view = p.in_src
    want = view.copy()
    del p
    gc.collect()
    _ = [np.zeros(1000) for _ in range(100)]
    assert np.array_equal(view, want)


def test_inputs_not_copied_or_modified():
    src = np.array([2, 0, 1], dtype=np.int64)
    dst = np.array([0, 1, 2], dtype=np.int32)
    rel = np.array([1, 0, 1], dtype=np.int32)
    before = (src.copy(), dst.copy(), rel.copy())
    p = prepare_arrays(3, src, dst, rel, 2)
    assert all(np.array_equal(a, b) for a, b in zip((src, dst, rel), before))
    assert p.rel_eids.tolist() == [1, 0, 2]


def test_prepare_heterograph():
    g = HeteroGraph(name="t", num_nodes=4, src=[0, 1, 2], dst=[1, 2, 3],
                    etype=[0, 0, 1], ntype=[0, 0, 1, 1],
                    ntype_names=["a", "b"], etype_names=["x", "y"],
                    node_names=list("pqrs"))
    p = prepare(g)
    assert p.ntype_counts.tolist() == [2, 2]
    assert p.rel_num_unique_src.tolist() == [2, 1]


# ---- bad input --------------------------------------------------------------

def _ok():
    return dict(num_nodes=4, src=np.array([0, 1, 2]), dst=np.array([1, 2, 3]),
                etype=np.array([0, 1, 0]), num_relations=2,
                ntype=np.array([0, 0, 1, 1]), num_node_types=2)


@pytest.mark.parametrize("change,array,pattern", [
    (dict(src=np.array([0, 4, 2])), "src", r"element 1 is 4, out of range \[0, 4\)"),
    (dict(dst=np.array([0, 1, -1])), "dst", r"element 2 is -1, out of range.*negative"),
    (dict(etype=np.array([0, -3, 0])), "etype", r"element 1 is -3.*negative relation id"),
    (dict(etype=np.array([0, 2, 0])), "etype", r"element 1 is 2, out of range \[0, 2\).*too large"),
    (dict(etype=np.array([0, 2**40, 0])), "etype", r"element 1 is 1099511627776"),
    (dict(dst=np.array([1, 2])), "dst", r"has 2 elements, expected 3"),
    (dict(etype=np.array([0, 1, 0, 1])), "etype", r"has 4 elements, expected 3"),
    (dict(ntype=np.array([0, 0, 1])), "ntype", r"has 3 elements, expected 4"),
    (dict(ntype=np.array([0, 0, 1, 2])), "ntype", r"element 3 is 2.*node type too large"),
    (dict(ntype=np.array([0, -1, 1, 1])), "ntype", r"element 1 is -1.*negative node type"),
    (dict(src=np.array([0.0, 1.0, 2.0])), "src", r"must hold integers"),
    (dict(src=np.array([[0, 1, 2]])), "src", r"one-dimensional"),
])
def test_bad_input_names_the_array(change, array, pattern):
    args = _ok()
    args.update(change)
    with pytest.raises(DataFormatError, match=pattern) as info:
        prepare_arrays(**args)
    assert info.value.array == array
    assert str(info.value).startswith(f"array '{array}': ")


def test_bad_counts():
    args = _ok()
    args["num_nodes"] = -1
    args["ntype"] = None
    args["num_node_types"] = 1
    with pytest.raises(DataFormatError, match="negative count"):
        prepare_arrays(**args)
    args = _ok()
    args["num_nodes"] = 2**31
    with pytest.raises(DataFormatError, match="too large for 32-bit ids"):
        prepare_arrays(**args)


def test_heterograph_validation_names_array():
    with pytest.raises(DataFormatError, match=r"array 'dst': has 2 elements"):
        HeteroGraph(name="t", num_nodes=3, src=[0, 1, 2], dst=[0, 1],
                    etype=[0, 0, 0], ntype=[0, 0, 0], ntype_names=["a"],
                    etype_names=["r"], node_names=list("abc"))
    with pytest.raises(DataFormatError, match=r"array 'src': element 1 is 5"):
        HeteroGraph(name="t", num_nodes=3, src=[0, 5, 2], dst=[0, 1, 2],
                    etype=[0, 0, 0], ntype=[0, 0, 0], ntype_names=["a"],
                    etype_names=["r"], node_names=list("abc"))
    with pytest.raises(DataFormatError, match=r"array 'etype': element 0 is -1"):
        HeteroGraph(name="t", num_nodes=3, src=[0, 1, 2], dst=[0, 1, 2],
                    etype=[-1, 0, 0], ntype=[0, 0, 0], ntype_names=["a"],
                    etype_names=["r"], node_names=list("abc"))


def test_real_graph_consistency(data_root):
    from hector.data import load_dataset
    g = load_dataset("aifb", preprocessing="dgl")
    p = prepare(g)
    assert p.stats["num_edges"] == 48810
    assert np.array_equal(p.rel_src, g.src[p.rel_eids])
    assert np.array_equal(np.diff(p.rel_offsets), g.edges_per_relation())
    assert np.array_equal(p.in_src, g.src[p.in_eids])
    assert np.array_equal(p.out_dst, g.dst[p.out_eids])
    assert np.array_equal(p.ntype_counts, g.nodes_per_type())


def test_missing_library_message(monkeypatch, tmp_path):
    from hector import _runtime
    from hector.errors import RuntimeLibraryError
    monkeypatch.setenv("HECTOR_RUNTIME_LIB", str(tmp_path / "nope.so"))
    with pytest.raises(RuntimeLibraryError, match="does not exist"):
        _runtime.find_library()
    monkeypatch.delenv("HECTOR_RUNTIME_LIB")
    monkeypatch.setenv("HECTOR_BUILD_DIR", str(tmp_path))
    monkeypatch.setattr(_runtime, "repo_root", lambda: tmp_path)
    with pytest.raises(RuntimeLibraryError, match=r"-DHECTOR_ENABLE_MLIR=OFF"):
        _runtime.find_library()


def test_runtime_library_is_found():
    # Must fail (not skip) when the library has not been built.
    from hector import _runtime
    assert _runtime.find_library().is_file()
    assert _runtime.lib().hectorGraphPrepAbiVersion() == _runtime.ABI_VERSION


# ---- graph arrays of the compiled-model ABI ---------------------------------

def brute_force_abi(n, src, dst, rel, r, t, ntype):
    """The arrays docs/abi.md adds to the prepared layout, by definition."""
    e = len(src)
    out = {"src": list(src), "dst": list(dst), "etype": list(rel),
           "ntype": list(ntype)}
    nodes = sorted(range(n), key=lambda v: (ntype[v], v))
    out["ntype_nodes"] = nodes
    out["ntype_offsets"] = [sum(1 for v in range(n) if ntype[v] < k)
                            for k in range(t + 1)]
    for side, key in (("src", src), ("dst", dst)):
        pairs = sorted({(int(rel[i]), int(key[i])) for i in range(e)})
        indptr, eids = [0], []
        for k, v in pairs:
            eids += [i for i in range(e) if rel[i] == k and key[i] == v]
            indptr.append(len(eids))
        out[f"unique_{side}_indptr"] = indptr
        out[f"unique_{side}_eids"] = eids
        ids = [[p for p, (_, v) in enumerate(pairs) if v == u]
               for u in range(n)]
        out[f"{side}_pair_ids"] = [p for row in ids for p in row]
        out[f"{side}_pair_indptr"] = [0] + list(np.cumsum([len(x) for x in ids]))
    return out


@pytest.mark.parametrize("case", CASES)
def test_abi_arrays_against_brute_force(case):
    n, e, r, t, empty, isolated = case
    rng = np.random.default_rng(hash(("abi", case)) % 2**32)
    src, dst, rel, ntype = random_graph(rng, n, e, r, t, empty, isolated)
    p = prepare_arrays(n, src, dst, rel, r, ntype, t)
    for name, want in brute_force_abi(n, src, dst, rel, r, t, ntype).items():
        got = getattr(p, name)
        assert got.tolist() == [int(x) for x in want], name
        assert not got.flags.writeable
        assert got.dtype == (np.int64 if name.endswith(("indptr", "offsets"))
                             else np.int32), name
    # The pair CSRs agree with the compact maps.
    u = p.stats["num_unique_src_pairs"]
    assert len(p.unique_src_indptr) == u + 1
    owner = np.repeat(np.arange(u), np.diff(p.unique_src_indptr))
    assert np.array_equal(p.edge_to_unique_src[p.unique_src_eids], owner)
    assert np.array_equal(
        p.unique_src_nodes[p.src_pair_ids],
        np.repeat(np.arange(n), np.diff(p.src_pair_indptr)))


def test_abi_arrays_without_node_types():
    p = prepare_arrays(4, [0, 3, 3], [1, 1, 2], [1, 0, 1], 2)
    assert p.ntype.tolist() == [0, 0, 0, 0]
    assert p.ntype_offsets.tolist() == [0, 4]
    assert p.ntype_nodes.tolist() == [0, 1, 2, 3]
    # Pairs (src, r) sorted by (r, src): (3,0), (0,1), (3,1).
    assert p.unique_src_indptr.tolist() == [0, 1, 2, 3]
    assert p.unique_src_eids.tolist() == [1, 0, 2]
    assert p.src_pair_indptr.tolist() == [0, 1, 1, 1, 3]
    assert p.src_pair_ids.tolist() == [1, 0, 2]
    # (dst, r): (1,0), (1,1), (2,1).
    assert p.dst_pair_indptr.tolist() == [0, 0, 2, 3, 3]
    assert p.dst_pair_ids.tolist() == [0, 1, 2]


def test_abi_arrays_empty_graph():
    p = prepare_arrays(3, np.zeros(0, np.int32), np.zeros(0, np.int32),
                       np.zeros(0, np.int32), 2, [0, 1, 0], 2)
    assert p.unique_src_indptr.tolist() == [0]
    assert p.unique_dst_eids.tolist() == []
    assert p.src_pair_indptr.tolist() == [0, 0, 0, 0]
    assert p.ntype_offsets.tolist() == [0, 2, 3]
    assert p.ntype_nodes.tolist() == [0, 2, 1]


def test_graph_abi_order_is_complete():
    # A function with a graph argument takes 33 graph arrays (docs/abi.md):
    # the prepared graph's 32, in GRAPH_ABI_ARRAYS' order, then the
    # binding's relation choice table, which no prepared graph holds.
    from hector.prep import ARRAY_IDS, GRAPH_ABI_ARRAYS, REL_CHOICE_ARRAY
    assert len(GRAPH_ABI_ARRAYS) == 32
    assert len(set(GRAPH_ABI_ARRAYS)) == 32
    assert set(GRAPH_ABI_ARRAYS) <= set(ARRAY_IDS)
    assert REL_CHOICE_ARRAY == "rel_choice"
    assert REL_CHOICE_ARRAY not in ARRAY_IDS
    assert REL_CHOICE_ARRAY not in GRAPH_ABI_ARRAYS


def test_add_reverse_edges():
    from hector.graph import add_reverse_edges
    g = HeteroGraph(name="t", num_nodes=3, src=[0, 1], dst=[1, 2],
                    etype=[1, 0], ntype=[0, 1, 1], ntype_names=["a", "b"],
                    etype_names=["x", "y"], node_names=list("pqr"),
                    canonical_etypes=[("b", "x", "b"), ("a", "y", "b")],
                    edge_data={"w": np.array([0.5, 2.0])})
    r = add_reverse_edges(g)
    assert r.src.tolist() == [0, 1, 1, 2] and r.dst.tolist() == [1, 2, 0, 1]
    assert r.etype.tolist() == [1, 0, 3, 2]
    assert r.etype_names == ["x", "y", "rev-x", "rev-y"]
    assert r.canonical_etypes[2:] == [("b", "rev-x", "b"), ("b", "rev-y", "a")]
    assert r.edge_data["w"].tolist() == [0.5, 2.0, 0.5, 2.0]
    assert r.meta["reverse_edge_offset"] == 2
    assert r.meta["reverse_relation_offset"] == 2
    assert g.num_edges == 2  # the input is unchanged


def test_fb15k_with_reverse_edges(data_root):
    from hector.main import load_graph
    g = load_graph("fb15k-237")
    assert (g.num_nodes, g.num_edges, g.num_relations) == (14541, 544230, 474)
    p = prepare(g)
    assert p.stats["num_empty_relations"] == 0
