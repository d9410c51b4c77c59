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

/// The shared-memory tiled typed GEMM (TiledGemm.cpp). On the GPU it is one
/// `gpu.launch`; with `emulate`, the same kernel for the CPU: blocks are a
/// parallel loop and each block's threads run one after another between
/// barriers, so that the template's indexing is tested without a GPU.
LogicalResult lowerTiledGemm(TypedGemmOp op, bool emulate);

} // namespace mlir::hector::hetop::templates

#endif // HECTOR_LIB_CONVERSION_HETOPTOSCF_TEMPLATES_H
