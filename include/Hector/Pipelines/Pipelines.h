//===- Pipelines.h - Hector's named pass pipelines ----------------*- C++ -*-===//

#ifndef HECTOR_PIPELINES_PIPELINES_H
#define HECTOR_PIPELINES_PIPELINES_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::hector {

/// Schema check, canonicalization and CSE of rgnn IR.
void buildSimplifyPipeline(OpPassManager &pm);

/// rgnn -> hetop -> parallel loops -> LLVM dialect, for the CPU (OpenMP).
void buildLowerToCPUPipeline(OpPassManager &pm);

/// Registers `hector-simplify` and `hector-lower-to-cpu`.
void registerHectorPipelines();

} // namespace mlir::hector

#endif // HECTOR_PIPELINES_PIPELINES_H
