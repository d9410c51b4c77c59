"""hector._openmp: imported before torch, hector makes torch's OpenMP calls
bind to the libomp its models use (one thread pool); imported after, or
with HECTOR_SHARED_OPENMP=0, it leaves torch alone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON = str(Path(__file__).resolve().parents[1])

# torch.set_num_threads(5) reaches libomp only if torch's omp_* calls bind
# to it; the parallel matmul must still be right.
PROBE = """
import ctypes
import {first}, {second}
torch.set_num_threads(5)
a = torch.randn(300, 300, dtype=torch.float64)
assert torch.allclose(a @ a, torch.from_numpy(a.numpy() @ a.numpy()))
omp = ctypes.CDLL(str(hector._openmp.libomp_path()))
print(hector._openmp.status, "|", omp.omp_get_max_threads())
"""


def probe(first: str, **env) -> str:
    second = "torch" if first == "hector" else "hector"
    code = PROBE.format(first=first, second=second)
    full = dict(os.environ, PYTHONPATH=PYTHON, OMP_NUM_THREADS="2", **env)
    out = subprocess.run([sys.executable, "-c", code], env=full, text=True,
                         capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_hector_first_shares_the_runtime():
    assert probe("hector") == "shared | 5"


def test_torch_first_is_left_alone():
    assert probe("torch") == "torch was imported before hector | 2"


def test_opt_out():
    assert probe("hector", HECTOR_SHARED_OPENMP="0") == \
        "off (HECTOR_SHARED_OPENMP=0) | 2"
