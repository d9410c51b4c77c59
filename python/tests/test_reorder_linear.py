"""Compiled numbers of the forms rgnn-reorder-linear rewrites.

The example models exercise attention folding (RGAT) and the key transform
(HGT) through test_cpu_correctness; this file covers the rewrites they do
not reach: chain merging (per node type through a split into heads, and
shared) and folding a shared attention vector to a scalar score. Each
function is compiled with the pass on and off, and both must match the
float64 reference of the original (unrewritten) computation.
"""

import numpy as np
import pytest

from hector import reference as ref
from hector import runtime
from hector.compiler import compile_module
from hector.prep import prepare_arrays
from hector.testing import f32, fresh_seed, typed_graph

R, T = 5, 2


def module_text(triples):
    trip = ", ".join(f"({s}, {r}, {d})" for s, r, d in triples)
    return f"""
!g = !rgnn.graph<node_types = {T}, relations = {R}, triples = [{trip}]>
func.func @chain(%g: !g, %x: !rgnn.feat<node, 6xf32>, %w1: !rgnn.feat<node_type, 6x16xf32>,
                 %w2: !rgnn.feat<relation, 2x8x5xf32>) -> !rgnn.feat<node, 2x5xf32> {{
  %y = rgnn.typed_linear %g, %x, %w1 by node_type
      : (!g, !rgnn.feat<node, 6xf32>, !rgnn.feat<node_type, 6x16xf32>) -> !rgnn.feat<node, 16xf32>
  %yh = rgnn.reshape %y : !rgnn.feat<node, 16xf32> -> !rgnn.feat<node, 2x8xf32>
  %m = rgnn.typed_linear %g, %yh, %w2 by relation on src
      : (!g, !rgnn.feat<node, 2x8xf32>, !rgnn.feat<relation, 2x8x5xf32>) -> !rgnn.feat<edge, 2x5xf32>
  %o = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 2x5xf32>) -> !rgnn.feat<node, 2x5xf32>
  return %o : !rgnn.feat<node, 2x5xf32>
}}
func.func @shared_chain(%g: !g, %x: !rgnn.feat<node, 6xf32>, %w1: tensor<6x8xf32>,
                        %w2: !rgnn.feat<relation, 8x7xf32>) -> !rgnn.feat<node, 7xf32> {{
  %y = rgnn.linear %x, %w1 : (!rgnn.feat<node, 6xf32>, tensor<6x8xf32>) -> !rgnn.feat<node, 8xf32>
  %m = rgnn.typed_linear %g, %y, %w2 by relation on dst
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x7xf32>) -> !rgnn.feat<edge, 7xf32>
  %o = rgnn.aggregate %g, %m sum to src : (!g, !rgnn.feat<edge, 7xf32>) -> !rgnn.feat<node, 7xf32>
  return %o : !rgnn.feat<node, 7xf32>
}}
func.func @shared_vector(%g: !g, %h: !rgnn.feat<node, 6xf32>, %w: !rgnn.feat<relation, 6x4xf32>,
                         %a: tensor<4xf32>) -> !rgnn.feat<node, 6xf32> {{
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 6xf32>, !rgnn.feat<relation, 6x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %s = rgnn.inner_product %z, %a : (!rgnn.feat<edge, 4xf32>, tensor<4xf32>) -> !rgnn.feat<edge, f32>
  %p = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, f32>) -> !rgnn.feat<edge, f32>
  %hs = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 6xf32>) -> !rgnn.feat<edge, 6xf32>
  %m = rgnn.scale %p, %hs : (!rgnn.feat<edge, f32>, !rgnn.feat<edge, 6xf32>) -> !rgnn.feat<edge, 6xf32>
  %o = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 6xf32>) -> !rgnn.feat<node, 6xf32>
  return %o : !rgnn.feat<node, 6xf32>
}}
"""


def reference_of(name, g, x, w):
    if name == "chain":
        y = ref.typed_linear(g, x, w["w1"], by="node_type")
        yh = ref.reshape(y, (2, 8))
        m = ref.typed_linear(g, yh, w["w2"], on="src", domain="edge")
        return ref.aggregate(g, m, "sum", "dst")
    if name == "shared_chain":
        y = ref.linear(x, w["w1"])
        m = ref.typed_linear(g, y, w["w2"], on="dst", domain="edge")
        return ref.aggregate(g, m, "sum", "src")
    z = ref.typed_linear(g, x, w["w"], on="src", domain="edge")
    s = ref.inner_product(z, ref.Shared(w["a"]))
    p = ref.edge_softmax(g, s)
    return ref.aggregate(g, ref.scale(p, ref.gather(g, x, "src")), "sum")


WEIGHTS = {"chain": {"w1": (T, 6, 16), "w2": (R, 2, 8, 5)},
           "shared_chain": {"w1": (6, 8), "w2": (R, 8, 7)},
           "shared_vector": {"w": (R, 6, 4), "a": (4,)}}


@pytest.fixture(scope="module")
def graph():
    n, src, dst, rel, _, ntype, _, triples = typed_graph(
        11, 120, 900, R, T, empty_rels=(3,), no_in=(0, 7))
    return (prepare_arrays(n, src, dst, rel, R, ntype, T),
            ref.RefGraph(n, src, dst, rel, ntype, R, T, triples), triples)


@pytest.mark.parametrize("reorder", ["true", "false"])
@pytest.mark.parametrize("name", list(WEIGHTS))
def test_reorder_forms(graph, tmp_path, name, reorder):
    prepared, g, triples = graph
    lib = compile_module(module_text(triples), cache_dir=tmp_path,
                         options=f"reorder={reorder}")
    fn = runtime.load(lib).function(name)
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    x = f32(rng.standard_normal((g.num_nodes, 6)))
    w = {k: f32(rng.standard_normal(s)) for k, s in WEIGHTS[name].items()}
    out = fn.bind(prepared).run([x] + list(w.values()), poison=True)
    want = reference_of(name, g, x, w)
    err = np.linalg.norm(out - want) / np.linalg.norm(want)
    assert err < 1e-5, f"{name} reorder={reorder}: {err:.3e} (seed {seed})"
