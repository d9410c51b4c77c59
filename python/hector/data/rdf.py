"""RDF entity-classification datasets (AIFB, MUTAG, BGS, AM and the like).

Two preprocessings are offered, both reproducing published graphs:

``paper`` -- Schlichtkrull et al., "Modeling Relational Data with Graph
    Convolutional Networks" (ESWC 2018), as implemented in
    tkipf/relational-gcn ``rgcn/data_utils.py``: the graph is the *set* of
    triples in the (stripped) N-Triples file; every subject and object --
    IRI, blank node or literal -- is a node; every predicate is a relation
    and gets an inverse relation.  On AIFB: 8,285 nodes, 2 x 29,043 = 58,086
    edges, 2 x 45 = 90 relations.  Node ids follow first appearance in the
    file; relations are sorted by decreasing frequency (ties: first
    appearance); relation ``r + R`` is the inverse of ``r`` and edge
    ``e + E`` the reverse of edge ``e``.  One node type, ``node``.

``dgl`` -- DGL's ``dgl.data.rdf.RDFGraphDataset`` with the per-dataset rules
    of ``AIFBDataset``: a triple is kept only if both ends parse as entities
    and the predicate as a relation.  An IRI under the dataset's entity
    prefix is the entity ``<path segment 3>/<path segment 5>`` of node type
    ``<path segment 3>``; a literal becomes a node of type ``_Literal`` keyed
    by its lexical form (equal text, one node); blank nodes and other IRIs
    drop the triple, as do the excluded predicates (``employs`` and the
    target ``affiliation``).  Triples are sorted first, ids follow first
    appearance, and every edge gets a reverse edge.  Relations are DGL's
    *canonical* edge types (source type, relation, destination type).  On
    AIFB (``aifb_fixed_complete.n3``): 7,262 nodes, 48,810 edges, 7 node
    types, 104 canonical relations (78 relation names).
    (DGL's docs describe this as dropping literals; DGL's code keeps them as
    ``_Literal`` nodes, and only that reproduces 7,262 / 48,810.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import DataFormatError
from ..graph import HeteroGraph
from . import _io
from .rdf_parse import (TERM_BNODE, TERM_IRI, TERM_LITERAL, TermTable,
                        TripleBuffer, literal_lexical, parse_rdf, term_kind)


@dataclass(frozen=True)
class DGLRules:
    """The entity/relation parsing rules of one DGL RDF dataset."""
    entity_prefix: str
    relation_prefix: str
    excluded_relations: FrozenSet[str]
    target_ntype: str
    # DGL renames relation names that clash with nn.Module attributes.
    rename: Tuple[Tuple[str, str], ...] = (("type", "rdftype"),
                                           ("rev-type", "rev-rdftype"))

    def entity(self, key: str) -> Optional[Tuple[str, str]]:
        """(node type, entity key) for a term key, or None to drop."""
        kind = term_kind(key)
        if kind == TERM_LITERAL:
            lex = literal_lexical(key)
            return "_Literal", "_Literal/" + lex
        if kind == TERM_BNODE or not key.startswith(self.entity_prefix):
            return None
        sp = key.split("/")
        if len(sp) < 6:
            return None
        return sp[3], f"{sp[3]}/{sp[5]}"

    def relation(self, iri: str) -> Optional[str]:
        if iri in self.excluded_relations:
            return None
        if iri.startswith(self.relation_prefix):
            return iri.split("/")[3]
        return iri.split("/")[-1]


AIFB_DGL_RULES = DGLRules(
    entity_prefix="http://www.aifb.uni-karlsruhe.de/",
    relation_prefix="http://swrc.ontoware.org/",
    excluded_relations=frozenset({
        "http://swrc.ontoware.org/ontology#employs",
        "http://swrc.ontoware.org/ontology#affiliation"}),
    target_ntype="Personen")


@dataclass
class LabelFile:
    path: object
    split: str


def _read_label_tsv(src, entity_column: Optional[str],
                    label_column: Optional[str]) -> List[Tuple[int, str, str]]:
    """Rows ``(line, entity, label)`` of a tab-separated label file whose
    first line is a header.  Columns are found by header name: the label
    column is the first one whose name starts with ``label`` and the entity
    column the one other column that is not ``id``, unless given."""
    name = _io.display_name(src)
    rows = []
    header = None
    for lineno, line in _io.text_lines(src):
        if not line.strip():
            continue
        cols = line.split("\t")
        if header is None:
            header = [c.strip() for c in cols]
            lc = label_column or next(
                (c for c in header if c.lower().startswith("label")), None)
            if lc is None or lc not in header:
                raise DataFormatError(
                    f"no label column{'' if lc is None else ' ' + repr(lc)} "
                    f"in header {header}", path=name, line=lineno)
            if entity_column is None:
                rest = [c for c in header if c not in (lc, "id", "")]
                if len(rest) != 1:
                    raise DataFormatError(
                        f"cannot tell the entity column in header {header}; "
                        f"pass entity_column", path=name, line=lineno)
                ec = rest[0]
            else:
                ec = entity_column
                if ec not in header:
                    raise DataFormatError(f"no column {ec!r} in header "
                                          f"{header}", path=name, line=lineno)
            ei, li = header.index(ec), header.index(lc)
            continue
        if len(cols) != len(header):
            raise DataFormatError(
                f"expected {len(header)} tab-separated columns, found "
                f"{len(cols)}", path=name, line=lineno)
        ent, lab = cols[ei].strip(), cols[li].strip()
        if not ent or not lab:
            raise DataFormatError("empty entity or label", path=name,
                                  line=lineno)
        rows.append((lineno, ent, lab))
    if header is None:
        raise DataFormatError("empty label file (no header)", path=name)
    return rows


def load_rdf(graph_files: Sequence, label_files: Dict[str, object],
             preprocessing: str = "paper", name: str = "rdf",
             dgl_rules: Optional[DGLRules] = None,
             entity_column: Optional[str] = None,
             label_column: Optional[str] = None,
             fmt: Optional[str] = None) -> HeteroGraph:
    """Load an RDF entity-classification dataset.

    ``graph_files``: N-Triples (``.nt``) or Turtle/N3 (``.n3``/``.ttl``)
    files, plain or gzip; ``label_files``: ``{split: tsv path}``.
    """
    terms = TermTable()
    buf = TripleBuffer()
    if isinstance(graph_files, (str, os.PathLike)):
        graph_files = [graph_files]
    for f in graph_files:
        parse_rdf(f, terms, buf, fmt)
    triples = buf.numpy()
    # An RDF graph is a set of triples (rdflib dedups on load).
    if len(triples):
        _, first = np.unique(triples, axis=0, return_index=True)
        triples = triples[np.sort(first)]
    label_rows = {split: (_io.display_name(p),
                          _read_label_tsv(p, entity_column, label_column))
                  for split, p in label_files.items()}
    if preprocessing == "paper":
        g = _paper(triples, terms, label_rows, name)
    elif preprocessing == "dgl":
        if dgl_rules is None:
            raise ValueError("the 'dgl' preprocessing needs dataset rules "
                             "(dgl_rules=...)")
        g = _dgl(triples, terms, label_rows, name, dgl_rules)
    else:
        raise ValueError(f"unknown preprocessing {preprocessing!r} "
                         f"(expected 'paper' or 'dgl')")
    g.meta["graph_files"] = [str(f) for f in graph_files]
    g.meta["num_triples"] = int(len(triples))
    return g


def _paper(triples, terms: TermTable, label_rows, name) -> HeteroGraph:
    s, p, o = triples[:, 0], triples[:, 1], triples[:, 2]
    # Nodes: subjects and objects, first appearance in the file.
    order = np.empty(2 * len(s), dtype=np.int64)
    order[0::2], order[1::2] = s, o
    uniq, first = np.unique(order, return_index=True)
    node_terms = uniq[np.argsort(first, kind="stable")]
    term_to_node = np.full(len(terms), -1, dtype=np.int64)
    term_to_node[node_terms] = np.arange(len(node_terms))
    # Relations by decreasing frequency, ties by first appearance.
    preds, pfirst, pcount = np.unique(p, return_index=True, return_counts=True)
    rel_order = np.lexsort((pfirst, -pcount))
    preds = preds[rel_order]
    term_to_rel = np.full(len(terms), -1, dtype=np.int64)
    term_to_rel[preds] = np.arange(len(preds))
    R = len(preds)
    src, dst, rel = term_to_node[s], term_to_node[o], term_to_rel[p]
    rel_names = [terms.terms[t] for t in preds]
    node_names = [terms.terms[t] for t in node_terms]
    g = HeteroGraph(
        name=name, num_nodes=len(node_terms),
        src=np.concatenate([src, dst]), dst=np.concatenate([dst, src]),
        etype=np.concatenate([rel, rel + R]),
        ntype=np.zeros(len(node_terms), dtype=np.int32),
        ntype_names=["node"],
        etype_names=rel_names + ["rev-" + r for r in rel_names],
        node_names=node_names)
    g.meta.update(preprocessing="paper", reverse_edge_offset=len(src),
                  reverse_relation_offset=R)
    _attach_labels(g, label_rows, lambda ent: terms.ids.get(ent),
                   lambda t: term_to_node[t] if t is not None and
                   t < len(term_to_node) and term_to_node[t] >= 0 else None,
                   sort_classes=True, missing="error")
    return g


def _dgl(triples, terms: TermTable, label_rows, name,
         rules: DGLRules) -> HeteroGraph:
    keys = terms.terms
    ent_cache: Dict[int, Optional[Tuple[str, str]]] = {}
    rel_cache: Dict[int, Optional[str]] = {}

    def ent(t):
        r = ent_cache.get(t, 0)
        if r == 0:
            r = ent_cache[t] = rules.entity(keys[t])
        return r

    def rel(t):
        r = rel_cache.get(t, 0)
        if r == 0:
            r = rel_cache[t] = (rules.relation(keys[t])
                                if term_kind(keys[t]) == TERM_IRI else None)
        return r

    # DGL sorts the rdflib triples before numbering; rdflib orders terms of
    # different kinds as BNode < URIRef < Literal, and same kinds by text.
    kind_rank = {TERM_BNODE: 0, TERM_IRI: 1, TERM_LITERAL: 2}

    def sort_key(t):
        k = keys[t]
        return (kind_rank[term_kind(k)], k)

    rows = sorted(map(tuple, triples.tolist()),
                  key=lambda tr: (sort_key(tr[0]), sort_key(tr[1]),
                                  sort_key(tr[2])))
    ent_ids: Dict[str, int] = {}
    ntypes: Dict[str, int] = {}
    rels: Dict[str, int] = {}
    node_type: List[int] = []
    src: List[int] = []
    dst: List[int] = []
    rid: List[int] = []
    for s, p, o in rows:
        se, r, oe = ent(s), rel(p), ent(o)
        if se is None or r is None or oe is None:
            continue
        sc = ntypes.setdefault(se[0], len(ntypes))
        oc = ntypes.setdefault(oe[0], len(ntypes))
        rc = rels.setdefault(r, len(rels))
        si = ent_ids.setdefault(se[1], len(ent_ids))
        if si == len(node_type):
            node_type.append(sc)
        oi = ent_ids.setdefault(oe[1], len(ent_ids))
        if oi == len(node_type):
            node_type.append(oc)
        src.append(si)
        dst.append(oi)
        rid.append(rc)
    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.asarray(dst, dtype=np.int64)
    ntype_a = np.asarray(node_type, dtype=np.int32)
    rel_names = list(rels)
    ntype_names = list(ntypes)
    rename = dict(rules.rename)
    # Canonical edge types (src type, relation, dst type); the reverse of a
    # canonical type (s, r, d) is (d, rev-r, s), numbered after all forward
    # ones in the same order.
    rid_a = np.asarray(rid, dtype=np.int64)
    st, dt = ntype_a[src_a], ntype_a[dst_a]
    T, Rn = len(ntype_names), len(rel_names)
    combo = (st.astype(np.int64) * Rn + rid_a) * T + dt
    uniq, first, inv = np.unique(combo, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    etype_fwd = rank[inv]
    C = len(uniq)
    canon, canon_rev = [], []
    for u in uniq[order]:
        s_t, rest = divmod(int(u), Rn * T)
        r_i, d_t = divmod(rest, T)
        r = rel_names[r_i]
        canon.append((ntype_names[s_t], rename.get(r, r), ntype_names[d_t]))
        canon_rev.append((ntype_names[d_t], rename.get("rev-" + r, "rev-" + r),
                          ntype_names[s_t]))
    canonical = canon + canon_rev
    node_names = [None] * len(ent_ids)
    for k, i in ent_ids.items():
        node_names[i] = k
    g = HeteroGraph(
        name=name, num_nodes=len(ent_ids),
        src=np.concatenate([src_a, dst_a]), dst=np.concatenate([dst_a, src_a]),
        etype=np.concatenate([etype_fwd, etype_fwd + C]),
        ntype=ntype_a, ntype_names=ntype_names,
        etype_names=[c[1] for c in canonical], node_names=node_names,
        canonical_etypes=canonical, target_ntype=rules.target_ntype)
    g.meta.update(preprocessing="dgl", reverse_edge_offset=len(src_a),
                  reverse_relation_offset=C,
                  relation_names=[rename.get(r, r) for r in rel_names] +
                  [rename.get("rev-" + r, "rev-" + r) for r in rel_names])

    def lookup(entity_iri):
        e = rules.entity(entity_iri)
        return None if e is None else ent_ids.get(e[1])

    _attach_labels(g, label_rows, lookup, lambda v: v, sort_classes=False,
                   missing="skip")
    return g


def _attach_labels(g: HeteroGraph, label_rows, find, to_node, sort_classes,
                   missing):
    classes: Dict[str, int] = {}
    if sort_classes:
        for _, (_, rows) in label_rows.items():
            for _, _, lab in rows:
                classes.setdefault(lab, 0)
        classes = {c: i for i, c in enumerate(sorted(classes))}
    labels = np.full(g.num_nodes, -1, dtype=np.int64)
    skipped = 0
    for split, (fname, rows) in label_rows.items():
        idx = []
        for lineno, ent, lab in rows:
            v = to_node(find(ent))
            if v is None:
                if missing == "error":
                    raise DataFormatError(f"labelled entity {ent!r} is not a "
                                          f"node of the graph", path=fname,
                                          line=lineno)
                skipped += 1
                continue
            c = classes.setdefault(lab, len(classes))
            if labels[v] not in (-1, c):
                raise DataFormatError(
                    f"entity {ent!r} already has a different label",
                    path=fname, line=lineno)
            labels[v] = c
            idx.append(int(v))
        g.node_splits[split] = np.asarray(idx, dtype=np.int64)
    g.labels = labels
    g.label_names = list(classes)
    if skipped:
        g.meta["labels_skipped"] = skipped
    g.validate()


def load_aifb(root, preprocessing: str = "paper") -> HeteroGraph:
    """AIFB from ``root`` (the folder of ``aifb_stripped.nt.gz`` etc.).

    ``paper`` reads ``aifb_stripped.nt.gz`` (the graph R-GCN used);
    ``dgl`` reads ``aifb_fixed_complete.n3`` (the graph in DGL's
    ``aifb-hetero.zip``) and drops the target relation itself.
    """
    root = str(root)
    labels = {"train": os.path.join(root, "trainingSet.tsv"),
              "test": os.path.join(root, "testSet.tsv")}
    if preprocessing == "paper":
        return load_rdf([os.path.join(root, "aifb_stripped.nt.gz")], labels,
                        "paper", name="aifb", entity_column="person",
                        label_column="label_affiliation")
    if preprocessing == "dgl":
        return load_rdf([os.path.join(root, "aifb_fixed_complete.n3")], labels,
                        "dgl", name="aifb", dgl_rules=AIFB_DGL_RULES,
                        entity_column="person",
                        label_column="label_affiliation")
    raise ValueError(f"unknown preprocessing {preprocessing!r} "
                     f"(expected 'paper' or 'dgl')")
