"""The loaders reproduce the published counts of every real dataset."""

import numpy as np
import pytest

from hector.data import load_dataset


def test_aifb_paper(data_root):
    g = load_dataset("aifb", preprocessing="paper")
    assert (g.num_nodes, g.num_edges, g.num_relations) == (8285, 58086, 90)
    assert g.meta["num_triples"] == 29043
    assert g.num_classes == 4
    assert len(g.node_splits["train"]) == 140
    assert len(g.node_splits["test"]) == 36
    assert (g.labels >= 0).sum() == 176
    # Reverse edges mirror forward ones with relation r + R.
    E, R = g.num_edges // 2, g.num_relations // 2
    assert np.array_equal(g.src[:E], g.dst[E:])
    assert np.array_equal(g.etype[:E] + R, g.etype[E:])
    # Names: every node id has its IRI or literal.
    v = g.node_splits["train"][0]
    assert g.node_names[v].startswith("http://www.aifb.uni-karlsruhe.de/Personen/")
    assert g.etype_names[R].startswith("rev-")


def test_aifb_dgl(data_root):
    g = load_dataset("aifb", preprocessing="dgl")
    assert (g.num_nodes, g.num_edges) == (7262, 48810)
    assert g.num_ntypes == 7
    assert g.num_relations == 104  # canonical edge types, as in DGL
    assert len(set(g.meta["relation_names"])) == 78
    assert g.target_ntype == "Personen"
    assert len(g.node_splits["train"]) == 140
    assert len(g.node_splits["test"]) == 36
    assert g.num_classes == 4
    persons = g.ntype[g.node_splits["train"]]
    assert set(persons.tolist()) == {g.ntype_id("Personen")}
    # Canonical types agree with the node types of every edge.
    for r, (s, _, d) in enumerate(g.canonical_etypes):
        m = g.etype == r
        assert set(g.ntype[g.src[m]].tolist()) <= {g.ntype_id(s)}
        assert set(g.ntype[g.dst[m]].tolist()) <= {g.ntype_id(d)}


def test_fb15k_237(data_root):
    g = load_dataset("fb15k-237")
    assert g.num_nodes == 14541
    assert g.num_relations == 237
    assert g.num_edges == 272115
    sizes = {k: len(v) for k, v in g.edge_splits.items()}
    assert sizes == {"train": 272115, "valid": 17535, "test": 20466}
    assert g.node_names[g.src[0]].startswith("/m/")


@pytest.mark.parametrize("name,nodes,edges,rels,types,classes,per_type", [
    ("acm", 10942, 547872, 8, 4, 3, [3025, 5959, 56, 1902]),
    ("dblp", 26128, 239566, 6, 4, 4, [4057, 14328, 7723, 20]),
])
def test_hgb(data_root, name, nodes, edges, rels, types, classes, per_type):
    g = load_dataset(name, features=False)
    assert (g.num_nodes, g.num_edges, g.num_relations, g.num_ntypes) == \
        (nodes, edges, rels, types)
    assert g.num_classes == classes
    assert g.nodes_per_type().tolist() == per_type
    assert g.canonical_etypes is not None
    labelled = np.concatenate([g.node_splits["train"], g.node_splits["test"]])
    assert (g.labels[labelled] >= 0).all()
    assert set(g.ntype[labelled].tolist()) == {g.ntype_id(g.target_ntype)}


def test_acm_features(data_root):
    g = load_dataset("acm", features=True)
    shapes = {k: v.shape for k, v in g.node_features.items()}
    assert shapes == {"paper": (3025, 1902), "author": (5959, 1902),
                      "subject": (56, 1902)}
    assert all(v.dtype == np.float32 for v in g.node_features.values())
