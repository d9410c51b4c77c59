#!/usr/bin/python3
"""Benchmark: load FB15k-237 from its files and prepare it.

    /usr/bin/python3 bench/prepare_fb15k.py [--repeat N] [--no-write]

Prints the load time, the preparation time (C++ runtime) and the peak
resident memory of the process, and writes them with the machine, date and
command to bench/results/prepare_fb15k.txt.  Target: load + prepare < 3 s
on a 2-core machine.  The first iteration is the cold, fresh-process
number; later ones show the steady state.
"""

import argparse
import datetime
import os
import platform
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

from hector.data import data_dir, load_dataset  # noqa: E402
from hector.prep import prepare  # noqa: E402
from hector import _runtime  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    rss0 = peak_rss_mib()
    rows = []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        g = load_dataset("fb15k-237")
        t1 = time.perf_counter()
        p = prepare(g)
        t2 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, t2 - t0))
        assert (g.num_nodes, g.num_relations, g.num_edges) == (14541, 237, 272115)
        assert p.stats["num_edges"] == 272115
        del g, p
    peak = peak_rss_mib()
    lines = [
        "benchmark: load + prepare FB15k-237 (14,541 nodes, 237 relations, "
        "272,115 train edges)",
        f"date:      {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"command:   /usr/bin/python3 bench/{Path(__file__).name} "
        + " ".join(sys.argv[1:]),
        f"machine:   {platform.node()}, {cpu_model()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}",
        f"python:    {platform.python_version()}, numpy "
        f"{__import__('numpy').__version__}",
        f"runtime:   {_runtime.find_library()}",
        f"data:      {data_dir() / 'fb15k-237'}",
        "",
        f"{'iter':>4} {'load s':>8} {'prepare s':>10} {'total s':>8}",
    ]
    for i, (a, b, c) in enumerate(rows):
        lines.append(f"{i:>4} {a:>8.3f} {b:>10.3f} {c:>8.3f}"
                     + ("   (cold)" if i == 0 else ""))
    best = min(r[2] for r in rows)
    lines += ["",
              f"cold total: {rows[0][2]:.3f} s; best total: {best:.3f} s "
              f"(target < 3 s: {'PASS' if rows[0][2] < 3 else 'FAIL'})",
              f"peak RSS: {peak:.1f} MiB (interpreter + numpy at start: "
              f"{rss0:.1f} MiB)"]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if not args.no_write:
        out = HERE / "results" / "prepare_fb15k.txt"
        out.parent.mkdir(exist_ok=True)
        out.write_text(text)
        print(f"wrote {out.relative_to(HERE.parent)}")
    return 0 if rows[0][2] < 3 else 1


if __name__ == "__main__":
    sys.exit(main())
