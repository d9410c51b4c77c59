//===- OneStream.cpp - a host function's GPU work on one stream -----------===//
//
// Upstream's lowering of a synchronous gpu.launch, and of each gpu.alloc or
// gpu.dealloc bracketed by its own waits, creates, synchronizes and
// destroys a stream per op: the host waits for every kernel. This pass
// threads all of a host function's GPU ops on one async token chain, which
// gpu-to-llvm lowers to one stream, and waits once, before the function
// returns. Host code of a GPU model never reads device buffers
// (hector-host-buffers-to-gpu checks it), so only ops with other side
// effects need the device to be idle first: the chain is waited for before
// such an op and restarted after it.
//
//===----------------------------------------------------------------------===//

#include "Hector/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::hector {
#define GEN_PASS_DEF_GPUONESTREAM
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;

namespace {
bool hasGPUWork(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        return isa<gpu::AsyncOpInterface>(inner) ? WalkResult::interrupt()
                                                 : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Threads the ops of one block on a token chain.
class Chain {
public:
  Chain(Value token, Type tokenType) : token(token), tokenType(tokenType) {}

  /// Chains the ops of `block`, which starts with this chain's token.
  LogicalResult run(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block))
      if (failed(visit(&op)))
        return failure();
    return success();
  }

  /// The token after the chained ops, starting a chain if none is open.
  Value current(OpBuilder &b, Location loc) {
    if (!token)
      token =
          gpu::WaitOp::create(b, loc, tokenType, ValueRange{}).getAsyncToken();
    return token;
  }

private:
  LogicalResult visit(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto wait = dyn_cast<gpu::WaitOp>(op)) {
      // A host wait inside the chain is dropped (the function waits once);
      // a new stream joins the chain.
      if (Value result = wait.getAsyncToken())
        result.replaceAllUsesWith(current(b, loc));
      wait.erase();
      return success();
    }
    if (auto launch = dyn_cast<gpu::LaunchOp>(op))
      return chainLaunch(launch);
    if (auto async = dyn_cast<gpu::AsyncOpInterface>(op)) {
      if (!async.getAsyncToken())
        return op->emitOpError("synchronous GPU op in a host function; "
                               "expected its async form");
      Value start = current(b, loc);
      bool known =
          TypeSwitch<Operation *, bool>(op)
              .Case<gpu::AllocOp, gpu::DeallocOp, gpu::MemcpyOp, gpu::MemsetOp>(
                  [&](auto typed) {
                    typed.getAsyncDependenciesMutable().assign(start);
                    return true;
                  })
              .Default([](Operation *) { return false; });
      if (!known)
        return op->emitOpError("is not supported in a host function");
      token = async.getAsyncToken();
      return success();
    }
    if (op->hasTrait<OpTrait::IsTerminator>() || !isMemoryEffectFree(op) ||
        (op->getNumRegions() != 0 && hasGPUWork(op))) {
      // The host goes on only when the device is idle.
      if (token)
        gpu::WaitOp::create(b, loc, Type(), ValueRange{token});
      token = nullptr;
      // A region op (a loop, or an scf.if around a launch) gets a chain
      // per region: upstream's gpu-to-llvm takes a token that control flow
      // merges for an event, not a stream.
      for (Region &region : op->getRegions())
        for (Block &inner : region)
          if (failed(Chain(nullptr, tokenType).run(inner)))
            return failure();
    }
    return success();
  }

  /// A synchronous gpu.launch becomes async, on the chain.
  LogicalResult chainLaunch(gpu::LaunchOp launch) {
    OpBuilder b(launch);
    Value start = current(b, launch.getLoc());
    if (launch.getAsyncToken()) {
      launch.getAsyncDependenciesMutable().assign(start);
      token = launch.getAsyncToken();
      return success();
    }
    auto types = [](ArrayRef<BlockArgument> args) {
      return llvm::to_vector(llvm::map_range(
          args, [](BlockArgument arg) { return arg.getType(); }));
    };
    auto async = gpu::LaunchOp::create(
        b, launch.getLoc(), launch.getGridSizeX(), launch.getGridSizeY(),
        launch.getGridSizeZ(), launch.getBlockSizeX(), launch.getBlockSizeY(),
        launch.getBlockSizeZ(), launch.getDynamicSharedMemorySize(), tokenType,
        ValueRange{start}, types(launch.getWorkgroupAttributions()),
        types(launch.getPrivateAttributions()), launch.getClusterSizeX(),
        launch.getClusterSizeY(), launch.getClusterSizeZ(),
        launch.getModuleAttr(), launch.getFunctionAttr());
    async.getBody().takeBody(launch.getBody());
    async->setDiscardableAttrs(launch->getDiscardableAttrDictionary());
    launch.erase();
    token = async.getAsyncToken();
    return success();
  }

  Value token;
  Type tokenType;
};

struct GPUOneStreamPass
    : public hector::impl::GPUOneStreamBase<GPUOneStreamPass> {
  void runOnOperation() override {
    Type tokenType = gpu::AsyncTokenType::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || !hasGPUWork(func))
        continue;
      for (Block &block : func.getBody())
        if (failed(Chain(nullptr, tokenType).run(block)))
          return signalPassFailure();
    }
  }
};
} // namespace
