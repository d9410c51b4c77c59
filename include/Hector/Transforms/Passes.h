//===- Passes.h - Hector rgnn-level passes ------------------------*- C++ -*-===//

#ifndef HECTOR_TRANSFORMS_PASSES_H
#define HECTOR_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::hector {

#define GEN_PASS_DECL
#include "Hector/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Hector/Transforms/Passes.h.inc"

} // namespace mlir::hector

#endif // HECTOR_TRANSFORMS_PASSES_H
