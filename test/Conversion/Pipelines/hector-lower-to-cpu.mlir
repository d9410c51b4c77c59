// RUN: hector-opt %s --hector-lower-to-cpu | FileCheck %s
// RUN: hector-opt %s --hector-lower-to-cpu | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM
// RUN: hector-opt %s '--hector-lower-to-cpu=vector-width=8' | FileCheck %s --check-prefix=W8

// The whole CPU pipeline: only the LLVM and OpenMP dialects remain, with
// the C interface of docs/abi.md and the model's metadata.

!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK: module attributes {llvm.target_triple = "{{.*}}"}
// CHECK: llvm.func @rgcn(
// CHECK: omp.parallel
// CHECK: omp.wsloop
// CHECK: llvm.intr.fmuladd{{.*}}vector<16xf32>
// W8: llvm.intr.fmuladd{{.*}}vector<8xf32>
// W8-NOT: vector<16xf32>
// CHECK: llvm.func @_mlir_ciface_rgcn(
// CHECK: llvm.func @hector_model_info() -> !llvm.ptr
// CHECK-NOT: rgnn.
// CHECK-NOT: hetop.
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// LLVM: define void @rgcn(
// LLVM: call void {{.*}}@__kmpc_fork_call
// LLVM: define void @_mlir_ciface_rgcn(ptr
// LLVM: define ptr @hector_model_info()
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x16xf32>)
    -> !rgnn.feat<node, 16xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x16xf32>) -> !rgnn.feat<edge, 16xf32>
  %a = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 16xf32>) -> !rgnn.feat<node, 16xf32>
  return %a : !rgnn.feat<node, 16xf32>
}
