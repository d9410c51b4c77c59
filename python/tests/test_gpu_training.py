"""hector.nn's layers trained on a CUDA device, against the float64
reference.

``RGCNConv``, ``RGATConv`` (4 heads) and ``HGTConv`` (4 heads) at 64 -> 64
on AIFB, FB15k-237, ACM and DBLP, moved to the GPU with ``.cuda()``: their
forward and combined backward (``rgnn-autodiff``, lowered by
``hector-lower-to-ptx``: weight gradients in the tiled outer GEMM) run on
the CUDA tensors' device pointers with every result poisoned (every
element must be written). The output must be within relative error 1e-5
and every gradient (input features and each parameter) within 1e-4 of
:func:`hector.testing.module_reference` evaluated in float64 with autograd
on the CPU, for fresh random features, parameters and output gradient (the
seed is in the failure message).

Models come from ``$HECTOR_ARTIFACTS`` when it is set (the ``autodiff``
specs of hector.gpu_artifacts), else are compiled. Without a usable GPU
(and torch with CUDA) the GPU tests skip with the reason; the test that
the artifacts hold exactly the IR hector.nn builds runs anywhere.
"""

import pytest
import torch

from hector import gpu_artifacts as ga
from hector import nn as hnn
from hector import runtime
from hector import torch_reference as tr
from hector.testing import fresh_seed, module_reference, rel_err

OUT_TOL = 1e-5
GRAD_TOL = 1e-4
DIM = 64

_ok, _why = runtime.cuda_available()
if _ok and not torch.cuda.is_available():
    _ok, _why = False, f"torch {torch.__version__} has no CUDA"
needs_gpu = pytest.mark.skipif(not _ok, reason=f"no usable GPU: {_why}")

_graphs = {}


def graphs(dataset):
    """(data, hector.nn.Graph, torch reference graph), once per session."""
    if dataset not in _graphs:
        data = ga.load_graph(dataset)
        _graphs[dataset] = (data, hnn.Graph(data), tr.Graph(data))
    return _graphs[dataset]


@pytest.mark.parametrize("dataset", ga.REAL + ga.LARGE)
def test_artifacts_hold_what_nn_compiles(dataset):
    # A GPU machine has no MLIR: hector.nn finds its precompiled layers by
    # the key of the IR it builds, which must be the artifacts' IR
    # (bench/gpu_training.py trains on the synthetic graphs at full scale;
    # their schema does not depend on the scale).
    if dataset in ga.LARGE:
        g = hnn.Graph(ga.load_graph(dataset, scale=2e-4))
    else:
        _, g, _ = graphs(dataset)
    specs = [s for s in ga.SPECS if s.autodiff and s.schema == dataset]
    assert {(s.model, s.heads, s.frozen) for s in specs} == {
        (m, h, f) for m, h in ga.TRAINING for f in (False, True)}
    for s in specs:
        text, name, names = hnn.benchmark_layer(s.model, g, DIM,
                                                s.heads)._build(g)
        assert name == s.model.split("-")[0]
        assert (s.in_dim, s.out_dim) == (DIM, DIM)
        assert text == ga.spec_text(s), (
            f"{s.model} on {dataset}: hector.nn builds other IR than the "
            f"artifacts hold")
        # ... and looks it up with the options the artifacts were built with
        # (with frozen features, those of the backward for the parameters:
        # wrt= naming every input after the features, which loading the
        # artifact checks against the library: test_gpu_correctness's
        # manifest test).
        assert len(names) == len(ga.frozen_wrt(s)) + 1
        extra = ("wrt=" + ",".join(map(str, ga.frozen_wrt(s)))
                 if s.frozen else "")
        assert hnn._cuda_options(s.chip, None, extra) == s.options


@needs_gpu
@pytest.mark.parametrize("frozen", [False, True],
                         ids=["features-grad", "frozen-features"])
@pytest.mark.parametrize("model,heads", ga.TRAINING,
                         ids=[m for m, _ in ga.TRAINING])
@pytest.mark.parametrize("dataset", ga.REAL)
def test_gpu_training_step_matches_float64(monkeypatch, dataset, model,
                                           heads, frozen):
    # frozen: the features need no gradient (a first layer's), so hector.nn
    # runs the backward compiled with wrt= for the parameters only, which
    # must come from the artifacts, not fall back to the combined one.
    monkeypatch.setattr(hnn, "POISON", True)
    data, g, ref_graph = graphs(dataset)
    seed = fresh_seed()
    torch.manual_seed(seed)
    layer = hnn.benchmark_layer(model, g, DIM, heads).cuda()
    with torch.no_grad():  # no zero bias: its gradient path is tested too
        for p in layer.parameters():
            p.add_(0.1 * torch.randn_like(p))
    x = torch.randn(g.num_nodes, DIM, device="cuda",
                    requires_grad=not frozen)
    y = layer(x, g)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    assert y.device.type == "cuda"
    if frozen:
        assert x.grad is None
        compiled = next(iter(layer._compiled.values()))
        partial = list(compiled._partial.values())
        assert len(partial) == 1 and partial[0][1] == compiled.wrt[1:], (
            "the parameters-only backward was not found in the artifacts")
    else:
        assert x.grad.device.type == "cuda"

    params = {k: v.detach().cpu().double().requires_grad_()
              for k, v in layer.named_parameters()}
    x64 = x.detach().cpu().double().requires_grad_(not frozen)
    y64 = module_reference(layer, ref_graph, x64, params)
    (y64 * dy.cpu().double()).sum().backward()

    where = f"{model} on {dataset} (seed {seed})"
    err = rel_err(y.detach().cpu().double(), y64.detach())
    assert err < OUT_TOL, f"{where}: output relative error {err:.3e}"
    pairs = [] if frozen else [("x", x.grad, x64.grad)]
    pairs += [(k, v.grad, params[k].grad)
              for k, v in layer.named_parameters()]
    for name, got, want in pairs:
        assert got is not None, f"{where}: no gradient for {name}"
        err = rel_err(got.cpu().double(), want)
        assert err < GRAD_TOL, (f"{where}: d/d{name} relative error "
                                f"{err:.3e}")
