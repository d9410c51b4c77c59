// RUN: hector-opt %s --hector-atomic-max-to-integer | FileCheck %s
// RUN: hector-opt %s --hector-atomic-max-to-integer | mlir-translate --mlir-to-llvmir | llc -mtriple=nvptx64-nvidia-cuda -mcpu=sm_90 -mattr=+ptx80 | FileCheck %s --check-prefix=PTX

// A float maximum becomes a branch on the value's sign to one integer
// atomic on its bits, with the original's ordering and scope; the old bits
// join after the branch and are read back as a float.
// CHECK-LABEL: llvm.func @max_f32
// CHECK-SAME: (%[[P:.+]]: !llvm.ptr<1>, %[[V:.+]]: f32)
// CHECK: %[[BITS:.+]] = llvm.bitcast %[[V]] : f32 to i32
// CHECK: %[[ZERO:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[NEG:.+]] = llvm.icmp "slt" %[[BITS]], %[[ZERO]] : i32
// CHECK: llvm.cond_br %[[NEG]], ^[[IFNEG:.+]], ^[[IFPOS:[^ ]+]]
// CHECK: ^[[IFNEG]]:
// CHECK: %[[A:.+]] = llvm.atomicrmw umin %[[P]], %[[BITS]] syncscope("device") monotonic : !llvm.ptr<1>, i32
// CHECK: llvm.br ^[[JOIN:[^(]+]](%[[A]] : i32)
// CHECK: ^[[IFPOS]]:
// CHECK: %[[B:.+]] = llvm.atomicrmw max %[[P]], %[[BITS]] syncscope("device") monotonic : !llvm.ptr<1>, i32
// CHECK: llvm.br ^[[JOIN]](%[[B]] : i32)
// CHECK: ^[[JOIN]](%[[OLD:.+]]: i32):
// CHECK: %[[R:.+]] = llvm.bitcast %[[OLD]] : i32 to f32
// CHECK: llvm.return %[[R]] : f32
// CHECK-NOT: fmaximum
// PTX-LABEL: max_f32
// PTX-NOT: cas
// PTX-DAG: atom.global.min.u32
// PTX-DAG: atom.global.max.s32
// PTX: ret
llvm.func @max_f32(%p: !llvm.ptr<1>, %v: f32) -> f32 {
  %0 = llvm.atomicrmw fmaximum %p, %v syncscope("device") monotonic : !llvm.ptr<1>, f32
  llvm.return %0 : f32
}

// f64 uses i64 atomics; fmax (maxnum) is rewritten too; the rest of the
// block (here a second maximum) follows the join.
// CHECK-LABEL: llvm.func @max_f64
// CHECK: llvm.bitcast %{{.+}} : f64 to i64
// CHECK: llvm.atomicrmw umin %{{.+}} acq_rel : !llvm.ptr, i64
// CHECK: llvm.atomicrmw max %{{.+}} acq_rel : !llvm.ptr, i64
// CHECK: llvm.atomicrmw umin %{{.+}} acq_rel : !llvm.ptr, i64
// CHECK: llvm.atomicrmw max %{{.+}} acq_rel : !llvm.ptr, i64
// CHECK: llvm.return
// PTX-LABEL: max_f64
// PTX-NOT: cas
// PTX: atom.min.u64
// PTX: atom.max.s64
// PTX: ret
llvm.func @max_f64(%p: !llvm.ptr, %v: f64) {
  %0 = llvm.atomicrmw fmax %p, %v acq_rel : !llvm.ptr, f64
  %1 = llvm.atomicrmw fmaximum %p, %v acq_rel : !llvm.ptr, f64
  llvm.return
}

// Other atomics and other float types are left alone.
// CHECK-LABEL: llvm.func @untouched
// CHECK-NEXT: llvm.atomicrmw fadd
// CHECK-NEXT: llvm.atomicrmw fmin
// CHECK-NEXT: llvm.atomicrmw fmaximum %{{.+}} : !llvm.ptr, f16
// CHECK-NEXT: llvm.atomicrmw max %{{.+}} : !llvm.ptr, i32
// CHECK-NEXT: llvm.return
llvm.func @untouched(%p: !llvm.ptr, %v: f32, %h: f16, %i: i32) {
  %0 = llvm.atomicrmw fadd %p, %v acq_rel : !llvm.ptr, f32
  %1 = llvm.atomicrmw fmin %p, %v acq_rel : !llvm.ptr, f32
  %2 = llvm.atomicrmw fmaximum %p, %h acq_rel : !llvm.ptr, f16
  %3 = llvm.atomicrmw max %p, %i acq_rel : !llvm.ptr, i32
  llvm.return
}
