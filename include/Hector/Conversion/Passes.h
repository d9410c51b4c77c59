//===- Passes.h - Hector conversion passes ------------------------*- C++ -*-===//

#ifndef HECTOR_CONVERSION_PASSES_H
#define HECTOR_CONVERSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith {
class ArithDialect;
} // namespace arith
namespace func {
class FuncDialect;
} // namespace func
namespace gpu {
class GPUDialect;
} // namespace gpu
namespace LLVM {
class LLVMDialect;
} // namespace LLVM
namespace math {
class MathDialect;
} // namespace math
namespace memref {
class MemRefDialect;
} // namespace memref
namespace scf {
class SCFDialect;
} // namespace scf
namespace vector {
class VectorDialect;
} // namespace vector
namespace hector::hetop {
class HetOpDialect;
} // namespace hector::hetop
} // namespace mlir

namespace mlir::hector {

/// The block size a parallel loop asks hector-tile-parallel-loops for
/// (an i64 attribute).
constexpr llvm::StringLiteral kBlockThreadsAttrName = "hetop.block_threads";

#define GEN_PASS_DECL
#include "Hector/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Hector/Conversion/Passes.h.inc"

} // namespace mlir::hector

#endif // HECTOR_CONVERSION_PASSES_H
