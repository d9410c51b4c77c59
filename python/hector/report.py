"""What each rgnn optimization does to each model on each dataset.

    /usr/bin/python3 -m hector.report [--models rgcn,rgat,hgt]
        [--datasets aifb,fb15k-237,acm,dblp] [--dim 64] [--heads 4]
        [--out FILE]

For every (model, dataset) it compiles the layer (in = out = ``--dim``) in
five configurations of the lowering pipeline and prints, from the ``cost``
record of the function that runs on the dataset's graph (docs/abi.md):
FLOPs (GEMM and other), bytes moved, intermediate memory, kernel count and
the cost model's time estimate.

* ``unoptimized``: ``compact=false reorder=false reassociate=false``;
* ``compact``: rgnn-compact-materialization only;
* ``reordered``: rgnn-reorder-linear only;
* ``both``: reordering then compaction (``reassociate=false``);
* ``sensei``: the default pipeline, rgnn-reassociate, and the variant the
  runtime binds for this graph (named in the table; for a split by
  relation, how many relations chose each association).
"""

from __future__ import annotations

import argparse
import sys
from typing import List

from . import cost, runtime
from .prep import prepare

CONFIGS = [
    ("unoptimized", "compact=false reorder=false reassociate=false"),
    ("compact", "compact=true reorder=false reassociate=false"),
    ("reordered", "compact=false reorder=true reassociate=false"),
    ("both", "compact=true reorder=true reassociate=false"),
    ("sensei", ""),
]


def rows_for(model: str, graph, prepared, dim: int, heads: int) -> List[str]:
    counts = cost.counts_of(prepared)
    lines = []
    for label, options in CONFIGS:
        fn = runtime.compile_layer(model, graph, dim, dim, heads=heads,
                                   options=options or None)
        bound = fn.bind(prepared)
        chosen = bound.variant
        mc = cost.ModelCosts.parse(fn.model.info)
        c = mc.costs[chosen].evaluate(counts, bound.relation_choice)
        est = cost.estimate(mc.costs[chosen], counts, mc.params)
        name = label if label != "sensei" else (
            f"sensei: {cost.variant_label(chosen)}"
            f" of {len(mc.variants(model))}")
        if bound.num_choices > 1:
            picks = bound.relation_choice
            name += (f" ({int((picks == 0).sum())} relations transform "
                     f"first, {int((picks == 1).sum())} aggregate first)")
        lines.append(
            f"| {model} | {name} | {c['gemm_flops'] / 1e9:.3f} | "
            f"{c['other_flops'] / 1e9:.3f} | "
            f"{(c['bytes'] + c['gathered_bytes']) / 2**20:.1f} | "
            f"{c['memory'] / 2**20:.1f} | {c['kernels']} | {est * 1e3:.2f} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m hector.report",
        description="FLOPs, bytes, memory and kernels of every optimization "
                    "variant, per model and dataset")
    ap.add_argument("--models", default="rgcn,rgat,hgt")
    ap.add_argument("--datasets", default="aifb,fb15k-237,acm,dblp")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--out", help="also write the report to this file")
    args = ap.parse_args(argv)
    from .main import load_graph
    out = [f"# Optimization report (in = out = {args.dim}, "
           f"{args.heads} heads)", ""]
    for ds in args.datasets.split(","):
        graph = load_graph(ds)
        prepared = prepare(graph)
        s = prepared.stats
        out += [f"## {ds}: {s['num_nodes']} nodes, {s['num_edges']} edges, "
                f"{s['num_relations']} relations; edges per unique "
                f"(src, relation) pair {s['num_edges'] / max(1, s['num_unique_src_pairs']):.2f}, "
                f"per unique (dst, relation) pair "
                f"{s['num_edges'] / max(1, s['num_unique_dst_pairs']):.2f}", "",
                "| model | variant | GEMM GFLOP | other GFLOP | MiB moved | "
                "intermediate MiB | kernels | estimate ms |",
                "|---|---|---|---|---|---|---|---|"]
        for model in args.models.split(","):
            out += rows_for(model, graph, prepared, args.dim, args.heads)
        out.append("")
        print("\n".join(out[-(len(args.models.split(",")) * 5 + 4):]),
              flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
