//===- Pipelines.cpp - Hector's named pass pipelines ----------------------===//

#include "Hector/Pipelines/Pipelines.h"

#include "Hector/Conversion/Passes.h"
#include "Hector/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::hector::buildSimplifyPipeline(OpPassManager &pm) {
  pm.addPass(createRGNNVerifySchema());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::hector::buildLowerToCPUPipeline(OpPassManager &pm,
                                           const LowerToCPUOptions &options) {
  buildSimplifyPipeline(pm);
  if (options.compact) {
    pm.addNestedPass<func::FuncOp>(createRGNNCompactMaterialization());
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(createConvertRGNNToHetOp());
  pm.addPass(createConvertHetOpToSCF());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  // Outermost scf.parallel loops become OpenMP work-sharing loops.
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createConvertVectorToLLVMPass());
  // exp goes to an LLVM intrinsic; erf and tanh to libm.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  // Temporaries go through _mlir_memref_to_llvm_alloc/free, which the
  // model support library (lib/Runtime/ModelSupport.c) implements.
  FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
  memrefOptions.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  LLVMTargetOptions target;
  target.sanitizeAddress = options.sanitizeAddress;
  pm.addPass(createLLVMTarget(target));
}

void mlir::hector::registerHectorPipelines() {
  PassPipelineRegistration<>(
      "hector-simplify",
      "Checks rgnn IR and simplifies it: schema check, canonicalization "
      "(folds and endpoint reads into typed linears) and CSE",
      buildSimplifyPipeline);
  PassPipelineRegistration<LowerToCPUOptions>(
      "hector-lower-to-cpu",
      "Lowers rgnn functions to LLVM dialect for the CPU: rgnn -> hetop "
      "templates -> parallel loops (OpenMP) -> LLVM, with the ABI of "
      "docs/abi.md",
      [](OpPassManager &pm, const LowerToCPUOptions &options) {
        buildLowerToCPUPipeline(pm, options);
      });
}
