#!/usr/bin/env bash
# The main job: compiles RGCN, RGAT and HGT for AIFB's schema with the CPU
# pipeline (hector-lower-to-cpu), runs each on AIFB with random features
# and weights, checks it against the float64 reference (relative error
# < 1e-5, every output element written) and prints compile and forward
# times.  Extra arguments go to every run (e.g. --runs 50, --dataset acm).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export HECTOR_BUILD_DIR=${HECTOR_BUILD_DIR:-$root/build}
status=0
for model in rgcn rgat hgt; do
  PYTHONPATH="$root/python" /usr/bin/python3 -m hector.main \
    --model "$model" --dataset aifb "$@" || status=1
done
exit $status
