//===- HetOpToSCF.cpp - lower hetop templates to CPU loops ----------------===//
//
// typed_gemm becomes a parallel loop over blocks of rows with a
// register-blocked vector kernel; traverse becomes a parallel loop over CSR
// rows (on the CPU, chunks of rows of equal work) or entries with its body
// inlined, a row's own vector accumulations on the CPU into a row-local
// buffer.
//
//===----------------------------------------------------------------------===//

#include "../GPU/LaneNest.h"
#include "Hector/Conversion/Passes.h"
#include "Hector/Dialect/HetOp/IR/HetOp.h"
#include "Templates.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::hector {
#define GEN_PASS_DEF_CONVERTHETOPTOSCF
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;
using namespace mlir::hector::hetop;
using namespace mlir::hector::hetop::templates;

namespace {
/// Smallest r in [0, count] for which `holds(r)` is true, by bisection, for
/// a predicate that is monotone in r and true at `count`.
Value firstWhere(OpBuilder &b, Location loc, Value count,
                 function_ref<Value(OpBuilder &, Location, Value)> holds) {
  Value one = constIndex(b, loc, 1), two = constIndex(b, loc, 2);
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{b.getIndexType(), b.getIndexType()},
      ValueRange{constIndex(b, loc, 0), count},
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        Value more = arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::ult,
                                           args[0], args[1]);
        scf::ConditionOp::create(wb, wl, more, args);
      },
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        Value sum = arith::AddIOp::create(wb, wl, args[0], args[1]);
        Value mid = arith::DivUIOp::create(wb, wl, sum, two);
        Value yes = holds(wb, wl, mid);
        Value after = arith::AddIOp::create(wb, wl, mid, one);
        Value lo = arith::SelectOp::create(wb, wl, yes, args[0], after);
        Value hi = arith::SelectOp::create(wb, wl, yes, mid, args[1]);
        scf::YieldOp::create(wb, wl, ValueRange{lo, hi});
      });
  return loop.getResult(0);
}

} // namespace

//===----------------------------------------------------------------------===//
// Helpers shared with the other template files (Templates.h)
//===----------------------------------------------------------------------===//

Value templates::constIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

int64_t templates::widestVectorWidth(int64_t n, int64_t maxWidth) {
  int64_t width = 1;
  while (width * 2 <= maxWidth && n % (width * 2) == 0)
    width *= 2;
  return width;
}

Value templates::loadIndex(OpBuilder &b, Location loc, Value list,
                           Value position) {
  Value v = memref::LoadOp::create(b, loc, list, position);
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

Value templates::upperSegment(OpBuilder &b, Location loc, Value offsets,
                              Value count, Value position) {
  Value after = firstWhere(
      b, loc, count, [&](OpBuilder &wb, Location wl, Value s) -> Value {
        return arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::ugt,
                                     loadIndex(wb, wl, offsets, s), position);
      });
  return arith::SubIOp::create(b, loc, after, constIndex(b, loc, 1));
}

Value templates::gemmRowCount(OpBuilder &b, TypedGemmOp op) {
  Value list = op.getAGather() ? op.getAGather() : op.getC();
  return memref::DimOp::create(b, op.getLoc(), list, 0);
}

Value templates::gemmSegmentCount(OpBuilder &b, TypedGemmOp op) {
  Location loc = op.getLoc();
  return arith::SubIOp::create(
      b, loc, memref::DimOp::create(b, loc, op.getSegmentOffsets(), 0),
      constIndex(b, loc, 1));
}

LogicalResult templates::checkStaticGemm(TypedGemmOp op) {
  auto a = cast<MemRefType>(op.getA().getType());
  auto c = cast<MemRefType>(op.getC().getType());
  if (a.isDynamicDim(a.getRank() - 1) || c.isDynamicDim(c.getRank() - 1) ||
      (a.getRank() == 3 && a.isDynamicDim(1)))
    return op.emitError("lowering a typed GEMM needs static K, N and head "
                        "counts");
  return success();
}

Value templates::segmentSelected(OpBuilder &b, Location loc, TypedGemmOp op,
                                 Value s) {
  if (!op.getSegmentMask())
    return Value();
  Value m = loadIndex(b, loc, op.getSegmentMask(), s);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, m,
                               constIndex(b, loc, *op.getMaskValue()));
}

SmallVector<Value> templates::headIndex(Value row, Value h, Value col) {
  SmallVector<Value> idx{row};
  if (h)
    idx.push_back(h);
  if (col)
    idx.push_back(col);
  return idx;
}

Value templates::valueOrZero(
    OpBuilder &b, Location loc, Value cond, Type type,
    function_ref<Value(OpBuilder &, Location)> compute) {
  if (!cond)
    return compute(b, loc);
  auto choose = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &ib, Location il) {
        scf::YieldOp::create(ib, il, compute(ib, il));
      },
      [&](OpBuilder &ib, Location il) {
        scf::YieldOp::create(ib, il,
                             ValueRange{arith::ConstantOp::create(
                                 ib, il, ib.getZeroAttr(type))});
      });
  return choose.getResult(0);
}

void templates::writeElement(OpBuilder &b, Location loc, CMode mode, Value v,
                             Value c, ValueRange idx) {
  switch (mode) {
  case CMode::Store:
    memref::StoreOp::create(b, loc, v, c, idx);
    return;
  case CMode::Accumulate: {
    Value old = memref::LoadOp::create(b, loc, c, idx);
    memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, old, v), c,
                            idx);
    return;
  }
  case CMode::AtomicAdd:
    memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf, v, c, idx);
    return;
  }
}

namespace {

/// Rows per register-blocked kernel when no schedule pins it.
constexpr int64_t kDefaultTileM = 4;
/// Chunks of equal work a node-parallel traversal is split into on the CPU:
/// many more than threads, so that a thread's contiguous share of them is
/// balanced too.
constexpr int64_t kTraversalChunks = 256;
/// Entries ahead whose gathered rows a CPU node-parallel traversal
/// prefetches; the index lists that lead to those rows are prefetched twice
/// as far ahead, so that finding a row's address does not miss either.
constexpr int64_t kPrefetchDistance = 8;
/// Cache lines of a gathered row prefetched (the hardware streams the rest).
constexpr int64_t kPrefetchLines = 4;
constexpr int64_t kCacheLineBytes = 64;
/// Gathers from smaller tables, or of smaller rows, are not prefetched: the
/// rows stay in cache, or the prefetch costs as much as the row's work (RGCN
/// on ACM at 16, 64-byte rows of a 1.3 MB table: 1.19 -> 1.32 ms).
constexpr int64_t kPrefetchMinTableBytes = 4 << 20;
constexpr int64_t kPrefetchMinRowBytes = 128;

/// Maps the body's entry arguments (column, edge id, edge type) to their
/// values at CSR position `entry`.
void mapEntryArgs(OpBuilder &b, Location loc, TraverseOp op, Value entry,
                  IRMapping &map) {
  Block &body = op.getBody().front();
  map.map(body.getArgument(1), loadIndex(b, loc, op.getColIndices(), entry));
  map.map(body.getArgument(2), loadIndex(b, loc, op.getEdgeIds(), entry));
  map.map(body.getArgument(3), loadIndex(b, loc, op.getEdgeTypes(), entry));
}

/// Whether `v` is defined inside `op` (by an op or as a block argument).
bool definedInside(Operation *op, Value v) {
  return op->isAncestor(v.getParentBlock()->getParentOp());
}

/// Bytes of one row (all dimensions but the first) of a static-row buffer.
int64_t rowBytes(MemRefType type) {
  return ShapedType::getNumElements(type.getShape().drop_front()) *
         type.getElementTypeBitWidth() / 8;
}

/// Smallest row r in [0, count] with offsets[r] + r >= work, for CSR
/// `offsets` of `count` rows (offsets[r] + r grows strictly, and is the
/// whole work, entries plus rows, at `count`).
Value firstRowWithWork(OpBuilder &b, Location loc, Value offsets, Value count,
                       Value work) {
  return firstWhere(
      b, loc, count, [&](OpBuilder &wb, Location wl, Value r) -> Value {
        Value at =
            arith::AddIOp::create(wb, wl, loadIndex(wb, wl, offsets, r), r);
        return arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::uge, at,
                                     work);
      });
}

//===----------------------------------------------------------------------===//
// typed_gemm
//===----------------------------------------------------------------------===//

class GemmLowering {
public:
  GemmLowering(TypedGemmOp op, int64_t maxVectorWidth)
      : op(op), loc(op.getLoc()) {
    auto a = cast<MemRefType>(op.getA().getType());
    auto c = cast<MemRefType>(op.getC().getType());
    heads = a.getRank() == 3 ? a.getDimSize(1) : 0;
    k = a.getShape().back();
    n = c.getShape().back();
    elementType = a.getElementType();
    tileM = op.getSchedule() ? op.getSchedule()->getTileM() : kDefaultTileM;
    // The widest power-of-two vector that divides N; a transposed B is read
    // one element at a time.
    vectorWidth = op.getTransposeB() ? 1 : widestVectorWidth(n, maxVectorWidth);
  }

  /// `elementwise`: one parallel iteration per element of C (the GPU
  /// form); otherwise the register-blocked CPU kernel.
  LogicalResult run(bool elementwise);

private:
  LogicalResult runElementwise();
  /// The rows [first, end) of a skipped segment: zero in `store` mode.
  void skipRows(OpBuilder &b, Value first, Value end);
  /// Runs `fn` once per head (with a null head when there are none).
  void forHeads(OpBuilder &b, Location l,
                function_ref<void(OpBuilder &, Value)> fn) {
    if (!heads) {
      fn(b, Value());
      return;
    }
    scf::ForOp::create(
        b, l, constIndex(b, l, 0), constIndex(b, l, heads),
        constIndex(b, l, 1), ValueRange{},
        [&](OpBuilder &ib, Location il, Value h, ValueRange) {
          fn(ib, h);
          scf::YieldOp::create(ib, il);
        });
  }
  /// Computes rows [first, first + rows) of segment `s` (for head `h`, when
  /// there are heads) and writes them.
  void kernel(OpBuilder &b, Value first, int64_t rows, Value s, Value h);
  TypedGemmOp op;
  Location loc;
  int64_t heads, k, n, tileM, vectorWidth;
  Type elementType;
};

void GemmLowering::kernel(OpBuilder &b, Value first, int64_t rows, Value s,
                          Value h) {
  VectorType vecType = VectorType::get({vectorWidth}, elementType);
  Value a = op.getA(), bMat = op.getB(), c = op.getC();
  SmallVector<Value> aRows, cRows, positions;
  for (int64_t m = 0; m < rows; ++m) {
    Value position =
        arith::AddIOp::create(b, loc, first, constIndex(b, loc, m));
    positions.push_back(position);
    aRows.push_back(op.getAGather() ? loadIndex(b, loc, op.getAGather(),
                                                position)
                                    : position);
    cRows.push_back(op.getCScatter() ? loadIndex(b, loc, op.getCScatter(),
                                                 position)
                                     : position);
  }
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vecType));
  SmallVector<Value> scales;
  if (op.getEpilogue() == Epilogue::Scale) {
    Value scaleList = op.getEpilogueOperands()[0];
    for (int64_t m = 0; m < rows; ++m) {
      Value sc = memref::LoadOp::create(b, loc, scaleList,
                                        headIndex(positions[m], h, Value()));
      scales.push_back(vector::BroadcastOp::create(b, loc, vecType, sc));
    }
  }
  SmallVector<Value> dots(rows, Value());
  int64_t chunks = n / vectorWidth;
  int64_t perGroup = std::max<int64_t>(1, kMaxAccumulators / rows);
  for (int64_t chunk0 = 0; chunk0 < chunks; chunk0 += perGroup) {
    int64_t groupChunks = std::min(perGroup, chunks - chunk0);
    SmallVector<Value> cols;
    for (int64_t j = 0; j < groupChunks; ++j)
      cols.push_back(constIndex(b, loc, (chunk0 + j) * vectorWidth));
    SmallVector<Value> init(rows * groupChunks, zero);
    auto loop = scf::ForOp::create(
        b, loc, constIndex(b, loc, 0), constIndex(b, loc, k),
        constIndex(b, loc, 1), init,
        [&](OpBuilder &lb, Location l, Value kk, ValueRange acc) {
          SmallVector<Value> bVecs;
          for (int64_t j = 0; j < groupChunks; ++j) {
            SmallVector<Value> idx{s};
            if (h)
              idx.push_back(h);
            if (op.getTransposeB()) {
              // B[s][n][k]: one element.
              idx.push_back(cols[j]);
              idx.push_back(kk);
              Value e = memref::LoadOp::create(lb, l, bMat, idx);
              bVecs.push_back(vector::BroadcastOp::create(lb, l, vecType, e));
            } else {
              idx.push_back(kk);
              idx.push_back(cols[j]);
              bVecs.push_back(
                  vector::LoadOp::create(lb, l, vecType, bMat, idx));
            }
          }
          SmallVector<Value> next;
          for (int64_t m = 0; m < rows; ++m) {
            Value av = memref::LoadOp::create(lb, l, a,
                                              headIndex(aRows[m], h, kk));
            Value bcast = vector::BroadcastOp::create(lb, l, vecType, av);
            for (int64_t j = 0; j < groupChunks; ++j)
              next.push_back(vector::FMAOp::create(
                  lb, l, bcast, bVecs[j], acc[m * groupChunks + j]));
          }
          scf::YieldOp::create(lb, l, next);
        });
    for (int64_t m = 0; m < rows; ++m) {
      for (int64_t j = 0; j < groupChunks; ++j) {
        Value v = loop.getResult(m * groupChunks + j);
        if (!scales.empty())
          v = arith::MulFOp::create(b, loc, v, scales[m]);
        if (op.getEpilogue() == Epilogue::Dot) {
          // dot_out[i] += r . vectors[vector_index[i]] over this chunk.
          Value vectors = op.getEpilogueOperands()[0];
          Value which = loadIndex(b, loc, op.getEpilogueOperands()[1],
                                  positions[m]);
          Value other = vector::LoadOp::create(
              b, loc, vecType, vectors, headIndex(which, h, cols[j]));
          Value prod = arith::MulFOp::create(b, loc, v, other);
          Value part = vector::ReductionOp::create(
              b, loc, vector::CombiningKind::ADD, prod);
          dots[m] = dots[m] ? arith::AddFOp::create(b, loc, dots[m], part)
                                  .getResult()
                            : part;
        }
        SmallVector<Value> idx = headIndex(cRows[m], h, cols[j]);
        switch (op.getCMode()) {
        case CMode::Store:
          vector::StoreOp::create(b, loc, v, c, idx);
          break;
        case CMode::Accumulate: {
          Value old = vector::LoadOp::create(b, loc, vecType, c, idx);
          vector::StoreOp::create(b, loc,
                                  arith::AddFOp::create(b, loc, old, v), c,
                                  idx);
          break;
        }
        case CMode::AtomicAdd:
          for (int64_t lane = 0; lane < vectorWidth; ++lane) {
            Value e = vector::ExtractOp::create(b, loc, v,
                                                ArrayRef<int64_t>{lane});
            SmallVector<Value> at(idx);
            at.back() = arith::AddIOp::create(b, loc, idx.back(),
                                              constIndex(b, loc, lane));
            memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf,
                                        e, c, at);
          }
          break;
        }
      }
    }
  }
  if (op.getEpilogue() == Epilogue::Dot) {
    Value out = op.getEpilogueOperands()[2];
    for (int64_t m = 0; m < rows; ++m)
      memref::StoreOp::create(b, loc, dots[m], out,
                              headIndex(positions[m], h, Value()));
  }
}

void GemmLowering::skipRows(OpBuilder &b, Value first, Value end) {
  if (op.getCMode() != CMode::Store && op.getEpilogue() != Epilogue::Dot)
    return;
  VectorType vecType = VectorType::get({vectorWidth}, elementType);
  scf::ForOp::create(
      b, loc, first, end, constIndex(b, loc, 1), ValueRange{},
      [&](OpBuilder &rb, Location l, Value r, ValueRange) {
        Value cRow = op.getCScatter() ? loadIndex(rb, l, op.getCScatter(), r)
                                      : r;
        auto perHead = [&](OpBuilder &hb, Value h) {
          if (op.getCMode() == CMode::Store) {
            Value zero = arith::ConstantOp::create(hb, l,
                                                   hb.getZeroAttr(vecType));
            for (int64_t col = 0; col < n; col += vectorWidth)
              vector::StoreOp::create(
                  hb, l, zero, op.getC(),
                  headIndex(cRow, h, constIndex(hb, l, col)));
          }
          if (op.getEpilogue() == Epilogue::Dot)
            memref::StoreOp::create(
                hb, l,
                arith::ConstantOp::create(hb, l, hb.getZeroAttr(elementType)),
                op.getEpilogueOperands()[2], headIndex(r, h, Value()));
        };
        forHeads(rb, l, perHead);
        scf::YieldOp::create(rb, l);
      });
}

LogicalResult GemmLowering::runElementwise() {
  OpBuilder b(op);
  Value offsets = op.getSegmentOffsets();
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value numSegments = gemmSegmentCount(b, op);
  Value numRows = gemmRowCount(b, op);
  Value numCols = constIndex(b, loc, (heads ? heads : 1) * n);
  Value a = op.getA(), bMat = op.getB(), c = op.getC();
  // One loop over all elements, columns fastest: neighbouring threads read
  // neighbouring elements of B and write those of C, and the grid is 1-D
  // (a 2-D one would put the rows in y, at most 65535 blocks).
  Value numElements = arith::MulIOp::create(b, loc, numRows, numCols);
  scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{numElements}, ValueRange{c1},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        Value col = arith::RemUIOp::create(pb, l, ivs[0], numCols);
        Value row = arith::DivUIOp::create(pb, l, ivs[0], numCols);
        Value h, nIdx = col;
        if (heads) {
          Value nSize = constIndex(pb, l, n);
          h = arith::DivUIOp::create(pb, l, col, nSize);
          nIdx = arith::RemUIOp::create(pb, l, col, nSize);
        }
        Value s = upperSegment(pb, l, offsets, numSegments, row);
        Value aRow = op.getAGather() ? loadIndex(pb, l, op.getAGather(), row)
                                     : row;
        Value cRow = op.getCScatter()
                         ? loadIndex(pb, l, op.getCScatter(), row)
                         : row;
        auto product = [&](OpBuilder &ib, Location il) -> Value {
          Value zero =
              arith::ConstantOp::create(ib, il, ib.getZeroAttr(elementType));
          auto loop = scf::ForOp::create(
              ib, il, c0, constIndex(ib, il, k), c1, ValueRange{zero},
              [&](OpBuilder &fb, Location fl, Value kk, ValueRange acc) {
                SmallVector<Value> bIdx{s};
                if (h)
                  bIdx.push_back(h);
                if (op.getTransposeB()) {
                  bIdx.push_back(nIdx);
                  bIdx.push_back(kk);
                } else {
                  bIdx.push_back(kk);
                  bIdx.push_back(nIdx);
                }
                Value av = memref::LoadOp::create(fb, fl, a,
                                                  headIndex(aRow, h, kk));
                Value bv = memref::LoadOp::create(fb, fl, bMat, bIdx);
                Value sum = arith::AddFOp::create(
                    fb, fl, acc[0], arith::MulFOp::create(fb, fl, av, bv));
                scf::YieldOp::create(fb, fl, sum);
              });
          return loop.getResult(0);
        };
        // A skipped segment's elements are zero.
        Value v = valueOrZero(pb, l, segmentSelected(pb, l, op, s), elementType,
                              product);
        SmallVector<Value> rowHead = headIndex(row, h, Value());
        if (op.getEpilogue() == Epilogue::Scale)
          v = arith::MulFOp::create(
              pb, l, v,
              memref::LoadOp::create(pb, l, op.getEpilogueOperands()[0],
                                     rowHead));
        if (op.getEpilogue() == Epilogue::Dot) {
          // out[row] += v * vectors[vi[row]][n], one element per iteration.
          Value which = loadIndex(pb, l, op.getEpilogueOperands()[1], row);
          Value other = memref::LoadOp::create(
              pb, l, op.getEpilogueOperands()[0], headIndex(which, h, nIdx));
          memref::AtomicRMWOp::create(
              pb, l, arith::AtomicRMWKind::addf,
              arith::MulFOp::create(pb, l, v, other),
              op.getEpilogueOperands()[2], rowHead);
        }
        writeElement(pb, l, op.getCMode(), v, c, headIndex(cRow, h, nIdx));
      });
  op.erase();
  return success();
}

LogicalResult GemmLowering::run(bool elementwise) {
  if (failed(checkStaticGemm(op)))
    return failure();
  if (elementwise)
    return runElementwise();
  OpBuilder b(op);
  Value offsets = op.getSegmentOffsets();
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value numSegments = gemmSegmentCount(b, op);
  Value numRows = gemmRowCount(b, op);
  Value tile = constIndex(b, loc, tileM);
  Value numBlocks = arith::CeilDivUIOp::create(b, loc, numRows, tile);

  scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{numBlocks}, ValueRange{c1},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        Value first = arith::MulIOp::create(pb, l, ivs[0], tile);
        Value end = arith::MinUIOp::create(
            pb, l, arith::AddIOp::create(pb, l, first, tile), numRows);
        Value seg = upperSegment(pb, l, offsets, numSegments, first);
        // Walk the segments that overlap the block.
        Type idx = pb.getIndexType();
        scf::WhileOp::create(
            pb, l, TypeRange{idx, idx}, ValueRange{first, seg},
            [&](OpBuilder &wb, Location wl, ValueRange args) {
              Value more = arith::CmpIOp::create(
                  wb, wl, arith::CmpIPredicate::ult, args[0], end);
              scf::ConditionOp::create(wb, wl, more, args);
            },
            [&](OpBuilder &wb, Location wl, ValueRange args) {
              Value row = args[0], s = args[1];
              Value nextSeg = arith::AddIOp::create(wb, wl, s, c1);
              Value segEnd = arith::MinUIOp::create(
                  wb, wl, end, loadIndex(wb, wl, offsets, nextSeg));
              Value count = arith::SubIOp::create(wb, wl, segEnd, row);
              Value full = arith::CmpIOp::create(
                  wb, wl, arith::CmpIPredicate::eq, count, tile);
              auto compute = [&](OpBuilder &cb, Location cl) {
                scf::IfOp::create(
                    cb, cl, full,
                    [&](OpBuilder &tb, Location tl) {
                      forHeads(tb, tl, [&](OpBuilder &kb, Value h) {
                        kernel(kb, row, tileM, s, h);
                      });
                      scf::YieldOp::create(tb, tl);
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::ForOp::create(
                          eb, el, row, segEnd, c1, ValueRange{},
                          [&](OpBuilder &rb, Location rl, Value r,
                              ValueRange) {
                            forHeads(rb, rl, [&](OpBuilder &kb, Value h) {
                              kernel(kb, r, 1, s, h);
                            });
                            scf::YieldOp::create(rb, rl);
                          });
                      scf::YieldOp::create(eb, el);
                    });
              };
              if (Value sel = segmentSelected(wb, wl, op, s)) {
                scf::IfOp::create(
                    wb, wl, sel,
                    [&](OpBuilder &tb, Location tl) {
                      compute(tb, tl);
                      scf::YieldOp::create(tb, tl);
                    },
                    [&](OpBuilder &eb, Location el) {
                      skipRows(eb, row, segEnd);
                      scf::YieldOp::create(eb, el);
                    });
              } else {
                compute(wb, wl);
              }
              scf::YieldOp::create(wb, wl, ValueRange{segEnd, nextSeg});
            });
      });
  op.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// traverse
//===----------------------------------------------------------------------===//

/// Buffers a node-parallel traversal accumulates into only at the row it
/// owns (never atomically), never reads, and whose rows are static vectors.
/// Each can accumulate one row in a row-local buffer instead of in place:
/// the output buffer may alias every operand, which keeps LLVM from
/// vectorizing the in-place add (RGCN on ACM at 64: 6.8 -> 5.7 ms). Rows of
/// rank 2 and more stay in place: once LLVM has unrolled their inner loop it
/// vectorizes the outer one with gathers and scatters on the local buffer
/// (HGT on ACM at 64 went from 40 to 47 ms).
SmallVector<Value> rowLocalAccumulators(TraverseOp op) {
  Block &body = op.getBody().front();
  llvm::SetVector<Value> candidates, rejected;
  body.walk([&](AccumulateOp acc) {
    Value buffer = acc.getBuffer();
    auto type = dyn_cast<MemRefType>(buffer.getType());
    bool owned = !acc.getIndices().empty() &&
                 acc.getIndices()[0] == body.getArgument(0) && type &&
                 type.getRank() == 2 && !type.isDynamicDim(1);
    (owned ? candidates : rejected).insert(buffer);
  });
  SmallVector<Value> result;
  for (Value buffer : candidates) {
    // A memref use by an accumulation is its buffer operand.
    bool onlyAccumulated = llvm::all_of(buffer.getUses(), [&](OpOperand &use) {
      return !op->isAncestor(use.getOwner()) ||
             isa<AccumulateOp>(use.getOwner());
    });
    if (!rejected.contains(buffer) && onlyAccumulated)
      result.push_back(buffer);
  }
  return result;
}

/// A row the traversal body gathers: `table[index, ...]`, `table` a float
/// buffer from outside the body and `index` computed, by `slice` (the body's
/// top-level ops in order), from the entry's column, edge id and type only.
struct Gather {
  Value table, index;
  SmallVector<Operation *> slice;
  /// Whether the table is large enough to prefetch from (computed before
  /// the traversal's loop).
  Value large;
};

/// Whether `v` is computed from the body's entry arguments (1 to 3) by pure
/// arithmetic and loads from index lists defined outside the body, all at
/// the body's top level; appends those ops to `slice` in order.
bool entryDerived(Value v, Block &body, llvm::SetVector<Operation *> &slice) {
  Operation *traverse = body.getParentOp();
  if (v.getParentBlock() != &body)
    return !definedInside(traverse, v);
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getArgNumber() != 0;
  Operation *def = v.getDefiningOp();
  if (slice.contains(def))
    return true;
  if (auto load = dyn_cast<memref::LoadOp>(def)) {
    Type element = load.getMemRefType().getElementType();
    if (!element.isIntOrIndex() || definedInside(traverse, load.getMemRef()))
      return false;
  } else if (def->getDialect()->getNamespace() != "arith" || !isPure(def) ||
             def->getNumRegions()) {
    return false;
  }
  for (Value operand : def->getOperands())
    if (!entryDerived(operand, body, slice))
      return false;
  slice.insert(def);
  return true;
}

/// The rows the body of a node-parallel traversal gathers (once per table
/// and index): the destination row's own are excluded, they stay in cache.
SmallVector<Gather> gatheredRows(TraverseOp op) {
  Block &body = op.getBody().front();
  SmallVector<Gather> gathers;
  body.walk([&](memref::LoadOp load) {
    Value table = load.getMemRef();
    if (load.getIndices().empty() ||
        !isa<FloatType>(load.getMemRefType().getElementType()) ||
        definedInside(op, table))
      return;
    // The index varies with the entry: a body argument or a top-level op.
    Value index = load.getIndices()[0];
    if (index.getParentBlock() != &body || index == body.getArgument(0) ||
        llvm::any_of(gathers, [&](const Gather &g) {
          return g.table == table && g.index == index;
        }))
      return;
    auto type = load.getMemRefType();
    if (ShapedType::isDynamicShape(type.getShape().drop_front()) ||
        rowBytes(type) < kPrefetchMinRowBytes)
      return;
    llvm::SetVector<Operation *> slice;
    if (entryDerived(index, body, slice))
      gathers.push_back({table, index,
                         SmallVector<Operation *>(slice.begin(), slice.end()),
                         Value()});
  });
  // Whether each table is large, from its row count.
  OpBuilder b(op);
  Location loc = op.getLoc();
  for (Gather &g : gathers) {
    int64_t bytes = rowBytes(cast<MemRefType>(g.table.getType()));
    Value rows = memref::DimOp::create(b, loc, g.table, 0);
    g.large = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::uge, rows,
        constIndex(b, loc, llvm::divideCeil(kPrefetchMinTableBytes, bytes)));
  }
  return gathers;
}

/// Prefetches, for the entry `ahead`, the rows of `gathers` (up to
/// kPrefetchLines lines each) and, for the entry `further`, the index-list
/// elements their addresses load.
void prefetchGathers(OpBuilder &b, Location loc, TraverseOp op,
                     ArrayRef<Gather> gathers, Value ahead, Value further) {
  auto prefetch = [&](Value buffer, ArrayRef<Value> indices) {
    memref::PrefetchOp::create(b, loc, buffer, indices, /*isWrite=*/false,
                               /*localityHint=*/3, /*isDataCache=*/true);
  };
  IRMapping far, near;
  mapEntryArgs(b, loc, op, further, far);
  mapEntryArgs(b, loc, op, ahead, near);
  for (const Gather &g : gathers) {
    // Under the table's size test: a branch taken the same way throughout.
    auto ifLarge = scf::IfOp::create(b, loc, g.large, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifLarge.thenBlock()->getTerminator());
    // The index-list elements the slice loads, `further` entries ahead.
    for (Operation *o : g.slice)
      if (auto load = dyn_cast<memref::LoadOp>(o))
        if (isa<BlockArgument>(load.getIndices()[0]) &&
            load.getMemRefType().getRank() == 1)
          prefetch(load.getMemRef(), far.lookup(load.getIndices()[0]));
    // The row, `ahead` entries ahead.
    IRMapping map = near;
    for (Operation *o : g.slice)
      b.clone(*o, map);
    auto type = cast<MemRefType>(g.table.getType());
    ArrayRef<int64_t> row = type.getShape().drop_front();
    int64_t lines = std::clamp<int64_t>(rowBytes(type) / kCacheLineBytes, 1,
                                        kPrefetchLines);
    int64_t perLine = kCacheLineBytes * 8 / type.getElementTypeBitWidth();
    for (int64_t line = 0; line < lines; ++line) {
      // The line's first element, as indices into the static row.
      SmallVector<Value> indices{map.lookup(g.index)};
      int64_t flat = line * perLine;
      SmallVector<int64_t> at(row.size(), 0);
      for (int64_t d = row.size() - 1; d >= 0 && flat; --d) {
        at[d] = flat % row[d];
        flat /= row[d];
      }
      for (int64_t i : at)
        indices.push_back(constIndex(b, loc, i));
      prefetch(g.table, indices);
    }
  }
}

/// Copies row `row` of `global` to or from the row buffer `local`.
void copyRow(OpBuilder &b, Location loc, Value global, Value row, Value local,
             bool toLocal) {
  int64_t width = cast<MemRefType>(local.getType()).getDimSize(0);
  scf::ForOp::create(b, loc, constIndex(b, loc, 0), constIndex(b, loc, width),
                     constIndex(b, loc, 1), ValueRange{},
                     [&](OpBuilder &fb, Location fl, Value i, ValueRange) {
                       SmallVector<Value> globalAt{row, i}, localAt{i};
                       if (toLocal) {
                         Value v =
                             memref::LoadOp::create(fb, fl, global, globalAt);
                         memref::StoreOp::create(fb, fl, v, local, localAt);
                       } else {
                         Value v =
                             memref::LoadOp::create(fb, fl, local, localAt);
                         memref::StoreOp::create(fb, fl, v, global, globalAt);
                       }
                       scf::YieldOp::create(fb, fl);
                     });
}

/// With `cpu`, a node-parallel traversal runs chunks of rows of equal work
/// and accumulates in row-local buffers where it can. With `lanes`, the
/// parallel loop runs a lane per iteration of the body's lane nest for each
/// row or entry (lanes fastest), or, when the op's schedule asks for fewer
/// lanes, each lane runs every lanes-th iteration; the CPU then takes the
/// GPU's form. The schedule's threads become the kernel's block size.
LogicalResult lowerTraverse(TraverseOp op, bool cpu, bool lanes) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  bool nodeParallel = op.getKind() == TraversalKind::NodeParallel;
  Block &body = op.getBody().front();
  TraversalScheduleAttr schedule = op.getScheduleAttr();
  LaneNest nest;
  // The lanes that share a row's or entry's nest.
  int64_t group = 1;
  if (lanes) {
    nest =
        findLaneNest(body, [](Operation *op) { return isa<AccumulateOp>(op); });
    group = schedule ? std::min(nest.lanes, schedule.getLanes()) : nest.lanes;
    cpu = false;
  }
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  // The kernel's block size, read by hector-tile-parallel-loops.
  auto blockThreads = [&](scf::ParallelOp loop) {
    if (schedule && !cpu)
      loop->setAttr(kBlockThreadsAttrName,
                    b.getI64IntegerAttr(schedule.getThreads()));
  };
  Value offsets = op.getRowOffsets();
  Value numRows = arith::SubIOp::create(
      b, loc, memref::DimOp::create(b, loc, offsets, 0), c1);
  SmallVector<Value> promoted;
  SmallVector<Gather> gathers;
  // On the CPU: the entry count (for chunks of equal work) and the last
  // entry, which prefetches are clamped to (only rows with entries run the
  // body, so there is one).
  Value numEntries, lastEntry;
  if (nodeParallel && cpu) {
    promoted = rowLocalAccumulators(op);
    gathers = gatheredRows(op);
    numEntries = loadIndex(b, loc, offsets, numRows);
    if (!gathers.empty())
      lastEntry = arith::SubIOp::create(b, loc, numEntries, c1);
  }

  // Inlines the body for one entry and lowers its accumulations: into the
  // row-local buffer of `local` where it has one, a plain add (or maximum)
  // into the row the iteration owns, an atomic one anywhere else.
  auto inlineBody = [&](OpBuilder &ib, Location l, Value row, Value entry,
                        Value lane, const IRMapping &local) {
    if (!gathers.empty()) {
      auto at = [&](int64_t distance) {
        Value e =
            arith::AddIOp::create(ib, l, entry, constIndex(ib, l, distance));
        return arith::MinUIOp::create(ib, l, e, lastEntry);
      };
      Value ahead = at(kPrefetchDistance);
      Value further = at(2 * kPrefetchDistance);
      prefetchGathers(ib, l, op, gathers, ahead, further);
    }
    IRMapping map;
    map.map(body.getArgument(0), row);
    mapEntryArgs(ib, l, op, entry, map);
    // The lane's iteration of each loop of the nest, outermost first.
    SmallVector<Value> laneIVs;
    SmallVector<Operation *> cloned;
    if (group == nest.lanes) {
      laneIVs = mapLaneIVs(ib, l, nest, lane, map);
      cloneLaneNest(ib, body, nest, map, cloned);
    } else {
      // Fewer lanes than iterations: the top level once, then the lane's
      // share of the nest, strided so that neighbouring lanes still take
      // neighbouring iterations.
      cloneLaneNest(ib, body, nest, map, cloned, LaneLevels::Top);
      auto share = scf::ForOp::create(
          ib, l, lane, constIndex(ib, l, nest.lanes), constIndex(ib, l, group));
      OpBuilder sb = OpBuilder::atBlockTerminator(share.getBody());
      laneIVs = mapLaneIVs(sb, l, nest, share.getInductionVar(), map);
      cloneLaneNest(sb, body, nest, map, cloned, LaneLevels::Nest);
    }
    SmallVector<AccumulateOp> accumulations;
    for (Operation *c : cloned)
      c->walk([&](AccumulateOp acc) { accumulations.push_back(acc); });
    for (AccumulateOp acc : accumulations) {
      OpBuilder ab(acc);
      Location al = acc.getLoc();
      Value buffer = acc.getBuffer();
      SmallVector<Value> indices(acc.getIndices());
      // Lanes own an element only if it is indexed by each of their loops.
      bool owned = nodeParallel && !indices.empty() && indices[0] == row &&
                   llvm::all_of(laneIVs, [&](Value iv) {
                     return llvm::is_contained(indices, iv);
                   });
      if (Value into = local.lookupOrNull(buffer)) {
        buffer = into;
        indices.erase(indices.begin());
      }
      bool max = acc.getCombine() == Combine::Max;
      if (owned) {
        Value old = memref::LoadOp::create(ab, al, buffer, indices);
        Value next =
            max ? arith::MaximumFOp::create(ab, al, old, acc.getValue())
                      .getResult()
                : arith::AddFOp::create(ab, al, old, acc.getValue())
                      .getResult();
        memref::StoreOp::create(ab, al, next, buffer, indices);
      } else {
        memref::AtomicRMWOp::create(ab, al,
                                    max ? arith::AtomicRMWKind::maximumf
                                        : arith::AtomicRMWKind::addf,
                                    acc.getValue(), buffer, indices);
      }
      acc.erase();
    }
  };

  if (nodeParallel) {
    auto rowBody =
        [&](OpBuilder &pb, Location l, Value row, Value lane) {
          Value lo = loadIndex(pb, l, offsets, row);
          Value hi = loadIndex(pb, l, offsets,
                               arith::AddIOp::create(pb, l, row, c1));
          auto entries = [&](OpBuilder &eb, Location el,
                             const IRMapping &local) {
            scf::ForOp::create(
                eb, el, lo, hi, c1, ValueRange{},
                [&](OpBuilder &fb, Location fl, Value p, ValueRange) {
                  inlineBody(fb, fl, row, p, lane, local);
                  scf::YieldOp::create(fb, fl);
                });
          };
          if (promoted.empty())
            return entries(pb, l, IRMapping());
          // Rows without entries leave their accumulators alone.
          Value any =
              arith::CmpIOp::create(pb, l, arith::CmpIPredicate::ult, lo, hi);
          scf::IfOp::create(pb, l, any, [&](OpBuilder &tb, Location tl) {
            // The scope frees the row buffers after each row.
            auto scope = memref::AllocaScopeOp::create(tb, tl, TypeRange{});
            OpBuilder sb =
                OpBuilder::atBlockEnd(&scope.getBodyRegion().emplaceBlock());
            IRMapping local;
            for (Value buffer : promoted) {
              auto type = cast<MemRefType>(buffer.getType());
              auto rowType = MemRefType::get(type.getShape().drop_front(),
                                             type.getElementType());
              Value acc = memref::AllocaOp::create(sb, tl, rowType);
              copyRow(sb, tl, buffer, row, acc, /*toLocal=*/true);
              local.map(buffer, acc);
            }
            entries(sb, tl, local);
            for (Value buffer : promoted)
              copyRow(sb, tl, buffer, row, local.lookup(buffer),
                      /*toLocal=*/false);
            memref::AllocaScopeReturnOp::create(sb, tl);
            scf::YieldOp::create(tb, tl);
          });
        };
    if (!cpu) {
      LaneSplit lanesOf(b, loc, group);
      blockThreads(scf::ParallelOp::create(
          b, loc, ValueRange{c0},
          ValueRange{lanesOf.iterations(b, loc, numRows)}, ValueRange{c1},
          [&](OpBuilder &pb, Location l, ValueRange ivs) {
            auto [row, lane] = lanesOf.split(pb, l, ivs[0]);
            rowBody(pb, l, row, lane);
          }));
    } else {
      // Chunks of rows of equal work, rows plus entries: rows of skewed
      // degrees (hubs of a knowledge graph) otherwise leave the threads
      // that got the light rows waiting at the loop's barrier.
      Value work = arith::AddIOp::create(b, loc, numEntries, numRows);
      Value chunks = constIndex(b, loc, kTraversalChunks);
      scf::ParallelOp::create(
          b, loc, ValueRange{c0}, ValueRange{chunks}, ValueRange{c1},
          [&](OpBuilder &pb, Location l, ValueRange ivs) {
            auto boundary = [&](Value chunk) {
              Value share = arith::DivUIOp::create(
                  pb, l, arith::MulIOp::create(pb, l, work, chunk), chunks);
              return firstRowWithWork(pb, l, offsets, numRows, share);
            };
            Value first = boundary(ivs[0]);
            Value last = boundary(arith::AddIOp::create(pb, l, ivs[0], c1));
            scf::ForOp::create(
                pb, l, first, last, c1, ValueRange{},
                [&](OpBuilder &fb, Location fl, Value row, ValueRange) {
                  rowBody(fb, fl, row, c0);
                  scf::YieldOp::create(fb, fl);
                });
          });
    }
  } else {
    Value entries = memref::DimOp::create(b, loc, op.getColIndices(), 0);
    LaneSplit lanesOf(b, loc, group);
    blockThreads(scf::ParallelOp::create(
        b, loc, ValueRange{c0}, ValueRange{lanesOf.iterations(b, loc, entries)},
        ValueRange{c1}, [&](OpBuilder &pb, Location l, ValueRange ivs) {
          auto [p, lane] = lanesOf.split(pb, l, ivs[0]);
          // Direct: the row of the entry's id (edge or pair).
          Value row = op.getRowIndices()
                          ? loadIndex(pb, l, op.getRowIndices(),
                                      loadIndex(pb, l, op.getEdgeIds(), p))
                          : upperSegment(pb, l, offsets, numRows, p);
          inlineBody(pb, l, row, p, lane, IRMapping());
        }));
  }
  op.erase();
  return success();
}

struct ConvertHetOpToSCFPass
    : public hector::impl::ConvertHetOpToSCFBase<ConvertHetOpToSCFPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<TypedGemmOp, OuterGemmOp, TraverseOp>(op))
        ops.push_back(op);
    });
    if (target != "cpu" && target != "gpu") {
      getOperation()->emitError("unknown target '")
          << target << "'; expected cpu or gpu";
      return signalPassFailure();
    }
    bool cpu = target == "cpu";
    std::string gemm = gemmTemplate;
    if (gemm == "default")
      gemm = cpu ? "blocked" : "tiled";
    if (gemm != "blocked" && gemm != "tiled" && gemm != "elementwise") {
      getOperation()->emitError("unknown gemm-template '")
          << gemmTemplate << "'; expected default, blocked, tiled or "
          << "elementwise";
      return signalPassFailure();
    }
    // The kernels split N into vectors of a power-of-two width.
    if (vectorWidth < 1 || vectorWidth > 64 ||
        !llvm::isPowerOf2_64(vectorWidth)) {
      getOperation()->emitError("vector-width must be a power of two from 1 "
                                "to 64, got ")
          << static_cast<int64_t>(vectorWidth);
      return signalPassFailure();
    }
    if (traversalLanes != "default" && traversalLanes != "on" &&
        traversalLanes != "off") {
      getOperation()->emitError("unknown traversal-lanes '")
          << traversalLanes
          << "' (the pipelines' lanes option); expected default, on or off";
      return signalPassFailure();
    }
    bool useLanes = traversalLanes == "default" ? !cpu : traversalLanes == "on";
    if (gemm == "blocked" && !cpu) {
      getOperation()->emitError("gemm-template=blocked is the CPU's; the "
                                "GPU has tiled and elementwise");
      return signalPassFailure();
    }
    for (Operation *op : ops) {
      LogicalResult result = success();
      if (auto gemmOp = dyn_cast<TypedGemmOp>(op))
        result = gemm == "tiled"
                     ? lowerTiledGemm(gemmOp, /*emulate=*/cpu)
                     : GemmLowering(gemmOp, vectorWidth)
                           .run(/*elementwise=*/gemm == "elementwise");
      else if (auto outerOp = dyn_cast<OuterGemmOp>(op))
        result = lowerOuterGemm(outerOp,
                                gemm == "tiled"     ? OuterGemmForm::Tiled
                                : gemm == "blocked" ? OuterGemmForm::Blocked
                                                    : OuterGemmForm::Loops,
                                /*emulate=*/cpu, vectorWidth);
      else
        result = lowerTraverse(cast<TraverseOp>(op), cpu, useLanes);
      if (failed(result))
        return signalPassFailure();
    }
  }
};

} // namespace
