//===- Dialects.cpp - C API for Hector's dialects -------------------------===//

#include "Hector-c/Dialects.h"

#include "Hector/Dialect/HetOp/IR/HetOp.h"
#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/InitHector.h"

#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(RGNN, rgnn,
                                      mlir::hector::rgnn::RGNNDialect)
MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(HetOp, hetop,
                                      mlir::hector::hetop::HetOpDialect)

void hectorRegisterAllDialects(MlirDialectRegistry registry) {
  mlir::hector::registerAllDialects(*unwrap(registry));
}
