//===- RGNN.h - rgnn dialect --------------------------------------*- C++ -*-===//
//
// The rgnn dialect: its enums, types and ops.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_DIALECT_RGNN_IR_RGNN_H
#define HECTOR_DIALECT_RGNN_IR_RGNN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Hector/Dialect/RGNN/IR/RGNNDialect.h.inc"
#include "Hector/Dialect/RGNN/IR/RGNNEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "Hector/Dialect/RGNN/IR/RGNNTypes.h.inc"

#define GET_OP_CLASSES
#include "Hector/Dialect/RGNN/IR/RGNNOps.h.inc"

namespace mlir::hector::rgnn {
/// A per-element shape as MLIR writes it ("4x16"), or "scalar"; for
/// diagnostics and the model metadata.
std::string formatShape(ArrayRef<int64_t> shape);
} // namespace mlir::hector::rgnn

#endif // HECTOR_DIALECT_RGNN_IR_RGNN_H
