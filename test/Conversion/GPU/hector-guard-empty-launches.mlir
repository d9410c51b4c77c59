// RUN: hector-opt %s -hector-guard-empty-launches | FileCheck %s

// A grid size known only at run time: the launch has at least one block,
// and its body runs only when every such size is positive (a graph with no
// edges gives a grid of zero blocks, which the driver rejects). The host
// code has no branch, so its launches can chain on one stream.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[N:.*]]: index, %[[M:.*]]: index, %[[BUF:.*]]: memref<?xf32>)
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: %[[PN:.*]] = arith.cmpi sgt, %[[N]], %[[Z]]
// CHECK: %[[PM:.*]] = arith.cmpi sgt, %[[M]], %[[Z]]
// CHECK: %[[ALL:.*]] = arith.andi %[[PN]], %[[PM]]
// CHECK: %[[GN:.*]] = arith.maxsi %[[N]], %[[ONE]]
// CHECK: %[[GM:.*]] = arith.maxsi %[[M]], %[[ONE]]
// CHECK-NOT: scf.if
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GN]], %{{.*}} = %[[GM]], %{{.*}} = %{{.*}})
// CHECK-NEXT: scf.if %[[ALL]] {
// CHECK-NEXT: arith.index_cast %[[BX]]
// CHECK: memref.store
// CHECK: gpu.barrier
// CHECK-NEXT: }
// CHECK-NEXT: gpu.terminator
// CHECK: return
func.func @dynamic(%n: index, %m: index, %buf: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %m, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %i = arith.index_cast %bx : index to i64
    %f = arith.uitofp %i : i64 to f32
    memref.store %f, %buf[%bx] : memref<?xf32>
    gpu.barrier
    gpu.terminator
  }
  return
}

// An async launch keeps its token: the guard is inside the kernel.
// CHECK-LABEL: func.func @async
// CHECK: %[[T:.*]] = gpu.wait async
// CHECK: %[[L:.*]] = gpu.launch async [%[[T]]]
// CHECK-NEXT: scf.if
// CHECK: gpu.wait [%[[L]]]
func.func @async(%n: index) {
  %c1 = arith.constant 1 : index
  %t = gpu.wait async
  %l = gpu.launch async [%t] blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  gpu.wait [%l]
  return
}

// An async launch with a constant empty grid is gone too; its users wait
// for what it waited for.
// CHECK-LABEL: func.func @async_empty
// CHECK: %[[T:.*]] = gpu.wait async
// CHECK-NOT: gpu.launch
// CHECK: %[[D:.*]] = gpu.wait async [%[[T]]]
// CHECK: gpu.wait [%[[D]]]
func.func @async_empty() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %t = gpu.wait async
  %l = gpu.launch async [%t] blocks(%bx, %by, %bz) in (%x = %c0, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  gpu.wait [%l]
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
