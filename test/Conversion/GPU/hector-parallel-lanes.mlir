// RUN: hector-opt %s -hector-parallel-lanes -split-input-file | FileCheck %s

// A row copy: an iteration per row and lane of the 4 x 16 nest, lanes
// fastest, so consecutive threads read consecutive elements of a row. The
// ops of the outer level repeat in each lane.
// CHECK-LABEL: func.func @copy
// CHECK-SAME: (%[[IN:.*]]: memref<?x4x16xf32>, %[[OUT:.*]]: memref<?x16x4xf32>, %[[S:.*]]: memref<?x4xf32>)
// CHECK: %[[N:.*]] = memref.dim %[[IN]]
// CHECK: %[[L:.*]] = arith.constant 64 : index
// CHECK: %[[NL:.*]] = arith.muli %[[N]], %[[L]]
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[NL]])
// CHECK-NEXT: %[[ROW:.*]] = arith.divui %[[I]], %[[L]]
// CHECK-NEXT: %[[LANE:.*]] = arith.remui %[[I]], %[[L]]
// CHECK: %[[HQ:.*]] = arith.divui %[[LANE]], %c16
// CHECK: %[[HR:.*]] = arith.remui %[[HQ]], %c4
// CHECK: %[[H:.*]] = arith.addi %c0{{.*}}, %{{.*}}
// CHECK: %[[FQ:.*]] = arith.divui %[[LANE]], %c1
// CHECK: %[[FR:.*]] = arith.remui %[[FQ]], %c16
// CHECK: %[[F:.*]] = arith.addi %c0{{.*}}, %{{.*}}
// CHECK-NOT: scf.for
// CHECK: %[[W:.*]] = memref.load %[[S]][%[[ROW]], %[[H]]]
// CHECK: %[[V:.*]] = memref.load %[[IN]][%[[ROW]], %[[H]], %[[F]]]
// CHECK: %[[WV:.*]] = arith.mulf %[[W]], %[[V]]
// CHECK: memref.store %[[WV]], %[[OUT]][%[[ROW]], %[[F]], %[[H]]]
func.func @copy(%in: memref<?x4x16xf32>, %out: memref<?x16x4xf32>, %s: memref<?x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %n = memref.dim %in, %c0 : memref<?x4x16xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %h = %c0 to %c4 step %c1 {
      %w = memref.load %s[%i, %h] : memref<?x4xf32>
      scf.for %f = %c0 to %c16 step %c1 {
        %v = memref.load %in[%i, %h, %f] : memref<?x4x16xf32>
        %wv = arith.mulf %w, %v : f32
        memref.store %wv, %out[%i, %f, %h] : memref<?x16x4xf32>
      }
    }
  }
  return
}

// -----

// An atomic may be shared by lanes; a store the inner loop does not index
// shortens the nest to the loops that do (here the heads).
// CHECK-LABEL: func.func @shared
// CHECK: %[[L:.*]] = arith.constant 4 : index
// CHECK: scf.parallel
// CHECK: arith.remui %{{.*}}, %[[L]]
// CHECK: scf.for
// CHECK: memref.atomic_rmw addf
// CHECK: memref.store
func.func @shared(%in: memref<?x4x16xf32>, %sum: memref<?xf32>, %last: memref<?x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %n = memref.dim %in, %c0 : memref<?x4x16xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %h = %c0 to %c4 step %c1 {
      scf.for %f = %c0 to %c16 step %c1 {
        %v = memref.load %in[%i, %h, %f] : memref<?x4x16xf32>
        %old = memref.atomic_rmw addf %v, %sum[%i] : (f32, memref<?xf32>) -> f32
        memref.store %v, %last[%i, %h] : memref<?x4xf32>
      }
    }
  }
  return
}

// -----

// Left alone: a loop with a result (a reduction over features), a level
// that writes besides its loop, a loop of dynamic bounds, a store at an
// index computed from the loops (which lanes might share), a parallel loop
// of two dimensions, and one inside a kernel.
// CHECK-LABEL: func.func @unchanged
// CHECK-NOT: arith.remui
// CHECK: return
func.func @unchanged(%in: memref<?x16xf32>, %out: memref<?xf32>, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %in, %c0 : memref<?x16xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %s = scf.for %f = %c0 to %c16 step %c1 iter_args(%acc = %zero) -> f32 {
      %v = memref.load %in[%i, %f] : memref<?x16xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %s, %out[%i] : memref<?xf32>
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %out[%i] : memref<?xf32>
    scf.for %f = %c0 to %c16 step %c1 {
      memref.store %zero, %in[%i, %f] : memref<?x16xf32>
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %f = %c0 to %m step %c1 {
      memref.store %zero, %in[%i, %f] : memref<?x16xf32>
    }
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %f = %c0 to %c16 step %c1 {
      %g = arith.divui %f, %c16 : index
      memref.store %zero, %in[%i, %g] : memref<?x16xf32>
    }
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c1) step (%c1, %c1) {
    scf.for %f = %c0 to %c16 step %c1 {
      memref.store %zero, %in[%i, %f] : memref<?x16xf32>
    }
  }
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.for %f = %c0 to %c16 step %c1 {
        memref.store %zero, %in[%i, %f] : memref<?x16xf32>
      }
    }
    gpu.terminator
  }
  return
}
