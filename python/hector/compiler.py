"""Compiling rgnn IR to a loadable model (``model.so``, docs/abi.md).

:func:`compile_module` runs, for ``target="cpu"``::

    hector-opt --hector-lower-to-cpu         rgnn -> LLVM dialect (OpenMP)
    mlir-translate --mlir-to-llvmir          -> LLVM IR
    opt -O3 -mcpu=native                     optimize for this host (x86:
                                             no vectorizer gathers)
    llc -O3 -mcpu=native -relocation-model=pic -filetype=obj
    cc -shared ... -lomp                     -> model.so

For ``target="cuda"`` the first step is ``hector-opt --hector-lower-to-ptx``
(kernels to PTX embedded in the host code, which calls the ``mgpu*``
functions) and the link uses ``-lHectorCUDA`` (the driver shim,
``<build>/lib/libHectorCUDA.so``) instead of OpenMP.

It caches the library by a hash of the IR, the tools (paths, sizes,
modification times), the flags and the host CPU, in ``cache_dir``,
``$HECTOR_CACHE_DIR`` or ``<build>/hector-cache``.  A failing step raises
:class:`CompileError` carrying the tool's stderr.

Tools are found at ``$HECTOR_OPT`` (else ``$HECTOR_BUILD_DIR/bin`` or
``<repo>/build/bin``), ``$HECTOR_LLVM_BIN`` (else ``/usr/lib/llvm-22/bin``)
and ``$CC`` (else ``cc``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from ._runtime import llvm_bin as _llvm_bin
from ._runtime import omp_lib_dir, repo_root

__all__ = ["compile_module", "compile_module_info", "CompileError",
           "CompileResult", "hector_opt_path", "default_cache_dir"]

#: The hector-opt pipeline of each target.
PIPELINES = {"cpu": "--hector-lower-to-cpu", "cuda": "--hector-lower-to-ptx"}

_OPT_FLAGS = ["-O3", "-mcpu=native"]


def _host_cpu_flag(flags: List[str]) -> List[str]:
    """``$HECTOR_HOST_CPU`` (e.g. ``x86-64``) replaces ``-mcpu=native`` in
    the opt/llc flags, so that a library can move to another machine
    (scripts/gpu_artifacts.sh sets it for CUDA models, whose host code is
    only launch glue).  Unset: ``-mcpu=native``, as before."""
    cpu = os.environ.get("HECTOR_HOST_CPU", "")
    if not cpu:
        return flags
    return [f"-mcpu={cpu}" if f == "-mcpu=native" else f for f in flags]


def sanitizer() -> str:
    """``HECTOR_SANITIZE=address`` compiles models with AddressSanitizer:
    the pipeline marks every function, ``opt`` runs LLVM's ``asan`` pass
    after -O3, and the link uses ``-fsanitize=address``. The process must
    load an ASan runtime first (scripts/test.sh preloads GCC's libasan)."""
    value = os.environ.get("HECTOR_SANITIZE", "")
    if value not in ("", "address"):
        raise ValueError(f"HECTOR_SANITIZE={value!r}: only 'address' is "
                         "supported")
    return value


#: On x86, LLVM's loop vectorizer turns an element loop whose indices it
#: cannot prove consecutive (a reshaped feature read through div/rem) into
#: AVX-512 gathers of contiguous rows; without them the loop is unrolled and
#: vectorized with plain loads (HGT on FB15k-237 at 64, forward+backward:
#: 195 -> 173 ms; RGAT 205 -> 188 ms).
_X86_OPT_FLAGS = ["-mattr=+prefer-no-gather,+prefer-no-scatter"]


def _opt_flags(triple: str = "") -> List[str]:
    """opt's flags for a host of target ``triple``."""
    extra = _X86_OPT_FLAGS if triple.startswith("x86_64") else []
    if not sanitizer():
        return _host_cpu_flag(list(_OPT_FLAGS) + extra)
    # Instrument after optimizing, as clang does.
    return _host_cpu_flag(["-passes=default<O3>,asan", "-mcpu=native"]
                          + extra)


def pipeline_options(extra: Optional[str] = None) -> List[str]:
    """Options of the lowering pipeline: ``extra`` (for example
    ``"compact=false"``), else ``$HECTOR_PIPELINE_OPTIONS``, plus
    ``sanitize-address`` under HECTOR_SANITIZE=address."""
    text = extra if extra is not None else os.environ.get(
        "HECTOR_PIPELINE_OPTIONS", "")
    options = text.split()
    if sanitizer():
        options.append("sanitize-address")
    return options


def _pipeline(target: str, extra: Optional[str] = None) -> str:
    flag = PIPELINES[target]
    options = pipeline_options(extra)
    if target != "cpu":
        # Only the CPU pipeline instruments for AddressSanitizer.
        options = [o for o in options if o != "sanitize-address"]
    return flag + "=" + " ".join(options) if options else flag
_LLC_FLAGS = ["-O3", "-mcpu=native", "-relocation-model=pic", "-filetype=obj"]


def _llc_flags() -> List[str]:
    return _host_cpu_flag(list(_LLC_FLAGS))


class CompileError(RuntimeError):
    """A compilation step failed.  ``step`` names it (``hector-opt``,
    ``mlir-translate``, ``opt``, ``llc``, ``link``), ``command`` is the
    command line and ``stderr`` the tool's error output."""

    def __init__(self, step: str, command: List[str], stderr: str,
                 hint: str = ""):
        self.step, self.command, self.stderr = step, command, stderr
        text = stderr.strip() or "(no error output)"
        if len(text) > 8000:
            text = text[:4000] + "\n...\n" + text[-4000:]
        msg = f"{step} failed: {' '.join(command)}\n{text}"
        if hint:
            msg += f"\n{hint}"
        super().__init__(msg)


@dataclass
class CompileResult:
    """Where the library is, whether it came from the cache, the seconds
    this call took, and the seconds each step took when the library was
    built (also on a cache hit)."""
    path: Path
    cached: bool
    seconds: float
    step_seconds: Dict[str, float] = field(default_factory=dict)


def _build_dir() -> Path:
    env = os.environ.get("HECTOR_BUILD_DIR")
    return Path(env) if env else repo_root() / "build"


def hector_opt_path() -> Path:
    env = os.environ.get("HECTOR_OPT")
    return Path(env) if env else _build_dir() / "bin" / "hector-opt"


def default_cache_dir() -> Path:
    env = os.environ.get("HECTOR_CACHE_DIR")
    return Path(env) if env else _build_dir() / "hector-cache"


def _tools() -> Dict[str, Path]:
    llvm = _llvm_bin()
    cc = shutil.which(os.environ.get("CC", "cc")) or os.environ.get("CC", "cc")
    return {"hector-opt": hector_opt_path(),
            "mlir-translate": llvm / "mlir-translate", "opt": llvm / "opt",
            "llc": llvm / "llc", "link": Path(cc)}


def _run(step: str, cmd: List[str], hint: str = "",
         output: Optional[Path] = None) -> str:
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise CompileError(step, cmd, str(e), hint) from None
    if proc.returncode != 0:
        raise CompileError(step, cmd, proc.stderr or proc.stdout, hint)
    # A tool that exits 0 without writing its output (hector-opt prints its
    # help for an unknown pipeline flag) must not pass silently.
    if output is not None and (not output.is_file()
                               or output.stat().st_size == 0):
        tail = (proc.stderr + proc.stdout)[-2000:]
        raise CompileError(step, cmd, f"exited 0 but wrote no {output.name}"
                           f"\n{tail}", hint)
    return proc.stdout


_host_cache: Dict[str, str] = {}


def _host(llc: Path) -> Dict[str, str]:
    """The default triple and host CPU as llc sees them (also part of the
    cache key: -mcpu=native code must not move to another CPU)."""
    if not _host_cache:
        out = _run("llc", [str(llc), "--version"])
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("Default target:"):
                _host_cache["triple"] = line.split(":", 1)[1].strip()
            elif line.startswith("Host CPU:"):
                _host_cache["cpu"] = line.split(":", 1)[1].strip()
        _host_cache.setdefault("triple", "")
        _host_cache.setdefault("cpu", "")
    return _host_cache


def _tool_stamp(path: Path) -> str:
    try:
        st = path.stat()
        return f"{path}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return f"{path}:missing"


def model_support_path() -> Path:
    """The static library every model links: the allocation hooks of its
    temporaries (lib/Runtime/ModelSupport.c)."""
    env = os.environ.get("HECTOR_MODEL_SUPPORT")
    return Path(env) if env else _build_dir() / "lib" / "libHectorModelSupport.a"


def _omp_link_flags() -> List[str]:
    lib = omp_lib_dir()
    return [str(model_support_path()), f"-L{lib}", "-lomp", f"-Wl,-rpath,{lib}"]


def cuda_shim_dir() -> Path:
    """Where ``libHectorCUDA.so`` is: ``$HECTOR_CUDA_LIB_DIR``, else
    ``<build>/lib``."""
    env = os.environ.get("HECTOR_CUDA_LIB_DIR")
    return Path(env) if env else _build_dir() / "lib"


def cuda_rpath() -> str:
    """The run path a CUDA model searches for ``libHectorCUDA.so.0``:
    ``$HECTOR_CUDA_RPATH`` (may use ``$ORIGIN``, e.g.
    ``$ORIGIN/../../build-rt/lib`` for carried artifacts), else
    :func:`cuda_shim_dir`."""
    return os.environ.get("HECTOR_CUDA_RPATH") or str(cuda_shim_dir())


def _link_flags(target: str) -> List[str]:
    if target == "cuda":
        lib = cuda_shim_dir()
        return [str(model_support_path()), f"-L{lib}", "-lHectorCUDA",
                f"-Wl,-rpath,{cuda_rpath()}"]
    return _omp_link_flags()


def compile_module_info(mlir_text: str, target: str = "cpu",
                        cache_dir=None, keep_temps: bool = False,
                        lower_with: Optional[List[str]] = None,
                        options: Optional[str] = None) -> CompileResult:
    """Compile ``mlir_text`` (an rgnn module) for ``target``; see the
    module docstring.  ``keep_temps`` keeps the intermediate files
    (``input.mlir``, ``lowered.mlir``, ``model.ll``, ``model.opt.bc``,
    ``model.o``) beside ``model.so`` in the cache entry.

    ``lower_with`` replaces the first step by another command (a tool and
    its flags, e.g. ``[".../mlir-opt", "--convert-scf-to-cf", ...]``) that
    reads the input file and writes LLVM-dialect MLIR: hand-written,
    already-lowerable modules (the runtime's tests) use upstream passes.

    ``options`` are the lowering pipeline's options, such as
    ``"compact=false"`` (default: ``$HECTOR_PIPELINE_OPTIONS``)."""
    if target not in PIPELINES:
        raise ValueError(f"unknown target {target!r}; expected one of "
                         f"{sorted(PIPELINES)}")
    if not isinstance(mlir_text, str):
        raise TypeError("mlir_text must be a str")
    tools = _tools()
    hopt = tools["hector-opt"]
    lower = (list(lower_with) if lower_with
             else [str(hopt), _pipeline(target, options)])
    if not lower_with and not hopt.is_file():
        raise CompileError("hector-opt", [str(hopt)],
                           f"{hopt} does not exist",
                           "Build it with: bash scripts/build.sh (or set "
                           "HECTOR_OPT / HECTOR_BUILD_DIR).")
    host = _host(tools["llc"])
    key_parts = [mlir_text, target, " ".join(lower),
                 " ".join(_opt_flags(host["triple"])),
                 " ".join(_llc_flags()), " ".join(_link_flags(target)),
                 host["triple"], host["cpu"]]
    key_parts += [_tool_stamp(p) for p in tools.values()]
    key_parts.append(_tool_stamp(Path(lower[0])))
    key_parts.append(_tool_stamp(model_support_path()))
    key_parts.append("sanitize=" + sanitizer())
    key = hashlib.sha256("\0".join(key_parts).encode()).hexdigest()[:32]
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    entry = cache / key
    lib = entry / "model.so"
    start = time.perf_counter()
    if lib.is_file() and (not keep_temps or (entry / "lowered.mlir").is_file()):
        try:
            steps = json.loads((entry / "compile.json").read_text())["steps"]
        except (OSError, ValueError, KeyError):
            steps = {}
        return CompileResult(lib, True, time.perf_counter() - start, steps)

    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache))
    steps: Dict[str, float] = {}
    try:
        src = work / "input.mlir"
        src.write_text(mlir_text)
        lowered, ll = work / "lowered.mlir", work / "model.ll"
        bc, obj, so = work / "model.opt.bc", work / "model.o", work / "model.so"
        triple = [f"-mtriple={host['triple']}"] if host["triple"] else []
        commands = [
            (Path(lower[0]).name, [*lower, str(src), "-o", str(lowered)],
             "" if lower_with else
             "Is the lowering pipeline built? Check `hector-opt --help | grep "
             f"{PIPELINES[target][2:]}`."),
            ("mlir-translate", [str(tools["mlir-translate"]),
                                "--mlir-to-llvmir", str(lowered), "-o",
                                str(ll)], ""),
            ("opt", [str(tools["opt"]), *_opt_flags(host["triple"]),
                     *triple, str(ll), "-o", str(bc)], ""),
            ("llc", [str(tools["llc"]), *_llc_flags(), *triple, str(bc), "-o",
                     str(obj)], ""),
            ("link", [str(tools["link"]), "-shared", "-o", str(so), str(obj),
                      *_link_flags(target),
                      *(["-fsanitize=address"] if sanitizer() else [])],
             f"Is the CUDA shim built (ninja -C {_build_dir()} HectorCUDA)?"
             if target == "cuda" else
             "Is libomp installed (Debian package libomp-22-dev)?"),
        ]
        outputs = [lowered, ll, bc, obj, so]
        for (step, cmd, hint), output in zip(commands, outputs):
            t0 = time.perf_counter()
            _run(step, cmd, hint, output)
            steps[step] = time.perf_counter() - t0
        if not keep_temps:
            for p in (src, lowered, ll, bc, obj):
                p.unlink()
        # The step times of the original compilation, for cache hits.
        (work / "compile.json").write_text(json.dumps({"steps": steps}))
        if entry.exists():
            # Another process (or a temps-less earlier run) got there
            # first; replace it whole so readers never see a partial entry.
            stale = cache / f".{key}.stale.{os.getpid()}"
            os.replace(entry, stale)
            shutil.rmtree(stale, ignore_errors=True)
        os.replace(work, entry)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return CompileResult(lib, False, time.perf_counter() - start, steps)


def compile_module(mlir_text: str, target: str = "cpu", cache_dir=None,
                   keep_temps: bool = False,
                   lower_with: Optional[List[str]] = None,
                   options: Optional[str] = None) -> Path:
    """Compile ``mlir_text`` and return the path of ``model.so``."""
    return compile_module_info(mlir_text, target, cache_dir, keep_temps,
                               lower_with, options).path
