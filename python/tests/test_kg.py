"""Knowledge-graph triple files."""

import pytest

from conftest import truncate_gz, write, write_gz
from hector.data import load_kg, load_dataset
from hector.errors import DataFormatError


def test_small_kg(tmp_path):
    write_gz(tmp_path / "train.txt.gz", "a\tr1\tb\nb\tr2\tc\na\tr1\tc\n")
    write(tmp_path / "valid.txt", "c\tr1\ta\r\n")
    write(tmp_path / "test.txt", "d\tr3\ta\n\n")
    g = load_kg(tmp_path)
    assert g.num_nodes == 4 and g.num_relations == 3 and g.num_edges == 3
    assert g.node_names == ["a", "b", "c", "d"]
    assert g.etype_names == ["r1", "r2", "r3"]
    assert g.src.tolist() == [0, 1, 0] and g.dst.tolist() == [1, 2, 2]
    assert g.edge_splits["valid"].tolist() == [[2, 0, 0]]
    assert g.edge_splits["test"].tolist() == [[3, 2, 0]]
    assert load_dataset(str(tmp_path)).num_edges == 3


@pytest.mark.parametrize("body,line,pattern", [
    ("a\tr\tb\na\tr\n", 2, r"expected 3 tab-separated fields.*found 2"),
    ("a\tr\tb\na\tr\tb\tc\n", 2, r"found 4"),
    ("a\tr\tb\n\tr\tb\n", 2, r"empty head"),
])
def test_malformed_lines(tmp_path, body, line, pattern):
    p = write(tmp_path / "train.txt", body)
    with pytest.raises(DataFormatError, match=pattern) as info:
        load_kg(tmp_path)
    assert str(info.value).startswith(f"{p}:{line}: ")


def test_truncated_gzip(tmp_path):
    body = "".join(f"/m/{i}\t/r/{i % 7}\t/m/{i * 31 % 1000}\n" for i in range(30000))
    p = truncate_gz(write_gz(tmp_path / "train.txt.gz", body), 0.6)
    with pytest.raises(DataFormatError, match=r"truncated compressed stream") as info:
        load_kg(tmp_path)
    assert str(info.value).startswith(f"{p}:")


def test_corrupt_gzip(tmp_path):
    p = write_gz(tmp_path / "train.txt.gz", "a\tr\tb\n" * 1000)
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match=rf"{p}:\d+: (corrupt|truncated)"):
        load_kg(tmp_path)


def test_missing_train(tmp_path):
    write(tmp_path / "valid.txt", "a\tr\tb\n")
    with pytest.raises(DataFormatError, match="no train.txt"):
        load_kg(tmp_path)
