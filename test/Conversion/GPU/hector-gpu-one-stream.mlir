// RUN: hector-opt %s -hector-gpu-one-stream -split-input-file -verify-diagnostics | FileCheck %s
// RUN: hector-opt %s -hector-guard-empty-launches -hector-host-buffers-to-gpu -hector-gpu-one-stream -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=PIPE

// A host function's allocations, launches and frees chain on one token
// (one stream): the waits between them are gone, and the host waits once,
// before it returns. A launch with workgroup memory keeps it.
// CHECK-LABEL: func.func @chain
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK-NEXT: %[[M:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%{{.*}}) : memref<?xf32>
// CHECK-NEXT: %[[L1:.*]] = gpu.launch async [%[[T1]]] blocks
// CHECK: gpu.terminator
// CHECK: %[[L2:.*]] = gpu.launch async [%[[L1]]] blocks
// CHECK-SAME: workgroup(%{{.*}} : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK: gpu.terminator
// CHECK: %[[T2:.*]] = gpu.dealloc async [%[[L2]]] %[[M]] : memref<?xf32>
// CHECK-NEXT: gpu.wait [%[[T2]]]
// CHECK-NEXT: return
// CHECK-NOT: gpu.wait
func.func @chain(%n: index) {
  %c1 = arith.constant 1 : index
  %t0 = gpu.wait async
  %m, %t1 = gpu.alloc async [%t0] (%n) : memref<?xf32>
  gpu.wait [%t1]
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %m[%bx] : memref<?xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1)
             workgroup(%s : memref<32xf32, #gpu.address_space<workgroup>>) {
    %v = memref.load %m[%bx] : memref<?xf32>
    memref.store %v, %s[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  %t2 = gpu.wait async
  %t3 = gpu.dealloc async [%t2] %m : memref<?xf32>
  gpu.wait [%t3]
  return
}

// -----

// An op with other side effects ends the chain: the host waits before the
// call, and work after it starts a new chain. A loop's body gets a chain
// of its own, waited for before each iteration ends.
// CHECK-LABEL: func.func @effects
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK-NEXT: %[[L0:.*]] = gpu.launch async [%[[T0]]]
// CHECK: gpu.wait [%[[L0]]]
// CHECK-NEXT: call @log()
// CHECK-NEXT: scf.for
// CHECK-NEXT: %[[T1:.*]] = gpu.wait async
// CHECK-NEXT: %[[L1:.*]] = gpu.launch async [%[[T1]]]
// CHECK: gpu.wait [%[[L1]]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[T2:.*]] = gpu.wait async
// CHECK-NEXT: %[[L2:.*]] = gpu.launch async [%[[T2]]]
// CHECK: gpu.wait [%[[L2]]]
// CHECK-NEXT: return
func.func private @log()
func.func @effects(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  func.call @log() : () -> ()
  scf.for %i = %c0 to %n step %c1 {
    gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
               threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
      gpu.terminator
    }
  }
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    gpu.terminator
  }
  return
}

// -----

// A function without GPU work is left alone.
// CHECK-LABEL: func.func @host_only
// CHECK-NEXT: arith.addi
// CHECK-NEXT: return
func.func @host_only(%a: index) -> index {
  %b = arith.addi %a, %a : index
  return %b : index
}

// -----

// A GPU op this pass cannot chain is an error, not a silent host wait.
func.func @sync_memset(%m: memref<4xf32>, %v: f32) {
  // expected-error @+1 {{synchronous GPU op in a host function; expected its async form}}
  gpu.memset %m, %v : memref<4xf32>, f32
  return
}

// -----

// After hector-guard-empty-launches and hector-host-buffers-to-gpu (as in
// --hector-lower-to-ptx), a model's host function is one chain with no
// branch: an empty grid is skipped inside the kernel.
// PIPE-LABEL: func.func @model
// PIPE: %[[T0:.*]] = gpu.wait async
// PIPE-NEXT: %[[M:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]]
// PIPE-NOT: scf.if
// PIPE: %[[L:.*]] = gpu.launch async [%[[T1]]]
// PIPE-NEXT: scf.if
// PIPE: %[[T2:.*]] = gpu.dealloc async [%[[L]]] %[[M]]
// PIPE-NEXT: gpu.wait [%[[T2]]]
// PIPE-NEXT: return
func.func @model(%n: index) {
  %c1 = arith.constant 1 : index
  %m = memref.alloc(%n) : memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %n, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %m[%bx] : memref<?xf32>
    gpu.terminator
  }
  memref.dealloc %m : memref<?xf32>
  return
}
