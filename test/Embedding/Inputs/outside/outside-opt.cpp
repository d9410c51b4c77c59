//===- outside-opt.cpp - an mlir-opt with Hector's dialects ---------------===//

#include "Hector/InitHector.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::hector::registerAllDialects(registry);
  registry.insert<mlir::func::FuncDialect>();
  mlir::hector::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "outside-opt\n", registry));
}
