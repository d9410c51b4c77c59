#!/usr/bin/env bash
# The main job: compiles the three example models with the furthest pipeline
# implemented so far (hector-simplify: schema check, canonicalization, CSE)
# and prints the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HECTOR_BUILD_DIR:-$root/build}
for model in rgcn rgat hgt; do
  echo "// ===== $model: hector-opt --hector-simplify examples/models/$model.mlir"
  "$build/bin/hector-opt" --hector-simplify "$root/examples/models/$model.mlir"
done
