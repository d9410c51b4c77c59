"""The CUDA driver shim (libHectorCUDA.so, include/Hector/Runtime/CUDA.h)
and the runner's CUDA support (hector.runtime).

Most tests need no GPU: they run the shim against no driver at all, or
against a fake ``libcuda.so.1`` (fake_libcuda.c, built here with cc and
loaded through HECTOR_LIBCUDA) whose "device" memory is host memory and
whose kernels are host functions.  Each such test runs in a subprocess,
because the shim loads the driver once per process.  The tests that need a
real GPU skip with the reason ``cuda_available()`` gives.
"""

import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hector import runtime
from hector._runtime import find_library
from hector.runtime import ModelError, check_info

TESTS = Path(__file__).resolve().parent
PYTHON_DIR = TESTS.parent
PTXAS = Path("/usr/local/cuda/bin/ptxas")

MGPU_API = ["mgpuStreamCreate", "mgpuStreamSynchronize", "mgpuStreamDestroy",
            "mgpuMemAlloc", "mgpuMemFree", "mgpuMemcpy", "mgpuMemset32",
            "mgpuMemset16", "mgpuModuleLoad", "mgpuModuleLoadJIT",
            "mgpuModuleUnload", "mgpuModuleGetFunction", "mgpuLaunchKernel",
            "mgpuEventCreate", "mgpuEventDestroy", "mgpuEventSynchronize",
            "mgpuEventRecord", "mgpuStreamWaitEvent", "mgpuSetDefaultDevice"]


def shim_path() -> Path:
    return find_library().parent / "libHectorCUDA.so"


def have_shim() -> bool:
    return shim_path().is_file()


needs_shim = pytest.mark.skipif(
    not have_shim(), reason="the runtime was built without the CUDA shim "
                            "(HECTOR_ENABLE_CUDA=OFF)")


def gpu_reason():
    ok, why = runtime.cuda_available()
    return None if ok else why


def needs_gpu(fn):
    reason = gpu_reason()
    return pytest.mark.skipif(reason is not None,
                              reason=f"no usable GPU: {reason}")(fn)


# ---------------------------------------------------------------------------
# Subprocesses with a chosen driver
# ---------------------------------------------------------------------------

PREAMBLE = r'''
import ctypes, json, os, sys
import numpy as np
from hector import runtime
L = runtime._cuda()
vp, sz, ip = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_ssize_t
def proto(name, res, *args):
    f = getattr(L, name)
    f.restype, f.argtypes = res, list(args)
    return f
ModuleLoadJIT = proto("mgpuModuleLoadJIT", vp, ctypes.c_char_p, ctypes.c_int)
ModuleLoad = proto("mgpuModuleLoad", vp, ctypes.c_char_p, sz)
ModuleUnload = proto("mgpuModuleUnload", None, vp)
GetFunction = proto("mgpuModuleGetFunction", vp, vp, ctypes.c_char_p)
Launch = proto("mgpuLaunchKernel", None, vp, ip, ip, ip, ip, ip, ip,
               ctypes.c_int32, vp, ctypes.POINTER(vp), ctypes.POINTER(vp), sz)
StreamCreate = proto("mgpuStreamCreate", vp)
StreamSync = proto("mgpuStreamSynchronize", None, vp)
StreamDestroy = proto("mgpuStreamDestroy", None, vp)
StreamWaitEvent = proto("mgpuStreamWaitEvent", None, vp, vp)
MemAlloc = proto("mgpuMemAlloc", vp, ctypes.c_uint64, vp, ctypes.c_bool)
MemFree = proto("mgpuMemFree", None, vp, vp)
Memcpy = proto("mgpuMemcpy", None, vp, vp, sz, vp)
Memset32 = proto("mgpuMemset32", None, vp, ctypes.c_uint, sz, vp)
Memset16 = proto("mgpuMemset16", None, vp, ctypes.c_ushort, sz, vp)
EventCreate = proto("mgpuEventCreate", vp)
EventDestroy = proto("mgpuEventDestroy", None, vp)
EventSync = proto("mgpuEventSynchronize", None, vp)
EventRecord = proto("mgpuEventRecord", None, vp, vp)
SetDefaultDevice = proto("mgpuSetDefaultDevice", None, ctypes.c_int32)
def err():
    return L.hectorCudaGetLastError().decode()
def status():
    return L.hectorCudaPeekError(None)
def clear():
    L.hectorCudaClearError()
def log():
    p = os.environ.get("FAKE_CUDA_LOG")
    return open(p).read().splitlines() if p and os.path.exists(p) else []
def params(*values):
    arr = (vp * max(1, len(values)))()
    for k, v in enumerate(values):
        arr[k] = ctypes.cast(ctypes.pointer(v), vp)
    return arr
out = {}
'''


def run_py(code: str, prelude: str = "", **env) -> dict:
    """Runs PREAMBLE, ``prelude`` and ``code`` in a fresh interpreter;
    returns its ``out``."""
    full = dict(os.environ)
    full["PYTHONPATH"] = str(PYTHON_DIR) + os.pathsep + full.get(
        "PYTHONPATH", "")
    for k in ("HECTOR_LIBCUDA", "HECTOR_CUDA_SYNC_CHECK", "FAKE_CUDA_LOG",
              "FAKE_CUDA_FAIL", "FAKE_CUDA_INIT", "FAKE_CUDA_DEVICES"):
        full.pop(k, None)
    full.update({k: str(v) for k, v in env.items()})
    script = PREAMBLE + prelude + textwrap.dedent(code) + \
        "\nprint('@@' + json.dumps(out))\n"
    proc = subprocess.run([sys.executable, "-c", script], env=full,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    assert proc.returncode == 0, (
        f"subprocess failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")][-1]
    return json.loads(line[2:])


@pytest.fixture(scope="session")
def fake_driver(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("fakecuda")
    lib = tmp / "libcuda.so.1"
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-Wall", "-o", str(lib),
                    str(TESTS / "fake_libcuda.c")], check=True)
    return lib


def fake_env(driver: Path, tmp: Path, **extra) -> dict:
    env = {"HECTOR_LIBCUDA": str(driver), "FAKE_CUDA_LOG": str(tmp / "log")}
    env.update(extra)
    return env


# ---------------------------------------------------------------------------
# Building and loading without a GPU
# ---------------------------------------------------------------------------

@needs_shim
def test_shim_builds_and_exports_the_mgpu_api():
    lib = ctypes.CDLL(str(shim_path()))
    for name in MGPU_API + ["hectorCudaAvailable", "hectorCudaGetLastError"]:
        assert hasattr(lib, name), name
    nm = subprocess.run(["nm", "-D", "--defined-only", str(shim_path())],
                        stdout=subprocess.PIPE, text=True, check=True).stdout
    defined = {line.split()[-1] for line in nm.splitlines() if line.strip()}
    assert set(MGPU_API) <= defined
    # No link-time dependency on the driver: it is dlopened.
    needed = subprocess.run(["readelf", "-d", str(shim_path())],
                            stdout=subprocess.PIPE, text=True).stdout
    assert "libcuda" not in needed


@needs_shim
def test_cuda_available_states_a_reason():
    ok, why = runtime.cuda_available()
    if ok:
        assert why == ""
        info = runtime.cuda_device_info(0)
        assert info["multiprocessors"] > 0 and info["total_memory"] > 0
    else:
        assert why and ("not found" in why or "no CUDA device" in why
                        or "cuInit" in why), why


@needs_shim
def test_no_driver_every_call_fails_cleanly(tmp_path):
    out = run_py(r'''
    why = ctypes.create_string_buffer(256)
    out["available"] = L.hectorCudaAvailable(why, 256)
    out["why"] = why.value.decode()
    out["why_tiny"] = L.hectorCudaAvailable(why, 4), why.value.decode()
    n = ctypes.c_int32(7)
    out["count"] = L.hectorCudaGetDeviceCount(ctypes.byref(n)), n.value
    out["count_error"] = err(); clear()
    info = runtime._DeviceInfoC()
    out["info"] = L.hectorCudaDeviceInfo(0, ctypes.byref(info)); clear()
    p = vp(123)
    out["malloc"] = L.hectorCudaMalloc(ctypes.byref(p), 64), p.value
    out["malloc_error"] = err()
    out["pending_status"] = status()
    # While the error is pending, control calls refuse and mgpu calls are
    # no-ops returning NULL.
    buf = np.zeros(4, np.float32)
    out["pending"] = [L.hectorCudaMemcpyHtoD(vp(16), buf.ctypes.data, 16),
                      L.hectorCudaSynchronize(),
                      L.hectorCudaMemsetD32(vp(16), 0, 4)]
    out["null_handles"] = [StreamCreate(), MemAlloc(64, None, False),
                           ModuleLoadJIT(b"ptx", 2), EventCreate(),
                           GetFunction(vp(8), b"k")]
    Launch(vp(8), 1, 1, 1, 1, 1, 1, 0, None, None, None, 0)
    MemFree(None, None); ModuleUnload(None); StreamDestroy(None)
    out["still_first"] = err()
    clear()
    out["after_clear"] = []
    for call in (lambda: L.hectorCudaMemcpyDtoH(buf.ctypes.data, vp(16), 16),
                 lambda: L.hectorCudaEventCreate(ctypes.byref(p)),
                 lambda: L.hectorCudaFree(None),
                 lambda: L.hectorCudaFree(vp(64)),
                 lambda: L.hectorCudaEventDestroy(vp(64))):
        out["after_clear"].append(call())
        clear()
    # Releasing is not refused while an error is pending.
    L.hectorCudaSynchronize()
    out["free_pending"] = [L.hectorCudaFree(None), L.hectorCudaFree(vp(64))]
    out["first_kept"] = err().startswith("hectorCudaSynchronize:")
    clear()
    out["launch_error"] = (Launch(vp(8), 1, 1, 1, 1, 1, 1, 0, None, None,
                                  None, 0), err())
    clear()
    ok, reason = runtime.cuda_available()
    out["py"] = [ok, reason]
    try:
        runtime.DeviceBuffer((4,), np.float32)
    except runtime.CudaError as e:
        out["py_error"] = [str(e), e.status]
    out["py_cleared"] = status()
    ''', HECTOR_LIBCUDA=str(tmp_path / "nowhere" / "libcuda.so.1"))
    assert out["available"] == 0
    assert out["why"].startswith(str(tmp_path / "nowhere" / "libcuda.so.1")
                                 + " not found: ")
    assert out["why_tiny"][0] == 0 and len(out["why_tiny"][1]) == 3
    assert out["count"] == [1, 0]  # UNAVAILABLE
    assert "hectorCudaGetDeviceCount: CUDA is not available" in \
        out["count_error"]
    assert out["info"] == 1
    assert out["malloc"] == [1, None]
    assert out["malloc_error"].startswith(
        "hectorCudaMalloc: CUDA is not available: ")
    assert out["pending_status"] == 1
    assert out["pending"] == [5, 5, 5]  # HECTOR_CUDA_ERROR_PENDING
    assert out["null_handles"] == [None] * 5
    assert out["still_first"] == out["malloc_error"]
    assert out["after_clear"] == [1, 1, 0, 1, 1]  # freeing NULL succeeds
    assert out["free_pending"] == [0, 1] and out["first_kept"]
    assert out["launch_error"][1].startswith("mgpuLaunchKernel: CUDA is not "
                                             "available")
    assert out["py"][0] is False and "not found" in out["py"][1]
    assert "CUDA is not available" in out["py_error"][0]
    assert out["py_error"][1] == "unavailable"
    assert out["py_cleared"] == 0


# ---------------------------------------------------------------------------
# The info parser's target record
# ---------------------------------------------------------------------------

BODY = ("func f entry=_mlir_ciface_f params=2\n"
        "arg 0 tensor shape=4 type=f32\n"
        "result tensor shape=4 type=f32\n"
        "end\n")


@pytest.mark.parametrize("target", ["target cuda chip=sm_80\n",
                                    "target cuda chip=sm_90a\n",
                                    "target cuda chip=sm_100\n",
                                    "target cpu\n", ""])
def test_info_accepts_targets(target):
    check_info("hector-model 1\n" + target + BODY)


@pytest.mark.parametrize("target,message", [
    ("target rocm chip=gfx90a\n",
     "line 2: unknown target 'rocm' (this runtime runs models compiled for "
     "'cpu' and 'cuda')"),
    ("target cuda\n", "line 2: expected 'target cuda chip=sm_NN', got 2 "
                      "fields"),
    ("target cuda sm_80\n", "line 2: expected 'chip=...', got 'sm_80'"),
    ("target cuda chip=80\n", "line 2: bad chip '80'"),
    ("target cuda chip=sm_\n", "line 2: bad chip 'sm_'"),
    ("target cuda chip=sm_80ab\n", "line 2: bad chip 'sm_80ab'"),
    ("target cuda chip=sm_80 fast=1\n", "line 2: expected 'target cuda "
                                        "chip=sm_NN', got 4 fields"),
    ("target cpu x\n", "line 2: expected 'target cpu', got 3 fields"),
    ("target\n", "line 2: expected 'target cpu' or 'target cuda"),
])
def test_info_rejects_bad_targets(target, message):
    with pytest.raises(ModelError) as e:
        check_info("hector-model 1\n" + target + BODY)
    assert message in str(e.value)


def test_info_target_must_follow_version():
    text = ("hector-model 1\n" + BODY[:-4] + "target cuda chip=sm_80\nend\n")
    with pytest.raises(ModelError, match="line 5: expected 'result' or "
                                         "'end' after a result"):
        check_info(text)
    text = ("hector-model 1\nfunc f entry=_mlir_ciface_f params=2\n"
            "target cuda chip=sm_80\n" + BODY.split("\n", 1)[1])
    with pytest.raises(ModelError, match="line 3: the 'target' record must "
                                         "directly follow"):
        check_info(text)


# ---------------------------------------------------------------------------
# The shim against a fake driver
# ---------------------------------------------------------------------------

@needs_shim
def test_fake_driver_launch_sequence(fake_driver, tmp_path):
    out = run_py(r'''
    out["available"] = runtime.cuda_available()
    out["info"] = runtime.cuda_device_info(0)
    m = ModuleLoadJIT(b"// fake PTX", 3)
    s = StreamCreate()
    n = 1000
    p = MemAlloc(4 * n, s, False)
    f = GetFunction(m, b"fill_f32")
    ptr, val, cnt = vp(p), ctypes.c_float(2.5), ctypes.c_int64(n)
    Launch(f, 8, 1, 1, 128, 1, 1, 0, s, params(ptr, val, cnt), None, 3)
    StreamSync(s)
    host = np.zeros(n, np.float32)
    Memcpy(host.ctypes.data, p, 4 * n, s)
    out["sum"] = float(host.sum())
    Memset32(p, 0x3f800000, n, s)   # 1.0f
    Memcpy(host.ctypes.data, p, 4 * n, s)
    out["sum1"] = float(host.sum())
    e = EventCreate(); EventRecord(e, s); StreamWaitEvent(s, e)
    EventSync(e); EventDestroy(e)
    managed = MemAlloc(64, s, True)
    MemFree(managed, s)
    MemFree(p, s)
    StreamDestroy(s)
    ModuleUnload(m)
    out["zero_alloc"] = MemAlloc(0, None, False)
    # Without a stream: a synchronous allocation and free.
    q = MemAlloc(16, None, False)
    MemFree(q, None)
    out["err"] = err()
    out["log"] = log()
    times = runtime.cuda_time(lambda: None, runs=3, warmup=1)
    out["times"] = times.tolist()
    start = len(log())
    runtime.cuda_trim_memory()
    out["trim_log"] = log()[start:]
    ''', **fake_env(fake_driver, tmp_path))
    assert out["available"] == [True, ""]
    info = out["info"]
    assert info["name"] == "Fake GPU 0" and info["chip"] == "sm_80"
    assert info["multiprocessors"] == 108
    assert info["total_memory"] == 40 << 30
    assert info["max_block_dim"] == [1024, 1024, 64]
    assert out["sum"] == 2500.0 and out["sum1"] == 1000.0
    assert out["err"] == "" and out["zero_alloc"] is None
    # The device's pool keeps freed memory (release threshold 2^64 - 1);
    # an allocation on a stream comes from it, in stream order.
    assert out["log"][:11] == [
        "cuInit", "cuDevicePrimaryCtxRetain 0", "cuDeviceGetDefaultMemPool 0",
        "cuMemPoolSetAttribute 4 18446744073709551615", "cuCtxSetCurrent",
        "cuModuleLoadDataEx O=3", "cuStreamCreate", "cuMemAllocAsync 4000",
        "cuLaunchKernel fill_f32 8x1x1 128x1x1 0", "cuStreamSynchronize",
        "cuMemcpyAsync 4000"]
    # The context is made current once per thread, not per call.
    assert out["log"].count("cuCtxSetCurrent") == 1
    assert "cuMemAllocManaged 64" in out["log"]
    # Managed memory and memory allocated without a stream are freed with
    # cuMemFree even when a stream is given; pooled memory in stream order.
    assert out["log"].count("cuMemFree_v2") == 2
    assert out["log"].count("cuMemFreeAsync") == 1
    assert "cuMemAlloc_v2 16" in out["log"]
    assert out["trim_log"] == ["cuCtxSynchronize", "cuMemPoolTrimTo 0"]
    calls = out["log"]
    assert calls.index("cuStreamDestroy_v2") < calls.index("cuModuleUnload")
    assert calls.count("cuEventRecord") == 1
    # Two events per timed run (1.5 ms apart on the fake clock).
    assert out["times"] == [1.5, 1.5, 1.5]


@needs_shim
def test_fake_driver_launch_error_is_sticky(fake_driver, tmp_path):
    out = run_py(r'''
    m = ModuleLoadJIT(b"ptx", 2)
    s = StreamCreate()
    p = MemAlloc(16, s, False)
    f = GetFunction(m, b"fill_f32")
    ptr, val, cnt = vp(p), ctypes.c_float(1), ctypes.c_int64(4)
    Launch(f, 1, 1, 1, 4, 1, 1, 0, s, params(ptr, val, cnt), None, 3)
    out["err"] = err()
    code = ctypes.c_int32()
    out["status"] = L.hectorCudaPeekError(ctypes.byref(code)), code.value
    before = len(log())
    # Everything after the error is a no-op.
    out["noop"] = [MemAlloc(16, s, False), StreamCreate(), GetFunction(m, b"fill_f32")]
    Launch(f, 1, 1, 1, 4, 1, 1, 0, s, params(ptr, val, cnt), None, 3)
    StreamSync(s); MemFree(p, s)
    out["calls_after"] = log()[before:]
    out["control"] = L.hectorCudaSynchronize()
    clear()
    out["recovered"] = MemAlloc(16, s, False) is not None
    ''', **fake_env(fake_driver, tmp_path,
                    FAKE_CUDA_FAIL="cuLaunchKernel:701"))
    assert out["err"] == (
        "mgpuLaunchKernel: kernel 'fill_f32' (grid 1x1x1, block 4x1x1, 0 "
        "bytes shared): cuLaunchKernel failed: "
        "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (too many resources requested "
        "for launch)")
    assert out["status"] == [2, 701]
    assert out["noop"] == [None, None, None]
    assert out["calls_after"] == []
    assert out["control"] == 5
    assert out["recovered"]


@needs_shim
def test_fake_driver_invalid_launches_are_errors(fake_driver, tmp_path):
    out = run_py(r'''
    m = ModuleLoadJIT(b"ptx", 2)
    f = GetFunction(m, b"fault")
    cases = {"null": (None, 1, 1, 1, 1, 1, 1, 0),
             "grid0": (f, 0, 1, 1, 1, 1, 1, 0),
             "gridneg": (f, 1, -3, 1, 1, 1, 1, 0),
             "gridy": (f, 1, 70000, 1, 1, 1, 1, 0),
             "block": (f, 1, 1, 1, 2048, 1, 1, 0),
             "blockz": (f, 1, 1, 1, 1, 1, 65, 0),
             "threads": (f, 1, 1, 1, 1024, 2, 1, 0),
             "smem": (f, 1, 1, 1, 1, 1, 1, -1)}
    for name, args in cases.items():
        Launch(*args, None, None, None, 0)
        out[name] = [err(), status()]
        clear()
    Launch(f, 1, 1, 1, 1, 1, 1, 0, None, None, None, 2)
    out["params"] = err(); clear()
    out["null_module"] = [GetFunction(None, b"k"), err()]; clear()
    out["missing"] = [GetFunction(m, b"nope"), err()]; clear()
    out["opt"] = [ModuleLoadJIT(b"ptx", 9), err()]; clear()
    out["null_data"] = [ModuleLoadJIT(None, 2), err()]; clear()
    Memcpy(None, vp(8), 4, None)
    out["memcpy"] = err(); clear()
    SetDefaultDevice(3)
    out["device"] = [StreamCreate(), err()]; clear()
    SetDefaultDevice(0)
    out["launches"] = [l for l in log() if l.startswith("cuLaunchKernel")]
    ''', **fake_env(fake_driver, tmp_path))
    k = "mgpuLaunchKernel: kernel 'fault' "
    assert out["null"][0] == ("mgpuLaunchKernel: the function is null "
                              "(mgpuModuleGetFunction failed?)")
    assert out["null"][1] == 3
    assert out["grid0"][0] == k + (
        "(grid 0x1x1, block 1x1x1, 0 bytes shared): grid x dimension 0 out "
        "of range [1, 2147483647]")
    assert "grid y dimension -3 out of range" in out["gridneg"][0]
    assert "grid y dimension 70000 out of range [1, 65535]" in out["gridy"][0]
    assert "block x dimension 2048 out of range [1, 1024]" in out["block"][0]
    assert "block z dimension 65 out of range [1, 64]" in out["blockz"][0]
    assert "2048 threads per block, more than the device's 1024" in \
        out["threads"][0]
    assert "negative dynamic shared memory" in out["smem"][0]
    assert all(out[c][1] == 3 for c in ("grid0", "block", "threads", "smem"))
    assert "2 parameters but no parameter array" in out["params"]
    assert out["null_module"] == [None, (
        "mgpuModuleGetFunction: kernel 'k': the module is null (loading the "
        "model's GPU code failed earlier)")]
    assert out["missing"] == [None, (
        "mgpuModuleGetFunction: kernel 'nope': cuModuleGetFunction failed: "
        "CUDA_ERROR_NOT_FOUND (named symbol not found)")]
    assert out["opt"][1] == ("mgpuModuleLoadJIT: PTX optimization level 9 "
                             "out of range [0, 4]")
    assert out["null_data"][1] == "mgpuModuleLoadJIT: module data is null"
    assert out["memcpy"] == ("mgpuMemcpy: null destination pointer (copying "
                             "4 bytes)")
    assert out["device"] == [None, "mgpuStreamCreate: device 3 out of range "
                                   "[0, 1)"]
    assert out["launches"] == []  # none reached the driver


@needs_shim
def test_fake_driver_jit_log_and_async_faults(fake_driver, tmp_path):
    out = run_py(r'''
    out["jit"] = [ModuleLoadJIT(b"...SYNTAX_ERROR...", 2), err()]; clear()
    out["cubin"] = [ModuleLoad(b"SYNTAX_ERROR", 12), err()]; clear()
    m = ModuleLoadJIT(b"ptx", 2)
    s = StreamCreate()
    f = GetFunction(m, b"fault")
    Launch(f, 1, 1, 1, 1, 1, 1, 0, s, None, None, 0)
    out["launch"] = err()
    StreamSync(s)
    out["sync"] = err(); clear()
    out["ctx"] = [L.hectorCudaSynchronize(), err()]; clear()
    ''', **fake_env(fake_driver, tmp_path))
    assert out["jit"][0] is None
    assert out["jit"][1] == (
        "mgpuModuleLoadJIT: cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX "
        "(a PTX JIT compilation failed)\nPTX JIT error log:\nptxas "
        "application ptx input, line 3; fatal   : Parsing error near "
        "'SYNTAX_ERROR': syntax error")
    assert out["cubin"][1].startswith("mgpuModuleLoad: cuModuleLoadDataEx "
                                      "failed: CUDA_ERROR_INVALID_PTX")
    assert "\nerror log:\nptxas" in out["cubin"][1]
    assert out["launch"] == ""
    assert out["sync"] == (
        "mgpuStreamSynchronize: after kernel 'fault' (the last launched on "
        "this stream; HECTOR_CUDA_SYNC_CHECK=1 names the one that failed), "
        "cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS "
        "(an illegal memory access was encountered)")
    assert out["ctx"] == [2, (
        "hectorCudaSynchronize: after kernel 'fault' (the last launched in "
        "this process; HECTOR_CUDA_SYNC_CHECK=1 names the one that failed), "
        "cuCtxSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS "
        "(an illegal memory access was encountered)")]


@needs_shim
def test_fake_driver_sync_check_names_the_kernel(fake_driver, tmp_path):
    out = run_py(r'''
    m = ModuleLoadJIT(b"ptx", 2)
    s = StreamCreate()
    Launch(GetFunction(m, b"fault"), 2, 1, 1, 32, 1, 1, 0, s, None, None, 0)
    out["err"] = err()
    ''', **fake_env(fake_driver, tmp_path, HECTOR_CUDA_SYNC_CHECK=1))
    assert out["err"] == (
        "mgpuLaunchKernel: kernel 'fault' (grid 2x1x1, block 32x1x1, 0 bytes "
        "shared): cuStreamSynchronize (HECTOR_CUDA_SYNC_CHECK=1) failed: "
        "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was "
        "encountered)")


@needs_shim
@pytest.mark.parametrize("env,reason", [
    ({"FAKE_CUDA_INIT": "100"},
     "no CUDA device: cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable "
     "device is detected)"),
    ({"FAKE_CUDA_DEVICES": "0"},
     "no CUDA device (cuDeviceGetCount returned 0)"),
])
def test_fake_driver_without_devices(fake_driver, tmp_path, env, reason):
    out = run_py(r'''
    out["available"] = runtime.cuda_available()
    out["alloc"] = [MemAlloc(8, None, False), err()]
    ''', **fake_env(fake_driver, tmp_path, **env))
    assert out["available"] == [False, reason]
    assert out["alloc"] == [None, "mgpuMemAlloc: CUDA is not available: " +
                            reason]


@needs_shim
def test_driver_without_required_symbol(tmp_path):
    lib = tmp_path / "libcuda.so.1"
    src = tmp_path / "old.c"
    src.write_text("int cuInit(unsigned f) { (void)f; return 0; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)],
                   check=True)
    out = run_py('out["available"] = runtime.cuda_available()',
                 HECTOR_LIBCUDA=str(lib))
    assert out["available"] == [False, f"{lib} has no cuDriverGetVersion (a "
                                       f"CUDA driver older than this shim "
                                       f"supports?)"]


# ---------------------------------------------------------------------------
# The runner with fake CUDA models
# ---------------------------------------------------------------------------

CUDA_INFO = (
    "hector-model 1\n"
    "target cuda chip=sm_80\n"
    "func f entry=_mlir_ciface_f params=36\n"
    "graph node_types=2 relations=3 triples=-\n"
    "arg 0 graph\n"
    "arg 1 feat domain=node shape=4 type=f32\n"
    "arg 2 tensor shape=scalar type=f32\n"
    "result feat domain=node shape=4 type=f32\n"
    "end\n")

# The same with a second result (like a combined backward), which the model
# writes by launching KERNEL2 into its last buffer.
CUDA_INFO_TWO = CUDA_INFO.replace("params=36", "params=37").replace(
    "end\n", "result feat domain=node shape=4 type=f32\nend\n")

# Like the host code of MLIR's gpu-to-llvm after hector-gpu-one-stream: the
# module is loaded by a global constructor, the entry point gets device
# pointers in memref descriptors and puts its work on one stream.
CUDA_MODEL = r'''
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
void *mgpuModuleLoadJIT(void *, int);
void mgpuModuleUnload(void *);
void *mgpuModuleGetFunction(void *, const char *);
void mgpuLaunchKernel(void *, intptr_t, intptr_t, intptr_t, intptr_t,
                      intptr_t, intptr_t, int32_t, void *, void **, void **,
                      size_t);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *);
void mgpuStreamDestroy(void *);
void *mgpuMemAlloc(uint64_t, void *, bool);
void mgpuMemFree(void *, void *);
const char *hector_model_info(void) { return INFO; }
static void *module;
__attribute__((constructor)) static void load(void) {
  module = mgpuModuleLoadJIT((void *)PTX, 2);
}
__attribute__((destructor)) static void unload(void) {
  mgpuModuleUnload(module);
}
#define D(k) ((int64_t *)p[k])
#ifdef KERNEL2
#define EXTRA_PARAM , void *p36
#define EXTRA_ARG , p36
#else
#define EXTRA_PARAM
#define EXTRA_ARG
#endif
void _mlir_ciface_f(void *p0, void *p1, void *p2, void *p3, void *p4,
    void *p5, void *p6, void *p7, void *p8, void *p9, void *p10, void *p11,
    void *p12, void *p13, void *p14, void *p15, void *p16, void *p17,
    void *p18, void *p19, void *p20, void *p21, void *p22, void *p23,
    void *p24, void *p25, void *p26, void *p27, void *p28, void *p29,
    void *p30, void *p31, void *p32, void *p33, void *p34, void *p35
    EXTRA_PARAM) {
  void *p[] = {p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13,
               p14, p15, p16, p17, p18, p19, p20, p21, p22, p23, p24, p25,
               p26, p27, p28, p29, p30, p31, p32, p33, p34, p35 EXTRA_ARG};
  void *stream = mgpuStreamCreate();
  void *tmp = mgpuMemAlloc(256, stream, false);
  void *fn = mgpuModuleGetFunction(module, KERNEL);
  void *indptr = (void *)D(8)[1], *h = (void *)D(33)[1];
  void *s = (void *)D(34)[1], *out = (void *)D(35)[1];
  int64_t n = D(33)[3], f = D(33)[4];
  void *args[] = {&indptr, &h, &s, &out, &n, &f};
  mgpuLaunchKernel(fn, (n * f + 127) / 128, 1, 1, 128, 1, 1, 0, stream, args,
                   NULL, 6);
#ifdef KERNEL2
  void *fn2 = mgpuModuleGetFunction(module, KERNEL2);
  void *out2 = (void *)D(36)[1];
  void *args2[] = {&indptr, &h, &s, &out2, &n, &f};
  mgpuLaunchKernel(fn2, (n * f + 127) / 128, 1, 1, 128, 1, 1, 0, stream,
                   args2, NULL, 6);
#endif
  mgpuMemFree(tmp, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}
'''


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace(
        "\n", "\\n") + '"'


@pytest.fixture(scope="session")
def cuda_models(tmp_path_factory):
    """Fake CUDA models: {variant: path}, linked against the shim."""
    if not have_shim():
        pytest.skip("the runtime was built without the CUDA shim")
    tmp = tmp_path_factory.mktemp("cudamodels")
    src = tmp / "model.c"
    src.write_text(CUDA_MODEL)
    libdir = shim_path().parent
    out = {}
    for name, kernel, ptx, kernel2 in [
            ("good", "indeg_scale", "// ptx", None),
            ("partial", "indeg_scale_partial", "// ptx", None),
            ("fault", "fault", "// ptx", None),
            ("badptx", "indeg_scale", "SYNTAX_ERROR", None),
            ("missing", "no_such_kernel", "// ptx", None),
            ("two", "indeg_scale", "// ptx", "indeg_scale"),
            ("two_partial", "indeg_scale", "// ptx", "indeg_scale_partial")]:
        so = tmp / f"{name}.so"
        info = CUDA_INFO if kernel2 is None else CUDA_INFO_TWO
        extra = [] if kernel2 is None else [f"-DKERNEL2=\"{kernel2}\""]
        subprocess.run(
            ["cc", "-shared", "-fPIC", "-O1", "-o", str(so), str(src),
             f"-DINFO={c_string(info)}", f"-DKERNEL=\"{kernel}\"",
             f"-DPTX=\"{ptx}\"", *extra, f"-L{libdir}", "-lHectorCUDA",
             f"-Wl,-rpath,{libdir}"], check=True)
        out[name] = so
    return out


RUNNER_PREAMBLE = r'''
from hector.prep import prepare_arrays
rng = np.random.default_rng(0)
n, e = 40, 200
src, dst = rng.integers(0, n, e), rng.integers(0, n, e)
rel, nt = rng.integers(0, 3, e), rng.integers(0, 2, n)
g = prepare_arrays(n, src, dst, rel, 3, nt, 2)
h = rng.standard_normal((n, 4)).astype(np.float32)
want = h * np.float32(3) + np.bincount(dst, minlength=n)[:, None].astype(
    np.float32)
def same(a):
    return bool(a.dtype == np.float32 and np.allclose(a, want, rtol=1e-6))
def model(name):
    return runtime.load(os.environ["MODEL_" + name.upper()])
def attempt(f):
    try:
        f()
        return None
    except (runtime.ModelError, runtime.CudaError) as e:
        return [str(e), getattr(e, "status", "")]
'''


def model_env(models, **extra):
    env = {f"MODEL_{k.upper()}": str(v) for k, v in models.items()}
    env.update(extra)
    return env


@needs_shim
def test_runner_cuda_model_on_fake_driver(fake_driver, cuda_models,
                                          tmp_path):
    out = run_py(prelude=RUNNER_PREAMBLE, code=r'''
    m = model("good")
    fn = m.function()
    out["target"] = [m.target, m.chip, fn.target]
    out["load_log"] = log()
    b = fn.bind(g)
    bind_log = log()[len(out["load_log"]):]
    out["bind_allocs"] = [l for l in bind_log if l.startswith("cuMemAlloc")]
    out["bind_copies"] = len([l for l in bind_log if l.startswith("cuMemcpyHtoD")])
    start = len(log())
    res = b.run([h, np.float32(3)])
    out["run_log"] = log()[start:]
    out["ok"] = same(res)
    # Device pointers: no copies around the call.
    dh, ds = b.upload_inputs([h, np.float32(3)])
    dout = runtime.DeviceBuffer(b.result_shape, np.float32)
    start = len(log())
    r = b.run([dh, ds], out=dout, poison=False)
    out["device_log"] = log()[start:]
    out["device_ok"] = r is dout and same(dout.to_host())
    # Mixed inputs upload the numpy ones; the poison check downloads once.
    out["mixed_ok"] = same(b.run([h, ds]).to_host())
    out["bad_dtype"] = attempt(lambda: b.run([runtime.to_device(h.astype(np.float64)), ds]))
    out["bad_size"] = attempt(lambda: b.run([runtime.to_device(h[:3]), ds]))
    del b
    out["freed"] = log()[-1]
    ''', **fake_env(fake_driver, tmp_path), **model_env(cuda_models))
    assert out["target"] == ["cuda", "sm_80", "cuda"]
    # Loading ran the model's constructor: its PTX was JIT-loaded.
    assert out["load_log"][-1] == "cuModuleLoadDataEx O=2"
    # The graph goes up once, in one allocation (arrays 256-byte aligned):
    # one copy per non-empty graph array, the 32 of the prepared graph and
    # the binding's relation choice table (3 relations).
    assert len(out["bind_allocs"]) == 1
    assert out["bind_copies"] == 33
    run = out["run_log"]
    assert run[0].startswith("cuMemAlloc_v2 ")
    # h and s uploaded, the poisoned result too; downloaded after the sync.
    assert [l.split()[0] for l in run if "cpy" in l] == [
        "cuMemcpyHtoD_v2"] * 3 + ["cuMemcpyDtoH_v2"]
    assert run.index("cuCtxSynchronize") < run.index("cuMemcpyDtoH_v2 640")
    assert "cuLaunchKernel indeg_scale 2x1x1 128x1x1 0" in run
    assert run[-1] == "cuMemFree_v2"
    assert out["ok"] and out["device_ok"] and out["mixed_ok"]
    assert not any("cpy" in l for l in out["device_log"])
    # Only the model's own temporary is allocated, from the pool on the
    # model's stream, and freed in that stream's order.
    assert [l for l in out["device_log"] if l.startswith("cuMemAlloc")] == [
        "cuMemAllocAsync 256"]
    assert "cuMemFreeAsync" in out["device_log"]
    assert "DeviceBuffer holds float64, expected float32" in \
        out["bad_dtype"][0]
    assert out["bad_size"][0].startswith(
        "argument 1 (feat domain=node shape=4 type=f32): buffer has 12 "
        "elements, expected 160")
    assert out["freed"] == "cuMemFree_v2"


@needs_shim
def test_runner_cuda_two_results_on_fake_driver(fake_driver, cuda_models,
                                                tmp_path):
    """A function with two results (like a combined backward): host buffers
    upload both poisoned results and download both; device pointers copy
    nothing; the single-result call refuses it; an unwritten element of the
    second result is caught."""
    out = run_py(prelude=RUNNER_PREAMBLE, code=r'''
    b = model("two").function().bind(g)
    out["shapes"] = [list(s) for s in b.result_shapes]
    start = len(log())
    res = b.run_all([h, np.float32(3)])
    out["copies"] = [l.split()[0] for l in log()[start:] if "cpy" in l]
    out["ok"] = len(res) == 2 and all(same(r) for r in res)
    dev = b.upload_inputs([h, np.float32(3)])
    start = len(log())
    r = b.run_all(dev, poison=False)
    out["device_copies"] = [l for l in log()[start:] if "cpy" in l]
    out["device_ok"] = all(same(x.to_host()) for x in r)
    out["single"] = attempt(lambda: b.run([h, np.float32(3)]))
    b = model("two_partial").function().bind(g)
    out["partial"] = attempt(lambda: b.run_all([h, np.float32(3)]))
    ''', **fake_env(fake_driver, tmp_path), **model_env(cuda_models))
    assert out["shapes"] == [[40, 4], [40, 4]]
    # h, s and both poisoned results up; both results down.
    assert out["copies"] == ["cuMemcpyHtoD_v2"] * 4 + ["cuMemcpyDtoH_v2"] * 2
    assert out["ok"] and out["device_ok"]
    assert out["device_copies"] == []
    assert out["single"] == [
        "function 'f' has 2 results; call run_all()", "size mismatch"]
    assert out["partial"] == [
        "function 'f' left 1 of 160 result elements unwritten (still "
        "poisoned; first at index (39, 3))", "internal error"]


@needs_shim
def test_runner_cuda_errors_on_fake_driver(fake_driver, cuda_models,
                                           tmp_path):
    out = run_py(prelude=RUNNER_PREAMBLE, code=r'''
    b = model("partial").function().bind(g)
    out["partial"] = attempt(lambda: b.run([h, np.float32(3)]))
    out["partial_device"] = attempt(lambda: b.run([runtime.to_device(h), np.float32(3)]))
    b = model("missing").function().bind(g)
    out["missing"] = attempt(lambda: b.run([h, np.float32(3)]))
    out["badptx_load"] = model("badptx").target
    out["badptx"] = attempt(lambda: model("badptx").function().bind(g))
    # A second load of the same library keeps the first outcome.
    out["badptx2"] = attempt(lambda: model("badptx").function().bind(g))
    b = model("fault").function().bind(g)
    out["fault"] = attempt(lambda: b.run([h, np.float32(3)]))
    out["pending"] = L.hectorCudaPeekError(None)
    ''', **fake_env(fake_driver, tmp_path), **model_env(cuda_models))
    assert out["partial"] == [
        "function 'f' left 1 of 160 result elements unwritten (still "
        "poisoned; first at index (39, 3))", "internal error"]
    assert out["partial_device"] == out["partial"]
    assert out["missing"] == [
        "function 'f' (cuda sm_80): mgpuModuleGetFunction: kernel "
        "'no_such_kernel': cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND "
        "(named symbol not found)", "internal error"]
    assert out["badptx_load"] == "cuda"
    assert out["badptx"][0].startswith(
        "function 'f' (cuda sm_80): the model's GPU code did not load: "
        "mgpuModuleLoadJIT: cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX")
    assert "PTX JIT error log:\nptxas" in out["badptx"][0]
    assert out["badptx2"] == out["badptx"]
    assert out["fault"] == [
        "function 'f' (cuda sm_80): mgpuStreamSynchronize: after kernel "
        "'fault' (the last launched on this stream; HECTOR_CUDA_SYNC_CHECK=1 "
        "names the one that failed), cuStreamSynchronize failed: "
        "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was "
        "encountered)", "internal error"]
    assert out["pending"] == 0  # the runner cleared it


@needs_shim
def test_runner_cuda_out_of_memory(fake_driver, cuda_models, tmp_path):
    out = run_py(prelude=RUNNER_PREAMBLE, code=r'''
    fn = model("good").function()
    out["bind"] = attempt(lambda: fn.bind(g))
    ''', **fake_env(fake_driver, tmp_path, FAKE_CUDA_FAIL="cuMemAlloc_v2:2"),
        **model_env(cuda_models))
    msg, status = out["bind"]
    assert re.fullmatch(
        r"function 'f' \(cuda sm_80\): uploading the graph: hectorCudaMalloc: "
        r"\d+ bytes: cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY \(out of "
        r"memory\)", msg), msg
    assert status == "out of memory"


@needs_shim
def test_runner_cuda_model_without_driver(cuda_models, tmp_path):
    out = run_py(prelude=RUNNER_PREAMBLE, code=r'''
    m = model("good")
    out["target"] = m.target
    out["bind"] = attempt(lambda: m.function().bind(g))
    out["pending"] = L.hectorCudaPeekError(None)
    ''', HECTOR_LIBCUDA=str(tmp_path / "libcuda.so.1"),
        **model_env(cuda_models))
    assert out["target"] == "cuda"
    assert out["bind"] == [
        f"function 'f' (cuda sm_80): CUDA is not available: "
        f"{tmp_path}/libcuda.so.1 not found: {tmp_path}/libcuda.so.1: cannot "
        f"open shared object file: No such file or directory",
        "invalid argument"]
    assert out["pending"] == 0


def test_device_buffers_need_a_cuda_function(tmp_path):
    src = tmp_path / "cpu.c"
    src.write_text(
        "#include <stdint.h>\nconst char *hector_model_info(void) { return "
        + c_string("hector-model 1\ntarget cpu\n" + BODY) + "; }\n"
        "void _mlir_ciface_f(int64_t *a, int64_t *b) {\n"
        "  for (int i = 0; i < 4; ++i) ((float *)b[1])[i] = "
        "((float *)a[1])[i] + 1; }\n")
    so = tmp_path / "cpu.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(so), str(src)],
                   check=True)
    m = runtime.load(so)
    assert m.target == "cpu" and m.chip == ""
    b = m.function().bind()
    np.testing.assert_array_equal(b.run([np.arange(4)]), np.arange(4) + 1)
    L = runtime._lib()
    buf = runtime._BufferC(None, 0, 4)
    assert L.hectorBoundFunctionRunEx(b._ptr, ctypes.byref(buf), 1,
                                      ctypes.byref(buf), 1) == 1
    assert "compiled for the CPU; device pointers are only for CUDA" in \
        runtime.rt.last_error()
    assert L.hectorBoundFunctionRunEx(b._ptr, ctypes.byref(buf), 1,
                                      ctypes.byref(buf), 8) == 1
    assert "unknown run flags 0x8" in runtime.rt.last_error()


# ---------------------------------------------------------------------------
# Compiling for CUDA (needs the hector-lower-to-ptx pipeline)
# ---------------------------------------------------------------------------

def have_ptx_pipeline() -> bool:
    from hector.compiler import hector_opt_path
    opt = hector_opt_path()
    if not opt.is_file():
        return False
    out = subprocess.run([str(opt), "--help"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    return "hector-lower-to-ptx" in out


needs_ptx_pipeline = pytest.mark.skipif(
    not have_ptx_pipeline(),
    reason="compiles a CUDA model, which needs hector-opt with its "
           "--hector-lower-to-ptx pipeline (the GPU machine has the "
           "MLIR-free build only)")


def compile_rgcn_cuda(tmp_path, chip="sm_80"):
    from hector import models
    from hector.compiler import compile_module
    text = models.build("rgcn", 3, 1, 16, 16, None, 4, 30)
    return compile_module(text, "cuda", cache_dir=tmp_path / "cache",
                          options=f"chip={chip}")


@needs_shim
@needs_ptx_pipeline
def test_compiled_cuda_model_links_the_shim(tmp_path):
    so = compile_rgcn_cuda(tmp_path)
    nm = subprocess.run(["nm", "-D", "--undefined-only", str(so)],
                        stdout=subprocess.PIPE, text=True, check=True).stdout
    undefined = {ln.split()[-1] for ln in nm.splitlines() if ln.strip()}
    mgpu = {s for s in undefined if s.startswith("mgpu")}
    assert mgpu, "the model calls no mgpu function"
    assert mgpu <= set(MGPU_API), mgpu - set(MGPU_API)
    needed = subprocess.run(["readelf", "-d", str(so)],
                            stdout=subprocess.PIPE, text=True).stdout
    assert "libHectorCUDA.so" in needed and "libomp" not in needed
    info = subprocess.run(["strings", str(so)], stdout=subprocess.PIPE,
                          text=True).stdout
    assert "target cuda chip=sm_80" in info


# ---------------------------------------------------------------------------
# On a GPU
# ---------------------------------------------------------------------------

# out[i] = v for i < n (one thread per element).
FILL_PTX = r'''
.version 7.0
.target sm_70
.address_size 64

.visible .entry fill_f32(.param .u64 p, .param .f32 v, .param .u64 n)
{
  .reg .pred %p;
  .reg .b32 %r<4>;
  .reg .f32 %f;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [p];
  ld.param.f32 %f, [v];
  ld.param.u64 %rd2, [n];
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mad.lo.s32 %r1, %r1, %r2, %r3;
  cvt.u64.u32 %rd3, %r1;
  setp.ge.u64 %p, %rd3, %rd2;
  @%p bra DONE;
  cvta.to.global.u64 %rd4, %rd1;
  shl.b64 %rd5, %rd3, 2;
  add.s64 %rd4, %rd4, %rd5;
  st.global.f32 [%rd4], %f;
DONE:
  ret;
}
'''


@pytest.mark.skipif(not PTXAS.is_file(), reason=f"{PTXAS} not found")
def test_fill_ptx_assembles(tmp_path):
    src = tmp_path / "fill.ptx"
    src.write_text(FILL_PTX)
    subprocess.run([str(PTXAS), "-arch=sm_80", str(src), "-o",
                    str(tmp_path / "fill.cubin")], check=True)


@needs_shim
@needs_gpu
def test_gpu_ptx_kernel_through_mgpu():
    out = run_py(r'''
    m = ModuleLoadJIT(PTX.encode(), 2)
    out["load"] = err()
    s = StreamCreate()
    n = 100000
    p = MemAlloc(4 * n, s, False)
    f = GetFunction(m, b"fill_f32")
    ptr, val, cnt = vp(p), ctypes.c_float(1.25), ctypes.c_int64(n)
    Launch(f, (n + 255) // 256, 1, 1, 256, 1, 1, 0, s,
           params(ptr, val, cnt), None, 3)
    StreamSync(s)
    host = np.zeros(n, np.float32)
    Memcpy(host.ctypes.data, p, 4 * n, s)
    StreamSync(s)
    out["all"] = bool((host == 1.25).all())
    Launch(f, 1, 1, 1, 4096, 1, 1, 0, s, params(ptr, val, cnt), None, 3)
    out["too_big"] = err(); clear()
    bad = ModuleLoadJIT(b".version 7.0\n.target sm_70\nSYNTAX_ERROR", 2)
    out["bad"] = [bad, err()]; clear()
    MemFree(p, s); StreamDestroy(s); ModuleUnload(m)
    out["end"] = err()
    out["info"] = runtime.cuda_device_info(0)
    '''.replace("PTX.encode()", repr(FILL_PTX) + ".encode()"))
    assert out["load"] == "" and out["all"] and out["end"] == ""
    assert "block x dimension 4096 out of range" in out["too_big"]
    assert out["bad"][0] is None
    assert out["bad"][1].startswith("mgpuModuleLoadJIT: cuModuleLoadDataEx "
                                    "failed: CUDA_ERROR_INVALID_PTX")
    assert out["info"]["multiprocessors"] > 0


@needs_shim
@needs_gpu
@needs_ptx_pipeline
def test_gpu_rgcn_matches_reference(tmp_path):
    from hector import reference
    from hector.data import load_dataset
    from hector.prep import prepare
    info = runtime.cuda_device_info(0)
    g = load_dataset("aifb")
    fn = runtime.compile_layer("rgcn", g, 32, 32, target="cuda",
                               cache_dir=tmp_path / "cache")
    assert fn.target == "cuda"
    bound = fn.bind(prepare(g))
    ref_graph = reference.RefGraph.of(g)
    rng = np.random.default_rng(0)
    h = rng.standard_normal((g.num_nodes, 32)).astype(np.float32)
    w = {k: np.asarray(v, np.float32) for k, v in reference.init_weights(
        "rgcn", ref_graph, 32, 32, rng=rng).items()}
    inputs = [h] + [w[a.name] for a in fn.inputs[1:]]
    out = bound.run(inputs)
    ref = reference.MODELS["rgcn"](ref_graph, h, w)
    err = np.linalg.norm(out - ref) / np.linalg.norm(ref)
    assert err < 1e-5, (err, info)
    dev = bound.upload_inputs(inputs)
    times = runtime.cuda_time(lambda: bound.run(dev, poison=False), runs=3)
    assert (times > 0).all()
