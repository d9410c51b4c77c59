"""bench/gpu_inference.py's command line, on any machine: it parses its
arguments, rejects bad ones, and without a GPU and torch_geometric exits
with status 2 and says what it needs (the benchmark itself runs on the
device machine, docs/gpu.md)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "gpu_inference.py"


def run(*args):
    return subprocess.run([sys.executable, str(BENCH), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)


def have_everything() -> bool:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import gpu_inference
        return gpu_inference.requirements() is None
    finally:
        sys.path.pop(0)


def test_help_lists_the_options():
    p = run("--help")
    assert p.returncode == 0
    for opt in ("--artifacts", "--datasets", "--configs", "--runs",
                "--warmup", "--chip", "--no-write"):
        assert opt in p.stdout
    assert "torch_geometric" in p.stdout


def test_bad_arguments_are_rejected():
    p = run("--datasets", "nope")
    assert p.returncode == 2 and "unknown dataset 'nope'" in p.stderr
    p = run("--configs", "gcn")
    assert p.returncode == 2 and "unknown config" in p.stderr


@pytest.mark.skipif(have_everything(),
                    reason="this machine has a GPU and torch_geometric")
def test_without_gpu_says_what_it_needs(tmp_path):
    out = tmp_path / "r.md"
    p = run("--artifacts", str(tmp_path), "--output", str(out))
    assert p.returncode == 2, p.stderr
    assert "needs a GPU and torch_geometric" in p.stderr
    assert "here:" in p.stderr
    assert not out.exists()
