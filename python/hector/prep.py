"""Graph preparation: the layouts and statistics Hector's kernels read.

:func:`prepare` hands a graph's COO arrays to the C++ runtime
(``hectorGraphPrepare``) without copying them (int32 and int64 inputs are
both accepted as they are) and returns a :class:`PreparedGraph`.

Ownership: every array of a :class:`PreparedGraph` is a read-only numpy
*view* of memory owned by the native handle.  The views keep the
:class:`PreparedGraph` alive (each view's ``base`` chain ends at it), and the
handle is freed when the last reference goes away.  Use ``np.array(view)``
for a writable copy.  See docs/data.md for the layout.
"""

from __future__ import annotations

import ctypes
from typing import Dict, Optional

import numpy as np

from . import _runtime as rt
from .errors import DataFormatError, RuntimeLibraryError

ARRAY_IDS = {
    "rel_offsets": 0, "rel_eids": 1, "rel_src": 2, "rel_dst": 3,
    "in_indptr": 4, "in_src": 5, "in_eids": 6, "in_etype": 7,
    "out_indptr": 8, "out_dst": 9, "out_eids": 10, "out_etype": 11,
    "unique_src_offsets": 12, "unique_src_nodes": 13,
    "edge_to_unique_src": 14,
    "unique_dst_offsets": 15, "unique_dst_nodes": 16,
    "edge_to_unique_dst": 17,
    "rel_num_unique_src": 18, "rel_num_unique_dst": 19,
    "rel_max_out_degree": 20, "rel_max_in_degree": 21,
    "in_degree": 22, "out_degree": 23, "ntype_counts": 24,
    "src": 25, "dst": 26, "etype": 27, "ntype": 28,
    "ntype_offsets": 29, "ntype_nodes": 30,
    "unique_src_indptr": 31, "unique_src_eids": 32,
    "src_pair_indptr": 33, "src_pair_ids": 34,
    "unique_dst_indptr": 35, "unique_dst_eids": 36,
    "dst_pair_indptr": 37, "dst_pair_ids": 38,
}

#: The prepared graph's part of the compiled-model ABI: the first 32 of
#: the 33 graph arrays a function with a graph argument takes, in parameter
#: order (docs/abi.md, "Graph arrays").  The 33rd, :data:`REL_CHOICE_ARRAY`,
#: is not a prepared-graph array: the runtime's binding owns it.
GRAPH_ABI_ARRAYS = (
    "src", "dst", "etype", "ntype",
    "rel_offsets", "rel_eids", "rel_src", "rel_dst",
    "in_indptr", "in_src", "in_eids", "in_etype",
    "out_indptr", "out_dst", "out_eids", "out_etype",
    "ntype_offsets", "ntype_nodes",
    "unique_src_offsets", "unique_src_nodes", "edge_to_unique_src",
    "unique_src_indptr", "unique_src_eids", "src_pair_indptr",
    "src_pair_ids",
    "unique_dst_offsets", "unique_dst_nodes", "edge_to_unique_dst",
    "unique_dst_indptr", "unique_dst_eids", "dst_pair_indptr",
    "dst_pair_ids",
)

#: The 33rd graph array, after :data:`GRAPH_ABI_ARRAYS`: the binding's
#: relation choice table (int32, one entry per relation; all 0 unless the
#: function is split by relation).  See docs/runtime.md.
REL_CHOICE_ARRAY = "rel_choice"


class _Handle:
    """Owns one native HectorPreparedGraph."""

    def __init__(self, ptr: int):
        self.ptr = ptr
        self._destroy = rt.lib().hectorPreparedGraphDestroy

    def __del__(self):
        if self.ptr:
            self._destroy(self.ptr)
            self.ptr = 0


def _index_array(a: Optional[np.ndarray], name: str):
    """Describe a numpy array to C without copying it (int32/int64 only)."""
    if a is None:
        return rt.IndexArray(None, rt.INDEX_INT32, 0), None
    if not isinstance(a, np.ndarray):
        a = np.asarray(a)
    if a.ndim != 1:
        raise DataFormatError(f"must be one-dimensional, got shape {a.shape}",
                              array=name)
    if a.dtype == np.int32 or a.dtype == np.int64:
        keep = np.ascontiguousarray(a)  # no copy when already contiguous
    elif a.dtype.kind in "iu":
        keep = a.astype(np.int64)
        if a.dtype.kind == "u" and a.size and a.max() > np.iinfo(np.int64).max:
            raise DataFormatError("value too large for int64", array=name)
    else:
        raise DataFormatError(f"must hold integers, got dtype {a.dtype}",
                              array=name)
    kind = rt.INDEX_INT32 if keep.dtype == np.int32 else rt.INDEX_INT64
    return rt.IndexArray(keep.ctypes.data, kind, keep.shape[0]), keep


class PreparedGraph:
    """The prepared layouts of one graph (see docs/data.md).

    Attributes (all read-only numpy views; int64 offsets and counts, int32
    ids): ``rel_offsets``, ``rel_eids``, ``rel_src``, ``rel_dst``,
    ``in_indptr``, ``in_src``, ``in_eids``, ``in_etype``, ``out_indptr``,
    ``out_dst``, ``out_eids``, ``out_etype``, ``unique_src_offsets``,
    ``unique_src_nodes``, ``edge_to_unique_src``, ``unique_dst_offsets``,
    ``unique_dst_nodes``, ``edge_to_unique_dst``, ``rel_num_unique_src``,
    ``rel_num_unique_dst``, ``rel_max_out_degree``, ``rel_max_in_degree``,
    ``in_degree``, ``out_degree``, ``ntype_counts``; the int32 input
    copies ``src``, ``dst``, ``etype``, ``ntype``; ``ntype_offsets``,
    ``ntype_nodes``; the pair CSRs ``unique_src_indptr``,
    ``unique_src_eids``, ``src_pair_indptr``, ``src_pair_ids`` and their
    ``dst`` mirrors; and ``stats`` (a dict).  ``_handle.ptr`` is the native
    ``HectorPreparedGraph *`` (what :mod:`hector.runtime` binds).
    """

    def __init__(self, handle: _Handle):
        self._handle = handle
        self._arrays: Dict[str, np.ndarray] = {}
        L = rt.lib()
        for name, idx in ARRAY_IDS.items():
            data = ctypes.c_void_p()
            kind = ctypes.c_int()
            length = ctypes.c_int64()
            if L.hectorPreparedGraphGetArray(handle.ptr, idx, ctypes.byref(data),
                                             ctypes.byref(kind),
                                             ctypes.byref(length)) != 0:
                raise RuntimeLibraryError(rt.last_error())
            cname = L.hectorPreparedArrayName(idx).decode()
            if cname != name:
                raise RuntimeLibraryError(
                    f"runtime array {idx} is '{cname}', expected '{name}'")
            ctype = ctypes.c_int32 if kind.value == rt.INDEX_INT32 else ctypes.c_int64
            dtype = np.int32 if kind.value == rt.INDEX_INT32 else np.int64
            n = length.value
            if n == 0 or not data.value:
                arr = np.zeros(0, dtype=dtype)
            else:
                buf = (ctype * n).from_address(data.value)
                buf._hector_owner = self  # keeps the handle alive
                arr = np.frombuffer(buf, dtype=dtype)
            arr.flags.writeable = False
            self._arrays[name] = arr
        st = rt.GraphStats()
        if L.hectorPreparedGraphGetStats(handle.ptr, ctypes.byref(st)) != 0:
            raise RuntimeLibraryError(rt.last_error())
        self.stats = _stats_dict(st)

    def __getattr__(self, name):
        arrays = self.__dict__.get("_arrays")
        if arrays is not None and name in arrays:
            return arrays[name]
        raise AttributeError(name)

    def arrays(self) -> Dict[str, np.ndarray]:
        return dict(self._arrays)

    @property
    def num_nodes(self) -> int:
        return self.stats["num_nodes"]

    @property
    def num_edges(self) -> int:
        return self.stats["num_edges"]

    @property
    def num_relations(self) -> int:
        return self.stats["num_relations"]

    @property
    def num_node_types(self) -> int:
        return self.stats["num_node_types"]

    def __repr__(self):
        s = self.stats
        return (f"PreparedGraph(nodes={s['num_nodes']}, edges={s['num_edges']}, "
                f"relations={s['num_relations']}, "
                f"unique_src_pairs={s['num_unique_src_pairs']})")


def _degree(d: rt.DegreeSummary) -> Dict[str, float]:
    return {"min": d.min, "max": d.max, "mean": d.mean, "stddev": d.stddev,
            "p50": d.p50, "p90": d.p90, "p99": d.p99, "num_zero": d.numZero}


def _stats_dict(st: rt.GraphStats) -> Dict[str, object]:
    return {"num_nodes": st.numNodes, "num_edges": st.numEdges,
            "num_relations": st.numRelations,
            "num_node_types": st.numNodeTypes,
            "num_empty_relations": st.numEmptyRelations,
            "num_isolated_nodes": st.numIsolatedNodes,
            "num_unique_src_pairs": st.numUniqueSrcPairs,
            "num_unique_dst_pairs": st.numUniqueDstPairs,
            "in_degree": _degree(st.inDegree),
            "out_degree": _degree(st.outDegree)}


def prepare_arrays(num_nodes: int, src, dst, etype, num_relations: int,
                   ntype=None, num_node_types: Optional[int] = None
                   ) -> PreparedGraph:
    """Prepare raw COO arrays.  Errors (bad ids, size mismatches) raise
    :class:`DataFormatError` naming the array."""
    L = rt.lib()
    s, ks = _index_array(src, "src")
    d, kd = _index_array(dst, "dst")
    r, kr = _index_array(etype, "etype")
    t, kt = _index_array(ntype, "ntype")
    if num_node_types is None:
        num_node_types = 1 if ntype is None else (
            int(np.max(ntype)) + 1 if len(ntype) else 0)
    coo = rt.COOGraph(int(num_nodes), int(s.length), int(num_relations),
                      int(num_node_types), s, d, r, t)
    out = ctypes.c_void_p()
    status = L.hectorGraphPrepare(ctypes.byref(coo), ctypes.byref(out))
    del ks, kd, kr, kt  # the inputs only need to live through the call
    if status != 0:
        msg = rt.last_error()
        if status in (1, 2, 3):
            raise DataFormatError(_strip_array_prefix(msg),
                                  array=_array_of(msg))
        raise RuntimeLibraryError(f"{rt.STATUS_NAMES.get(status, status)}: {msg}")
    return PreparedGraph(_Handle(out.value))


def _array_of(msg: str) -> Optional[str]:
    if msg.startswith("array '"):
        return msg[len("array '"):msg.index("'", len("array '"))]
    return None


def _strip_array_prefix(msg: str) -> str:
    name = _array_of(msg)
    return msg[len(f"array '{name}': "):] if name else msg


def prepare(graph) -> PreparedGraph:
    """Prepare a :class:`~hector.graph.HeteroGraph`."""
    return prepare_arrays(graph.num_nodes, graph.src, graph.dst, graph.etype,
                          graph.num_relations, graph.ntype, graph.num_ntypes)
