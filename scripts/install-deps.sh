#!/usr/bin/env bash
# Installs the Debian packages Hector needs, only those that are missing.
# libopenblas0-pthread gives Debian's torch a fast BLAS for the baselines
# in bench/ (without it torch uses the reference BLAS).
set -euo pipefail

packages=(cmake ninja-build g++ llvm-22-dev libmlir-22-dev mlir-22-tools
          libomp-22-dev python3-numpy python3-pytest python3-torch
          libopenblas0-pthread)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "hector: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
