//===- TileParallelLoops.cpp - thread blocks of a chosen size -------------===//
//
// Upstream's scf-parallel-loop-tiling gives every parallel loop the same
// block size. A traversal's schedule may ask for its own, so this pass
// tiles each loop by its hetop.block_threads attribute, else by the
// pass's default.
//
//===----------------------------------------------------------------------===//

#include "Hector/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

namespace mlir::hector {
#define GEN_PASS_DEF_TILEPARALLELLOOPS
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;

namespace {
struct TileParallelLoopsPass
    : public hector::impl::TileParallelLoopsBase<TileParallelLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (threads < 1 || threads > 1024) {
      getOperation().emitError("hector-tile-parallel-loops: threads must be "
                               "between 1 and 1024, got ")
          << static_cast<int64_t>(threads);
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp, 8> loops;
    getInnermostParallelLoops(getOperation(), loops);
    for (scf::ParallelOp loop : loops) {
      // Upstream's tiling has no reductions either.
      if (loop.getNumReductions() != 0)
        continue;
      int64_t size = threads;
      if (auto attr = loop->getAttrOfType<IntegerAttr>(kBlockThreadsAttrName))
        size = attr.getInt();
      if (size < 1 || size > 1024) {
        loop.emitError("hetop.block_threads must be between 1 and 1024, got ")
            << size;
        return signalPassFailure();
      }
      scf::tileParallelLoop(loop, {size}, /*noMinMaxBounds=*/true);
    }
  }
};
} // namespace
