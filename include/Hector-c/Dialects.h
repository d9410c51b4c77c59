//===- Dialects.h - C API for Hector's dialects -------------------*- C -*-===//
//
// Registration handles for the rgnn and hetop dialects, for C users and for
// bindings. Use them with mlirDialectHandleRegisterDialect or
// mlirDialectHandleInsertDialect from mlir-c/IR.h.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_C_DIALECTS_H
#define HECTOR_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(RGNN, rgnn);
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(HetOp, hetop);

/// Inserts every Hector dialect (rgnn, hetop) into `registry`.
MLIR_CAPI_EXPORTED void hectorRegisterAllDialects(MlirDialectRegistry registry);

#ifdef __cplusplus
}
#endif

#endif // HECTOR_C_DIALECTS_H
