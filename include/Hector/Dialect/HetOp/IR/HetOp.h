//===- HetOp.h - hetop dialect ------------------------------------*- C++ -*-===//

#ifndef HECTOR_DIALECT_HETOP_IR_HETOP_H
#define HECTOR_DIALECT_HETOP_IR_HETOP_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "Hector/Dialect/HetOp/IR/HetOpDialect.h.inc"
#include "Hector/Dialect/HetOp/IR/HetOpEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Hector/Dialect/HetOp/IR/HetOpAttrs.h.inc"

#define GET_OP_CLASSES
#include "Hector/Dialect/HetOp/IR/HetOpOps.h.inc"

#endif // HECTOR_DIALECT_HETOP_IR_HETOP_H
