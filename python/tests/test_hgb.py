"""HGB directories and zips."""

import zipfile

import numpy as np
import pytest

from conftest import write
from hector.data import load_hgb
from hector.errors import DataFormatError

INFO = """{"node.dat": {"node type": {"0": "paper", "1": "author"}},
 "link.dat": {"link type": {"0": {"start": 0, "end": 1, "meaning": "paper-author"},
                            "1": {"start": 1, "end": 0, "meaning": "author-paper"},
                            "2": {"start": 0, "end": 0, "meaning": "paper-cite-paper"}}},
 "label.dat": {"node type": {"0": {"0": "db", "1": "ml"}}}}"""

NODES = ("0\tp0\t0\t1,0,0.5\n1\tp1\t0\t0,1,-2e-1\n2\tAnn Lee\t1\n"
         "3\tBob\t1\n4\tp2\t0\t1,1,1\n")
LINKS = "0\t2\t0\t1.0\r\n2\t0\t1\t1.0\r\n1\t3\t0\t0.5\r\n3\t1\t1\t0.5\r\n"
LABELS = "0\tp0\t0\t1\n"
LABELS_TEST = "1\tp1\t0\t0\n4\tp2\t0\t1\n"


def make(tmp_path, **over):
    files = {"node.dat": NODES, "link.dat": LINKS, "label.dat": LABELS,
             "label.dat.test": LABELS_TEST, "info.dat": INFO}
    files.update(over)
    d = tmp_path / "DS"
    for name, text in files.items():
        if text is not None:
            write(d / name, text)
    return d


def test_directory_and_zip_agree(tmp_path):
    d = make(tmp_path)
    g = load_hgb(d)
    z = tmp_path / "DS.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in d.iterdir():
            zf.write(f, f"DS/{f.name}")
    gz = load_hgb(z)
    for h in (g, gz):
        assert h.num_nodes == 5 and h.num_edges == 4 and h.num_relations == 3
        assert h.ntype_names == ["paper", "author"]
        assert h.etype_names == ["paper-author", "author-paper", "paper-cite-paper"]
        assert h.canonical_etypes[2] == ("paper", "paper-cite-paper", "paper")
        assert h.node_names[2] == "Ann Lee"
        assert h.target_ntype == "paper"
        assert h.label_names == ["db", "ml"]
        assert h.labels.tolist() == [1, 0, -1, -1, 1]
        assert h.node_splits["test"].tolist() == [1, 4]
        np.testing.assert_allclose(h.node_features["paper"],
                                   [[1, 0, 0.5], [0, 1, -0.2], [1, 1, 1]])
        assert "author" not in h.node_features
        assert h.edge_data["weight"].tolist() == [1.0, 1.0, 0.5, 0.5]
    assert gz.name == "DS"


def test_multilabel_and_no_info(tmp_path):
    d = make(tmp_path, info=None, **{"label.dat": "0\tp0\t0\t0,2\n",
                                     "info.dat": None})
    g = load_hgb(d)
    assert g.ntype_names == ["type0", "type1"]
    assert g.labels.shape == (5, 3) and g.labels[0].tolist() == [1, 0, 1]


def test_link_type_between_several_node_type_pairs(tmp_path):
    # Link type 0 joins paper-author and author-author: the graph has no
    # canonical triples, but every relation keeps its name and its edges.
    links = LINKS + "0\t4\t2\t1\n2\t3\t0\t1\n"
    g = load_hgb(make(tmp_path, **{"link.dat": links}))
    assert g.canonical_etypes is None
    assert g.num_relations == 3
    assert g.etype_names == ["paper-author", "author-paper",
                             "paper-cite-paper"]
    assert g.etype.tolist() == [0, 1, 0, 1, 2, 0]


@pytest.mark.parametrize("file,body,line,pattern", [
    ("link.dat", "0\t2\t0\t1\n0\t9\t1\t1\n", 2, r"destination id 9 out of range \[0, 5\)"),
    ("link.dat", "0\t2\t0\t1\n-1\t2\t1\t1\n", 2, r"source id -1 out of range"),
    ("link.dat", "0\t2\t-1\t1\n", 1, r"negative link type -1"),
    ("link.dat", "0\t2\t99999999999\t1\n", 1, r"link type 99999999999 too large"),
    ("link.dat", "0\t2\n", 1, r"expected 4 tab-separated fields"),
    ("link.dat", "0\t2\t0\t1\n\n0\t2\t7\t1\n", 3,
     r"link type 7 is not one of the link types info.dat declares \(0, 1, 2\)"),
    ("link.dat", "0\tx\t0\t1\n", 1, r"destination id 'x' is not an integer"),
    ("node.dat", NODES + "5\tz\t0\t1,2\n", 6, r"feature vector has 2 values"),
    ("node.dat", NODES.replace("0,1,-2e-1", "0,one,1"), 2, r"feature value 2 \('one'\)"),
    ("node.dat", NODES + "9\tz\t1\n", 6, r"node id 9 out of range"),
    ("node.dat", NODES + "3\tz\t1\n", 6, r"duplicate node id 3"),
    ("node.dat", NODES + "5\tz\t-2\n", 6, r"negative node type -2"),
    ("node.dat", NODES + "5\tz\n", 6, r"expected 3 or 4 tab-separated"),
    ("node.dat", NODES + "5\tz\t1\t1,2\n", 6, r"has features but earlier nodes"),
    ("label.dat", "7\tp\t0\t1\n", 1, r"node id 7 out of range"),
    ("label.dat", "2\tp\t0\t1\n", 1, r"node 2 has type 1 in node.dat, not 0"),
    ("label.dat.test", "1\tp1\t0\t\n", 1, r"empty label"),
])
def test_bad_input(tmp_path, file, body, line, pattern):
    d = make(tmp_path, **{file: body})
    with pytest.raises(DataFormatError, match=pattern) as info:
        load_hgb(d)
    assert str(info.value).startswith(f"{d / file}:{line}: ")


def test_bad_zip(tmp_path):
    z = tmp_path / "X.zip"
    z.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataFormatError, match=r"X\.zip: not a valid zip"):
        load_hgb(z)


def test_truncated_zip_member(tmp_path):
    d = make(tmp_path, **{"link.dat": "0\t2\t0\t1.0\n" * 50000})
    z = tmp_path / "T.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in d.iterdir():
            zf.write(f, f.name)
    data = bytearray(z.read_bytes())
    # Corrupt the middle of the archive (inside link.dat's deflate stream).
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("link.dat")
    mid = info.header_offset + 60 + info.compress_size // 2
    data[mid:mid + 16] = b"\x00" * 16
    z.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match=r"T\.zip/link\.dat:\d+: "):
        load_hgb(z)
