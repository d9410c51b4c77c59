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
// The kernel is built from phases separated by barriers. On the GPU it is
// one gpu.launch and a phase is what one thread does; emulated on the CPU,
// each phase is a loop over the block's threads, which is how the
// template's indexing is tested on machines with no GPU.
//
//===----------------------------------------------------------------------===//

#include "Templates.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::hector::hetop;
using namespace mlir::hector::hetop::templates;

namespace {

/// Default tiles: 64 rows by up to 64 columns, and as many threads as give
/// each 16 outputs (4 x 4 registers, with 4 + 4 operands per k step), but
/// at least two warps; K steps of 8. Larger row tiles waste work where
/// segments (relations) are short, 128-row tiles of narrow outputs spilled
/// on sm_80, and K steps of 16 took 123-248 registers (64-96 with 8).
constexpr int64_t kDefaultTileM = 64;
constexpr int64_t kOutputsPerThread = 16;
constexpr int64_t kMinThreads = 64;
constexpr int64_t kDefaultTileK = 8;
/// Limits on a schedule: many more accumulators than 64 spill, and a
/// kernel's static shared memory is at most 48 KiB.
constexpr int64_t kMaxOutputsPerThread = 64;
constexpr int64_t kMaxSharedBytes = 48 * 1024;
/// Shared tiles are padded by one column so that the staging stores of a
/// warp (consecutive k of one row) fall in different banks.
constexpr int64_t kSharedPad = 1;

struct Tiles {
  int64_t m, n, k, threads;
  /// The outputs of one thread: rm rows by rn columns, threadsN threads
  /// across a tile row.
  int64_t rm, rn, threadsN;
};

FailureOr<Tiles> chooseTiles(TypedGemmOp op, int64_t n, int64_t k) {
  Tiles t;
  if (GemmScheduleAttr schedule = op.getScheduleAttr()) {
    t.m = schedule.getTileM();
    t.n = schedule.getTileN();
    t.k = schedule.getTileK();
    t.threads = schedule.getThreads();
  } else {
    t.m = kDefaultTileM;
    t.n = std::clamp<int64_t>(llvm::PowerOf2Ceil(n), 4, 64);
    t.threads = std::max<int64_t>(kMinThreads, t.m * t.n / kOutputsPerThread);
    t.k = std::min<int64_t>(kDefaultTileK, llvm::PowerOf2Ceil(k));
  }
  int64_t outputs = t.m * t.n;
  if (outputs % t.threads != 0)
    return op.emitError("GEMM schedule: ")
           << t.threads << " threads do not divide a " << t.m << "x" << t.n
           << " tile";
  int64_t perThread = outputs / t.threads;
  if (perThread > kMaxOutputsPerThread)
    return op.emitError("GEMM schedule: ")
           << perThread << " outputs per thread; at most "
           << kMaxOutputsPerThread << " fit in registers";
  int64_t elementBytes =
      cast<MemRefType>(op.getA().getType()).getElementTypeBitWidth() / 8;
  int64_t sharedBytes = t.k * (t.m + t.n + 2 * kSharedPad) * elementBytes;
  if (sharedBytes > kMaxSharedBytes)
    return op.emitError("GEMM schedule: the tiles need ")
           << sharedBytes << " bytes of shared memory; at most "
           << kMaxSharedBytes << " can be static";
  t.rn = std::min<int64_t>({4, perThread, t.n});
  t.rm = perThread / t.rn;
  t.threadsN = t.n / t.rn;
  if (t.threads % t.threadsN != 0 || t.rm * (t.threads / t.threadsN) != t.m)
    return op.emitError("GEMM schedule: a ")
           << t.m << "x" << t.n << " tile does not split into " << t.threads
           << " threads of " << t.rm << "x" << t.rn << " outputs";
  return t;
}

class TiledGemm {
public:
  TiledGemm(TypedGemmOp op, const Tiles &tiles, bool emulate)
      : op(op), loc(op.getLoc()), t(tiles), emulate(emulate) {
    auto a = cast<MemRefType>(op.getA().getType());
    auto c = cast<MemRefType>(op.getC().getType());
    heads = a.getRank() == 3 ? a.getDimSize(1) : 0;
    k = a.getShape().back();
    n = c.getShape().back();
    elementType = a.getElementType();
    tilesN = llvm::divideCeil(n, t.n);
  }

  void build();

private:
  /// The values one thread block works with.
  struct BlockState {
    Value aTile, bTile;
    /// The accumulators of every thread when emulated (registers on the
    /// GPU).
    Value acc;
    /// The thread's id on the GPU; null when emulated.
    Value thread;
    Value head, col0, row0;
  };

  void blockBody(OpBuilder &b, Value colTile, Value rowTile, Value numRows,
                 Value numSegments, BlockState &blk);
  /// Rows [p0, p1) of the block, all in segment `s`.
  void segment(OpBuilder &b, const BlockState &blk, Value p0, Value p1,
               Value s);
  /// Runs `fn` on the thread's share of `elements` staged elements: indices
  /// thread, thread + threads, ... below `elements`.
  void forShare(OpBuilder &b, Value thread, int64_t elements,
                function_ref<void(OpBuilder &, Value)> fn);
  /// Stages the A rows and the B tile of K step `k0` in shared memory.
  void stage(OpBuilder &b, const BlockState &blk, Value thread, Value k0,
             Value p0, Value p1, Value s);
  /// The thread's accumulators after the staged K step.
  SmallVector<Value> multiply(OpBuilder &b, const BlockState &blk, Value thread,
                              ValueRange acc);
  /// Writes the thread's outputs of rows [p0, p1): its accumulators, or
  /// zeros (a skipped segment) when `acc` is empty.
  void write(OpBuilder &b, const BlockState &blk, Value thread, Value p0,
             Value p1, ValueRange acc);

  /// The thread's first output row in the tile (rm rows from there) and
  /// first column (rn columns, threads_n apart).
  std::pair<Value, Value> threadOrigin(OpBuilder &b, Value thread) {
    Value threadsN = constIndex(b, loc, t.threadsN);
    Value tm = arith::DivUIOp::create(b, loc, thread, threadsN);
    return {arith::MulIOp::create(b, loc, tm, constIndex(b, loc, t.rm)),
            arith::RemUIOp::create(b, loc, thread, threadsN)};
  }
  /// Runs `fn` for each thread of the block: once for the GPU thread, or in
  /// a loop over all of them when emulated.
  void phase(OpBuilder &b, const BlockState &blk,
             function_ref<void(OpBuilder &, Value)> fn);
  /// An emulated thread's accumulators, kept in the block's buffer.
  SmallVector<Value> loadAcc(OpBuilder &b, const BlockState &blk, Value thread);
  void storeAcc(OpBuilder &b, const BlockState &blk, Value thread,
                ValueRange acc);
  /// `lhs && rhs`, where a null operand is true.
  Value both(OpBuilder &b, Value lhs, Value rhs) {
    if (!lhs || !rhs)
      return lhs ? lhs : rhs;
    return arith::AndIOp::create(b, loc, lhs, rhs);
  }
  Value cmp(OpBuilder &b, arith::CmpIPredicate pred, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, pred, lhs, rhs);
  }
  TypedGemmOp op;
  Location loc;
  Tiles t;
  bool emulate;
  int64_t heads, k, n, tilesN;
  Type elementType;
};

void TiledGemm::phase(OpBuilder &b, const BlockState &blk,
                      function_ref<void(OpBuilder &, Value)> fn) {
  if (!emulate) {
    fn(b, blk.thread);
    return;
  }
  scf::ForOp::create(b, loc, constIndex(b, loc, 0),
                     constIndex(b, loc, t.threads), constIndex(b, loc, 1),
                     ValueRange{},
                     [&](OpBuilder &fb, Location fl, Value thread, ValueRange) {
                       fn(fb, thread);
                       scf::YieldOp::create(fb, fl);
                     });
}

void TiledGemm::forShare(OpBuilder &b, Value thread, int64_t elements,
                         function_ref<void(OpBuilder &, Value)> fn) {
  for (int64_t i = 0, e = llvm::divideCeil(elements, t.threads); i < e; ++i) {
    Value idx = arith::AddIOp::create(b, loc, thread,
                                      constIndex(b, loc, i * t.threads));
    if (elements % t.threads == 0) {
      fn(b, idx);
      continue;
    }
    scf::IfOp::create(
        b, loc,
        cmp(b, arith::CmpIPredicate::ult, idx, constIndex(b, loc, elements)),
        [&](OpBuilder &ib, Location il) {
          fn(ib, idx);
          scf::YieldOp::create(ib, il);
        });
  }
}

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

SmallVector<Value> TiledGemm::multiply(OpBuilder &b, const BlockState &blk,
                                       Value thread, ValueRange acc) {
  auto [rowBase, tn] = threadOrigin(b, thread);
  SmallVector<Value> out(acc);
  // Unrolled over the K tile, so that shared-memory offsets are constants.
  for (int64_t kk = 0; kk < t.k; ++kk) {
    Value kIdx = constIndex(b, loc, kk);
    SmallVector<Value> aVals, bVals;
    for (int64_t i = 0; i < t.rm; ++i)
      aVals.push_back(memref::LoadOp::create(
          b, loc, blk.aTile,
          ValueRange{kIdx, arith::AddIOp::create(b, loc, rowBase,
                                                 constIndex(b, loc, i))}));
    for (int64_t j = 0; j < t.rn; ++j)
      bVals.push_back(memref::LoadOp::create(
          b, loc, blk.bTile,
          ValueRange{kIdx,
                     arith::AddIOp::create(
                         b, loc, tn, constIndex(b, loc, j * t.threadsN))}));
    for (int64_t i = 0; i < t.rm; ++i)
      for (int64_t j = 0; j < t.rn; ++j)
        out[i * t.rn + j] =
            math::FmaOp::create(b, loc, aVals[i], bVals[j], out[i * t.rn + j]);
  }
  return out;
}

SmallVector<Value> TiledGemm::loadAcc(OpBuilder &b, const BlockState &blk,
                                      Value thread) {
  SmallVector<Value> acc;
  for (int64_t i = 0; i < t.rm; ++i)
    for (int64_t j = 0; j < t.rn; ++j)
      acc.push_back(memref::LoadOp::create(
          b, loc, blk.acc,
          ValueRange{thread, constIndex(b, loc, i), constIndex(b, loc, j)}));
  return acc;
}

void TiledGemm::storeAcc(OpBuilder &b, const BlockState &blk, Value thread,
                         ValueRange acc) {
  for (int64_t i = 0; i < t.rm; ++i)
    for (int64_t j = 0; j < t.rn; ++j)
      memref::StoreOp::create(
          b, loc, acc[i * t.rn + j], blk.acc,
          ValueRange{thread, constIndex(b, loc, i), constIndex(b, loc, j)});
}

void TiledGemm::write(OpBuilder &b, const BlockState &blk, Value thread,
                      Value p0, Value p1, ValueRange acc) {
  bool zeros = acc.empty();
  auto [rowBase, tn] = threadOrigin(b, thread);
  Value c = op.getC();
  for (int64_t i = 0; i < t.rm; ++i) {
    Value p = arith::AddIOp::create(
        b, loc, blk.row0,
        arith::AddIOp::create(b, loc, rowBase, constIndex(b, loc, i)));
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
        Value col = arith::AddIOp::create(
            rb, loc, blk.col0,
            arith::AddIOp::create(rb, loc, tn,
                                  constIndex(rb, loc, j * t.threadsN)));
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
    if (emulate) {
      // Each thread's accumulators live in the block's buffer between
      // phases.
      Value zero =
          arith::ConstantOp::create(cb, loc, cb.getZeroAttr(elementType));
      phase(cb, blk, [&](OpBuilder &pb, Value thread) {
        storeAcc(pb, blk, thread, SmallVector<Value>(t.rm * t.rn, zero));
      });
      scf::ForOp::create(
          cb, loc, constIndex(cb, loc, 0), constIndex(cb, loc, k),
          constIndex(cb, loc, t.k), ValueRange{},
          [&](OpBuilder &kb, Location kl, Value k0, ValueRange) {
            phase(kb, blk, [&](OpBuilder &pb, Value thread) {
              stage(pb, blk, thread, k0, p0, p1, s);
            });
            phase(kb, blk, [&](OpBuilder &pb, Value thread) {
              storeAcc(pb, blk, thread,
                       multiply(pb, blk, thread, loadAcc(pb, blk, thread)));
            });
            scf::YieldOp::create(kb, kl);
          });
      phase(cb, blk, [&](OpBuilder &pb, Value thread) {
        write(pb, blk, thread, p0, p1, loadAcc(pb, blk, thread));
      });
      return;
    }
    // On the GPU the accumulators are loop-carried values: registers.
    Value zero =
        arith::ConstantOp::create(cb, loc, cb.getZeroAttr(elementType));
    auto loop = scf::ForOp::create(
        cb, loc, constIndex(cb, loc, 0), constIndex(cb, loc, k),
        constIndex(cb, loc, t.k), SmallVector<Value>(t.rm * t.rn, zero),
        [&](OpBuilder &kb, Location kl, Value k0, ValueRange acc) {
          stage(kb, blk, blk.thread, k0, p0, p1, s);
          gpu::BarrierOp::create(kb, kl);
          SmallVector<Value> next = multiply(kb, blk, blk.thread, acc);
          // The next K step (or segment) restages the tiles.
          gpu::BarrierOp::create(kb, kl);
          scf::YieldOp::create(kb, kl, next);
        });
    write(cb, blk, blk.thread, p0, p1, loop.getResults());
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
  Value offsets = op.getSegmentOffsets();
  Value first = upperSegment(b, loc, offsets, numSegments, blk.row0);
  // Walk the segments that overlap the block's rows; every thread takes the
  // same path, so the barriers inside are reached by all.
  Type idx = b.getIndexType();
  scf::WhileOp::create(
      b, loc, TypeRange{idx, idx}, ValueRange{blk.row0, first},
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        scf::ConditionOp::create(
            wb, wl, cmp(wb, arith::CmpIPredicate::ult, args[0], rowEnd), args);
      },
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        Value row = args[0], s = args[1];
        Value next = arith::AddIOp::create(wb, wl, s, constIndex(wb, wl, 1));
        Value segEnd = arith::MinUIOp::create(wb, wl, rowEnd,
                                              loadIndex(wb, wl, offsets, next));
        scf::IfOp::create(wb, wl,
                          cmp(wb, arith::CmpIPredicate::ult, row, segEnd),
                          [&](OpBuilder &ib, Location il) {
                            segment(ib, blk, row, segEnd, s);
                            scf::YieldOp::create(ib, il);
                          });
        scf::YieldOp::create(wb, wl, ValueRange{segEnd, next});
      });
}

void TiledGemm::build() {
  OpBuilder b(op);
  MLIRContext *ctx = op.getContext();
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value numRows = gemmRowCount(b, op);
  Value numSegments = gemmSegmentCount(b, op);
  Value gridX = constIndex(b, loc, (heads ? heads : 1) * tilesN);
  Value gridY =
      arith::CeilDivUIOp::create(b, loc, numRows, constIndex(b, loc, t.m));
  SmallVector<int64_t> aShape{t.k, t.m + kSharedPad},
      bShape{t.k, t.n + kSharedPad}, accShape{t.threads, t.rm, t.rn};

  if (emulate) {
    scf::ParallelOp::create(
        b, loc, ValueRange{c0, c0}, ValueRange{gridX, gridY},
        ValueRange{c1, c1}, [&](OpBuilder &pb, Location l, ValueRange ivs) {
          BlockState blk;
          SmallVector<Value> buffers;
          for (ArrayRef<int64_t> shape : {aShape, bShape, accShape})
            buffers.push_back(memref::AllocOp::create(
                pb, l, MemRefType::get(shape, elementType)));
          blk.aTile = buffers[0];
          blk.bTile = buffers[1];
          blk.acc = buffers[2];
          blockBody(pb, ivs[0], ivs[1], numRows, numSegments, blk);
          for (Value buffer : buffers)
            memref::DeallocOp::create(pb, l, buffer);
        });
    op.erase();
    return;
  }

  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type aTile = MemRefType::get(aShape, elementType, AffineMap(), workgroup);
  Type bTile = MemRefType::get(bShape, elementType, AffineMap(), workgroup);
  // A grid of no blocks is an invalid launch: an empty GEMM launches none.
  Value any = cmp(b, arith::CmpIPredicate::ugt, numRows, c0);
  scf::IfOp::create(b, loc, any, [&](OpBuilder &ib, Location il) {
    auto launch = gpu::LaunchOp::create(
        ib, il, gridX, gridY, c1, constIndex(ib, il, t.threads), c1, c1,
        /*dynamicSharedMemorySize=*/Value(), /*asyncTokenType=*/Type(),
        /*asyncDependencies=*/ValueRange{}, TypeRange{aTile, bTile});
    OpBuilder kb = OpBuilder::atBlockEnd(&launch.getBody().front());
    BlockState blk;
    blk.aTile = launch.getWorkgroupAttributions()[0];
    blk.bTile = launch.getWorkgroupAttributions()[1];
    blk.thread = launch.getThreadIds().x;
    blockBody(kb, launch.getBlockIds().x, launch.getBlockIds().y, numRows,
              numSegments, blk);
    gpu::TerminatorOp::create(kb, il);
    scf::YieldOp::create(ib, il);
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
