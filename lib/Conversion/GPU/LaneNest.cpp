//===- LaneNest.cpp - lanes over the feature loops of a GPU loop body -----===//

#include "LaneNest.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::hector;

namespace {
/// Whether `op` (and what it holds) writes nothing.
bool writesNothing(Operation *op) {
  if (isMemoryEffectFree(op))
    return true;
  auto iface = dyn_cast<MemoryEffectOpInterface>(op);
  return iface && iface.onlyHasEffect<MemoryEffects::Read>() &&
         op->getNumRegions() == 0;
}

bool lanesMayShare(LaneNest &nest,
                   function_ref<bool(Operation *)> sharedWrite) {
  auto indexedByNest = [&](ValueRange indices) {
    return llvm::all_of(nest.loops, [&](scf::ForOp loop) {
      return llvm::is_contained(indices, loop.getInductionVar());
    });
  };
  return !nest.loops.back()
              .getBody()
              ->walk([&](Operation *op) {
                if (sharedWrite(op) || writesNothing(op) ||
                    op->getNumRegions() != 0)
                  return WalkResult::advance();
                if (auto store = dyn_cast<memref::StoreOp>(op))
                  if (indexedByNest(store.getIndices()))
                    return WalkResult::advance();
                return WalkResult::interrupt();
              })
              .wasInterrupted();
}
} // namespace

LaneNest
mlir::hector::findLaneNest(Block &body,
                           function_ref<bool(Operation *)> sharedWrite) {
  LaneNest nest;
  Block *block = &body;
  while (true) {
    scf::ForOp inner;
    bool others = false;
    for (Operation &op : block->without_terminator()) {
      auto loop = dyn_cast<scf::ForOp>(op);
      if (loop && !inner)
        inner = loop;
      else if (!writesNothing(&op))
        others = true;
    }
    if (!inner || others || inner.getNumResults() != 0)
      break;
    std::optional<int64_t> lb = getConstantIntValue(inner.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(inner.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(inner.getStep());
    if (!lb || !ub || !step || *step <= 0 || *ub <= *lb)
      break;
    nest.loops.push_back(inner);
    nest.lowerBounds.push_back(*lb);
    nest.steps.push_back(*step);
    nest.trips.push_back(llvm::divideCeil(*ub - *lb, *step));
    nest.lanes *= nest.trips.back();
    block = inner.getBody();
  }
  while (!nest.loops.empty() && !lanesMayShare(nest, sharedWrite)) {
    nest.lanes /= nest.trips.back();
    nest.loops.pop_back();
    nest.lowerBounds.pop_back();
    nest.steps.pop_back();
    nest.trips.pop_back();
  }
  return nest;
}

LaneSplit::LaneSplit(OpBuilder &b, Location loc, int64_t group)
    : group(group),
      constant(arith::ConstantIndexOp::create(b, loc, group == 1 ? 0 : group)) {
}

Value LaneSplit::iterations(OpBuilder &b, Location loc, Value rows) const {
  if (group == 1)
    return rows;
  return arith::MulIOp::create(b, loc, rows, constant);
}

std::pair<Value, Value> LaneSplit::split(OpBuilder &b, Location loc,
                                         Value i) const {
  if (group == 1)
    return {i, constant};
  return {arith::DivUIOp::create(b, loc, i, constant),
          arith::RemUIOp::create(b, loc, i, constant)};
}

SmallVector<Value> mlir::hector::mapLaneIVs(OpBuilder &b, Location loc,
                                            const LaneNest &nest, Value lane,
                                            IRMapping &map) {
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  SmallVector<Value> ivs;
  int64_t stride = nest.lanes;
  for (auto [loop, lb, step, trip] :
       llvm::zip(nest.loops, nest.lowerBounds, nest.steps, nest.trips)) {
    stride /= trip;
    Value k = arith::RemUIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, lane, index(stride)),
        index(trip));
    // The bounds are constants (their values may be defined in the body).
    Value iv = arith::AddIOp::create(
        b, loc, index(lb), arith::MulIOp::create(b, loc, k, index(step)));
    map.map(scf::ForOp(loop).getInductionVar(), iv);
    ivs.push_back(iv);
  }
  return ivs;
}

void mlir::hector::cloneLaneNest(OpBuilder &b, Block &body,
                                 const LaneNest &nest, IRMapping &map,
                                 SmallVectorImpl<Operation *> &cloned,
                                 LaneLevels levels) {
  Block *level = &body;
  for (size_t depth = 0;; ++depth) {
    scf::ForOp next = depth < nest.loops.size() ? nest.loops[depth] : nullptr;
    bool wanted =
        depth == 0 ? levels != LaneLevels::Nest : levels != LaneLevels::Top;
    if (wanted)
      for (Operation &op : level->without_terminator())
        if (&op != next.getOperation())
          cloned.push_back(b.clone(op, map));
    if (!next || levels == LaneLevels::Top)
      return;
    level = next.getBody();
  }
}
