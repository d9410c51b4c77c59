"""The static cost model, read from compiled models (docs/abi.md).

Every compiled function carries a ``cost`` record: the work it does as
linear forms in the graph's counts (edges ``E``, nodes ``N``, unique
(src, relation) pairs ``Psrc``, unique (dst, relation) pairs ``Pdst``,
relations ``R``, node types ``T`` and a constant ``1``), derived from the IR
by ``lib/Analysis/CostModel.cpp``.  A model's ``cost-params`` record holds the
target's calibrated seconds per GEMM flop, other flop, byte and kernel
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
#: The parameters, in the order of :func:`features` columns.
PARAMS = ("gemm_flop", "other_flop", "byte", "gathered_byte", "kernel")


def _form(text: str) -> np.ndarray:
    v = np.zeros(len(COUNTS))
    if text == "0":
        return v
    for term in text.split(","):
        name, value = term.split(":")
        v[COUNTS.index(name)] += float(value)
    return v


@dataclass
class GraphCounts:
    """A prepared graph's counts: ``total`` (E, N, Psrc, Pdst, R, T, 1) and,
    per relation, the counts a ``cost-choice`` form is evaluated at
    (``per_relation[r]`` = (E_r, 0, Psrc_r, Pdst_r, 1, 0, 0))."""
    total: np.ndarray
    per_relation: np.ndarray


@dataclass
class Cost:
    """One function's ``cost`` record and its ``cost-choice`` records."""
    kernels: int
    forms: Dict[str, np.ndarray]
    choices: List[Dict[str, np.ndarray]] = field(default_factory=list)

    @classmethod
    def parse(cls, record: str) -> "Cost":
        fields = dict(f.split("=", 1) for f in record.split()[1:])
        return cls(int(fields["kernels"]),
                   {q: _form(fields[q]) for q in QUANTITIES})

    def add_choice(self, record: str) -> None:
        fields = dict(f.split("=", 1) for f in record.split()[1:])
        if int(fields["k"]) != len(self.choices):
            raise ValueError(f"cost-choice records out of order: {record!r}")
        self.choices.append({q: _form(fields[q]) for q in CHOICE_QUANTITIES})

    def choose(self, counts: GraphCounts, params: Dict[str, float]
               ) -> np.ndarray:
        """Each relation's cheapest choice (the lowest on ties), as the
        runtime fills the relation choice table; zeros without choices."""
        rels = counts.per_relation
        if not self.choices:
            return np.zeros(len(rels), np.int32)
        p = np.array([params[q] for q in PARAMS[:4]])
        seconds = np.stack([
            np.stack([c[q] for q in CHOICE_QUANTITIES]).T @ p
            for c in self.choices])          # [choices, counts]
        per = rels @ seconds.T               # [R, choices]
        return np.argmin(per, axis=1).astype(np.int32)

    def evaluate(self, counts: GraphCounts,
                 choice: Optional[np.ndarray] = None) -> Dict[str, float]:
        """Each quantity for concrete counts, plus ``kernels``; a function
        split by relation needs each relation's ``choice``."""
        out = {q: float(self.forms[q] @ counts.total) for q in QUANTITIES}
        if self.choices:
            if choice is None:
                raise ValueError("a function split by relation needs the "
                                 "relation choice")
            for k, c in enumerate(self.choices):
                mine = counts.per_relation[np.asarray(choice) == k].sum(0)
                for q in CHOICE_QUANTITIES:
                    out[q] += float(c[q] @ mine)
        out["kernels"] = self.kernels
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
                params = {p: float(f[p]) for p in PARAMS}
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


def features(cost: Cost, counts: GraphCounts,
             choice: Optional[np.ndarray] = None) -> np.ndarray:
    """(GEMM flops, other flops, bytes, gathered bytes, kernels): what the
    parameters multiply."""
    e = cost.evaluate(counts, choice)
    return np.array([e["gemm_flops"], e["other_flops"], e["bytes"],
                     e["gathered_bytes"], e["kernels"]], float)


def estimate(cost: Cost, counts: GraphCounts, params: Dict[str, float]
             ) -> float:
    """Seconds, as the runtime estimates them (with each relation's
    cheapest choice)."""
    choice = cost.choose(counts, params)
    return float(features(cost, counts, choice) @
                 np.array([params[p] for p in PARAMS]))


def fit(rows: Sequence[np.ndarray], times: Sequence[float]
        ) -> Dict[str, float]:
    """Nonnegative parameters minimizing the squared *relative* error of
    ``features . params`` against measured ``times`` (exact NNLS over the
    31 subsets of active parameters)."""
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
    return dict(zip(PARAMS, best.tolist()))
