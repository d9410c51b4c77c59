// RUN: hector-opt %s -hector-host-buffers-to-gpu -split-input-file -verify-diagnostics | FileCheck %s

// Host allocations become device allocations, waited for at once; a
// kernel's own memory is left alone.
// CHECK-LABEL: func.func @buffers
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[M:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%{{.*}}) : memref<?x4xf32>
// CHECK: gpu.wait [%[[T1]]]
// CHECK: gpu.launch
// CHECK: memref.alloca() : memref<4xf32>
// CHECK: memref.store
// CHECK: %[[T2:.*]] = gpu.wait async
// CHECK: %[[T3:.*]] = gpu.dealloc async [%[[T2]]] %[[M]] : memref<?x4xf32>
// CHECK: gpu.wait [%[[T3]]]
func.func @buffers(%n: index) {
  %c1 = arith.constant 1 : index
  %m = memref.alloc(%n) : memref<?x4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %tmp = memref.alloca() : memref<4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = arith.constant 0 : index
    memref.store %zero, %m[%bx, %c0] : memref<?x4xf32>
    gpu.terminator
  }
  memref.dealloc %m : memref<?x4xf32>
  return
}

// -----

// Host code must not read device buffers.
func.func @host_read(%n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %m = memref.alloc(%n) : memref<?xf32>
  // expected-error @+1 {{host code of a GPU model accesses a device buffer; this must happen in a kernel}}
  %v = memref.load %m[%c0] : memref<?xf32>
  return %v : f32
}
