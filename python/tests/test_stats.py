"""The statistics command."""

import json
import os
import subprocess
import sys
from pathlib import Path

from hector.stats import main

PYTHON_DIR = Path(__file__).resolve().parents[1]


def test_stats_json(capsys, data_root):
    assert main(["aifb", "--preprocessing", "dgl", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["num_nodes"] == 7262 and s["num_edges"] == 48810
    assert sum(s["nodes_per_type"].values()) == 7262
    assert sum(r["edges"] for r in s["relations"]) == 48810
    assert s["num_unique_src_pairs"] == sum(r["unique_src"] for r in s["relations"])
    assert s["in_degree"]["max"] >= s["in_degree"]["p99"]


def test_stats_text_subprocess(data_root):
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    out = subprocess.run([sys.executable, "-m", "hector.stats", "fb15k-237",
                          "--top", "3"], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert "14,541 nodes, 272,115 edges, 237 relations" in out
    assert "unique (src, relation) pairs:" in out
    assert "/award/award_nom" in out


def test_stats_bad_dataset(capsys, tmp_path):
    assert main([str(tmp_path / "missing")]) == 1
    assert "no such file or directory" in capsys.readouterr().err
    bad = tmp_path / "train.txt"
    bad.write_text("a\tb\n")
    assert main([str(tmp_path)]) == 1
    assert f"{bad}:1: expected 3 tab-separated" in capsys.readouterr().err
