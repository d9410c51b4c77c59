#!/usr/bin/env bash
# Builds Hector and runs every test: the lit suite (dialects, passes, models,
# C API, the installed package), the Python tests, and the CPU tests again
# under AddressSanitizer. Ends with one line
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

# The compiled models again with each optional rewrite off, so that every
# number is checked with each of them on and off.
for off in compact reorder reassociate; do
  echo "== pytest: compiled models with $off=false"
  (cd "$root" && HECTOR_PIPELINE_OPTIONS="$off=false" \
     "$python" -m pytest -q -p no:cacheprovider \
     python/tests/test_cpu_correctness.py \
     --junitxml "$results/pytest-no$off.xml") || status=1
done

# The CPU tests again under AddressSanitizer, and the GPU's GEMM templates
# and lane forms emulated on the CPU (an out-of-bounds access there is one on
# the GPU): the runtime built with -fsanitize=address (MLIR-free, in
# build-asan/), models instrumented by LLVM's asan pass
# (HECTOR_SANITIZE=address), GCC's libasan preloaded (it provides every
# entry point LLVM 22's instrumentation calls).
echo "== pytest under AddressSanitizer"
asan_build=${HECTOR_ASAN_BUILD_DIR:-$root/build-asan}
# libstdc++ too: ASan resolves its __cxa_throw interceptor at start-up, and
# Python itself does not load libstdc++ (the runtime throws internally).
libasan="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so.6)"
if [[ ! -f $asan_build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$asan_build" -DHECTOR_ENABLE_MLIR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS=-fsanitize=address -fno-omit-frame-pointer" \
    "-DCMAKE_CXX_FLAGS=-fsanitize=address -fno-omit-frame-pointer" >/dev/null
fi
if ninja -C "$asan_build" >/dev/null; then
  (cd "$root" && env LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0 \
     HECTOR_SANITIZE=address \
     HECTOR_RUNTIME_LIB="$asan_build/lib/libHectorRuntime.so" \
     HECTOR_MODEL_SUPPORT="$asan_build/lib/libHectorModelSupport.a" \
     HECTOR_CACHE_DIR="$asan_build/hector-cache" \
     "$python" -m pytest -q -p no:cacheprovider \
       python/tests/test_sanitizer.py python/tests/test_runtime.py \
       python/tests/test_prep.py python/tests/test_cpu_correctness.py \
       python/tests/test_gpu_templates.py::test_tiled_on_edge_cases \
       python/tests/test_gpu_templates.py::test_tiled_partial_tiles \
       python/tests/test_gpu_templates.py::test_lanes_on_edge_cases \
       python/tests/test_edge_parallel.py::test_chunked_weight_gradients_span_chunks \
       python/tests/test_nn.py::test_forward_values \
       "python/tests/test_nn.py::test_module_gradients_small[rgcn-max]" \
       "python/tests/test_nn.py::test_module_gradients_small[rgcn-max-edge-parallel]" \
       python/tests/test_nn.py::test_rgcn_max_ties \
       --junitxml "$results/pytest-asan.xml") || status=1
else
  echo "cannot build the AddressSanitizer runtime in $asan_build"
  status=1
fi

# Name every expected report: a runner that died before writing one counts
# as a failure.
"$python" "$root/scripts/summarize_tests.py" "$results/lit.xml" \
  "$results/pytest.xml" "$results/pytest-nocompact.xml" \
  "$results/pytest-noreorder.xml" "$results/pytest-noreassociate.xml" \
  "$results/pytest-asan.xml" || status=1
exit $status
