"""The static cost model, read from compiled models (docs/abi.md).

Every compiled function carries a ``cost`` record: the work it does as
linear forms in the graph's counts (edges ``E``, nodes ``N``, unique
(src, relation) pairs ``Psrc``, unique (dst, relation) pairs ``Pdst``,
relations ``R``, node types ``T`` and a constant ``1``), derived from the IR
by ``lib/Analysis/CostModel.cpp``.  Bytes read through an index are also
listed by the table they come from (``gathers``, with the table's
footprint): the fraction of them that misses the cache is
``max(0, 1 - cache / footprint)``.  A model's ``cost-params`` record holds
the target's calibrated seconds per GEMM flop, other flop, byte, gathered
byte that misses, byte of intermediate values (``memory``: allocated,
written first and evicting other data), and kernel, and the cache's
effective size
(``include/Hector/Analysis/CostParams.def``, written by
``bench/cost_model.py --write``).  A function split by relation also has
one ``cost-choice`` record per choice: the work of one relation that makes
it, as forms in that relation's counts (``R`` stands for 1); each relation
takes its cheapest choice.  This module evaluates all of it for a prepared
graph, as the runtime does when it picks a variant and fills the relation
choice table, and fits parameters to measurements.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

COUNTS = ("E", "N", "Psrc", "Pdst", "R", "T", "1")
QUANTITIES = ("gemm_flops", "other_flops", "bytes", "gathered_bytes",
              "memory")
#: The quantities of a ``cost-choice`` record.
CHOICE_QUANTITIES = QUANTITIES[:4]
#: The parameters, in the order of :func:`features_of` columns (and
#: ``cache``, the bytes the miss fraction is relative to).
PARAMS = ("gemm_flop", "other_flop", "byte", "gathered_byte",
          "intermediate_byte", "kernel")


def _form(text: str) -> np.ndarray:
    v = np.zeros(len(COUNTS))
    if text == "0":
        return v
    for term in text.split(","):
        name, value = term.split(":")
        v[COUNTS.index(name)] += float(value)
    return v


def _gathers(text: str) -> List[tuple]:
    """``BYTES@TABLE;...`` (or ``0``) -> [(bytes form, table form)]."""
    if text == "0":
        return []
    return [tuple(_form(part) for part in entry.split("@"))
            for entry in text.split(";")]


def miss_fraction(footprint, cache: float):
    """The fraction of bytes gathered from a table of ``footprint`` bytes
    that miss a cache of ``cache`` bytes."""
    footprint = np.asarray(footprint, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(footprint > cache, 1 - cache / footprint, 0.0)


@dataclass
class GraphCounts:
    """A prepared graph's counts: ``total`` (E, N, Psrc, Pdst, R, T, 1) and,
    per relation, the counts a ``cost-choice`` form is evaluated at
    (``per_relation[r]`` = (E_r, 0, Psrc_r, Pdst_r, 1, 0, 0))."""
    total: np.ndarray
    per_relation: np.ndarray


@dataclass
class Cost:
    """One function's ``cost`` record and its ``cost-choice`` records.
    ``forms`` and each choice also have ``gathers``: [(bytes, table)]."""
    kernels: int
    forms: Dict[str, object]
    choices: List[Dict[str, object]] = field(default_factory=list)

    @classmethod
    def parse(cls, record: str) -> "Cost":
        fields = dict(f.split("=", 1) for f in record.split()[1:])
        forms = {q: _form(fields[q]) for q in QUANTITIES}
        forms["gathers"] = _gathers(fields["gathers"])
        return cls(int(fields["kernels"]), forms)

    def add_choice(self, record: str) -> None:
        fields = dict(f.split("=", 1) for f in record.split()[1:])
        if int(fields["k"]) != len(self.choices):
            raise ValueError(f"cost-choice records out of order: {record!r}")
        c = {q: _form(fields[q]) for q in CHOICE_QUANTITIES}
        c["gathers"] = _gathers(fields["gathers"])
        self.choices.append(c)

    def choose(self, counts: GraphCounts, params: Dict[str, float]
               ) -> np.ndarray:
        """Each relation's cheapest choice (the lowest on ties), as the
        runtime fills the relation choice table; zeros without choices."""
        rels = counts.per_relation
        if not self.choices:
            return np.zeros(len(rels), np.int32)
        per = np.stack([_choice_rows(c, counts) for c in self.choices],
                       axis=1)               # [R, choices, 3]
        seconds = per @ np.array([params["gemm_flop"], params["other_flop"],
                                  params["byte"]])
        seconds = seconds + params["gathered_byte"] * np.stack(
            [_missed(c["gathers"], rels, counts.total, params["cache"])
             for c in self.choices], axis=1)
        return np.argmin(seconds, axis=1).astype(np.int32)

    def evaluate(self, counts: GraphCounts,
                 choice: Optional[np.ndarray] = None) -> Dict[str, object]:
        """Each quantity for concrete counts, plus ``kernels`` and
        ``gathers`` ([(bytes, table footprint)]); a function split by
        relation needs each relation's ``choice``."""
        out = {q: float(self.forms[q] @ counts.total) for q in QUANTITIES}
        gathers = [(float(b @ counts.total), float(t @ counts.total))
                   for b, t in self.forms["gathers"]]
        if self.choices:
            if choice is None:
                raise ValueError("a function split by relation needs the "
                                 "relation choice")
            for k, c in enumerate(self.choices):
                mine = counts.per_relation[np.asarray(choice) == k].sum(0)
                for q in CHOICE_QUANTITIES:
                    out[q] += float(c[q] @ mine)
                gathers += [(float(b @ mine), float(t @ counts.total))
                            for b, t in c["gathers"]]
        out["kernels"] = self.kernels
        out["gathers"] = gathers
        return out


def _choice_rows(choice: Dict[str, object], counts: GraphCounts
                 ) -> np.ndarray:
    """[R, 3]: a choice's GEMM flops, other flops and bytes (gathered or
    not) for each relation."""
    rels = counts.per_relation
    return np.stack([rels @ choice["gemm_flops"], rels @ choice["other_flops"],
                     rels @ (choice["bytes"] + choice["gathered_bytes"])],
                    axis=1)


def _missed(gathers, rows: np.ndarray, total: np.ndarray, cache: float
            ) -> np.ndarray:
    """Gathered bytes that miss the cache, for each row of ``rows``."""
    out = np.zeros(len(rows))
    for b, t in gathers:
        out += (rows @ b) * float(miss_fraction(t @ total, cache))
    return out


@dataclass
class ModelCosts:
    """The cost records of a compiled model's functions, its parameters,
    and which function is a variant of which."""
    params: Optional[Dict[str, float]]
    costs: Dict[str, Cost] = field(default_factory=dict)
    variant_of: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, info: str) -> "ModelCosts":
        params, name = None, None
        out = cls(None)
        for line in info.splitlines():
            head = line.split(" ", 1)[0]
            if head == "cost-params":
                f = dict(x.split("=", 1) for x in line.split()[1:])
                params = {p: float(f[p]) for p in PARAMS + ("cache",)}
                params["target"] = f["target"]
            elif head == "func":
                name = line.split()[1]
            elif head == "variant":
                out.variant_of[name] = line.split("=", 1)[1]
            elif head == "cost":
                out.costs[name] = Cost.parse(line)
            elif head == "cost-choice":
                out.costs[name].add_choice(line)
        out.params = params
        return out

    def variants(self, base: str) -> List[str]:
        """``base`` and the functions that are variants of it."""
        return [base] + [f for f, b in self.variant_of.items() if b == base]


def variant_label(name: str) -> str:
    """``f__aggregate_first`` -> ``aggregate_first``; the base ``f`` ->
    ``base``."""
    return name.split("__", 1)[1] if "__" in name else "base"


def counts_of(prepared) -> GraphCounts:
    """The counts of a prepared graph, in total and per relation."""
    s = prepared.stats
    total = np.array([s["num_edges"], s["num_nodes"],
                      s["num_unique_src_pairs"], s["num_unique_dst_pairs"],
                      s["num_relations"], s["num_node_types"], 1.0], float)
    per = np.zeros((int(s["num_relations"]), len(COUNTS)))
    per[:, 0] = np.diff(prepared.rel_offsets)
    per[:, 2] = np.diff(prepared.unique_src_offsets)
    per[:, 3] = np.diff(prepared.unique_dst_offsets)
    per[:, 4] = 1.0
    return GraphCounts(total, per)


def features_of(evaluated: Dict[str, object], cache: float) -> np.ndarray:
    """(GEMM flops, other flops, bytes (gathered or not), gathered bytes
    that miss a cache of ``cache`` bytes, bytes of intermediate values,
    kernels) of an evaluated cost: what the parameters multiply."""
    missed = sum(b * float(miss_fraction(t, cache))
                 for b, t in evaluated["gathers"])
    return np.array([evaluated["gemm_flops"], evaluated["other_flops"],
                     evaluated["bytes"] + evaluated["gathered_bytes"],
                     missed, evaluated["memory"], evaluated["kernels"]],
                    float)


def estimate(cost: Cost, counts: GraphCounts, params: Dict[str, float]
             ) -> float:
    """Seconds, as the runtime estimates them (with each relation's
    cheapest choice)."""
    choice = cost.choose(counts, params)
    return float(features_of(cost.evaluate(counts, choice), params["cache"])
                 @ np.array([params[p] for p in PARAMS]))


def _nnls(rows: Sequence[np.ndarray], times: Sequence[float]):
    """Nonnegative parameters minimizing the squared *relative* error of
    ``rows . params`` against ``times`` (exact NNLS over the subsets of
    active parameters), and that error."""
    X = np.asarray(rows, float)
    t = np.asarray(times, float)
    A, b = X / t[:, None], np.ones(len(t))
    best, best_res = np.zeros(X.shape[1]), float(b @ b)
    for k in range(1, X.shape[1] + 1):
        for subset in itertools.combinations(range(X.shape[1]), k):
            cols = list(subset)
            sol, *_ = np.linalg.lstsq(A[:, cols], b, rcond=None)
            if (sol < 0).any():
                continue
            res = float(np.sum((A[:, cols] @ sol - b) ** 2))
            if res < best_res:
                best_res = res
                best = np.zeros(X.shape[1])
                best[cols] = sol
    return best, best_res


#: The cache sizes :func:`fit` tries: 64 KiB to 1 GiB, by factors of sqrt 2.
CACHE_GRID = tuple(2.0 ** (k / 2) for k in range(32, 61))


def fit(evaluated: Sequence[Dict[str, object]], times: Sequence[float],
        caches: Sequence[float] = CACHE_GRID) -> Dict[str, float]:
    """The parameters (and ``cache``) that fit measured ``times`` of
    evaluated costs (:meth:`Cost.evaluate`) best in relative error: for
    each cache size of ``caches``, nonnegative least squares for the
    others; the cache size with the smallest error wins (the smallest on
    ties)."""
    best = None
    for cache in caches:
        sol, res = _nnls([features_of(e, cache) for e in evaluated], times)
        if best is None or res < best[2] - 1e-12:
            best = (cache, sol, res)
    cache, sol, _ = best
    params = dict(zip(PARAMS, sol.tolist()))
    params["cache"] = cache
    return params
