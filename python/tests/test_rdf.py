"""RDF parsing (N-Triples, Turtle/N3) and the RDF dataset loader."""

import re

import numpy as np
import pytest

from conftest import truncate_gz, write, write_gz
from hector.data import load_rdf
from hector.data.rdf_parse import (TermTable, TripleBuffer, parse_ntriples,
                                   parse_turtle)
from hector.errors import DataFormatError


def parse(path, turtle=False):
    terms, buf = TermTable(), TripleBuffer()
    (parse_turtle if turtle else parse_ntriples)(path, terms, buf)
    return [tuple(terms.terms[i] for i in row) for row in buf.numpy().tolist()]


NT = r'''# a comment
<http://e/a> <http://p/name> "Alice Smith" .
<http://e/a> <http://p/knows> <http://e/b> . # trailing comment
_:n1 <http://p/note> "tab\there \"quoted\" \u00e9 \\ end"@EN-gb .
<http://e/b>	<http://p/age>	"42"^^<http://www.w3.org/2001/XMLSchema#integer>	.

<http://e/b> <http://p/odd> "a . b # not a comment" .
'''


def test_ntriples_terms(tmp_path):
    rows = parse(write(tmp_path / "g.nt", NT))
    assert rows == [
        ("http://e/a", "http://p/name", '"Alice Smith"'),
        ("http://e/a", "http://p/knows", "http://e/b"),
        ("_:n1", "http://p/note", '"tab\there "quoted" \u00e9 \\ end"@en-gb'),
        ("http://e/b", "http://p/age",
         '"42"^^http://www.w3.org/2001/XMLSchema#integer'),
        ("http://e/b", "http://p/odd", '"a . b # not a comment"'),
    ]


def test_ntriples_gzip_same_as_plain(tmp_path):
    assert parse(write_gz(tmp_path / "g.nt.gz", NT)) == \
        parse(write(tmp_path / "g.nt", NT))


TTL = '''@prefix : <http://ex.org/ont#> .
@prefix e: <http://ex.org/e/> .
PREFIX x: <http://x.org/>
@base <http://base.org/dir/> .
# statements
e:a a :Person ;
    :name "A" , "B"@de ;
    :knows [ :name "anon" ; a :Thing ] ;
    :list ( e:b 1 2.5 true ) ;
    :rel <rel> .
e:b :text """multi
line "quoted" text""" ; :n -3 .
[] :p e:a .
_:x :q 'single' .
x:y :r e:a.
'''


def test_turtle_subset(tmp_path):
    rows = parse(write(tmp_path / "g.ttl", TTL), turtle=True)
    RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    XSD = "http://www.w3.org/2001/XMLSchema#"
    a, ont = "http://ex.org/e/a", "http://ex.org/ont#"
    assert (a, RDF + "type", ont + "Person") in rows
    assert (a, ont + "name", '"A"') in rows
    assert (a, ont + "name", '"B"@de') in rows
    assert (a, ont + "rel", "http://base.org/dir/rel") in rows
    assert ("http://ex.org/e/b", ont + "text",
            '"multi\nline "quoted" text"') in rows
    assert ("http://ex.org/e/b", ont + "n", f'"-3"^^{XSD}integer') in rows
    assert ("http://x.org/y", ont + "r", a) in rows
    assert ("_:x", ont + "q", '"single"') in rows
    anon = [s for s, p, o in rows if o == '"anon"']
    assert len(anon) == 1 and (anon[0], RDF + "type", ont + "Thing") in rows
    firsts = [o for s, p, o in rows if p == RDF + "first"]
    assert firsts == ["http://ex.org/e/b", f'"1"^^{XSD}integer',
                      f'"2.5"^^{XSD}decimal', f'"true"^^{XSD}boolean']
    assert len(rows) == 21


@pytest.mark.parametrize("line,pattern", [
    ('<http://a> <http://b> "unterminated .', r"unterminated string literal"),
    ('<http://a> <http://b> <http://c>', r"expected '\.' at the end"),
    ('<http://a> <http://b> .', r"expected an object"),
    ('<http://a <http://b> <http://c> .', r"unterminated or invalid IRI"),
    ('"lit" <http://b> <http://c> .', r"expected a subject"),
    ('<http://a> _:b <http://c> .', r"expected a predicate"),
    ('<http://a> <http://b> "x\\q" .', r"invalid escape sequence"),
    ('<http://a> <http://b> <http://c> . <http://d>', r"after the end of the triple"),
    ('ex:a <http://b> <http://c> .', r"prefixed name 'ex:a' is not allowed"),
])
def test_ntriples_errors_name_file_and_line(tmp_path, line, pattern):
    path = write(tmp_path / "bad.nt",
                 "<http://a> <http://b> <http://c> .\n\n" + line + "\n")
    with pytest.raises(DataFormatError, match=pattern) as info:
        parse(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert info.value.line == 3


def test_ntriples_truncated_gzip(tmp_path):
    body = "".join(f"<http://e/{i}> <http://p/x> \"v{i}\" .\n"
                   for i in range(20000))
    path = truncate_gz(write_gz(tmp_path / "g.nt.gz", body))
    with pytest.raises(DataFormatError, match=r"truncated compressed stream") as info:
        parse(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: ", str(info.value))
    assert info.value.line > 1


def test_invalid_utf8(tmp_path):
    path = tmp_path / "g.nt"
    path.write_bytes(b'<http://a> <http://b> "ok" .\n<http://a> <http://b> "\xff" .\n')
    with pytest.raises(DataFormatError, match=r"g\.nt:2: invalid utf-8"):
        parse(path)


@pytest.mark.parametrize("text,line,pattern", [
    ('@prefix : <http://x/> .\n:a :b "open\n', 2, r"unterminated string literal"),
    ('@prefix : <http://x/> .\n:a :b """never closed\n\n', 2, r"unterminated long string"),
    ('@prefix : <http://x/> .\n:a :b :c\n:d :e :f .\n', 3, r"expected '\.'"),
    (':a :b :c .\n', 1, r"undefined prefix ':'"),
    ('@prefix : <http://x/> .\n:a :b [ :c :d .\n', 2, r"expected '\]'"),
    ('@prefix : <http://x/> .\n{ :a :b :c } => { :a :b :d } .\n', 2, r"unsupported N3"),
    ('@prefix : <http://x/> .\n:a :b ( :c :d\n', 2, r"unterminated collection"),
    ('@prefix x <http://x/> .\n', 1, r"expected a prefix name"),
])
def test_turtle_errors(tmp_path, text, line, pattern):
    path = write(tmp_path / "bad.n3", text)
    with pytest.raises(DataFormatError, match=pattern) as info:
        parse(path, turtle=True)
    assert str(info.value).startswith(f"{path}:{line}: ")


def _rdf_dataset(tmp_path):
    g = write_gz(tmp_path / "g.nt.gz", "\n".join([
        '<http://d/P/x/p1> <http://o/ont#worksOn> <http://d/T/x/t1> .',
        '<http://d/P/x/p2> <http://o/ont#worksOn> <http://d/T/x/t1> .',
        '<http://d/P/x/p2> <http://o/ont#name> "Bob" .',
        '<http://d/P/x/p1> <http://o/ont#name> "Ann" .',
        '<http://d/P/x/p1> <http://o/ont#worksOn> <http://d/T/x/t1> .',  # dup
        '_:b <http://o/ont#about> <http://d/P/x/p1> .',
        '<http://d/P/x/p3> <http://o/ont#label> <http://d/G/x/g1> .',
    ]) + "\n")
    tr = write(tmp_path / "train.tsv",
               "person\tid\tlabel_x\r\nhttp://d/P/x/p1\t1\tA\r\n"
               "http://d/P/x/p2\t2\tB\r\n")
    te = write(tmp_path / "test.tsv", "id\tperson\tlabel_x\n3\thttp://d/P/x/p3\tA\n")
    return g, {"train": tr, "test": te}


def test_paper_preprocessing_small(tmp_path):
    g_file, labels = _rdf_dataset(tmp_path)
    g = load_rdf([g_file], labels, "paper")
    # 6 distinct triples; nodes p1 t1 p2 Bob Ann _:b p3 g1.
    assert g.meta["num_triples"] == 6
    assert g.num_nodes == 8 and g.num_edges == 12
    assert g.num_relations == 8
    assert g.etype_names[0] == "http://o/ont#worksOn"  # most frequent first
    assert g.label_names == ["A", "B"]
    assert g.node_splits["train"].tolist() == [0, 2]
    assert [g.node_names[v] for v in g.node_splits["test"]] == ["http://d/P/x/p3"]


def test_dgl_preprocessing_small(tmp_path):
    from hector.data import DGLRules
    g_file, labels = _rdf_dataset(tmp_path)
    rules = DGLRules(entity_prefix="http://d/", relation_prefix="http://o/",
                     excluded_relations=frozenset({"http://o/ont#label"}),
                     target_ntype="P")
    g = load_rdf([g_file], labels, "dgl", dgl_rules=rules)
    # Kept: 4 triples (bnode and excluded relation dropped), literals are
    # "_Literal" nodes; p3 has no kept edge so its label is skipped.
    assert g.num_edges == 8
    assert sorted(g.ntype_names) == ["P", "T", "_Literal"]
    assert g.meta["labels_skipped"] == 1
    assert len(g.node_splits["test"]) == 0
    assert g.num_relations == 4  # (P,name,_Literal), (P,worksOn,T) + reverses


def test_label_errors(tmp_path):
    g_file, labels = _rdf_dataset(tmp_path)
    bad = write(tmp_path / "bad.tsv", "person\tid\tlabel_x\nhttp://d/P/x/p1\t1\n")
    with pytest.raises(DataFormatError, match=r"bad\.tsv:2: expected 3 tab-separated"):
        load_rdf([g_file], {"train": bad}, "paper")
    missing = write(tmp_path / "m.tsv", "person\tid\tlabel_x\n\nhttp://nope\t1\tA\n")
    with pytest.raises(DataFormatError, match=r"m\.tsv:3: labelled entity 'http://nope'"):
        load_rdf([g_file], {"train": missing}, "paper")


def test_load_dataset_path_finds_suffixed_label_files(tmp_path):
    from hector.data import load_dataset
    g_file, _ = _rdf_dataset(tmp_path)
    write(tmp_path / "trainingSet(lith).tsv",
          "rock\tid\tlabel_lithogenesis\nhttp://d/P/x/p1\t1\tA\n")
    g = load_dataset(str(g_file))
    assert g.num_nodes == 8 and len(g.node_splits["train"]) == 1
