//===- Pipelines.cpp - Hector's named pass pipelines ----------------------===//

#include "Hector/Pipelines/Pipelines.h"

#include "Hector/Conversion/Passes.h"
#include "Hector/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"

#include <cstdlib>
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::hector::registerPipelineDependencies(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}

void mlir::hector::buildSimplifyPipeline(OpPassManager &pm) {
  pm.addPass(createRGNNVerifySchema());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::hector::buildRGNNOptimizationPipeline(
    OpPassManager &pm, bool reorder, bool compact, bool reassociate,
    bool pruneVariants, StringRef target, bool fuseEdgeSoftmax) {
  if (reassociate) {
    RGNNReassociateOptions options;
    options.target = target.str();
    options.compact = compact;
    options.reorder = reorder;
    options.prune = pruneVariants;
    options.fuseEdgeSoftmax = fuseEdgeSoftmax;
    pm.addPass(createRGNNReassociate(options));
    pm.addPass(createCanonicalizerPass());
    return;
  }
  // Reordering first: it decides which per-edge values remain, and
  // compaction then moves those that depend on one endpoint to pairs.
  if (reorder) {
    pm.addNestedPass<func::FuncOp>(createRGNNReorderLinear());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (compact) {
    pm.addNestedPass<func::FuncOp>(createRGNNCompactMaterialization());
    pm.addPass(createCanonicalizerPass());
  }
}

/// rgnn-autodiff and the clean-up after it. The gradients are rgnn
/// functions: the optimizations that follow apply to them.
template <typename Options>
static void addAutodiff(OpPassManager &pm, const Options &options) {
  hector::RGNNAutodiffOptions autodiff;
  autodiff.gradients = options.gradients;
  autodiff.wrt.assign(options.wrt.begin(), options.wrt.end());
  autodiff.forwardValues = options.forwardValues;
  pm.addPass(hector::createRGNNAutodiff(autodiff));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::hector::buildLowerToCPUPipeline(OpPassManager &pm,
                                           const LowerToCPUOptions &options) {
  buildSimplifyPipeline(pm);
  if (options.autodiff)
    addAutodiff(pm, options);
  buildRGNNOptimizationPipeline(pm, options.reorder, options.compact,
                                options.reassociate, options.pruneVariants,
                                "cpu", options.fuseEdgeSoftmax);
  ConvertRGNNToHetOpOptions lowering;
  lowering.fuseEdgeSoftmax = options.fuseEdgeSoftmax;
  lowering.traversal = options.traversal;
  lowering.traversalSchedule = options.traversalSchedule;
  pm.addPass(createConvertRGNNToHetOp(lowering));
  ConvertHetOpToSCFOptions templates;
  templates.gemmTemplate = options.gemmTemplate;
  templates.vectorWidth = options.vectorWidth;
  templates.traversalLanes = options.lanes;
  pm.addPass(createConvertHetOpToSCF(templates));
  // The GPU's loop forms, to test them on the CPU.
  if (options.lanes == "on")
    pm.addPass(createParallelLanes());
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
  pm.addPass(hector::createAtomicMaxToInteger());
  LLVMTargetOptions target;
  target.sanitizeAddress = options.sanitizeAddress;
  pm.addPass(createLLVMTarget(target));
}

/// The toolkit whose libdevice kernels link (exp, erf, tanh call it).
static std::string cudaToolkit(const hector::LowerToPTXOptions &options) {
  if (!options.cudaPath.empty())
    return options.cudaPath;
  for (const char *var : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(var); value && *value)
      return value;
  return "/usr/local/cuda";
}

/// gpu.launch kernels and their host code -> NVVM kernels serialized to
/// PTX in gpu.binary, and host code calling the mgpu* runtime API. The
/// steps of MLIR's gpu-lower-to-nvvm-pipeline, with libdevice linked.
static void buildKernelsToNVVMPipeline(OpPassManager &pm,
                                       const hector::LowerToPTXOptions &options) {
  pm.addPass(createConvertNVGPUToNVVMPass());
  // After nvgpu-to-nvvm, whose structural conversion rejects an scf.if
  // yielding a token.
  pm.addPass(hector::createGPUOneStream());
  // Canonicalization hoisted the kernels' constants to the host function:
  // sinking them back keeps them constants in the kernel, not parameters.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  // PTX 8.0 covers sm_80 through sm_90a.
  target.features = "+ptx80";
  target.linkLibs.push_back(cudaToolkit(options) +
                            "/nvvm/libdevice/libdevice.10.bc");
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  pm.addNestedPass<gpu::GPUModuleOp>(hector::createAtomicMaxToInteger());

  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  // PTX in the module; the driver compiles it for the device at load.
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::hector::buildLowerToPTXPipeline(OpPassManager &pm,
                                           const LowerToPTXOptions &options) {
  buildSimplifyPipeline(pm);
  if (options.autodiff)
    addAutodiff(pm, options);
  buildRGNNOptimizationPipeline(pm, options.reorder, options.compact,
                                options.reassociate, options.pruneVariants,
                                options.chip, options.fuseEdgeSoftmax);
  ConvertRGNNToHetOpOptions lowering;
  lowering.target = "cuda";
  lowering.chip = options.chip;
  lowering.fuseEdgeSoftmax = options.fuseEdgeSoftmax;
  lowering.traversal = options.traversal;
  lowering.traversalSchedule = options.traversalSchedule;
  pm.addPass(createConvertRGNNToHetOp(lowering));
  ConvertHetOpToSCFOptions templates;
  templates.target = "gpu";
  templates.gemmTemplate = options.gemmTemplate;
  templates.traversalLanes = options.lanes;
  pm.addPass(createConvertHetOpToSCF(templates));
  if (options.lanes != "off")
    pm.addPass(createParallelLanes());
  // Every parallel loop becomes a kernel before anything canonicalizes:
  // canonicalization would inline one-iteration loops (table fills) into
  // the host function, which must not touch device buffers. Loops are 1-D
  // (a grid's y holds only 65535 blocks) and get 64 threads a block unless
  // a traversal's schedule chose its own (tiled GEMMs are kernels already).
  pm.addNestedPass<func::FuncOp>(createTileParallelLoops());
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createGuardEmptyLaunches());
  pm.addPass(createHostBuffersToGPU());
  buildKernelsToNVVMPipeline(pm, options);
  pm.addPass(createLLVMTarget());
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
  PassPipelineRegistration<LowerToPTXOptions>(
      "hector-lower-to-ptx",
      "Lowers rgnn functions for NVIDIA GPUs: rgnn -> hetop templates -> "
      "parallel loops -> gpu kernels -> NVVM -> PTX (embedded, compiled by "
      "the driver at load), with host code calling the mgpu* runtime API "
      "and the ABI of docs/abi.md",
      [](OpPassManager &pm, const LowerToPTXOptions &options) {
        buildLowerToPTXPipeline(pm, options);
      });
}
