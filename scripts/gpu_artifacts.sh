#!/usr/bin/env bash
# Compile every CUDA model the GPU tests and the GPU benchmark need into
# gpu-artifacts/ (an ignored directory: pass it to the device tool in
# `carry`), with manifest.json and a copy of the datasets.  Runs HERE (needs
# build/bin/hector-opt and the LLVM tools); the device machine has no MLIR.
#
#   bash scripts/gpu_artifacts.sh [--out DIR] [--jobs N] [--no-data]
#
# The models' host code is compiled for a generic x86-64 CPU
# (HECTOR_HOST_CPU=x86-64) and they find libHectorCUDA.so.0 through the run
# path $ORIGIN/../../build-rt/lib (the MLIR-free build at the repository
# root, built on the device by scripts/gpu_check.sh). See docs/gpu.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=${PYTHON:-/usr/bin/python3}
export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"
if [[ ! -x build/bin/hector-opt ]]; then
  echo "error: build/bin/hector-opt not found; run scripts/build.sh first" >&2
  exit 2
fi
if [[ "$(build/bin/hector-opt --help)" != *hector-lower-to-ptx* ]]; then
  echo "error: hector-opt has no --hector-lower-to-ptx pipeline" >&2
  exit 2
fi
OUTDIR=gpu-artifacts
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUTDIR="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
rm -rf "$OUTDIR/models"
"$PY" -m hector.gpu_artifacts build --out "$OUTDIR" "${args[@]}"
"$PY" -m hector.gpu_artifacts check --dir "$OUTDIR"
# The libraries must resolve the shim through their $ORIGIN run path.
packed=("$OUTDIR"/models/*.so.xz)
"$PY" -c 'import lzma, sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' \
  "${packed[0]}" > "$OUTDIR/.readelf.so"
readelf -d "$OUTDIR/.readelf.so" | grep -E 'RUNPATH|RPATH|NEEDED' || true
rm -f "$OUTDIR/.readelf.so"
du -sh "$OUTDIR" "$OUTDIR"/models "$OUTDIR"/data 2>/dev/null || true
