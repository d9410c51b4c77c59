//===- hector-opt.cpp - Hector's pass driver -------------------------------===//
//
// mlir-opt with Hector's dialects, passes and pipelines, plus the upstream
// dialects, extensions and passes that the pipelines produce and use.
//
//===----------------------------------------------------------------------===//

#include "Hector/InitHector.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  // Hector's dialects and every upstream dialect, extension and LLVM IR
  // translation its pipelines produce or use.
  mlir::hector::registerAllDialects(registry);
  mlir::registerTransformsPasses();
  mlir::hector::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Hector optimizer driver\n", registry));
}
