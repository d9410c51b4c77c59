"""hector.compiler: the flags it gives opt/llc and the pipeline, and its
errors (no compilation beyond one small model)."""

import pytest

from hector import compiler, models


def test_x86_opt_flags_skip_vectorizer_gathers():
    flags = compiler._opt_flags("x86_64-pc-linux-gnu")
    assert "-mattr=+prefer-no-gather,+prefer-no-scatter" in flags
    assert "-O3" in flags and "-mcpu=native" in flags


@pytest.mark.parametrize("triple", ["aarch64-unknown-linux-gnu",
                                    "powerpc64le-unknown-linux-gnu", ""])
def test_other_hosts_get_no_x86_feature(triple):
    # An x86 feature name is an error (or a warning) for another target.
    assert not any("prefer-no" in f for f in compiler._opt_flags(triple))


def test_host_cpu_replaces_native(monkeypatch):
    monkeypatch.setenv("HECTOR_HOST_CPU", "x86-64-v3")
    for flags in (compiler._opt_flags("x86_64-pc-linux-gnu"),
                  compiler._llc_flags()):
        assert "-mcpu=x86-64-v3" in flags
        assert "-mcpu=native" not in flags


def test_sanitized_opt_instruments_after_optimizing(monkeypatch):
    monkeypatch.setenv("HECTOR_SANITIZE", "address")
    flags = compiler._opt_flags("x86_64-pc-linux-gnu")
    assert "-passes=default<O3>,asan" in flags
    assert "-mattr=+prefer-no-gather,+prefer-no-scatter" in flags
    assert "sanitize-address" in compiler.pipeline_options("compact=false")
    # Only the CPU pipeline instruments.
    assert "sanitize-address" not in compiler._pipeline("cuda", "")


def test_unknown_sanitizer_is_rejected(monkeypatch):
    monkeypatch.setenv("HECTOR_SANITIZE", "thread")
    with pytest.raises(ValueError, match="only 'address'"):
        compiler.sanitizer()


def test_pipeline_options(monkeypatch):
    monkeypatch.setenv("HECTOR_PIPELINE_OPTIONS", "compact=false reorder=false")
    assert compiler._pipeline("cpu") == \
        "--hector-lower-to-cpu=compact=false reorder=false"
    # Explicit options replace the environment's.
    assert compiler._pipeline("cpu", "vector-width=8") == \
        "--hector-lower-to-cpu=vector-width=8"
    assert compiler._pipeline("cuda", "") == "--hector-lower-to-ptx"


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        compiler.compile_module_info("module {}", "tpu")
    with pytest.raises(TypeError, match="mlir_text must be a str"):
        compiler.compile_module_info(b"module {}")


def test_compile_errors_name_the_step(tmp_path):
    with pytest.raises(compiler.CompileError) as info:
        compiler.compile_module_info("func.func @f(", cache_dir=tmp_path)
    assert info.value.step == "hector-opt"
    assert "expected" in info.value.stderr
    text = models.rgcn(2, in_dim=8, out_dim=8)
    with pytest.raises(compiler.CompileError) as info:
        compiler.compile_module_info(text, cache_dir=tmp_path,
                                     options="vector-width=12")
    assert info.value.step == "hector-opt"
    assert "vector-width must be a power of two" in str(info.value)
