"""Synthetic graphs at the published scale of datasets too large to ship.

Each spec reproduces a dataset's published node, edge, relation and
node-type counts exactly (at ``scale=1``); the edges themselves are random,
with skewed, power-law-like degrees so that hubs, multi-edges and a long
tail of (src, relation) pairs appear as in the real graphs.  Generation is
vectorized numpy, seeded and reproducible (``numpy.random.default_rng``).

Sources of the counts (checked against the cited tables):

* ``bgs``, ``am``: Schlichtkrull et al., "Modeling Relational Data with
  Graph Convolutional Networks", ESWC 2018, Table 1 (entities, relations,
  edges = triples, before the paper's inverse relations are added):
  BGS 333,845 / 103 / 916,199; AM 1,666,764 / 133 / 5,988,321.
* ``bgs-dgl``, ``am-dgl``: DGL's ``BGSDataset`` / ``AMDataset`` docstrings
  (edges include reverse edges): BGS 94,806 nodes, 672,884 edges; AM
  881,680 nodes, 5,668,682 edges.  Their node-type and canonical relation
  counts (BGS 27 / 122, AM 7 / 108) are those of the dataset table in Wu et
  al., "Hector", ASPLOS 2024 (the same table gives AIFB 7 / 104, which the
  DGL loader here reproduces); they were not re-derived from the raw files.
* ``ogbn-mag``: OGB (Hu et al., NeurIPS 2020) and its website: 1,939,743
  nodes (paper 736,389, author 1,134,649, institution 8,740,
  field_of_study 59,965), 21,111,007 edges (writes 7,145,660, cites
  5,416,271, has_topic 7,505,078, affiliated_with 1,043,998).
* ``ogbl-wikikg2``: OGB: 2,500,604 entities, 535 relations, 17,137,181
  triples (train 16,109,182).
* ``ogbl-biokg``: OGB: 93,773 nodes in 5 types (disease 10,687, drug
  10,533, function 45,085, protein 17,499, sideeffect 9,969), 51 relations,
  5,088,434 edges.

Where only totals are published (per-relation counts of BGS, AM,
wikikg2, biokg), relation sizes follow a Zipf law that sums to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..graph import HeteroGraph


@dataclass(frozen=True)
class SyntheticSpec:
    name: str
    ntypes: Tuple[Tuple[str, int], ...]
    # (src type, relation, dst type, edges or None for "Zipf share")
    relations: Tuple[Tuple[str, str, str, Optional[int]], ...]
    num_edges: int
    source: str
    skew: float = 2.5  # endpoint skew; 1 = uniform

    @property
    def num_nodes(self) -> int:
        return sum(c for _, c in self.ntypes)


def _rdf_like(name, nodes, rels, edges, source, ntypes=None, canon=None):
    """One node type (or a round-robin schema over ``ntypes``)."""
    if ntypes is None:
        return SyntheticSpec(name, (("node", nodes),),
                             tuple(("node", f"rel{r}", "node", None)
                                   for r in range(rels)), edges, source)
    # Split the nodes over ntypes with a Zipf share and spread ``canon``
    # canonical relations over type pairs deterministically.
    w = 1.0 / np.arange(1, ntypes + 1) ** 1.0
    counts = _split_total(nodes, w, minimum=1)
    names = [f"type{t}" for t in range(ntypes)]
    relations = []
    for r in range(canon):
        s = r % ntypes
        d = (r // ntypes + s + 1) % ntypes
        relations.append((names[s], f"rel{r}", names[d], None))
    return SyntheticSpec(name, tuple(zip(names, counts)), tuple(relations),
                         edges, source)


SYNTHETIC_SPECS: Dict[str, SyntheticSpec] = {}


def _register(spec: SyntheticSpec) -> None:
    SYNTHETIC_SPECS[spec.name] = spec


def _split_total(total: int, weights, minimum: int = 0) -> List[int]:
    """Integers proportional to ``weights`` summing exactly to ``total``
    (largest remainder), each at least ``minimum`` when possible."""
    w = np.asarray(weights, dtype=np.float64)
    k = len(w)
    base = min(minimum, total // k) if k else 0
    rest = total - base * k
    share = w / w.sum() * rest
    out = np.floor(share).astype(np.int64)
    short = rest - int(out.sum())
    if short:
        out[np.argsort(-(share - out), kind="stable")[:short]] += 1
    return (out + base).tolist()


_register(_rdf_like("bgs", 333_845, 103, 916_199,
                    "Schlichtkrull et al. 2018, Table 1"))
_register(_rdf_like("am", 1_666_764, 133, 5_988_321,
                    "Schlichtkrull et al. 2018, Table 1"))
_register(_rdf_like("bgs-dgl", 94_806, None, 672_884,
                    "DGL BGSDataset; Hector (ASPLOS 2024) dataset table",
                    ntypes=27, canon=122))
_register(_rdf_like("am-dgl", 881_680, None, 5_668_682,
                    "DGL AMDataset; Hector (ASPLOS 2024) dataset table",
                    ntypes=7, canon=108))
_register(SyntheticSpec(
    "ogbn-mag",
    (("paper", 736_389), ("author", 1_134_649), ("institution", 8_740),
     ("field_of_study", 59_965)),
    (("author", "affiliated_with", "institution", 1_043_998),
     ("author", "writes", "paper", 7_145_660),
     ("paper", "cites", "paper", 5_416_271),
     ("paper", "has_topic", "field_of_study", 7_505_078)),
    21_111_007, "OGB (Hu et al. 2020), ogbn-mag"))
_register(SyntheticSpec(
    "ogbl-wikikg2", (("entity", 2_500_604),),
    tuple(("entity", f"rel{r}", "entity", None) for r in range(535)),
    17_137_181, "OGB (Hu et al. 2020), ogbl-wikikg2"))


def _biokg() -> SyntheticSpec:
    types = (("disease", 10_687), ("drug", 10_533), ("function", 45_085),
             ("protein", 17_499), ("sideeffect", 9_969))
    rels = [("disease", "disease-protein", "protein"),
            ("drug", "drug-disease", "disease"),
            ("drug", "drug-protein", "protein"),
            ("drug", "drug-sideeffect", "sideeffect"),
            ("function", "function-function", "function"),
            ("protein", "protein-function", "function")]
    rels += [("protein", f"protein-protein_{k}", "protein") for k in range(7)]
    rels += [("drug", f"drug-drug_{k}", "drug") for k in range(51 - len(rels))]
    return SyntheticSpec("ogbl-biokg", types,
                         tuple((s, r, d, None) for s, r, d in rels),
                         5_088_434, "OGB (Hu et al. 2020), ogbl-biokg")


_register(_biokg())


def synthetic_graph(name: str, scale: float = 1.0, seed: int = 0,
                    skew: Optional[float] = None) -> HeteroGraph:
    """Generate the synthetic graph ``name`` (see :data:`SYNTHETIC_SPECS`).

    ``scale`` multiplies node and edge counts (relation and node-type counts
    stay as published); ``seed`` makes the graph reproducible; ``skew``
    (default per spec) controls how concentrated edge endpoints are.
    """
    if name not in SYNTHETIC_SPECS:
        raise KeyError(f"unknown synthetic dataset {name!r} (known: "
                       f"{', '.join(SYNTHETIC_SPECS)})")
    if not scale > 0:
        raise ValueError("scale must be positive")
    spec = SYNTHETIC_SPECS[name]
    skew = spec.skew if skew is None else skew
    rng = np.random.default_rng(seed)
    tnames = [t for t, _ in spec.ntypes]
    counts = [max(1, int(round(c * scale))) for _, c in spec.ntypes]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    tidx = {t: i for i, t in enumerate(tnames)}
    # Relation sizes: published where known, else a Zipf share of the rest.
    total = int(round(spec.num_edges * scale))
    fixed = [e for *_, e in spec.relations if e is not None]
    if len(fixed) == len(spec.relations):
        sizes = _split_total(total, fixed)
    else:
        free = total - int(round(sum(fixed) * scale))
        k = len(spec.relations) - len(fixed)
        zipf = _split_total(free, 1.0 / np.arange(1, k + 1) ** 1.1, minimum=1)
        # Shuffle which relation gets which size (seeded).
        zipf = [zipf[i] for i in rng.permutation(k)]
        it = iter(zipf)
        sizes = [int(round(e * scale)) if e is not None else next(it)
                 for *_, e in spec.relations]
    # Hubs: a random node order per type; endpoint rank ~ n * u**skew.
    perms = [rng.permutation(c) for c in counts]
    E = int(sum(sizes))
    src = np.empty(E, dtype=np.int64)
    dst = np.empty(E, dtype=np.int64)
    etype = np.empty(E, dtype=np.int32)
    pos = 0
    for r, ((st, _, dt, _), m) in enumerate(zip(spec.relations, sizes)):
        for arr, t in ((src, st), (dst, dt)):
            i = tidx[t]
            rank = (counts[i] * rng.random(m) ** skew).astype(np.int64)
            np.minimum(rank, counts[i] - 1, out=rank)
            arr[pos:pos + m] = perms[i][rank] + offsets[i]
        etype[pos:pos + m] = r
        pos += m
    from .ogb import _TypedNames
    g = HeteroGraph(
        name=name, num_nodes=int(offsets[-1]), src=src, dst=dst, etype=etype,
        ntype=np.repeat(np.arange(len(tnames), dtype=np.int32), counts),
        ntype_names=tnames, etype_names=[r for _, r, _, _ in spec.relations],
        node_names=_TypedNames(tnames, offsets),
        canonical_etypes=[(s, r, d) for s, r, d, _ in spec.relations])
    g.meta.update(synthetic=True, scale=scale, seed=seed, skew=skew,
                  source=spec.source, ntype_offsets=offsets.tolist())
    return g
