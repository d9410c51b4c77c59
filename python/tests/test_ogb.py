"""OGB raw layout, on small files the tests write."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from conftest import truncate_gz
from hector.data import load_dataset, load_ogb_raw
from hector.errors import DataFormatError


def gz(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as f:
        f.write(text)
    return path


def make_mag(tmp_path) -> Path:
    root = tmp_path / "ogbn_mag"
    raw = root / "raw"
    gz(raw / "num-node-dict.csv.gz", "author,paper,institution\n3,4,2\n")
    gz(raw / "triplet-type-list.csv.gz",
       "author,writes,paper\npaper,cites,paper\nauthor,affiliated_with,institution\n")
    rel = raw / "relations"
    gz(rel / "author___writes___paper/edge.csv.gz", "0,0\n0,1\n1,1\n2,3\n")
    gz(rel / "author___writes___paper/num-edge-list.csv.gz", "4\n")
    gz(rel / "paper___cites___paper/edge.csv.gz", "0,1\n1,2\n3,0\n")
    gz(rel / "author___affiliated_with___institution/edge.csv.gz", "")
    gz(raw / "node-feat/paper/node-feat.csv.gz",
       "0.1,0.2\n0.3,0.4\n0.5,0.6\n0.7,0.8\n")
    gz(raw / "node-label/paper/node-label.csv.gz", "1\n0\n2\n1\n")
    gz(root / "split/time/paper/train.csv.gz", "0\n1\n")
    gz(root / "split/time/paper/valid.csv.gz", "2\n")
    gz(root / "split/time/paper/test.csv.gz", "3\n")
    return root


def test_hetero(tmp_path):
    root = make_mag(tmp_path)
    g = load_ogb_raw(root)
    assert g.name == "ogbn_mag"
    assert g.num_nodes == 9 and g.num_edges == 7 and g.num_relations == 3
    assert g.ntype_names == ["author", "paper", "institution"]
    assert g.canonical_etypes[1] == ("paper", "cites", "paper")
    assert g.src.tolist() == [0, 0, 1, 2, 3, 4, 6]
    assert g.dst.tolist() == [3, 4, 4, 6, 4, 5, 3]
    assert g.edges_per_relation().tolist() == [4, 3, 0]
    assert g.node_features["paper"].shape == (4, 2)
    assert g.labels[3:7].tolist() == [1, 0, 2, 1] and g.labels[0] == -1
    assert g.target_ntype == "paper"
    assert g.node_splits["train"].tolist() == [3, 4]
    assert g.node_names[5] == "paper/2"
    assert load_dataset(str(root)).num_edges == 7


def test_homo_with_reltypes(tmp_path):
    raw = tmp_path / "ogbl_wikikg2" / "raw"
    gz(raw / "edge.csv.gz", "0,1\n1,2\n2,0\n3,3\n")
    gz(raw / "edge_reltype.csv.gz", "0\n2\n2\n1\n")
    gz(raw / "num-node-list.csv.gz", "5\n")
    gz(raw / "num-edge-list.csv.gz", "4\n")
    g = load_ogb_raw(tmp_path / "ogbl_wikikg2")
    assert g.num_nodes == 5 and g.num_relations == 3
    assert g.etype.tolist() == [0, 2, 2, 1]


@pytest.mark.parametrize("rel_file,text,pattern", [
    ("relations/paper___cites___paper/edge.csv.gz", "0,1\n1,4\n",
     r"edge\.csv\.gz:2: destination id 4 out of range \[0, 4\) for node type 'paper'"),
    ("relations/paper___cites___paper/edge.csv.gz", "0,1\n1\n",
     r"edge\.csv\.gz:2: expected 2 comma-separated values, found 1"),
    ("relations/paper___cites___paper/edge.csv.gz", "0,1\n1,x\n",
     r"edge\.csv\.gz:2: 'x' is not an integer"),
    ("relations/author___writes___paper/num-edge-list.csv.gz", "5\n",
     r"num-edge-list\.csv\.gz: says \[5\] edges but edge\.csv\.gz has 4"),
    ("node-feat/paper/node-feat.csv.gz", "1,2\n3,4\n",
     r"node-feat\.csv\.gz: has 2 rows, expected 4"),
])
def test_hetero_bad_input(tmp_path, rel_file, text, pattern):
    root = make_mag(tmp_path)
    gz(root / "raw" / rel_file, text)
    with pytest.raises(DataFormatError, match=pattern):
        load_ogb_raw(root)


def test_homo_bad_input(tmp_path):
    raw = tmp_path / "d" / "raw"
    gz(raw / "edge.csv.gz", "0,1\n1,2\n")
    gz(raw / "num-node-list.csv.gz", "3\n")
    gz(raw / "edge_reltype.csv.gz", "0\n")
    with pytest.raises(DataFormatError, match=r"edge_reltype\.csv\.gz: has 1 lines but edge\.csv\.gz has 2"):
        load_ogb_raw(tmp_path / "d")
    gz(raw / "edge_reltype.csv.gz", "0\n-4\n")
    with pytest.raises(DataFormatError, match=r"edge_reltype\.csv\.gz:2: relation id -4"):
        load_ogb_raw(tmp_path / "d")
    gz(raw / "edge_reltype.csv.gz", "0\n1\n")
    gz(raw / "edge.csv.gz", "".join(f"{i % 3},{(i * 7) % 3}\n" for i in range(50000)))
    truncate_gz(raw / "edge.csv.gz")
    with pytest.raises(DataFormatError, match=r"edge\.csv\.gz: truncated compressed"):
        load_ogb_raw(tmp_path / "d")
