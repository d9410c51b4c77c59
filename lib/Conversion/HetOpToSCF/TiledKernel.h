//===- TiledKernel.h - the thread-block skeleton of the tiled GEMMs -*- C++
//-*-//
//
// Internal to convert-hetop-to-scf. Both tiled templates (the typed GEMM,
// TiledGemm.cpp, and the weight-gradient outer GEMM, TiledOuterGemm.cpp)
// are the same kernel shape: a thread block owns an m x n tile of outputs,
// steps through a reduction dimension k at a time with both operand tiles
// staged in shared memory (`aTile[kk][m]`, `bTile[kk][n]`), and each thread
// accumulates rm x rn outputs in registers. They differ in what they stage
// and where they write; this class holds the rest.
//
// On the GPU the kernel is one gpu.launch and a phase is what one thread
// does; emulated on the CPU, blocks are a parallel loop and each phase is a
// loop over the block's threads, which is how the templates' indexing is
// tested on machines with no GPU.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_LIB_CONVERSION_HETOPTOSCF_TILEDKERNEL_H
#define HECTOR_LIB_CONVERSION_HETOPTOSCF_TILEDKERNEL_H

#include "Hector/Dialect/HetOp/IR/HetOp.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::hector::hetop::templates {

/// Shared tiles are padded by one column so that the staging stores of a
/// warp (consecutive k of one row) fall in different banks.
constexpr int64_t kSharedPad = 1;

/// Default schedules: as many threads as give each 16 outputs (4 x 4
/// registers, with 4 + 4 operands per reduction step), but at least two
/// warps; reduction steps of 8. Steps of 16 took 123-248 registers in the
/// typed GEMM (64-96 with 8).
constexpr int64_t kOutputsPerThread = 16;
constexpr int64_t kMinThreads = 64;
constexpr int64_t kDefaultTileK = 8;

/// The default block size for an m x n output tile: kOutputsPerThread
/// outputs each, at least kMinThreads, and no more threads than outputs.
inline int64_t defaultThreads(int64_t m, int64_t n) {
  return std::min(m * n, std::max(kMinThreads, m * n / kOutputsPerThread));
}

struct Tiles {
  /// The output tile (m x n), the reduction step k, and the block size.
  int64_t m, n, k, threads;
  /// The outputs of one thread: rm rows by rn columns, threadsN threads
  /// across a tile row.
  int64_t rm, rn, threadsN;
};

/// The tiling of `schedule`, or `defaults` without one, checked and with
/// its outputs split among the threads: every thread gets the same number,
/// few enough for registers, and the staged tiles (of `a`'s element type)
/// fit in static shared memory. Errors on `op` start with `what` ("GEMM
/// schedule").
FailureOr<Tiles> splitTiles(Operation *op, StringRef what,
                            GemmScheduleAttr schedule, Tiles defaults, Value a);

class TiledKernel {
protected:
  TiledKernel(Location loc, const Tiles &tiles, bool emulate, Type elementType)
      : loc(loc), t(tiles), emulate(emulate), elementType(elementType) {}

  /// The values one thread block works with.
  struct BlockState {
    Value aTile, bTile;
    /// The accumulators of every thread when emulated (registers on the
    /// GPU).
    Value acc;
    /// The thread's id on the GPU; null when emulated.
    Value thread;
    /// Set by the template: the head, and where its output tile starts.
    Value head, row0, col0;
  };
  using BlockBody =
      function_ref<void(OpBuilder &, Value blockX, Value blockY, BlockState &)>;
  /// Runs `body` for every block of a gridX x gridY grid (gridY counts row
  /// blocks, which a GPU launch puts in its x dimension): a gpu.launch, or
  /// a parallel loop when emulated.
  void launch(OpBuilder &b, Value gridX, Value gridY, BlockBody body);

  /// Runs `fn` for each thread of the block: once for the GPU thread, or in
  /// a loop over all of them when emulated.
  void phase(OpBuilder &b, const BlockState &blk,
             function_ref<void(OpBuilder &, Value)> fn);
  /// Runs `fn` on the thread's share of `elements` staged elements: indices
  /// thread, thread + threads, ... below `elements`.
  void forShare(OpBuilder &b, Value thread, int64_t elements,
                function_ref<void(OpBuilder &, Value)> fn);
  /// The reduction over [lb, ub) in steps of t.k: `stage(b, thread, k0)`
  /// fills the shared tiles for the step at k0, every thread then
  /// accumulates, and `write(b, thread, acc)` gets its totals.
  void reduce(OpBuilder &b, const BlockState &blk, Value lb, Value ub,
              function_ref<void(OpBuilder &, Value, Value)> stage,
              function_ref<void(OpBuilder &, Value, ValueRange)> write);

  /// Runs `fn(b, p0, p1, s)` for each segment s of `offsets` (`count`
  /// segments) that overlaps rows [lo, hi), with [p0, p1) the overlap. The
  /// walk is the same for every thread of the block, so barriers inside
  /// `fn` are reached by all.
  void walkSegments(OpBuilder &b, Value offsets, Value count, Value lo,
                    Value hi,
                    function_ref<void(OpBuilder &, Value, Value, Value)> fn);

  /// The thread's first output row in the tile (rm rows from there) and
  /// first column (rn columns, threads_n apart).
  std::pair<Value, Value> threadOrigin(OpBuilder &b, Value thread);
  /// The tile row and column of the thread's output (i, j), offset by the
  /// tile's origin.
  Value outputRow(OpBuilder &b, const BlockState &blk, Value rowBase,
                  int64_t i);
  Value outputCol(OpBuilder &b, const BlockState &blk, Value tn, int64_t j);

  /// `lhs && rhs`, where a null operand is true.
  Value both(OpBuilder &b, Value lhs, Value rhs);
  Value cmp(OpBuilder &b, arith::CmpIPredicate pred, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, pred, lhs, rhs);
  }
  /// `v < bound`, or null (true) when every v is below a static bound,
  /// which `whole` says.
  Value below(OpBuilder &b, Value v, int64_t bound, bool whole);

  Location loc;
  Tiles t;
  bool emulate;
  Type elementType;

private:
  /// The thread's accumulators after the staged step.
  SmallVector<Value> multiply(OpBuilder &b, const BlockState &blk, Value thread,
                              ValueRange acc);
  /// An emulated thread's accumulators, kept in the block's buffer.
  SmallVector<Value> loadAcc(OpBuilder &b, const BlockState &blk, Value thread);
  void storeAcc(OpBuilder &b, const BlockState &blk, Value thread,
                ValueRange acc);
};

} // namespace mlir::hector::hetop::templates

#endif // HECTOR_LIB_CONVERSION_HETOPTOSCF_TILEDKERNEL_H
