"""PyTorch versions of the example models: in float64, the analytic-
gradient oracle for Hector's generated backward programs; in float32, the
plain-PyTorch baseline of the training benchmark (``bench/cpu_training.py``).

:mod:`hector.reference` is the forward oracle (numpy, float64, every rgnn
op).  This module writes the same models once more with torch ops,
computing in the dtype of their inputs, so that in float64
``torch.autograd`` gives exact gradients on graphs far too large for
finite differences.  It shares no code with the compiler or with
:mod:`hector.nn`: it reads only a graph's ``num_nodes``, ``src``, ``dst``,
``etype`` and ``ntype`` and the weights, named as the ``.mlir`` arguments
(``hector.reference.init_weights``).  Its forward is tested against
:mod:`hector.reference`.

    y = torch_reference.MODELS["hgt"](graph, h, weights)   # torch tensors
    (y * dy).sum().backward()                              # h.grad, ...

Per-edge typed transforms are computed one relation at a time on that
relation's edges (never a weight matrix per edge), so the oracle fits in
memory on the shared datasets.
"""

from __future__ import annotations

import math
import warnings
from typing import Dict

import numpy as np
import torch

__all__ = ["Graph", "rgcn", "rgcn_featureless", "rgat", "hgt", "MODELS"]


class Graph:
    """Index tensors of a graph (any object with ``num_nodes``, ``src``,
    ``dst``, ``etype``, ``ntype``, ``num_relations``)."""

    def __init__(self, graph):
        self.num_nodes = int(graph.num_nodes)
        as_long = lambda a: torch.as_tensor(np.asarray(a, np.int64))
        self.src, self.dst = as_long(graph.src), as_long(graph.dst)
        self.etype, self.ntype = as_long(graph.etype), as_long(graph.ntype)
        self.num_relations = int(graph.num_relations)
        # Edges grouped by relation: the order and each relation's count.
        self.by_rel = torch.argsort(self.etype, stable=True)
        self.counts = torch.bincount(
            self.etype, minlength=self.num_relations).tolist()
        self.unsort = torch.argsort(self.by_rel)

    @classmethod
    def of(cls, graph) -> "Graph":
        return graph if isinstance(graph, cls) else cls(graph)

    def per_relation(self, rows: torch.Tensor, w: torch.Tensor
                     ) -> torch.Tensor:
        """``rows[e] . w[etype[e]]`` for every edge; ``rows`` [E, ..., in],
        ``w`` [R, ..., in, out] (the leading ``...`` are heads)."""
        # split/unbind (not slicing) so that the backward does not build a
        # zero tensor of the full size per relation.
        chunks = torch.split(rows[self.by_rel], self.counts)
        ws = w.unbind(0)
        parts = [torch.matmul(c.unsqueeze(-2), ws[r]).squeeze(-2)
                 if c.dim() > 2 else c @ ws[r]
                 for r, c in enumerate(chunks)]
        if not parts:
            shape = (0,) + tuple(w.shape[1:-2]) + (w.shape[-1],)
            return rows.new_zeros(shape)
        return torch.cat(parts, 0)[self.unsort]

    def per_type(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor
                 ) -> torch.Tensor:
        """``x[v] . w[ntype[v]] + b[ntype[v]]`` for every node."""
        out = x.new_zeros((x.shape[0], w.shape[-1]))
        for t in range(w.shape[0]):
            mask = self.ntype == t
            if bool(mask.any()):
                idx = torch.nonzero(mask).squeeze(1)
                out = out.index_copy(0, idx, x[idx] @ w[t] + b[t])
        return out

    def sum_to_dst(self, msg: torch.Tensor) -> torch.Tensor:
        out = msg.new_zeros((self.num_nodes,) + tuple(msg.shape[1:]))
        return out.index_add(0, self.dst, msg)

    def softmax(self, s: torch.Tensor) -> torch.Tensor:
        """Softmax over the incoming edges of each destination, per
        column."""
        if s.shape[0] == 0:
            return s
        idx = self.dst.view(-1, *([1] * (s.dim() - 1))).expand_as(s)
        m = s.new_full((self.num_nodes,) + tuple(s.shape[1:]), -math.inf)
        with warnings.catch_warnings():  # torch 1.13: "in beta"
            warnings.simplefilter("ignore", UserWarning)
            m = m.scatter_reduce(0, idx, s.detach(), "amax")
        e = torch.exp(s - m[self.dst])
        return e / self.sum_to_dst(e)[self.dst]

    def max_per_pair(self, x: torch.Tensor):
        """The elementwise maximum of ``x`` [E, ...] over the edges of each
        (destination, relation) pair, as PyG's max aggregation, whose
        gradient torch's ``amax`` splits evenly between tied edges; with
        each pair's destination and the pairs' count per relation (the
        pairs are in relation order).

        Written as the mean of the tied edges, whose autograd is that even
        split: torch 1.13's own ``amax`` backward with
        ``include_self=False`` also counts the unused initial value when it
        ties (a maximum of exactly 0)."""
        key = self.etype * self.num_nodes + self.dst
        pairs, inverse = torch.unique(key, return_inverse=True)
        idx = inverse.view(-1, *([1] * (x.dim() - 1))).expand_as(x)
        m = x.new_zeros((len(pairs),) + tuple(x.shape[1:]))
        with warnings.catch_warnings():  # torch 1.13: "in beta"
            warnings.simplefilter("ignore", UserWarning)
            m = m.scatter_reduce(0, idx, x.detach(), "amax",
                                 include_self=False)
        hit = (x.detach() == m[inverse]).to(x.dtype)
        ties = torch.zeros_like(m).index_add(0, inverse, hit)
        m = torch.zeros_like(m).index_add(0, inverse, x * hit / ties[inverse])
        counts = torch.bincount(pairs // self.num_nodes,
                                minlength=self.num_relations).tolist()
        return m, pairs % self.num_nodes, counts

    def mean_weights(self, dtype) -> torch.Tensor:
        """``1 / |N_r(i)|`` for every edge ``(j, r, i)``."""
        key = self.dst * self.num_relations + self.etype
        _, inverse, counts = torch.unique(key, return_inverse=True,
                                          return_counts=True)
        return 1.0 / counts[inverse].to(dtype)


def _rgcn_out(g, msg, root, w, aggr, weight=None):
    """Aggregated messages (``aggr`` "mean" or "max" per (destination,
    relation), else the sum), plus the root term and the bias where ``w``
    has them. A max is over untransformed messages, each pair's then
    multiplied by its relation's ``weight`` (PyG's order) where given."""
    if aggr == "max":
        m, pair_dst, counts = g.max_per_pair(msg)
        if weight is not None:
            ws = weight.unbind(0)
            m = torch.cat([c @ ws[r] for r, c in
                           enumerate(torch.split(m, counts))], 0)
        out = m.new_zeros((g.num_nodes,) + tuple(m.shape[1:]))
        out = out.index_add(0, pair_dst, m)
    else:
        if aggr == "mean":
            msg = msg * g.mean_weights(msg.dtype)[:, None]
        out = g.sum_to_dst(msg)
    if "w_root" in w:
        out = out + root(w["w_root"])
    return out + w["bias"] if "bias" in w else out


def rgcn(graph, h, w: Dict[str, torch.Tensor],
         aggr: str = "mean") -> torch.Tensor:
    """``h'_i = h_i W_root + sum_r mean_{j in N_r(i)} h_j W_r + b``;
    ``aggr="max"`` takes ``sum_r (max_{j in N_r(i)} h_j) W_r`` and any
    other ``aggr`` sums; no ``w_root`` / ``bias`` in ``w`` leaves out that
    term."""
    g = Graph.of(graph)
    if aggr == "max":
        return _rgcn_out(g, h[g.src], lambda root: h @ root, w, aggr,
                         weight=w["w"])
    return _rgcn_out(g, g.per_relation(h[g.src], w["w"]),
                     lambda root: h @ root, w, aggr)


def rgcn_featureless(graph, w: Dict[str, torch.Tensor],
                     aggr: str = "mean") -> torch.Tensor:
    """``h'_i = W_root[i] + sum_r mean_{j in N_r(i)} W_r[j] + b``
    (``w`` [R, N, out], ``w_root`` [N, out]); ``aggr`` and missing terms
    as in :func:`rgcn`."""
    g = Graph.of(graph)
    return _rgcn_out(g, w["w"][g.etype, g.src], lambda root: root, w, aggr)


def rgat_scores(graph, h, w: Dict[str, torch.Tensor]):
    """RGAT's per-edge attention scores before the leaky ReLU, [E, heads],
    and the transformed source features, [E, heads, D]."""
    g = Graph.of(graph)
    R, heads, din, d = w["w"].shape
    # Every head transforms the same vector: one GEMM by [in, H * D].
    flat = w["w"].permute(0, 2, 1, 3).reshape(R, din, heads * d)
    z_src = g.per_relation(h[g.src], flat).view(-1, heads, d)
    z_dst = g.per_relation(h[g.dst], flat).view(-1, heads, d)
    a = w["attn"][g.etype]                            # [E, H, 2D]
    return (torch.cat([z_dst, z_src], -1) * a).sum(-1), z_src


def rgat(graph, h, w: Dict[str, torch.Tensor],
         alpha: float = 0.2) -> torch.Tensor:
    """Across-relation RGAT (``examples/models/rgat.mlir``)."""
    g = Graph.of(graph)
    score, z_src = rgat_scores(g, h, w)
    att = g.softmax(torch.nn.functional.leaky_relu(score, alpha))
    out = g.sum_to_dst(att.unsqueeze(-1) * z_src)
    return out.reshape(g.num_nodes, -1)


def hgt(graph, h, w: Dict[str, torch.Tensor]) -> torch.Tensor:
    """One HGT layer (``examples/models/hgt.mlir``)."""
    g = Graph.of(graph)
    heads, d = w["a_rel"].shape[1], w["a_rel"].shape[2]
    k, q, v = (g.per_type(h, w[f"w_{x}"], w[f"b_{x}"]).view(-1, heads, d)
               for x in ("k", "q", "v"))
    k_e = g.per_relation(k[g.src], w["a_rel"])
    v_e = g.per_relation(v[g.src], w["m_rel"])
    s = (q[g.dst] * k_e).sum(-1) * w["mu"][g.etype] / math.sqrt(d)
    att = g.softmax(s)
    o = g.sum_to_dst(att.unsqueeze(-1) * v_e).reshape(g.num_nodes, -1)
    act = 0.5 * o * torch.erfc(-o / math.sqrt(2.0))
    y = g.per_type(act, w["w_out"], w["b_out"])
    if "skip" not in w:
        return y
    beta = torch.sigmoid(w["skip"][g.ntype]).unsqueeze(1)
    return beta * y + (1 - beta) * h


MODELS = {"rgcn": rgcn, "rgat": rgat, "hgt": hgt}
