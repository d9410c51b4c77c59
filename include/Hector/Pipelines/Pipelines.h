//===- Pipelines.h - Hector's named pass pipelines ----------------*- C++ -*-===//

#ifndef HECTOR_PIPELINES_PIPELINES_H
#define HECTOR_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace mlir::hector {

/// Both pipelines' `traversal` option (convert-rgnn-to-hetop's).
inline constexpr const char *kTraversalHelp =
    "How aggregations walk the graph: node (a row's entries in order, no "
    "atomics; the CPU's default) or edge (each entry alone, atomic adds; "
    "the GPU's default, 2.3-8.1x faster there: "
    "bench/results/gpu_traversal.md)";

/// Both pipelines' `lanes` option (convert-hetop-to-scf's traversal-lanes,
/// and hector-parallel-lanes).
inline constexpr const char *kLanesHelp =
    "Lanes over the feature loops of traversals and parallel loops: on (a "
    "parallel iteration per row, entry or element, so that a warp's loads "
    "are coalesced; the GPU's default), off (one per row or entry; the "
    "CPU's default) or default. On the CPU, on runs the GPU's loop forms";

/// Both pipelines' `traversal-schedule` option (convert-rgnn-to-hetop's).
inline constexpr const char *kTraversalScheduleHelp =
    "THREADS,LANES: every traversal's #hetop.traversal_schedule, threads "
    "per block (GPU) and at most LANES lanes per row or entry, each lane "
    "then running every LANES-th iteration of the feature loops (with "
    "lanes on); empty (the default): one lane per iteration, 64 threads";

/// Both pipelines' `autodiff` and `gradients` options (rgnn-autodiff's).
inline constexpr const char *kAutodiffHelp =
    "Run rgnn-autodiff first: add the backward functions of every function "
    "f (see gradients=)";
inline constexpr const char *kGradientsHelp =
    "With autodiff: the backward functions to add, combined (f__backward: "
    "every gradient in one call), per-argument (f__grad<i>) or both";
inline constexpr const char *kWrtHelp =
    "With autodiff: the float arguments to differentiate, by index "
    "(default: all of them)";
inline constexpr const char *kForwardValuesHelp =
    "With autodiff: recomputed (backward functions recompute the forward "
    "values they read) or saved (f__forward also returns them and the "
    "backward functions take them)";

struct LowerToCPUOptions : public PassPipelineOptions<LowerToCPUOptions> {
  PassOptions::Option<bool> compact{
      *this, "compact",
      llvm::cl::desc("Run rgnn-compact-materialization: compute values that "
                     "depend on (node, relation) once per unique pair"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> reorder{
      *this, "reorder",
      llvm::cl::desc("Run rgnn-reorder-linear: fold attention vectors and "
                     "consecutive linear operators into weight products"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> reassociate{
      *this, "reassociate",
      llvm::cl::desc("Run rgnn-reassociate: keep the input-sensitive "
                     "re-associations as variants the runtime picks from"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> pruneVariants{
      *this, "prune-variants",
      llvm::cl::desc("Let rgnn-reassociate drop variants that can never be "
                     "faster"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> autodiff{
      *this, "autodiff", llvm::cl::desc(kAutodiffHelp), llvm::cl::init(false)};
  PassOptions::Option<std::string> gradients{*this, "gradients",
                                             llvm::cl::desc(kGradientsHelp),
                                             llvm::cl::init("combined")};
  PassOptions::ListOption<unsigned> wrt{*this, "wrt", llvm::cl::desc(kWrtHelp)};
  PassOptions::Option<std::string> forwardValues{
      *this, "forward-values", llvm::cl::desc(kForwardValuesHelp),
      llvm::cl::init("recomputed")};
  PassOptions::Option<bool> fuseEdgeSoftmax{
      *this, "fuse-edge-softmax",
      llvm::cl::desc("Compute an edge softmax's weights inside the "
                     "aggregations it feeds (convert-rgnn-to-hetop); off "
                     "by default on the CPU, where it measured slower "
                     "(bench/results/edge_softmax_fusion.md)"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> gemmTemplate{
      *this, "gemm-template",
      llvm::cl::desc("Typed GEMM template: blocked (the CPU kernel), or, to "
                     "test the GPU's templates without a GPU, tiled (the "
                     "shared-memory kernel, threads emulated) or "
                     "elementwise"),
      llvm::cl::init("blocked")};
  PassOptions::Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("Floats per vector in the CPU GEMM kernels (a power "
                     "of two); 16 measured faster than 8 for AVX2 code "
                     "too (bench/results/vector_width.md)"),
      llvm::cl::init(16)};
  PassOptions::Option<std::string> traversal{*this, "traversal",
                                             llvm::cl::desc(kTraversalHelp),
                                             llvm::cl::init("node")};
  PassOptions::Option<std::string> lanes{
      *this, "lanes", llvm::cl::desc(kLanesHelp), llvm::cl::init("default")};
  PassOptions::Option<std::string> traversalSchedule{
      *this, "traversal-schedule", llvm::cl::desc(kTraversalScheduleHelp),
      llvm::cl::init("")};
  PassOptions::Option<bool> sanitizeAddress{
      *this, "sanitize-address",
      llvm::cl::desc("Mark the code for AddressSanitizer instrumentation"),
      llvm::cl::init(false)};
};

/// Schema check, canonicalization and CSE of rgnn IR.
void buildSimplifyPipeline(OpPassManager &pm);

/// The rgnn-level optimizations both lowering pipelines run: with
/// `reassociate`, rgnn-reassociate (whose variants are reordered and
/// compacted as `reorder` and `compact` say, with its cost parameters for
/// `target`, charging edge softmaxes as the lowering's `fuseEdgeSoftmax`
/// emits them); otherwise linear-operator reordering, then compact
/// materialization.
void buildRGNNOptimizationPipeline(OpPassManager &pm, bool reorder,
                                   bool compact, bool reassociate,
                                   bool pruneVariants, StringRef target,
                                   bool fuseEdgeSoftmax);

/// rgnn -> hetop -> parallel loops -> LLVM dialect, for the CPU (OpenMP).
void buildLowerToCPUPipeline(OpPassManager &pm,
                             const LowerToCPUOptions &options = {});

struct LowerToPTXOptions : public PassPipelineOptions<LowerToPTXOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture (sm_80, sm_90, sm_90a)"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<bool> compact{
      *this, "compact",
      llvm::cl::desc("Run rgnn-compact-materialization"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> reorder{
      *this, "reorder", llvm::cl::desc("Run rgnn-reorder-linear"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> reassociate{
      *this, "reassociate", llvm::cl::desc("Run rgnn-reassociate"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> pruneVariants{
      *this, "prune-variants",
      llvm::cl::desc("Let rgnn-reassociate drop variants that can never be "
                     "faster"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuseEdgeSoftmax{
      *this, "fuse-edge-softmax",
      llvm::cl::desc("Compute an edge softmax inside the weighted "
                     "aggregation it feeds (convert-rgnn-to-hetop)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> autodiff{
      *this, "autodiff", llvm::cl::desc(kAutodiffHelp), llvm::cl::init(false)};
  PassOptions::Option<std::string> gradients{*this, "gradients",
                                             llvm::cl::desc(kGradientsHelp),
                                             llvm::cl::init("combined")};
  PassOptions::ListOption<unsigned> wrt{*this, "wrt", llvm::cl::desc(kWrtHelp)};
  PassOptions::Option<std::string> forwardValues{
      *this, "forward-values", llvm::cl::desc(kForwardValuesHelp),
      llvm::cl::init("recomputed")};
  PassOptions::Option<std::string> gemmTemplate{
      *this, "gemm-template",
      llvm::cl::desc("Typed GEMM kernel: tiled (shared-memory tiles) or "
                     "elementwise (a thread per element of C)"),
      llvm::cl::init("tiled")};
  PassOptions::Option<std::string> traversal{*this, "traversal",
                                             llvm::cl::desc(kTraversalHelp),
                                             llvm::cl::init("edge")};
  PassOptions::Option<std::string> lanes{
      *this, "lanes", llvm::cl::desc(kLanesHelp), llvm::cl::init("default")};
  PassOptions::Option<std::string> traversalSchedule{
      *this, "traversal-schedule", llvm::cl::desc(kTraversalScheduleHelp),
      llvm::cl::init("")};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit whose libdevice is linked into kernels "
                     "(default: $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, else "
                     "/usr/local/cuda)"),
      llvm::cl::init("")};
};

/// rgnn -> hetop -> parallel loops -> gpu kernels -> NVVM -> PTX embedded in
/// the module, and host code calling the mgpu* runtime API.
void buildLowerToPTXPipeline(OpPassManager &pm,
                             const LowerToPTXOptions &options = {});

/// Registers what the pipelines need in a context: the upstream dialects
/// they produce, the conversion interfaces that convert-gpu-to-nvvm and the
/// LLVM conversions collect patterns from, the NVVM target and the LLVM IR
/// translations that gpu-module-to-binary uses.
void registerPipelineDependencies(DialectRegistry &registry);

/// Registers `hector-simplify`, `hector-lower-to-cpu` and
/// `hector-lower-to-ptx`.
void registerHectorPipelines();

} // namespace mlir::hector

#endif // HECTOR_PIPELINES_PIPELINES_H
