"""Knowledge-graph triple files (FB15k-237, WN18RR, and the like).

Each split is a text file, plain or gzip, with one ``head<TAB>relation<TAB>
tail`` triple per line.  Entity and relation ids follow first appearance
over the splits in the order train, valid, test, so every entity of any
split has a node.  The graph's edges are the training triples (in file
order); ``edge_splits`` holds all three splits as ``int64 [k, 3]``
``(head, relation, tail)`` arrays.  FB15k-237: 14,541 entities, 237
relations, 272,115 / 17,535 / 20,466 triples.
"""

from __future__ import annotations

import os
from array import array
from typing import Dict, Optional

import numpy as np

from ..errors import DataFormatError
from ..graph import HeteroGraph
from . import _io

SPLITS = ("train", "valid", "test")


def find_split_file(root, split: str) -> Optional[str]:
    for cand in (f"{split}.txt", f"{split}.txt.gz", f"{split}.tsv",
                 f"{split}.tsv.gz", f"{split}.del", f"{split}"):
        p = os.path.join(root, cand)
        if os.path.isfile(p):
            return p
    return None


def _read_triples(src, ent: Dict[str, int], rel: Dict[str, int]) -> np.ndarray:
    name = _io.display_name(src)
    h_ids, r_ids, t_ids = array("q"), array("q"), array("q")
    eget, rget = ent.setdefault, rel.setdefault
    for lineno, line in _io.text_lines(src):
        parts = line.split("\t")
        if len(parts) != 3:
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 3:
                raise DataFormatError(
                    f"expected 3 tab-separated fields (head, relation, tail), "
                    f"found {len(parts)}", path=name, line=lineno)
        h, r, t = parts
        if not h or not r or not t:
            raise DataFormatError("empty head, relation or tail", path=name,
                                  line=lineno)
        h_ids.append(eget(h, len(ent)))
        r_ids.append(rget(r, len(rel)))
        t_ids.append(eget(t, len(ent)))
    out = np.empty((len(h_ids), 3), dtype=np.int64)
    if len(h_ids):
        out[:, 0] = np.frombuffer(h_ids, dtype=np.int64)
        out[:, 1] = np.frombuffer(r_ids, dtype=np.int64)
        out[:, 2] = np.frombuffer(t_ids, dtype=np.int64)
    return out


def load_kg(root=None, files: Optional[Dict[str, object]] = None,
            name: Optional[str] = None) -> HeteroGraph:
    """Load triples from ``root/{train,valid,test}.txt[.gz]`` or from
    ``files={split: path}``.  A ``train`` split is required."""
    if files is None:
        if root is None:
            raise ValueError("pass root or files")
        files = {}
        for split in SPLITS:
            p = find_split_file(root, split)
            if p is not None:
                files[split] = p
        if "train" not in files:
            raise DataFormatError("no train.txt or train.txt.gz", path=root)
    if "train" not in files:
        raise ValueError("files must include a 'train' split")
    ent: Dict[str, int] = {}
    rel: Dict[str, int] = {}
    splits = {}
    for split in sorted(files, key=lambda s: (SPLITS.index(s)
                                              if s in SPLITS else 3, s)):
        splits[split] = _read_triples(files[split], ent, rel)
    train = splits["train"]
    names = [None] * len(ent)
    for k, i in ent.items():
        names[i] = k
    g = HeteroGraph(
        name=name or os.path.basename(os.path.normpath(str(root or "kg"))),
        num_nodes=len(ent), src=train[:, 0], dst=train[:, 2],
        etype=train[:, 1], ntype=np.zeros(len(ent), dtype=np.int32),
        ntype_names=["entity"], etype_names=list(rel), node_names=names,
        edge_splits=splits)
    g.meta["files"] = {k: str(v) for k, v in files.items()}
    return g
