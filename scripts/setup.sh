#!/usr/bin/env bash
# Fresh-machine set-up: installs what is missing, builds, runs the main job.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
"$root/scripts/main.sh"
