"""Locating and loading the native runtime library (libHectorRuntime.so).

Search order:

1. ``$HECTOR_RUNTIME_LIB`` (the full path of the library);
2. ``$HECTOR_BUILD_DIR/lib/libHectorRuntime.so``;
3. ``<repo>/build/lib/libHectorRuntime.so``;
4. ``<repo>/build-rt/lib/libHectorRuntime.so``.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import List, Optional

from .errors import RuntimeLibraryError

LIB_NAME = "libHectorRuntime.so"
ABI_VERSION = 2

_lib: Optional[ctypes.CDLL] = None


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def llvm_bin() -> Path:
    """LLVM's tools: ``$HECTOR_LLVM_BIN``, else Debian's llvm-22."""
    return Path(os.environ.get("HECTOR_LLVM_BIN", "/usr/lib/llvm-22/bin"))


def omp_lib_dir() -> Path:
    """Where the libomp that compiled CPU models link and load is."""
    return llvm_bin().parent / "lib"


def candidate_paths() -> List[Path]:
    out = []
    env = os.environ.get("HECTOR_RUNTIME_LIB")
    if env:
        out.append(Path(env))
    build = os.environ.get("HECTOR_BUILD_DIR")
    if build:
        out.append(Path(build) / "lib" / LIB_NAME)
    root = repo_root()
    out.append(root / "build" / "lib" / LIB_NAME)
    out.append(root / "build-rt" / "lib" / LIB_NAME)
    return out


def find_library() -> Path:
    env = os.environ.get("HECTOR_RUNTIME_LIB")
    if env and not Path(env).is_file():
        raise RuntimeLibraryError(
            f"HECTOR_RUNTIME_LIB={env} does not exist")
    for p in candidate_paths():
        if p.is_file():
            return p
    tried = "\n  ".join(str(p) for p in candidate_paths())
    raise RuntimeLibraryError(
        f"cannot find {LIB_NAME}; tried:\n  {tried}\n"
        f"Build it (no MLIR needed) with:\n"
        f"  cmake -G Ninja -S {repo_root()} -B {repo_root()}/build-rt "
        f"-DHECTOR_ENABLE_MLIR=OFF\n"
        f"  ninja -C {repo_root()}/build-rt HectorRuntime\n"
        f"or point HECTOR_BUILD_DIR / HECTOR_RUNTIME_LIB at an existing build.")


class IndexArray(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("type", ctypes.c_int),
                ("length", ctypes.c_int64)]


class COOGraph(ctypes.Structure):
    _fields_ = [("numNodes", ctypes.c_int64), ("numEdges", ctypes.c_int64),
                ("numRelations", ctypes.c_int64),
                ("numNodeTypes", ctypes.c_int64),
                ("src", IndexArray), ("dst", IndexArray),
                ("etype", IndexArray), ("ntype", IndexArray)]


class DegreeSummary(ctypes.Structure):
    _fields_ = [("min", ctypes.c_int64), ("max", ctypes.c_int64),
                ("mean", ctypes.c_double), ("stddev", ctypes.c_double),
                ("p50", ctypes.c_int64), ("p90", ctypes.c_int64),
                ("p99", ctypes.c_int64), ("numZero", ctypes.c_int64)]


class GraphStats(ctypes.Structure):
    _fields_ = [("numNodes", ctypes.c_int64), ("numEdges", ctypes.c_int64),
                ("numRelations", ctypes.c_int64),
                ("numNodeTypes", ctypes.c_int64),
                ("numEmptyRelations", ctypes.c_int64),
                ("numIsolatedNodes", ctypes.c_int64),
                ("numUniqueSrcPairs", ctypes.c_int64),
                ("numUniqueDstPairs", ctypes.c_int64),
                ("inDegree", DegreeSummary), ("outDegree", DegreeSummary)]


INDEX_INT32, INDEX_INT64 = 0, 1
STATUS_NAMES = {0: "ok", 1: "invalid argument", 2: "size mismatch",
                3: "out of range", 4: "out of memory", 5: "internal error"}


def lib() -> ctypes.CDLL:
    """The loaded runtime library (loaded once, on first use)."""
    global _lib
    if _lib is not None:
        return _lib
    path = find_library()
    try:
        L = ctypes.CDLL(str(path))
    except OSError as e:
        raise RuntimeLibraryError(f"cannot load {path}: {e}") from None
    L.hectorGraphPrepAbiVersion.restype = ctypes.c_int
    L.hectorGraphPrepAbiVersion.argtypes = []
    L.hectorGraphPrepare.restype = ctypes.c_int
    L.hectorGraphPrepare.argtypes = [ctypes.POINTER(COOGraph),
                                     ctypes.POINTER(ctypes.c_void_p)]
    L.hectorPreparedGraphDestroy.restype = None
    L.hectorPreparedGraphDestroy.argtypes = [ctypes.c_void_p]
    L.hectorPreparedGraphGetArray.restype = ctypes.c_int
    L.hectorPreparedGraphGetArray.argtypes = [
        ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int64)]
    L.hectorPreparedGraphGetStats.restype = ctypes.c_int
    L.hectorPreparedGraphGetStats.argtypes = [ctypes.c_void_p,
                                              ctypes.POINTER(GraphStats)]
    L.hectorPreparedArrayName.restype = ctypes.c_char_p
    L.hectorPreparedArrayName.argtypes = [ctypes.c_int]
    L.hectorGetLastError.restype = ctypes.c_char_p
    L.hectorGetLastError.argtypes = []
    got = L.hectorGraphPrepAbiVersion()
    if got != ABI_VERSION:
        raise RuntimeLibraryError(
            f"{path} has graph-preparation ABI version {got}, this package "
            f"expects {ABI_VERSION}; rebuild the runtime")
    _lib = L
    return L


def last_error() -> str:
    msg = lib().hectorGetLastError()
    return msg.decode("utf-8", "replace") if msg else ""
