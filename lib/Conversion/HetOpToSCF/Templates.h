//===- Templates.h - helpers shared by the hetop templates ------*- C++ -*-===//
//
// Internal to convert-hetop-to-scf: the index helpers its templates share,
// and the templates that live in their own files.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_LIB_CONVERSION_HETOPTOSCF_TEMPLATES_H
#define HECTOR_LIB_CONVERSION_HETOPTOSCF_TEMPLATES_H

#include "Hector/Dialect/HetOp/IR/HetOp.h"

#include "mlir/IR/Builders.h"

namespace mlir::hector::hetop::templates {

Value constIndex(OpBuilder &b, Location loc, int64_t v);

/// Vector accumulators a register-blocked CPU kernel keeps live (AVX-512
/// has 32 registers; the B chunks and the A broadcast take a few more).
constexpr int64_t kMaxAccumulators = 16;
/// The widest power-of-two vector, at most `maxWidth`, that divides `n`.
int64_t widestVectorWidth(int64_t n, int64_t maxWidth);

/// Loads an index-list or offset element as an `index`.
Value loadIndex(OpBuilder &b, Location loc, Value list, Value position);

/// Largest s in [0, count) with offsets[s] <= position, for a
/// non-decreasing `offsets` whose last entry (at `count`) exceeds position.
Value upperSegment(OpBuilder &b, Location loc, Value offsets, Value count,
                   Value position);

/// The number of rows of a typed GEMM, `offsets[S]`, from the buffer sizes
/// rather than the offsets: host code must not read arrays that may live on
/// a device. Rows read A through the gather list, or are the rows of C.
Value gemmRowCount(OpBuilder &b, TypedGemmOp op);

/// The number of segments of a typed GEMM: its offsets have one more entry.
Value gemmSegmentCount(OpBuilder &b, TypedGemmOp op);

/// Fails, with an error on `op`, unless K, N and the head count are static.
LogicalResult checkStaticGemm(TypedGemmOp op);

/// Whether segment `s` is computed: `mask[s] == value` under a `select`,
/// null (always) without one.
Value segmentSelected(OpBuilder &b, Location loc, TypedGemmOp op, Value s);

/// The index of (row[, head][, col]) in a row-major A, C or epilogue buffer;
/// `h` and `col` are left out when null.
SmallVector<Value> headIndex(Value row, Value h, Value col);

/// `compute()` where `cond` holds (always, for a null `cond`), else a zero
/// of `type`.
Value valueOrZero(OpBuilder &b, Location loc, Value cond, Type type,
                  function_ref<Value(OpBuilder &, Location)> compute);

/// Writes the scalar `v` to `c[idx]` as `mode` says: store, add, atomic add.
void writeElement(OpBuilder &b, Location loc, CMode mode, Value v, Value c,
                  ValueRange idx);

/// The shared-memory tiled typed GEMM (TiledGemm.cpp). On the GPU it is one
/// `gpu.launch`; with `emulate`, the same kernel for the CPU: blocks are a
/// parallel loop and each block's threads run one after another between
/// barriers, so that the template's indexing is tested without a GPU.
LogicalResult lowerTiledGemm(TypedGemmOp op, bool emulate);

/// The forms of the weight-gradient outer GEMM.
enum class OuterGemmForm {
  /// The shared-memory tiled kernel: one `gpu.launch`, or emulated like
  /// the typed GEMM's.
  Tiled,
  /// The CPU's register-blocked tasks (vectors of up to `vectorWidth`).
  Blocked,
  /// The simple form: a parallel loop per (segment, head, K row).
  Loops,
};
/// The weight-gradient outer GEMM (TiledOuterGemm.cpp) in `form`.
LogicalResult lowerOuterGemm(OuterGemmOp op, OuterGemmForm form, bool emulate,
                             int64_t vectorWidth);

} // namespace mlir::hector::hetop::templates

#endif // HECTOR_LIB_CONVERSION_HETOPTOSCF_TEMPLATES_H
