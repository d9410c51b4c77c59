//===- TiledGemm.cpp - the shared-memory tiled typed GEMM -----------------===//
//
// A thread block computes a tile_m x tile_n tile of C for one head. It finds
// the segments (relations) its rows overlap on the device, by binary search
// of the segment offsets, and for each one steps through K by tile_k with
// the tile's A rows (gathered through the index list) and the segment's B
// tile staged in shared memory. Each thread accumulates rm x rn outputs in
// registers: rows tm * rm + i and columns tn + j * threads_n, so that
// neighbouring threads read neighbouring B elements from shared memory and
// write neighbouring C elements. Rows outside the segment being computed
// are staged as zeros and never written, so a tile that spans segments
// computes each one in turn.
//
// The block skeleton (launch, phases, the register-blocked product of the
// staged tiles) is TiledKernel's, shared with the outer GEMM.
//
//===----------------------------------------------------------------------===//

#include "Templates.h"
#include "TiledKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::hector::hetop;
using namespace mlir::hector::hetop::templates;

namespace {

/// Default tiles: 64 rows by up to 64 columns (threads and K steps as in
/// TiledKernel.h). Larger row tiles waste work where segments (relations)
/// are short, and 128-row tiles of narrow outputs spilled on sm_80.
constexpr int64_t kDefaultTileM = 64;

FailureOr<Tiles> chooseTiles(TypedGemmOp op, int64_t n, int64_t k) {
  Tiles t;
  t.m = kDefaultTileM;
  t.n = std::clamp<int64_t>(llvm::PowerOf2Ceil(n), 4, 64);
  t.threads = defaultThreads(t.m, t.n);
  t.k = std::min<int64_t>(kDefaultTileK, llvm::PowerOf2Ceil(k));
  return splitTiles(op, "GEMM schedule", op.getScheduleAttr(), t, op.getA());
}

class TiledGemm : TiledKernel {
public:
  TiledGemm(TypedGemmOp op, const Tiles &tiles, bool emulate)
      : TiledKernel(op.getLoc(), tiles, emulate,
                    cast<MemRefType>(op.getA().getType()).getElementType()),
        op(op) {
    auto a = cast<MemRefType>(op.getA().getType());
    auto c = cast<MemRefType>(op.getC().getType());
    heads = a.getRank() == 3 ? a.getDimSize(1) : 0;
    k = a.getShape().back();
    n = c.getShape().back();
    tilesN = llvm::divideCeil(n, t.n);
  }

  void build();

private:
  void blockBody(OpBuilder &b, Value colTile, Value rowTile, Value numRows,
                 Value numSegments, BlockState &blk);
  /// Rows [p0, p1) of the block, all in segment `s`.
  void segment(OpBuilder &b, const BlockState &blk, Value p0, Value p1,
               Value s);
  /// Stages the A rows and the B tile of K step `k0` in shared memory.
  void stage(OpBuilder &b, const BlockState &blk, Value thread, Value k0,
             Value p0, Value p1, Value s);
  /// Writes the thread's outputs of rows [p0, p1): its accumulators, or
  /// zeros (a skipped segment) when `acc` is empty.
  void write(OpBuilder &b, const BlockState &blk, Value thread, Value p0,
             Value p1, ValueRange acc);

  TypedGemmOp op;
  int64_t heads, k, n, tilesN;
};

void TiledGemm::stage(OpBuilder &b, const BlockState &blk, Value thread,
                      Value k0, Value p0, Value p1, Value s) {
  // A: tile_m rows by tile_k, consecutive threads along K of one row (the
  // row is contiguous in memory), stored transposed: aTile[kk][m]. Rows of
  // other segments are staged as zeros; their outputs are not written, so
  // this only saves their gathers.
  forShare(b, thread, t.m * t.k, [&](OpBuilder &ib, Value idx) {
    Value m = arith::DivUIOp::create(ib, loc, idx, constIndex(ib, loc, t.k));
    Value kk = arith::RemUIOp::create(ib, loc, idx, constIndex(ib, loc, t.k));
    Value p = arith::AddIOp::create(ib, loc, blk.row0, m);
    Value kIdx = arith::AddIOp::create(ib, loc, k0, kk);
    Value valid = both(ib, cmp(ib, arith::CmpIPredicate::uge, p, p0),
                       cmp(ib, arith::CmpIPredicate::ult, p, p1));
    if (k % t.k != 0)
      valid = both(
          ib, valid,
          cmp(ib, arith::CmpIPredicate::ult, kIdx, constIndex(ib, loc, k)));
    Value v = valueOrZero(
        ib, loc, valid, elementType, [&](OpBuilder &lb, Location) -> Value {
          Value row =
              op.getAGather() ? loadIndex(lb, loc, op.getAGather(), p) : p;
          return memref::LoadOp::create(lb, loc, op.getA(),
                                        headIndex(row, blk.head, kIdx));
        });
    memref::StoreOp::create(ib, loc, v, blk.aTile, ValueRange{kk, m});
  });
  // B: tile_k by tile_n of the segment's matrix, consecutive threads along
  // the dimension that is contiguous in memory (N, or K when transposed).
  bool transposed = op.getTransposeB();
  forShare(b, thread, t.k * t.n, [&](OpBuilder &ib, Value idx) {
    int64_t inner = transposed ? t.k : t.n;
    Value outer =
        arith::DivUIOp::create(ib, loc, idx, constIndex(ib, loc, inner));
    Value rest =
        arith::RemUIOp::create(ib, loc, idx, constIndex(ib, loc, inner));
    Value kk = transposed ? rest : outer, nn = transposed ? outer : rest;
    Value kIdx = arith::AddIOp::create(ib, loc, k0, kk);
    Value col = arith::AddIOp::create(ib, loc, blk.col0, nn);
    Value valid;
    if (k % t.k != 0)
      valid = cmp(ib, arith::CmpIPredicate::ult, kIdx, constIndex(ib, loc, k));
    if (n % t.n != 0)
      valid =
          both(ib, valid,
               cmp(ib, arith::CmpIPredicate::ult, col, constIndex(ib, loc, n)));
    Value v = valueOrZero(
        ib, loc, valid, elementType, [&](OpBuilder &lb, Location) -> Value {
          SmallVector<Value> bIdx{s};
          if (blk.head)
            bIdx.push_back(blk.head);
          bIdx.push_back(transposed ? col : kIdx);
          bIdx.push_back(transposed ? kIdx : col);
          return memref::LoadOp::create(lb, loc, op.getB(), bIdx);
        });
    memref::StoreOp::create(ib, loc, v, blk.bTile, ValueRange{kk, nn});
  });
}

void TiledGemm::write(OpBuilder &b, const BlockState &blk, Value thread,
                      Value p0, Value p1, ValueRange acc) {
  bool zeros = acc.empty();
  auto [rowBase, tn] = threadOrigin(b, thread);
  Value c = op.getC();
  for (int64_t i = 0; i < t.rm; ++i) {
    Value p = outputRow(b, blk, rowBase, i);
    Value inSegment = both(b, cmp(b, arith::CmpIPredicate::uge, p, p0),
                           cmp(b, arith::CmpIPredicate::ult, p, p1));
    scf::IfOp::create(b, loc, inSegment, [&](OpBuilder &rb, Location) {
      Value cRow =
          op.getCScatter() ? loadIndex(rb, loc, op.getCScatter(), p) : p;
      Value scale;
      if (!zeros && op.getEpilogue() == Epilogue::Scale)
        scale = memref::LoadOp::create(rb, loc, op.getEpilogueOperands()[0],
                                       headIndex(p, blk.head, Value()));
      for (int64_t j = 0; j < t.rn; ++j) {
        Value col = outputCol(rb, blk, tn, j);
        auto store = [&](OpBuilder &sb) {
          SmallVector<Value> cIdx = headIndex(cRow, blk.head, col);
          if (zeros) {
            memref::StoreOp::create(
                sb, loc,
                arith::ConstantOp::create(sb, loc, sb.getZeroAttr(elementType)),
                c, cIdx);
            return;
          }
          Value v = acc[i * t.rn + j];
          if (scale)
            v = arith::MulFOp::create(sb, loc, v, scale);
          writeElement(sb, loc, op.getCMode(), v, c, cIdx);
        };
        if (n % t.n == 0) {
          store(rb);
          continue;
        }
        scf::IfOp::create(
            rb, loc,
            cmp(rb, arith::CmpIPredicate::ult, col, constIndex(rb, loc, n)),
            [&](OpBuilder &sb, Location sl) {
              store(sb);
              scf::YieldOp::create(sb, sl);
            });
      }
      scf::YieldOp::create(rb, loc);
    });
  }
}

void TiledGemm::segment(OpBuilder &b, const BlockState &blk, Value p0, Value p1,
                        Value s) {
  auto compute = [&](OpBuilder &cb) {
    reduce(
        cb, blk, constIndex(cb, loc, 0), constIndex(cb, loc, k),
        [&](OpBuilder &sb, Value thread, Value k0) {
          stage(sb, blk, thread, k0, p0, p1, s);
        },
        [&](OpBuilder &wb, Value thread, ValueRange acc) {
          write(wb, blk, thread, p0, p1, acc);
        });
  };
  Value sel = segmentSelected(b, loc, op, s);
  if (!sel) {
    compute(b);
    return;
  }
  // A skipped segment's rows are zero in `store` mode, left alone
  // otherwise. The condition is the same for the whole block.
  scf::IfOp::create(
      b, loc, sel,
      [&](OpBuilder &tb, Location tl) {
        compute(tb);
        scf::YieldOp::create(tb, tl);
      },
      [&](OpBuilder &eb, Location el) {
        if (op.getCMode() == CMode::Store)
          phase(eb, blk, [&](OpBuilder &pb, Value thread) {
            write(pb, blk, thread, p0, p1, /*acc=*/ValueRange{});
          });
        scf::YieldOp::create(eb, el);
      });
}

void TiledGemm::blockBody(OpBuilder &b, Value colTile, Value rowTile,
                          Value numRows, Value numSegments, BlockState &blk) {
  Value tilesPerHead = constIndex(b, loc, tilesN);
  Value nTile = colTile;
  if (heads) {
    blk.head = arith::DivUIOp::create(b, loc, colTile, tilesPerHead);
    nTile = arith::RemUIOp::create(b, loc, colTile, tilesPerHead);
  }
  blk.col0 = arith::MulIOp::create(b, loc, nTile, constIndex(b, loc, t.n));
  blk.row0 = arith::MulIOp::create(b, loc, rowTile, constIndex(b, loc, t.m));
  Value rowEnd = arith::MinUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, blk.row0, constIndex(b, loc, t.m)),
      numRows);
  walkSegments(b, op.getSegmentOffsets(), numSegments, blk.row0, rowEnd,
               [&](OpBuilder &sb, Value p0, Value p1, Value s) {
                 segment(sb, blk, p0, p1, s);
               });
}

void TiledGemm::build() {
  OpBuilder b(op);
  Value numRows = gemmRowCount(b, op);
  Value numSegments = gemmSegmentCount(b, op);
  Value gridX = constIndex(b, loc, (heads ? heads : 1) * tilesN);
  Value gridY =
      arith::CeilDivUIOp::create(b, loc, numRows, constIndex(b, loc, t.m));
  launch(b, gridX, gridY,
         [&](OpBuilder &kb, Value colTile, Value rowTile, BlockState &blk) {
           blockBody(kb, colTile, rowTile, numRows, numSegments, blk);
         });
  op.erase();
}

} // namespace

LogicalResult templates::lowerTiledGemm(TypedGemmOp op, bool emulate) {
  if (failed(checkStaticGemm(op)))
    return failure();
  auto a = cast<MemRefType>(op.getA().getType());
  auto c = cast<MemRefType>(op.getC().getType());
  int64_t k = a.getShape().back(), n = c.getShape().back();
  if (op.getEpilogue() == Epilogue::Dot)
    return op.emitError("the tiled GEMM template has no dot epilogue (its "
                        "rows are split across thread blocks); use "
                        "gemm-template=elementwise");
  FailureOr<Tiles> tiles = chooseTiles(op, n, k);
  if (failed(tiles))
    return failure();
  TiledGemm(op, *tiles, emulate).build();
  return success();
}
