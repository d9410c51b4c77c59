#!/usr/bin/env bash
# Configures (once) and builds Hector in build/ (or $HECTOR_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HECTOR_BUILD_DIR:-$root/build}
if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$build" ${HECTOR_NINJA_FLAGS:-}
