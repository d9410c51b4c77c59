//===- LaneNest.h - lanes over the loops of a GPU loop body -----*- C++ -*-===//
//
// A GPU thread per row (or edge) that loops over the row's features makes a
// warp touch 32 rows per load. Lanes over the loops instead give each
// thread one iteration of the body's loop nest, so the threads of a warp
// read and write consecutive features: the traversal templates
// (convert-hetop-to-scf) and hector-parallel-lanes share this.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_CONVERSION_GPU_LANENEST_H
#define HECTOR_CONVERSION_GPU_LANENEST_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::hector {

/// The loops of a body whose iterations lanes share: a nest of scf.for
/// loops with constant bounds and no results, each level holding only its
/// loop and ops that write nothing. A lane runs one iteration of the whole
/// nest; the ops of outer levels repeat in each lane.
struct LaneNest {
  SmallVector<scf::ForOp> loops; // outermost first
  SmallVector<int64_t> lowerBounds, steps, trips;
  int64_t lanes = 1;
};

/// The lane nest of `body`, shortened until every write in its innermost
/// body is a store indexed by all its loops or one `sharedWrite` accepts
/// (an accumulation or atomic, which lanes may do at once).
LaneNest findLaneNest(Block &body, function_ref<bool(Operation *)> sharedWrite);

/// A parallel loop over rows with `group` lanes per row: its iteration count
/// and the (row, lane) of an iteration, lanes fastest, so consecutive
/// threads take consecutive lanes of a row. The constant it needs is made
/// once, where the split is constructed (outside the loop).
struct LaneSplit {
  LaneSplit(OpBuilder &b, Location loc, int64_t group);
  Value iterations(OpBuilder &b, Location loc, Value rows) const;
  std::pair<Value, Value> split(OpBuilder &b, Location loc, Value i) const;

  int64_t group;
  Value constant; // `group`, or the lane 0 when group is 1
};

/// Maps each loop's induction variable to its iteration in lane `lane`
/// (outermost loop slowest) and returns those values.
SmallVector<Value> mapLaneIVs(OpBuilder &b, Location loc, const LaneNest &nest,
                              Value lane, IRMapping &map);

/// Which levels cloneLaneNest clones: `Top`, the ops of `body` itself (they
/// use no loop of the nest, so a lane that runs several iterations of the
/// nest computes them once), `Nest`, those of the loops' bodies.
enum class LaneLevels { All, Top, Nest };

/// Clones the ops of `body` but its terminator at `b`, with the loops of
/// `nest` replaced by their bodies (mapLaneIVs first, unless only the top
/// level is cloned); appends the clones.
void cloneLaneNest(OpBuilder &b, Block &body, const LaneNest &nest,
                   IRMapping &map, SmallVectorImpl<Operation *> &cloned,
                   LaneLevels levels = LaneLevels::All);

} // namespace mlir::hector

#endif // HECTOR_CONVERSION_GPU_LANENEST_H
