//===- HostBuffersToGPU.cpp - a GPU model's buffers live on the device ----===//

#include "Hector/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::hector {
#define GEN_PASS_DEF_HOSTBUFFERSTOGPU
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;

namespace {
bool inKernel(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUModuleOp>();
}

struct HostBuffersToGPUPass
    : public hector::impl::HostBuffersToGPUBase<HostBuffersToGPUPass> {
  void runOnOperation() override {
    SmallVector<Operation *> allocs, deallocs;
    bool hostAccess = false;
    getOperation()->walk([&](Operation *op) {
      if (inKernel(op))
        return;
      if (isa<memref::AllocOp, memref::AllocaOp>(op))
        allocs.push_back(op);
      else if (isa<memref::DeallocOp>(op))
        deallocs.push_back(op);
      else if (isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp>(op)) {
        op->emitError("host code of a GPU model accesses a device buffer; "
                      "this must happen in a kernel");
        hostAccess = true;
      }
    });
    if (hostAccess)
      return signalPassFailure();
    // The async forms, each waited for at once: gpu-to-llvm lowers only
    // those, and the host needs the buffer before it launches anything.
    Type token = gpu::AsyncTokenType::get(&getContext());
    for (Operation *op : allocs) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      auto type = cast<MemRefType>(op->getResult(0).getType());
      Value start = gpu::WaitOp::create(b, loc, token, ValueRange{})
                        .getAsyncToken();
      auto alloc = gpu::AllocOp::create(
          b, loc, type, token, /*asyncDependencies=*/ValueRange{start},
          /*dynamicSizes=*/op->getOperands(), /*symbolOperands=*/ValueRange{},
          /*hostShared=*/UnitAttr());
      gpu::WaitOp::create(b, loc, Type(), ValueRange{alloc.getAsyncToken()});
      op->getResult(0).replaceAllUsesWith(alloc.getMemref());
      op->erase();
    }
    for (Operation *op : deallocs) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      Value start = gpu::WaitOp::create(b, loc, token, ValueRange{})
                        .getAsyncToken();
      auto dealloc = gpu::DeallocOp::create(b, loc, token, ValueRange{start},
                                            op->getOperand(0));
      gpu::WaitOp::create(b, loc, Type(),
                          ValueRange{dealloc.getAsyncToken()});
      op->erase();
    }
  }
};
} // namespace
