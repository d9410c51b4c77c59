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

  static void guard(gpu::LaunchOp launch) {
    if (launch.getAsyncToken()) {
      // An async launch's token has users; none is built before the
      // launches become kernels.
      launch.emitWarning("async gpu.launch left unguarded");
      return;
    }
    SmallVector<Value> dynamic;
    for (Value size : {launch.getGridSizeX(), launch.getGridSizeY(),
                       launch.getGridSizeZ()}) {
      APInt value;
      if (!matchPattern(size, m_ConstantInt(&value)))
        dynamic.push_back(size);
      else if (value.isZero())
        return launch.erase();
    }
    if (dynamic.empty())
      return;
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value any;
    for (Value size : dynamic) {
      Value positive =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, size, zero);
      any = any ? arith::AndIOp::create(b, loc, any, positive).getResult()
                : positive;
    }
    auto ifOp = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
    launch->moveBefore(ifOp.thenBlock()->getTerminator());
  }
};
} // namespace
