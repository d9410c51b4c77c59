"""The model runner (include/Hector/Runtime/Model.h, hector.runtime).

Fake models are small C libraries built with ``cc`` that follow
docs/abi.md; one test lowers a hand-written MLIR module with upstream
``mlir-opt`` passes, so the memref descriptors are checked against MLIR's
own convention.  None of this needs the rgnn lowering pipeline.
"""

import ctypes
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from hector import runtime
from hector.prep import GRAPH_ABI_ARRAYS, REL_CHOICE_ARRAY, prepare_arrays
from hector.runtime import ModelError, check_info

MLIR_OPT = "/usr/lib/llvm-22/bin/mlir-opt"
UPSTREAM_LOWERING = [
    MLIR_OPT, "--convert-scf-to-openmp", "--finalize-memref-to-llvm",
    "--convert-scf-to-cf", "--convert-openmp-to-llvm",
    "--convert-arith-to-llvm", "--convert-func-to-llvm",
    "--convert-cf-to-llvm", "--reconcile-unrealized-casts"]


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace(
        "\n", "\\n") + '"'


def entry(name: str, nparams: int, body: str) -> str:
    params = ", ".join(f"void *p{k}" for k in range(nparams))
    arr = ", ".join(f"p{k}" for k in range(nparams))
    return (f"void _mlir_ciface_{name}({params}) {{\n"
            f"  void *p[] = {{{arr}}}; (void)p;\n{body}\n}}\n")


def build_c(tmp: Path, name: str, source: str) -> Path:
    src = tmp / f"{name}.c"
    src.write_text("#include <stdint.h>\n#define D(k) ((int64_t *)p[k])\n"
                   + source)
    lib = tmp / f"{name}.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(lib),
                    str(src)], check=True)
    return lib


def fake_model(tmp: Path, name: str, info: str, entries: str) -> Path:
    return build_c(tmp, name, f"const char *hector_model_info(void) "
                              f"{{ return {c_string(info)}; }}\n" + entries)


SCHEMA = "graph node_types=2 relations=3 triples=-\n"

# f: out[v][j] = h[v][j] * s + in_degree(v); probe: the 33 graph
# descriptors (size, stride, offset, aligned == allocated, aligned pointer);
# partial: leaves the last element unwritten.
FAKE_INFO = (
    "hector-model 1\n"
    "func f entry=_mlir_ciface_f params=36\n" + SCHEMA +
    "arg 0 graph\n"
    "arg 1 feat domain=node shape=2 type=f32\n"
    "arg 2 tensor shape=scalar type=f32\n"
    "result feat domain=node shape=2 type=f32\n"
    "end\n"
    "func probe entry=_mlir_ciface_probe params=34\n" + SCHEMA +
    "arg 0 graph\n"
    "result tensor shape=33x5 type=i64\n"
    "end\n"
    "func partial entry=_mlir_ciface_partial params=2\n" + SCHEMA +
    "arg 0 feat domain=relation shape=scalar type=f32\n"
    "result feat domain=relation shape=scalar type=f32\n"
    "end\n")

FAKE_ENTRIES = (
    entry("f", 36, """
  int64_t *h = D(33), *s = D(34), *o = D(35), *ip = D(8);
  const int64_t *indptr = (const int64_t *)ip[1];
  const float *hv = (const float *)h[1];
  float sv = *(const float *)s[1];
  float *ov = (float *)o[1];
  for (int64_t v = 0; v < o[3]; ++v)
    for (int64_t j = 0; j < o[4]; ++j)
      ov[v * o[5] + j] = hv[v * h[5] + j] * sv + (float)(indptr[v + 1] - indptr[v]);""")
    + entry("probe", 34, """
  int64_t *o = D(33);
  int64_t *ov = (int64_t *)o[1];
  for (int k = 0; k < 33; ++k) {
    ov[5 * k + 0] = D(k)[3];
    ov[5 * k + 1] = D(k)[4];
    ov[5 * k + 2] = D(k)[2];
    ov[5 * k + 3] = D(k)[0] == D(k)[1];
    ov[5 * k + 4] = D(k)[1];
  }""")
    + entry("partial", 2, """
  float *in = (float *)D(0)[1], *out = (float *)D(1)[1];
  for (int64_t r = 0; r + 1 < D(1)[3]; ++r) out[r] = in[r];"""))


def small_graph(seed=0, n=40, e=200, r=3, t=2):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, e), rng.integers(0, n, e)
    rel, nt = rng.integers(0, r, e), rng.integers(0, t, n)
    return prepare_arrays(n, src, dst, rel, r, nt, t), (src, dst, rel, nt)


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fake")
    return runtime.load(fake_model(tmp, "fake", FAKE_INFO, FAKE_ENTRIES))


def test_metadata(fake):
    assert [f.name for f in fake.functions] == ["f", "probe", "partial"]
    f = fake.function("f")
    assert f.entry == "_mlir_ciface_f" and f.num_params == 36
    assert f.schema == (2, 3, None)
    assert [(a.kind, a.domain, a.shape) for a in f.args] == [
        ("graph", None, ()), ("feat", "node", (2,)), ("tensor", None, ())]
    assert f.result.domain == "node" and f.result.dtype == np.float32
    assert fake.info == FAKE_INFO
    with pytest.raises(ModelError, match="3 functions .*name one"):
        fake.function()
    with pytest.raises(ModelError, match="no function 'g'.*f, probe, partial"):
        fake.function("g")


def test_run(fake):
    p, (src, dst, rel, nt) = small_graph()
    b = fake.function("f").bind(p)
    assert b.input_shapes == [(40, 2), ()] and b.result_shape == (40, 2)
    h = np.random.default_rng(1).standard_normal((40, 2))
    out = b.run([h, np.float32(3.0)])
    want = h.astype(np.float32) * 3 + np.bincount(dst, minlength=40)[:, None]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, want, rtol=1e-6)
    # Into a caller buffer.
    buf = np.empty((40, 2), np.float32)
    assert b.run([h, 3.0], out=buf) is buf


def test_graph_descriptors(fake):
    p, _ = small_graph(2)
    b = fake.function("probe").bind(p)
    got = b.run([])
    assert got.shape == (33, 5)
    # Arrays 0..31: the prepared graph's own arrays, passed in place.
    assert len(GRAPH_ABI_ARRAYS) == 32
    for k, name in enumerate(GRAPH_ABI_ARRAYS):
        arr = getattr(p, name)
        size, stride, offset, same, ptr = got[k]
        assert (size, stride, offset, same) == (arr.size, 1, 0, 1), name
        assert ptr == arr.ctypes.data, name
    # Array 32: the binding's relation choice table, int32 with one entry
    # per relation; all 0, since probe is not split by relation.
    size, stride, offset, same, ptr = got[32]
    assert (size, stride, offset, same) == (3, 1, 0, 1), REL_CHOICE_ARRAY
    assert b.num_choices == 1
    table = np.ctypeslib.as_array((ctypes.c_int32 * 3).from_address(int(ptr)))
    assert table.tolist() == [0, 0, 0]
    assert b.relation_choice.dtype == np.int32
    assert b.relation_choice.tolist() == [0, 0, 0]


def test_poison_catches_unwritten_elements(fake):
    p, _ = small_graph()
    b = fake.function("partial").bind(p)
    with pytest.raises(ModelError, match=r"left 1 of 3 result elements "
                                         r"unwritten.*index \(2,\)"):
        b.run([np.ones(3)])
    out = b.run([np.ones(3)], poison=False)  # unchecked: garbage allowed
    assert out[:2].tolist() == [1.0, 1.0]


def test_bind_rejections(fake):
    f = fake.function("f")
    p, _ = small_graph(r=4)
    with pytest.raises(ModelError, match=r"function 'f' was compiled for 3 "
                                         r"relations, but the graph has 4"):
        f.bind(p)
    p, _ = small_graph(t=3)
    with pytest.raises(ModelError, match=r"compiled for 2 node types, but "
                                         r"the graph has 3"):
        f.bind(p)
    with pytest.raises(ModelError, match="takes a graph; bind a prepared"):
        f.bind(None)
    with pytest.raises(TypeError):
        f.bind(object())
    # A function without a graph argument: per-relation sizes come from the
    # schema, so no graph is needed.
    assert fake.function("partial").bind(None).result_shape == (3,)


def test_run_rejections(fake):
    p, _ = small_graph()
    b = fake.function("f").bind(p)
    h = np.zeros((40, 2), np.float32)
    with pytest.raises(ModelError, match=r"takes 2 inputs .*got 1"):
        b.run([h])
    with pytest.raises(ModelError, match=r"^argument 1 \(feat domain=node "
                                         r"shape=2 type=f32\): buffer has 78 "
                                         r"elements, expected 80 \(shape "
                                         r"40x2\)") as e:
        b.run([h[:39], 1.0])
    assert e.value.status == "size mismatch"
    with pytest.raises(ModelError, match=r"argument 2 .*has 2 elements, "
                                         r"expected 1"):
        b.run([h, np.ones(2)])
    with pytest.raises(ModelError, match="dtype <U1"):
        b.run([h, "x"])
    with pytest.raises(ModelError, match="'out' must be a writable"):
        b.run([h, 1.0], out=np.empty((40, 2), np.float64))
    # Results are computed in place: one that is an input is refused.
    with pytest.raises(ModelError, match="'out' overlaps an argument"):
        b.run([h, 1.0], out=h)
    # Names, when the caller gives them, appear in the message.
    f = fake.function("f")
    f.set_input_names(["h", "s"])
    b = f.bind(p)
    with pytest.raises(ModelError, match=r"^argument 1 'h' \(feat") as e:
        b.run([h[:1], 1.0])
    assert e.value.argument == "h"


def test_c_level_buffer_checks(fake):
    """What Python's conversions hide: element type, null data,
    misalignment and counts at the C ABI."""
    L = runtime._lib()
    p, _ = small_graph()
    b = fake.function("f").bind(p)
    h = np.zeros(81, np.float32)
    s = np.zeros(1, np.float32)
    out = np.zeros(80, np.float32)

    def call(hbuf, res=None):
        bufs = (runtime._BufferC * 2)(hbuf, runtime._BufferC(s.ctypes.data,
                                                             0, 1))
        res = res or runtime._BufferC(out.ctypes.data, 0, 80)
        status = L.hectorBoundFunctionRun(b._ptr, bufs, 2, ctypes.byref(res))
        return status, L.hectorGetLastError().decode()

    st, msg = call(runtime._BufferC(h.ctypes.data, 1, 80))
    assert st == 1 and "buffer holds f64, expected f32" in msg
    st, msg = call(runtime._BufferC(None, 0, 80))
    assert st == 1 and "buffer data is null" in msg
    st, msg = call(runtime._BufferC(h.ctypes.data + 2, 0, 80))
    assert st == 1 and "misaligned" in msg
    st, msg = call(runtime._BufferC(h.ctypes.data, 7, 80))
    assert st == 1 and "unknown element type" in msg
    st, msg = call(runtime._BufferC(h.ctypes.data, 0, 80),
                   runtime._BufferC(out.ctypes.data, 0, 79))
    assert st == 2 and msg.startswith("result (feat domain=node")
    assert L.hectorBoundFunctionRun(b._ptr, None, 2, None) == 1
    assert L.hectorBoundFunctionRun(None, None, 0, None) == 1
    assert call(runtime._BufferC(h.ctypes.data, 0, 80))[0] == 0


def test_concurrent_runs(fake):
    p, (_, dst, _, _) = small_graph()
    b = fake.function("f").bind(p)
    rng = np.random.default_rng(5)
    hs = [rng.standard_normal((40, 2)).astype(np.float32) for _ in range(8)]
    outs = [None] * 8

    def work(k):
        for _ in range(50):
            outs[k] = b.run([hs[k], float(k)])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deg = np.bincount(dst, minlength=40)[:, None]
    for k in range(8):
        np.testing.assert_allclose(outs[k], hs[k] * k + deg, rtol=1e-6)


def test_triples_checked_at_bind(tmp_path):
    # Relation 0 goes type 0 -> type 1, relation 1 type 1 -> type 1.
    info = ("hector-model 1\nfunc g entry=_mlir_ciface_g params=35\n"
            "graph node_types=2 relations=2 triples=0,0,1;1,1,1\n"
            "arg 0 graph\narg 1 feat domain=node[1] shape=scalar type=f32\n"
            "result feat domain=node[0] shape=scalar type=f32\nend\n")
    lib = fake_model(tmp_path, "tri", info, entry("g", 35, """
  float *o = (float *)D(34)[1];
  for (int64_t i = 0; i < D(34)[3]; ++i) o[i] = (float)i;"""))
    g = runtime.load(lib).function()
    assert g.schema == (2, 2, [(0, 0, 1), (1, 1, 1)])
    nt = np.array([0, 1, 1, 0, 1])
    ok = prepare_arrays(5, [0, 1, 3], [1, 2, 4], [0, 1, 0], 2, nt, 2)
    b = g.bind(ok)
    assert b.input_shapes == [(3,)] and b.result_shape == (2,)
    assert b.run([np.zeros(3)]).tolist() == [0.0, 1.0]
    bad = prepare_arrays(5, [0, 1, 2], [1, 2, 3], [0, 1, 1], 2, nt, 2)
    with pytest.raises(ModelError, match=r"edge 2 \(relation 1\) goes from "
                                         r"node type 1 to node type 0, but "
                                         r"the schema's triple for relation "
                                         r"1 is \(1, 1, 1\)"):
        g.bind(bad)


def test_max_arity(tmp_path):
    # 127 scalar inputs and the result: the largest call the runtime makes.
    n = 127
    info = ("hector-model 1\nfunc wide entry=_mlir_ciface_wide params=128\n"
            + "".join(f"arg {k} tensor shape=scalar type=f32\n"
                      for k in range(n))
            + "result tensor shape=scalar type=f32\nend\n")
    lib = fake_model(tmp_path, "wide", info, entry("wide", 128, """
  float acc = 0;
  for (int k = 0; k < 127; ++k) acc += *(float *)D(k)[1] * (k + 1);
  *(float *)D(127)[1] = acc;"""))
    b = runtime.load(lib).function().bind()
    out = b.run([np.float32(1.0)] * n)
    assert out.shape == () and float(out) == n * (n + 1) / 2


def test_upstream_mlir_lowering(tmp_path):
    """A hand-written module lowered by upstream MLIR passes: the runtime's
    descriptors match llvm.emit_c_interface, and OpenMP code runs."""
    from hector.compiler import compile_module
    i64 = {n for n in GRAPH_ABI_ARRAYS if n.endswith(("indptr", "offsets"))}
    params = [f"%{n}: memref<?x{'i64' if n in i64 else 'i32'}>"
              for n in GRAPH_ABI_ARRAYS + (REL_CHOICE_ARRAY,)]
    params += ["%h: memref<?x3xf32>", "%w: memref<3xf32>",
               "%out: memref<?x3xf32>"]
    info = ("hector-model 1\nfunc deg entry=_mlir_ciface_deg params=36\n"
            "graph node_types=1 relations=2 triples=-\narg 0 graph\n"
            "arg 1 feat domain=node shape=3 type=f32\n"
            "arg 2 tensor shape=3 type=f32\n"
            "result feat domain=node shape=3 type=f32\nend\n")
    escaped = info.replace("\n", "\\0A") + "\\00"
    text = f"""
llvm.mlir.global internal constant @info("{escaped}") {{addr_space = 0 : i32}}
func.func @hector_model_info() -> !llvm.ptr {{
  %p = llvm.mlir.addressof @info : !llvm.ptr
  return %p : !llvm.ptr
}}
// out[v, j] = h[v, j] * w[j] + (sum of the relations of v's in-edges)
func.func @deg({", ".join(params)}) attributes {{llvm.emit_c_interface}} {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %out, %c0 : memref<?x3xf32>
  scf.parallel (%v) = (%c0) to (%n) step (%c1) {{
    %v1 = arith.addi %v, %c1 : index
    %a = memref.load %in_indptr[%v] : memref<?xi64>
    %b = memref.load %in_indptr[%v1] : memref<?xi64>
    %ai = arith.index_cast %a : i64 to index
    %bi = arith.index_cast %b : i64 to index
    %s = scf.for %k = %ai to %bi step %c1 iter_args(%acc = %zero) -> f32 {{
      %r = memref.load %in_etype[%k] : memref<?xi32>
      %rf = arith.sitofp %r : i32 to f32
      %next = arith.addf %acc, %rf : f32
      scf.yield %next : f32
    }}
    scf.for %j = %c0 to %c3 step %c1 {{
      %x = memref.load %h[%v, %j] : memref<?x3xf32>
      %y = memref.load %w[%j] : memref<3xf32>
      %m = arith.mulf %x, %y : f32
      %o = arith.addf %m, %s : f32
      memref.store %o, %out[%v, %j] : memref<?x3xf32>
    }}
    scf.reduce
  }}
  return
}}
"""
    lib = compile_module(text, cache_dir=tmp_path / "cache",
                         lower_with=UPSTREAM_LOWERING)
    rng = np.random.default_rng(3)
    n, e = 300, 2000
    src, dst = rng.integers(0, n, e), rng.integers(0, n, e)
    rel = rng.integers(0, 2, e)
    p = prepare_arrays(n, src, dst, rel, 2)
    b = runtime.load(lib).function().bind(p)
    h = rng.standard_normal((n, 3)).astype(np.float32)
    w = rng.standard_normal(3).astype(np.float32)
    out = b.run([h, w])
    want = h * w + np.bincount(dst, weights=rel, minlength=n)[:, None]
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


# ---- load errors --------------------------------------------------------------

def test_load_errors(tmp_path):
    with pytest.raises(ModelError, match="cannot load model .*nope.so"):
        runtime.load(tmp_path / "nope.so")
    (tmp_path / "junk.so").write_text("not an ELF file")
    with pytest.raises(ModelError, match="cannot load model"):
        runtime.load(tmp_path / "junk.so")
    plain = build_c(tmp_path, "plain", "int x(void) { return 1; }\n")
    with pytest.raises(ModelError, match="is not a Hector model: it has no "
                                         "hector_model_info"):
        runtime.load(plain)
    info = ("hector-model 1\nfunc f entry=_mlir_ciface_missing params=1\n"
            "result tensor shape=2 type=f32\nend\n")
    lib = fake_model(tmp_path, "noentry", info, "")
    with pytest.raises(ModelError, match="function 'f': entry point "
                                         "'_mlir_ciface_missing' not found"):
        runtime.load(lib)
    bad = fake_model(tmp_path, "badinfo", "hector-model 2\n", "")
    with pytest.raises(ModelError, match=r"badinfo.so: hector_model_info "
                                         r"line 1: unsupported model ABI "
                                         r"version '2'"):
        runtime.load(bad)
    null = build_c(tmp_path, "nullinfo",
                   "const char *hector_model_info(void) { return 0; }\n")
    with pytest.raises(ModelError, match="returned null"):
        runtime.load(null)


def test_c_api_null_arguments():
    L = runtime._lib()
    out = ctypes.c_void_p(1)
    assert L.hectorModelLoad(None, ctypes.byref(out)) == 1 and not out.value
    assert L.hectorModelLoad(b"x.so", None) == 1
    assert L.hectorModelCheckInfo(None) == 1
    assert L.hectorModelGetNumFunctions(None) == 0
    assert L.hectorModelGetFunction(None, 0) is None
    assert L.hectorFunctionBind(None, None, ctypes.byref(out)) == 1
    assert L.hectorFunctionGetNumArgs(None) == 0
    L.hectorModelDestroy(None)
    L.hectorBoundFunctionDestroy(None)


# ---- metadata validation ------------------------------------------------------

GOOD = ("hector-model 1\n"
        "func rgcn entry=_mlir_ciface_rgcn params=38\n"
        "graph node_types=1 relations=90 triples=-\n"
        "arg 0 graph\n"
        "arg 1 feat domain=node shape=64 type=f32\n"
        "arg 2 feat domain=relation shape=64x64 type=f32\n"
        "arg 3 tensor shape=64x64 type=f32\n"
        "arg 4 tensor shape=64 type=f32\n"
        "result feat domain=node shape=64 type=f32\n"
        "end\n")


def test_good_info_variants():
    check_info(GOOD)
    check_info(GOOD.rstrip("\n"))  # no final newline
    check_info(GOOD + GOOD.replace("rgcn", "rgcn2", 1).split("\n", 1)[1])
    check_info("hector-model 1\nfunc k entry=k params=2\n"
               "graph node_types=3 relations=2 triples=0,0,2;2,1,1\n"
               "arg 0 feat domain=node[2] shape=scalar type=f64\n"
               "result feat domain=src_rel shape=2x3x4 type=i64\nend\n")


def mutate(old, new, count=1):
    assert old in GOOD
    return GOOD.replace(old, new, count)


BAD_INFO = [
    ("", 1, "expected 'hector-model 1', got ''"),
    ("hector-model 7\n", 1, "unsupported model ABI version '7'"),
    ("hector-model 1\n", 2, "no 'func' record"),
    (mutate("hector-model 1\n", "hector-model 1\n\n"), 2, "empty line"),
    (mutate("arg 0 graph", "arg  0 graph"), 4, "empty field"),
    (mutate("arg 0 graph", "arg 0 graph "), 4, "empty field"),
    (mutate("arg 0 graph", "arg 0\tgraph"), 4, "unexpected character 0x09"),
    (mutate("func rgcn", "fun rgcn"), 2, "expected a 'func' record"),
    (mutate("func rgcn", "func 9rgcn"), 2, "bad function name"),
    (mutate("entry=", "entyr="), 2, "expected 'entry=...'"),
    (mutate("params=38", "params=37"), 2,
     r"declares params=37, but its records need 38 \(33 graph arrays, 4 "
     r"buffers and 1 result\)"),
    (mutate("params=38", "params=-1"), 2, "bad params '-1'"),
    (mutate("params=38", "params=038"), 2, "leading zero"),
    (mutate("params=38", "params=129"), 2, r"params 129 out of range \[1, 128\]"),
    (mutate("params=38", "params=38 extra"), 2, "got 5 fields"),
    (mutate("node_types=1", "node_types=0"), 3, "node_types 0 out of range"),
    (mutate("relations=90", "relations=x"), 3, "bad relations 'x'"),
    (mutate("triples=-", "triples=0,0,0"), 3, "1 triples for 90 relations"),
    (mutate("relations=90 triples=-", "relations=2 triples=0,1,0;0,0,0"), 3,
     "triple 0 names relation 1"),
    (mutate("relations=90 triples=-", "relations=1 triples=0,0,1"), 3,
     r"triple destination type 1 out of range \[0, 0\]"),
    (mutate("relations=90 triples=-", "relations=1 triples=0,0"), 3,
     "bad triple '0,0'"),
    (mutate("relations=90 triples=-", "relations=1 triples=0,0,0;0,0,0"), 3,
     "more triples than the 1 relations"),
    (mutate("graph node_types=1 relations=90 triples=-\n", ""), 3,
     "a graph argument needs the function's 'graph' record"),
    (mutate("graph node_types=1 relations=90 triples=-\n",
            "graph node_types=1 relations=90 triples=-\n" * 2), 4,
     "second 'graph' record"),
    (mutate("arg 1 feat", "arg 2 feat"), 5, "argument 2 out of order"),
    (mutate("arg 1 feat domain=node", "arg 1 feat domain=vertex"), 5,
     "unknown domain 'vertex'"),
    (mutate("arg 1 feat domain=node", "arg 1 feat domain=node[1]"), 5,
     r"node type 1 out of range \[0, 0\]"),
    (mutate("arg 1 feat domain=node", "arg 1 feat domain=node[x]"), 5,
     "bad node type 'x'"),
    (mutate("shape=64 type=f32\narg 2", "shape=64 type=bf16\narg 2"), 5,
     "unknown element type 'bf16'"),
    (mutate("shape=64x64 type=f32\narg 3", "shape=64x0 type=f32\narg 3"), 6,
     r"dimension 0 out of range"),
    (mutate("shape=64x64 type=f32\narg 3", "shape=64xx64 type=f32\narg 3"), 6,
     "bad dimension ''"),
    (mutate("shape=64x64 type=f32\narg 3",
            "shape=1x1x1x1x1x1x1x1x1 type=f32\narg 3"), 6,
     "more than 8 dimensions"),
    (mutate("shape=64x64 type=f32\narg 3",
            "shape=100000000x100000000 type=f32\narg 3"), 6,
     "too many elements"),
    (mutate("arg 3 tensor shape=64x64 type=f32", "arg 3 tensor shape=64x64"),
     7, "expected 'tensor shape=S type=T'"),
    (mutate("arg 4 tensor", "arg 4 sparse"), 8, "unknown value kind 'sparse'"),
    (mutate("arg 1 feat", "arg 1 graph\narg 2 feat"), 5,
     "at most one graph argument"),
    (mutate("result feat", "result graph"), 9,
     "unknown value kind 'graph' .expected feat or tensor."),
    (mutate("end\n", "end\ntrailing\n"), 11, "expected a 'func' record"),
    (mutate("end\n", ""), 10, "missing 'end' after the results"),
    (mutate("end\n", "arg 5 tensor shape=1 type=f32\nend\n"), 10,
     "expected 'result' or 'end' after a result"),
    (mutate("end\n", "result\nend\n"), 10, "expected 'result KIND ...'"),
    (mutate("end\n", "result tensor shape=2 type=f32\nend\n"), 2,
     r"declares params=38, but its records need 39 \(33 graph arrays, 4 "
     r"buffers and 2 results\)"),
    (mutate("result feat domain=node shape=64 type=f32\n", ""), 9,
     "has no 'result' record"),
    (mutate("result feat domain=node shape=64 type=f32\nend\n", ""), 9,
     "is not terminated"),
    (mutate("arg 4", "note 4"), 8, "unknown record 'note'"),
    (GOOD + GOOD.split("\n", 1)[1], 11, "duplicate function 'rgcn'"),
    ("hector-model 1\nfunc f entry=f params=2\n"
     "arg 0 feat domain=node shape=1 type=f32\n", 3,
     "needs the function's 'graph' record first"),
]


@pytest.mark.parametrize("text,line,pattern", BAD_INFO,
                         ids=[f"{k}:{c[2][:30]}" for k, c in
                              enumerate(BAD_INFO)])
def test_bad_info(text, line, pattern):
    with pytest.raises(ModelError, match=pattern) as e:
        check_info(text)
    assert str(e.value).startswith(f"hector_model_info line {line}: "), \
        str(e.value)
    assert e.value.status == "invalid argument"
