"""One OpenMP runtime per process, shared with PyTorch.

Compiled CPU models run on LLVM's OpenMP (libomp); Debian's PyTorch runs its
operators on GCC's (libgomp).  Two runtimes mean two thread pools on the
same cores, and after each torch operator libgomp's workers spin for a while
(GOMP_SPINCOUNT) on the cores Hector's next parallel region needs.  In a
training step, which alternates torch operators and Hector calls, that cost
RGAT on AIFB a quarter of its layer forward+backward (44 -> 33 ms on a
2-core VM).

libomp also implements libgomp's ABI (``GOMP_*``, ``omp_*``).  Loaded with
RTLD_GLOBAL before torch, it is earlier in the symbol search than the
libgomp torch links, so torch's OpenMP calls bind to it and both share one
pool.  This is what conda's PyTorch builds do by shipping llvm-openmp.  It
must happen before ``import torch``: torch binds its symbols when it loads.
One consequence: ``torch.set_num_threads`` then also sets the threads of
Hector's CPU models.

``HECTOR_SHARED_OPENMP=0`` turns it off."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

from ._runtime import omp_lib_dir

#: Why the runtime is (or is not) shared; set at ``import hector``.
status = "not tried"


def libomp_path() -> Path:
    """The libomp that compiled models link (``-lomp``) and load."""
    return omp_lib_dir() / "libomp.so.5"


def share_with_torch() -> bool:
    """Load libomp globally if torch is not loaded yet; True if it was."""
    global status
    if os.environ.get("HECTOR_SHARED_OPENMP", "1") == "0":
        status = "off (HECTOR_SHARED_OPENMP=0)"
    elif not sys.platform.startswith("linux"):
        status = f"not on {sys.platform}"
    elif "torch" in sys.modules:
        status = "torch was imported before hector"
    else:
        path = libomp_path()
        try:
            ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
        except OSError as e:
            status = f"cannot load {path}: {e}"
        else:
            status = "shared"
    return status == "shared"
