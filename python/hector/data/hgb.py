"""HGB, the Heterogeneous Graph Benchmark format (Lv et al., KDD 2021).

A dataset is a directory or a zip archive (members may sit in a
subdirectory) holding tab-separated files:

* ``node.dat``: ``id, name, type[, features]``; ``features`` is a
  comma-separated list of numbers, absent for types without features.
  Lines are streamed and each feature row is parsed by numpy, so the
  100+ MB text features never sit in memory as Python strings;
* ``link.dat``: ``src, dst, link type, weight``;
* ``label.dat`` (train) and ``label.dat.test`` (test): ``id, name, type,
  label``, where ``label`` may be a comma-separated list (multi-label data
  such as IMDB gives an ``int8 [num_nodes, num_classes]`` multi-hot matrix);
* ``info.dat`` (optional): JSON naming node types, link types (with their
  start/end node types) and classes.

Node ids are HGB's global ids.  ``node_features[type name]`` rows follow
ascending global id; ``edge_data["weight"]`` holds the link weights.
"""

from __future__ import annotations

import ast
import json
import os
import posixpath
import warnings
import zipfile
from array import array
from typing import Dict, List, Optional

import numpy as np

from ..errors import DataFormatError
from ..graph import HeteroGraph
from . import _io

_FILES = ("node.dat", "link.dat", "label.dat", "label.dat.test", "info.dat")


def _locate(path) -> Dict[str, object]:
    """Map each HGB file name to a path or ZipMember."""
    path = str(path)
    found: Dict[str, object] = {}
    if os.path.isdir(path):
        for f in _FILES:
            p = os.path.join(path, f)
            if os.path.isfile(p):
                found[f] = p
    elif os.path.isfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                members = zf.namelist()
        except zipfile.BadZipFile as e:
            raise DataFormatError(f"not a valid zip archive ({e})",
                                  path=path) from None
        for m in sorted(members, key=lambda m: m.count("/")):
            base = posixpath.basename(m)
            if base in _FILES and base not in found:
                found[base] = _io.ZipMember(path, m)
    else:
        raise DataFormatError("no such file or directory", path=path)
    for f in ("node.dat", "link.dat"):
        if f not in found:
            raise DataFormatError(f"missing {f}", path=path)
    return found


def _read_info(src) -> dict:
    if src is None:
        return {}
    text = _io.read_text(src)
    for parse in (json.loads, ast.literal_eval):
        try:
            info = parse(text)
            return info if isinstance(info, dict) else {}
        except (ValueError, SyntaxError):
            continue
    warnings.warn(f"{src}: info.dat is neither JSON nor a Python literal; "
                  f"using numeric type names")
    return {}


def _int_field(text: str, what: str, name, lineno) -> int:
    try:
        v = int(text)
    except ValueError:
        raise DataFormatError(f"{what} {text!r} is not an integer", path=name,
                              line=lineno) from None
    return v


def load_hgb(path, features: bool = True, name: Optional[str] = None
             ) -> HeteroGraph:
    files = _locate(path)
    info = _read_info(files.get("info.dat"))

    # ---- node.dat --------------------------------------------------------
    src = files["node.dat"]
    fname = _io.display_name(src)
    ids = array("q")
    types = array("i")
    names: List[str] = []
    feat_rows: Dict[int, List] = {}
    feat_dim: Dict[int, int] = {}
    for lineno, line in _io.text_lines(src):
        cols = line.split("\t")
        if len(cols) not in (3, 4):
            if not line.strip():
                continue
            raise DataFormatError(
                f"expected 3 or 4 tab-separated fields (id, name, type"
                f"[, features]), found {len(cols)}", path=fname, line=lineno)
        v = _int_field(cols[0], "node id", fname, lineno)
        t = _int_field(cols[2], "node type", fname, lineno)
        if v < 0:
            raise DataFormatError(f"negative node id {v}", path=fname,
                                  line=lineno)
        if t < 0:
            raise DataFormatError(f"negative node type {t}", path=fname,
                                  line=lineno)
        ids.append(v)
        types.append(t)
        names.append(cols[1])
        if len(cols) == 4:
            if t in feat_dim and feat_dim[t] < 0:
                raise DataFormatError(
                    f"node of type {t} has features but earlier nodes of that "
                    f"type do not", path=fname, line=lineno)
            if features:
                row = _parse_features(cols[3], fname, lineno)
                want = feat_dim.setdefault(t, row.shape[0])
                if row.shape[0] != want:
                    raise DataFormatError(
                        f"feature vector has {row.shape[0]} values, earlier "
                        f"nodes of type {t} have {want}", path=fname,
                        line=lineno)
                feat_rows.setdefault(t, []).append((v, row))
            else:
                feat_dim.setdefault(t, 0)
        else:
            if feat_dim.get(t, -1) > 0 or (t in feat_rows):
                raise DataFormatError(
                    f"node of type {t} has no features but earlier nodes of "
                    f"that type do", path=fname, line=lineno)
            feat_dim[t] = -1
    n = len(ids)
    ids_a = np.frombuffer(ids, dtype=np.int64) if n else np.zeros(0, np.int64)
    if n and ids_a.max() >= n:
        bad = int(np.argmax(ids_a >= n))
        raise DataFormatError(
            f"node id {int(ids_a[bad])} out of range: the file has {n} nodes "
            f"and ids must be 0..{n - 1}", path=fname, line=bad + 1)
    seen = np.zeros(n, dtype=bool)
    ntype = np.zeros(n, dtype=np.int32)
    node_names: List[str] = [""] * n
    for k in range(n):
        v = ids_a[k]
        if seen[v]:
            raise DataFormatError(f"duplicate node id {int(v)}", path=fname,
                                  line=k + 1)
        seen[v] = True
        ntype[v] = types[k]
        node_names[v] = names[k]
    del names

    ninfo = info.get("node.dat", {}).get("node type", {}) if info else {}
    T = int(ntype.max()) + 1 if n else 0
    T = max([T] + [int(k) + 1 for k in ninfo if str(k).isdigit()])
    ntype_names = [str(ninfo.get(str(t), f"type{t}")) for t in range(T)]
    node_features = {}
    for t, rows in feat_rows.items():
        rows.sort(key=lambda r: r[0])
        node_features[ntype_names[t]] = np.stack([r[1] for r in rows])
    del feat_rows

    # ---- link.dat --------------------------------------------------------
    src = files["link.dat"]
    lname = _io.display_name(src)
    s_a, d_a, r_a = array("q"), array("q"), array("q")
    w_a = array("f")
    line_of = array("q")  # each link's line, for errors found later
    for lineno, line in _io.text_lines(src):
        cols = line.split("\t")
        if len(cols) not in (3, 4):
            if not line.strip():
                continue
            raise DataFormatError(
                f"expected 4 tab-separated fields (src, dst, link type, "
                f"weight), found {len(cols)}", path=lname, line=lineno)
        s = _int_field(cols[0], "source id", lname, lineno)
        d = _int_field(cols[1], "destination id", lname, lineno)
        r = _int_field(cols[2], "link type", lname, lineno)
        if not (0 <= s < n):
            raise DataFormatError(f"source id {s} out of range [0, {n})",
                                  path=lname, line=lineno)
        if not (0 <= d < n):
            raise DataFormatError(f"destination id {d} out of range [0, {n})",
                                  path=lname, line=lineno)
        if r < 0:
            raise DataFormatError(f"negative link type {r}", path=lname,
                                  line=lineno)
        if r >= 1 << 31:
            raise DataFormatError(f"link type {r} too large", path=lname,
                                  line=lineno)
        try:
            w = float(cols[3]) if len(cols) == 4 else 1.0
        except ValueError:
            raise DataFormatError(f"link weight {cols[3]!r} is not a number",
                                  path=lname, line=lineno) from None
        s_a.append(s)
        d_a.append(d)
        r_a.append(r)
        w_a.append(w)
        line_of.append(lineno)
    srcs = np.frombuffer(s_a, dtype=np.int64) if len(s_a) else np.zeros(0, np.int64)
    dsts = np.frombuffer(d_a, dtype=np.int64) if len(d_a) else np.zeros(0, np.int64)
    rels = np.frombuffer(r_a, dtype=np.int64) if len(r_a) else np.zeros(0, np.int64)
    linfo = info.get("link.dat", {}).get("link type", {}) if info else {}
    R = int(rels.max()) + 1 if len(rels) else 0
    R = max([R] + [int(k) + 1 for k in linfo if str(k).isdigit()])
    if R > max(1024, 2 * len(rels) + 1):
        bad = int(np.argmax(rels == rels.max()))
        raise DataFormatError(f"link type {int(rels.max())} is far larger "
                              f"than the number of links", path=lname,
                              line=line_of[bad])
    declared = [int(k) for k in linfo if str(k).isdigit()] \
        if isinstance(linfo, dict) else []
    if declared and len(rels):
        undeclared = ~np.isin(rels, declared)
        if undeclared.any():
            bad = int(np.argmax(undeclared))
            raise DataFormatError(
                f"link type {int(rels[bad])} is not one of the link types "
                f"info.dat declares ({', '.join(map(str, sorted(declared)))})",
                path=lname, line=line_of[bad])
    etype_names = []
    canonical = []
    for r in range(R):
        li = linfo.get(str(r), {}) if isinstance(linfo, dict) else {}
        meaning = li.get("meaning") if isinstance(li, dict) else None
        etype_names.append(str(meaning) if meaning else f"link{r}")
        mask = rels == r
        st = np.unique(ntype[srcs[mask]])
        dt = np.unique(ntype[dsts[mask]])
        # A link type between several pairs of node types has no canonical
        # (src type, relation, dst type): then the graph has none, but every
        # relation keeps its name.
        if canonical is None:
            continue
        if len(st) == 1 and len(dt) == 1:
            canonical.append((ntype_names[st[0]], etype_names[-1],
                              ntype_names[dt[0]]))
        elif len(st) == 0 and isinstance(li, dict) and "start" in li:
            canonical.append((ntype_names[int(li["start"])], etype_names[-1],
                              ntype_names[int(li["end"])]))
        else:
            canonical = None

    g = HeteroGraph(
        name=name or _dataset_name(path), num_nodes=n, src=srcs, dst=dsts,
        etype=rels, ntype=ntype, ntype_names=ntype_names,
        etype_names=etype_names, node_names=node_names,
        canonical_etypes=canonical, node_features=node_features,
        edge_data={"weight": np.frombuffer(w_a, dtype=np.float32).copy()
                   if len(w_a) else np.zeros(0, np.float32)})

    # ---- labels ----------------------------------------------------------
    linfo_cls = info.get("label.dat", {}).get("node type", {}) if info else {}
    _attach_labels(g, files, linfo_cls)
    g.meta["path"] = str(path)
    return g


def _parse_features(text: str, fname, lineno) -> np.ndarray:
    want = text.count(",") + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = np.fromstring(text, dtype=np.float32, sep=",")
    if row.shape[0] != want:
        bad = text.split(",")[row.shape[0]] if row.shape[0] < want else ""
        raise DataFormatError(
            f"feature value {row.shape[0] + 1} ({bad.strip()[:20]!r}) is not "
            f"a number", path=fname, line=lineno)
    return row


def _attach_labels(g: HeteroGraph, files, cls_info) -> None:
    entries = []
    max_class = -1
    multi = False
    target = set()
    for split, f in (("train", "label.dat"), ("test", "label.dat.test")):
        if f not in files:
            continue
        src = files[f]
        fname = _io.display_name(src)
        ids = []
        for lineno, line in _io.text_lines(src):
            cols = line.split("\t")
            if len(cols) != 4:
                if not line.strip():
                    continue
                raise DataFormatError(
                    f"expected 4 tab-separated fields (id, name, type, "
                    f"label), found {len(cols)}", path=fname, line=lineno)
            v = _int_field(cols[0], "node id", fname, lineno)
            t = _int_field(cols[2], "node type", fname, lineno)
            if not (0 <= v < g.num_nodes):
                raise DataFormatError(
                    f"node id {v} out of range [0, {g.num_nodes})",
                    path=fname, line=lineno)
            if g.ntype[v] != t:
                raise DataFormatError(
                    f"node {v} has type {int(g.ntype[v])} in node.dat, not "
                    f"{t}", path=fname, line=lineno)
            parts = [p for p in cols[3].split(",") if p.strip()]
            if not parts:
                raise DataFormatError("empty label", path=fname, line=lineno)
            cl = [_int_field(p.strip(), "label", fname, lineno) for p in parts]
            if min(cl) < 0:
                raise DataFormatError(f"negative label {min(cl)}", path=fname,
                                      line=lineno)
            multi |= len(cl) > 1
            max_class = max(max_class, max(cl))
            target.add(t)
            entries.append((fname, lineno, v, cl))
            ids.append(v)
        g.node_splits[split] = np.asarray(ids, dtype=np.int64)
    if not entries:
        return
    cls_names = {}
    if isinstance(cls_info, dict) and len(target) == 1:
        t = next(iter(target))
        cls_names = cls_info.get(str(t), {}) or {}
    C = max([max_class + 1] + [int(k) + 1 for k in cls_names
                               if str(k).isdigit()])
    if C > 1_000_000:
        raise DataFormatError(f"label {max_class} is implausibly large",
                              path=entries[-1][0])
    if multi:
        labels = np.zeros((g.num_nodes, C), dtype=np.int8)
        for _, _, v, cl in entries:
            labels[v, cl] = 1
    else:
        labels = np.full(g.num_nodes, -1, dtype=np.int64)
        for fname, lineno, v, cl in entries:
            if labels[v] not in (-1, cl[0]):
                raise DataFormatError(f"node {v} already has label "
                                      f"{int(labels[v])}", path=fname,
                                      line=lineno)
            labels[v] = cl[0]
    g.labels = labels
    g.label_names = [str(cls_names.get(str(c), f"class{c}")) for c in range(C)]
    if len(target) == 1:
        g.target_ntype = g.ntype_names[next(iter(target))]
    g.validate()


def _dataset_name(path) -> str:
    base = os.path.basename(os.path.normpath(str(path)))
    return base[:-4] if base.lower().endswith(".zip") else base
