"""AddressSanitizer is live in the sanitized test run.

scripts/test.sh runs the CPU tests a second time with HECTOR_SANITIZE=address
(models instrumented by LLVM's asan pass, the runtime built with
-fsanitize=address, GCC's libasan preloaded). This test shows that an
out-of-bounds read inside a compiled model is reported there: it calls a
model directly, behind the runtime's checks, with a feature buffer shorter
than the graph. Skipped in the plain run, where nothing would report it.
"""

import os
import subprocess
import sys
import textwrap

import pytest

PYTHON_DIR = os.path.join(os.path.dirname(__file__), os.pardir)

pytestmark = pytest.mark.skipif(
    os.environ.get("HECTOR_SANITIZE") != "address",
    reason="runs in the AddressSanitizer pass of scripts/test.sh "
           "(HECTOR_SANITIZE=address)")

SCRIPT = textwrap.dedent("""
    import ctypes, sys
    import numpy as np
    from hector import compiler, models
    from hector.prep import GRAPH_ABI_ARRAYS, prepare_arrays

    so = compiler.compile_module(models.rgcn(2, in_dim=8, out_dim=8))
    lib = ctypes.CDLL(str(so))
    N = 64
    src = np.arange(N, dtype=np.int64)
    dst = (src + 1) % N
    p = prepare_arrays(N, src, dst, np.zeros(N, np.int64), 2)
    arrays = [np.ascontiguousarray(getattr(p, n)) for n in GRAPH_ABI_ARRAYS]
    # The 33rd graph array, the binding's relation choice table: one int32
    # per relation, all 0 (the rgcn function is not split by relation).
    arrays.append(np.zeros(2, np.int32))

    def desc(a):
        r = a.ndim
        fields = [("a", ctypes.c_void_p), ("b", ctypes.c_void_p),
                  ("off", ctypes.c_int64)]
        if r:
            fields += [("sizes", ctypes.c_int64 * r),
                       ("strides", ctypes.c_int64 * r)]
        D = type("D", (ctypes.Structure,), {"_fields_": fields})
        d = D(); d.a = d.b = a.ctypes.data; d.off = 0
        for i in range(r):
            d.sizes[i] = a.shape[i]; d.strides[i] = a.strides[i] // a.itemsize
        return d

    h = np.ones((N // 2, 8), np.float32)   # half the rows the graph needs
    w = np.ones((2, 8, 8), np.float32)
    root = np.ones((8, 8), np.float32)
    bias = np.ones(8, np.float32)
    out = np.zeros((N, 8), np.float32)
    descs = [desc(a) for a in arrays + [h, w, root, bias, out]]
    fn = lib._mlir_ciface_rgcn
    fn.restype = None
    fn(*[ctypes.byref(d) for d in descs])
    print("no report")
""")


def test_out_of_bounds_read_is_reported(tmp_path):
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ,
                                   PYTHONPATH=os.path.abspath(PYTHON_DIR)))
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "AddressSanitizer: heap-buffer-overflow" in proc.stderr, \
        proc.stderr[-3000:]
    assert "no report" not in proc.stdout
