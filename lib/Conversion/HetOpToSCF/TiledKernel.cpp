//===- TiledKernel.cpp - the thread-block skeleton of the tiled GEMMs -----===//

#include "TiledKernel.h"
#include "Templates.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::hector::hetop;
using namespace mlir::hector::hetop::templates;

/// Many more accumulators than 64 spill, and a kernel's static shared
/// memory is at most 48 KiB.
static constexpr int64_t kMaxOutputsPerThread = 64;
static constexpr int64_t kMaxSharedBytes = 48 * 1024;

FailureOr<Tiles> templates::splitTiles(Operation *op, StringRef what,
                                       GemmScheduleAttr schedule,
                                       Tiles defaults, Value a) {
  Tiles t = defaults;
  if (schedule) {
    t.m = schedule.getTileM();
    t.n = schedule.getTileN();
    t.k = schedule.getTileK();
    t.threads = schedule.getThreads();
  }
  int64_t elementBytes =
      cast<MemRefType>(a.getType()).getElementTypeBitWidth() / 8;
  int64_t outputs = t.m * t.n;
  if (outputs % t.threads != 0)
    return op->emitError(what)
           << ": " << t.threads << " threads do not divide a " << t.m << "x"
           << t.n << " tile";
  int64_t perThread = outputs / t.threads;
  if (perThread > kMaxOutputsPerThread)
    return op->emitError(what)
           << ": " << perThread << " outputs per thread; at most "
           << kMaxOutputsPerThread << " fit in registers";
  int64_t sharedBytes = t.k * (t.m + t.n + 2 * kSharedPad) * elementBytes;
  if (sharedBytes > kMaxSharedBytes)
    return op->emitError(what) << ": the tiles need " << sharedBytes
                               << " bytes of shared memory; at most "
                               << kMaxSharedBytes << " can be static";
  t.rn = std::min<int64_t>({4, perThread, t.n});
  t.rm = perThread / t.rn;
  t.threadsN = t.n / t.rn;
  if (t.threads % t.threadsN != 0 || t.rm * (t.threads / t.threadsN) != t.m)
    return op->emitError(what)
           << ": a " << t.m << "x" << t.n << " tile does not split into "
           << t.threads << " threads of " << t.rm << "x" << t.rn << " outputs";
  return t;
}

void TiledKernel::launch(OpBuilder &b, Value gridX, Value gridY,
                         BlockBody body) {
  MLIRContext *ctx = b.getContext();
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
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
          body(pb, ivs[0], ivs[1], blk);
          for (Value buffer : buffers)
            memref::DeallocOp::create(pb, l, buffer);
        });
    return;
  }
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type aTile = MemRefType::get(aShape, elementType, AffineMap(), workgroup);
  Type bTile = MemRefType::get(bShape, elementType, AffineMap(), workgroup);
  // The row blocks take the grid's x dimension, which may hold 2^31 - 1
  // blocks (y holds 65535): a large graph has millions of rows. A graph
  // with no rows gives an empty grid, which hector-guard-empty-launches
  // handles.
  auto launch = gpu::LaunchOp::create(
      b, loc, gridY, gridX, c1, constIndex(b, loc, t.threads), c1, c1,
      /*dynamicSharedMemorySize=*/Value(), /*asyncTokenType=*/Type(),
      /*asyncDependencies=*/ValueRange{}, TypeRange{aTile, bTile});
  OpBuilder kb = OpBuilder::atBlockEnd(&launch.getBody().front());
  BlockState blk;
  blk.aTile = launch.getWorkgroupAttributions()[0];
  blk.bTile = launch.getWorkgroupAttributions()[1];
  blk.thread = launch.getThreadIds().x;
  body(kb, launch.getBlockIds().y, launch.getBlockIds().x, blk);
  gpu::TerminatorOp::create(kb, loc);
}

void TiledKernel::phase(OpBuilder &b, const BlockState &blk,
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

void TiledKernel::forShare(OpBuilder &b, Value thread, int64_t elements,
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

void TiledKernel::reduce(
    OpBuilder &b, const BlockState &blk, Value lb, Value ub,
    function_ref<void(OpBuilder &, Value, Value)> stage,
    function_ref<void(OpBuilder &, Value, ValueRange)> write) {
  Value step = constIndex(b, loc, t.k);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  SmallVector<Value> zeros(t.rm * t.rn, zero);
  if (emulate) {
    // Each thread's accumulators live in the block's buffer between phases.
    phase(b, blk, [&](OpBuilder &pb, Value thread) {
      storeAcc(pb, blk, thread, zeros);
    });
    scf::ForOp::create(
        b, loc, lb, ub, step, ValueRange{},
        [&](OpBuilder &kb, Location kl, Value k0, ValueRange) {
          phase(kb, blk,
                [&](OpBuilder &pb, Value thread) { stage(pb, thread, k0); });
          phase(kb, blk, [&](OpBuilder &pb, Value thread) {
            storeAcc(pb, blk, thread,
                     multiply(pb, blk, thread, loadAcc(pb, blk, thread)));
          });
          scf::YieldOp::create(kb, kl);
        });
    phase(b, blk, [&](OpBuilder &pb, Value thread) {
      write(pb, thread, loadAcc(pb, blk, thread));
    });
    return;
  }
  // On the GPU the accumulators are loop-carried values: registers.
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, zeros,
      [&](OpBuilder &kb, Location kl, Value k0, ValueRange acc) {
        stage(kb, blk.thread, k0);
        gpu::BarrierOp::create(kb, kl);
        SmallVector<Value> next = multiply(kb, blk, blk.thread, acc);
        // The next step (or segment) restages the tiles.
        gpu::BarrierOp::create(kb, kl);
        scf::YieldOp::create(kb, kl, next);
      });
  write(b, blk.thread, loop.getResults());
}

void TiledKernel::walkSegments(
    OpBuilder &b, Value offsets, Value count, Value lo, Value hi,
    function_ref<void(OpBuilder &, Value, Value, Value)> fn) {
  Value first = upperSegment(b, loc, offsets, count, lo);
  Type idx = b.getIndexType();
  scf::WhileOp::create(
      b, loc, TypeRange{idx, idx}, ValueRange{lo, first},
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        scf::ConditionOp::create(
            wb, wl, cmp(wb, arith::CmpIPredicate::ult, args[0], hi), args);
      },
      [&](OpBuilder &wb, Location wl, ValueRange args) {
        Value row = args[0], s = args[1];
        Value next = arith::AddIOp::create(wb, wl, s, constIndex(wb, wl, 1));
        Value segEnd = arith::MinUIOp::create(wb, wl, hi,
                                              loadIndex(wb, wl, offsets, next));
        scf::IfOp::create(wb, wl,
                          cmp(wb, arith::CmpIPredicate::ult, row, segEnd),
                          [&](OpBuilder &ib, Location il) {
                            fn(ib, row, segEnd, s);
                            scf::YieldOp::create(ib, il);
                          });
        scf::YieldOp::create(wb, wl, ValueRange{segEnd, next});
      });
}

std::pair<Value, Value> TiledKernel::threadOrigin(OpBuilder &b, Value thread) {
  Value threadsN = constIndex(b, loc, t.threadsN);
  Value tm = arith::DivUIOp::create(b, loc, thread, threadsN);
  return {arith::MulIOp::create(b, loc, tm, constIndex(b, loc, t.rm)),
          arith::RemUIOp::create(b, loc, thread, threadsN)};
}

Value TiledKernel::outputRow(OpBuilder &b, const BlockState &blk, Value rowBase,
                             int64_t i) {
  return arith::AddIOp::create(
      b, loc, blk.row0,
      arith::AddIOp::create(b, loc, rowBase, constIndex(b, loc, i)));
}

Value TiledKernel::outputCol(OpBuilder &b, const BlockState &blk, Value tn,
                             int64_t j) {
  return arith::AddIOp::create(
      b, loc, blk.col0,
      arith::AddIOp::create(b, loc, tn, constIndex(b, loc, j * t.threadsN)));
}

Value TiledKernel::both(OpBuilder &b, Value lhs, Value rhs) {
  if (!lhs || !rhs)
    return lhs ? lhs : rhs;
  return arith::AndIOp::create(b, loc, lhs, rhs);
}

Value TiledKernel::below(OpBuilder &b, Value v, int64_t bound, bool whole) {
  if (whole)
    return Value();
  return cmp(b, arith::CmpIPredicate::ult, v, constIndex(b, loc, bound));
}

SmallVector<Value> TiledKernel::multiply(OpBuilder &b, const BlockState &blk,
                                         Value thread, ValueRange acc) {
  auto [rowBase, tn] = threadOrigin(b, thread);
  SmallVector<Value> out(acc);
  // Unrolled over the step, so that shared-memory offsets are constants.
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

SmallVector<Value> TiledKernel::loadAcc(OpBuilder &b, const BlockState &blk,
                                        Value thread) {
  SmallVector<Value> acc;
  for (int64_t i = 0; i < t.rm; ++i)
    for (int64_t j = 0; j < t.rn; ++j)
      acc.push_back(memref::LoadOp::create(
          b, loc, blk.acc,
          ValueRange{thread, constIndex(b, loc, i), constIndex(b, loc, j)}));
  return acc;
}

void TiledKernel::storeAcc(OpBuilder &b, const BlockState &blk, Value thread,
                           ValueRange acc) {
  for (int64_t i = 0; i < t.rm; ++i)
    for (int64_t j = 0; j < t.rn; ++j)
      memref::StoreOp::create(
          b, loc, acc[i * t.rn + j], blk.acc,
          ValueRange{thread, constIndex(b, loc, i), constIndex(b, loc, j)});
}
