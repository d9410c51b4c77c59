//===- InitHector.h - register Hector's dialects and passes ------*- C++ -*-===//
//
// The entry points an outside tool calls to use Hector's dialects and passes.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_INITHECTOR_H
#define HECTOR_INITHECTOR_H

#include "Hector/Dialect/HetOp/IR/HetOp.h"
#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/Conversion/Passes.h"
#include "Hector/Pipelines/Pipelines.h"
#include "Hector/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

namespace mlir::hector {

/// Hector's dialects, plus what its pipelines need (registerPipelineDependencies).
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<rgnn::RGNNDialect, hetop::HetOpDialect>();
  registerPipelineDependencies(registry);
}

inline void registerAllPasses() {
  registerHectorPasses();
  registerHectorConversionPasses();
  registerHectorPipelines();
}

} // namespace mlir::hector

#endif // HECTOR_INITHECTOR_H
