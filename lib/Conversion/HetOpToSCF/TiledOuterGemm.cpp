//===- TiledOuterGemm.cpp - the weight-gradient outer GEMM ----------------===//
//
// hetop.outer_gemm, C[s] = A_s^T . B_s over the (gathered) rows of each
// segment, in two forms:
//
// * tiled (the GPU's, emulated on the CPU to test it): a thread block owns a
//   tile_m x tile_n tile of one head's K x N matrix and a chunk of 256 rows.
//   It finds the segments its rows overlap by binary search of the offsets
//   on the device, and for each one steps through the rows tile_k at a
//   time with the rows' A and B slices staged in shared memory (gathered,
//   consecutive threads along a contiguous row), accumulates rm x rn
//   outputs per thread in registers, and adds them atomically into the
//   segment's matrix. No per-row matrix is ever stored, and the atomics are
//   one per output per 256 rows instead of one per product.
// * blocked (the CPU's): a parallel task per (segment, head, tile of up to
//   4 K rows, group of N columns) walks the segment's rows with its outputs
//   in vector registers (up to 16 accumulators): per row, one vector load of
//   B per column chunk, one broadcast of A per K row, and FMAs. The task
//   owns its outputs, so it stores them once at the end.
// * loops (the simple form, gemm-template=elementwise): a parallel task per
//   (segment, head, K row) walks the segment's rows and adds each rank-1
//   update's row, contiguous in N, in memory.
//
// The tiled and loops forms zero C first: the op overwrites it. The blocked
// form writes every element of C itself.
//
//===----------------------------------------------------------------------===//

#include "Templates.h"
#include "TiledKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::hector::hetop;
using namespace mlir::hector::hetop::templates;

namespace {

/// Rows a thread block reduces before its atomic adds: enough to amortize
/// them (a 64 x 64 tile does 256 x 4096 products per 4096 adds), few
/// enough to give every SM blocks on graphs of tens of thousands of edges.
constexpr int64_t kRowsPerBlock = 256;

/// The shape of an outer GEMM.
struct OuterShape {
  /// Heads (0: no head dimension), K, N.
  int64_t heads, k, n;
  bool segmented;
};

OuterShape shapeOf(OuterGemmOp op) {
  auto a = cast<MemRefType>(op.getA().getType());
  auto b = cast<MemRefType>(op.getB().getType());
  return {a.getRank() == 3 ? a.getDimSize(1) : 0, a.getShape().back(),
          b.getShape().back(), static_cast<bool>(op.getSegmentOffsets())};
}

/// The number of rows, from buffer sizes (see the op's description).
Value rowCount(OpBuilder &b, OuterGemmOp op) {
  Value list = op.getRows()      ? op.getRows()
               : op.getAGather() ? op.getAGather()
                                 : op.getA();
  return memref::DimOp::create(b, op.getLoc(), list, 0);
}

Value segmentCount(OpBuilder &b, OuterGemmOp op) {
  Location loc = op.getLoc();
  return arith::SubIOp::create(
      b, loc, memref::DimOp::create(b, loc, op.getSegmentOffsets(), 0),
      constIndex(b, loc, 1));
}

/// The element that row `p` stands for.
Value rowElement(OpBuilder &b, Location loc, OuterGemmOp op, Value p) {
  return op.getRows() ? loadIndex(b, loc, op.getRows(), p) : p;
}

/// The rows [lo, hi) of segment `s`: all `numRows` when unsegmented (null).
std::pair<Value, Value> segmentRows(OpBuilder &b, Location loc, OuterGemmOp op,
                                    Value s, Value numRows) {
  if (!s)
    return {constIndex(b, loc, 0), numRows};
  Value next = arith::AddIOp::create(b, loc, s, constIndex(b, loc, 1));
  return {loadIndex(b, loc, op.getSegmentOffsets(), s),
          loadIndex(b, loc, op.getSegmentOffsets(), next)};
}

/// The least significant digit, in base `count`, of the mixed-radix index
/// `rest`, which keeps the more significant digits.
Value takeDigit(OpBuilder &b, Location loc, Value &rest, int64_t count) {
  Value size = constIndex(b, loc, count);
  Value digit = arith::RemUIOp::create(b, loc, rest, size);
  rest = arith::DivUIOp::create(b, loc, rest, size);
  return digit;
}

/// The row of an operand (A or B) that element `e` reads through `gather`.
Value operandRow(OpBuilder &b, Location loc, Value gather, Value e) {
  return gather ? loadIndex(b, loc, gather, e) : e;
}

/// The index of C[s][h][k][n], leaving out what C does not have.
SmallVector<Value> cIndex(Value s, Value h, Value k, Value n) {
  SmallVector<Value> idx;
  for (Value v : {s, h, k, n})
    if (v)
      idx.push_back(v);
  return idx;
}

/// C = 0: a parallel loop over its elements (a thread each on the GPU: a
/// per-relation gradient has few rows of many elements).
void zeroFill(OpBuilder &b, Location loc, Value c) {
  auto type = cast<MemRefType>(c.getType());
  ArrayRef<int64_t> rest = type.getShape().drop_front();
  int64_t perRow = ShapedType::getNumElements(rest);
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value zero =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  Value count = arith::MulIOp::create(
      b, loc, memref::DimOp::create(b, loc, c, 0), constIndex(b, loc, perRow));
  scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{count}, ValueRange{c1},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        // Row-major: the last dimension varies fastest.
        SmallVector<Value> idx(type.getRank());
        Value linear = ivs[0];
        for (int64_t d = type.getRank() - 1; d > 0; --d)
          idx[d] = takeDigit(pb, l, linear, type.getDimSize(d));
        idx[0] = linear;
        memref::StoreOp::create(pb, l, zero, c, idx);
      });
}

//===----------------------------------------------------------------------===//
// The tiled kernel
//===----------------------------------------------------------------------===//

FailureOr<Tiles> chooseTiles(OuterGemmOp op, const OuterShape &shape) {
  Tiles t;
  // Up to 64 x 64 outputs; rows staged kDefaultTileK at a time.
  t.m = std::clamp<int64_t>(llvm::PowerOf2Ceil(shape.k), 4, 64);
  t.n = std::clamp<int64_t>(llvm::PowerOf2Ceil(shape.n), 4, 64);
  // Small tiles (K or N below 16) get fewer threads than outputs.
  t.threads = defaultThreads(t.m, t.n);
  t.k = kDefaultTileK;
  return splitTiles(op, "outer GEMM schedule", op.getScheduleAttr(), t,
                    op.getA());
}

class TiledOuterGemm : TiledKernel {
public:
  TiledOuterGemm(OuterGemmOp op, const Tiles &tiles, bool emulate)
      : TiledKernel(op.getLoc(), tiles, emulate,
                    cast<MemRefType>(op.getA().getType()).getElementType()),
        op(op), shape(shapeOf(op)) {
    tilesM = llvm::divideCeil(shape.k, t.m);
    tilesN = llvm::divideCeil(shape.n, t.n);
  }

  void build();

private:
  void blockBody(OpBuilder &b, Value tile, Value chunk, Value numRows,
                 BlockState &blk);
  /// Rows [p0, p1) of the block, all in segment `s` (null: unsegmented).
  void segment(OpBuilder &b, const BlockState &blk, Value p0, Value p1,
               Value s);
  /// Stages the A and B slices of rows [r0, r0 + tile_k) below p1.
  void stage(OpBuilder &b, const BlockState &blk, Value thread, Value r0,
             Value p1);
  /// Adds the thread's accumulators into C[s].
  void write(OpBuilder &b, const BlockState &blk, Value thread, Value s,
             ValueRange acc);

  OuterGemmOp op;
  OuterShape shape;
  int64_t tilesM, tilesN;
};

void TiledOuterGemm::stage(OpBuilder &b, const BlockState &blk, Value thread,
                           Value r0, Value p1) {
  // Consecutive threads read consecutive elements of one row (contiguous
  // in memory) and store them to consecutive shared addresses.
  auto slice = [&](Value tile, Value operand, Value gather, int64_t width,
                   int64_t size, Value origin) {
    forShare(b, thread, t.k * width, [&](OpBuilder &ib, Value idx) {
      Value r =
          arith::DivUIOp::create(ib, loc, idx, constIndex(ib, loc, width));
      Value x =
          arith::RemUIOp::create(ib, loc, idx, constIndex(ib, loc, width));
      Value p = arith::AddIOp::create(ib, loc, r0, r);
      Value col = arith::AddIOp::create(ib, loc, origin, x);
      Value valid = both(ib, cmp(ib, arith::CmpIPredicate::ult, p, p1),
                         below(ib, col, size, size % width == 0));
      Value v = valueOrZero(
          ib, loc, valid, elementType, [&](OpBuilder &lb, Location) -> Value {
            Value row = operandRow(lb, loc, gather, rowElement(lb, loc, op, p));
            return memref::LoadOp::create(lb, loc, operand,
                                          headIndex(row, blk.head, col));
          });
      memref::StoreOp::create(ib, loc, v, tile, ValueRange{r, x});
    });
  };
  slice(blk.aTile, op.getA(), op.getAGather(), t.m, shape.k, blk.row0);
  slice(blk.bTile, op.getB(), op.getBGather(), t.n, shape.n, blk.col0);
}

void TiledOuterGemm::write(OpBuilder &b, const BlockState &blk, Value thread,
                           Value s, ValueRange acc) {
  auto [rowBase, tn] = threadOrigin(b, thread);
  for (int64_t i = 0; i < t.rm; ++i) {
    Value k = outputRow(b, blk, rowBase, i);
    for (int64_t j = 0; j < t.rn; ++j) {
      Value n = outputCol(b, blk, tn, j);
      Value valid = both(b, below(b, k, shape.k, shape.k % t.m == 0),
                         below(b, n, shape.n, shape.n % t.n == 0));
      auto add = [&](OpBuilder &ab) {
        writeElement(ab, loc, CMode::AtomicAdd, acc[i * t.rn + j], op.getC(),
                     cIndex(s, blk.head, k, n));
      };
      if (!valid) {
        add(b);
        continue;
      }
      scf::IfOp::create(b, loc, valid, [&](OpBuilder &ib, Location il) {
        add(ib);
        scf::YieldOp::create(ib, il);
      });
    }
  }
}

void TiledOuterGemm::segment(OpBuilder &b, const BlockState &blk, Value p0,
                             Value p1, Value s) {
  reduce(
      b, blk, p0, p1,
      [&](OpBuilder &sb, Value thread, Value r0) {
        stage(sb, blk, thread, r0, p1);
      },
      [&](OpBuilder &wb, Value thread, ValueRange acc) {
        write(wb, blk, thread, s, acc);
      });
}

void TiledOuterGemm::blockBody(OpBuilder &b, Value tile, Value chunk,
                               Value numRows, BlockState &blk) {
  // blockIdx.x enumerates (head, K tile, N tile), N fastest.
  Value perHead = constIndex(b, loc, tilesM * tilesN);
  Value inHead = tile;
  if (shape.heads) {
    blk.head = arith::DivUIOp::create(b, loc, tile, perHead);
    inHead = arith::RemUIOp::create(b, loc, tile, perHead);
  }
  Value nTiles = constIndex(b, loc, tilesN);
  blk.row0 = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, inHead, nTiles),
      constIndex(b, loc, t.m));
  blk.col0 = arith::MulIOp::create(
      b, loc, arith::RemUIOp::create(b, loc, inHead, nTiles),
      constIndex(b, loc, t.n));
  Value lo =
      arith::MulIOp::create(b, loc, chunk, constIndex(b, loc, kRowsPerBlock));
  Value hi = arith::MinUIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, lo, constIndex(b, loc, kRowsPerBlock)),
      numRows);
  if (!shape.segmented) {
    segment(b, blk, lo, hi, Value());
    return;
  }
  walkSegments(b, op.getSegmentOffsets(), segmentCount(b, op), lo, hi,
               [&](OpBuilder &sb, Value p0, Value p1, Value s) {
                 segment(sb, blk, p0, p1, s);
               });
}

void TiledOuterGemm::build() {
  OpBuilder b(op);
  zeroFill(b, loc, op.getC());
  Value numRows = rowCount(b, op);
  Value gridX =
      constIndex(b, loc, (shape.heads ? shape.heads : 1) * tilesM * tilesN);
  Value gridY = arith::CeilDivUIOp::create(b, loc, numRows,
                                           constIndex(b, loc, kRowsPerBlock));
  launch(b, gridX, gridY,
         [&](OpBuilder &kb, Value tile, Value chunk, BlockState &blk) {
           blockBody(kb, tile, chunk, numRows, blk);
         });
  op.erase();
}

//===----------------------------------------------------------------------===//
// The CPU's loops
//===----------------------------------------------------------------------===//

void lowerOuterGemmLoops(OuterGemmOp op) {
  Location loc = op.getLoc();
  OuterShape shape = shapeOf(op);
  OpBuilder b(op);
  zeroFill(b, loc, op.getC());
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value numRows = rowCount(b, op);
  Value segments = shape.segmented ? segmentCount(b, op) : c1;
  int64_t heads = shape.heads ? shape.heads : 1;
  Value tasks = arith::MulIOp::create(b, loc, segments,
                                      constIndex(b, loc, heads * shape.k));
  // One task per (segment, head, K row) owns that row of C: no atomics.
  scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{tasks}, ValueRange{c1},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        Value rest = ivs[0];
        Value k = takeDigit(pb, l, rest, shape.k);
        Value h = shape.heads ? takeDigit(pb, l, rest, heads) : Value();
        Value s = shape.segmented ? rest : Value();
        auto [lo, hi] = segmentRows(pb, l, op, s, numRows);
        scf::ForOp::create(
            pb, l, lo, hi, c1, ValueRange{},
            [&](OpBuilder &fb, Location fl, Value p, ValueRange) {
              Value e = rowElement(fb, fl, op, p);
              Value aRow = operandRow(fb, fl, op.getAGather(), e);
              Value bRow = operandRow(fb, fl, op.getBGather(), e);
              Value a = memref::LoadOp::create(fb, fl, op.getA(),
                                               headIndex(aRow, h, k));
              scf::ForOp::create(
                  fb, fl, c0, constIndex(fb, fl, shape.n), c1, ValueRange{},
                  [&](OpBuilder &nb, Location nl, Value n, ValueRange) {
                    Value bv = memref::LoadOp::create(nb, nl, op.getB(),
                                                      headIndex(bRow, h, n));
                    writeElement(nb, nl, CMode::Accumulate,
                                 arith::MulFOp::create(nb, nl, a, bv),
                                 op.getC(), cIndex(s, h, k, n));
                    scf::YieldOp::create(nb, nl);
                  });
              scf::YieldOp::create(fb, fl);
            });
      });
  op.erase();
}

/// K rows of C one blocked task computes, at most; the largest divisor of K
/// up to this is used.
constexpr int64_t kBlockedTileK = 4;

/// The largest divisor of `n` that is at most `cap` (at least 1).
int64_t largestDivisor(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, cap); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

void lowerOuterGemmBlocked(OuterGemmOp op, int64_t maxVectorWidth) {
  Location loc = op.getLoc();
  OuterShape shape = shapeOf(op);
  Type elementType = cast<MemRefType>(op.getA().getType()).getElementType();
  int64_t width = widestVectorWidth(shape.n, maxVectorWidth);
  VectorType vecType = VectorType::get({width}, elementType);
  int64_t tileK = largestDivisor(shape.k, kBlockedTileK);
  int64_t chunks = shape.n / width;
  int64_t perGroup =
      largestDivisor(chunks, std::max<int64_t>(1, kMaxAccumulators / tileK));
  int64_t kTiles = shape.k / tileK, groups = chunks / perGroup;
  int64_t heads = shape.heads ? shape.heads : 1;

  OpBuilder b(op);
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value numRows = rowCount(b, op);
  Value segments = shape.segmented ? segmentCount(b, op) : c1;
  Value tasks = arith::MulIOp::create(
      b, loc, segments, constIndex(b, loc, heads * kTiles * groups));
  // Tasks are segment-major, so that one thread's consecutive tasks walk
  // the same rows and find them in cache.
  scf::ParallelOp::create(
      b, loc, ValueRange{c0}, ValueRange{tasks}, ValueRange{c1},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        Value rest = ivs[0];
        Value g = takeDigit(pb, l, rest, groups);
        Value kt = takeDigit(pb, l, rest, kTiles);
        Value h = shape.heads ? takeDigit(pb, l, rest, heads) : Value();
        Value s = shape.segmented ? rest : Value();
        Value k0 = arith::MulIOp::create(pb, l, kt, constIndex(pb, l, tileK));
        Value n0 = arith::MulIOp::create(pb, l, g,
                                         constIndex(pb, l, perGroup * width));
        SmallVector<Value> ks, ns;
        for (int64_t m = 0; m < tileK; ++m)
          ks.push_back(arith::AddIOp::create(pb, l, k0, constIndex(pb, l, m)));
        for (int64_t j = 0; j < perGroup; ++j)
          ns.push_back(
              arith::AddIOp::create(pb, l, n0, constIndex(pb, l, j * width)));
        auto [lo, hi] = segmentRows(pb, l, op, s, numRows);
        Value zero = arith::ConstantOp::create(pb, l, pb.getZeroAttr(vecType));
        SmallVector<Value> init(tileK * perGroup, zero);
        auto loop = scf::ForOp::create(
            pb, l, lo, hi, c1, init,
            [&](OpBuilder &fb, Location fl, Value p, ValueRange acc) {
              Value e = rowElement(fb, fl, op, p);
              Value aRow = operandRow(fb, fl, op.getAGather(), e);
              Value bRow = operandRow(fb, fl, op.getBGather(), e);
              SmallVector<Value> bVecs;
              for (Value n : ns)
                bVecs.push_back(vector::LoadOp::create(
                    fb, fl, vecType, op.getB(), headIndex(bRow, h, n)));
              SmallVector<Value> next;
              for (Value k : ks) {
                Value a = memref::LoadOp::create(fb, fl, op.getA(),
                                                 headIndex(aRow, h, k));
                Value bcast = vector::BroadcastOp::create(fb, fl, vecType, a);
                for (Value bv : bVecs)
                  next.push_back(vector::FMAOp::create(fb, fl, bcast, bv,
                                                       acc[next.size()]));
              }
              scf::YieldOp::create(fb, fl, next);
            });
        for (int64_t m = 0; m < tileK; ++m)
          for (int64_t j = 0; j < perGroup; ++j)
            vector::StoreOp::create(pb, l, loop.getResult(m * perGroup + j),
                                    op.getC(), cIndex(s, h, ks[m], ns[j]));
      });
  op.erase();
}

} // namespace

LogicalResult templates::lowerOuterGemm(OuterGemmOp op, OuterGemmForm form,
                                        bool emulate, int64_t vectorWidth) {
  OuterShape shape = shapeOf(op);
  // C's dimensions after the first are zeroed and indexed by constants.
  auto c = cast<MemRefType>(op.getC().getType());
  if (ShapedType::isDynamic(shape.k) || ShapedType::isDynamic(shape.n) ||
      ShapedType::isDynamic(shape.heads) ||
      ShapedType::isDynamicShape(c.getShape().drop_front()))
    return op.emitError("lowering an outer GEMM needs static K, N and head "
                        "counts");
  if (form == OuterGemmForm::Loops) {
    lowerOuterGemmLoops(op);
    return success();
  }
  if (form == OuterGemmForm::Blocked) {
    lowerOuterGemmBlocked(op, vectorWidth);
    return success();
  }
  FailureOr<Tiles> tiles = chooseTiles(op, shape);
  if (failed(tiles))
    return failure();
  TiledOuterGemm(op, *tiles, emulate).build();
  return success();
}
