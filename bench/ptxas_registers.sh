#!/usr/bin/env bash
# Compiles the example models with hector-lower-to-ptx and records, for every
# kernel and architecture, ptxas's register, spill and stack figures. Needs
# ptxas (CUDA toolkit), not a GPU. Writes bench/results/ptxas_registers.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HECTOR_BUILD_DIR:-$root/build}
out=$root/bench/results/ptxas_registers.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "# ptxas register use of Hector's GPU kernels"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- command: bash bench/ptxas_registers.sh"
  ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
  echo "- ptxas: $("$ptxas" --version | tail -1)"
  echo "- pipeline: hector-opt --hector-lower-to-ptx (default: chip=sm_80, compaction on, edge-parallel aggregations); each model's PTX assembled for sm_80 and sm_90"
  echo "- kernels are numbered in program order by the outliner; the typed GEMMs are the kernels with shared memory (the tiled template: by default 64 x 64 tiles of 8 K steps, 4 x 4 outputs per thread; 4160 bytes of A and B tiles)"
  echo
  for model in rgcn rgat hgt; do
    "$build/bin/hector-opt" "$root/examples/models/$model.mlir" \
      --hector-lower-to-ptx -o "$tmp/$model.mlir"
    echo "## $model"
    echo
    echo '```'
    /usr/bin/python3 "$root/scripts/ptx_tool.py" check "$tmp/$model.mlir" sm_80 sm_90
    echo '```'
    echo
  done
  # The weight-gradient outer GEMM alone (its kernels are the ones with
  # shared memory there).
  "$build/bin/hector-opt" "$root/test/Target/NVPTX/Inputs/weight-gradients.mlir" \
    --hector-lower-to-ptx -o "$tmp/weight-gradients.mlir"
  echo "## weight gradients (hetop.outer_gemm)"
  echo
  echo "test/Target/NVPTX/Inputs/weight-gradients.mlir: the kernels with shared memory are the tiled outer GEMM (64 x 64 per relation over edges, 4 heads of 16 x 16 per relation over pairs, 64 x 64 shared over nodes; tiles of 8 rows, 4 x 4 outputs per thread at 64 x 64); the others zero the three results, which the GEMMs then write in place (no copy kernels)."
  echo
  echo '```'
  /usr/bin/python3 "$root/scripts/ptx_tool.py" check "$tmp/weight-gradients.mlir" sm_80 sm_90
  echo '```'
} > "$out"
echo "wrote $out"
