"""The static cost model, read from compiled models (docs/abi.md).

Every compiled function carries a ``cost`` record: the work it does as
linear forms in the graph's counts (edges ``E``, nodes ``N``, unique
(src, relation) pairs ``Psrc``, unique (dst, relation) pairs ``Pdst``,
relations ``R``, node types ``T`` and a constant ``1``), derived from the IR
by ``lib/Analysis/CostModel.cpp``.  A model's ``cost-params`` record holds the
target's calibrated seconds per GEMM flop, other flop, byte and kernel
(``include/Hector/Analysis/CostParams.def``, written by
``bench/cost_model.py --write``).  This module evaluates both for a prepared
graph, as the runtime does when it picks a variant, and fits parameters to
measurements.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

COUNTS = ("E", "N", "Psrc", "Pdst", "R", "T", "1")
QUANTITIES = ("gemm_flops", "other_flops", "bytes", "gathered_bytes",
              "memory")
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
class Cost:
    """One function's ``cost`` record."""
    kernels: int
    forms: Dict[str, np.ndarray]

    @classmethod
    def parse(cls, record: str) -> "Cost":
        fields = dict(f.split("=", 1) for f in record.split()[1:])
        return cls(int(fields["kernels"]),
                   {q: _form(fields[q]) for q in QUANTITIES})

    def evaluate(self, counts: np.ndarray) -> Dict[str, float]:
        """Each quantity for concrete counts, plus ``kernels``."""
        out = {q: float(self.forms[q] @ counts) for q in QUANTITIES}
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
        out.params = params
        return out

    def variants(self, base: str) -> List[str]:
        """``base`` and the functions that are variants of it."""
        return [base] + [f for f, b in self.variant_of.items() if b == base]


def variant_label(name: str) -> str:
    """``f__aggregate_first`` -> ``aggregate_first``; the base ``f`` ->
    ``base``."""
    return name.split("__", 1)[1] if "__" in name else "base"


def counts_of(prepared) -> np.ndarray:
    """The count vector (E, N, Psrc, Pdst, R, T, 1) of a prepared graph."""
    s = prepared.stats
    return np.array([s["num_edges"], s["num_nodes"],
                     s["num_unique_src_pairs"], s["num_unique_dst_pairs"],
                     s["num_relations"], s["num_node_types"], 1.0], float)


def features(cost: Cost, counts: np.ndarray) -> np.ndarray:
    """(GEMM flops, other flops, bytes, gathered bytes, kernels): what the
    parameters multiply."""
    e = cost.evaluate(counts)
    return np.array([e["gemm_flops"], e["other_flops"], e["bytes"],
                     e["gathered_bytes"], e["kernels"]], float)


def estimate(cost: Cost, counts: np.ndarray, params: Dict[str, float]
             ) -> float:
    """Seconds, as the runtime estimates them."""
    return float(features(cost, counts) @ np.array([params[p]
                                                    for p in PARAMS]))


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
