"""Tests of hector.models: the builders emit IR that hector-opt verifies,
and at the examples' sizes the same IR as examples/models/*.mlir."""

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hector import models
from hector import reference as ref

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "models"


@pytest.fixture(scope="module")
def hector_opt():
    build = Path(os.environ.get("HECTOR_BUILD_DIR", REPO / "build"))
    tool = build / "bin" / "hector-opt"
    if not tool.is_file():
        pytest.fail(f"{tool} not found: build it first "
                    f"(cmake -G Ninja -S {REPO} -B {build} && "
                    f"ninja -C {build} hector-opt), or set HECTOR_BUILD_DIR")
    return tool


def run_opt(tool, text=None, path=None):
    """hector-opt's printed module; fails the test with its diagnostics if
    it does not verify."""
    cmd = [str(tool)] + ([str(path)] if path else ["-"])
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, (
        f"hector-opt rejected the IR:\n{proc.stderr}\n--- input ---\n"
        f"{text if text is not None else path}")
    return proc.stdout


# ---------------------------------------------------------------------------
# The defaults are the examples
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("example, build", [
    ("rgcn", lambda: models.rgcn(90)),
    ("rgcn_basis_norm", lambda: models.rgcn(90, basis=30, edge_norm=True)),
    ("rgat", lambda: models.rgat(90)),
    ("hgt", lambda: models.hgt(8, 4, triples=models.ACM_TRIPLES)),
])
def test_builder_matches_example(hector_opt, example, build):
    want = run_opt(hector_opt, path=EXAMPLES / f"{example}.mlir")
    got = run_opt(hector_opt, text=build())
    assert got == want


def test_build_by_name_matches_builders():
    assert models.build("rgcn_basis_norm", 90) == \
        models.rgcn(90, basis=30, edge_norm=True)
    assert models.build("rgat", 7, 2, 8, 12, heads=3) == \
        models.rgat(7, 2, 8, 12, heads=3)
    assert models.build("hgt", 8, 4, triples=models.ACM_TRIPLES) == \
        models.hgt(8, 4, triples=models.ACM_TRIPLES)


def test_argument_names_are_the_examples():
    """The builders' argument names are the examples' SSA names."""
    for model in ("rgcn", "rgcn_basis_norm", "rgat", "hgt"):
        text = (EXAMPLES / f"{model}.mlir").read_text()
        head = text[text.index("func.func"):text.index("{", text.index(
            "func.func"))]
        names = re.findall(r"%(\w+):", head)
        assert names == ["g"] + [a.name for a in models.signature(model)]


# ---------------------------------------------------------------------------
# Many sizes verify
# ---------------------------------------------------------------------------

RGCN_CASES = [
    dict(num_relations=1),
    dict(num_relations=3, in_dim=5, out_dim=7),
    dict(num_relations=2, num_node_types=3, in_dim=16, out_dim=8,
         triples=[(0, 0, 1), (2, 1, 0)]),
    dict(num_relations=4, in_dim=3, out_dim=3, basis=2),
    dict(num_relations=4, in_dim=3, out_dim=9, edge_norm=True),
    dict(num_relations=200, num_node_types=2, in_dim=128, out_dim=32,
         basis=1, edge_norm=True),
    dict(num_relations=5, in_dim=1, out_dim=1, basis=7, edge_norm=False),
]

HEADS_CASES = [
    dict(num_relations=1, in_dim=4, out_dim=4, heads=1),
    dict(num_relations=3, in_dim=8, out_dim=12, heads=3),
    dict(num_relations=2, num_node_types=2, in_dim=5, out_dim=6, heads=6,
         triples=[(0, 0, 1), (1, 1, 0)]),
    dict(num_relations=10, num_node_types=3, in_dim=32, out_dim=32, heads=8),
    dict(num_relations=6, num_node_types=1, in_dim=64, out_dim=128, heads=2),
    dict(num_relations=1, num_node_types=5, in_dim=7, out_dim=7, heads=7,
         triples=[(4, 0, 3)]),
]


@pytest.mark.parametrize("kw", RGCN_CASES)
def test_rgcn_verifies(hector_opt, kw):
    out = run_opt(hector_opt, text=models.rgcn(**kw))
    name = models._rgcn_name(kw.get("basis"), kw.get("edge_norm", False))
    assert f"func.func @{name}(" in out
    assert f"relations = {kw['num_relations']}" in out


RGCN_OPTIONS = [dict(aggr="add"), dict(root_weight=False), dict(bias=False),
                dict(aggr="sum", root_weight=False, bias=False),
                dict(aggr="max", bias=False)]


@pytest.mark.parametrize("featureless,kw", [
    (f, kw) for f in (False, True) for kw in RGCN_OPTIONS
] + [(False, dict(basis=2, aggr="add", bias=False)),
      (False, dict(basis=2, aggr="max"))])
def test_rgcn_options_verify(hector_opt, kw, featureless):
    # PyG's RGCNConv arguments: the arguments and ops follow them.
    if featureless:
        text = models.rgcn_featureless(3, out_dim=4, **kw)
    else:
        text = models.rgcn(3, in_dim=5, out_dim=4, **kw)
    out = run_opt(hector_opt, text=text)
    root, bias = kw.get("root_weight", True), kw.get("bias", True)
    assert ("%w_root" in text) == root and ("%bias" in text) == bias
    aggr = kw.get("aggr", "mean")
    assert (" mean" in out) == (aggr == "mean")
    assert (" max" in out) == (aggr == "max")
    args = (models.featureless_args(4, root, bias) if featureless else
            models.signature("rgcn_basis" if "basis" in kw else "rgcn", 5,
                             4, num_bases=2, root_weight=root, bias=bias))
    for a in args:
        assert f"%{a.name}:" in text
    # %g and the arguments, nothing else.
    assert f"%arg{len(args)}:" in out and f"%arg{len(args) + 1}:" not in out


@pytest.mark.parametrize("kw", HEADS_CASES)
@pytest.mark.parametrize("builder", [models.rgat, models.hgt])
def test_attention_models_verify(hector_opt, builder, kw):
    text = builder(**kw)
    out = run_opt(hector_opt, text=text)
    assert f"func.func @{builder.__name__}(" in out
    if kw.get("triples"):
        assert "triples = [" in out
    d = kw["out_dim"] // kw["heads"]
    assert f"{kw['heads']}x{d}xf32" in out


def test_hgt_scale_constant_is_inv_sqrt_d(hector_opt):
    out = run_opt(hector_opt, text=models.hgt(2, 2, 6, 6, heads=2))  # d = 3
    consts = re.findall(r"arith.constant dense<([^>]+)> : tensor<f32>", out)
    assert float(consts[0]) == pytest.approx(1 / np.sqrt(3), rel=1e-6)
    assert float(consts[1]) == 1.0


def test_hgt_without_skip_when_dims_differ(hector_opt):
    text = models.hgt(3, 2, in_dim=8, out_dim=16, heads=4)
    assert "%skip" not in text and "sigmoid" not in text
    run_opt(hector_opt, text=text)
    assert [a.name for a in models.signature("hgt", 8, 16, 4)][-1] == "b_out"


def test_hgt_triples_in_schema(hector_opt):
    triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]
    out = run_opt(hector_opt, text=models.hgt(3, 2, 4, 4, triples, heads=2))
    assert "triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]" in out


# ---------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: models.rgat(4, heads=3), r"heads \(3\) must divide out_dim"),
    (lambda: models.hgt(4, out_dim=10, heads=4), r"must divide out_dim"),
    (lambda: models.hgt(4, heads=0), r"heads must be a positive integer"),
    (lambda: models.rgcn(0), r"num_relations must be a positive"),
    (lambda: models.rgcn(2, num_node_types=0), r"num_node_types"),
    (lambda: models.rgcn(2, in_dim=-1), r"in_dim"),
    (lambda: models.rgcn(2, out_dim=2.5), r"out_dim"),
    (lambda: models.rgcn(2, basis=0), r"basis"),
    (lambda: models.rgcn(2, edge_norm="yes"), r"edge_norm must be a bool"),
    (lambda: models.rgcn(2, aggr="min"), r"aggr must be one of"),
    (lambda: models.rgcn(2, edge_norm=True, aggr="max"),
     r"edge_norm replaces the mean"),
    (lambda: models.rgcn(2, bias=1), r"bias must be a bool"),
    (lambda: models.rgcn(2, edge_norm=True, aggr="add"),
     r"edge_norm replaces the mean"),
    (lambda: models.rgcn_featureless(2, root_weight=None),
     r"root_weight must be a bool"),
    (lambda: models.hgt(2, 2, triples=[(0, 0, 1)]),
     r"triples has 1 entries, but there are 2 relations"),
    (lambda: models.hgt(2, 2, triples=[(0, 0, 1), (0, 0, 1)]),
     r"triples\[1\] names relation 0"),
    (lambda: models.hgt(1, 2, triples=[(0, 0, 2)]),
     r"destination type 2, outside \[0, 2\)"),
    (lambda: models.rgat(1, triples=[(0, 0)]), r"three integers"),
    (lambda: models.build("gcn", 2), r"unknown model"),
    (lambda: models.signature("rgat", heads=5), r"must divide"),
])
def test_invalid_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------------------
# Signatures agree with the reference's weights
# ---------------------------------------------------------------------------

def _tiny_graph():
    rng = np.random.default_rng(1)
    return ref.RefGraph(6, rng.integers(0, 6, 12), rng.integers(0, 6, 12),
                        rng.integers(0, 3, 12), rng.integers(0, 2, 6),
                        num_relations=3, num_node_types=2)


@pytest.mark.parametrize("model, in_dim, out_dim, heads", [
    ("rgcn", 5, 7, 1), ("rgcn_basis", 4, 4, 1), ("rgcn_norm", 3, 2, 1),
    ("rgcn_basis_norm", 6, 5, 1), ("rgat", 5, 8, 2), ("hgt", 8, 8, 4),
    ("hgt", 6, 4, 2),
])
def test_signature_matches_reference_weights(model, in_dim, out_dim, heads):
    g = _tiny_graph()
    weights = ref.init_weights(model, g, in_dim, out_dim, heads, rng=0,
                               num_bases=3)
    args = models.signature(model, in_dim, out_dim, heads, num_bases=3)
    assert args[0] == models.Argument("h", "node", (in_dim,))
    assert sorted(a.name for a in args[1:]) == sorted(weights)
    for a in args[1:]:
        lead = () if a.domain is None else (g.domain_size(a.domain),)
        assert weights[a.name].shape == lead + a.shape, a.name
    h = np.zeros((g.num_nodes, in_dim))
    inputs = models.reference_inputs(model, h, weights, in_dim, out_dim,
                                     heads, num_bases=3)
    assert inputs[0] is h
    assert [id(v) for v in inputs[1:]] == \
        [id(weights[a.name]) for a in args[1:]]
    # The reference model runs on exactly these weights.
    out = ref.MODELS[model](g, np.ones((g.num_nodes, in_dim)), weights)
    assert out.shape == (g.num_nodes, out_dim)


def test_reference_inputs_rejects_mismatched_keys():
    with pytest.raises(ValueError, match=r"missing \['w_root'\]"):
        models.reference_inputs("rgcn", None, {"w": 0, "bias": 0})
    with pytest.raises(ValueError, match=r"unexpected \['extra'\]"):
        models.reference_inputs("rgcn", None, {"w": 0, "w_root": 0,
                                               "bias": 0, "extra": 0})
