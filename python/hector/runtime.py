"""Loading and running compiled models (docs/abi.md, docs/runtime.md).

::

    from hector import runtime
    from hector.prep import prepare

    fn = runtime.load(path).function()          # the only function
    bound = fn.bind(prepare(graph))             # checks the schema
    out = bound.run([h, w, w_root, bias])       # numpy in, numpy out

All the work is done by the C runtime (``include/Hector/Runtime/Model.h``)
through ctypes: it parses the model's metadata, checks the graph and every
buffer, and calls the entry point (which releases the GIL).  Inputs are
converted once to the declared element type and made C-contiguous.

``run(..., poison=True)`` fills the result with a distinctive NaN
(:data:`POISON_F32`) before the call and raises :class:`ModelError` if any
element still holds it afterwards, so a model that skips an element cannot
pass as correct.

:func:`compile_layer` builds a model with :mod:`hector.models` for a graph's
schema, compiles it with :mod:`hector.compiler` and loads it, naming the
inputs after the builder's arguments.

Models compiled for CUDA (``model.target == "cuda"``) run through the CUDA
driver shim (``libHectorCUDA.so``, ``include/Hector/Runtime/CUDA.h``):
``bind`` uploads the graph once; ``run`` takes numpy arrays (uploaded per
call, the result downloaded) or :class:`DeviceBuffer` objects (no copies);
:func:`cuda_available` says whether this machine can run them, and why
not; :func:`cuda_time` times calls with CUDA events.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from . import _runtime as rt
from .errors import RuntimeLibraryError

__all__ = ["load", "Model", "Function", "BoundFunction", "ArgInfo",
           "ModelError", "compile_layer", "schema_of", "POISON_F32",
           "POISON_F64", "cuda_available", "cuda_device_info", "CudaError",
           "DeviceBuffer", "to_device", "cuda_time"]

#: Poison bit patterns: quiet NaNs with a payload no arithmetic produces.
POISON_F32 = 0x7FC0DEAD
POISON_F64 = 0x7FF8DEADBEEFDEAD

_KINDS = {0: "graph", 1: "feat", 2: "tensor"}
_DOMAINS = {0: None, 1: "node", 2: "node[t]", 3: "edge", 4: "src_rel",
            5: "dst_rel", 6: "relation", 7: "node_type"}
_DTYPES = {0: np.dtype(np.float32), 1: np.dtype(np.float64),
           2: np.dtype(np.int32), 3: np.dtype(np.int64)}
_CODES = {v: k for k, v in _DTYPES.items()}
_MAX_RANK = 8
_TARGETS = {0: "cpu", 1: "cuda"}
# hectorBoundFunctionRunEx flags (Model.h).
_RUN_DEVICE_POINTERS = 1
#: The flag of a call on device pointers (hectorBoundFunctionRunResults).
RUN_DEVICE_POINTERS = _RUN_DEVICE_POINTERS
_RUN_UPLOAD_RESULT = 2


class ModelError(RuntimeError):
    """Loading, binding or running a model failed.  ``status`` is the C
    status name (``"invalid argument"``, ``"size mismatch"``, ...) and
    ``argument`` the name of the offending input, when known."""

    def __init__(self, message: str, status: str = "",
                 argument: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.argument = argument


class _ArgInfoC(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("domain", ctypes.c_int),
                ("nodeType", ctypes.c_int64), ("elementType", ctypes.c_int),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("text", ctypes.c_char_p)]


class _SchemaC(ctypes.Structure):
    _fields_ = [("numNodeTypes", ctypes.c_int64),
                ("numRelations", ctypes.c_int64),
                ("triples", ctypes.POINTER(ctypes.c_int64))]


class _BufferC(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("type", ctypes.c_int),
                ("numElements", ctypes.c_int64)]


_declared = False


def _lib() -> ctypes.CDLL:
    global _declared
    L = rt.lib()
    if _declared:
        return L
    vp, i64, st = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
    protos = {
        "hectorModelAbiVersion": (ctypes.c_int, []),
        "hectorModelLoad": (st, [ctypes.c_char_p, ctypes.POINTER(vp)]),
        "hectorModelDestroy": (None, [vp]),
        "hectorModelCheckInfo": (st, [ctypes.c_char_p]),
        "hectorModelGetInfo": (ctypes.c_char_p, [vp]),
        "hectorModelGetNumFunctions": (i64, [vp]),
        "hectorModelGetFunction": (vp, [vp, i64]),
        "hectorFunctionGetName": (ctypes.c_char_p, [vp]),
        "hectorFunctionGetEntry": (ctypes.c_char_p, [vp]),
        "hectorFunctionGetNumParams": (i64, [vp]),
        "hectorFunctionGetNumArgs": (i64, [vp]),
        "hectorFunctionGetNumInputs": (i64, [vp]),
        "hectorFunctionGetInputArg": (i64, [vp, i64]),
        "hectorFunctionGetArg": (st, [vp, i64, ctypes.POINTER(_ArgInfoC)]),
        "hectorFunctionGetResult": (st, [vp, ctypes.POINTER(_ArgInfoC)]),
        "hectorFunctionGetNumResults": (i64, [vp]),
        "hectorFunctionGetResultAt": (st, [vp, i64,
                                           ctypes.POINTER(_ArgInfoC)]),
        "hectorFunctionGetSchema": (st, [vp, ctypes.POINTER(_SchemaC)]),
        "hectorFunctionBind": (st, [vp, vp, ctypes.POINTER(vp)]),
        "hectorFunctionBindExact": (st, [vp, vp, ctypes.POINTER(vp)]),
        "hectorBoundFunctionGetFunction": (vp, [vp]),
        "hectorFunctionGetVariantOf": (ctypes.c_char_p, [vp]),
        "hectorFunctionGetNumVariants": (i64, [vp]),
        "hectorFunctionGetVariant": (vp, [vp, i64]),
        "hectorFunctionEstimate": (st, [vp, vp,
                                        ctypes.POINTER(ctypes.c_double)]),
        "hectorFunctionGetNumChoices": (i64, [vp]),
        "hectorBoundFunctionGetRelationChoice": (
            st, [vp, ctypes.POINTER(ctypes.POINTER(ctypes.c_int32)),
                 ctypes.POINTER(i64)]),
        "hectorBoundFunctionSetRelationChoice": (
            st, [vp, ctypes.POINTER(ctypes.c_int32), i64]),
        "hectorBoundFunctionDestroy": (None, [vp]),
        "hectorBoundFunctionGetShape": (st, [vp, i64, ctypes.POINTER(i64),
                                             ctypes.POINTER(i64)]),
        "hectorBoundFunctionRun": (st, [vp, ctypes.POINTER(_BufferC), i64,
                                        ctypes.POINTER(_BufferC)]),
        "hectorBoundFunctionRunEx": (st, [vp, ctypes.POINTER(_BufferC), i64,
                                          ctypes.POINTER(_BufferC),
                                          ctypes.c_uint]),
        "hectorBoundFunctionRunResults": (
            st, [vp, ctypes.POINTER(_BufferC), i64, ctypes.POINTER(_BufferC),
                 i64, ctypes.c_uint]),
        "hectorModelGetTarget": (ctypes.c_int, [vp]),
        "hectorModelGetChip": (ctypes.c_char_p, [vp]),
        "hectorRuntimeHasCuda": (ctypes.c_int, []),
    }
    for name, (res, args) in protos.items():
        try:
            f = getattr(L, name)
        except AttributeError:
            raise RuntimeLibraryError(
                f"{rt.find_library()} has no {name}; rebuild the runtime "
                f"(ninja -C build HectorRuntime)") from None
        f.restype, f.argtypes = res, args
    if L.hectorModelAbiVersion() != 1:
        raise RuntimeLibraryError(
            f"the runtime reads model ABI version {L.hectorModelAbiVersion()}"
            f", this package expects 1")
    _declared = True
    return L


def _error(status: int, argument: Optional[str] = None) -> ModelError:
    return ModelError(rt.last_error(), rt.STATUS_NAMES.get(status,
                                                           str(status)),
                      argument)


def check_info(text: str) -> None:
    """Validate ``hector_model_info()`` text; raise ModelError if bad."""
    L = _lib()
    status = L.hectorModelCheckInfo(text.encode())
    if status:
        raise _error(status)


@dataclass(frozen=True)
class ArgInfo:
    """One argument (or a result) of a compiled function."""
    index: int                     # rgnn argument number (-1 - k: result k)
    kind: str                      # "graph", "feat" or "tensor"
    domain: Optional[str]          # "node", "node[2]", "edge", ... or None
    shape: Tuple[int, ...]         # per-element (feat) or tensor shape
    dtype: Optional[np.dtype]      # None for the graph
    text: str                      # the info record
    name: Optional[str] = None     # the IR argument name, when known

    def describe(self) -> str:
        who = ("result" if self.index == -1 else
               f"result {-1 - self.index}" if self.index < 0 else
               f"argument {self.index}")
        if self.name:
            who += f" '{self.name}'"
        return f"{who} ({self.text})"


def _arg_info(c: _ArgInfoC, index: int) -> ArgInfo:
    kind = _KINDS[c.kind]
    domain = _DOMAINS.get(c.domain)
    if domain == "node[t]":
        domain = f"node[{c.nodeType}]"
    shape = tuple(c.shape[k] for k in range(c.rank))
    return ArgInfo(index, kind, domain, shape,
                   None if kind == "graph" else _DTYPES[c.elementType],
                   c.text.decode())


class Model:
    """A loaded ``model.so``.  Keep it alive while its functions are used
    (its functions and bound functions hold a reference)."""

    def __init__(self, path):
        L = _lib()
        self.path = str(path)
        handle = ctypes.c_void_p()
        status = L.hectorModelLoad(self.path.encode(), ctypes.byref(handle))
        if status:
            raise _error(status)
        self._ptr = handle.value
        self._destroy = L.hectorModelDestroy
        self.info = L.hectorModelGetInfo(self._ptr).decode()
        #: "cpu" or "cuda"; ``chip`` is the CUDA chip ("sm_80") or "".
        self.target = _TARGETS[L.hectorModelGetTarget(self._ptr)]
        self.chip = L.hectorModelGetChip(self._ptr).decode()
        self.functions = [Function(self, L.hectorModelGetFunction(self._ptr,
                                                                   k))
                          for k in range(L.hectorModelGetNumFunctions(
                              self._ptr))]

    def function(self, name: Optional[str] = None) -> "Function":
        """The function called ``name``, or the only one."""
        if name is None:
            if len(self.functions) != 1:
                raise ModelError(
                    f"{self.path} has {len(self.functions)} functions "
                    f"({', '.join(f.name for f in self.functions)}); name one",
                    "invalid argument")
            return self.functions[0]
        for f in self.functions:
            if f.name == name:
                return f
        raise ModelError(f"no function '{name}' in {self.path} (it has "
                         f"{', '.join(f.name for f in self.functions)})",
                         "invalid argument")

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._destroy(self._ptr)
            self._ptr = None

    def __repr__(self):
        return (f"Model({self.path!r}, target={self.target!r}, "
                f"functions={[f.name for f in self.functions]})")


class Function:
    """One entry point of a model: its arguments, result and schema."""

    def __init__(self, model: Model, ptr: int):
        L = _lib()
        self.model, self._ptr = model, ptr
        self.target, self.chip = model.target, model.chip
        self.name = L.hectorFunctionGetName(ptr).decode()
        self.entry = L.hectorFunctionGetEntry(ptr).decode()
        self.num_params = L.hectorFunctionGetNumParams(ptr)
        #: The function this one is a variant of (rgnn-reassociate), or "".
        self.variant_of = L.hectorFunctionGetVariantOf(ptr).decode()
        #: Names of the functions that are variants of this one.
        self.variants = [
            L.hectorFunctionGetName(L.hectorFunctionGetVariant(ptr, k)).decode()
            for k in range(L.hectorFunctionGetNumVariants(ptr))]
        info = _ArgInfoC()
        self.args: List[ArgInfo] = []
        for k in range(L.hectorFunctionGetNumArgs(ptr)):
            if L.hectorFunctionGetArg(ptr, k, ctypes.byref(info)):
                raise _error(1)
            self.args.append(_arg_info(info, k))
        #: Every result, in order (several for a combined backward,
        #: ``f__backward``); :attr:`result` is the first.
        self.results: List[ArgInfo] = []
        for k in range(L.hectorFunctionGetNumResults(ptr)):
            if L.hectorFunctionGetResultAt(ptr, k, ctypes.byref(info)):
                raise _error(1)
            self.results.append(_arg_info(info, -1 - k))
        self.result = self.results[0]
        schema = _SchemaC()
        if L.hectorFunctionGetSchema(ptr, ctypes.byref(schema)) == 0:
            triples = None
            if schema.triples:
                flat = [schema.triples[k]
                        for k in range(3 * schema.numRelations)]
                triples = [tuple(flat[k:k + 3])
                           for k in range(0, len(flat), 3)]
            self.schema = (schema.numNodeTypes, schema.numRelations, triples)
        else:
            self.schema = None

    @property
    def inputs(self) -> List[ArgInfo]:
        """The arguments :meth:`BoundFunction.run` takes (all but the
        graph), in order."""
        return [a for a in self.args if a.kind != "graph"]

    def set_input_names(self, names: Sequence[str]) -> None:
        """Name the inputs (for error messages and :meth:`input_index`)."""
        names = list(names)
        ins = self.inputs
        if len(names) != len(ins):
            raise ValueError(f"{len(names)} names for {len(ins)} inputs")
        it = iter(names)
        self.args = [a if a.kind == "graph" else
                     ArgInfo(a.index, a.kind, a.domain, a.shape, a.dtype,
                             a.text, next(it)) for a in self.args]

    def bind(self, prepared=None, exact: bool = False) -> "BoundFunction":
        """Bind a :class:`hector.prep.PreparedGraph` (checked against the
        schema: relation and node-type counts, triples).  For a CUDA
        function the graph is uploaded to the device here, once.

        When the function has :attr:`variants`, the binding runs the one
        the cost model estimates fastest on this graph (its name is
        ``BoundFunction.variant``), unless ``exact``."""
        return BoundFunction(self, prepared, exact)

    def estimate(self, prepared) -> float:
        """The cost model's estimate of one call on ``prepared``, in
        seconds (from the function's ``cost`` record)."""
        seconds = ctypes.c_double()
        status = _lib().hectorFunctionEstimate(
            self._ptr, prepared._handle.ptr, ctypes.byref(seconds))
        if status:
            raise _error(status)
        return seconds.value

    def __repr__(self):
        return (f"Function({self.name!r}, inputs="
                f"{[a.name or a.text for a in self.inputs]})")


class BoundFunction:
    """A function with its graph: knows every buffer's shape."""

    def __init__(self, fn: Function, prepared, exact: bool = False):
        L = _lib()
        self.function, self.prepared = fn, prepared
        gptr = None
        if prepared is not None:
            handle = getattr(prepared, "_handle", None)
            if handle is None or not getattr(handle, "ptr", None):
                raise TypeError("bind() takes a hector.prep.PreparedGraph")
            gptr = handle.ptr
        out = ctypes.c_void_p()
        bind = L.hectorFunctionBindExact if exact else L.hectorFunctionBind
        status = bind(fn._ptr, gptr, ctypes.byref(out))
        if status:
            raise _error(status)
        self._ptr = out.value
        self._destroy = L.hectorBoundFunctionDestroy
        #: The function this binding runs: ``fn`` or the variant chosen.
        self.variant = L.hectorFunctionGetName(
            L.hectorBoundFunctionGetFunction(self._ptr)).decode()
        #: How many choices each relation has: 2 when :attr:`variant` is
        #: split by relation (0 = transform first, 1 = aggregate first).
        self.num_choices = int(L.hectorFunctionGetNumChoices(
            L.hectorBoundFunctionGetFunction(self._ptr)))
        self.input_shapes = [self._shape(k) for k in range(len(fn.inputs))]
        #: The shape of each result; :attr:`result_shape` is the first's.
        self.result_shapes = [self._shape(-1 - k)
                              for k in range(len(fn.results))]
        self.result_shape = self.result_shapes[0]

    @property
    def relation_choice(self) -> np.ndarray:
        """The relation choice table (a copy): per relation, the choice the
        cost model made for this graph when :attr:`num_choices` > 1, else
        zeros.  Assign an int array of one entry per relation to override
        it (the result does not change, only where the work is done)."""
        data = ctypes.POINTER(ctypes.c_int32)()
        n = ctypes.c_int64()
        status = _lib().hectorBoundFunctionGetRelationChoice(
            self._ptr, ctypes.byref(data), ctypes.byref(n))
        if status:
            raise _error(status)
        if n.value == 0:
            return np.zeros(0, np.int32)
        return np.ctypeslib.as_array(data, shape=(n.value,)).copy()

    @relation_choice.setter
    def relation_choice(self, choice) -> None:
        c = np.ascontiguousarray(choice, dtype=np.int32)
        if c.ndim != 1:
            raise ValueError("the relation choice is one entry per relation")
        status = _lib().hectorBoundFunctionSetRelationChoice(
            self._ptr, c.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
            c.size)
        if status:
            raise _error(status)

    def _shape(self, k: int) -> Tuple[int, ...]:
        rank = ctypes.c_int64()
        shape = (ctypes.c_int64 * (_MAX_RANK + 1))()
        status = _lib().hectorBoundFunctionGetShape(self._ptr, k,
                                                    ctypes.byref(rank), shape)
        if status:
            raise _error(status)
        return tuple(shape[i] for i in range(rank.value))

    def __del__(self):
        if getattr(self, "_ptr", None):
            self._destroy(self._ptr)
            self._ptr = None

    def prepare_inputs(self, inputs: Sequence) -> List[np.ndarray]:
        """The inputs as C-contiguous arrays of the declared element types
        (pass the result to :meth:`run` repeatedly to convert only once)."""
        ins = self.function.inputs
        if len(inputs) != len(ins):
            names = ", ".join(a.name or a.text for a in ins)
            raise ModelError(f"function '{self.function.name}' takes "
                             f"{len(ins)} inputs ({names}), got {len(inputs)}",
                             "size mismatch")
        out = []
        for x, arg in zip(inputs, ins):
            if isinstance(x, DeviceBuffer):
                if self.function.target != "cuda":
                    raise ModelError(f"{arg.describe()}: a DeviceBuffer "
                                     f"needs a function compiled for CUDA",
                                     "invalid argument", arg.name)
                if x.dtype != arg.dtype:
                    raise ModelError(f"{arg.describe()}: DeviceBuffer holds "
                                     f"{x.dtype}, expected {arg.dtype}",
                                     "invalid argument", arg.name)
                out.append(x)
                continue
            a = np.asarray(x)
            if a.dtype.kind not in "fiub":
                raise ModelError(f"{arg.describe()}: cannot pass an array "
                                 f"of dtype {a.dtype}", "invalid argument",
                                 arg.name)
            out.append(np.ascontiguousarray(a, dtype=arg.dtype))
        return out

    def run(self, inputs: Sequence, poison: bool = True,
            out=None):
        """Call the function on ``inputs`` (numpy arrays in argument order,
        the graph excluded) and return the result (``out`` if given).

        For a CUDA function, numpy inputs are uploaded and the result
        downloaded on each call.  If any input or ``out`` is a
        :class:`DeviceBuffer`, the call runs on device pointers instead
        (numpy inputs are uploaded first) and returns a DeviceBuffer; the
        poison check then downloads the result once (pass ``poison=False``
        when timing).  A function with several results (a combined
        backward) is called with :meth:`run_all`."""
        n = len(self.function.results)
        if n != 1:
            raise ModelError(f"function '{self.function.name}' has {n} "
                             f"results; call run_all()", "size mismatch")
        return self.run_all(inputs, poison,
                            None if out is None else [out])[0]

    def run_all(self, inputs: Sequence, poison: bool = True,
                outs: Optional[Sequence] = None) -> list:
        """:meth:`run` for any number of results: returns the list of
        results (``outs``, one per result, if given)."""
        arrays = self.prepare_inputs(inputs)
        results = self.function.results
        if outs is not None and len(outs) != len(results):
            raise ModelError(f"function '{self.function.name}' has "
                             f"{len(results)} results, got {len(outs)} "
                             f"'outs'", "size mismatch")
        if (any(isinstance(o, DeviceBuffer) for o in outs or ())
                or any(isinstance(a, DeviceBuffer) for a in arrays)):
            return self._run_device(arrays, poison, outs)
        outs = list(outs) if outs is not None else [None] * len(results)
        for k, (res, shape) in enumerate(zip(results, self.result_shapes)):
            if outs[k] is None:
                outs[k] = np.empty(shape, dtype=res.dtype)
            elif (not isinstance(outs[k], np.ndarray)
                  or outs[k].dtype != res.dtype
                  or not outs[k].flags.c_contiguous
                  or not outs[k].flags.writeable):
                raise ModelError(f"{res.describe()}: 'out' must be a "
                                 f"writable C-contiguous {res.dtype} array "
                                 f"or a DeviceBuffer", "invalid argument")
            # Results are computed in place (docs/abi.md).
            others = list(arrays) + outs[:k]
            if any(np.may_share_memory(outs[k], a) for a in others):
                raise ModelError(f"{res.describe()}: 'out' overlaps an "
                                 f"argument or another result",
                                 "invalid argument")
        patterns = [self._poison(o) if poison else None for o in outs]
        # A CUDA function gets the poisoned results uploaded with the inputs.
        flags = (_RUN_UPLOAD_RESULT if any(p is not None for p in patterns)
                 and self.function.target == "cuda" else 0)
        self._call([(a.ctypes.data, a) for a in arrays],
                   [(o.ctypes.data, o) for o in outs], flags)
        for o, pattern in zip(outs, patterns):
            if pattern is not None:
                self._check_poison(o, pattern)
        return outs

    def _call(self, inputs, outs, flags: int) -> None:
        """The C call on (address, array-or-DeviceBuffer) pairs."""
        bufs = (_BufferC * max(1, len(inputs)))()
        for k, (ptr, a) in enumerate(inputs):
            bufs[k] = _BufferC(ptr, _CODES[a.dtype], a.size)
        res = (_BufferC * len(outs))()
        for k, (ptr, o) in enumerate(outs):
            res[k] = _BufferC(ptr, _CODES[o.dtype], o.size)
        status = _lib().hectorBoundFunctionRunResults(
            self._ptr, bufs, len(inputs), res, len(outs), flags)
        if status:
            raise self._named_error(status)

    def _poison(self, out: np.ndarray):
        """Fill ``out`` with the poison pattern; the pattern, or None for
        integer results."""
        if out.dtype.kind != "f":
            return None
        pattern = (np.uint32(POISON_F32) if out.dtype.itemsize == 4
                   else np.uint64(POISON_F64))
        out.view(pattern.dtype).fill(pattern)
        return pattern

    def _check_poison(self, out: np.ndarray, pattern) -> None:
        left = np.flatnonzero(out.reshape(-1).view(pattern.dtype) == pattern)
        if left.size:
            first = np.unravel_index(int(left[0]), out.shape)
            raise ModelError(
                f"function '{self.function.name}' left {left.size} of "
                f"{out.size} result elements unwritten (still poisoned; "
                f"first at index {tuple(int(i) for i in first)})",
                "internal error")

    def upload_inputs(self, inputs: Sequence) -> List["DeviceBuffer"]:
        """The inputs as DeviceBuffers (CUDA functions), for repeated
        :meth:`run` calls without host-device copies."""
        return [a if isinstance(a, DeviceBuffer) else to_device(a)
                for a in self.prepare_inputs(inputs)]

    def _run_device(self, arrays, poison: bool, outs) -> list:
        fn = self.function
        if fn.target != "cuda":
            raise ModelError(f"function '{fn.name}' is compiled for the "
                             f"CPU; DeviceBuffers need a CUDA function",
                             "invalid argument")
        keep = [a if isinstance(a, DeviceBuffer) else to_device(a)
                for a in arrays]
        outs = list(outs) if outs is not None else [None] * len(fn.results)
        patterns = []
        for k, (res, shape) in enumerate(zip(fn.results, self.result_shapes)):
            if outs[k] is None:
                outs[k] = DeviceBuffer.empty(shape, res.dtype)
            elif (not isinstance(outs[k], DeviceBuffer)
                  or outs[k].dtype != res.dtype):
                raise ModelError(f"{res.describe()}: 'out' must be a "
                                 f"{res.dtype} DeviceBuffer",
                                 "invalid argument")
            pattern = None
            if poison and res.dtype.kind == "f":
                host = np.empty(outs[k].shape, res.dtype)
                pattern = self._poison(host)
                outs[k].upload(host)
            patterns.append(pattern)
        self._call([(a.ptr, a) for a in keep], [(o.ptr, o) for o in outs],
                   _RUN_DEVICE_POINTERS)
        for o, pattern in zip(outs, patterns):
            if pattern is not None:
                self._check_poison(o.to_host(), pattern)
        return outs

    __call__ = run

    def _named_error(self, status: int) -> ModelError:
        msg = rt.last_error()
        name = None
        for arg in self.function.inputs:
            prefix = f"argument {arg.index} ("
            if arg.name and msg.startswith(prefix):
                name = arg.name
                msg = f"argument {arg.index} '{arg.name}' (" + \
                    msg[len(prefix):]
                break
        return ModelError(msg, rt.STATUS_NAMES.get(status, str(status)),
                          name)


def load(path) -> Model:
    """Load a compiled model (``model.so``)."""
    return Model(path)


# ---------------------------------------------------------------------------
# CUDA: the driver shim's control API (include/Hector/Runtime/CUDA.h)
# ---------------------------------------------------------------------------

_CUDA_STATUS = {0: "success", 1: "unavailable", 2: "driver error",
                3: "invalid argument", 4: "out of memory",
                5: "error pending"}


class CudaError(RuntimeError):
    """A CUDA control call failed.  ``status`` is the shim's status name
    and ``cu_result`` the driver's CUresult (0 when not a driver error)."""

    def __init__(self, message: str, status: str = "", cu_result: int = 0):
        super().__init__(message)
        self.status, self.cu_result = status, cu_result


class _DeviceInfoC(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 256), ("ordinal", ctypes.c_int32),
                ("major", ctypes.c_int32), ("minor", ctypes.c_int32),
                ("multiprocessors", ctypes.c_int32),
                ("maxThreadsPerBlock", ctypes.c_int32),
                ("maxBlockDim", ctypes.c_int32 * 3),
                ("maxGridDim", ctypes.c_int32 * 3),
                ("warpSize", ctypes.c_int32),
                ("sharedMemoryPerBlock", ctypes.c_int64),
                ("totalMemory", ctypes.c_int64),
                ("driverVersion", ctypes.c_int32)]


_cuda_lib = None


def _cuda():
    """The runtime library with the CUDA control API declared, or None when
    the runtime was built without the shim (HECTOR_ENABLE_CUDA=OFF)."""
    global _cuda_lib
    if _cuda_lib is not None:
        return _cuda_lib
    L = _lib()
    if not L.hectorRuntimeHasCuda():
        return None
    vp, st, sz = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    protos = {
        "hectorCudaAbiVersion": (ctypes.c_int, []),
        "hectorCudaAvailable": (ctypes.c_int, [ctypes.c_char_p, sz]),
        "hectorCudaGetDeviceCount": (st, [ctypes.POINTER(ctypes.c_int32)]),
        "hectorCudaDeviceInfo": (st, [ctypes.c_int32,
                                      ctypes.POINTER(_DeviceInfoC)]),
        "hectorCudaSetDevice": (st, [ctypes.c_int32]),
        "hectorCudaMalloc": (st, [ctypes.POINTER(vp), sz]),
        "hectorCudaFree": (st, [vp]),
        "hectorCudaMemcpyHtoD": (st, [vp, vp, sz]),
        "hectorCudaMemcpyDtoH": (st, [vp, vp, sz]),
        "hectorCudaMemcpyDtoD": (st, [vp, vp, sz]),
        "hectorCudaMemsetD32": (st, [vp, ctypes.c_uint32, sz]),
        "hectorCudaSynchronize": (st, []),
        "hectorCudaTrimMemory": (st, []),
        "hectorCudaEventCreate": (st, [ctypes.POINTER(vp)]),
        "hectorCudaEventDestroy": (st, [vp]),
        "hectorCudaEventRecord": (st, [vp, vp]),
        "hectorCudaEventSynchronize": (st, [vp]),
        "hectorCudaEventElapsedMs": (st, [vp, vp,
                                          ctypes.POINTER(ctypes.c_float)]),
        "hectorCudaGetLastError": (ctypes.c_char_p, []),
        "hectorCudaPeekError": (st, [ctypes.POINTER(ctypes.c_int32)]),
        "hectorCudaClearError": (None, []),
    }
    for name, (res, args) in protos.items():
        f = getattr(L, name)
        f.restype, f.argtypes = res, args
    if L.hectorCudaAbiVersion() != 1:
        raise RuntimeLibraryError(
            f"the CUDA shim has control ABI version "
            f"{L.hectorCudaAbiVersion()}, this package expects 1")
    _cuda_lib = L
    return L


def _cuda_required():
    L = _cuda()
    if L is None:
        raise CudaError("the runtime was built without the CUDA shim "
                        "(HECTOR_ENABLE_CUDA=OFF)", "unavailable")
    return L


def _cuda_check(status: int) -> None:
    """Raise the shim's pending error (and clear it) if ``status`` fails."""
    if status == 0:
        return
    L = _cuda_required()
    code = ctypes.c_int32()
    L.hectorCudaPeekError(ctypes.byref(code))
    msg = (L.hectorCudaGetLastError() or b"").decode("utf-8", "replace")
    L.hectorCudaClearError()
    raise CudaError(msg or f"CUDA call failed ({_CUDA_STATUS.get(status)})",
                    _CUDA_STATUS.get(status, str(status)), code.value)


def cuda_available() -> Tuple[bool, str]:
    """``(True, "")`` when the CUDA driver loads and sees a device, else
    ``(False, reason)`` ("libcuda.so.1 not found: ...", "no CUDA device:
    ...", or a runtime built without the shim)."""
    try:
        L = _cuda()
    except RuntimeLibraryError as e:
        return False, str(e)
    if L is None:
        return False, ("the runtime was built without the CUDA shim "
                       "(HECTOR_ENABLE_CUDA=OFF)")
    why = ctypes.create_string_buffer(1024)
    ok = L.hectorCudaAvailable(why, len(why))
    return bool(ok), why.value.decode("utf-8", "replace")


def cuda_device_info(device: int = 0) -> dict:
    """Name, compute capability, SM count, memory and limits of a device."""
    L = _cuda_required()
    info = _DeviceInfoC()
    _cuda_check(L.hectorCudaDeviceInfo(device, ctypes.byref(info)))
    return {"name": info.name.decode("utf-8", "replace"),
            "ordinal": info.ordinal,
            "compute_capability": (info.major, info.minor),
            "chip": f"sm_{info.major}{info.minor}",
            "multiprocessors": info.multiprocessors,
            "max_threads_per_block": info.maxThreadsPerBlock,
            "max_block_dim": tuple(info.maxBlockDim),
            "max_grid_dim": tuple(info.maxGridDim),
            "warp_size": info.warpSize,
            "shared_memory_per_block": info.sharedMemoryPerBlock,
            "total_memory": info.totalMemory,
            "driver_version": info.driverVersion}


def cuda_trim_memory() -> None:
    """Give the memory that compiled models' temporaries left in the
    device's pool back to the driver (like ``torch.cuda.empty_cache()``).
    Models allocate temporaries in stream order from the pool, which keeps
    freed memory between calls so that later calls need not map it again.
    """
    _cuda_check(_cuda_required().hectorCudaTrimMemory())


class DeviceBuffer:
    """A C-contiguous array in device memory (freed with the object)."""

    def __init__(self, shape, dtype):
        L = _cuda_required()
        self.shape = ((int(shape),) if np.isscalar(shape)
                      else tuple(int(d) for d in shape))
        self.dtype = np.dtype(dtype)
        self.size = int(np.prod(self.shape, dtype=np.int64))
        self.nbytes = self.size * self.dtype.itemsize
        self._free = L.hectorCudaFree
        ptr = ctypes.c_void_p()
        _cuda_check(L.hectorCudaMalloc(ctypes.byref(ptr), self.nbytes))
        self.ptr = ptr.value or 0

    @classmethod
    def empty(cls, shape, dtype) -> "DeviceBuffer":
        return cls(shape, dtype)

    def upload(self, array) -> "DeviceBuffer":
        a = np.ascontiguousarray(array, dtype=self.dtype)
        if a.size != self.size:
            raise ValueError(f"uploading {a.size} elements into a "
                             f"DeviceBuffer of {self.size}")
        if self.nbytes:
            _cuda_check(_cuda_required().hectorCudaMemcpyHtoD(
                self.ptr, a.ctypes.data, self.nbytes))
        return self

    def to_host(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        if out is None:
            out = np.empty(self.shape, self.dtype)
        if (out.dtype != self.dtype or out.size != self.size
                or not out.flags.c_contiguous or not out.flags.writeable):
            raise ValueError("'out' must be a writable C-contiguous array of "
                             "the same dtype and size")
        if self.nbytes:
            _cuda_check(_cuda_required().hectorCudaMemcpyDtoH(
                out.ctypes.data, self.ptr, self.nbytes))
        return out

    def free(self) -> None:
        if getattr(self, "ptr", 0):
            self._free(self.ptr)
            self.ptr = 0

    __del__ = free

    def __repr__(self):
        return (f"DeviceBuffer(shape={self.shape}, dtype={self.dtype}, "
                f"ptr=0x{self.ptr:x})")


def to_device(array) -> DeviceBuffer:
    """Upload a numpy array (made C-contiguous) to a new DeviceBuffer."""
    a = np.ascontiguousarray(array)
    return DeviceBuffer(a.shape, a.dtype).upload(a)


def cuda_time(fn: Callable[[], object], runs: int = 20,
              warmup: int = 2) -> np.ndarray:
    """Milliseconds of each of ``runs`` calls of ``fn`` (after ``warmup``
    untimed ones), measured with CUDA events recorded on the default
    stream, which waits for the streams compiled models use."""
    L = _cuda_required()
    for _ in range(warmup):
        fn()
    start, end = ctypes.c_void_p(), ctypes.c_void_p()
    _cuda_check(L.hectorCudaEventCreate(ctypes.byref(start)))
    try:
        _cuda_check(L.hectorCudaEventCreate(ctypes.byref(end)))
        times = np.empty(runs)
        ms = ctypes.c_float()
        for k in range(runs):
            _cuda_check(L.hectorCudaEventRecord(start, None))
            fn()
            _cuda_check(L.hectorCudaEventRecord(end, None))
            _cuda_check(L.hectorCudaEventSynchronize(end))
            _cuda_check(L.hectorCudaEventElapsedMs(start, end,
                                                   ctypes.byref(ms)))
            times[k] = ms.value
        return times
    finally:
        L.hectorCudaEventDestroy(start)
        if end.value:
            L.hectorCudaEventDestroy(end)


# ---------------------------------------------------------------------------
# Compile a model layer for a graph's schema
# ---------------------------------------------------------------------------

def schema_of(graph_or_schema):
    """``(num_node_types, num_relations, triples or None)`` of a
    HeteroGraph (triples from ``canonical_etypes``), a PreparedGraph, or a
    ``(T, R)`` / ``(T, R, triples)`` tuple."""
    g = graph_or_schema
    if isinstance(g, tuple):
        if len(g) == 2:
            return int(g[0]), int(g[1]), None
        if len(g) == 3:
            return int(g[0]), int(g[1]), g[2]
        raise ValueError("a schema is (num_node_types, num_relations"
                         "[, triples])")
    if hasattr(g, "canonical_etypes") and hasattr(g, "ntype_names"):
        triples = None
        if g.canonical_etypes is not None:
            names = list(g.ntype_names)
            triples = [(names.index(s), r, names.index(d))
                       for r, (s, _, d) in enumerate(g.canonical_etypes)]
        return g.num_ntypes, g.num_relations, triples
    if hasattr(g, "stats"):
        return g.stats["num_node_types"], g.stats["num_relations"], None
    raise TypeError(f"cannot take a schema from {type(g).__name__}")


def compile_layer(model_name: str, graph_or_schema, in_dim: int = 64,
                  out_dim: int = 64, heads: int = 4, num_bases: int = 30,
                  target: str = "cpu", cache_dir=None,
                  keep_temps: bool = False, use_triples: bool = True,
                  options: Optional[str] = None) -> Function:
    """Build ``model_name`` (a :data:`hector.models.MODELS` name) for the
    schema of ``graph_or_schema``, compile, load, and return its function
    with the inputs named after the builder's arguments (``h``, ``w``,
    ...; the keys of :func:`hector.reference.init_weights`).
    ``function.compile_result`` says whether the library was cached and
    how long each step took.  ``options`` are the lowering pipeline's
    options (``"chip=sm_90 compact=false"``; see
    :func:`hector.compiler.compile_module_info`)."""
    from . import models
    from .compiler import compile_module_info
    T, R, triples = schema_of(graph_or_schema)
    text = models.build(model_name, R, T, in_dim, out_dim,
                        triples if use_triples else None, heads, num_bases)
    result = compile_module_info(text, target, cache_dir, keep_temps,
                                 options=options)
    fn = load(result.path).function(model_name)
    fn.set_input_names([a.name for a in models.signature(
        model_name, in_dim, out_dim, heads, num_bases)])
    fn.compile_result = result
    fn.mlir = text
    return fn
