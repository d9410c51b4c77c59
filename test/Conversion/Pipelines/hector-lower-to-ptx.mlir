// RUN: hector-opt %s --hector-lower-to-ptx | FileCheck %s
// RUN: hector-opt %s '--hector-lower-to-ptx=chip=sm_90' | FileCheck %s --check-prefix=SM90
// RUN: hector-opt %s '--hector-lower-to-ptx=autodiff=true' | FileCheck %s --check-prefix=GRAD
// RUN: hector-opt %s '--hector-lower-to-ptx=traversal-schedule=128,8' | FileCheck %s --check-prefix=SCHED
// RUN: hector-opt %s --hector-lower-to-ptx | FileCheck %s --check-prefix=NOSCHED

// The GPU pipeline: kernels in gpu.binary (PTX for the chip), a host
// function with the ABI of docs/abi.md that allocates temporaries on the
// device and launches the kernels, and the model info naming the target.

!g = !rgnn.graph<node_types = 1, relations = 3>
// The host code puts its work on one stream and waits once, at the end;
// temporaries are allocated and freed on that stream.
// CHECK: llvm.func @rgcn(
// CHECK: %[[S:.*]] = llvm.call @mgpuStreamCreate()
// CHECK-NOT: llvm.call @mgpuStream
// CHECK: llvm.call @mgpuMemAlloc(%{{.*}}, %[[S]], %{{.*}})
// CHECK-NOT: llvm.call @mgpuStream
// CHECK: gpu.launch_func <%[[S]] : !llvm.ptr>
// CHECK-NOT: llvm.call @mgpuStream
// CHECK: llvm.call @mgpuMemFree(%{{.*}}, %[[S]])
// CHECK-NOT: llvm.cond_br
// CHECK: llvm.call @mgpuStreamSynchronize(%[[S]])
// CHECK-NEXT: llvm.call @mgpuStreamDestroy(%[[S]])
// CHECK-NEXT: llvm.return
// CHECK: llvm.func @_mlir_ciface_rgcn(
// CHECK: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<chip = "sm_80", features = "+ptx80", link = ["{{.*}}/nvvm/libdevice/libdevice.10.bc"]>, {{.*}}assembly = "{{.*}}.target sm_80
// CHECK: hector-model 1\0Atarget cuda chip=sm_80\0Acost-params target=cpu {{.*}}\0Afunc rgcn
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// SM90: #nvvm.target<chip = "sm_90"
// SM90: target cuda chip=sm_90
// A traversal schedule's threads become the block size of the traversal's
// kernel (its lanes are checked in convert-hetop-to-scf.mlir); the other
// kernels keep the default 64 threads.
// SCHED: gpu.binary {{.*}}.maxntid 128, 1, 1
// NOSCHED-NOT: .maxntid 128
// With autodiff, the combined backward is a GPU function too: its weight
// gradient is written by a kernel, recorded as a second result.
// GRAD: llvm.func @_mlir_ciface_rgcn__backward(
// GRAD: func rgcn__backward entry=_mlir_ciface_rgcn__backward
// GRAD-SAME: result feat domain=node shape=8 type=f32\0Aresult feat domain=relation shape=8x16 type=f32\0Aend
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x16xf32>)
    -> !rgnn.feat<node, 16xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x16xf32>) -> !rgnn.feat<edge, 16xf32>
  %a = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 16xf32>) -> !rgnn.feat<node, 16xf32>
  return %a : !rgnn.feat<node, 16xf32>
}
