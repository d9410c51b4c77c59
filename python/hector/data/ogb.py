"""OGB datasets in their raw CSV layout (as downloaded, before OGB's own
processing), so no torch or pandas is needed.

Heterogeneous (``ogbn-mag``, ``ogbl-biokg``), under ``<root>/raw``:

* ``num-node-dict.csv.gz``: a header of node types, one row of counts;
* ``triplet-type-list.csv.gz`` (optional; else the ``relations/`` folders):
  ``src type,relation,dst type`` per line;
* ``relations/<src>___<rel>___<dst>/edge.csv.gz``: ``src,dst`` local ids;
  ``num-edge-list.csv.gz`` (optional) is checked against it;
* ``node-feat/<type>/node-feat.csv.gz``, ``node-label/<type>/node-label.csv.gz``;
* ``<root>/split/<scheme>/<type>/{train,valid,test}.csv.gz``: node ids.

Homogeneous with relation types (``ogbl-wikikg2``), under ``<root>/raw``:
``edge.csv.gz``, ``edge_reltype.csv.gz``, ``num-node-list.csv.gz``,
optional ``node-feat.csv.gz`` / ``node-label.csv.gz``, and node splits
``<root>/split/<scheme>/{train,valid,test}.csv.gz``.  (Link-prediction
splits ship as torch ``.pt`` files; they are not read.)

Global node ids: node types in ``num-node-dict`` order, each type a
contiguous block (``meta["ntype_offsets"]``); relation ``r`` is triplet ``r``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import List, Optional

import numpy as np

from ..errors import DataFormatError
from ..graph import HeteroGraph, IndexNames
from . import _io


def _read_numeric_csv(path, ncols: Optional[int], dtype=np.int64,
                      allow_nan: bool = False) -> np.ndarray:
    """A headerless numeric CSV as a ``[rows, ncols]`` array.  Fast path:
    one numpy parse of the whole text; on any mismatch a line-by-line pass
    finds and reports the offending line."""
    name = _io.display_name(path)
    text = _io.read_text(path, encoding="ascii" if not allow_nan else "utf-8")
    body = text.rstrip("\n").replace("\r", "")
    if not body:
        return np.zeros((0, ncols or 0), dtype=dtype)
    nlines = body.count("\n") + 1
    if ncols is None:
        first = body.split("\n", 1)[0]
        ncols = first.count(",") + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = np.fromstring(body.replace("\n", ","), sep=",",
                             dtype=np.float64 if allow_nan else dtype)
    if flat.size == nlines * ncols:
        out = flat.reshape(nlines, ncols)
        return out
    # Slow path: find the bad line.
    conv = float if allow_nan else int
    for lineno, line in enumerate(body.split("\n"), 1):
        cols = line.split(",")
        if len(cols) != ncols:
            raise DataFormatError(f"expected {ncols} comma-separated values, "
                                  f"found {len(cols)}", path=name, line=lineno)
        for c in cols:
            try:
                conv(c)
            except ValueError:
                raise DataFormatError(f"{c.strip()[:20]!r} is not "
                                      f"{'a number' if allow_nan else 'an integer'}",
                                      path=name, line=lineno) from None
    raise DataFormatError("could not parse numeric CSV", path=name)


def _read_ids(path, bound: int, what: str) -> np.ndarray:
    a = _read_numeric_csv(path, 1)[:, 0]
    bad = np.flatnonzero((a < 0) | (a >= bound))
    if len(bad):
        raise DataFormatError(f"{what} {int(a[bad[0]])} out of range "
                              f"[0, {bound})", path=path, line=int(bad[0]) + 1)
    return a


def _raw_dir(root: Path) -> Path:
    return root / "raw" if (root / "raw").is_dir() else root


def _gz(p: Path) -> Optional[Path]:
    return p if p.is_file() else None


def load_ogb_raw(root, features: bool = True, name: Optional[str] = None,
                 split_scheme: Optional[str] = None) -> HeteroGraph:
    root = Path(root)
    raw = _raw_dir(root)
    if (raw / "num-node-dict.csv.gz").is_file():
        g = _load_hetero(raw, features)
    elif (raw / "edge.csv.gz").is_file():
        g = _load_homo(raw, features)
    else:
        raise DataFormatError("not an OGB raw directory (no "
                              "num-node-dict.csv.gz or edge.csv.gz)", path=raw)
    g.name = name or (root.name if raw != root else root.parent.name)
    base = root if raw != root else root.parent
    _load_splits(g, base / "split", split_scheme)
    g.validate()
    return g


def _load_hetero(raw: Path, features: bool) -> HeteroGraph:
    dict_path = raw / "num-node-dict.csv.gz"
    lines = [l for _, l in _io.text_lines(dict_path) if l.strip()]
    if len(lines) != 2:
        raise DataFormatError(f"expected a header line and one line of "
                              f"counts, found {len(lines)} lines",
                              path=dict_path)
    types = [t.strip() for t in lines[0].split(",")]
    try:
        counts = [int(float(c)) for c in lines[1].split(",")]
    except ValueError:
        raise DataFormatError("node counts must be integers", path=dict_path,
                              line=2) from None
    if len(counts) != len(types):
        raise DataFormatError(f"{len(types)} node types but {len(counts)} "
                              f"counts", path=dict_path, line=2)
    if min(counts, default=0) < 0:
        raise DataFormatError("negative node count", path=dict_path, line=2)
    tindex = {t: i for i, t in enumerate(types)}
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    N = int(offsets[-1])

    trip_path = raw / "triplet-type-list.csv.gz"
    if trip_path.is_file():
        triplets = []
        for lineno, line in _io.text_lines(trip_path):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3:
                raise DataFormatError("expected 'src type,relation,dst type'",
                                      path=trip_path, line=lineno)
            triplets.append(tuple(parts))
    else:
        rel_dir = raw / "relations"
        if not rel_dir.is_dir():
            raise DataFormatError("no triplet-type-list.csv.gz and no "
                                  "relations/ folder", path=raw)
        triplets = [tuple(d.name.split("___")) for d in sorted(rel_dir.iterdir())
                    if d.is_dir()]
        for t in triplets:
            if len(t) != 3:
                raise DataFormatError("relation folder names must be "
                                      "<src>___<rel>___<dst>",
                                      path=rel_dir / "___".join(t))
    srcs, dsts, rels = [], [], []
    for r, (st, rn, dt) in enumerate(triplets):
        sub = raw / "relations" / f"{st}___{rn}___{dt}"
        for t in (st, dt):
            if t not in tindex:
                raise DataFormatError(f"relation uses unknown node type {t!r} "
                                      f"(known: {types})", path=sub)
        e = _read_numeric_csv(sub / "edge.csv.gz", 2)
        for col, t, what in ((0, st, "source"), (1, dt, "destination")):
            bound = counts[tindex[t]]
            bad = np.flatnonzero((e[:, col] < 0) | (e[:, col] >= bound))
            if len(bad):
                raise DataFormatError(
                    f"{what} id {int(e[bad[0], col])} out of range [0, {bound}) "
                    f"for node type {t!r}", path=sub / "edge.csv.gz",
                    line=int(bad[0]) + 1)
        _check_num_edges(sub / "num-edge-list.csv.gz", len(e),
                         sub / "edge.csv.gz")
        srcs.append(e[:, 0] + offsets[tindex[st]])
        dsts.append(e[:, 1] + offsets[tindex[dt]])
        rels.append(np.full(len(e), r, dtype=np.int32))
    ntype = np.repeat(np.arange(len(types), dtype=np.int32), counts)
    g = HeteroGraph(
        name="ogb", num_nodes=N,
        src=np.concatenate(srcs) if srcs else np.zeros(0, np.int64),
        dst=np.concatenate(dsts) if dsts else np.zeros(0, np.int64),
        etype=np.concatenate(rels) if rels else np.zeros(0, np.int32),
        ntype=ntype, ntype_names=types, etype_names=[t[1] for t in triplets],
        node_names=_TypedNames(types, offsets),
        canonical_etypes=[tuple(t) for t in triplets])
    g.meta["ntype_offsets"] = offsets.tolist()
    for t, cnt in zip(types, counts):
        if features:
            p = _gz(raw / "node-feat" / t / "node-feat.csv.gz")
            if p is not None:
                g.node_features[t] = _read_rows(p, cnt).astype(np.float32)
        p = _gz(raw / "node-label" / t / "node-label.csv.gz")
        if p is not None:
            lab = _read_rows(p, cnt, allow_nan=True)[:, 0]
            _set_labels(g, lab, offsets[tindex[t]], t)
    return g


class _TypedNames(IndexNames):
    """Names ``<type>/<local id>`` for type-contiguous global ids."""

    def __init__(self, types: List[str], offsets: np.ndarray):
        super().__init__("", int(offsets[-1]))
        self.types, self.offsets = types, offsets

    def _name(self, i: int) -> str:
        t = int(np.searchsorted(self.offsets, i, side="right")) - 1
        return f"{self.types[t]}/{i - int(self.offsets[t])}"


def _read_rows(path: Path, want: int, allow_nan=False) -> np.ndarray:
    a = _read_numeric_csv(path, None, allow_nan=allow_nan,
                          dtype=np.float64 if allow_nan else np.float32)
    if a.shape[0] != want:
        raise DataFormatError(f"has {a.shape[0]} rows, expected {want} (one "
                              f"per node)", path=path)
    return a


def _set_labels(g: HeteroGraph, lab: np.ndarray, offset: int, tname) -> None:
    known = ~np.isnan(lab)
    if np.any(lab[known] < 0) or np.any(lab[known] != np.round(lab[known])):
        raise DataFormatError("labels must be non-negative integers",
                              array=f"node-label[{tname}]")
    C = int(lab[known].max()) + 1 if known.any() else 0
    if g.labels is None:
        g.labels = np.full(g.num_nodes, -1, dtype=np.int64)
    ids = offset + np.flatnonzero(known)
    g.labels[ids] = lab[known].astype(np.int64)
    if C > len(g.label_names):
        g.label_names = [f"class{c}" for c in range(C)]
    g.target_ntype = tname


def _check_num_edges(path: Path, got: int, edge_path: Path) -> None:
    if not path.is_file():
        return
    n = _read_numeric_csv(path, 1)
    if n.size != 1 or int(n[0, 0]) != got:
        raise DataFormatError(
            f"says {n.ravel().tolist()} edges but {edge_path.name} has {got} "
            f"lines", path=path)


def _load_homo(raw: Path, features: bool) -> HeteroGraph:
    e = _read_numeric_csv(raw / "edge.csv.gz", 2)
    nn_path = raw / "num-node-list.csv.gz"
    if nn_path.is_file():
        nn = _read_numeric_csv(nn_path, 1)
        if nn.size != 1:
            raise DataFormatError("expected one node count (a single graph)",
                                  path=nn_path)
        N = int(nn[0, 0])
    else:
        N = int(e.max()) + 1 if e.size else 0
    for col, what in ((0, "source"), (1, "destination")):
        bad = np.flatnonzero((e[:, col] < 0) | (e[:, col] >= N))
        if len(bad):
            raise DataFormatError(f"{what} id {int(e[bad[0], col])} out of "
                                  f"range [0, {N})", path=raw / "edge.csv.gz",
                                  line=int(bad[0]) + 1)
    _check_num_edges(raw / "num-edge-list.csv.gz", len(e), raw / "edge.csv.gz")
    rt_path = raw / "edge_reltype.csv.gz"
    if rt_path.is_file():
        rel = _read_numeric_csv(rt_path, 1)[:, 0]
        if len(rel) != len(e):
            raise DataFormatError(f"has {len(rel)} lines but edge.csv.gz has "
                                  f"{len(e)} (one relation per edge)",
                                  path=rt_path)
        bad = np.flatnonzero((rel < 0) | (rel >= 2**31 - 1))
        if len(bad):
            raise DataFormatError(f"relation id {int(rel[bad[0]])} out of "
                                  f"range [0, 2^31-1)", path=rt_path,
                                  line=int(bad[0]) + 1)
        R = int(rel.max()) + 1 if len(rel) else 0
        if R > len(rel) + 1_000_000:
            bad = int(np.argmax(rel))
            raise DataFormatError(f"relation id {int(rel[bad])} is far larger "
                                  f"than the number of edges", path=rt_path,
                                  line=bad + 1)
    else:
        rel = np.zeros(len(e), dtype=np.int64)
        R = 1
    g = HeteroGraph(name="ogb", num_nodes=N, src=e[:, 0], dst=e[:, 1],
                    etype=rel, ntype=np.zeros(N, dtype=np.int32),
                    ntype_names=["node"],
                    etype_names=[f"rel{r}" for r in range(R)],
                    node_names=IndexNames("n", N))
    if features and (raw / "node-feat.csv.gz").is_file():
        g.node_features["node"] = _read_rows(raw / "node-feat.csv.gz",
                                             N).astype(np.float32)
    if (raw / "node-label.csv.gz").is_file():
        _set_labels(g, _read_rows(raw / "node-label.csv.gz", N,
                                  allow_nan=True)[:, 0], 0, "node")
    return g


def _load_splits(g: HeteroGraph, split_root: Path,
                 scheme: Optional[str]) -> None:
    if not split_root.is_dir():
        return
    schemes = sorted(d for d in split_root.iterdir() if d.is_dir())
    if scheme is not None:
        schemes = [split_root / scheme]
    if not schemes:
        return
    d = schemes[0]
    offsets = g.meta.get("ntype_offsets")
    if g.target_ntype and (d / g.target_ntype).is_dir():
        d = d / g.target_ntype
        t = g.ntype_names.index(g.target_ntype)
        off, bound = offsets[t], offsets[t + 1] - offsets[t]
    else:
        off, bound = 0, g.num_nodes
    for split in ("train", "valid", "test"):
        p = d / f"{split}.csv.gz"
        if p.is_file():
            g.node_splits[split] = _read_ids(p, bound, "node id") + off
    g.meta["split_scheme"] = schemes[0].name
