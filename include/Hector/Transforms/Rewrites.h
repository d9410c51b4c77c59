//===- Rewrites.h - rgnn rewrites as functions ---------------------*- C++ -*-===//
//
// The rewrites behind the rgnn-level passes, callable on one function so
// that rgnn-reassociate can compose them into variants.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_TRANSFORMS_REWRITES_H
#define HECTOR_TRANSFORMS_REWRITES_H

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace mlir::hector {

/// rgnn-reorder-linear on `func`.
void reorderLinear(func::FuncOp func);

/// rgnn-compact-materialization on `func`.
void compactMaterialize(func::FuncOp func);

/// Moves the per-relation message transform after the aggregation, where
/// that is legal: `sum_j alpha_e (x_j W_r)` becomes
/// `(sum_j alpha_e x_j) W_r`, aggregated per (dst, relation) pair, then
/// transformed once per pair. Returns the number of aggregations rewritten.
unsigned aggregateFirst(func::FuncOp func);

/// Like aggregateFirst, but keeps both associations, each restricted to the
/// relations that choose it (`choice 0`: transform first, `choice 1`:
/// aggregate first) and adds them; the runtime fills the per-relation choice
/// table from the cost model when it binds a graph.
unsigned splitByRelation(func::FuncOp func);

} // namespace mlir::hector

#endif // HECTOR_TRANSFORMS_REWRITES_H
