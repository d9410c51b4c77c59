"""Builders that emit the rgnn IR of the example models for any sizes.

Each builder returns the text of an MLIR module holding one ``func.func``
in the readable custom assembly of ``examples/models/*.mlir``: the same ops
in the same order, with the function arguments named as in the examples
(``%h``, ``%w``, ``%w_root``, ...).  At the examples' sizes,
``hector-opt`` prints the builder's output and the example identically:

=================================================  =========================
builder call                                       example
=================================================  =========================
``rgcn(90)``                                       ``rgcn.mlir``
``rgcn(90, basis=30, edge_norm=True)``             ``rgcn_basis_norm.mlir``
``rgat(90)``                                       ``rgat.mlir``
``hgt(8, 4, triples=ACM_TRIPLES)``                 ``hgt.mlir``
=================================================  =========================

The argument names are also the weight keys of :mod:`hector.reference`
(``reference.init_weights`` and the reference models), so binding
reference values to the function's arguments needs no name mapping:
:func:`signature` lists the arguments with their domains and shapes, and
:func:`reference_inputs` orders a dict of values by them.

Only the element type ``f32`` is emitted (the examples' type).
"""

from __future__ import annotations

import math
import numbers
import struct
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

__all__ = ["rgcn", "rgcn_featureless", "rgat", "hgt", "build", "signature",
           "reference_inputs", "Argument", "ACM_TRIPLES", "MODELS"]

#: The canonical triples of HGB ACM (the schema of ``hgt.mlir``): node types
#: paper, author, subject, term.
ACM_TRIPLES: Tuple[Tuple[int, int, int], ...] = (
    (0, 0, 0), (0, 1, 0), (0, 2, 1), (1, 3, 0),
    (0, 4, 2), (2, 5, 0), (0, 6, 3), (3, 7, 0))


@dataclass(frozen=True)
class Argument:
    """One function argument after the graph: its name (also the key in a
    reference weight dict, ``h`` for the input features), its domain
    (``"node"``, ``"edge"``, ``"relation"``, ``"node_type"``, or ``None``
    for a shared builtin tensor) and its per-element (or tensor) shape."""
    name: str
    domain: Optional[str]
    shape: Tuple[int, ...]

    @property
    def type(self) -> str:
        return _feat(self.domain, self.shape) if self.domain else \
            _tensor(self.shape)


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

def _elem(shape: Sequence[int]) -> str:
    return "".join(f"{d}x" for d in shape) + "f32"


def _feat(domain: str, shape: Sequence[int]) -> str:
    return f"!rgnn.feat<{domain}, {_elem(shape)}>"


def _tensor(shape: Sequence[int]) -> str:
    return f"tensor<{_elem(shape)}>"


def _graph_type(num_node_types: int, num_relations: int,
                triples: Optional[Sequence[Tuple[int, int, int]]]) -> str:
    text = f"!rgnn.graph<node_types = {num_node_types}, " \
           f"relations = {num_relations}"
    if triples:
        rows = [", ".join(f"({s}, {r}, {d})" for s, r, d in triples[i:i + 4])
                for i in range(0, len(triples), 4)]
        text += ",\n    triples = [" + ",\n               ".join(rows) + "]"
    return text + ">"


def _f32_literal(value: float) -> str:
    """A decimal literal for ``value`` rounded to f32: the shortest repr of
    that double, which the parser reads back exactly."""
    v = struct.unpack("<f", struct.pack("<f", value))[0]
    if not math.isfinite(v):
        raise ValueError(f"constant {value!r} is not finite in f32")
    return repr(v)


class _Func:
    """Accumulates the body of one ``func.func``."""

    def __init__(self):
        self.lines: List[str] = []

    def comment(self, text: str) -> None:
        self.lines.append(f"  // {text}")

    def blank(self) -> None:
        self.lines.append("")

    def op(self, result: str, op: str, operands: str, in_types: Sequence[str],
           out_type: str) -> str:
        self.lines.append(f"  %{result} = rgnn.{op} {operands}")
        self.lines.append(f"      : ({', '.join(in_types)})")
        self.lines.append(f"      -> {out_type}")
        return f"%{result}"

    def unary(self, result: str, op: str, operand: str, type_: str,
              attrs: str = "") -> str:
        attrs = f" {attrs}" if attrs else ""
        self.lines.append(f"  %{result} = rgnn.{op} {operand}{attrs} : "
                          f"{type_}")
        return f"%{result}"

    def reshape(self, result: str, operand: str, in_type: str,
                out_type: str) -> str:
        self.lines.append(f"  %{result} = rgnn.reshape {operand} : "
                          f"{in_type} -> {out_type}")
        return f"%{result}"

    def constant(self, result: str, value: float) -> str:
        self.lines.append(f"  %{result} = arith.constant "
                          f"dense<{_f32_literal(value)}> : tensor<f32>")
        return f"%{result}"


def _module(header: Sequence[str], graph: str, name: str,
            args: Sequence[Argument], result_type: str, body: _Func) -> str:
    lines = [f"// {line}" if line else "//" for line in header]
    lines += ["", f"!graph = {graph}", ""]
    indent = " " * len(f"func.func @{name}(")
    params = ["%g: !graph"] + [f"%{a.name}: {a.type}" for a in args]
    sig = f"func.func @{name}(" + f",\n{indent}".join(params) + \
        f") -> {result_type} {{"
    lines.append(sig)
    lines += body.lines
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------

def check_positive(name: str, value) -> int:
    """``value`` as an int; a ValueError naming ``name`` unless it is a
    positive integer (numpy's included, bool not)."""
    if isinstance(value, bool) or not isinstance(
            value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_triples(triples, num_relations: int, num_node_types: int):
    if triples is None:
        return None
    triples = [tuple(t) for t in triples]
    if len(triples) != num_relations:
        raise ValueError(f"triples has {len(triples)} entries, but there "
                         f"are {num_relations} relations (one "
                         f"(src type, relation, dst type) per relation)")
    for r, t in enumerate(triples):
        if len(t) != 3 or not all(isinstance(v, int) and
                                  not isinstance(v, bool) for v in t):
            raise ValueError(f"triples[{r}] must be three integers "
                             f"(src type, relation, dst type), got {t!r}")
        s, rel, d = t
        if rel != r:
            raise ValueError(f"triples[{r}] names relation {rel}; triples "
                             f"must be listed in relation order")
        for what, v in (("source", s), ("destination", d)):
            if not 0 <= v < num_node_types:
                raise ValueError(f"triples[{r}] has {what} type {v}, outside "
                                 f"[0, {num_node_types}) node types")
    return triples


def _check_common(num_relations, num_node_types, in_dim, out_dim, triples):
    check_positive("num_relations", num_relations)
    check_positive("num_node_types", num_node_types)
    check_positive("in_dim", in_dim)
    check_positive("out_dim", out_dim)
    return _check_triples(triples, num_relations, num_node_types)


def _check_heads(heads, out_dim) -> int:
    check_positive("heads", heads)
    if out_dim % heads:
        raise ValueError(f"heads ({heads}) must divide out_dim ({out_dim})")
    return out_dim // heads


# ---------------------------------------------------------------------------
# RGCN
# ---------------------------------------------------------------------------

def _rgcn_name(basis, edge_norm) -> str:
    return "rgcn" + ("_basis" if basis else "") + ("_norm" if edge_norm
                                                   else "")


#: PyG ``RGCNConv``'s ``aggr`` values Hector compiles: the mean or the
#: elementwise maximum over each (destination, relation) pair's edges, or
#: their sum.
RGCN_AGGRS = ("mean", "add", "sum", "max")


def _rgcn_args(in_dim, out_dim, basis, edge_norm, root_weight=True,
               bias=True) -> List[Argument]:
    args = [Argument("h", "node", (in_dim,))]
    if basis:
        args += [Argument("coeff", "relation", (basis,)),
                 Argument("bases", None, (basis, in_dim, out_dim))]
    else:
        args.append(Argument("w", "relation", (in_dim, out_dim)))
    if edge_norm:
        args.append(Argument("norm", "edge", ()))
    if root_weight:
        args.append(Argument("w_root", None, (in_dim, out_dim)))
    if bias:
        args.append(Argument("bias", None, (out_dim,)))
    return args


def check_rgcn_options(aggr, root_weight, bias, edge_norm=False) -> None:
    """ValueError unless these are :func:`rgcn`'s valid options."""
    if aggr not in RGCN_AGGRS:
        raise ValueError(f"aggr must be one of {RGCN_AGGRS}, got {aggr!r}")
    for name, v in (("root_weight", root_weight), ("bias", bias),
                    ("edge_norm", edge_norm)):
        if not isinstance(v, bool):
            raise ValueError(f"{name} must be a bool, got {v!r}")
    if edge_norm and aggr != "mean":
        raise ValueError("edge_norm replaces the mean aggregation: it takes "
                         "no other aggr")


def _rgcn_aggregate(f, aggr: str, dim: int,
                    transform: Optional[Tuple[str, int]] = None) -> None:
    """``%agg`` (node) from the messages ``%msg`` (edge, ``dim`` wide).
    ``transform`` = (the relation weights' type, output width): the
    messages are untransformed and each pair's maximum is multiplied by
    its relation's ``%w`` (a max does not commute with it)."""
    edge_t, pair_t = _feat("edge", (dim,)), _feat("dst_rel", (dim,))
    out_dim = transform[1] if transform else dim
    out_t = _feat("node", (out_dim,))
    if aggr not in ("mean", "max"):
        f.comment("Sum over all incoming edges (every relation).")
        f.op("agg", "aggregate", "%g, %msg sum", ["!graph", edge_t], out_t)
        return
    f.comment(f"The {'mean' if aggr == 'mean' else 'maximum'} over the "
              "incoming edges of each (destination, relation) pair ...")
    f.op("per_rel", "aggregate", f"%g, %msg {aggr}", ["!graph", edge_t],
         pair_t)
    per_rel = "per_rel"
    if transform:
        f.comment("... transformed by the pair's W_r ...")
        per_rel = "per_rel_w"
        pair_t2 = _feat("dst_rel", (out_dim,))
        f.op(per_rel, "typed_linear", "%g, %per_rel, %w by relation",
             ["!graph", pair_t, transform[0]], pair_t2)
        pair_t = pair_t2
    f.comment("... then the sum over relations.")
    f.op("agg", "aggregate", f"%g, %{per_rel} sum", ["!graph", pair_t],
         out_t)


def rgcn_options_text(aggr, root_weight, bias) -> str:
    """The non-default PyG arguments, as they are written in a call."""
    return "".join(f", {k}={v!r}" for k, v, d in (
        ("aggr", aggr, "mean"), ("root_weight", root_weight, True),
        ("bias", bias, True)) if v != d)


def _rgcn_formula(root, weighted, message, aggr, root_weight, bias) -> str:
    terms = [root] if root_weight else []
    terms.append(weighted or (f"sum_r {aggr}_{{j in N_r(i)}} {message}"
                              if aggr in ("mean", "max") else
                              f"sum_{{(j, r) in N(i)}} {message}"))
    return " + ".join(terms + (["b"] if bias else []))


def _rgcn_tail(f, agg: str, out_dim: int, root_weight: bool, bias: bool,
               self_term: Optional[Tuple[str, list]] = None) -> str:
    """``%agg`` plus the root term and the bias, as the layer has them:
    ``self_term`` is the (operands, operand types) of the ``linear``
    computing ``h_i . W_root``, or None when ``%w_root`` is itself the term
    (a node feature).
    Returns the result's name."""
    out_t = _feat("node", (out_dim,))
    cur = agg
    if root_weight:
        root = "w_root"
        if self_term is not None:
            f.op("self", "linear", *self_term, out_t)
            root = "self"
        f.op("sum", "add", f"%{cur}, %{root}", [out_t, out_t], out_t)
        cur = "sum"
    if bias:
        f.op("out", "add", f"%{cur}, %bias", [out_t, _tensor((out_dim,))],
             out_t)
        cur = "out"
    return cur


def rgcn(num_relations: int, num_node_types: int = 1, in_dim: int = 64,
         out_dim: int = 64, triples=None, basis: Optional[int] = None,
         edge_norm: bool = False, aggr: str = "mean",
         root_weight: bool = True, bias: bool = True) -> str:
    """One RGCN layer (PyG ``RGCNConv(in_dim, out_dim, num_relations,
    aggr, root_weight, bias)``); with the defaults

    ``h'_i = h_i . W_root + sum_r mean_{j in N_r(i)} h_j . W_r + b``.

    ``aggr="add"`` (or ``"sum"``) sums each relation's messages instead of
    averaging them; ``aggr="max"`` takes ``sum_r (max_{j in N_r(i)} h_j) .
    W_r`` (the elementwise maximum, 0 for a pair without edges, before the
    transform, as PyG); ``root_weight=False`` drops ``h_i . W_root`` (argument
    ``%w_root``) and ``bias=False`` drops ``b`` (``%bias``).
    ``basis=B`` takes ``W_r = sum_b coeff_rb V_b`` (arguments ``%coeff``,
    ``%bases`` instead of ``%w``); ``edge_norm=True`` replaces the
    per-relation mean by given per-edge constants (``%norm``):
    ``sum_{e=(j,r,i)} c_e (h_j . W_r)``.  The function is ``@rgcn``,
    ``@rgcn_basis``, ``@rgcn_norm`` or ``@rgcn_basis_norm``.
    ``triples`` (optional) puts the canonical triples in the schema.
    """
    triples = _check_common(num_relations, num_node_types, in_dim, out_dim,
                            triples)
    if basis is not None:
        check_positive("basis", basis)
    check_rgcn_options(aggr, root_weight, bias, edge_norm)
    name = _rgcn_name(basis, edge_norm)
    args = _rgcn_args(in_dim, out_dim, basis, edge_norm, root_weight, bias)
    h_t = _feat("node", (in_dim,))
    out_t = _feat("node", (out_dim,))
    w_t = _feat("relation", (in_dim, out_dim))
    edge_t = _feat("edge", (out_dim,))
    root_t = _tensor((in_dim, out_dim))
    f = _Func()
    if basis:
        f.op("w", "weight_product", "%coeff, %bases",
             [_feat("relation", (basis,)), _tensor((basis, in_dim, out_dim))],
             w_t)
    if aggr == "max":
        f.comment("Message of edge j -> i: h_j (W_r is applied after the "
                  "maximum).")
        f.op("msg", "gather", "%g, %h by src", ["!graph", h_t],
             _feat("edge", (in_dim,)))
        _rgcn_aggregate(f, aggr, in_dim, (w_t, out_dim))
    else:
        f.comment("Message of edge j -> i under relation r: h_j . W_r.")
        f.op("msg", "typed_linear", "%g, %h, %w by relation on src",
             ["!graph", h_t, w_t], edge_t)
        if edge_norm:
            f.op("scaled", "scale", "%norm, %msg",
                 [_feat("edge", ()), edge_t], edge_t)
            f.op("agg", "aggregate", "%g, %scaled sum", ["!graph", edge_t],
                 out_t)
        else:
            _rgcn_aggregate(f, aggr, out_dim)
    res = _rgcn_tail(f, "agg", out_dim, root_weight, bias,
                     ("%h, %w_root", [h_t, root_t]))
    f.lines.append(f"  return %{res} : {out_t}")
    header = [
        f"RGCN, one layer: RGCNConv({in_dim}, {out_dim}, "
        f"num_relations={num_relations}"
        + rgcn_options_text(aggr, root_weight, bias) + ") semantics,",
        "  h'_i = " + _rgcn_formula(
            "h_i . W_root", "sum_{e = (j, r, i)} c_e * (h_j . W_r)"
            if edge_norm else "sum_r (max_{j in N_r(i)} h_j) . W_r"
            if aggr == "max" else None, "h_j . W_r", aggr, root_weight,
            bias),
    ]
    if basis:
        header.append(f"  with W_r = sum_b a_rb V_b ({basis} bases).")
    header.append("Generated by hector.models.rgcn.")
    return _module(header, _graph_type(num_node_types, num_relations,
                                       triples), name, args, out_t, f)


def rgcn_featureless(num_relations: int, num_node_types: int = 1,
                     out_dim: int = 16, triples=None, aggr: str = "mean",
                     root_weight: bool = True, bias: bool = True) -> str:
    """The R-GCN paper's first layer for graphs without node features
    (PyG ``RGCNConv(num_nodes, out_dim, num_relations)`` called with
    ``x=None``): the input is the identity, so ``h_j . W_r`` is row ``j`` of
    ``W_r`` and

    ``h'_i = W_root[i] + sum_r mean_{j in N_r(i)} W_r[j] + b``.

    Only the rows of ``W_r`` at the graph's unique (source, relation) pairs
    are ever read, so the function takes them as a ``src_rel`` feature
    ``%w`` (in the prepared graph's pair order) and gathers it per edge;
    ``%w_root`` is a node feature (the rows of ``W_root``).  No matrix with
    one row per node and relation is formed.  ``aggr``, ``root_weight``
    and ``bias`` are :func:`rgcn`'s.  The function is
    ``@rgcn_featureless``."""
    triples = _check_common(num_relations, num_node_types, 1, out_dim,
                            triples)
    check_rgcn_options(aggr, root_weight, bias)
    out_t = _feat("node", (out_dim,))
    pair_t = _feat("src_rel", (out_dim,))
    edge_t = _feat("edge", (out_dim,))
    f = _Func()
    f.comment("Message of edge j -> i under relation r: row j of W_r.")
    f.op("msg", "gather", "%g, %w by src_rel", ["!graph", pair_t], edge_t)
    _rgcn_aggregate(f, aggr, out_dim)
    res = _rgcn_tail(f, "agg", out_dim, root_weight, bias)
    f.lines.append(f"  return %{res} : {out_t}")
    header = [f"RGCN without node features: RGCNConv(num_nodes, {out_dim}, "
              f"num_relations={num_relations}"
              + rgcn_options_text(aggr, root_weight, bias)
              + ") with x = None,",
              "  h'_i = " + _rgcn_formula("W_root[i]", None, "W_r[j]", aggr,
                                          root_weight, bias) + ",",
              "with W_r's rows at the unique (source, relation) pairs as "
              "%w.",
              "Generated by hector.models.rgcn_featureless."]
    return _module(header, _graph_type(num_node_types, num_relations,
                                       triples), "rgcn_featureless",
                   featureless_args(out_dim, root_weight, bias), out_t, f)


def featureless_args(out_dim: int, root_weight: bool = True,
                     bias: bool = True) -> List[Argument]:
    """The arguments of :func:`rgcn_featureless` after ``%g``."""
    return ([Argument("w", "src_rel", (out_dim,))]
            + ([Argument("w_root", "node", (out_dim,))] if root_weight
               else [])
            + ([Argument("bias", None, (out_dim,))] if bias else []))


# ---------------------------------------------------------------------------
# RGAT
# ---------------------------------------------------------------------------

def _rgat_args(in_dim, out_dim, heads) -> List[Argument]:
    d = out_dim // heads
    return [Argument("h", "node", (in_dim,)),
            Argument("w", "relation", (heads, in_dim, d)),
            Argument("attn", "relation", (heads, 2 * d))]


def rgat(num_relations: int, num_node_types: int = 1, in_dim: int = 64,
         out_dim: int = 64, triples=None, heads: int = 4) -> str:
    """RGAT with across-relation attention (Hector's formulation), ``heads``
    heads of ``out_dim / heads``:

    ``z_j = h_j . W_r``; ``s_e = LeakyReLU_0.2(a_r . [h_i . W_r || z_j])``;
    ``alpha`` = softmax of ``s`` over all incoming edges of ``i``;
    ``h'_i`` = concat over heads of ``sum_e alpha_e z_j``.
    """
    triples = _check_common(num_relations, num_node_types, in_dim, out_dim,
                            triples)
    d = _check_heads(heads, out_dim)
    args = _rgat_args(in_dim, out_dim, heads)
    h_t, out_t = _feat("node", (in_dim,)), _feat("node", (out_dim,))
    w_t = args[1].type
    attn_t = args[2].type
    z_t = _feat("edge", (heads, d))
    cat_t = _feat("edge", (heads, 2 * d))
    s_t = _feat("edge", (heads,))
    f = _Func()
    f.op("z_src", "typed_linear", "%g, %h, %w by relation on src",
         ["!graph", h_t, w_t], z_t)
    f.op("z_dst", "typed_linear", "%g, %h, %w by relation on dst",
         ["!graph", h_t, w_t], z_t)
    f.op("cat", "concat", "%z_dst, %z_src dim = 1", [z_t, z_t], cat_t)
    f.op("a", "gather", "%g, %attn by relation", ["!graph", attn_t], cat_t)
    f.op("score", "inner_product", "%cat, %a", [cat_t, cat_t], s_t)
    f.unary("act", "leaky_relu", "%score", s_t,
            "{alpha = 2.000000e-01 : f64}")
    f.op("alpha", "edge_softmax", "%g, %act", ["!graph", s_t], s_t)
    f.op("msg", "scale", "%alpha, %z_src", [s_t, z_t], z_t)
    node_h_t = _feat("node", (heads, d))
    f.op("agg", "aggregate", "%g, %msg sum", ["!graph", z_t], node_h_t)
    f.reshape("out", "%agg", node_h_t, out_t)
    f.lines.append(f"  return %out : {out_t}")
    header = [f"RGAT with across-relation attention, {heads} heads of {d}:",
              "  z_j = h_j . W_r,  s_e = LeakyReLU_0.2(a_r . "
              "[h_i . W_r || z_j]),",
              "  alpha = softmax over incoming edges, "
              "h'_i = concat_heads sum_e alpha_e z_j.",
              "Generated by hector.models.rgat."]
    return _module(header, _graph_type(num_node_types, num_relations,
                                       triples), "rgat", args, out_t, f)


# ---------------------------------------------------------------------------
# HGT
# ---------------------------------------------------------------------------

def _hgt_args(in_dim, out_dim, heads) -> List[Argument]:
    d = out_dim // heads
    args = [Argument("h", "node", (in_dim,))]
    for x in ("k", "q", "v"):
        args += [Argument(f"w_{x}", "node_type", (in_dim, out_dim)),
                 Argument(f"b_{x}", "node_type", (out_dim,))]
    args += [Argument("a_rel", "relation", (heads, d, d)),
             Argument("m_rel", "relation", (heads, d, d)),
             Argument("mu", "relation", (heads,)),
             Argument("w_out", "node_type", (out_dim, out_dim)),
             Argument("b_out", "node_type", (out_dim,))]
    if in_dim == out_dim:
        args.append(Argument("skip", "node_type", ()))
    return args


def hgt(num_relations: int, num_node_types: int = 1, in_dim: int = 64,
        out_dim: int = 64, triples=None, heads: int = 4) -> str:
    """One HGT layer as PyG's ``HGTConv(in_dim, out_dim, metadata,
    heads)`` (see ``examples/models/hgt.mlir``): per-node-type K/Q/V
    projections with bias, per-relation per-head ``A_r``/``M_r`` and prior
    ``mu_r``, edge softmax of ``(q_i . k_e) mu_r / sqrt(d)``, gelu, output
    projection per node type, and, when ``in_dim == out_dim`` (as in PyG),
    the gated skip connection ``beta y + (1 - beta) h`` with
    ``beta = sigmoid(skip[type])``; otherwise the result is ``y`` and there
    is no ``%skip`` argument.  ``triples``, when given, go in the schema.
    """
    triples = _check_common(num_relations, num_node_types, in_dim, out_dim,
                            triples)
    d = _check_heads(heads, out_dim)
    args = _hgt_args(in_dim, out_dim, heads)
    h_t, out_t = _feat("node", (in_dim,)), _feat("node", (out_dim,))
    wkqv_t = _feat("node_type", (in_dim, out_dim))
    b_t = _feat("node_type", (out_dim,))
    nh_t = _feat("node", (heads, d))
    rel_t = _feat("relation", (heads, d, d))
    eh_t = _feat("edge", (heads, d))
    s_t = _feat("edge", (heads,))
    f = _Func()
    f.comment("Keys, queries and values: per-node-type linear plus bias, "
              "split in heads.")
    for x in ("k", "q", "v"):
        f.op(f"{x}0", "typed_linear", f"%g, %h, %w_{x} by node_type",
             ["!graph", h_t, wkqv_t], out_t)
        f.op(f"b{x}", "gather", f"%g, %b_{x} by node_type", ["!graph", b_t],
             out_t)
        f.op(f"{x}1", "add", f"%{x}0, %b{x}", [out_t, out_t], out_t)
        f.reshape(x, f"%{x}1", out_t, nh_t)
    f.blank()
    f.comment("Per-relation key and message transforms of the source node, "
              "per head.")
    f.op("k_e", "typed_linear", "%g, %k, %a_rel by relation on src",
         ["!graph", nh_t, rel_t], eh_t)
    f.op("v_e", "typed_linear", "%g, %v, %m_rel by relation on src",
         ["!graph", nh_t, rel_t], eh_t)
    f.blank()
    f.comment("Attention: (q_i . k_e) * mu_r / sqrt(d), softmax over "
              "incoming edges.")
    f.op("q_e", "gather", "%g, %q by dst", ["!graph", nh_t], eh_t)
    f.op("s0", "inner_product", "%q_e, %k_e", [eh_t, eh_t], s_t)
    f.op("mu_e", "gather", "%g, %mu by relation",
         ["!graph", _feat("relation", (heads,))], s_t)
    f.op("s1", "mul", "%s0, %mu_e", [s_t, s_t], s_t)
    f.constant("inv_sqrt_d", 1.0 / math.sqrt(d))
    f.op("s2", "mul", "%s1, %inv_sqrt_d", [s_t, "tensor<f32>"], s_t)
    f.op("alpha", "edge_softmax", "%g, %s2", ["!graph", s_t], s_t)
    f.op("msg", "scale", "%alpha, %v_e", [s_t, eh_t], eh_t)
    f.op("agg", "aggregate", "%g, %msg sum", ["!graph", eh_t], nh_t)
    f.reshape("o", "%agg", nh_t, out_t)
    f.blank()
    f.comment("Output projection per node type"
              + (", then the gated skip connection." if in_dim == out_dim
                 else " (no skip: in_dim != out_dim, as in PyG)."))
    f.unary("act", "gelu", "%o", out_t)
    f.op("y0", "typed_linear", "%g, %act, %w_out by node_type",
         ["!graph", out_t, _feat("node_type", (out_dim, out_dim)), ], out_t)
    f.op("bo", "gather", "%g, %b_out by node_type", ["!graph", b_t], out_t)
    f.op("y", "add", "%y0, %bo", [out_t, out_t], out_t)
    result = "%y"
    if in_dim == out_dim:
        sc_t = _feat("node", ())
        f.op("skip_n", "gather", "%g, %skip by node_type",
             ["!graph", _feat("node_type", ())], sc_t)
        f.unary("beta", "sigmoid", "%skip_n", sc_t)
        f.constant("one", 1.0)
        f.op("keep", "sub", "%one, %beta", ["tensor<f32>", sc_t], sc_t)
        f.op("new", "scale", "%beta, %y", [sc_t, out_t], out_t)
        f.op("old", "scale", "%keep, %h", [sc_t, out_t], out_t)
        f.op("out", "add", "%new, %old", [out_t, out_t], out_t)
        result = "%out"
    f.lines.append(f"  return {result} : {out_t}")
    header = [f"HGT, one layer, as PyTorch Geometric's HGTConv({in_dim}, "
              f"{out_dim}, metadata, heads={heads}),",
              f"{heads} heads of {d}; see examples/models/hgt.mlir.",
              "Generated by hector.models.hgt."]
    return _module(header, _graph_type(num_node_types, num_relations,
                                       triples), "hgt", args, out_t, f)


# ---------------------------------------------------------------------------
# Signatures and binding reference values
# ---------------------------------------------------------------------------

MODELS = ("rgcn", "rgcn_basis", "rgcn_norm", "rgcn_basis_norm", "rgat",
          "hgt")


def build(model: str, num_relations: int, num_node_types: int = 1,
          in_dim: int = 64, out_dim: int = 64, triples=None, heads: int = 4,
          num_bases: int = 30) -> str:
    """The IR of ``model`` (a name in :data:`MODELS`, the function's name)
    with the given sizes; ``heads`` applies to rgat/hgt, ``num_bases`` to
    the ``rgcn_basis*`` variants."""
    if model.startswith("rgcn") and model in MODELS:
        return rgcn(num_relations, num_node_types, in_dim, out_dim, triples,
                    basis=num_bases if "basis" in model else None,
                    edge_norm=model.endswith("norm"))
    if model == "rgat":
        return rgat(num_relations, num_node_types, in_dim, out_dim, triples,
                    heads)
    if model == "hgt":
        return hgt(num_relations, num_node_types, in_dim, out_dim, triples,
                   heads)
    raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")


def signature(model: str, in_dim: int = 64, out_dim: int = 64,
              heads: int = 4, num_bases: int = 30, root_weight: bool = True,
              bias: bool = True) -> List[Argument]:
    """The function arguments of ``model`` after ``%g``, in order, with
    their domains and per-element shapes (the names are the reference's
    weight keys, plus ``h``); ``root_weight`` and ``bias`` as given to
    :func:`rgcn`."""
    check_positive("in_dim", in_dim)
    check_positive("out_dim", out_dim)
    if model.startswith("rgcn") and model in MODELS:
        return _rgcn_args(in_dim, out_dim,
                          num_bases if "basis" in model else None,
                          model.endswith("norm"), root_weight, bias)
    if model in ("rgat", "hgt"):
        _check_heads(heads, out_dim)
        return (_rgat_args if model == "rgat" else _hgt_args)(
            in_dim, out_dim, heads)
    raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")


def reference_inputs(model: str, h, weights: Mapping[str, object],
                     in_dim: int = 64, out_dim: int = 64, heads: int = 4,
                     num_bases: int = 30) -> List[object]:
    """The values for the function's arguments after ``%g``, in order:
    ``h`` followed by ``weights[name]`` for every other argument (the
    names are identical, so no mapping is involved).  Raises ValueError on
    a missing or unexpected key."""
    args = signature(model, in_dim, out_dim, heads, num_bases)
    names = [a.name for a in args[1:]]
    missing = [n for n in names if n not in weights]
    extra = sorted(set(weights) - set(names))
    if missing or extra:
        raise ValueError(f"{model}: weights do not match the signature "
                         f"(missing {missing}, unexpected {extra})")
    return [h] + [weights[n] for n in names]
