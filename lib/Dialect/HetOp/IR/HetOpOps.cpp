//===- HetOpOps.cpp - hetop op verifiers ----------------------------------===//

#include "Hector/Dialect/HetOp/IR/HetOp.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::hector::hetop;

#define GET_OP_CLASSES
#include "Hector/Dialect/HetOp/IR/HetOpOps.cpp.inc"

/// Whether two dimension sizes can be equal (either is dynamic, or both are
/// the same static size).
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

/// 'a' of a GEMM: rows of [K] or [heads, K].
static LogicalResult verifyRowOperand(Operation *op, MemRefType a) {
  if (a.getRank() != 2 && a.getRank() != 3)
    return op->emitOpError(
               "'a' must be rows x K or rows x heads x K, got rank ")
           << a.getRank();
  return success();
}

static LogicalResult verifyOneElementType(Operation *op, MemRefType a,
                                          MemRefType b, MemRefType c) {
  if (a.getElementType() != b.getElementType() ||
      a.getElementType() != c.getElementType())
    return op->emitOpError("'a', 'b' and 'c' must share one element type, got ")
           << a.getElementType() << ", " << b.getElementType() << " and "
           << c.getElementType();
  return success();
}

/// `offsets` has one entry per segment plus one, the segments being the
/// leading dimension (`segments`) of the operand `holder` names ("" in
/// messages that need not say).
static LogicalResult verifySegmentOffsets(Operation *op, Value offsets,
                                          int64_t segments, StringRef holder) {
  int64_t entries = cast<MemRefType>(offsets.getType()).getDimSize(0);
  if (compatible(entries,
                 ShapedType::isDynamic(segments) ? segments : segments + 1))
    return success();
  InFlightDiagnostic diag =
      op->emitOpError("'segment_offsets' must have one entry per segment ");
  if (!holder.empty())
    diag << "of " << holder << " ";
  return diag << "plus one (" << segments + 1 << "), got " << entries;
}

//===----------------------------------------------------------------------===//
// TypedGemmOp
//===----------------------------------------------------------------------===//

LogicalResult TypedGemmOp::verify() {
  auto a = cast<MemRefType>(getA().getType());
  auto b = cast<MemRefType>(getB().getType());
  auto c = cast<MemRefType>(getC().getType());
  if (failed(verifyRowOperand(*this, a)))
    return failure();
  int64_t rank = a.getRank();
  if (c.getRank() != rank)
    return emitOpError("'c' must have the rank of 'a' (")
           << rank << "), got " << c.getRank();
  if (b.getRank() != rank + 1)
    return emitOpError("'b' must be segments x ")
           << (rank == 3 ? "heads x " : "") << "K x N (rank " << rank + 1
           << "), got rank " << b.getRank();
  if (failed(verifyOneElementType(*this, a, b, c)))
    return failure();
  ArrayRef<int64_t> bs = b.getShape();
  int64_t bK = bs[rank - 1], bN = bs[rank];
  if (getTransposeB())
    std::swap(bK, bN);
  if (!compatible(a.getShape().back(), bK))
    return emitOpError("K mismatch: 'a' rows have ")
           << dimStr(a.getShape().back()) << " elements, but 'b' takes "
           << dimStr(bK);
  if (!compatible(c.getShape().back(), bN))
    return emitOpError("N mismatch: 'c' rows have ")
           << dimStr(c.getShape().back()) << " elements, but 'b' gives "
           << dimStr(bN);
  if (rank == 3 && (!compatible(a.getDimSize(1), bs[1]) ||
                    !compatible(c.getDimSize(1), bs[1])))
    return emitOpError("head counts of 'a' (")
           << dimStr(a.getDimSize(1)) << "), 'b' (" << dimStr(bs[1])
           << ") and 'c' (" << dimStr(c.getDimSize(1)) << ") differ";
  if (failed(verifySegmentOffsets(*this, getSegmentOffsets(), bs[0], "")))
    return failure();
  auto offsets = cast<MemRefType>(getSegmentOffsets().getType());
  if (getCMode() == CMode::AtomicAdd && !getCScatter())
    return emitOpError("mode atomic_add needs a 'scatter' list: without one "
                       "every C row is written once");
  if (static_cast<bool>(getSegmentMask()) != getMaskValue().has_value())
    return emitOpError("'select' needs both a mask and a value");
  if (getSegmentMask() &&
      !compatible(cast<MemRefType>(getSegmentMask().getType()).getDimSize(0),
                  offsets.getDimSize(0) == ShapedType::kDynamic
                      ? ShapedType::kDynamic
                      : offsets.getDimSize(0) - 1))
    return emitOpError("the 'select' mask must have one entry per segment (")
           << offsets.getDimSize(0) - 1 << "), got "
           << cast<MemRefType>(getSegmentMask().getType()).getDimSize(0);
  if (getAccess() && !getAGather() && !getCScatter())
    return emitOpError("an access scheme needs a 'gather' or 'scatter' list "
                       "to apply to");

  // Epilogue operands.
  OperandRange extra = getEpilogueOperands();
  auto floatMemRef = [](Value v, int64_t rank) {
    auto t = dyn_cast<MemRefType>(v.getType());
    return t && t.getRank() == rank && isa<FloatType>(t.getElementType());
  };
  switch (getEpilogue()) {
  case Epilogue::None:
    if (!extra.empty())
      return emitOpError("epilogue none takes no operands, got ")
             << extra.size();
    break;
  case Epilogue::Scale:
    if (extra.size() != 1 || !floatMemRef(extra[0], rank - 1))
      return emitOpError("epilogue scale takes one float memref of rank ")
             << rank - 1 << " (a scale per row" << (rank == 3 ? " and head" : "")
             << ")";
    break;
  case Epilogue::Dot: {
    if (extra.size() != 3)
      return emitOpError("epilogue dot takes (vectors, vector index, output), "
                         "got ")
             << extra.size() << " operands";
    if (!floatMemRef(extra[0], rank))
      return emitOpError("epilogue dot's vectors must be a float memref of "
                         "rank ")
             << rank << " like 'c'";
    auto index = dyn_cast<MemRefType>(extra[1].getType());
    if (!index || index.getRank() != 1 ||
        !index.getElementType().isSignlessIntOrIndex())
      return emitOpError("epilogue dot's vector index must be a rank-1 "
                         "integer memref");
    if (!floatMemRef(extra[2], rank - 1))
      return emitOpError("epilogue dot's output must be a float memref of "
                         "rank ")
             << rank - 1 << " (a score per row"
             << (rank == 3 ? " and head" : "") << ")";
    if (!compatible(cast<MemRefType>(extra[0].getType()).getShape().back(),
                    bN))
      return emitOpError("epilogue dot's vectors must have N = ")
             << dimStr(bN) << " elements";
    break;
  }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// OuterGemmOp
//===----------------------------------------------------------------------===//

LogicalResult OuterGemmOp::verify() {
  auto a = cast<MemRefType>(getA().getType());
  auto b = cast<MemRefType>(getB().getType());
  auto c = cast<MemRefType>(getC().getType());
  if (failed(verifyRowOperand(*this, a)))
    return failure();
  int64_t rank = a.getRank();
  if (b.getRank() != rank)
    return emitOpError("'b' must have the rank of 'a' (")
           << rank << "), got " << b.getRank();
  bool segmented = static_cast<bool>(getSegmentOffsets());
  // C is [S,] [H,] K x N: A's rank with the row dimension replaced by the
  // segments (when there are segments) and N appended.
  int64_t cRank = segmented ? rank + 1 : rank;
  if (c.getRank() != cRank)
    return emitOpError("'c' must be ")
           << (segmented ? "segments x " : "") << (rank == 3 ? "heads x " : "")
           << "K x N (rank " << cRank << "), got rank " << c.getRank();
  if (failed(verifyOneElementType(*this, a, b, c)))
    return failure();
  ArrayRef<int64_t> cs = c.getShape();
  if (!compatible(a.getShape().back(), cs[cRank - 2]))
    return emitOpError("K mismatch: 'a' rows have ")
           << dimStr(a.getShape().back()) << " elements, but 'c' has "
           << dimStr(cs[cRank - 2]) << " rows";
  if (!compatible(b.getShape().back(), cs[cRank - 1]))
    return emitOpError("N mismatch: 'b' rows have ")
           << dimStr(b.getShape().back()) << " elements, but 'c' has "
           << dimStr(cs[cRank - 1]) << " columns";
  if (rank == 3) {
    int64_t cHeads = cs[cRank - 3];
    if (!compatible(a.getDimSize(1), b.getDimSize(1)) ||
        !compatible(a.getDimSize(1), cHeads))
      return emitOpError("head counts of 'a' (")
             << dimStr(a.getDimSize(1)) << "), 'b' (" << dimStr(b.getDimSize(1))
             << ") and 'c' (" << dimStr(cHeads) << ") differ";
  }
  if (segmented)
    return verifySegmentOffsets(*this, getSegmentOffsets(), cs[0], "'c'");
  return success();
}

//===----------------------------------------------------------------------===//
// TraverseOp
//===----------------------------------------------------------------------===//

LogicalResult TraverseOp::verify() {
  bool edgeParallel = getKind() == TraversalKind::EdgeParallel;
  if (!edgeParallel) {
    if (getRowIndices() || getAccess())
      return emitOpError("'rows' and 'access' apply to edge-parallel "
                         "traversals only: a node-parallel group owns its row");
    return success();
  }
  AccessScheme access = getAccess().value_or(
      getRowIndices() ? AccessScheme::Direct : AccessScheme::BinarySearch);
  if (access == AccessScheme::Direct && !getRowIndices())
    return emitOpError("direct access needs the 'rows' list of each edge's "
                       "row");
  if (access == AccessScheme::BinarySearch && getRowIndices())
    return emitOpError("binary_search finds each edge's row in "
                       "'row_offsets'; drop 'rows' or use direct access");
  return success();
}

LogicalResult TraverseOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 4 ||
      !llvm::all_of(body.getArgumentTypes(),
                    [](Type t) { return t.isIndex(); }))
    return emitOpError("body must take four index arguments (row, col, edge, "
                       "relation), got ")
           << body.getNumArguments();
  return success();
}

//===----------------------------------------------------------------------===//
// AccumulateOp
//===----------------------------------------------------------------------===//

LogicalResult AccumulateOp::verify() {
  auto buffer = cast<MemRefType>(getBuffer().getType());
  if (getValue().getType() != buffer.getElementType())
    return emitOpError("value type ")
           << getValue().getType() << " must be the buffer's element type "
           << buffer.getElementType();
  if (static_cast<int64_t>(getIndices().size()) != buffer.getRank())
    return emitOpError("needs ")
           << buffer.getRank() << " indices for the buffer, got "
           << getIndices().size();
  if (!(*this)->getParentOfType<TraverseOp>())
    return emitOpError("must be inside a hetop.traverse body, whose lowering "
                       "decides whether the add is atomic");
  return success();
}
