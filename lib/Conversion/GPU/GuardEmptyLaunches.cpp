//===- GuardEmptyLaunches.cpp - no kernel launch with an empty grid -------===//

#include "Hector/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace mlir::hector {
#define GEN_PASS_DEF_GUARDEMPTYLAUNCHES
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;

namespace {
struct GuardEmptyLaunchesPass
    : public hector::impl::GuardEmptyLaunchesBase<GuardEmptyLaunchesPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation()->walk([&](gpu::LaunchOp launch) {
      if (!launch->getParentOfType<gpu::LaunchOp>())
        launches.push_back(launch);
    });
    for (gpu::LaunchOp launch : launches)
      guard(launch);
  }

  /// A launch with no work is gone; an async one's users wait for what it
  /// waited for.
  static void erase(gpu::LaunchOp launch) {
    if (Value token = launch.getAsyncToken()) {
      OpBuilder b(launch);
      token.replaceAllUsesWith(
          gpu::WaitOp::create(b, launch.getLoc(), token.getType(),
                              launch.getAsyncDependencies())
              .getAsyncToken());
    }
    launch.erase();
  }

  static void guard(gpu::LaunchOp launch) {
    SmallVector<OpOperand *> dynamic;
    for (OpOperand *size :
         {&launch.getGridSizeXMutable(), &launch.getGridSizeYMutable(),
          &launch.getGridSizeZMutable()}) {
      APInt value;
      if (!matchPattern(size->get(), m_ConstantInt(&value)))
        dynamic.push_back(size);
      else if (value.isZero())
        return erase(launch);
    }
    if (dynamic.empty())
      return;
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value any;
    for (OpOperand *size : dynamic) {
      Value positive = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                             size->get(), zero);
      any = any ? arith::AndIOp::create(b, loc, any, positive).getResult()
                : positive;
    }
    Region &body = launch.getBody();
    if (!body.hasOneBlock()) {
      // Unstructured kernel bodies (none before scf-to-cf) are skipped on
      // the host instead, which an async launch's token cannot leave.
      if (launch.getAsyncToken()) {
        launch.emitWarning("async gpu.launch left unguarded");
        return;
      }
      auto ifOp = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
      launch->moveBefore(ifOp.thenBlock()->getTerminator());
      return;
    }
    for (OpOperand *size : dynamic)
      size->set(arith::MaxSIOp::create(b, loc, size->get(), one));
    // The body runs under the condition, which the kernel takes as an
    // argument; barriers stay uniform, since every thread sees the same.
    Block &block = body.front();
    OpBuilder kb = OpBuilder::atBlockBegin(&block);
    auto ifOp = scf::IfOp::create(kb, loc, any, /*withElseRegion=*/false);
    Block *then = ifOp.thenBlock();
    then->getOperations().splice(then->begin(), block.getOperations(),
                                 std::next(ifOp->getIterator()),
                                 block.getTerminator()->getIterator());
  }
};
} // namespace
