// RUN: hector-opt %s -hector-tile-parallel-loops -split-input-file -verify-diagnostics | FileCheck %s
// RUN: hector-opt %s '-hector-tile-parallel-loops=threads=32' -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=T32
// RUN: not hector-opt %s '-hector-tile-parallel-loops=threads=2048' -split-input-file 2>&1 | FileCheck %s --check-prefix=BADOPT

// A loop without hetop.block_threads gets the pass's block size (64 by
// default), a whole block of threads (no min bound).
// CHECK-LABEL: func.func @default_block(
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[STEP:.*]] = arith.muli %{{.*}}, %[[C64]]
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%{{.*}}) step (%[[STEP]])
// CHECK-NEXT: scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[STEP]]) step
// CHECK-NOT: affine.min
// T32-LABEL: func.func @default_block(
// T32: arith.constant 32 : index
// BADOPT: hector-tile-parallel-loops: threads must be between 1 and 1024, got 2048
func.func @default_block(%n: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %z, %out[%i] : memref<?xf32>
  }
  return
}

// -----

// The attribute (a traversal's schedule) wins over the option.
// CHECK-LABEL: func.func @chosen_block(
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[STEP:.*]] = arith.muli %{{.*}}, %[[C256]]
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[STEP]])
// CHECK-NOT: hetop.block_threads
// T32-LABEL: func.func @chosen_block(
// T32: arith.constant 256 : index
func.func @chosen_block(%n: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %z, %out[%i] : memref<?xf32>
  } {hetop.block_threads = 256 : i64}
  return
}

// -----

// Only innermost loops are tiled, and not those with reductions.
// CHECK-LABEL: func.func @untouched(
// CHECK-NOT: arith.muli
// CHECK: scf.parallel
// CHECK: scf.reduce
// CHECK: return
func.func @untouched(%n: index, %in: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%z) -> f32 {
    %v = memref.load %in[%i] : memref<?xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %r = arith.addf %a, %b : f32
      scf.reduce.return %r : f32
    }
  }
  return %s : f32
}

// -----

// A block size out of range is an error on the loop.
func.func @bad_block(%n: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  // expected-error @+1 {{hetop.block_threads must be between 1 and 1024, got 0}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %z, %out[%i] : memref<?xf32>
  } {hetop.block_threads = 0 : i64}
  return
}
