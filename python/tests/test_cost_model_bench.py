"""bench/cost_model.py beyond one CPU run: its GPU target needs a GPU and
says so, ``--from-json`` refits a saved run without measuring (how a GPU
run's parameters reach CostParams.def here), and ``--write`` replaces one
target's entry of CostParams.def and keeps the others."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hector import runtime

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "cost_model.py"
PARAMS_DEF = ROOT / "include" / "Hector" / "Analysis" / "CostParams.def"
SAVED = ROOT / "bench" / "results" / "cost_model.json"


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300)


def bench_module():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        return __import__("cost_model")
    finally:
        sys.path.pop(0)


def entries(text):
    """target -> the numbers of its HECTOR_COST_PARAMS entry."""
    return {m.group(1): [float(x) for x in m.group(2).split(",")]
            for m in re.finditer(
                r'(?m)^HECTOR_COST_PARAMS\("([^"]+)",([^"]*),\s*$', text)}


def test_cuda_target_without_gpu_says_what_it_needs():
    ok, _ = runtime.cuda_available()
    if ok:
        pytest.skip("a GPU is here: the cost_model stage of "
                    "scripts/gpu_check.sh runs the CUDA target")
    p = run("--target", "cuda", "--datasets", "aifb", "--sizes", "16")
    assert p.returncode == 2
    assert "--target cuda needs a GPU" in p.stderr


def test_from_json_refits_the_saved_run(tmp_path):
    out = tmp_path / "refit.md"
    p = run("--from-json", str(SAVED), "--out", str(out))
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    saved = (ROOT / "bench" / "results" / "cost_model.md").read_text()
    meta = json.loads(SAVED.read_text())["meta"]
    assert f"date {meta['date']}" in text and "fitted again by" in text
    # Same cases, same fit: the same table rows and in-sample verdict.
    rows = [ln for ln in text.splitlines() if ln.startswith("| ")]
    assert len(rows) == len([ln for ln in saved.splitlines()
                             if ln.startswith("| ")])
    in_sample = [ln for ln in text.splitlines()
                 if ln.startswith("In sample")]
    assert in_sample and in_sample[0] in saved
    refit = json.loads(out.with_suffix(".json").read_text())
    assert refit["meta"]["target"] == "cpu"
    assert len(refit["cases"]) == len(json.loads(SAVED.read_text())["cases"])


def test_write_params_replaces_one_target(tmp_path):
    cm = bench_module()
    path = tmp_path / "CostParams.def"
    original = PARAMS_DEF.read_text()
    path.write_text(original)
    cpu = entries(original)["cpu"]
    params = dict(zip(("gemm_flop", "other_flop", "byte", "gathered_byte",
                       "intermediate_byte", "kernel", "cache"), cpu))
    gpu = dict(params, kernel=3e-6, cache=5e7)
    cm.write_params(gpu, "a test's sm_90", "sm_90", path=path)
    got = entries(path.read_text())
    assert list(got) == ["cpu", "sm_90"]  # the default (CPU) stays first
    assert got["cpu"] == cpu
    assert got["sm_90"][5] == 3e-6 and got["sm_90"][6] == 5e7
    # Writing a target again replaces its entry.
    cm.write_params(dict(gpu, kernel=4e-6), "again", "sm_90", path=path)
    got = entries(path.read_text())
    assert list(got) == ["cpu", "sm_90"] and got["sm_90"][5] == 4e-6
    assert path.read_text().count('"again"') == 1
    # The CPU's entry written with its own numbers changes nothing but
    # the provenance.
    path.write_text(original)
    prov = re.search(r'(?m)^\s+"([^"]*)"\)', original).group(1)
    cm.write_params(params, prov, "cpu", path=path)
    assert path.read_text() == original
