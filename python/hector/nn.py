"""PyTorch modules whose forward and backward run Hector's compiled code.

Each layer builds its rgnn function (:mod:`hector.models`), compiles it with
``rgnn-autodiff`` (the combined backward ``f__backward``) for the schema of
the graph it is first called on, and runs both directions through a
``torch.autograd.Function``: the forward calls the compiled ``f``, the
backward calls ``f__backward`` once for the gradients autograd asks for
(when some float inputs need none, such as a first layer's features, it is
compiled again for the others only: rgnn-autodiff's ``wrt=``).
Tensors are handed to the compiled code as views of their storage (no
copies for contiguous float32 CPU tensors); results are written straight
into new torch tensors.

    import torch
    from hector import nn as hnn
    from hector.data import load_dataset

    g = hnn.Graph(load_dataset("aifb"))              # prepared once
    conv1 = hnn.RGCNConv(g.num_nodes, 16, g.num_relations)  # no features
    conv2 = hnn.RGCNConv(16, 4, g.num_relations)
    logits = conv2(torch.relu(conv1(None, g)), g)

The constructors take PyTorch Geometric's arguments where the function is
the same (``RGCNConv(in_channels, out_channels, num_relations,
num_bases=None, num_blocks=None, aggr="mean", root_weight=True,
bias=True)``, ``RGATConv(..., heads, concat)``, ``x=None``
for a featureless first layer), and the layers also accept PyG's call
``conv(x, edge_index, edge_type)``; see each class for what differs.

The layers run where their inputs are: on the CPU, or on a CUDA device
(torch 2.x), where the function and its backward are compiled for the
device's chip (``hector-lower-to-ptx``, or loaded precompiled from
``$HECTOR_ARTIFACTS``, :func:`hector.gpu_artifacts.load_module`) and run on
the tensors' device pointers.  Torch's pending work is synchronized before
each call and the call ends with a device synchronization.
"""

from __future__ import annotations

import math
import numbers
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from . import models, prep, runtime
from .compiler import compile_module_info

__all__ = ["Graph", "RGCNConv", "RGATConv", "HGTConv", "POISON",
           "benchmark_layer"]

#: When True, every result (forward and gradients) is filled with a NaN
#: pattern before the compiled call and checked afterwards: an element the
#: compiled code did not write raises :class:`hector.runtime.ModelError`.
#: The tests turn it on; it costs a fill and a scan per call.
POISON = False

#: The pipeline options layers compile with unless given ``options``: no
#: SENSEi variants (``rgnn-reassociate``), since they multiply compile time
#: (each function and its backward gets its variants).
#: ``options="reassociate=true"`` turns them back on.
DEFAULT_OPTIONS = "reassociate=false"

#: How the backward gets the forward's values (rgnn-autodiff's
#: ``forward-values``) unless ``options`` names it: ``saved`` runs
#: ``f__forward``, which also returns the values the backward reads that
#: are cheap to keep (node values, attention scores and weights), when a
#: gradient is needed; ``recomputed`` recomputes them in the backward.
FORWARD_VALUES = "saved"


class Graph:
    """A graph prepared once for Hector's layers.

    ``Graph(hetero_graph)`` takes a :class:`hector.graph.HeteroGraph` (any
    loader's result; its canonical edge types, if any, become the schema's
    triples).  ``Graph(edge_index=..., edge_type=..., num_nodes=...)`` takes
    PyG-style tensors (``edge_index`` [2, E], row 0 the sources), with
    optional ``node_type`` [N] and ``triples`` ((src type, relation, dst
    type) per relation).  ``num_relations`` defaults to ``max(edge_type) +
    1``.  Invalid ids raise :class:`hector.errors.DataFormatError` naming the
    array."""

    def __init__(self, graph=None, *, edge_index=None, edge_type=None,
                 num_nodes: Optional[int] = None,
                 num_relations: Optional[int] = None, node_type=None,
                 num_node_types: Optional[int] = None, triples=None):
        if graph is not None:
            if edge_index is not None or edge_type is not None:
                raise ValueError("Graph takes a graph or edge_index/"
                                 "edge_type, not both")
            self.prepared = prep.prepare(graph)
            T, R, triples = runtime.schema_of(graph)
            self._names = (list(graph.ntype_names), list(graph.etype_names))
        else:
            if edge_index is None or edge_type is None or num_nodes is None:
                raise ValueError("Graph needs a graph, or edge_index, "
                                 "edge_type and num_nodes")
            ei = _index_numpy(edge_index, "edge_index")
            if ei.ndim != 2 or ei.shape[0] != 2:
                raise ValueError(f"edge_index must have shape [2, E], got "
                                 f"{tuple(ei.shape)}")
            et = _index_numpy(edge_type, "edge_type")
            nt = None if node_type is None else _index_numpy(node_type,
                                                             "node_type")
            if num_relations is None:
                num_relations = int(et.max()) + 1 if et.size else 0
            self.prepared = prep.prepare_arrays(
                _count("num_nodes", num_nodes), ei[0], ei[1], et,
                _count("num_relations", num_relations), nt,
                None if num_node_types is None else _count(
                    "num_node_types", num_node_types))
            T = self.prepared.num_node_types
            R = int(num_relations)
            self._names = None
        self.num_node_types, self.num_relations = int(T), int(R)
        self.triples = None if triples is None else [
            tuple(int(v) for v in t) for t in triples]
        self.num_nodes = self.prepared.num_nodes
        self.num_edges = self.prepared.num_edges
        self._bound: Dict[Tuple[int, str], runtime.BoundFunction] = {}
        self._pairs: Optional[Tuple[torch.Tensor, torch.Tensor]] = None

    @property
    def schema(self):
        """``(num_node_types, num_relations, triples or None)``."""
        return self.num_node_types, self.num_relations, self.triples

    def metadata(self):
        """PyG-style ``(node_types, edge_types)`` for :class:`HGTConv`: the
        loader's node-type and relation names (``t<i>``, ``r<i>`` for a
        graph made from tensors), edge types ``(src type, relation, dst
        type)`` from the triples (every relation between type 0 and itself
        when the graph has one node type and no triples)."""
        T, R, triples = self.schema
        if triples is None:
            if T != 1:
                raise ValueError("metadata() needs the graph's (src type, "
                                 "relation, dst type) triples")
            triples = [(0, r, 0) for r in range(R)]
        types, rels = self._names or ([f"t{t}" for t in range(T)],
                                      [f"r{r}" for r in range(R)])
        return list(types), [(types[s], rels[r], types[d])
                             for s, r, d in triples]

    def src_rel_pairs(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(relation, source node)`` of each unique (source, relation)
        pair, in the order of the ``src_rel`` domain (int64 tensors)."""
        if self._pairs is None:
            p = self.prepared
            counts = np.diff(p.unique_src_offsets)
            rel = np.repeat(np.arange(self.num_relations), counts)
            self._pairs = (torch.from_numpy(rel.astype(np.int64)),
                           torch.from_numpy(
                               p.unique_src_nodes.astype(np.int64)))
        return self._pairs

    def bind(self, function: runtime.Function) -> runtime.BoundFunction:
        """``function`` bound to this graph (cached)."""
        key = (id(function.model), function.name)
        bound = self._bound.get(key)
        if bound is None:
            bound = self._bound[key] = function.bind(self.prepared)
        return bound

    def __repr__(self):
        return (f"Graph(num_nodes={self.num_nodes}, num_edges="
                f"{self.num_edges}, num_relations={self.num_relations}, "
                f"num_node_types={self.num_node_types})")


def _index_numpy(t, name: str) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        if t.is_floating_point() or t.is_complex():
            raise TypeError(f"{name} must hold integers, got {t.dtype}")
        return t.detach().cpu().numpy()
    return np.asarray(t)


def _count(name: str, value) -> int:
    """``value`` as an int; a TypeError naming ``name`` unless it is an
    integer (a count that int() would truncate is a mistake)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Graph: {name} must be an integer, got {value!r}")
    return int(value)


def _checked(t: torch.Tensor, what: str, device: torch.device
             ) -> torch.Tensor:
    """``t`` detached and contiguous (a copy only if it is not), after
    checking that it is a float32 tensor on ``device``."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{what} must be a torch.Tensor, got "
                        f"{type(t).__name__}")
    if t.device != device:
        raise RuntimeError(f"{what} is on {t.device}, the layer's other "
                           f"inputs on {device}")
    if t.dtype != torch.float32:
        raise TypeError(f"{what} is {t.dtype}; Hector's layers compute in "
                        f"float32")
    return t.detach().contiguous()


def _device_of(inputs: Sequence[torch.Tensor], layer: str) -> torch.device:
    """The device the layer runs on: its inputs'. CUDA needs device 0 (the
    runtime's) and compute capability 8.0 or later."""
    device = inputs[0].device
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        raise RuntimeError(f"{layer}: inputs on {device}; Hector's layers "
                           f"run on the CPU or a CUDA device")
    if (device.index or 0) != 0:
        raise RuntimeError(f"{layer}: inputs on {device}; Hector's CUDA "
                           f"runtime uses device 0")
    return torch.device("cuda", 0)


def _cuda_chip(device: torch.device) -> str:
    """The chip to compile for: sm_90 on Hopper and later, else sm_80 (PTX
    the driver compiles for any later device)."""
    major, minor = torch.cuda.get_device_capability(device)
    if major < 8:
        raise RuntimeError(f"{device} has compute capability {major}."
                           f"{minor}; Hector's kernels need 8.0 or later")
    return "sm_90" if major >= 9 else "sm_80"


class _TorchBuffer:
    """What :meth:`hector.runtime.BoundFunction._call` reads of a buffer."""

    dtype = np.dtype(np.float32)

    def __init__(self, t: torch.Tensor):
        self.size = t.numel()


def _forward_values(options: Optional[str]) -> Optional[str]:
    """FORWARD_VALUES, unless the layer's ``options`` name forward-values
    themselves (then None)."""
    return None if options and "forward-values" in options else FORWARD_VALUES


def _cuda_options(chip: str, options: Optional[str], extra: str = "") -> str:
    """The pipeline options of a layer compiled for CUDA ``chip`` with the
    layer's ``options`` and ``extra``: precompiled artifacts are found by
    them (hector.gpu_artifacts' training specs must use the same)."""
    from . import gpu_artifacts
    opts = gpu_artifacts.options_text(chip, autodiff=True,
                                      forward_values=_forward_values(options))
    return " ".join(o for o in (opts, options, extra) if o)


class _Compiled:
    """One compiled rgnn module: the forward function and its combined
    backward, which returns the gradient of every float input at once, and
    (compiled when first asked for) backwards for some of those inputs
    only."""

    def __init__(self, text: str, name: str, input_names: Sequence[str],
                 options: Optional[str], device: torch.device):
        self._text, self._options, self._device = text, options, device
        self.name = name
        self.input_names = list(input_names)
        self.model = self._load("")
        #: The layer's function, and the one to run when a gradient will be
        #: needed: ``f__forward`` (with ``forward-values=saved``) also
        #: returns the values ``backward`` takes after the inputs.
        self.forward = self._function(self.model, name)
        names = {f.name for f in self.model.functions}
        self.training_forward = self.forward
        if f"{name}__forward" in names:
            self.training_forward = self._function(self.model,
                                                   f"{name}__forward")
        self.num_saved = len(self.training_forward.results) - 1
        self.backward = self._function(self.model, f"{name}__backward")
        #: The inputs ``backward``'s results are the gradients of, in order
        #: (rgnn-autodiff differentiates every float argument).
        self.wrt = [k for k, a in enumerate(self.forward.inputs)
                    if a.dtype.kind == "f"]
        if len(self.wrt) != len(self.backward.results):
            raise runtime.ModelError(
                f"{name}__backward returns {len(self.backward.results)} "
                f"gradients for {len(self.wrt)} float inputs",
                "internal error")
        self._partial: Dict[Tuple[int, ...],
                            Tuple[runtime.Function, List[int]]] = {}

    def _load(self, extra: str) -> runtime.Model:
        """The module compiled with pipeline options ``extra`` added."""
        if self._device.type == "cuda":
            from . import gpu_artifacts
            return gpu_artifacts.load_module(
                text=self._text, options=_cuda_options(
                    _cuda_chip(self._device), self._options, extra))
        opts = "autodiff=true gradients=combined " + (
            DEFAULT_OPTIONS if self._options is None else self._options)
        if _forward_values(self._options):
            opts += f" forward-values={FORWARD_VALUES}"
        return runtime.load(compile_module_info(
            self._text, "cpu", options=(opts + " " + extra).strip()).path)

    def _function(self, model: runtime.Model, name: str) -> runtime.Function:
        fn = model.function(name)
        # A backward's inputs: the layer's, the saved values, dy.
        extra = len(fn.inputs) - len(self.input_names)
        fn.set_input_names(self.input_names[:len(fn.inputs)]
                           + [f"saved{k}" for k in range(extra - 1)]
                           + ["dy"] * min(extra, 1))
        return fn

    def backward_for(self, needed: Sequence[bool]
                     ) -> Tuple[runtime.Function, List[int]]:
        """A backward function that computes (at least) the gradients of
        the inputs ``needed`` marks, and the inputs its results are the
        gradients of. When some float inputs need none (a first layer's
        features), the module is compiled again with rgnn-autodiff's
        ``wrt=``, which leaves their gradients' work out; on CUDA from
        precompiled artifacts, which hold only the combined backward, that
        one is used."""
        want = tuple(k for k in self.wrt if needed[k])
        if len(want) == len(self.wrt):
            return self.backward, self.wrt
        found = self._partial.get(want)
        if found is None:
            from . import gpu_artifacts
            indices = ",".join(str(self.forward.inputs[k].index)
                               for k in want)
            try:
                model = self._load(f"wrt={indices}")
                found = (self._function(model, f"{self.name}__backward"),
                         list(want))
            except gpu_artifacts.ArtifactMissing:
                found = (self.backward, self.wrt)
            self._partial[want] = found
        return found


def _run(graph: Graph, fn: runtime.Function,
         tensors: Sequence[torch.Tensor], layer: str) -> List[torch.Tensor]:
    """Every result of ``fn`` on ``tensors``, as new torch tensors on the
    tensors' device."""
    bound = graph.bind(fn)
    device = _device_of(tensors, layer)
    views = []
    for t, arg, want in zip(tensors, fn.inputs, bound.input_shapes):
        v = _checked(t, f"{layer}: {arg.name}", device)
        if tuple(v.shape) != tuple(want):
            raise ValueError(f"{layer}: {arg.name} has shape "
                             f"{tuple(v.shape)}, expected {tuple(want)} on "
                             f"this graph")
        views.append(v)
    outs = [torch.empty(shape, dtype=torch.float32, device=device)
            for shape in bound.result_shapes]
    if device.type == "cpu":
        bound.run_all([v.numpy() for v in views], poison=POISON,
                      outs=[o.numpy() for o in outs])
        return outs
    # On the device: its pointers, after torch's pending work.
    if POISON:
        for o in outs:
            o.view(torch.int32).fill_(runtime.POISON_F32)
    torch.cuda.synchronize(device)
    bound._call([(v.data_ptr(), _TorchBuffer(v)) for v in views],
                [(o.data_ptr(), _TorchBuffer(o)) for o in outs],
                runtime.RUN_DEVICE_POINTERS)
    if POISON:
        # The runtime's own check, on a host copy (a test-only path).
        pattern = np.uint32(runtime.POISON_F32)
        for o in outs:
            bound._check_poison(o.cpu().numpy(), pattern)
    return outs


class _Apply(torch.autograd.Function):
    """``compiled.forward(graph, *inputs)`` with the generated gradients as
    its backward."""

    @staticmethod
    def forward(ctx, compiled: _Compiled, graph: Graph, layer: str,
                *inputs):
        ctx.compiled, ctx.graph, ctx.layer = compiled, graph, layer
        y, *saved = _run(graph, compiled.training_forward, inputs, layer)
        ctx.num_inputs = len(inputs)
        ctx.save_for_backward(*inputs, *saved)
        return y

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, dy):
        inputs = ctx.saved_tensors[:ctx.num_inputs]
        grads: List[Optional[torch.Tensor]] = [None] * len(inputs)
        needed = ctx.needs_input_grad[3:]
        if any(needed):
            # One call computes the gradients asked for, from the saved
            # forward values (the others are recomputed once).
            fn, wrt = ctx.compiled.backward_for(needed)
            computed = _run(ctx.graph, fn,
                            list(ctx.saved_tensors) + [dy.contiguous()],
                            ctx.layer + " (backward)")
            for i, g in zip(wrt, computed):
                if needed[i]:
                    grads[i] = g
        return (None, None, None, *grads)


def _param(*shape: int) -> torch.Tensor:
    """An uninitialised float32 parameter tensor (whatever torch's default
    dtype: the compiled code computes in float32)."""
    return torch.empty(*shape, dtype=torch.float32)


def _glorot(t: torch.Tensor) -> None:
    """PyG's ``glorot``: uniform in +-sqrt(6 / (fan_in + fan_out)) over the
    last two dimensions."""
    bound = math.sqrt(6.0 / (t.size(-2) + t.size(-1)))
    torch.nn.init.uniform_(t, -bound, bound)


def _check_sizes(layer: str, **sizes) -> None:
    """A ValueError naming ``layer`` and the first of ``sizes`` (None: not
    given) that is not a positive integer: torch would otherwise fail later,
    or make empty parameters, with a message that names neither."""
    for name, value in sizes.items():
        if value is not None:
            try:
                models.check_positive(name, value)
            except ValueError as e:
                raise ValueError(f"{layer}: {e}") from None


class _HectorLayer(torch.nn.Module):
    """Compiles its rgnn function per graph schema and applies it."""

    def __init__(self, options: Optional[str]):
        super().__init__()
        self.options = options
        self._compiled: Dict[tuple, _Compiled] = {}
        self._pyg_graph: Optional[Tuple[tuple, Graph]] = None

    def _build(self, graph: Graph, *variant) -> Tuple[str, str, List[str]]:
        """(IR text, function name, input names) for ``graph``'s schema and
        the layer's ``variant`` (what else selects the function)."""
        raise NotImplementedError

    def compiled(self, graph: Graph, variant: tuple = (),
                 device: torch.device = torch.device("cpu")) -> _Compiled:
        """The compiled function for ``graph`` on ``device`` (compiled on
        first use)."""
        key = (graph.schema[0], graph.schema[1],
               None if graph.triples is None else tuple(graph.triples),
               variant, device.type)
        c = self._compiled.get(key)
        if c is None:
            text, name, names = self._build(graph, *variant)
            c = self._compiled[key] = _Compiled(text, name, names,
                                                self.options, device)
        return c

    def _graph(self, graph, edge_type, num_nodes: int) -> Graph:
        """A :class:`Graph` as given, or one from PyG's ``edge_index`` and
        ``edge_type`` (prepared once and reused while those tensors are
        unchanged)."""
        if isinstance(graph, Graph):
            if edge_type is not None:
                raise ValueError(f"{type(self).__name__}: edge_type is "
                                 f"only taken with an edge_index")
            return graph
        if edge_type is None:
            raise TypeError(f"{type(self).__name__} takes a hector.nn.Graph "
                            f"or (edge_index, edge_type)")
        key = tuple((t.data_ptr(), t._version, tuple(t.shape))
                    for t in (graph, edge_type)) + (num_nodes,)
        if self._pyg_graph is None or self._pyg_graph[0] != key:
            self._pyg_graph = (key, Graph(
                edge_index=graph, edge_type=edge_type, num_nodes=num_nodes,
                num_relations=getattr(self, "num_relations", None)))
        return self._pyg_graph[1]

    def _apply_compiled(self, graph: Graph, inputs: Sequence[torch.Tensor],
                        variant: tuple = ()) -> torch.Tensor:
        device = _device_of(inputs, type(self).__name__)
        compiled = self.compiled(graph, variant, device)
        if not (torch.is_grad_enabled()
                and any(t.requires_grad for t in inputs)):
            # No gradient: the plain forward, which saves nothing.
            return _run(graph, compiled.forward, inputs,
                        type(self).__name__)[0]
        return _Apply.apply(compiled, graph, type(self).__name__, *inputs)


def _check_schema(layer: str, graph: Graph, num_relations: int) -> None:
    if graph.num_relations != num_relations:
        raise ValueError(f"{layer} was built for {num_relations} relations; "
                         f"the graph has {graph.num_relations}")


class RGCNConv(_HectorLayer):
    """PyG's ``RGCNConv``, run by Hector: with the defaults

    ``h'_i = h_i W_root + sum_r mean_{j in N_r(i)} h_j W_r + b``;

    ``aggr="add"`` (or ``"sum"``) sums each relation's messages instead of
    averaging them, ``aggr="max"`` takes ``sum_r (max_{j in N_r(i)} h_j)
    W_r`` (the elementwise maximum before the transform; 0 where a node
    has no edges of relation r; the gradient of tied maxima split evenly,
    as torch's ``amax``), ``root_weight=False`` drops ``h_i W_root`` and
    ``bias=False`` drops ``b``, as in PyG.

    Parameters as PyG's: ``weight`` [R, in, out] (with ``num_bases``:
    ``weight`` [B, in, out] and ``comp`` [R, B], ``W_r = sum_b comp_rb
    weight_b``; with ``num_blocks``: ``weight`` [R, B, in/B, out/B], ``W_r``
    block-diagonal with blocks ``weight[r, b]``; either formed in torch as
    the dense [R, in, out] the compiled layer reads, so a block-diagonal
    ``W_r`` costs the FLOPs of a dense one), ``root`` [in, out], ``bias``
    [out]; Glorot initialisation, zero bias.

    ``forward(x, graph)`` with a :class:`Graph`, or PyG's ``forward(x,
    edge_index, edge_type)``.  ``x=None`` is the featureless layer of the
    R-GCN paper (``in_channels`` is then the number of nodes, and the input
    is the identity): only the rows of ``W_r`` at the graph's unique
    (source, relation) pairs are read, through a gather, and no identity
    matrix is formed.

    Not supported (a ``ValueError``): other ``aggr`` values and
    aggregation modules, and ``x`` as node indices; as in PyG,
    ``num_bases`` with ``num_blocks``, and ``num_blocks`` without
    features.  ``options`` are the CPU pipeline's options (for example
    ``"compact=false"``)."""

    def __init__(self, in_channels: int, out_channels: int,
                 num_relations: int, num_bases: Optional[int] = None,
                 num_blocks: Optional[int] = None, aggr: str = "mean",
                 root_weight: bool = True, bias: bool = True,
                 options: Optional[str] = None):
        super().__init__(options)
        _check_sizes("RGCNConv", in_channels=in_channels,
                     out_channels=out_channels, num_relations=num_relations,
                     num_bases=num_bases, num_blocks=num_blocks)
        if aggr not in models.RGCN_AGGRS:
            raise ValueError(f"hector.nn.RGCNConv supports aggr in "
                             f"{models.RGCN_AGGRS}, got {aggr!r}")
        if num_bases is not None and num_blocks is not None:
            raise ValueError("RGCNConv: num_bases and num_blocks cannot be "
                             "used together (as in PyG)")
        if num_blocks is not None and (
                in_channels % num_blocks
                or out_channels % num_blocks):
            raise ValueError(f"RGCNConv: num_blocks ({num_blocks}) must "
                             f"divide in_channels ({in_channels}) and "
                             f"out_channels ({out_channels})")
        models.check_rgcn_options(aggr, root_weight, bias)
        self.aggr = aggr
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_relations, self.num_bases = num_relations, num_bases
        self.num_blocks = num_blocks
        if num_blocks is not None:
            self.weight = torch.nn.Parameter(_param(
                num_relations, num_blocks, in_channels // num_blocks,
                out_channels // num_blocks))
            self.register_parameter("comp", None)
        elif num_bases is not None:
            self.weight = torch.nn.Parameter(
                _param(num_bases, in_channels, out_channels))
            self.comp = torch.nn.Parameter(
                _param(num_relations, num_bases))
        else:
            self.weight = torch.nn.Parameter(
                _param(num_relations, in_channels, out_channels))
            self.register_parameter("comp", None)
        self.root = (torch.nn.Parameter(_param(in_channels, out_channels))
                     if root_weight else None)
        self.bias = (torch.nn.Parameter(_param(out_channels)) if bias
                     else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _glorot(self.weight)
        if self.comp is not None:
            _glorot(self.comp)
        if self.root is not None:
            _glorot(self.root)
        if self.bias is not None:
            torch.nn.init.zeros_(self.bias)

    def _build(self, graph: Graph, featureless: bool = False):
        T, R, triples = graph.schema
        flags = dict(root_weight=self.root is not None,
                     bias=self.bias is not None)
        if featureless:
            return (models.rgcn_featureless(R, T, self.out_channels, triples,
                                            self.aggr, **flags),
                    "rgcn_featureless",
                    [a.name for a in models.featureless_args(1, **flags)])
        return (models.rgcn(R, T, self.in_channels, self.out_channels,
                            triples, aggr=self.aggr, **flags), "rgcn",
                [a.name for a in models.signature(
                    "rgcn", self.in_channels, self.out_channels, **flags)])

    def _extra_inputs(self) -> List[torch.Tensor]:
        """``root`` and ``bias``, those the layer has (the compiled
        function's trailing arguments)."""
        return [p for p in (self.root, self.bias) if p is not None]

    def _relation_weights(self) -> torch.Tensor:
        """The dense [R, in, out] weights (autograd carries their gradient
        back to a decomposition's parameters)."""
        if self.num_blocks is not None:
            # W_r[b*i + k, c*o + l] = weight[r, b, k, l] if b == c else 0.
            R, B, i, o = self.weight.shape
            eye = torch.eye(B, dtype=self.weight.dtype,
                            device=self.weight.device)
            return torch.einsum("rbkl,bc->rbkcl", self.weight,
                                eye).reshape(R, B * i, B * o)
        if self.comp is None:
            return self.weight
        return torch.einsum("rb,bio->rio", self.comp, self.weight)

    def forward(self, x: Optional[torch.Tensor], graph, edge_type=None
                ) -> torch.Tensor:
        num_nodes = self.in_channels if x is None else x.size(0)
        g = self._graph(graph, edge_type, num_nodes)
        _check_schema("RGCNConv", g, self.num_relations)
        if x is None:
            if self.num_blocks is not None:
                raise ValueError("RGCNConv: num_blocks needs input "
                                 "features (x=None is the featureless "
                                 "layer; as in PyG)")
            if g.num_nodes != self.in_channels:
                raise ValueError(f"RGCNConv without features needs "
                                 f"in_channels = number of nodes "
                                 f"({g.num_nodes}), got {self.in_channels}")
            rel, src = g.src_rel_pairs()
            if self.comp is None:
                pairs = self.weight[rel, src]
            else:
                pairs = torch.einsum("pb,bpo->po", self.comp[rel],
                                     self.weight[:, src])
            return self._apply_compiled(g, [pairs] + self._extra_inputs(),
                                        variant=(True,))
        if x.dim() != 2 or x.size(1) != self.in_channels:
            raise ValueError(f"RGCNConv: x has shape {tuple(x.shape)}, "
                             f"expected [num_nodes, {self.in_channels}]")
        return self._apply_compiled(
            g, [x, self._relation_weights()] + self._extra_inputs())

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, "
                f"num_relations={self.num_relations}"
                + (f", num_bases={self.num_bases}" if self.num_bases else "")
                + (f", num_blocks={self.num_blocks}" if self.num_blocks
                   else "")
                + models.rgcn_options_text(self.aggr, self.root is not None,
                                            self.bias is not None))


class RGATConv(_HectorLayer):
    """Relational graph attention with across-relation softmax, run by
    Hector (``examples/models/rgat.mlir``): per head,

    ``z_j = h_j W_r``, ``s_e = LeakyReLU_0.2(a_r . [h_i W_r || z_j])``,
    ``alpha = softmax over all incoming edges of i``,
    ``h'_i = concat_heads sum_e alpha_e z_j (+ bias)``, or with
    ``concat=False`` the mean over the heads (+ bias [out]), as PyG.

    PyG's arguments where the meaning is the same: ``in_channels``,
    ``out_channels`` (per head), ``num_relations``, ``heads``,
    ``negative_slope`` (0.2 only), ``concat``, ``bias``.  The
    attention differs from PyG's ``RGATConv``, whose logits ``q_i . Q +
    k_j . K`` share ``Q, K`` across relations and mix the heads: here each
    (relation, head) has its own vector ``attn`` [R, H, 2 out].  Parameters:
    ``weight`` [R, H, in, out] (Glorot), ``attn`` (Glorot), ``bias``
    [H out], or [out] without ``concat`` (zeros).  The mean over heads
    is taken in torch, on the compiled layer's [N, H out] result."""

    def __init__(self, in_channels: int, out_channels: int,
                 num_relations: int, heads: int = 1,
                 negative_slope: float = 0.2, concat: bool = True,
                 bias: bool = True, options: Optional[str] = None):
        super().__init__(options)
        _check_sizes("RGATConv", in_channels=in_channels,
                     out_channels=out_channels, num_relations=num_relations,
                     heads=heads)
        if negative_slope != 0.2:
            raise ValueError("hector.nn.RGATConv supports only "
                             "negative_slope=0.2 so far")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_relations, self.heads = num_relations, heads
        self.concat = bool(concat)
        self.weight = torch.nn.Parameter(
            _param(num_relations, heads, in_channels, out_channels))
        self.attn = torch.nn.Parameter(
            _param(num_relations, heads, 2 * out_channels))
        self.bias = (torch.nn.Parameter(_param(
            heads * out_channels if self.concat else out_channels))
            if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _glorot(self.weight)
        _glorot(self.attn)
        if self.bias is not None:
            torch.nn.init.zeros_(self.bias)

    def _build(self, graph: Graph):
        T, R, triples = graph.schema
        out = self.heads * self.out_channels
        return (models.rgat(R, T, self.in_channels, out, triples, self.heads),
                "rgat", [a.name for a in models.signature(
                    "rgat", self.in_channels, out, self.heads)])

    def forward(self, x: torch.Tensor, graph, edge_type=None) -> torch.Tensor:
        g = self._graph(graph, edge_type, x.size(0))
        _check_schema("RGATConv", g, self.num_relations)
        y = self._apply_compiled(g, [x, self.weight, self.attn])
        if not self.concat:
            y = y.view(y.size(0), self.heads, self.out_channels).mean(1)
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, "
                f"num_relations={self.num_relations}, heads={self.heads}"
                + ("" if self.concat else ", concat=False"))


class HGTConv(_HectorLayer):
    """PyG's ``HGTConv(in_channels, out_channels, metadata, heads)``, run by
    Hector (``examples/models/hgt.mlir``): per-node-type K/Q/V projections,
    per-relation per-head ``A_r``/``M_r`` and prior ``mu_r``, softmax of
    ``(q_i . k_e) mu_r / sqrt(d)`` over incoming edges, gelu, output
    projection per node type, and (when ``in_channels == out_channels``)
    the gated skip ``beta y + (1 - beta) h``, ``beta = sigmoid(skip)``.

    ``metadata`` is ``(node_types, edge_types)`` as in PyG: node type names
    and ``(src type, relation, dst type)`` triples, relation ``r`` being
    ``edge_types[r]``.  ``forward(x, graph)`` takes the nodes in the
    graph's global numbering (``x`` [N, in]) and a :class:`Graph` whose
    node types and relations match ``metadata``; PyG's dict inputs are not
    taken.  Parameters (stacked per node type or relation): ``w_k``,
    ``w_q``, ``w_v`` [T, in, out], ``b_k``, ``b_q``, ``b_v`` [T, out],
    ``a_rel``, ``m_rel`` [R, H, d, d], ``mu`` [R, H], ``w_out`` [T, out,
    out], ``b_out`` [T, out], ``skip`` [T]."""

    def __init__(self, in_channels: int, out_channels: int, metadata,
                 heads: int = 1, options: Optional[str] = None):
        super().__init__(options)
        _check_sizes("HGTConv", in_channels=in_channels,
                     out_channels=out_channels, heads=heads)
        if out_channels % heads:
            raise ValueError(f"out_channels ({out_channels}) must be "
                             f"divisible by heads ({heads})")
        node_types, edge_types = metadata
        self.node_types = list(node_types)
        self.edge_types = [tuple(e) for e in edge_types]
        if not self.node_types or not self.edge_types:
            raise ValueError(f"HGTConv: metadata needs at least one node "
                             f"type and one edge type, got {metadata!r}")
        for e in self.edge_types:
            if len(e) != 3 or e[0] not in self.node_types \
                    or e[2] not in self.node_types:
                raise ValueError(f"edge type {e!r} is not (src type, "
                                 f"relation, dst type) over {node_types}")
        self.triples = [(self.node_types.index(s), r,
                         self.node_types.index(d))
                        for r, (s, _, d) in enumerate(self.edge_types)]
        self.in_channels, self.out_channels = in_channels, out_channels
        self.heads = heads
        T, R, d = len(self.node_types), len(self.edge_types), \
            out_channels // heads
        p = torch.nn.Parameter
        for x in ("k", "q", "v"):
            setattr(self, f"w_{x}", p(_param(T, in_channels,
                                                  out_channels)))
            setattr(self, f"b_{x}", p(_param(T, out_channels)))
        self.a_rel = p(_param(R, heads, d, d))
        self.m_rel = p(_param(R, heads, d, d))
        self.mu = p(_param(R, heads))
        self.w_out = p(_param(T, out_channels, out_channels))
        self.b_out = p(_param(T, out_channels))
        self.skip = (p(_param(T)) if in_channels == out_channels
                     else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # As PyG: Linear-style projections, Glorot relation matrices, unit
        # priors and skip gates.
        for x, fan_in in (("k", self.in_channels), ("q", self.in_channels),
                          ("v", self.in_channels),
                          ("out", self.out_channels)):
            bound = 1.0 / math.sqrt(fan_in)
            torch.nn.init.uniform_(getattr(self, f"w_{x}"), -bound, bound)
            torch.nn.init.uniform_(getattr(self, f"b_{x}"), -bound, bound)
        _glorot(self.a_rel)
        _glorot(self.m_rel)
        torch.nn.init.ones_(self.mu)
        if self.skip is not None:
            torch.nn.init.ones_(self.skip)

    def _build(self, graph: Graph):
        T, R, _ = graph.schema
        return (models.hgt(R, T, self.in_channels, self.out_channels,
                           self.triples, self.heads), "hgt",
                [a.name for a in models.signature(
                    "hgt", self.in_channels, self.out_channels, self.heads)])

    def forward(self, x: torch.Tensor, graph: Graph) -> torch.Tensor:
        if not isinstance(graph, Graph):
            raise TypeError("HGTConv takes a hector.nn.Graph")
        T, R = len(self.node_types), len(self.edge_types)
        if (graph.num_node_types, graph.num_relations) != (T, R):
            raise ValueError(f"HGTConv was built for {T} node types and {R} "
                             f"relations; the graph has "
                             f"{graph.num_node_types} and "
                             f"{graph.num_relations}")
        if graph.triples is not None and graph.triples != self.triples:
            raise ValueError("HGTConv: the graph's (src type, relation, dst "
                             "type) triples differ from metadata")
        names = self.compiled(graph, (),
                              _device_of([x], "HGTConv")).input_names
        inputs = [x] + [getattr(self, n) for n in names[1:]]
        return self._apply_compiled(graph, inputs)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, "
                f"heads={self.heads}, node_types={len(self.node_types)}, "
                f"relations={len(self.edge_types)}")


def benchmark_layer(model: str, graph: Graph, dim: int = 64,
                    heads: int = 4) -> _HectorLayer:
    """The layer the training benchmarks and the GPU training tests use for
    ``model`` ("rgcn", "rgat" or "hgt"; "rgcn-max": ``aggr="max"``) on
    ``graph``: ``dim`` -> ``dim`` features (RGAT: ``heads`` heads of
    ``dim // heads``, no bias)."""
    if model in ("rgcn", "rgcn-max"):
        return RGCNConv(dim, dim, graph.num_relations,
                        aggr="max" if model == "rgcn-max" else "mean")
    if model == "rgat":
        return RGATConv(dim, dim // heads, graph.num_relations, heads=heads,
                        bias=False)
    if model == "hgt":
        return HGTConv(dim, dim, graph.metadata(), heads=heads)
    raise ValueError(f"unknown model {model!r}; expected rgcn, rgcn-max, "
                     "rgat or hgt")
