"""Helpers shared by the compiled-model correctness tests (CPU and GPU)
and by hector.gpu_artifacts, which precompiles models for the same graphs:
random typed graphs, the edge-case graphs, a graph prepared for both the
compiled model and the reference, and fresh seeds."""

from __future__ import annotations

import numpy as np


class Case:
    """A graph as the tests use it: ``prepared`` for compiled models,
    ``ref`` for the float64 reference and ``schema`` for compiling. Built
    from a loaded graph or from :func:`typed_graph`-style ``arrays``
    ``(n, src, dst, rel, R, ntype, T, triples)``."""

    def __init__(self, name, graph=None, arrays=None):
        from . import reference, runtime
        from .prep import prepare, prepare_arrays
        self.name = name
        self.graph = graph
        if graph is not None:
            self.prepared = prepare(graph)
            self.ref = reference.RefGraph.of(graph)
            self.schema = runtime.schema_of(graph)
        else:
            n, src, dst, rel, R, ntype, T, triples = arrays
            self.prepared = prepare_arrays(n, src, dst, rel, R, ntype, T)
            self.ref = reference.RefGraph(n, src, dst, rel, ntype, R, T,
                                          triples)
            self.schema = (T, R, triples)


def fresh_seed() -> int:
    """A new seed every call: every run sees fresh weights and features."""
    return int(np.random.SeedSequence().entropy % 2**32)


def f32(x):
    """``x`` rounded to float32, as float64: the reference then sees exactly
    the inputs the compiled model gets."""
    return np.asarray(x, np.float32).astype(np.float64)


def typed_graph(seed, n, e, R, T, empty_rels=(), no_in=(), triples=True):
    """A random graph whose edges follow random (src type, r, dst type)
    triples: ``(n, src, dst, rel, R, ntype, T, triples)``. Relations in
    ``empty_rels`` get no edges and nodes in ``no_in`` no incoming edges;
    sources are skewed so that (src, relation) pairs repeat."""
    rng = np.random.default_rng(seed)
    ntype = np.arange(n) % T
    rng.shuffle(ntype)
    trip = [(int(rng.integers(T)), r, int(rng.integers(T))) for r in range(R)]
    rels = [r for r in range(R) if r not in set(empty_rels)]
    src, dst, rel = [], [], []
    for _ in range(e):
        r = rels[int(rng.integers(len(rels)))]
        s_t, _, d_t = trip[r]
        srcs = np.flatnonzero(ntype == s_t)
        dsts = np.setdiff1d(np.flatnonzero(ntype == d_t), no_in)
        if not len(dsts):
            continue
        src.append(int(srcs[int(len(srcs) * rng.random() ** 3)]))
        dst.append(int(rng.choice(dsts)))
        rel.append(r)
    return (n, np.array(src, np.int64), np.array(dst, np.int64),
            np.array(rel, np.int64), R, ntype, T, trip if triples else None)


def edge_case_arrays(name: str):
    """The synthetic edge-case graphs of :data:`EDGE_CASES`."""
    if name == "holes":
        return typed_graph(1, 200, 1500, 6, 1, empty_rels=(1, 4),
                           no_in=range(10))
    if name == "typed":
        return typed_graph(2, 300, 2500, 7, 3, empty_rels=(5,), no_in=(3, 50))
    if name == "many":
        return typed_graph(3, 400, 3000, 600, 2,
                           empty_rels=range(0, 600, 7))
    if name == "edgeless":
        z = np.zeros(0, np.int64)
        return (20, z, z, z, 3, np.zeros(20, np.int64), 1, None)
    raise KeyError(name)


def check_every_variant(fn, prepared, ref, model, in_dim, out_dim, heads,
                        label, tol=1e-5, scale=None):
    """Runs every variant of compiled ``fn`` on ``prepared`` with fresh
    random inputs (the result poisoned, so every element must be written)
    and requires relative error below ``tol`` against the float64
    reference on ``ref``; ``scale`` maps weights to a factor they are
    multiplied by. A variant split by relation runs with its bound
    choice table and with all-0, all-1 and random tables: whatever each
    relation chooses, the numbers are the same. Returns the variants'
    names."""
    from . import reference
    names = [fn.name] + fn.variants
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    h = f32(rng.standard_normal((ref.num_nodes, in_dim)))
    w = {k: f32(v * (scale or {}).get(k, 1.0)) for k, v in
         reference.init_weights(model, ref, in_dim, out_dim, heads=heads,
                                rng=rng).items()}
    want = reference.MODELS[model](ref, h, w)
    inputs = [h] + [w[a.name] for a in fn.inputs[1:]]
    R = prepared.num_relations
    for name in names:
        variant = fn.model.function(name)
        assert variant.variant_of in ("", fn.name)
        bound = variant.bind(prepared, exact=True)
        tables = [bound.relation_choice]
        if bound.num_choices == 2:
            tables += [np.zeros(R, np.int32), np.ones(R, np.int32),
                       rng.integers(0, 2, R).astype(np.int32)]
        else:
            assert not tables[0].any()
        for table in tables:
            bound.relation_choice = table
            out = bound.run(inputs, poison=True)
            assert out.shape == want.shape
            err = (np.linalg.norm(out - want)
                   / (np.linalg.norm(want) or 1.0))
            assert err < tol, (f"{name} on {label}, choice {table}: "
                               f"relative error {err:.3e} (seed {seed})")
    return names


def rel_err(got, want, floor: float = 0.0) -> float:
    """``|got - want| / max(|want|, floor)`` for torch tensors (Frobenius
    norms, in float64); the difference itself when both are zero."""
    denom = max(float(want.norm()), floor)
    return float((got.double() - want.double()).norm()) / (denom or 1.0)


def module_reference(module, graph, x, params):
    """:mod:`hector.torch_reference`'s version of ``hector.nn`` layer
    ``module``, evaluated with ``params`` (tensors keyed by the module's
    parameter names, in any dtype) instead of the module's own, on
    ``graph`` and features ``x`` (``None`` for a featureless RGCNConv)."""
    import torch

    from . import nn as hnn
    from . import torch_reference as tr
    p = params
    if isinstance(module, hnn.RGCNConv):
        if module.num_blocks is not None:
            # PyG's block-diagonal W_r, built independently of the layer's.
            w = torch.stack([torch.block_diag(*blocks)
                             for blocks in p["weight"]])
        elif module.comp is None:
            w = p["weight"]
        else:
            w = torch.einsum("rb,bio->rio", p["comp"], p["weight"])
        wts = {"w": w}
        wts.update({k: p[n] for k, n in (("w_root", "root"),
                                         ("bias", "bias")) if n in p})
        if x is None:
            return tr.rgcn_featureless(graph, wts, module.aggr)
        return tr.rgcn(graph, x, wts, module.aggr)
    if isinstance(module, hnn.RGATConv):
        y = tr.rgat(graph, x, {"w": p["weight"], "attn": p["attn"]})
        if not module.concat:
            y = y.reshape(y.shape[0], module.heads, -1).mean(1)
        return y if module.bias is None else y + p["bias"]
    if isinstance(module, hnn.HGTConv):
        return tr.hgt(graph, x, p)
    raise TypeError(f"no reference for {type(module).__name__}")
