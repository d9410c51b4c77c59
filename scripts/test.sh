#!/usr/bin/env bash
# Builds Hector and runs every test: the lit suite (dialects, passes, models,
# C API, the installed package) and the Python tests. Ends with one line
# "N passed, N failed, N skipped" over all of them; exits non-zero on any
# failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HECTOR_BUILD_DIR:-$root/build}
export HECTOR_BUILD_DIR=$build
results=$build/test-results
python=/usr/bin/python3

"$root/scripts/install-deps.sh" || exit 1
"$root/scripts/build.sh" || { echo "0 passed, 1 failed (build)"; exit 1; }
rm -rf "$results" && mkdir -p "$results"

status=0
echo "== lit"
/usr/lib/llvm-22/bin/lit -sv "$build/test" \
  --xunit-xml-output "$results/lit.xml" || status=1
echo "== pytest"
(cd "$root" && "$python" -m pytest -q python/tests \
  --junitxml "$results/pytest.xml") || status=1

"$python" "$root/scripts/summarize_tests.py" "$results"/*.xml || status=1
exit $status
