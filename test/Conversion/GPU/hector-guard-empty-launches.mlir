// RUN: hector-opt %s -hector-guard-empty-launches | FileCheck %s

// A grid size known only at run time: the launch runs only when every such
// size is positive (a graph with no edges gives a grid of zero blocks).
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[N:.*]]: index, %[[M:.*]]: index)
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : index
// CHECK: %[[PN:.*]] = arith.cmpi sgt, %[[N]], %[[Z]]
// CHECK: %[[PM:.*]] = arith.cmpi sgt, %[[M]], %{{.*}}
// CHECK: %[[ALL:.*]] = arith.andi %[[PN]], %[[PM]]
// CHECK: scf.if %[[ALL]] {
// CHECK-NEXT: gpu.launch
// CHECK: gpu.terminator
// CHECK: }
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @dynamic(%n: index, %m: index) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %m, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  return
}

// Constant positive sizes need no guard.
// CHECK-LABEL: func.func @constant
// CHECK-NOT: scf.if
// CHECK: gpu.launch
func.func @constant() {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c4, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  return
}

// A constant empty grid has no work: the launch is gone.
// CHECK-LABEL: func.func @empty
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @empty(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c0, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  return
}
