#!/usr/bin/env bash
# The GPU checks and the GPU benchmark in one command, ON the device machine
# (CUDA, CMake, ninja, PyTorch, torch_geometric; no MLIR).  The models come
# precompiled from gpu-artifacts/ (scripts/gpu_artifacts.sh, run on the MLIR
# machine, carried by the device tool: docs/gpu.md).
#
#   bash scripts/gpu_check.sh [STAGE...]    stages: build info test sanitize bench
#                                           bench_node bench_nolanes bench_schedule
#                                           bench_train kernels cost_model
#                                           (default: all, in that order)
#
# Writes into $OUT (the device tool's output folder; default ./gpu-check-out):
#   gpu_check.log      everything, and the summary at the end
#   nvidia-smi.txt     the GPU as found
#   pytest.log         test_cuda_runtime.py, test_gpu_correctness.py,
#                      test_gpu_training.py, test_gpu_bench_cli.py
#   sanitizer.log      compute-sanitizer memcheck of rgcn, rgat and hgt on AIFB
#                      (inference, then a training step of each through hector.nn)
#   gpu_inference.md   the benchmark table (also bench/results/gpu_inference.md)
#   gpu_inference.json its raw numbers
#   gpu_inference_node.md/.json  the same with Hector's node-parallel traversal
#   gpu_inference_nolanes.md/.json  the same without lanes over feature loops
#   gpu_inference_schedule_256_32.md/.json, ..._128_8.md/.json  the same with
#                                the traversal schedules of the artifacts
#                                (hector.gpu_artifacts.SCHEDULES), real graphs
#   gpu_training.md/.json        the training-step benchmark (bench/gpu_training.py)
#   gpu_kernels.md/.json         each kernel's time and DRAM bandwidth under
#                                Nsight Compute (bench/gpu_kernels.py)
#   cost_model_sm_90.md/.json    the cost model calibrated and judged on this
#                                GPU (bench/cost_model.py --target cuda)
# The device tool brings back at most eight files per call: run the stages
# over several calls (docs/gpu.md), which the ten-minute limit needs anyway.
# Environment: HECTOR_ARTIFACTS (default gpu-artifacts), BENCH_ARGS (extra
# arguments of bench/gpu_inference.py), TRAIN_ARGS (of bench/gpu_training.py),
# KERNEL_ARGS (of bench/gpu_kernels.py), COST_ARGS (of bench/cost_model.py),
# PYTHON (default python3).
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${OUT:-$ROOT/gpu-check-out}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
ART="$(cd "${HECTOR_ARTIFACTS:-$ROOT/gpu-artifacts}" 2>/dev/null && pwd)" || {
  echo "error: no artifacts directory ${HECTOR_ARTIFACTS:-gpu-artifacts}; build it with scripts/gpu_artifacts.sh and carry it" >&2
  exit 2; }
export HECTOR_ARTIFACTS="$ART"
export HECTOR_DATA_DIR="${HECTOR_DATA_DIR:-$ART/data}"
export HECTOR_BUILD_DIR="$ROOT/build-rt"
export LD_LIBRARY_PATH="$ROOT/build-rt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
exec > >(tee -a "$OUT/gpu_check.log") 2>&1

stages=("$@")
[[ ${#stages[@]} -eq 0 ]] && stages=(build info test sanitize bench bench_node
                                     bench_nolanes bench_schedule bench_train
                                     kernels cost_model)
declare -A rc
t_all=$SECONDS

stage_build() {
  cmake -G Ninja -S . -B build-rt -DHECTOR_ENABLE_MLIR=OFF \
    -DCMAKE_BUILD_TYPE=Release >/dev/null && ninja -C build-rt
}

stage_info() {
  nvidia-smi | tee "$OUT/nvidia-smi.txt"
  "$PY" - <<'PY'
from hector import runtime
print("cuda_available:", runtime.cuda_available())
print("device:", runtime.cuda_device_info(0))
import torch
print("torch", torch.__version__, torch.cuda.get_device_name(0))
try:
    import torch_geometric
    print("torch_geometric", torch_geometric.__version__)
except ImportError as e:
    print("no torch_geometric:", e)
PY
}

stage_test() {
  set -o pipefail
  "$PY" -m pytest -q -rs -p no:cacheprovider \
    python/tests/test_cuda_runtime.py python/tests/test_gpu_correctness.py \
    python/tests/test_gpu_training.py python/tests/test_gpu_bench_cli.py \
    2>&1 | tee "$OUT/pytest.log"
}

stage_sanitize() {
  local ok=0
  : > "$OUT/sanitizer.log"
  if ! command -v compute-sanitizer >/dev/null; then
    echo "compute-sanitizer not found" | tee -a "$OUT/sanitizer.log"; return 1
  fi
  for m in rgcn rgat hgt; do
    echo "== memcheck: $m (4 heads) on aifb" | tee -a "$OUT/sanitizer.log"
    compute-sanitizer --tool memcheck --error-exitcode 3 \
      --print-limit 20 "$PY" -m hector.main --target cuda \
      --artifacts "$ART" --model "$m" --heads 4 --dataset aifb --runs 1 \
      --warmup 0 2>&1 | tee -a "$OUT/sanitizer.log"
    local r=${PIPESTATUS[0]}
    echo "== $m: exit $r" | tee -a "$OUT/sanitizer.log"
    [[ $r -eq 0 ]] || ok=1
  done
  echo "== memcheck: training steps on aifb" | tee -a "$OUT/sanitizer.log"
  compute-sanitizer --tool memcheck --error-exitcode 3 --print-limit 20 \
    "$PY" -m pytest -q -p no:cacheprovider python/tests/test_gpu_training.py \
    -k "step and aifb" 2>&1 | tee -a "$OUT/sanitizer.log"
  local r=${PIPESTATUS[0]}
  echo "== training: exit $r" | tee -a "$OUT/sanitizer.log"
  [[ $r -eq 0 ]] || ok=1
  return $ok
}

# Copies a benchmark's table and its JSON (bench/results/NAME.md, .json)
# into $OUT, the files the device tool brings back.
keep_result() {
  cp "bench/results/$1.md" "bench/results/$1.json" "$OUT/"
}

stage_bench() {
  "$PY" bench/gpu_inference.py --artifacts "$ART" ${BENCH_ARGS:-} &&
    keep_result gpu_inference
}

stage_bench_node() {
  "$PY" bench/gpu_inference.py --artifacts "$ART" --traversal node \
    ${BENCH_ARGS:-} && keep_result gpu_inference_node
}

stage_bench_nolanes() {
  "$PY" bench/gpu_inference.py --artifacts "$ART" --lanes off \
    ${BENCH_ARGS:-} && keep_result gpu_inference_nolanes
}

# The schedules and graphs the artifacts hold them for (gpu_artifacts.py).
stage_bench_schedule() {
  local ok=0 s schedules real
  schedules=$("$PY" -c 'from hector.gpu_artifacts import SCHEDULES; print(*SCHEDULES)') &&
    real=$("$PY" -c 'from hector.gpu_artifacts import REAL; print(",".join(REAL))') ||
    return 1
  for s in $schedules; do
    "$PY" bench/gpu_inference.py --artifacts "$ART" --traversal-schedule "$s" \
      ${BENCH_ARGS:-} --datasets "$real" &&
      keep_result "gpu_inference_schedule_${s/,/_}" || ok=1
  done
  return $ok
}

stage_bench_train() {
  "$PY" bench/gpu_training.py --artifacts "$ART" ${TRAIN_ARGS:-} &&
    keep_result gpu_training
}

stage_kernels() {
  "$PY" bench/gpu_kernels.py --artifacts "$ART" ${KERNEL_ARGS:-} &&
    keep_result gpu_kernels
}

stage_cost_model() {
  "$PY" bench/cost_model.py --target cuda --chip sm_90 --artifacts "$ART" \
    ${COST_ARGS:-} && keep_result cost_model_sm_90
}

for s in "${stages[@]}"; do
  declare -F "stage_$s" >/dev/null || {
    echo "error: unknown stage '$s' (build info test sanitize bench bench_node bench_nolanes bench_schedule bench_train kernels cost_model)" >&2
    exit 2; }
done
for s in "${stages[@]}"; do
  echo "===== $s ($(date -u +%H:%M:%S))"
  t0=$SECONDS
  "stage_$s"
  rc[$s]=$?
  echo "===== $s: exit ${rc[$s]} ($((SECONDS - t0)) s)"
  if [[ $s == build && ${rc[$s]} -ne 0 ]]; then break; fi
done
echo
echo "summary ($((SECONDS - t_all)) s):"
fail=0
for s in "${stages[@]}"; do
  printf '  %-11s %s\n' "$s" "${rc[$s]:-not run}"
  [[ "${rc[$s]:-1}" == 0 ]] || fail=1
done
[[ -f "$OUT/pytest.log" ]] && tail -n 3 "$OUT/pytest.log"
exit $fail
