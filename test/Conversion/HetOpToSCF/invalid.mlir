// RUN: hector-opt %s '-convert-hetop-to-scf=gemm-template=tiled' -split-input-file -verify-diagnostics
// RUN: hector-opt %s '-convert-hetop-to-scf=target=gpu' -split-input-file -verify-diagnostics

// Templates that cannot be lowered: sizes the kernels unroll over must be
// static, and a pinned schedule must split among its threads (the tiled
// kernels, on the GPU or emulated on the CPU).

func.func @f(%a: memref<?x?xf32>, %b: memref<?x32xf32>, %c: memref<?x?x32xf32>, %off: memref<?xi64>) {
  // expected-error @+1 {{lowering an outer GEMM needs static K, N and head counts}}
  hetop.outer_gemm ins(%a, %b : memref<?x?xf32>, memref<?x32xf32>) outs(%c : memref<?x?x32xf32>) segments(%off : memref<?xi64>)
  return
}

// -----

// A and B are static, but C's K x N (zeroed and indexed by constants) is not.
func.func @f(%a: memref<?x64xf32>, %b: memref<?x32xf32>, %c: memref<?x64x?xf32>, %off: memref<?xi64>) {
  // expected-error @+1 {{lowering an outer GEMM needs static K, N and head counts}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x32xf32>) outs(%c : memref<?x64x?xf32>) segments(%off : memref<?xi64>)
  return
}

// -----

// A 64 x 64 tile on 32 threads is 128 accumulators each.
func.func @f(%a: memref<?x64xf32>, %b: memref<?x64xf32>, %c: memref<64x64xf32>) {
  // expected-error @+1 {{outer GEMM schedule: 128 outputs per thread; at most 64 fit in registers}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x64xf32>) outs(%c : memref<64x64xf32>)
      {schedule = #hetop.gemm_schedule<tile_m = 64, tile_n = 64, tile_k = 8, threads = 32>}
  return
}

// -----

func.func @f(%a: memref<?x?xf32>, %b: memref<4x?x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{lowering a typed GEMM needs static K, N and head counts}}
  hetop.typed_gemm ins(%a, %b : memref<?x?xf32>, memref<4x?x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}
