"""Plain PyTorch (CPU) implementations of Hector's three example layers.

These are the baselines of ``bench/cpu_inference.py``: RGCN, RGAT and HGT
with exactly the semantics of ``examples/models/*.mlir`` and
``hector.reference`` (the float64 oracle), written the way a careful PyTorch
user would write them for speed on a CPU:

* every index tensor is computed once, in :func:`build`, outside the timed
  ``forward`` (as a user caches them): edges sorted by (relation,
  destination), per-relation segment bounds, and the distinct
  (source, relation) and (destination, relation) pairs of every relation;
* ``forward`` runs under ``torch.no_grad()`` and loops over the relations
  with ``index_select`` + one GEMM per relation on a contiguous slice
  (written into a preallocated output, no ``cat``), aggregates with
  ``index_add_`` and computes the edge softmax with
  ``scatter_reduce_(..., "amax")`` + ``index_add_``;
* per-node-type work (HGT's K/Q/V and output projections) is one GEMM per
  node type on that type's rows (a slice when the type's ids are
  contiguous, as in HGB, else ``index_select``/``index_copy_``).

How the per-relation GEMMs are arranged (``compact``, default True): a
transform that depends only on (source node, relation) is applied once per
distinct such pair and then gathered per edge, which is what PyG's own
layers do at node granularity (``RGCNConv`` aggregates the neighbours per
relation, then multiplies by ``W_r``; ``HGTConv`` multiplies the source
type's nodes by the relation matrices, then gathers per edge).  Concretely:

* RGCN: the mean over (destination, relation) pairs is taken first
  (``index_add_`` of the gathered, 1/count-scaled source rows), then each
  relation's pair rows are multiplied by ``W_r``, then summed onto the
  destinations (``(A_r X) W_r`` instead of ``A_r (X W_r)``: the same value);
* RGAT: ``z = h_j W_r`` per distinct (j, r); the attention vector's halves
  are folded into the weights (``[z_dst || z_src] . a_r = h_i (W_r a_r^dst) +
  h_j (W_r a_r^src)``), as PyG's ``GATConv`` splits ``alpha_dst`` and
  ``alpha_src``, so ``z_dst`` is never formed;
* HGT: ``k_j A_r`` and ``v_j M_r`` per distinct (j, r), with
  ``mu_r / sqrt(D)`` folded into ``A_r``.

``compact=False`` does the per-relation GEMMs on every edge instead (the
literal "index_select per relation, matmul, index_add_" layer).

GEMM engine (``gemm``): ``"matmul"`` (default) calls ``torch.matmul`` /
``torch.bmm``, i.e. whatever BLAS torch was built with.  Debian's
``python3-torch`` 1.13 is built with ``BLAS_INFO=generic`` and, unless
another ``libblas.so.3`` alternative (OpenBLAS, BLIS) is installed, runs
netlib's single-threaded *reference* BLAS, about 4-5 GFLOP/s here.
``"onednn"`` runs the same GEMMs through the oneDNN (MKL-DNN) library that
ships inside the same torch build (``torch._C._nn.mkldnn_linear``), which is
multi-threaded and vectorized; it is float32 only.

Weights are the dicts of ``hector.reference.init_weights`` (same names and
shapes, numpy float64), converted to torch once in :func:`build`.

    layer = build("rgat", graph, weights, heads=4)
    out = layer(h)          # h: torch [N, in] (or numpy), out: torch [N, out]
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

__all__ = ["build", "GraphIndex", "set_threads", "reverse_edges", "MODELS",
           "GEMMS"]

# torch 1.13 warns once that scatter_reduce is beta; its "amax" is what the
# edge softmax needs.
warnings.filterwarnings("ignore", message=r"scatter_reduce\(\) is in beta")

MODELS = ("rgcn", "rgat", "hgt")
GEMMS = ("matmul", "onednn")


def set_threads(n: Optional[int] = None) -> int:
    """Use ``n`` intra-op threads (default: every core); returns it."""
    n = int(n or os.cpu_count() or 1)
    torch.set_num_threads(n)
    return n


def reverse_edges(src, dst, etype, num_relations: int):
    """The graph with every edge's reverse added under relation
    ``r + num_relations`` (edge ``e + E`` reverses ``e``): returns
    ``(src, dst, etype, 2 * num_relations)`` as numpy arrays."""
    src = np.asarray(src, np.int64)
    dst = np.asarray(dst, np.int64)
    etype = np.asarray(etype, np.int64)
    return (np.concatenate([src, dst]), np.concatenate([dst, src]),
            np.concatenate([etype, etype + num_relations]),
            2 * int(num_relations))


# ---------------------------------------------------------------------------
# Index structures, computed once
# ---------------------------------------------------------------------------

def _graph_arrays(graph):
    n = int(graph.num_nodes)
    src = np.asarray(graph.src, np.int64).reshape(-1)
    dst = np.asarray(graph.dst, np.int64).reshape(-1)
    etype = np.asarray(graph.etype, np.int64).reshape(-1)
    ntype = getattr(graph, "ntype", None)
    ntype = (np.zeros(n, np.int64) if ntype is None
             else np.asarray(ntype, np.int64).reshape(-1))
    num_rel = getattr(graph, "num_relations", None)
    if num_rel is None:
        num_rel = int(etype.max()) + 1 if etype.size else 0
    num_types = getattr(graph, "num_ntypes", None)
    if num_types is None:
        num_types = getattr(graph, "num_node_types", None)
    if num_types is None:
        num_types = int(ntype.max()) + 1 if n else 0
    return n, src, dst, etype, ntype, int(num_rel), int(num_types)


def _segments(rel_of_rows: np.ndarray, num_rel: int) -> List[Tuple[int, int, int]]:
    """(relation, lo, hi) of every non-empty relation in rows sorted by
    relation."""
    bounds = np.searchsorted(rel_of_rows, np.arange(num_rel + 1))
    return [(r, int(bounds[r]), int(bounds[r + 1])) for r in range(num_rel)
            if bounds[r + 1] > bounds[r]]


class _Pairs:
    """Distinct (node, relation) pairs of one endpoint, sorted by
    (relation, node): ``node`` [U], ``segments`` (r, lo, hi) and
    ``edge_to_pair`` [E] (in the sorted edge order)."""

    def __init__(self, node_sorted: np.ndarray, rel_sorted: np.ndarray,
                 n: int, num_rel: int):
        key = rel_sorted * max(n, 1) + node_sorted
        uniq, inv = np.unique(key, return_inverse=True)
        self.node = torch.from_numpy(uniq % max(n, 1))
        self.segments = _segments(uniq // max(n, 1), num_rel)
        self.edge_to_pair = torch.from_numpy(inv.reshape(-1).astype(np.int64))
        self.count = np.bincount(inv.reshape(-1), minlength=uniq.shape[0])


class GraphIndex:
    """The index tensors every layer reads, built once from a graph
    (``HeteroGraph``, ``RefGraph`` or anything with ``num_nodes``, ``src``,
    ``dst``, ``etype``, ``ntype``).

    Edges are sorted by (relation, destination, source); ``src``/``dst`` are
    int64 tensors in that order and ``segments`` the non-empty relations'
    (r, lo, hi).  ``src_pairs``/``dst_pairs`` are the distinct
    (node, relation) pairs; ``types`` the node-type groups."""

    def __init__(self, graph):
        (self.num_nodes, src, dst, etype, ntype, self.num_relations,
         self.num_node_types) = _graph_arrays(graph)
        n, R = self.num_nodes, self.num_relations
        order = np.lexsort((src, dst, etype))
        src_s, dst_s, et_s = src[order], dst[order], etype[order]
        self.num_edges = int(src.shape[0])
        self.order = torch.from_numpy(order.astype(np.int64))
        self.src = torch.from_numpy(src_s)
        self.dst = torch.from_numpy(dst_s)
        self.etype = torch.from_numpy(et_s)
        self.segments = _segments(et_s, R)
        self.src_pairs = _Pairs(src_s, et_s, n, R)
        self.dst_pairs = _Pairs(dst_s, et_s, n, R)
        self.ntype = torch.from_numpy(ntype)
        # Node-type groups: a slice when the type's ids are contiguous.
        self.types = []
        for t in range(self.num_node_types):
            ids = np.flatnonzero(ntype == t)
            if ids.size == 0:
                continue
            if ids[-1] - ids[0] + 1 == ids.size:
                self.types.append((t, slice(int(ids[0]), int(ids[-1]) + 1)))
            else:
                self.types.append((t, torch.from_numpy(ids.astype(np.int64))))


# ---------------------------------------------------------------------------
# GEMM engines
# ---------------------------------------------------------------------------

class _Gemm:
    """``x [M, K] . W [K, N]`` for a list of weights, into ``out`` rows."""

    def __init__(self, kind: str, dtype):
        if kind not in GEMMS:
            raise ValueError(f"gemm must be one of {GEMMS}, got {kind!r}")
        if kind == "onednn" and dtype != torch.float32:
            raise ValueError("gemm='onednn' supports float32 only")
        if kind == "onednn" and not torch.backends.mkldnn.is_available():
            raise RuntimeError("this torch build has no oneDNN (mkldnn)")
        self.kind = kind

    def prepare(self, w: torch.Tensor):
        """A weight [K, N] in the engine's form."""
        if self.kind == "matmul":
            return w.contiguous()
        return w.t().contiguous().to_mkldnn()

    def __call__(self, x: torch.Tensor, w, out: torch.Tensor,
                 bias: Optional[torch.Tensor] = None) -> None:
        if x.shape[0] == 0:
            return
        if self.kind == "matmul":
            if bias is None:
                torch.matmul(x, w, out=out)
            else:
                torch.addmm(bias, x, w, out=out)
        else:
            y = torch._C._nn.mkldnn_linear(x.contiguous().to_mkldnn(), w,
                                           None if bias is None else
                                           bias.to_mkldnn()).to_dense()
            out.copy_(y)

    # Per-head transforms x [M, G*d] . blockdiag(W[0..G-1]) with W [G, d, d]:
    # a GEMM per head for "matmul" (reference BLAS: no wasted flops),
    # one block-diagonal GEMM for "onednn" (fast GEMM: fewer, larger calls).
    def prepare_heads(self, w: torch.Tensor):
        if self.kind == "matmul":
            return w.contiguous()
        return self.prepare(torch.block_diag(*w))

    def heads(self, x: torch.Tensor, w, out: torch.Tensor) -> None:
        if x.shape[0] == 0:
            return
        if self.kind == "matmul":
            # One GEMM per head on strided column blocks (BLAS reads and
            # writes them in place through the leading dimension: no copy).
            d = w.shape[1]
            for k in range(w.shape[0]):
                torch.mm(x[:, k * d:(k + 1) * d], w[k],
                         out=out[:, k * d:(k + 1) * d])
        else:
            self(x, w, out)


def _tensor(x, dtype) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.to(dtype)
    return torch.from_numpy(np.asarray(x)).to(dtype)


def _per_type_linear(idx: GraphIndex, gemm: _Gemm, x: torch.Tensor,
                     ws: Sequence, bs: Sequence, out: torch.Tensor) -> None:
    """out[v] = x[v] . W[type(v)] + b[type(v)] for every node."""
    for t, sel in idx.types:
        if isinstance(sel, slice):
            gemm(x[sel], ws[t], out[sel], bs[t])
        else:
            rows = x.index_select(0, sel)
            res = torch.empty((rows.shape[0], out.shape[1]), dtype=out.dtype)
            gemm(rows, ws[t], res, bs[t])
            out.index_copy_(0, sel, res)


def _edge_softmax(scores: torch.Tensor, dst: torch.Tensor, dst_exp: torch.Tensor,
                  n: int) -> torch.Tensor:
    """Softmax of scores [E, H] over the incoming edges of each destination
    (stable: minus the per-destination maximum); in place."""
    h = scores.shape[1]
    m = torch.full((n, h), -math.inf, dtype=scores.dtype)
    m.scatter_reduce_(0, dst_exp, scores, "amax", include_self=True)
    scores.sub_(m.index_select(0, dst)).exp_()
    den = torch.zeros((n, h), dtype=scores.dtype).index_add_(0, dst, scores)
    return scores.div_(den.index_select(0, dst))


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------

class _Layer:
    def __init__(self, idx: GraphIndex, dtype, gemm: str, compact: bool):
        self.idx = idx
        self.dtype = dtype
        self.gemm = _Gemm(gemm, dtype)
        self.compact = compact
        self.dst_exp_cache = {}

    def _dst_exp(self, h: int) -> torch.Tensor:
        if h not in self.dst_exp_cache:
            self.dst_exp_cache[h] = self.idx.dst[:, None].expand(-1, h)
        return self.dst_exp_cache[h]

    def _pairs(self, which: str):
        """(node [U], segments, edge_to_pair [E] or None for identity): the
        rows the per-relation GEMMs run on."""
        idx = self.idx
        if not self.compact:
            return (idx.src if which == "src" else idx.dst), idx.segments, None
        p = idx.src_pairs if which == "src" else idx.dst_pairs
        return p.node, p.segments, p.edge_to_pair

    def __call__(self, h) -> torch.Tensor:
        h = _tensor(h, self.dtype).contiguous()
        with torch.no_grad():
            return self.forward(h)


class RGCN(_Layer):
    """``h'_i = h_i W_root + sum_r mean_{j in N_r(i)} h_j W_r + b``."""

    def __init__(self, idx, weights, dtype, gemm, compact):
        super().__init__(idx, dtype, gemm, compact)
        w = _tensor(weights["w"], dtype)
        self.in_dim, self.out_dim = w.shape[1], w.shape[2]
        self.w = [self.gemm.prepare(w[r]) for r in range(w.shape[0])]
        self.w_root = self.gemm.prepare(_tensor(weights["w_root"], dtype))
        self.bias = _tensor(weights["bias"], dtype).contiguous()
        dp = idx.dst_pairs
        # 1 / |N_r(i)| per (sorted) edge.
        self.norm = torch.from_numpy(
            1.0 / dp.count[dp.edge_to_pair.numpy()]).to(dtype)[:, None]

    def forward(self, h):
        idx, n = self.idx, self.idx.num_nodes
        out = torch.empty((n, self.out_dim), dtype=self.dtype)
        self.gemm(h, self.w_root, out, self.bias)
        x = h.index_select(0, idx.src).mul_(self.norm)     # [E, in]
        if self.compact:
            dp = idx.dst_pairs
            agg = torch.zeros((dp.node.shape[0], self.in_dim),
                              dtype=self.dtype).index_add_(0, dp.edge_to_pair, x)
            y = torch.empty((agg.shape[0], self.out_dim), dtype=self.dtype)
            for r, lo, hi in dp.segments:
                self.gemm(agg[lo:hi], self.w[r], y[lo:hi])
            return out.index_add_(0, dp.node, y)
        y = torch.empty((x.shape[0], self.out_dim), dtype=self.dtype)
        for r, lo, hi in idx.segments:
            self.gemm(x[lo:hi], self.w[r], y[lo:hi])
        return out.index_add_(0, idx.dst, y)


class RGAT(_Layer):
    """``examples/models/rgat.mlir``: across-relation attention, heads
    concatenated."""

    def __init__(self, idx, weights, dtype, gemm, compact, slope=0.2):
        super().__init__(idx, dtype, gemm, compact)
        w = _tensor(weights["w"], dtype)            # [R, H, in, d]
        attn = _tensor(weights["attn"], dtype)      # [R, H, 2d]
        R, H, K, d = w.shape
        self.heads, self.d, self.slope = H, d, slope
        # [in, H*d | H]: z_src for all heads, then the folded a_r^src score.
        wcat = w.permute(0, 2, 1, 3).reshape(R, K, H * d)
        a_dst, a_src = attn[:, :, :d], attn[:, :, d:]
        w_asrc = torch.einsum("rhkd,rhd->rkh", w, a_src)
        w_adst = torch.einsum("rhkd,rhd->rkh", w, a_dst)
        self.w_src = [self.gemm.prepare(torch.cat([wcat[r], w_asrc[r]], 1))
                      for r in range(R)]
        self.w_dst = [self.gemm.prepare(w_adst[r]) for r in range(R)]

    def forward(self, h):
        idx, n, H, d = self.idx, self.idx.num_nodes, self.heads, self.d
        s_node, s_seg, s_e2p = self._pairs("src")
        d_node, d_seg, d_e2p = self._pairs("dst")
        hs = h.index_select(0, s_node)
        zs = torch.empty((hs.shape[0], H * d + H), dtype=self.dtype)
        for r, lo, hi in s_seg:
            self.gemm(hs[lo:hi], self.w_src[r], zs[lo:hi])
        del hs
        hd = h.index_select(0, d_node)
        sd = torch.empty((hd.shape[0], H), dtype=self.dtype)
        for r, lo, hi in d_seg:
            self.gemm(hd[lo:hi], self.w_dst[r], sd[lo:hi])
        del hd
        if s_e2p is not None:
            zs = zs.index_select(0, s_e2p)                 # per edge
        if d_e2p is not None:
            sd = sd.index_select(0, d_e2p)
        s = torch.nn.functional.leaky_relu(zs[:, H * d:] + sd, self.slope)
        alpha = _edge_softmax(s, idx.dst, self._dst_exp(H), n)
        msg = zs[:, :H * d].reshape(-1, H, d).mul_(alpha[:, :, None])
        out = torch.zeros((n, H * d), dtype=self.dtype)
        return out.index_add_(0, idx.dst, msg.view(-1, H * d))


class HGT(_Layer):
    """``examples/models/hgt.mlir`` (PyG ``HGTConv``)."""

    def __init__(self, idx, weights, dtype, gemm, compact):
        super().__init__(idx, dtype, gemm, compact)
        t = lambda k: _tensor(weights[k], dtype)
        a_rel, m_rel, mu = t("a_rel"), t("m_rel"), t("mu")
        R, H, d, _ = a_rel.shape
        self.heads, self.d, self.out_dim = H, d, H * d
        T = t("w_k").shape[0]
        # Columns [k | v | q] so that k and v are one contiguous block.
        self.w_kvq = [self.gemm.prepare(torch.cat(
            [t("w_k")[i], t("w_v")[i], t("w_q")[i]], 1)) for i in range(T)]
        self.b_kvq = [torch.cat([t("b_k")[i], t("b_v")[i], t("b_q")[i]])
                      for i in range(T)]
        # mu_r / sqrt(d) folded into A_r (a per-head column scale).
        a_scaled = a_rel * (mu / math.sqrt(d))[:, :, None, None]
        self.kv_rel = [self.gemm.prepare_heads(torch.cat([a_scaled[r],
                                                          m_rel[r]]))
                       for r in range(R)]
        self.w_out = [self.gemm.prepare(t("w_out")[i]) for i in range(T)]
        self.b_out = [t("b_out")[i].contiguous() for i in range(T)]
        self.skip = None
        if "skip" in weights:
            beta = torch.sigmoid(t("skip"))[idx.ntype][:, None]
            self.skip = (beta.contiguous(), (1 - beta).contiguous())

    def forward(self, h):
        idx, n, H, d, D = (self.idx, self.idx.num_nodes, self.heads, self.d,
                           self.out_dim)
        kvq = torch.empty((n, 3 * D), dtype=self.dtype)
        _per_type_linear(idx, self.gemm, h, self.w_kvq, self.b_kvq, kvq)
        s_node, s_seg, s_e2p = self._pairs("src")
        kv_in = kvq[:, :2 * D].index_select(0, s_node)      # [U, 2D]
        kv = torch.empty_like(kv_in)
        for r, lo, hi in s_seg:
            self.gemm.heads(kv_in[lo:hi], self.kv_rel[r], kv[lo:hi])
        del kv_in
        k_e = kv[:, :D] if s_e2p is None else kv[:, :D].index_select(0, s_e2p)
        q_e = kvq[:, 2 * D:].index_select(0, idx.dst)
        s = q_e.view(-1, H, d).mul_(k_e.reshape(-1, H, d)).sum(-1)  # [E, H]
        del q_e, k_e
        alpha = _edge_softmax(s, idx.dst, self._dst_exp(H), n)
        v_e = (kv[:, D:].index_select(0, s_e2p) if s_e2p is not None
               else kv[:, D:].contiguous())
        del kv
        msg = v_e.view(-1, H, d).mul_(alpha[:, :, None])
        agg = torch.zeros((n, D), dtype=self.dtype)
        agg.index_add_(0, idx.dst, msg.view(-1, D))
        del msg, v_e
        act = torch.nn.functional.gelu(agg)                  # exact (erf)
        y = torch.empty((n, D), dtype=self.dtype)
        _per_type_linear(idx, self.gemm, act, self.w_out, self.b_out, y)
        if self.skip is None:
            return y
        beta, keep = self.skip
        return y.mul_(beta).add_(h * keep)


_CLASSES = {"rgcn": RGCN, "rgat": RGAT, "hgt": HGT}


def build(model: str, graph, weights: Dict[str, object], heads: int = 4,
          dtype=torch.float32, gemm: str = "matmul", compact: bool = True,
          index: Optional[GraphIndex] = None):
    """A callable ``forward(h) -> out`` for ``model`` ("rgcn", "rgat",
    "hgt") on ``graph`` with the reference weight dict ``weights``.

    ``heads`` is read off the weights' shapes and only checked here.
    ``index`` reuses a :class:`GraphIndex` of the same graph.  All index
    tensors and converted weights are made here, once."""
    if model not in _CLASSES:
        raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
    if model == "rgat" and np.shape(weights["w"])[1] != heads:
        raise ValueError(f"rgat weights have {np.shape(weights['w'])[1]} "
                         f"heads, not {heads}")
    if model == "hgt" and np.shape(weights["a_rel"])[1] != heads:
        raise ValueError(f"hgt weights have {np.shape(weights['a_rel'])[1]} "
                         f"heads, not {heads}")
    idx = index if index is not None else GraphIndex(graph)
    return _CLASSES[model](idx, weights, dtype, gemm, compact)
