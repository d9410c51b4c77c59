//===- ParallelLanes.cpp - lanes over a parallel loop's inner loops -------===//
//
// After loop mapping, each iteration of a 1-D scf.parallel is a GPU thread.
// Loops that copy or transform rows (a node's 64 features, a relation's
// weight tile) loop over the row inside the iteration, so the 32 threads
// of a warp touch 32 rows per load. This pass gives the parallel loop an
// iteration per row and lane of the body's lane nest instead (LaneNest.h).
//
//===----------------------------------------------------------------------===//

#include "Hector/Conversion/Passes.h"
#include "LaneNest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir::hector {
#define GEN_PASS_DEF_PARALLELLANES
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;

namespace {
/// A 1-D parallel loop from 0 by 1 with no reductions, not inside a kernel
/// or another parallel loop.
bool isCandidate(scf::ParallelOp loop) {
  return loop.getNumLoops() == 1 && loop.getNumReductions() == 0 &&
         isConstantIntValue(loop.getLowerBound()[0], 0) &&
         isConstantIntValue(loop.getStep()[0], 1) &&
         !loop->getParentOfType<scf::ParallelOp>() &&
         !loop->getParentOfType<gpu::LaunchOp>();
}

void spreadOverLanes(scf::ParallelOp loop) {
  Block &body = *loop.getBody();
  LaneNest nest = findLaneNest(
      body, [](Operation *op) { return isa<memref::AtomicRMWOp>(op); });
  if (nest.lanes == 1)
    return;
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  LaneSplit lanes(b, loc, nest.lanes);
  Value count = lanes.iterations(b, loc, loop.getUpperBound()[0]);
  scf::ParallelOp::create(
      b, loc, ValueRange{loop.getLowerBound()[0]}, ValueRange{count},
      ValueRange{loop.getStep()[0]},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        IRMapping map;
        auto [row, lane] = lanes.split(pb, l, ivs[0]);
        map.map(loop.getInductionVars()[0], row);
        mapLaneIVs(pb, l, nest, lane, map);
        SmallVector<Operation *> cloned;
        cloneLaneNest(pb, body, nest, map, cloned);
      });
  loop.erase();
}

struct ParallelLanesPass
    : public hector::impl::ParallelLanesBase<ParallelLanesPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation()->walk([&](scf::ParallelOp loop) {
      if (isCandidate(loop))
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops)
      spreadOverLanes(loop);
  }
};
} // namespace
