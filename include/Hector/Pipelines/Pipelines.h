//===- Pipelines.h - Hector's named pass pipelines ----------------*- C++ -*-===//

#ifndef HECTOR_PIPELINES_PIPELINES_H
#define HECTOR_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::hector {

struct LowerToCPUOptions : public PassPipelineOptions<LowerToCPUOptions> {
  PassOptions::Option<bool> compact{
      *this, "compact",
      llvm::cl::desc("Run rgnn-compact-materialization: compute values that "
                     "depend on (node, relation) once per unique pair"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> sanitizeAddress{
      *this, "sanitize-address",
      llvm::cl::desc("Mark the code for AddressSanitizer instrumentation"),
      llvm::cl::init(false)};
};

/// Schema check, canonicalization and CSE of rgnn IR.
void buildSimplifyPipeline(OpPassManager &pm);

/// rgnn -> hetop -> parallel loops -> LLVM dialect, for the CPU (OpenMP).
void buildLowerToCPUPipeline(OpPassManager &pm,
                             const LowerToCPUOptions &options = {});

/// Registers `hector-simplify` and `hector-lower-to-cpu`.
void registerHectorPipelines();

} // namespace mlir::hector

#endif // HECTOR_PIPELINES_PIPELINES_H
