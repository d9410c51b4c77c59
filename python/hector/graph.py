"""The heterogeneous-graph structure that every Hector loader returns.

A :class:`HeteroGraph` stores one graph in *global* numbering:

* nodes are ``0 .. num_nodes-1``; ``ntype[v]`` is the node type of ``v``;
* edges are ``0 .. num_edges-1`` in COO form (``src[e]``, ``dst[e]``,
  ``etype[e]``); ``etype`` is the relation id;
* every id has a name: ``node_names[v]``, ``ntype_names[t]``,
  ``etype_names[r]`` (``node_names`` may be a lazy sequence for synthetic
  graphs);
* ``canonical_etypes[r]`` is ``(src node type, relation name, dst node
  type)`` when the schema is known (HGB, OGB, DGL-style RDF), else ``None``.

Optional parts, present where the source format has them:

* ``node_features``: ``{ntype name: float32 array [nodes of that type, dim]}``,
  rows in ascending global node id of that type (see :meth:`nodes_of_type`);
* ``labels``: ``int64 [num_nodes]`` with ``-1`` for unlabelled nodes, or for
  multi-label data an ``int8 [num_nodes, num_classes]`` multi-hot matrix;
  ``label_names[c]`` names class ``c``; ``target_ntype`` is the labelled type;
* ``node_splits``: ``{"train"|"valid"|"test": int64 global node ids}``;
* ``edge_splits``: ``{"train"|"valid"|"test": int64 [k, 3] (head, relation,
  tail)}`` for link prediction; the graph's edges are the training triples;
* ``edge_data``: ``{name: array [num_edges, ...]}`` (e.g. HGB link weights).

Arrays are plain numpy arrays owned by the graph.  :meth:`validate` checks
every size and id range and raises :class:`~hector.errors.DataFormatError`
naming the offending array.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .errors import DataFormatError


class IndexNames(Sequence):
    """Lazy names ``f"{prefix}{i}"`` for ``count`` ids (synthetic graphs)."""

    def __init__(self, prefix: str, count: int):
        self.prefix = prefix
        self.count = int(count)

    def __len__(self):
        return self.count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.count))]
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        return self._name(i)

    def _name(self, i: int) -> str:
        """The name of id ``0 <= i < count``."""
        return f"{self.prefix}{i}"


@dataclass
class HeteroGraph:
    name: str
    num_nodes: int
    src: np.ndarray
    dst: np.ndarray
    etype: np.ndarray
    ntype: np.ndarray
    ntype_names: List[str]
    etype_names: List[str]
    node_names: Sequence[str]
    canonical_etypes: Optional[List[Tuple[str, str, str]]] = None
    node_features: Dict[str, np.ndarray] = field(default_factory=dict)
    labels: Optional[np.ndarray] = None
    label_names: List[str] = field(default_factory=list)
    target_ntype: Optional[str] = None
    node_splits: Dict[str, np.ndarray] = field(default_factory=dict)
    edge_splits: Dict[str, np.ndarray] = field(default_factory=dict)
    edge_data: Dict[str, np.ndarray] = field(default_factory=dict)
    meta: Dict[str, object] = field(default_factory=dict)

    def __post_init__(self):
        self.num_nodes = int(self.num_nodes)
        self.src = np.ascontiguousarray(self.src, dtype=np.int64)
        self.dst = np.ascontiguousarray(self.dst, dtype=np.int64)
        self.etype = np.ascontiguousarray(self.etype, dtype=np.int32)
        self.ntype = np.ascontiguousarray(self.ntype, dtype=np.int32)
        self.validate()

    # ---- sizes -----------------------------------------------------------
    @property
    def num_edges(self) -> int:
        return int(self.src.shape[0])

    @property
    def num_relations(self) -> int:
        return len(self.etype_names)

    @property
    def num_ntypes(self) -> int:
        return len(self.ntype_names)

    @property
    def num_classes(self) -> int:
        return len(self.label_names)

    # ---- lookups ---------------------------------------------------------
    def ntype_id(self, name: str) -> int:
        try:
            return self.ntype_names.index(name)
        except ValueError:
            raise KeyError(f"no node type named {name!r}") from None

    def nodes_of_type(self, t) -> np.ndarray:
        """Global ids of the nodes of type ``t`` (id or name), ascending."""
        if isinstance(t, str):
            t = self.ntype_id(t)
        return np.flatnonzero(self.ntype == t)

    def nodes_per_type(self) -> np.ndarray:
        return np.bincount(self.ntype, minlength=self.num_ntypes)

    def edges_per_relation(self) -> np.ndarray:
        return np.bincount(self.etype, minlength=self.num_relations)

    def summary(self) -> Dict[str, object]:
        return {
            "name": self.name,
            "num_nodes": self.num_nodes,
            "num_edges": self.num_edges,
            "num_relations": self.num_relations,
            "num_ntypes": self.num_ntypes,
            "num_classes": self.num_classes,
        }

    def __repr__(self):
        return (f"HeteroGraph({self.name!r}, nodes={self.num_nodes}, "
                f"edges={self.num_edges}, relations={self.num_relations}, "
                f"ntypes={self.num_ntypes})")

    # ---- validation ------------------------------------------------------
    def validate(self) -> None:
        """Check every size and id range; raise DataFormatError on the first
        problem, naming the array."""
        n, e = self.num_nodes, self.num_edges
        if n < 0:
            raise DataFormatError(f"negative node count {n}", array="num_nodes")
        for arr_name in ("src", "dst", "etype", "ntype"):
            if getattr(self, arr_name).ndim != 1:
                raise DataFormatError("must be one-dimensional", array=arr_name)
        for arr_name in ("dst", "etype"):
            got = getattr(self, arr_name).shape[0]
            if got != e:
                raise DataFormatError(
                    f"has {got} elements but 'src' has {e} (one per edge)",
                    array=arr_name)
        if self.ntype.shape[0] != n:
            raise DataFormatError(
                f"has {self.ntype.shape[0]} elements, expected num_nodes={n}",
                array="ntype")
        _check_range(self.src, 0, n, "src")
        _check_range(self.dst, 0, n, "dst")
        _check_range(self.etype, 0, self.num_relations, "etype")
        _check_range(self.ntype, 0, self.num_ntypes, "ntype")
        if len(self.node_names) != n:
            raise DataFormatError(
                f"has {len(self.node_names)} names, expected num_nodes={n}",
                array="node_names")
        if self.canonical_etypes is not None and \
                len(self.canonical_etypes) != self.num_relations:
            raise DataFormatError(
                f"has {len(self.canonical_etypes)} entries, expected "
                f"{self.num_relations} relations", array="canonical_etypes")
        counts = None
        for tname, feat in self.node_features.items():
            if tname not in self.ntype_names:
                raise DataFormatError(f"unknown node type {tname!r}",
                                      array=f"node_features[{tname}]")
            if counts is None:
                counts = self.nodes_per_type()
            want = counts[self.ntype_names.index(tname)]
            if feat.ndim != 2 or feat.shape[0] != want:
                raise DataFormatError(
                    f"has shape {feat.shape}, expected ({want}, dim)",
                    array=f"node_features[{tname}]")
        if self.labels is not None:
            if self.labels.shape[0] != n:
                raise DataFormatError(
                    f"has {self.labels.shape[0]} rows, expected num_nodes={n}",
                    array="labels")
            if self.labels.ndim == 1:
                _check_range(self.labels, -1, self.num_classes, "labels")
            elif self.labels.shape[1] != self.num_classes:
                raise DataFormatError(
                    f"has {self.labels.shape[1]} columns, expected "
                    f"{self.num_classes} classes", array="labels")
        for split, ids in self.node_splits.items():
            _check_range(ids, 0, n, f"node_splits[{split}]")
        for key, arr in self.edge_data.items():
            if arr.shape[0] != e:
                raise DataFormatError(
                    f"has {arr.shape[0]} rows, expected num_edges={e}",
                    array=f"edge_data[{key}]")
        for split, trip in self.edge_splits.items():
            if trip.ndim != 2 or trip.shape[1] != 3:
                raise DataFormatError(f"has shape {trip.shape}, expected (k, 3)",
                                      array=f"edge_splits[{split}]")
            _check_range(trip[:, [0, 2]], 0, n, f"edge_splits[{split}]")
            _check_range(trip[:, 1], 0, self.num_relations,
                         f"edge_splits[{split}]")


def _check_range(a: np.ndarray, lo: int, hi: int, name: str) -> None:
    if a.size == 0:
        return
    amin, amax = a.min(), a.max()
    if amin < lo or amax >= hi:
        flat = a.reshape(-1)
        bad = int(np.flatnonzero((flat < lo) | (flat >= hi))[0])
        raise DataFormatError(
            f"element {bad} is {int(flat[bad])}, out of range [{lo}, {hi})",
            array=name)


def add_reverse_edges(g: HeteroGraph, prefix: str = "rev-") -> HeteroGraph:
    """A new graph with a reverse edge ``e + E`` (``dst -> src``, relation
    ``r + R`` named ``prefix + name``) for every edge ``e``, as knowledge
    graph models (R-GCN on FB15k-237: 237 -> 474 relations) use.  Canonical
    triples, if any, get their reverses; per-edge data is repeated;
    ``meta`` records ``reverse_edge_offset`` and ``reverse_relation_offset``.
    Nodes, features, labels and splits are shared with ``g``."""
    E, R = g.num_edges, g.num_relations
    canon = None
    if g.canonical_etypes is not None:
        canon = list(g.canonical_etypes) + [(d, prefix + r, s) for s, r, d in
                                            g.canonical_etypes]
    meta = dict(g.meta)
    meta.update(reverse_edge_offset=E, reverse_relation_offset=R)
    return HeteroGraph(
        name=g.name, num_nodes=g.num_nodes,
        src=np.concatenate([g.src, g.dst]), dst=np.concatenate([g.dst, g.src]),
        etype=np.concatenate([g.etype, g.etype + R]), ntype=g.ntype,
        ntype_names=list(g.ntype_names),
        etype_names=list(g.etype_names) + [prefix + n for n in g.etype_names],
        node_names=g.node_names, canonical_etypes=canon,
        node_features=g.node_features, labels=g.labels,
        label_names=g.label_names, target_ntype=g.target_ntype,
        node_splits=g.node_splits, edge_splits=g.edge_splits,
        edge_data={k: np.concatenate([v, v]) for k, v in g.edge_data.items()},
        meta=meta)
