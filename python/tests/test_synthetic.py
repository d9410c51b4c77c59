"""Synthetic graphs at published scale."""

import numpy as np
import pytest

from hector.data import SYNTHETIC_SPECS, load_dataset, synthetic_graph

PUBLISHED = {
    # name: (nodes, edges, relations, node types)
    "bgs": (333_845, 916_199, 103, 1),
    "am": (1_666_764, 5_988_321, 133, 1),
    "bgs-dgl": (94_806, 672_884, 122, 27),
    "am-dgl": (881_680, 5_668_682, 108, 7),
    "ogbn-mag": (1_939_743, 21_111_007, 4, 4),
    "ogbl-wikikg2": (2_500_604, 17_137_181, 535, 1),
    "ogbl-biokg": (93_773, 5_088_434, 51, 5),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_spec_counts(name):
    s = SYNTHETIC_SPECS[name]
    assert (s.num_nodes, s.num_edges, len(s.relations), len(s.ntypes)) == \
        PUBLISHED[name]


@pytest.mark.parametrize("name", ["bgs", "bgs-dgl", "ogbl-biokg"])
def test_full_scale_counts(name):
    g = synthetic_graph(name)
    assert (g.num_nodes, g.num_edges, g.num_relations, g.num_ntypes) == \
        PUBLISHED[name]
    # Skewed degrees: the busiest node has far more than the mean.
    deg = np.bincount(g.dst, minlength=g.num_nodes)
    assert deg.max() > 50 * deg.mean()


def test_mag_relation_sizes_small_scale():
    g = synthetic_graph("ogbn-mag", scale=0.01)
    sizes = g.edges_per_relation()
    want = np.array([1_043_998, 7_145_660, 5_416_271, 7_505_078]) * 0.01
    assert np.allclose(sizes, want, atol=2)
    for r, (s, _, d) in enumerate(g.canonical_etypes):
        m = g.etype == r
        assert set(np.unique(g.ntype[g.src[m]])) == {g.ntype_id(s)}
        assert set(np.unique(g.ntype[g.dst[m]])) == {g.ntype_id(d)}


def test_reproducible_and_seeded():
    a = synthetic_graph("ogbl-wikikg2", scale=0.002, seed=7)
    b = synthetic_graph("ogbl-wikikg2", scale=0.002, seed=7)
    c = synthetic_graph("ogbl-wikikg2", scale=0.002, seed=8)
    assert np.array_equal(a.src, b.src) and np.array_equal(a.etype, b.etype)
    assert not np.array_equal(a.src, c.src)
    assert a.num_relations == 535
    assert a.num_nodes == round(2_500_604 * 0.002)


def test_via_load_dataset_and_names():
    g = load_dataset("am", scale=0.001)
    assert g.num_edges == round(5_988_321 * 0.001)
    assert g.node_names[3] == "node/3"
    with pytest.raises(KeyError):
        synthetic_graph("nope")
