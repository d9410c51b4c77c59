"""Float64 numpy reference of the rgnn dialect and of the example models.

This module is the oracle for Hector's correctness tests.  It implements
every ``rgnn`` op (``include/Hector/Dialect/RGNN/IR/RGNNOps.td``) and the
models of ``examples/models/*.mlir`` directly in numpy, in float64, and
shares no code with the compiler: it does not import :mod:`hector.prep`,
the C runtime or :mod:`hector.models`.  It only reads a graph's
``num_nodes``, ``src``, ``dst``, ``etype`` and ``ntype`` arrays (a
:class:`hector.graph.HeteroGraph` works, duck-typed) and builds its own
index structures (:class:`RefGraph`).

Values
------
A *feature value* is a numpy array ``[num_elements_of_domain,
*per_element_shape]``.  A *shared tensor* (a builtin ``tensor<...>`` operand
in the IR: a shared weight, a bias, a constant) is wrapped in
:class:`Shared` so that it can never be mistaken for a feature whose domain
size happens to equal a dimension.  Plain arrays are always features.

Domains and their element order (defined here, independently of the
runtime, see :class:`RefGraph`):

==============  =======================================================
``node``        ``N`` nodes, by global id
``node[t]``     the nodes of type ``t``, ascending global id
``edge``        ``E`` edges, in the graph's original COO order
``src_rel``     unique (source node, relation) pairs, sorted by
                (relation, source node)
``dst_rel``     unique (destination node, relation) pairs, sorted by
                (relation, destination node)
``relation``    ``R`` relations, by id
``node_type``   ``T`` node types, by id
==============  =======================================================

Ops whose semantics depend on domains that cannot be read off the array
take them as keyword arguments (for example ``aggregate(..., input_domain=
"dst_rel")``), exactly as the op's result or operand type would say in IR.

Models
------
:func:`rgcn`, :func:`rgcn_basis_norm`, :func:`rgat` and :func:`hgt` take
the graph, the node features ``h`` and a dict of weights whose keys are the
``.mlir`` function argument names (``w``, ``w_root``, ``bias``, ...).
:func:`init_weights` makes such a dict with random values.
"""

from __future__ import annotations

import math
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = [
    "Shared", "RefGraph", "DOMAINS",
    # domain movement
    "gather", "aggregate", "edge_softmax", "relation_sum", "node_type_sum",
    "merge_node_types",
    # linear algebra
    "typed_linear", "linear", "weight_product", "inner_product",
    "outer_product", "scale",
    # elementwise
    "exp", "tanh", "sigmoid", "gelu", "relu", "neg", "leaky_relu", "erf",
    "erfc",
    "add", "sub", "mul", "div", "equal",
    # shape
    "concat", "split", "transpose", "reshape",
    # models
    "rgcn", "rgcn_basis_norm", "rgcn_featureless", "rgat", "hgt", "MODELS",
    "init_weights",
    "rgcn_edge_norm",
]

DOMAINS = ("node", "edge", "src_rel", "dst_rel", "relation", "node_type")
_EDGE_LIKE = ("edge", "src_rel", "dst_rel")


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

class Shared:
    """A shared (untyped) builtin tensor operand, such as ``tensor<64xf32>``.

    ``Shared(x).value`` is ``x`` as a float64 array of exactly the tensor's
    shape (no domain dimension).  Ops broadcast it over the domain where the
    op's description allows a shared tensor.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        if isinstance(value, Shared):
            value = value.value
        self.value = np.asarray(value, dtype=np.float64)

    @property
    def shape(self) -> Tuple[int, ...]:
        return self.value.shape

    def __repr__(self):
        return f"Shared(shape={self.value.shape})"


Value = Union[np.ndarray, Shared]


def _feature(x, name: str) -> np.ndarray:
    """A feature operand as a float64 array with a domain dimension."""
    if isinstance(x, Shared):
        raise ValueError(f"'{name}' must be a feature value, not a shared "
                         f"tensor")
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        raise ValueError(f"'{name}' must have a domain dimension")
    return a


def _check_rows(a: np.ndarray, want: int, name: str, domain: str) -> None:
    if a.shape[0] != want:
        raise ValueError(f"'{name}' has {a.shape[0]} elements, but the "
                         f"{domain} domain has {want}")


# ---------------------------------------------------------------------------
# The graph as the reference sees it
# ---------------------------------------------------------------------------

class RefGraph:
    """Index structures of one typed graph, computed here with plain numpy.

    Built from raw arrays or with :meth:`of` from a ``HeteroGraph``.

    * ``src``, ``dst``, ``etype`` (int64 ``[E]``): edges in original order;
    * ``ntype`` (int64 ``[N]``): node types (all zero if not given);
    * ``triples`` (int64 ``[R, 3]`` or ``None``): the canonical
      (src type, relation, dst type) of every relation, needed only by
      ``gather ... by src_type/dst_type``;
    * ``src_rel_node``, ``src_rel_rel`` (``[U_src]``): the unique
      (source, relation) pairs, sorted by (relation, source);
      ``edge_to_src_rel`` (``[E]``) maps each edge to its pair;
    * ``dst_rel_node``, ``dst_rel_rel``, ``edge_to_dst_rel``: the same for
      (destination, relation).
    """

    def __init__(self, num_nodes: int, src, dst, etype, ntype=None,
                 num_relations: Optional[int] = None,
                 num_node_types: Optional[int] = None,
                 triples=None):
        self.num_nodes = int(num_nodes)
        self.src = np.asarray(src, dtype=np.int64).reshape(-1)
        self.dst = np.asarray(dst, dtype=np.int64).reshape(-1)
        self.etype = np.asarray(etype, dtype=np.int64).reshape(-1)
        E = self.src.shape[0]
        if self.dst.shape[0] != E or self.etype.shape[0] != E:
            raise ValueError("src, dst and etype must have one entry per edge")
        if ntype is None:
            ntype = np.zeros(self.num_nodes, dtype=np.int64)
        self.ntype = np.asarray(ntype, dtype=np.int64).reshape(-1)
        if self.ntype.shape[0] != self.num_nodes:
            raise ValueError(f"ntype has {self.ntype.shape[0]} entries, "
                             f"expected num_nodes={self.num_nodes}")
        if num_relations is None:
            num_relations = int(self.etype.max()) + 1 if E else 0
        if num_node_types is None:
            num_node_types = int(self.ntype.max()) + 1 if self.num_nodes else 0
        self.num_relations = int(num_relations)
        self.num_node_types = int(num_node_types)
        for name, arr, hi in (("src", self.src, self.num_nodes),
                              ("dst", self.dst, self.num_nodes),
                              ("etype", self.etype, self.num_relations),
                              ("ntype", self.ntype, self.num_node_types)):
            if arr.size and (arr.min() < 0 or arr.max() >= hi):
                raise ValueError(f"{name} has ids outside [0, {hi})")
        if triples is not None:
            triples = np.asarray(triples, dtype=np.int64).reshape(-1, 3)
            if triples.shape[0] != self.num_relations:
                raise ValueError(f"triples has {triples.shape[0]} entries, "
                                 f"expected {self.num_relations} relations")
            bad = np.flatnonzero(
                (triples[:, 1] != np.arange(self.num_relations))
                | (triples[:, [0, 2]].min(axis=1) < 0)
                | (triples[:, [0, 2]].max(axis=1) >= self.num_node_types))
            if bad.size:
                raise ValueError(f"triple {int(bad[0])} is not "
                                 f"(src type, {int(bad[0])}, dst type) with "
                                 f"types in [0, {self.num_node_types})")
        self.triples = triples
        (self.src_rel_node, self.src_rel_rel,
         self.edge_to_src_rel) = self._unique_pairs(self.src)
        (self.dst_rel_node, self.dst_rel_rel,
         self.edge_to_dst_rel) = self._unique_pairs(self.dst)

    def _unique_pairs(self, node: np.ndarray):
        """Unique (node, relation) pairs sorted by (relation, node), and the
        index of every edge's pair."""
        n = max(self.num_nodes, 1)
        key = self.etype * n + node
        uniq, inverse = np.unique(key, return_inverse=True)
        return uniq % n, uniq // n, inverse.astype(np.int64).reshape(-1)

    @classmethod
    def of(cls, graph) -> "RefGraph":
        """``graph`` itself if it is a RefGraph, else a RefGraph of a
        HeteroGraph-like object (``num_nodes``, ``src``, ``dst``, ``etype``,
        ``ntype``, ``num_relations``, ``num_ntypes`` and optionally
        ``canonical_etypes`` with node-type names in ``ntype_names``)."""
        if isinstance(graph, RefGraph):
            return graph
        triples = None
        canon = getattr(graph, "canonical_etypes", None)
        if canon is not None:
            names = list(graph.ntype_names)
            triples = [(names.index(s), r, names.index(d))
                       for r, (s, _, d) in enumerate(canon)]
        num_types = getattr(graph, "num_ntypes", None)
        if num_types is None:
            num_types = getattr(graph, "num_node_types", None)
        return cls(graph.num_nodes, graph.src, graph.dst, graph.etype,
                   graph.ntype, num_relations=graph.num_relations,
                   num_node_types=num_types, triples=triples)

    @property
    def num_edges(self) -> int:
        return int(self.src.shape[0])

    def nodes_of_type(self, t: int) -> np.ndarray:
        """Global ids of the nodes of type ``t`` (the ``node[t]`` order)."""
        return np.flatnonzero(self.ntype == t)

    def domain_size(self, domain: str, node_type: Optional[int] = None) -> int:
        """Number of elements of ``domain`` (``node[t]`` with node_type)."""
        if domain == "node":
            if node_type is None:
                return self.num_nodes
            return int(np.count_nonzero(self.ntype == node_type))
        sizes = {"edge": self.num_edges,
                 "src_rel": int(self.src_rel_node.shape[0]),
                 "dst_rel": int(self.dst_rel_node.shape[0]),
                 "relation": self.num_relations,
                 "node_type": self.num_node_types}
        if domain not in sizes:
            raise ValueError(f"unknown domain {domain!r}; expected one of "
                             f"{DOMAINS}")
        return sizes[domain]

    def relation_of(self, domain: str) -> np.ndarray:
        """The relation of every element of an edge-like domain."""
        if domain == "edge":
            return self.etype
        if domain == "src_rel":
            return self.src_rel_rel
        if domain == "dst_rel":
            return self.dst_rel_rel
        raise ValueError(f"domain {domain!r} has no relation per element; "
                         f"expected one of {_EDGE_LIKE}")

    def _require_triples(self, what: str) -> np.ndarray:
        if self.triples is None:
            raise ValueError(f"{what} needs the graph's (src type, relation, "
                             f"dst type) triples")
        return self.triples


def _expect(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {tuple(allowed)}, got "
                         f"{value!r}")


def _scatter_sum(values: np.ndarray, index: np.ndarray, size: int
                 ) -> np.ndarray:
    out = np.zeros((size,) + values.shape[1:], dtype=np.float64)
    np.add.at(out, index, values)
    return out


# ---------------------------------------------------------------------------
# Moving values between domains
# ---------------------------------------------------------------------------

def gather(graph, input, index: str, result: str = "edge") -> np.ndarray:
    """``rgnn.gather``: ``result[x] = input[index(x)]``.

    ``index`` and the result domain ``result`` (as the op's result type):

    ===========  ============  ==============================================
    index        input domain  result
    ===========  ============  ==============================================
    src          node          edge (source node), src_rel (the pair's node)
    dst          node          edge (destination), dst_rel (the pair's node)
    relation     relation      edge, src_rel, dst_rel (the element's relation)
    node_type    node_type     node (each node's type)
    src_rel      src_rel       edge (the edge's (src, relation) pair)
    dst_rel      dst_rel       edge (the edge's (dst, relation) pair)
    src_type     node_type     relation (source type from the triples)
    dst_type     node_type     relation (destination type from the triples)
    ===========  ============  ==============================================
    """
    g = RefGraph.of(graph)
    x = _feature(input, "input")
    table = {
        ("src", "edge"): ("node", lambda: g.src),
        ("src", "src_rel"): ("node", lambda: g.src_rel_node),
        ("dst", "edge"): ("node", lambda: g.dst),
        ("dst", "dst_rel"): ("node", lambda: g.dst_rel_node),
        ("relation", "edge"): ("relation", lambda: g.etype),
        ("relation", "src_rel"): ("relation", lambda: g.src_rel_rel),
        ("relation", "dst_rel"): ("relation", lambda: g.dst_rel_rel),
        ("node_type", "node"): ("node_type", lambda: g.ntype),
        ("src_rel", "edge"): ("src_rel", lambda: g.edge_to_src_rel),
        ("dst_rel", "edge"): ("dst_rel", lambda: g.edge_to_dst_rel),
        ("src_type", "relation"): (
            "node_type", lambda: g._require_triples("gather by src_type")[:, 0]),
        ("dst_type", "relation"): (
            "node_type", lambda: g._require_triples("gather by dst_type")[:, 2]),
    }
    if (index, result) not in table:
        raise ValueError(f"cannot gather by {index!r} into a {result!r} "
                         f"result")
    in_domain, idx = table[(index, result)]
    _check_rows(x, g.domain_size(in_domain), "input", in_domain)
    return x[idx()]


def aggregate(graph, input, reduction: str = "sum", to: str = "dst",
              input_domain: str = "edge", result: str = "node"
              ) -> np.ndarray:
    """``rgnn.aggregate``: sums, averages or takes the elementwise maximum
    of an edge-like value onto the endpoint ``to``.

    ============  =================  ====================================
    to            input_domain       result
    ============  =================  ====================================
    dst           edge               node (dst), dst_rel (edge's pair)
    dst           dst_rel            node (the pair's node)
    src           edge               node (src), src_rel (edge's pair)
    src           src_rel            node (the pair's node)
    ============  =================  ====================================

    ``mean`` divides by the number of contributing elements; an element of
    the result with no contribution is zero (for every reduction).
    """
    g = RefGraph.of(graph)
    x = _feature(input, "input")
    _expect(reduction, ("sum", "mean", "max"), "reduction")
    _expect(to, ("src", "dst"), "'to'")
    pair = f"{to}_rel"
    _expect(input_domain, ("edge", pair), f"input domain when aggregating "
            f"to {to}")
    _check_rows(x, g.domain_size(input_domain), "input", input_domain)
    if input_domain == "edge":
        _expect(result, ("node", pair), "result domain from edges")
        if result == "node":
            idx = g.src if to == "src" else g.dst
        else:
            idx = g.edge_to_src_rel if to == "src" else g.edge_to_dst_rel
    else:
        _expect(result, ("node",), f"result domain from {pair}")
        idx = g.src_rel_node if to == "src" else g.dst_rel_node
    size = g.domain_size(result)
    if reduction == "max":
        out = np.full((size,) + x.shape[1:], -np.inf)
        np.maximum.at(out, idx, x)
        out[np.bincount(idx, minlength=size) == 0] = 0.0
        return out
    out = _scatter_sum(x, idx, size)
    if reduction == "mean":
        count = np.bincount(idx, minlength=size).astype(np.float64)
        count = count.reshape((size,) + (1,) * (x.ndim - 1))
        out = np.divide(out, count, out=np.zeros_like(out), where=count > 0)
    return out


def edge_softmax(graph, input) -> np.ndarray:
    """``rgnn.edge_softmax``: ``result[e] = exp(input[e]) / sum over edges
    e' into dst(e) of exp(input[e'])``, independently per element of the
    per-edge shape (one per head), computed stably by subtracting the
    per-destination maximum.  A node with no incoming edges contributes
    nothing (it has no entries)."""
    g = RefGraph.of(graph)
    x = _feature(input, "input")
    _check_rows(x, g.num_edges, "input", "edge")
    if x.shape[0] == 0:
        return x.copy()
    m = np.full((g.num_nodes,) + x.shape[1:], -np.inf)
    np.maximum.at(m, g.dst, x)
    ex = np.exp(x - m[g.dst])
    s = _scatter_sum(ex, g.dst, g.num_nodes)
    return ex / s[g.dst]


def relation_sum(graph, input, input_domain: str = "edge") -> np.ndarray:
    """``rgnn.relation_sum``: ``result[r] = sum over the elements x of
    relation r of input[x]``, for an edge, src_rel or dst_rel input
    (``input_domain``); a relation with no elements gets zero."""
    g = RefGraph.of(graph)
    x = _feature(input, "input")
    rel = g.relation_of(input_domain)
    _check_rows(x, rel.shape[0], "input", input_domain)
    return _scatter_sum(x, rel, g.num_relations)


def node_type_sum(graph, input) -> np.ndarray:
    """``rgnn.node_type_sum``: ``result[t] = sum over nodes v of type t of
    input[v]``; a node type with no nodes gets zero."""
    g = RefGraph.of(graph)
    x = _feature(input, "input")
    _check_rows(x, g.num_nodes, "input", "node")
    return _scatter_sum(x, g.ntype, g.num_node_types)


def merge_node_types(graph, inputs: Sequence) -> np.ndarray:
    """``rgnn.merge_node_types``: ``inputs[t]`` holds one value per node of
    type ``t`` (domain ``node[t]``, rows in ascending global id); the result
    holds, for every node ``v``, the row of ``v`` in ``inputs[ntype[v]]``."""
    g = RefGraph.of(graph)
    if len(inputs) != g.num_node_types:
        raise ValueError(f"expects one input per node type "
                         f"({g.num_node_types}), got {len(inputs)}")
    parts = [_feature(x, f"inputs[{t}]") for t, x in enumerate(inputs)]
    shapes = {p.shape[1:] for p in parts}
    if len(shapes) > 1:
        raise ValueError(f"inputs have different per-element shapes "
                         f"{sorted(shapes)}")
    elem = parts[0].shape[1:] if parts else ()
    out = np.zeros((g.num_nodes,) + elem)
    for t, p in enumerate(parts):
        nodes = g.nodes_of_type(t)
        _check_rows(p, nodes.shape[0], f"inputs[{t}]", f"node[{t}]")
        out[nodes] = p
    return out


# ---------------------------------------------------------------------------
# Linear algebra
# ---------------------------------------------------------------------------

def _linear_shape(elem: Tuple[int, ...], w: Tuple[int, ...], what: str
                  ) -> Tuple[int, ...]:
    """Per-element result shape of ``input . weight`` (typed_linear rule)."""
    if len(w) == 2:
        if not elem or elem[-1] != w[0]:
            raise ValueError(f"{what}: input per-element shape {elem} must "
                             f"end in the weight's input size {w[0]}")
        return elem[:-1] + (w[1],)
    if len(w) == 3:
        if elem not in ((w[0], w[1]), (w[1],)):
            raise ValueError(f"{what}: input per-element shape {elem} must be "
                             f"{(w[0], w[1])} or {(w[1],)} for a multi-head "
                             f"weight of shape {w}")
        return (w[0], w[2])
    raise ValueError(f"{what}: weight per-element shape must be KxN or HxKxN, "
                     f"got {w}")


def _apply_weight(rows: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``rows[m] . w`` for every row: ``[M, ..., K] x [K, N]`` or the
    multi-head ``[M, H, K] | [M, K]  x  [H, K, N] -> [M, H, N]``."""
    if w.ndim == 2:
        return rows @ w
    if rows.ndim == 3:
        return np.einsum("mhk,hkn->mhn", rows, w)
    return np.einsum("mk,hkn->mhn", rows, w)


def typed_linear(graph, input, weight, by: str = "relation", on: str = "self",
                 domain: Optional[str] = None) -> np.ndarray:
    """``rgnn.typed_linear``: ``result[x] = input[on(x)] . weight[type(x)]``.

    * ``by="relation"``: ``weight`` is per relation (``[R, ...]``) and
      ``type(x)`` is the relation of element ``x``;
      ``by="node_type"``: ``weight`` is per node type (``[T, ...]``) and
      ``type(x)`` is the type of the node the input is read from (the node
      itself with ``on="self"``, the edge's or pair's source node with
      ``on="src"``, its destination with ``on="dst"``).
    * ``on="self"``: the input and result share ``domain`` (an edge-like
      domain with ``by="relation"``, ``node`` with ``by="node_type"``).
      ``on="src"``/``"dst"``: the input is per node, read through the
      endpoint; the result ``domain`` is ``edge`` or the matching unique
      pair domain (``src_rel``/``dst_rel``).
    * Shapes: a weight ``[K, N]`` maps ``[..., K]`` to ``[..., N]``; a
      multi-head weight ``[H, K, N]`` maps ``[H, K]`` (head ``h`` by
      ``W[h]``) or ``[K]`` (the same vector by every head) to ``[H, N]``.
    """
    g = RefGraph.of(graph)
    x = _feature(input, "input")
    w = _feature(weight, "weight")
    _expect(by, ("relation", "node_type"), "'by'")
    _expect(on, ("self", "src", "dst"), "'on'")
    if domain is None:
        domain = "node" if (on == "self" and by == "node_type") else "edge"
    wdom = "relation" if by == "relation" else "node_type"
    _check_rows(w, g.domain_size(wdom), "weight", wdom)
    if on == "self":
        if by == "relation":
            _expect(domain, _EDGE_LIKE, "domain for 'by relation on self'")
            _check_rows(x, g.domain_size(domain), "input", domain)
            rows, types = x, g.relation_of(domain)
        else:
            _expect(domain, ("node",), "domain for 'by node_type on self'")
            _check_rows(x, g.num_nodes, "input", "node")
            rows, types = x, g.ntype
    else:
        _check_rows(x, g.num_nodes, "input", "node")
        _expect(domain, ("edge", f"{on}_rel"), f"result domain for 'on {on}'")
        if domain == "edge":
            node = g.src if on == "src" else g.dst
            rel = g.etype
        else:
            node = g.src_rel_node if on == "src" else g.dst_rel_node
            rel = g.src_rel_rel if on == "src" else g.dst_rel_rel
        rows = x[node]
        types = rel if by == "relation" else g.ntype[node]
    out_elem = _linear_shape(x.shape[1:], w.shape[1:], "typed_linear")
    out = np.zeros((rows.shape[0],) + out_elem)
    for t in range(w.shape[0]):
        sel = np.flatnonzero(types == t)
        if sel.size:
            out[sel] = _apply_weight(rows[sel], w[t])
    return out


def linear(input, weight) -> np.ndarray:
    """``rgnn.linear``: ``result[x] = input[x] . weight`` with one shared
    weight (a :class:`Shared` or plain array of the weight's shape) over
    any domain; shapes follow :func:`typed_linear`."""
    x = _feature(input, "input")
    w = Shared(weight).value
    _linear_shape(x.shape[1:], w.shape, "linear")
    return _apply_weight(x, w)


def _per_type_pair(lhs, rhs):
    """Both operands of a weight product as arrays with a leading type
    dimension (a shared one broadcast), and whether both were shared."""
    lshared, rshared = isinstance(lhs, Shared), isinstance(rhs, Shared)
    a = lhs.value if lshared else _feature(lhs, "lhs")
    b = rhs.value if rshared else _feature(rhs, "rhs")
    if lshared and rshared:
        return a[None], b[None], True
    if not lshared and not rshared and a.shape[0] != b.shape[0]:
        raise ValueError(f"'lhs' and 'rhs' have {a.shape[0]} and "
                         f"{b.shape[0]} types")
    n = b.shape[0] if lshared else a.shape[0]
    if lshared:
        a = np.broadcast_to(a, (n,) + a.shape)
    if rshared:
        b = np.broadcast_to(b, (n,) + b.shape)
    return a, b, False


def weight_product(lhs, rhs):
    """``rgnn.weight_product``: the product of two weights, per relation or
    node type.  Each operand is a per-type array ``[types, ...]`` or a
    :class:`Shared` tensor (broadcast over the types).  Per-element shapes,
    with batch (head) dimensions ``B...``:

    * ``[B..., M, K] x [B..., K, N] -> [B..., M, N]`` (matrix product);
    * ``[B..., M, K] x [B..., K] -> [B..., M]`` (matrix-vector product);
    * ``[K] x [K, D...] -> [D...]`` (basis combination
      ``W_r = sum_b coeff_rb V_b``).

    The result is per type, or :class:`Shared` when both operands are.
    """
    a, b, both_shared = _per_type_pair(lhs, rhs)
    ea, eb = a.shape[1:], b.shape[1:]
    if len(ea) == 1:
        if not eb or eb[0] != ea[0]:
            raise ValueError(f"'rhs' shape {eb} must start with the length "
                             f"{ea[0]} of the 'lhs' coefficient vector")
        out = np.einsum("tk,tk...->t...", a, b)
    elif len(ea) >= 2 and len(eb) in (len(ea), len(ea) - 1):
        batch = len(ea) - 2
        if ea[:batch] != eb[:batch]:
            raise ValueError(f"batch dimensions of 'lhs' {ea} and 'rhs' {eb} "
                             f"differ")
        if eb[batch] != ea[-1]:
            raise ValueError(f"contraction size mismatch: 'lhs' is {ea} and "
                             f"'rhs' is {eb}")
        if len(eb) == len(ea):
            out = a @ b
        else:
            out = (a @ b[..., None])[..., 0]
    else:
        raise ValueError(f"cannot multiply 'lhs' of shape {ea} by 'rhs' of "
                         f"shape {eb}")
    return Shared(out[0]) if both_shared else np.ascontiguousarray(out)


def inner_product(lhs, rhs) -> np.ndarray:
    """``rgnn.inner_product``: ``result[x][i...] = sum_k lhs[x][i..., k] *
    rhs[x][i..., k]``; ``rhs`` may be a :class:`Shared` tensor of the
    per-element shape, used for every element."""
    a = _feature(lhs, "lhs")
    b = rhs.value if isinstance(rhs, Shared) else _feature(rhs, "rhs")
    want = a.shape[1:] if isinstance(rhs, Shared) else a.shape
    if a.ndim < 2 or b.shape != want:
        raise ValueError(f"inner_product: 'rhs' shape {b.shape} must match "
                         f"'lhs' {a.shape} (per-element rank >= 1)")
    return np.sum(a * b, axis=-1)


def outer_product(lhs, rhs) -> np.ndarray:
    """``rgnn.outer_product``: ``result[x][i..., m, n] = lhs[x][i..., m] *
    rhs[x][i..., n]``."""
    a, b = _feature(lhs, "lhs"), _feature(rhs, "rhs")
    if a.ndim < 2 or a.shape[:-1] != b.shape[:-1]:
        raise ValueError(f"outer_product: 'lhs' {a.shape} and 'rhs' "
                         f"{b.shape} must be vectors with equal leading "
                         f"dimensions")
    return a[..., :, None] * b[..., None, :]


def scale(scalar, vector) -> np.ndarray:
    """``rgnn.scale``: ``result[x][i..., d] = scalar[x][i...] *
    vector[x][i..., d]``."""
    s, v = _feature(scalar, "scalar"), _feature(vector, "vector")
    if v.ndim < 2 or s.shape != v.shape[:-1]:
        raise ValueError(f"scale: 'scalar' shape {s.shape} must be the "
                         f"'vector' shape {v.shape} without its last dim")
    return s[..., None] * v


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

_erf_scalar = np.vectorize(math.erf, otypes=[np.float64])
_erfc_scalar = np.vectorize(math.erfc, otypes=[np.float64])


def erf(x) -> np.ndarray:
    """The error function, elementwise, via :func:`math.erf` (accurate to
    about 1 ulp; numpy has no erf)."""
    x = np.asarray(x, dtype=np.float64)
    return _erf_scalar(x) if x.size else x.copy()


def erfc(x) -> np.ndarray:
    """The complementary error function ``1 - erf(x)``, elementwise, via
    :func:`math.erfc` (no cancellation for large x)."""
    x = np.asarray(x, dtype=np.float64)
    return _erfc_scalar(x) if x.size else x.copy()


def exp(input) -> np.ndarray:
    """``rgnn.exp``: ``exp(x)`` elementwise."""
    return np.exp(_feature(input, "input"))


def tanh(input) -> np.ndarray:
    """``rgnn.tanh``: ``tanh(x)`` elementwise."""
    return np.tanh(_feature(input, "input"))


def sigmoid(input) -> np.ndarray:
    """``rgnn.sigmoid``: ``1 / (1 + exp(-x))`` elementwise, evaluated
    without overflow (``exp(x) / (1 + exp(x))`` for negative x)."""
    x = _feature(input, "input")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def gelu(input) -> np.ndarray:
    """``rgnn.gelu``: the exact GELU ``x * Phi(x) = x/2 * (1 +
    erf(x / sqrt(2)))`` (not the tanh approximation), evaluated as
    ``x/2 * erfc(-x / sqrt(2))``, which is the same function without the
    cancellation of ``1 + erf`` for negative x."""
    x = _feature(input, "input")
    return 0.5 * x * erfc(-x / math.sqrt(2.0))


def relu(input) -> np.ndarray:
    """``rgnn.relu``: ``max(x, 0)`` elementwise."""
    return np.maximum(_feature(input, "input"), 0.0)


def neg(input) -> np.ndarray:
    """``rgnn.neg``: ``-x`` elementwise."""
    return -_feature(input, "input")


def leaky_relu(input, alpha: float = 0.01) -> np.ndarray:
    """``rgnn.leaky_relu``: ``x >= 0 ? x : alpha * x`` (alpha defaults to
    0.01, as the op's attribute does)."""
    x = _feature(input, "input")
    if not math.isfinite(alpha):
        raise ValueError("alpha must be finite")
    return np.where(x >= 0, x, alpha * x)


def _binary(lhs, rhs, fn, name: str) -> np.ndarray:
    """Shared rule of add, sub, mul, div, equal: two features of the same
    shape, or one feature and a Shared tensor that is a scalar or has the
    per-element shape (broadcast over the domain)."""
    lshared, rshared = isinstance(lhs, Shared), isinstance(rhs, Shared)
    if lshared and rshared:
        raise ValueError(f"{name} needs at least one feature operand; both "
                         f"'lhs' and 'rhs' are shared tensors")
    a = lhs.value if lshared else _feature(lhs, "lhs")
    b = rhs.value if rshared else _feature(rhs, "rhs")
    if not lshared and not rshared:
        if a.shape != b.shape:
            raise ValueError(f"{name}: 'lhs' {a.shape} and 'rhs' {b.shape} "
                             f"must have the same shape")
    else:
        feat, shared = (b, a) if lshared else (a, b)
        if shared.shape not in ((), feat.shape[1:]):
            raise ValueError(f"{name}: shared tensor of shape {shared.shape} "
                             f"must be a scalar or the per-element shape "
                             f"{feat.shape[1:]}")
    return fn(a, b)


def add(lhs, rhs) -> np.ndarray:
    """``rgnn.add``: ``lhs + rhs`` (see :func:`_binary` for broadcasting)."""
    return _binary(lhs, rhs, np.add, "add")


def sub(lhs, rhs) -> np.ndarray:
    """``rgnn.sub``: ``lhs - rhs`` (see :func:`_binary` for broadcasting)."""
    return _binary(lhs, rhs, np.subtract, "sub")


def mul(lhs, rhs) -> np.ndarray:
    """``rgnn.mul``: ``lhs * rhs`` (see :func:`_binary` for broadcasting)."""
    return _binary(lhs, rhs, np.multiply, "mul")


def div(lhs, rhs) -> np.ndarray:
    """``rgnn.div``: ``lhs / rhs`` (see :func:`_binary` for broadcasting)."""
    return _binary(lhs, rhs, np.divide, "div")


def equal(lhs, rhs) -> np.ndarray:
    """``rgnn.equal``: 1 where ``lhs == rhs``, else 0 (see :func:`_binary`
    for broadcasting)."""
    return _binary(lhs, rhs, lambda a, b: (a == b).astype(np.float64),
                   "equal")


# ---------------------------------------------------------------------------
# Shape manipulation of the per-element shape
# ---------------------------------------------------------------------------

def concat(inputs: Sequence, dim: int) -> np.ndarray:
    """``rgnn.concat``: concatenates the per-element tensors along
    per-element dimension ``dim`` (0 is the first per-element dimension)."""
    parts = [_feature(x, f"inputs[{i}]") for i, x in enumerate(inputs)]
    if not parts:
        raise ValueError("concat needs at least one input")
    rank = parts[0].ndim - 1
    if not 0 <= dim < rank:
        raise ValueError(f"dim {dim} is out of range for per-element rank "
                         f"{rank}")
    return np.concatenate(parts, axis=dim + 1)


def split(input, dim: int, sizes: Sequence[int]) -> List[np.ndarray]:
    """``rgnn.split``: splits the per-element tensors along per-element
    dimension ``dim`` into pieces of ``sizes`` (the results' sizes along
    ``dim``, which must add up to the input's)."""
    x = _feature(input, "input")
    if not 0 <= dim < x.ndim - 1:
        raise ValueError(f"dim {dim} is out of range for per-element rank "
                         f"{x.ndim - 1}")
    if sum(sizes) != x.shape[dim + 1] or any(s < 0 for s in sizes):
        raise ValueError(f"sizes {list(sizes)} do not add up to "
                         f"{x.shape[dim + 1]}")
    cuts = np.cumsum(sizes)[:-1]
    return [np.ascontiguousarray(p) for p in np.split(x, cuts, axis=dim + 1)]


def transpose(input, permutation: Sequence[int]):
    """``rgnn.transpose``: result dimension ``i`` is input dimension
    ``permutation[i]`` of the per-element tensor (of the whole tensor for a
    :class:`Shared` input, whose result is Shared)."""
    perm = [int(p) for p in permutation]
    if isinstance(input, Shared):
        if sorted(perm) != list(range(input.value.ndim)):
            raise ValueError(f"permutation {perm} is not a permutation of "
                             f"0..{input.value.ndim - 1}")
        return Shared(np.transpose(input.value, perm))
    x = _feature(input, "input")
    if sorted(perm) != list(range(x.ndim - 1)):
        raise ValueError(f"permutation {perm} is not a permutation of "
                         f"0..{x.ndim - 2}")
    return np.transpose(x, [0] + [p + 1 for p in perm])


def reshape(input, shape: Sequence[int]):
    """``rgnn.reshape``: reinterprets the per-element tensor in row-major
    order with per-element ``shape`` (same element count), e.g. ``[H*D]``
    to ``[H, D]``.  A :class:`Shared` input gives a Shared result."""
    shape = tuple(int(s) for s in shape)
    if isinstance(input, Shared):
        if math.prod(shape) != input.value.size:
            raise ValueError(f"cannot reshape {input.value.shape} to {shape}")
        return Shared(input.value.reshape(shape))
    x = _feature(input, "input")
    if math.prod(shape) != math.prod(x.shape[1:]):
        raise ValueError(f"cannot reshape per-element {x.shape[1:]} to "
                         f"{shape}: the element counts differ")
    return x.reshape((x.shape[0],) + shape)


# ---------------------------------------------------------------------------
# Models (examples/models/*.mlir)
# ---------------------------------------------------------------------------

def _weights(weights: Dict[str, object], required: Iterable[str],
             optional: Iterable[str] = (), model: str = "") -> Dict:
    required, optional = list(required), list(optional)
    missing = [k for k in required if k not in weights]
    if missing:
        raise ValueError(f"{model}: missing weights {missing}")
    extra = sorted(set(weights) - set(required) - set(optional))
    if extra:
        raise ValueError(f"{model}: unexpected weights {extra}")
    return {k: (v if isinstance(v, Shared) else np.asarray(v, np.float64))
            for k, v in weights.items()}


def _shared(v) -> Shared:
    return v if isinstance(v, Shared) else Shared(v)


def rgcn(graph, h, weights: Dict[str, object]) -> np.ndarray:
    """One RGCN layer, ``examples/models/rgcn.mlir`` and its variants:

    ``h'_i = h_i . W_root + sum_r mean_{j in N_r(i)} h_j . W_r + b``

    (PyG ``RGCNConv(aggr="mean", root_weight=True, bias=True)``).  Weights:
    ``w`` ``[R, in, out]`` or, with a basis decomposition, ``coeff``
    ``[R, B]`` and ``bases`` ``[B, in, out]`` (``W_r = sum_b coeff_rb
    V_b``); ``w_root`` ``[in, out]``; ``bias`` ``[out]``.  With ``norm``
    (``[E]``, per-edge constants ``c_e``) the per-relation mean is replaced
    by ``sum_{e=(j,r,i)} c_e (h_j . W_r)`` (``rgcn_basis_norm.mlir``).
    """
    basis = "coeff" in weights or "bases" in weights
    wts = _weights(weights,
                   ["coeff", "bases", "w_root", "bias"] if basis
                   else ["w", "w_root", "bias"], ["norm"], "rgcn")
    g = RefGraph.of(graph)
    h = _feature(h, "h")
    if basis:
        w = weight_product(wts["coeff"], _shared(wts["bases"]))
    else:
        w = wts["w"]
    msg = typed_linear(g, h, w, by="relation", on="src", domain="edge")
    if "norm" in wts:
        scaled = scale(wts["norm"], msg)
        agg = aggregate(g, scaled, "sum", to="dst")
    else:
        per_rel = aggregate(g, msg, "mean", to="dst", result="dst_rel")
        agg = aggregate(g, per_rel, "sum", to="dst", input_domain="dst_rel")
    self_ = linear(h, _shared(wts["w_root"]))
    return add(add(agg, self_), _shared(wts["bias"]))


def rgcn_basis_norm(graph, h, weights: Dict[str, object]) -> np.ndarray:
    """``examples/models/rgcn_basis_norm.mlir``: RGCN with basis weights
    ``W_r = sum_b coeff_rb V_b`` and given per-edge constants ``norm``:

    ``h'_i = h_i . W_root + sum_{e=(j,r,i)} norm_e (h_j . W_r) + b``.

    Requires ``coeff``, ``bases``, ``norm``, ``w_root``, ``bias``."""
    _weights(weights, ["coeff", "bases", "norm", "w_root", "bias"], (),
             "rgcn_basis_norm")
    return rgcn(graph, h, weights)


def rgcn_featureless(graph, weights: Dict[str, object]) -> np.ndarray:
    """The R-GCN paper's layer without node features (the input is the
    identity; PyG ``RGCNConv(num_nodes, out, R)`` with ``x=None``):

    ``h'_i = W_root[i] + sum_r mean_{j in N_r(i)} W_r[j] + b``

    with ``w`` ``[R, N, out]``, ``w_root`` ``[N, out]``, ``bias`` ``[out]``
    (the full matrices, as PyG holds them; the compiled
    ``@rgcn_featureless`` takes only the rows at the unique (source,
    relation) pairs)."""
    wts = _weights(weights, ["w", "w_root", "bias"], (), "rgcn_featureless")
    g = RefGraph.of(graph)
    w = np.asarray(wts["w"], np.float64)
    if w.shape[:2] != (g.num_relations, g.num_nodes):
        raise ValueError(f"rgcn_featureless: w has shape {w.shape}, expected "
                         f"[{g.num_relations}, {g.num_nodes}, out]")
    msg = w[g.etype, g.src]
    per_rel = aggregate(g, msg, "mean", to="dst", result="dst_rel")
    agg = aggregate(g, per_rel, "sum", to="dst", input_domain="dst_rel")
    return add(add(agg, _feature(wts["w_root"], "w_root")),
               _shared(wts["bias"]))


def rgcn_edge_norm(graph) -> np.ndarray:
    """The R-GCN paper's constants ``c_e = 1 / |N_r(i)|`` for every edge
    ``e = (j, r, i)`` (``norm`` of :func:`rgcn_basis_norm`; with them the
    model equals the per-relation mean)."""
    g = RefGraph.of(graph)
    count = np.bincount(g.edge_to_dst_rel,
                        minlength=g.domain_size("dst_rel"))
    return 1.0 / count[g.edge_to_dst_rel].astype(np.float64)


def rgat(graph, h, weights: Dict[str, object], alpha: float = 0.2
         ) -> np.ndarray:
    """``examples/models/rgat.mlir``: RGAT with across-relation attention
    (Hector's formulation), ``H`` heads of ``D``:

    * ``z_src[e] = h_j . W_r``, ``z_dst[e] = h_i . W_r`` per head, for
      ``e = (j, r, i)``; ``w`` is ``[R, H, in, D]``;
    * ``s_e = LeakyReLU_alpha(attn_r . [z_dst || z_src])`` per head
      (``attn`` ``[R, H, 2D]``, or a :class:`Shared` ``[H, 2D]`` for PyG's
      shared attention vector);
    * ``alpha_e`` = softmax of ``s`` over all incoming edges of ``i``;
    * ``h'_i`` = concat over heads of ``sum_e alpha_e z_src[e]``.
    """
    wts = _weights(weights, ["w", "attn"], (), "rgat")
    g = RefGraph.of(graph)
    h = _feature(h, "h")
    w = wts["w"]
    z_src = typed_linear(g, h, w, by="relation", on="src")
    z_dst = typed_linear(g, h, w, by="relation", on="dst")
    cat = concat([z_dst, z_src], dim=1)
    attn = wts["attn"]
    a = attn if isinstance(attn, Shared) else gather(g, attn, "relation")
    score = inner_product(cat, a)
    act = leaky_relu(score, alpha)
    att = edge_softmax(g, act)
    msg = scale(att, z_src)
    agg = aggregate(g, msg, "sum", to="dst")
    return reshape(agg, (agg.shape[1] * agg.shape[2],))


def hgt(graph, h, weights: Dict[str, object]) -> np.ndarray:
    """``examples/models/hgt.mlir``: one HGT layer as PyG's ``HGTConv``,
    ``H`` heads of ``D = out / H``:

    * ``k, q, v = h . W_{k,q,v}[type] + b_{k,q,v}[type]``, split in heads;
    * ``k_e = k_j . A_r``, ``v_e = v_j . M_r`` (``a_rel``, ``m_rel``
      ``[R, H, D, D]``) for ``e = (j, r, i)``;
    * ``s_e = (q_i . k_e) * mu_r / sqrt(D)`` per head, ``alpha`` = softmax
      of ``s`` over the incoming edges of ``i``;
    * ``o_i`` = concat over heads of ``sum_e alpha_e v_e``;
    * ``y_i = gelu(o_i) . W_out[type(i)] + b_out[type(i)]``;
    * with ``skip`` (only when in == out, as in PyG):
      ``beta = sigmoid(skip[type(i)])``, ``h'_i = beta y_i + (1-beta) h_i``;
      without it ``h'_i = y_i``.
    """
    wts = _weights(weights, ["w_k", "b_k", "w_q", "b_q", "w_v", "b_v",
                             "a_rel", "m_rel", "mu", "w_out", "b_out"],
                   ["skip"], "hgt")
    g = RefGraph.of(graph)
    h = _feature(h, "h")
    heads, d = wts["a_rel"].shape[1], wts["a_rel"].shape[2]

    def proj(w, b):
        y = add(typed_linear(g, h, wts[w], by="node_type"),
                gather(g, wts[b], "node_type", result="node"))
        return reshape(y, (heads, d))

    k, q, v = proj("w_k", "b_k"), proj("w_q", "b_q"), proj("w_v", "b_v")
    k_e = typed_linear(g, k, wts["a_rel"], by="relation", on="src")
    v_e = typed_linear(g, v, wts["m_rel"], by="relation", on="src")
    q_e = gather(g, q, "dst")
    s0 = inner_product(q_e, k_e)
    s1 = mul(s0, gather(g, wts["mu"], "relation"))
    s2 = mul(s1, Shared(1.0 / math.sqrt(d)))
    att = edge_softmax(g, s2)
    msg = scale(att, v_e)
    agg = aggregate(g, msg, "sum", to="dst")
    o = reshape(agg, (heads * d,))
    act = gelu(o)
    y = add(typed_linear(g, act, wts["w_out"], by="node_type"),
            gather(g, wts["b_out"], "node_type", result="node"))
    if "skip" not in wts:
        return y
    if h.shape[1:] != y.shape[1:]:
        raise ValueError("hgt: the skip connection needs in == out")
    beta = sigmoid(gather(g, wts["skip"], "node_type", result="node"))
    keep = sub(Shared(1.0), beta)
    return add(scale(beta, y), scale(keep, h))


MODELS = {
    "rgcn": rgcn,
    "rgcn_basis": rgcn,
    "rgcn_norm": rgcn,
    "rgcn_basis_norm": rgcn_basis_norm,
    "rgat": rgat,
    "hgt": hgt,
}


def init_weights(model: str, graph_schema, in_dim: int, out_dim: int,
                 heads: int = 4, rng=None, num_bases: int = 30
                 ) -> Dict[str, np.ndarray]:
    """Random float64 weights for ``model`` (a key of :data:`MODELS`),
    keyed by the ``.mlir`` argument names.

    ``graph_schema`` is a graph (RefGraph or HeteroGraph) or a
    ``(num_node_types, num_relations)`` pair; ``rgcn_norm`` and
    ``rgcn_basis_norm`` need a graph, since their ``norm`` is per edge
    (:func:`rgcn_edge_norm`).  Values are uniform in
    ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` (attention and gate parameters
    uniform in [-1, 1]).  ``rng`` is a ``numpy.random.Generator`` or seed.
    Shared weights are plain arrays of the tensor's shape; wrap them in
    :class:`Shared` only to call ops directly (the models accept either).
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of "
                         f"{sorted(MODELS)}")
    rng = np.random.default_rng(rng)
    graph = None
    if isinstance(graph_schema, tuple):
        num_types, num_rels = (int(v) for v in graph_schema)
    else:
        graph = RefGraph.of(graph_schema)
        num_types, num_rels = graph.num_node_types, graph.num_relations

    def u(shape, fan_in):
        bound = 1.0 / math.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=shape)

    R, T = num_rels, num_types
    if model.startswith("rgcn"):
        w = {}
        if model in ("rgcn_basis", "rgcn_basis_norm"):
            w["coeff"] = rng.uniform(-1, 1, size=(R, num_bases))
            w["bases"] = u((num_bases, in_dim, out_dim), in_dim * num_bases)
        else:
            w["w"] = u((R, in_dim, out_dim), in_dim)
        if model in ("rgcn_norm", "rgcn_basis_norm"):
            if graph is None:
                raise ValueError(f"{model} needs a graph for its per-edge "
                                 f"'norm', not a schema tuple")
            w["norm"] = rgcn_edge_norm(graph)
        w["w_root"] = u((in_dim, out_dim), in_dim)
        w["bias"] = u((out_dim,), in_dim)
        return w
    if heads <= 0 or out_dim % heads:
        raise ValueError(f"heads ({heads}) must divide out_dim ({out_dim})")
    d = out_dim // heads
    if model == "rgat":
        return {"w": u((R, heads, in_dim, d), in_dim),
                "attn": rng.uniform(-1, 1, size=(R, heads, 2 * d))}
    w = {}
    for name in ("k", "q", "v"):
        w[f"w_{name}"] = u((T, in_dim, out_dim), in_dim)
        w[f"b_{name}"] = u((T, out_dim), in_dim)
    w["a_rel"] = u((R, heads, d, d), d)
    w["m_rel"] = u((R, heads, d, d), d)
    w["mu"] = rng.uniform(0.5, 1.5, size=(R, heads))
    w["w_out"] = u((T, out_dim, out_dim), out_dim)
    w["b_out"] = u((T, out_dim), out_dim)
    if in_dim == out_dim:
        w["skip"] = rng.uniform(-1, 1, size=(T,))
    return w
