"""Print a dataset's statistics.

    PYTHONPATH=python /usr/bin/python3 -m hector.stats <dataset-or-path>
        [--preprocessing paper|dgl] [--scale S] [--seed N] [--top K] [--json]

Shows nodes per type, and per relation its edges, unique (src, relation)
and (dst, relation) pairs and edges per unique pair (compact
materialization pays when that ratio is high), then in/out degree
summaries.  Datasets: aifb, fb15k-237, acm, dblp, the synthetic bgs, am,
ogbn-mag, ogbl-wikikg2, ogbl-biokg (with --scale), or a path.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from .errors import DataFormatError, RuntimeLibraryError


def _short(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    head = width // 3
    return text[:head] + "..." + text[-(width - head - 3):]


def collect(g, p) -> dict:
    R = g.num_relations
    edges = np.diff(p.rel_offsets)
    rels = []
    for r in range(R):
        name = g.etype_names[r]
        if g.canonical_etypes is not None:
            s, rn, d = g.canonical_etypes[r]
            name = f"{s} -[{rn}]-> {d}"
        rels.append({
            "id": r, "name": name, "edges": int(edges[r]),
            "unique_src": int(p.rel_num_unique_src[r]),
            "unique_dst": int(p.rel_num_unique_dst[r]),
            "max_edges_per_src": int(p.rel_max_out_degree[r]),
            "max_edges_per_dst": int(p.rel_max_in_degree[r]),
        })
    st = p.stats
    return {
        "name": g.name, "num_nodes": g.num_nodes, "num_edges": g.num_edges,
        "num_relations": R, "num_node_types": g.num_ntypes,
        "nodes_per_type": {g.ntype_names[t]: int(c)
                           for t, c in enumerate(p.ntype_counts)},
        "relations": rels,
        "num_unique_src_pairs": st["num_unique_src_pairs"],
        "num_unique_dst_pairs": st["num_unique_dst_pairs"],
        "num_empty_relations": st["num_empty_relations"],
        "num_isolated_nodes": st["num_isolated_nodes"],
        "in_degree": st["in_degree"], "out_degree": st["out_degree"],
        "num_classes": g.num_classes,
        "splits": {k: int(len(v)) for k, v in
                   list(g.node_splits.items()) + list(g.edge_splits.items())},
        "meta": {k: v for k, v in g.meta.items()
                 if isinstance(v, (int, float, str))},
    }


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def render(s: dict, top: int = 0, out=sys.stdout) -> None:
    w = out.write
    w(f"dataset {s['name']}: {s['num_nodes']:,} nodes, {s['num_edges']:,} "
      f"edges, {s['num_relations']} relations, {s['num_node_types']} node "
      f"types\n")
    if s["splits"]:
        w("splits: " + ", ".join(f"{k} {v:,}" for k, v in s["splits"].items())
          + (f"; {s['num_classes']} classes" if s["num_classes"] else "") + "\n")
    w("\nnodes per type:\n")
    for name, c in s["nodes_per_type"].items():
        w(f"  {_short(name, 40):<40} {c:>12,}\n")
    rels = s["relations"]
    shown = sorted(rels, key=lambda r: -r["edges"])[:top] if top else rels
    w(f"\nedges per relation{' (top %d by edges)' % top if top else ''}:\n")
    w(f"  {'id':>4} {'relation':<48} {'edges':>11} {'uniq(src,r)':>11} "
      f"{'e/uniq':>7} {'uniq(dst,r)':>11} {'e/uniq':>7}\n")
    for r in shown:
        w(f"  {r['id']:>4} {_short(r['name'], 48):<48} {r['edges']:>11,} "
          f"{r['unique_src']:>11,} {_ratio(r['edges'], r['unique_src']):>7} "
          f"{r['unique_dst']:>11,} {_ratio(r['edges'], r['unique_dst']):>7}\n")
    E = s["num_edges"]
    w(f"\nunique (src, relation) pairs: {s['num_unique_src_pairs']:,} "
      f"({_ratio(E, s['num_unique_src_pairs'])} edges per pair)\n")
    w(f"unique (dst, relation) pairs: {s['num_unique_dst_pairs']:,} "
      f"({_ratio(E, s['num_unique_dst_pairs'])} edges per pair)\n")
    w(f"empty relations: {s['num_empty_relations']}, isolated nodes: "
      f"{s['num_isolated_nodes']:,}\n")
    w("\ndegree   min    p50    p90    p99        max      mean    stddev   zero\n")
    for side in ("in", "out"):
        d = s[f"{side}_degree"]
        w(f"  {side:<4} {d['min']:>5} {d['p50']:>6} {d['p90']:>6} {d['p99']:>6} "
          f"{d['max']:>10,} {d['mean']:>9.2f} {d['stddev']:>9.2f} "
          f"{d['num_zero']:>6,}\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m hector.stats",
        description="Print a dataset's statistics (nodes per type, edges per "
                    "relation, unique (src, relation) pairs, degrees).")
    ap.add_argument("dataset", help="aifb, fb15k-237, acm, dblp, bgs, am, "
                    "ogbn-mag, ogbl-wikikg2, ogbl-biokg, or a path")
    ap.add_argument("--preprocessing", choices=("paper", "dgl"),
                    default="paper", help="RDF preprocessing (default paper)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="size factor for synthetic datasets (default 1)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seed for synthetic datasets (default 0)")
    ap.add_argument("--top", type=int, default=0,
                    help="show only the K relations with most edges")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)

    from .data import load_dataset
    from .prep import prepare
    try:
        t0 = time.perf_counter()
        g = load_dataset(args.dataset, preprocessing=args.preprocessing,
                         scale=args.scale, seed=args.seed, features=False)
        t1 = time.perf_counter()
        p = prepare(g)
        t2 = time.perf_counter()
    except (DataFormatError, RuntimeLibraryError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    s = collect(g, p)
    s["load_seconds"] = round(t1 - t0, 3)
    s["prepare_seconds"] = round(t2 - t1, 3)
    if args.json:
        json.dump(s, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        render(s, args.top)
        print(f"\n(load {t1 - t0:.2f} s, prepare {t2 - t1:.2f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        sys.exit(0)
