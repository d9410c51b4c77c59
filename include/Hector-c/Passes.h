//===- Passes.h - C API for Hector's passes -----------------------*- C -*-===//
//
// Registers Hector's passes and named pipelines (e.g. `hector-simplify`) in
// MLIR's global pass registry, so that mlirParsePassPipeline and
// mlirOpPassManagerAddPipeline from mlir-c/Pass.h can name them.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_C_PASSES_H
#define HECTOR_C_PASSES_H

#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers all Hector passes and pipelines. Safe to call more than once.
MLIR_CAPI_EXPORTED void hectorRegisterAllPasses(void);

#ifdef __cplusplus
}
#endif

#endif // HECTOR_C_PASSES_H
