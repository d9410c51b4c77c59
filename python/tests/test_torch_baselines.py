"""The PyTorch baselines of bench/torch_layers.py against hector.reference.

Every layer runs in float64 (GEMM engine "matmul", compact and per-edge
arrangements) and must match the float64 numpy reference to a relative
error below 1e-6; the oneDNN engine (float32 only) to 1e-4.  Graphs: small
random ones with empty relations, nodes without in-edges, non-contiguous
node types and 1/4 heads, an edgeless graph, and AIFB.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

import torch_layers as tl  # noqa: E402
from hector import reference as ref  # noqa: E402


def rel_err(got, want) -> float:
    got = got.detach().cpu().numpy().astype(np.float64) \
        if isinstance(got, torch.Tensor) else np.asarray(got, np.float64)
    scale = max(float(np.abs(want).max()), 1e-300)
    return float(np.abs(got - want).max()) / scale


def random_graph(seed, n=60, e=400, r=7, t=3, contiguous_types=False,
                 empty_rel=(2, 5), isolated=8):
    rng = np.random.default_rng(seed)
    if contiguous_types:
        ntype = np.sort(rng.integers(0, t, n))
    else:
        ntype = rng.integers(0, t, n)
    ntype[:t] = np.arange(t)                  # every type occurs
    rels = np.array([x for x in range(r) if x not in empty_rel])
    etype = rng.choice(rels, e)
    src = rng.integers(0, n, e)
    # The last `isolated` nodes never receive an edge.
    dst = rng.integers(0, n - isolated, e)
    # Repeated (src, rel) and (dst, rel) pairs, and duplicate edges.
    src[: e // 4] = src[0]
    dst[e // 4: e // 3] = dst[e // 4]
    src[-5:], dst[-5:], etype[-5:] = src[0], dst[0], etype[0]
    return ref.RefGraph(n, src, dst, etype, ntype, num_relations=r,
                        num_node_types=t)


CONFIGS = [("rgcn", 1), ("rgat", 1), ("rgat", 4), ("hgt", 1), ("hgt", 4)]


@pytest.mark.parametrize("model,heads", CONFIGS)
@pytest.mark.parametrize("contiguous", [False, True])
@pytest.mark.parametrize("compact", [True, False])
def test_random_graph_float64(model, heads, contiguous, compact):
    g = random_graph(1 + heads + 10 * contiguous, contiguous_types=contiguous)
    in_dim = out_dim = 8
    w = ref.init_weights(model, g, in_dim, out_dim, heads=heads, rng=3)
    h = np.random.default_rng(4).standard_normal((g.num_nodes, in_dim))
    want = ref.MODELS[model](g, h, w)
    layer = tl.build(model, g, w, heads=heads, dtype=torch.float64,
                     compact=compact)
    assert rel_err(layer(h), want) < 1e-6


@pytest.mark.parametrize("model,heads", CONFIGS)
def test_in_out_differ_float64(model, heads):
    # HGT without the skip connection (in != out), RGCN/RGAT rectangular W.
    g = random_graph(7)
    w = ref.init_weights(model, g, 12, 8, heads=heads, rng=5)
    h = np.random.default_rng(6).standard_normal((g.num_nodes, 12))
    want = ref.MODELS[model](g, h, w)
    got = tl.build(model, g, w, heads=heads, dtype=torch.float64)(h)
    assert got.shape == want.shape
    assert rel_err(got, want) < 1e-6


@pytest.mark.parametrize("model,heads", CONFIGS)
def test_no_edges(model, heads):
    g = ref.RefGraph(5, [], [], [], [0, 1, 0, 1, 1], num_relations=3,
                     num_node_types=2)
    w = ref.init_weights(model, g, 4, 4, heads=heads, rng=1)
    h = np.random.default_rng(2).standard_normal((5, 4))
    want = ref.MODELS[model](g, h, w)
    got = tl.build(model, g, w, heads=heads, dtype=torch.float64)(h)
    assert rel_err(got, want) < 1e-6


@pytest.mark.parametrize("model,heads", CONFIGS)
def test_onednn_float32(model, heads):
    if not torch.backends.mkldnn.is_available():
        pytest.skip("this torch build has no oneDNN")
    g = random_graph(9, contiguous_types=True)
    w = ref.init_weights(model, g, 16, 16, heads=heads, rng=8)
    h = np.random.default_rng(9).standard_normal((g.num_nodes, 16))
    want = ref.MODELS[model](g, h, w)
    got = tl.build(model, g, w, heads=heads, gemm="onednn")(h)
    assert got.dtype == torch.float32
    assert rel_err(got, want) < 1e-4


def test_onednn_rejects_float64():
    g = random_graph(0)
    w = ref.init_weights("rgcn", g, 4, 4)
    with pytest.raises(ValueError, match="float32"):
        tl.build("rgcn", g, w, dtype=torch.float64, gemm="onednn")


def test_reverse_edges():
    src, dst, et, r = tl.reverse_edges([0, 1], [2, 3], [1, 0], 2)
    assert r == 4
    assert src.tolist() == [0, 1, 2, 3] and dst.tolist() == [2, 3, 0, 1]
    assert et.tolist() == [1, 0, 3, 2]


@pytest.fixture(scope="module")
def aifb(data_root):
    from hector.data import load_dataset
    return load_dataset("aifb", preprocessing="paper")


@pytest.mark.parametrize("model,heads", [("rgcn", 1), ("rgat", 4),
                                         ("hgt", 4)])
def test_aifb_float64(aifb, model, heads):
    g = ref.RefGraph.of(aifb)
    in_dim = out_dim = 16
    w = ref.init_weights(model, g, in_dim, out_dim, heads=heads, rng=11)
    h = np.random.default_rng(12).standard_normal((g.num_nodes, in_dim))
    want = ref.MODELS[model](g, h, w)
    got = tl.build(model, aifb, w, heads=heads, dtype=torch.float64)(h)
    assert rel_err(got, want) < 1e-6
