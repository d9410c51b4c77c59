"""RDF parsers: N-Triples (line-based, streaming) and Turtle/N3 (the subset
that RDF dumps use: ``@prefix``/``@base``/``PREFIX``/``BASE``, prefixed names,
``a``, ``;`` and ``,`` lists, ``[ ... ]`` blank-node property lists,
``( ... )`` collections, short and long strings, language tags, datatypes,
numbers and booleans).  N3-only constructs (formulas ``{}``, ``=>``, ``=``,
paths) are rejected with an error.

Terms are interned into a :class:`TermTable` as strings:

* IRI           -> the IRI itself, e.g. ``http://example.org/x``;
* blank node    -> ``_:label`` (anonymous nodes get ``_:[n]``);
* literal       -> ``"lexical"`` followed by ``@lang`` or ``^^datatype``
  (the lexical form is unescaped, so equal literals get equal keys).

Parsers append ``(subject, predicate, object)`` term ids to a
:class:`TripleBuffer`.  Every syntax error is a
:class:`~hector.errors.DataFormatError` with ``file:line``.
"""

from __future__ import annotations

import bisect
import re
from array import array
from typing import Dict, List, Optional, Tuple
from urllib.parse import urljoin

import numpy as np

from ..errors import DataFormatError
from . import _io

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF_NS + "type"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

TERM_IRI, TERM_BNODE, TERM_LITERAL = 0, 1, 2


def term_kind(key: str) -> int:
    if key.startswith('"'):
        return TERM_LITERAL
    if key.startswith("_:"):
        return TERM_BNODE
    return TERM_IRI


def literal_lexical(key: str) -> str:
    """The lexical form of a literal key (the text between the quotes)."""
    return key[1:key.rindex('"')]


class TermTable:
    """Interns term strings to dense ids (first appearance order)."""

    def __init__(self):
        self.ids: Dict[str, int] = {}
        self.terms: List[str] = []

    def intern(self, key: str) -> int:
        i = self.ids.get(key)
        if i is None:
            i = self.ids[key] = len(self.terms)
            self.terms.append(key)
        return i

    def __len__(self):
        return len(self.terms)


class TripleBuffer:
    """Growable int64 (s, p, o) id columns."""

    def __init__(self):
        self.s = array("q")
        self.p = array("q")
        self.o = array("q")

    def add(self, s: int, p: int, o: int) -> None:
        self.s.append(s)
        self.p.append(p)
        self.o.append(o)

    def __len__(self):
        return len(self.s)

    def numpy(self) -> np.ndarray:
        out = np.empty((len(self.s), 3), dtype=np.int64)
        for j, col in enumerate((self.s, self.p, self.o)):
            out[:, j] = np.frombuffer(col, dtype=np.int64) if len(col) else 0
        return out


# ---------------------------------------------------------------------------
# Escapes
# ---------------------------------------------------------------------------

_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"',
          "'": "'", "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.)|$)",
                        re.S)
# Characters that may be backslash-escaped in a prefixed local name.
_PN_LOCAL_ESC = set("_~.-!$&'()*+,;=/?#@%")


def unescape(text: str, iri: bool = False) -> str:
    """Resolve ECHAR and UCHAR escapes; raise ValueError on a bad escape."""
    if "\\" not in text:
        return text

    def repl(m):
        hexa = m.group(1) or m.group(2)
        if hexa:
            cp = int(hexa, 16)
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise ValueError(f"invalid code point escape '\\{m.group(0)[1:]}'")
            return chr(cp)
        c = m.group(3)
        if c is None:
            raise ValueError("dangling backslash")
        if iri or c not in _ECHAR:
            raise ValueError(f"invalid escape sequence '\\{c}'")
        return _ECHAR[c]

    return _ESCAPE_RE.sub(repl, text)


# ---------------------------------------------------------------------------
# Tokenizer (Turtle; also used to diagnose bad N-Triples lines)
# ---------------------------------------------------------------------------

_PN_CHARS_BASE = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D" \
                 "\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF" \
                 "\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_BNODE_LABEL = f"[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_IRI_BODY = r'(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*'

_TOKEN_RE = re.compile(
    r"(?P<ws>[ \t\r\n]+|#[^\r\n]*)"
    rf"|(?P<iri><{_IRI_BODY}>)"
    r'|(?P<lstr>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')"
    r'|(?P<str>"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*')"
    r"|(?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<dt>\^\^)"
    rf"|(?P<bnode>_:{_BNODE_LABEL})"
    r"|(?P<num>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+"
    r"|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))"
    rf"|(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<punct>[.;,\[\]()])"
    r"|(?P<n3>=>|<=|=|\{|\}|!|\^|\|)",
    re.S)


class _Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos


class _TurtleParser:
    """Recursive-descent parser over the token list of one document."""

    def __init__(self, text: str, name: str, terms: TermTable,
                 out: TripleBuffer, base: Optional[str] = None,
                 line_offset: int = 0, ntriples: bool = False):
        self.text = text
        self.name = name
        self.terms = terms
        self.out = out
        self.base = base
        self.line_offset = line_offset
        self.ntriples = ntriples
        self.prefixes: Dict[str, str] = {}
        self.bnode_labels: Dict[str, str] = {}
        self.anon = 0
        self._nl = None
        self.toks = self._tokenize()
        self.i = 0

    # -- diagnostics ---------------------------------------------------------
    def _line_col(self, pos: int) -> Tuple[int, int]:
        if self._nl is None:
            self._nl = [m.start() for m in re.finditer("\n", self.text)]
        k = bisect.bisect_right(self._nl, pos - 1)
        col = pos - (self._nl[k - 1] + 1 if k else 0) + 1
        return k + 1 + self.line_offset, col

    def error(self, msg: str, pos: int):
        line, col = self._line_col(pos)
        raise DataFormatError(f"column {col}: {msg}", path=self.name, line=line)

    def _tokenize(self) -> List[_Tok]:
        toks = []
        text, pos, n = self.text, 0, len(self.text)
        match = _TOKEN_RE.match
        while pos < n:
            m = match(text, pos)
            if m is None:
                self._bad_char(pos)
            kind = m.lastgroup
            if kind == "str" and text.startswith(text[pos] * 3, pos):
                self.error("unterminated long string literal", pos)
            if kind != "ws":
                toks.append(_Tok(kind, m.group(), pos))
            pos = m.end()
        toks.append(_Tok("eof", "", n))
        return toks

    def _bad_char(self, pos: int):
        c = self.text[pos]
        if c in "\"'":
            rest = self.text[pos:]
            if rest.startswith(c * 3):
                self.error("unterminated long string literal", pos)
            end = rest.find("\n")
            seg = rest if end < 0 else rest[:end]
            if re.match(r'"(?:[^"\\]|\\.)*"' if c == '"' else
                        r"'(?:[^'\\]|\\.)*'", seg) is None:
                self.error("unterminated string literal", pos)
            self.error("invalid string literal", pos)
        if c == "<":
            self.error("unterminated or invalid IRI (IRIs may not contain "
                       "spaces, quotes or <>{}|^`\\)", pos)
        if c == "_" and self.text.startswith("_:", pos):
            self.error("invalid blank node label", pos)
        self.error(f"unexpected character {c!r}", pos)

    # -- token stream --------------------------------------------------------
    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, text: str, what: str) -> _Tok:
        t = self.next()
        if t.text != text or t.kind not in ("punct", "n3"):
            self.error(f"expected {what}, found {_describe(t)}", t.pos)
        return t

    # -- terms ---------------------------------------------------------------
    def resolve_iri(self, raw: str, pos: int) -> str:
        try:
            iri = unescape(raw, iri=True)
        except ValueError as e:
            self.error(str(e), pos)
        if self.base is not None and not _has_scheme(iri):
            iri = urljoin(self.base, iri)
        return iri

    def iri_token(self, t: _Tok) -> str:
        if t.kind == "iri":
            return self.resolve_iri(t.text[1:-1], t.pos)
        if t.kind == "pname" and self.ntriples:
            self.error(f"prefixed name {_describe(t)} is not allowed in "
                       f"N-Triples (write the full <IRI>)", t.pos)
        if t.kind == "pname":
            prefix, _, local = t.text.partition(":")
            if prefix not in self.prefixes:
                self.error(f"undefined prefix '{prefix}:'", t.pos)
            local = re.sub(r"\\(.)", r"\1", local)
            return self.prefixes[prefix] + local
        self.error(f"expected an IRI, found {_describe(t)}", t.pos)

    def bnode(self, label: Optional[str] = None) -> int:
        if label is None:
            self.anon += 1
            return self.terms.intern(f"_:[{self.terms_anon_id()}]")
        return self.terms.intern(label)

    def terms_anon_id(self) -> int:
        # Anonymous node names are unique across all documents that share
        # a TermTable.
        n = getattr(self.terms, "_anon", 0) + 1
        self.terms._anon = n  # type: ignore[attr-defined]
        return n

    def literal(self, t: _Tok) -> int:
        if t.kind == "lstr":
            body = t.text[3:-3]
        else:
            body = t.text[1:-1]
        if self.ntriples and (t.kind == "lstr" or t.text[0] == "'"):
            self.error("N-Triples literals must use double quotes", t.pos)
        try:
            lex = unescape(body)
        except ValueError as e:
            self.error(str(e), t.pos)
        nt = self.peek()
        if nt.kind == "at":
            self.next()
            return self.terms.intern(f'"{lex}"@{nt.text[1:].lower()}')
        if nt.kind == "dt":
            self.next()
            dt = self.iri_token(self.next())
            return self.terms.intern(f'"{lex}"^^{dt}')
        return self.terms.intern(f'"{lex}"')

    def subject(self) -> int:
        t = self.next()
        if t.kind in ("iri", "pname"):
            return self.terms.intern(self.iri_token(t))
        if t.kind == "bnode":
            return self.bnode(t.text)
        if not self.ntriples and t.kind == "punct":
            if t.text == "[":
                return self.blank_node_property_list(t)
            if t.text == "(":
                return self.collection(t)
        self.error(f"expected a subject (IRI or blank node), found "
                   f"{_describe(t)}", t.pos)

    def predicate(self) -> int:
        t = self.next()
        if t.kind == "word" and t.text == "a" and not self.ntriples:
            return self.terms.intern(RDF_TYPE)
        if t.kind in ("iri", "pname"):
            return self.terms.intern(self.iri_token(t))
        self.error(f"expected a predicate IRI, found {_describe(t)}", t.pos)

    def object(self) -> int:
        t = self.next()
        k = t.kind
        if k in ("iri", "pname"):
            return self.terms.intern(self.iri_token(t))
        if k == "bnode":
            return self.bnode(t.text)
        if k in ("str", "lstr"):
            return self.literal(t)
        if not self.ntriples:
            if k == "num":
                dt = ("double" if "e" in t.text.lower() else
                      "decimal" if "." in t.text else "integer")
                return self.terms.intern(f'"{t.text}"^^{XSD_NS}{dt}')
            if k == "word" and t.text in ("true", "false"):
                return self.terms.intern(f'"{t.text}"^^{XSD_NS}boolean')
            if k == "punct" and t.text == "[":
                return self.blank_node_property_list(t)
            if k == "punct" and t.text == "(":
                return self.collection(t)
        self.error(f"expected an object, found {_describe(t)}", t.pos)

    def blank_node_property_list(self, open_tok: _Tok) -> int:
        node = self.bnode()
        if self.peek().text == "]" and self.peek().kind == "punct":
            self.next()
            return node
        self.predicate_object_list(node)
        t = self.next()
        if t.text != "]":
            self.error(f"expected ']' to close the '[' at line "
                       f"{self._line_col(open_tok.pos)[0]}, found "
                       f"{_describe(t)}", t.pos)
        return node

    def collection(self, open_tok: _Tok) -> int:
        items = []
        while not (self.peek().kind == "punct" and self.peek().text == ")"):
            if self.peek().kind == "eof":
                self.error("unterminated collection '('", open_tok.pos)
            items.append(self.object())
        self.next()
        nil = self.terms.intern(RDF_NS + "nil")
        if not items:
            return nil
        first = self.terms.intern(RDF_NS + "first")
        rest = self.terms.intern(RDF_NS + "rest")
        nodes = [self.bnode() for _ in items]
        for k, (node, item) in enumerate(zip(nodes, items)):
            self.out.add(node, first, item)
            self.out.add(node, rest, nodes[k + 1] if k + 1 < len(nodes) else nil)
        return nodes[0]

    def predicate_object_list(self, subj: int) -> None:
        while True:
            pred = self.predicate()
            while True:
                self.out.add(subj, pred, self.object())
                t = self.peek()
                if t.kind == "punct" and t.text == "," and not self.ntriples:
                    self.next()
                    continue
                break
            t = self.peek()
            if t.kind == "punct" and t.text == ";" and not self.ntriples:
                while self.peek().kind == "punct" and self.peek().text == ";":
                    self.next()
                t = self.peek()
                if t.kind in ("iri", "pname") or (t.kind == "word" and t.text == "a"):
                    continue
            break

    # -- statements ----------------------------------------------------------
    def directive(self) -> bool:
        t = self.peek()
        sparql = t.kind == "word" and t.text.upper() in ("PREFIX", "BASE")
        if not (t.kind == "at" and t.text in ("@prefix", "@base")) and not sparql:
            return False
        self.next()
        kind = t.text.lstrip("@").lower()
        if kind == "prefix":
            p = self.next()
            if p.kind != "pname" or not p.text.endswith(":") or \
                    p.text.count(":") != 1:
                self.error(f"expected a prefix name like 'ex:', found "
                           f"{_describe(p)}", p.pos)
            iri = self.next()
            if iri.kind != "iri":
                self.error(f"expected an IRI after the prefix, found "
                           f"{_describe(iri)}", iri.pos)
            self.prefixes[p.text[:-1]] = self.resolve_iri(iri.text[1:-1], iri.pos)
        else:
            iri = self.next()
            if iri.kind != "iri":
                self.error(f"expected an IRI after base, found "
                           f"{_describe(iri)}", iri.pos)
            self.base = self.resolve_iri(iri.text[1:-1], iri.pos)
        if not sparql:
            self.expect(".", f"'.' after the {t.text} directive")
        return True

    def parse_document(self) -> None:
        while self.peek().kind != "eof":
            t = self.peek()
            if t.kind == "n3" or (t.kind == "at" and t.text not in
                                  ("@prefix", "@base")):
                self.error(f"unsupported N3 construct {t.text!r} (only the "
                           f"Turtle subset of N3 is supported)", t.pos)
            if self.directive():
                continue
            self.triples()

    def triples(self) -> None:
        t = self.peek()
        if t.kind == "punct" and t.text == "[" and not self.ntriples:
            subj = self.subject()
            nt = self.peek()
            if not (nt.kind == "punct" and nt.text == "."):
                self.predicate_object_list(subj)
        else:
            subj = self.subject()
            self.predicate_object_list(subj)
        t = self.next()
        if not (t.kind == "punct" and t.text == "."):
            self.error(f"expected '.' at the end of the statement, found "
                       f"{_describe(t)}", t.pos)


def _has_scheme(iri: str) -> bool:
    return re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) is not None


def _describe(t: _Tok) -> str:
    if t.kind == "eof":
        return "end of input"
    text = t.text if len(t.text) <= 40 else t.text[:37] + "..."
    return f"'{text}'"


# ---------------------------------------------------------------------------
# N-Triples
# ---------------------------------------------------------------------------

_NT_IRI = r"<([^\x00-\x20<>\"{}|^`\\]*)>"
_NT_SUBJ = rf"(?:{_NT_IRI}|(_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?))"
_NT_OBJ = (rf"(?:{_NT_IRI}|(_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)"
           r'|"((?:[^"\\\n\r]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)'
           rf"|\^\^{_NT_IRI})?)")
_NT_LINE = re.compile(rf"[ \t]*{_NT_SUBJ}[ \t]*{_NT_IRI}[ \t]*{_NT_OBJ}"
                      r"[ \t]*\.[ \t]*(?:#.*)?$")


def parse_ntriples(src, terms: TermTable, out: TripleBuffer) -> int:
    """Parse an N-Triples file (plain or gzip), line by line.  Returns the
    number of triples read."""
    name = _io.display_name(src)
    match = _NT_LINE.match
    intern = terms.intern
    add_s, add_p, add_o = out.s.append, out.p.append, out.o.append
    count = 0
    for lineno, line in _io.text_lines(src):
        m = match(line)
        if m is None:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            # Slow path: precise diagnosis (or acceptance of rare valid
            # forms the fast regex does not cover, e.g. non-ASCII labels).
            p = _TurtleParser(line, name, terms, out, line_offset=lineno - 1,
                              ntriples=True)
            before = len(out)
            p.triples()
            if p.peek().kind != "eof":
                t = p.peek()
                p.error(f"unexpected {_describe(t)} after the end of the "
                        f"triple", t.pos)
            count += len(out) - before
            continue
        s_iri, s_bn, p_iri, o_iri, o_bn, o_lex, o_lang, o_dt = m.groups()
        try:
            if s_iri is not None:
                s = intern(unescape(s_iri, True) if "\\" in s_iri else s_iri)
            else:
                s = intern(s_bn)
            p = intern(unescape(p_iri, True) if "\\" in p_iri else p_iri)
            if o_iri is not None:
                o = intern(unescape(o_iri, True) if "\\" in o_iri else o_iri)
            elif o_bn is not None:
                o = intern(o_bn)
            else:
                lex = unescape(o_lex) if "\\" in o_lex else o_lex
                if o_lang is not None:
                    o = intern(f'"{lex}"@{o_lang.lower()}')
                elif o_dt is not None:
                    dt = unescape(o_dt, True) if "\\" in o_dt else o_dt
                    o = intern(f'"{lex}"^^{dt}')
                else:
                    o = intern(f'"{lex}"')
        except ValueError as e:
            raise DataFormatError(str(e), path=name, line=lineno) from None
        add_s(s)
        add_p(p)
        add_o(o)
        count += 1
    return count


def parse_turtle(src, terms: TermTable, out: TripleBuffer,
                 base: Optional[str] = None) -> int:
    """Parse a Turtle / N3 (Turtle subset) document.  Relative IRIs resolve
    against ``base`` (default: the file's ``file://`` URI, as rdflib does)."""
    name = _io.display_name(src)
    text = _io.read_text(src)
    if base is None and not isinstance(src, _io.ZipMember):
        import pathlib
        base = pathlib.Path(src).resolve().as_uri()
    before = len(out)
    _TurtleParser(text, name, terms, out, base=base).parse_document()
    return len(out) - before


def guess_rdf_format(path) -> str:
    """'nt' or 'turtle' from the file name (ignoring a trailing .gz)."""
    p = str(path).lower()
    if p.endswith(".gz"):
        p = p[:-3]
    if p.endswith(".nt"):
        return "nt"
    if p.endswith((".n3", ".ttl", ".turtle")):
        return "turtle"
    raise DataFormatError("unknown RDF format (expected .nt, .n3 or .ttl, "
                          "optionally .gz)", path=path)


def parse_rdf(src, terms: TermTable, out: TripleBuffer,
              fmt: Optional[str] = None) -> int:
    fmt = fmt or guess_rdf_format(src)
    if fmt == "nt":
        return parse_ntriples(src, terms, out)
    if fmt in ("turtle", "n3", "ttl"):
        return parse_turtle(src, terms, out)
    raise ValueError(f"unknown RDF format {fmt!r}")
