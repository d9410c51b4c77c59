//===- Pipelines.cpp - Hector's named pass pipelines ----------------------===//

#include "Hector/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::hector::registerHectorPipelines() {
  PassPipelineRegistration<>(
      "hector-simplify",
      "Checks rgnn IR and simplifies it: schema check, canonicalization "
      "(folds and endpoint reads into typed linears) and CSE",
      [](OpPassManager &pm) {
        pm.addPass(createRGNNVerifySchema());
        pm.addPass(createCanonicalizerPass());
        pm.addPass(createCSEPass());
      });
}
