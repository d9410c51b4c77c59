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


# ---- bench/gpu_kernels.py: ncu's per-kernel report ------------------------

NCU_SAMPLE = Path(__file__).parent / "data" / "ncu_rgcn_acm_node.txt"


def test_gpu_kernels_parses_a_real_ncu_report():
    # ncu's report of ACM's RGCN forward (node-parallel) on the device
    # machine's H100: nine kernels; the third, a traversal with a thread
    # per row, took 14.05 ms.
    gk = bench_module("gpu_kernels")
    kernels = gk.parse_ncu(NCU_SAMPLE.read_text())
    assert len(kernels) == 9
    k = kernels[2]
    assert (k["name"], k["grid"], k["block"]) == ("rgcn_kernel", (320, 1, 1),
                                                  (64, 1, 1))
    assert k["metrics"]["gpu__time_duration.sum"] == pytest.approx(14.05e-3)
    assert k["metrics"]["dram__bytes.sum"] == pytest.approx(15.45e6)
    assert k["metrics"]["launch__registers_per_thread"] == 20
    assert kernels[0]["metrics"]["dram__bytes.sum"] == pytest.approx(3.02e6)
    assert kernels[1]["metrics"]["dram__bytes.sum"] == pytest.approx(248.58e3)
    rows = gk.kernel_rows(kernels, copy_gbps=2958.0)
    assert rows[2]["gbps"] == pytest.approx(15.45e6 / 14.05e-3 / 1e9)
    assert rows[2]["pct_copy"] == pytest.approx(100 * rows[2]["gbps"] / 2958)
    assert sum(r["pct_time"] for r in rows) == pytest.approx(100)
    assert rows[2]["pct_time"] > 95
    table = "\n".join(gk.cell_table("acm rgcn", rows))
    assert "9 kernels" in table and "| 2 | rgcn_kernel | 320x1x1 | 64x1x1 |" \
        in table


def test_gpu_kernels_rejects_unknown_units():
    gk = bench_module("gpu_kernels")
    text = ("  k (1, 1, 1)x(32, 1, 1), Context 1, Stream 7, Device 0, CC 9.0\n"
            "    dram__bytes.sum                        Pbyte         3.02\n")
    with pytest.raises(ValueError, match="unknown unit 'Pbyte'"):
        gk.parse_ncu(text)


def test_gpu_kernels_cli():
    p = run("gpu_kernels", "--datasets", "nope")
    assert p.returncode == 2 and "unknown dataset 'nope'" in p.stderr
    p = run("gpu_kernels", "--configs", "gcn")
    assert p.returncode == 2 and "unknown config" in p.stderr
    gk = bench_module("gpu_kernels")
    if gk.requirements(gk.find_ncu()) is not None:
        p = run("gpu_kernels", "--no-write")
        assert p.returncode == 2 and "needs a GPU" in p.stderr
