"""bench/gpu_inference.py's and bench/gpu_training.py's command lines, on
any machine: they parse their arguments, reject bad ones, and without a GPU
and torch_geometric exit with status 2 and say what they need (the
benchmarks themselves run on the device machine, docs/gpu.md).  The
training benchmark's Hector half (its layers, their weights under the names
the PyG builders read, the training step) also runs here, on the CPU."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from hector.compiler import hector_opt_path

ROOT = Path(__file__).resolve().parents[2]
BENCHES = ("gpu_inference", "gpu_training")


def run(bench, *args):
    return subprocess.run([sys.executable, str(ROOT / "bench" /
                                               f"{bench}.py"), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)


def bench_module(name):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def have_everything() -> bool:
    return bench_module("gpu_inference").requirements() is None


@pytest.mark.parametrize("bench", BENCHES)
def test_help_lists_the_options(bench):
    p = run(bench, "--help")
    assert p.returncode == 0
    for opt in ("--artifacts", "--datasets", "--configs", "--runs",
                "--warmup", "--budget", "--no-write"):
        assert opt in p.stdout
    assert "torch_geometric" in p.stdout


@pytest.mark.parametrize("bench", BENCHES)
def test_bad_arguments_are_rejected(bench):
    p = run(bench, "--datasets", "nope")
    assert p.returncode == 2 and "unknown dataset 'nope'" in p.stderr
    p = run(bench, "--configs", "gcn")
    assert p.returncode == 2 and "unknown config" in p.stderr


def test_training_configs_need_training_artifacts():
    p = run("gpu_training", "--configs", "rgat-1h")
    assert p.returncode == 2
    assert "rgat-1h has no training artifacts" in p.stderr


@pytest.mark.skipif(have_everything(),
                    reason="this machine has a GPU and torch_geometric")
@pytest.mark.parametrize("bench", BENCHES)
def test_without_gpu_says_what_it_needs(tmp_path, bench):
    out = tmp_path / "r.md"
    p = run(bench, "--artifacts", str(tmp_path), "--output", str(out))
    assert p.returncode == 2, p.stderr
    assert "needs a GPU and torch_geometric" in p.stderr
    assert "here:" in p.stderr
    assert not out.exists()


@pytest.mark.skipif(not hector_opt_path().is_file(),
                    reason="compiles CPU layers, which needs hector-opt (the "
                           "GPU machine has the MLIR-free build only)")
@pytest.mark.parametrize("model", ["rgcn", "rgat", "hgt"])
def test_training_bench_layers_on_the_cpu(model):
    # The weights handed to build_pyg have the names and shapes it reads
    # (those of hector.reference.init_weights), RGAT's attention is one
    # vector for all relations, and a step through training_step runs and
    # updates x and every parameter.
    gt = bench_module("gpu_training")
    from hector import nn as hnn
    from hector import reference
    from hector.testing import edge_case_arrays
    n, src, dst, et, R, ntype, T, triples = edge_case_arrays("typed")
    g = hnn.Graph(edge_index=np.stack([src, dst]), edge_type=et,
                  num_nodes=n, num_relations=R, node_type=ntype,
                  num_node_types=T, triples=triples)
    heads = 4
    layer = gt.make_layer(torch, hnn, model, heads, g)
    w = gt.pyg_weights(model, layer)
    want = reference.init_weights(model, (T, R), gt.DIM, gt.DIM,
                                  heads=heads, rng=np.random.default_rng(0))
    assert {k: np.shape(v) for k, v in w.items()} == \
        {k: np.shape(v) for k, v in want.items()}
    if model == "rgat":
        assert np.array_equal(w["attn"], np.broadcast_to(w["attn"][:1],
                                                         w["attn"].shape))
    x = torch.randn(n, gt.DIM, requires_grad=True)
    dy = torch.randn(n, gt.DIM)
    before = {k: v.detach().clone() for k, v in layer.named_parameters()}
    x0 = x.detach().clone()
    step = gt.training_step(torch, list(layer.parameters()) + [x],
                            lambda: layer(x, g), dy)
    y = step()
    assert y.shape == (n, gt.DIM) and torch.isfinite(y).all()
    assert not torch.equal(x.detach(), x0)
    for k, v in layer.named_parameters():
        assert not torch.equal(v.detach(), before[k]), k
    assert float(gt.loss_of({"a": y, "b": None}, {"a": dy, "b": dy})) == \
        pytest.approx(float((y * dy).sum()))
