//===- CostModel.h - static cost of an rgnn function ---------------*- C++ -*-===//
//
// The light cost model of rgnn-reassociate and of the runtime's variant
// choice. The work of an rgnn function is linear in a handful of graph
// counts (edges, nodes, unique (src, relation) and (dst, relation) pairs,
// relations, node types), with coefficients fixed by the feature sizes in
// its types. estimateCost() derives those coefficients from the IR, mirroring
// what the lowering materializes and fuses; a target's calibrated
// parameters (CostParams.def) turn them into seconds.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_ANALYSIS_COSTMODEL_H
#define HECTOR_ANALYSIS_COSTMODEL_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <string>
#include <cstdint>
#include <vector>

namespace mlir {
class Value;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace mlir::hector {

/// The graph counts a cost is linear in; `One` is the constant term.
enum class GraphCount { E, N, Psrc, Pdst, R, T, One };
constexpr int kNumGraphCounts = 7;
/// Their names in cost records ("E", "N", "Psrc", ...).
StringRef graphCountName(GraphCount c);

/// sum_c coef[c] * count(c).
struct CostForm {
  std::array<double, kNumGraphCounts> coef{};
  void add(GraphCount c, double v) { coef[static_cast<int>(c)] += v; }
  double at(GraphCount c) const { return coef[static_cast<int>(c)]; }
  /// "E:128,Psrc:8192" (zero terms left out; "0" when all are zero).
  std::string str() const;
};

/// The work of one function, per quantity.
struct CostEstimate;

/// Bytes read through an index from one table. Whether such reads hit the
/// cache depends on the table's footprint, which is not linear in the
/// counts: a target's `cache` parameter turns it into the fraction of
/// `bytes` that miss, max(0, 1 - cache / footprint).
struct GatherCost {
  CostForm bytes;
  /// The footprint of the table, in the graph's total counts.
  CostForm table;
  /// "E:64@Psrc:64".
  std::string str() const;
};

/// The work of the ops restricted to `choice k` (rgnn.typed_linear and
/// rgnn.aggregate), as forms in the counts of one relation: E, Psrc and Pdst
/// are that relation's, and R stands for 1. A relation that chooses `k`
/// costs this; the runtime picks, per relation, the cheapest choice.
struct ChoiceCost {
  CostForm gemmFlops, otherFlops, bytes, gatheredBytes;
  /// gatheredBytes by table (bytes in the relation's counts).
  std::vector<GatherCost> gathers;
};

struct CostEstimate {
  CostForm gemmFlops;  ///< multiply-adds x 2 in typed-GEMM templates
  CostForm otherFlops; ///< arithmetic in traversals and elementwise loops
  CostForm bytes;      ///< bytes read and written by all kernels, except:
  /// bytes read through an index (a gather view of a per-node, per-edge or
  /// per-pair value), which hit the cache or not depending on the table;
  CostForm gatheredBytes;
  /// the same by table.
  std::vector<GatherCost> gathers;
  CostForm memory;     ///< bytes of intermediate values materialized
  int64_t kernels = 0; ///< GEMMs, traversals and element loops launched
  /// Per choice of a per-relation split (empty without one); the forms
  /// above then hold the work every relation does whatever it chooses.
  std::vector<ChoiceCost> choices;

  /// The `cost` record of hector_model_info(), followed by one
  /// `cost-choice` record per choice (docs/abi.md).
  std::string record() const;
};

/// Per-target parameters: seconds per GEMM flop, per other flop, per byte
/// (gathered or not), per gathered byte that misses the cache (in addition),
/// per byte of intermediate values materialized (allocation, first writes,
/// and the cache they evict), and per kernel; and the cache's effective size
/// in bytes (CostParams.def).
struct CostParams {
  const char *target;
  double gemmFlop, otherFlop, byte, gatheredByte, intermediateByte, kernel,
      cache;
  const char *provenance;
};
/// The parameters of `target` ("cpu", "sm_80", "sm_90", ...); the CPU's
/// when the target has none of its own.
const CostParams &costParamsFor(StringRef target);

/// Whether `value` is a concatenation along the last dimension that only the
/// lhs of one inner product reads: convert-rgnn-to-hetop never builds it
/// (the inner product reads the pieces), and the cost model charges nothing.
bool isFusedConcat(Value value);

/// Whether `weights` is an edge softmax that convert-rgnn-to-hetop, with
/// fuse-edge-softmax (the GPU pipeline's default), computes inside each
/// aggregation it weighs: every use is the scalar of a `scale`, or the left
/// side of an `outer_product`, used once, by a sum onto the destinations
/// (nodes, or their (dst, relation) pairs). Its weights are never stored.
bool isFusedEdgeSoftmax(Value weights);

/// Derives the cost of `func` (one block of rgnn ops), as lowered with or
/// without convert-rgnn-to-hetop's `fuse-edge-softmax`, and with its
/// `traversal=edge` (`edgeParallel`) or `node`.
CostEstimate estimateCost(func::FuncOp func, bool fuseEdgeSoftmax = false,
                          bool edgeParallel = false);

/// Whether `a` is never faster than `b` under `params`, whatever the graph:
/// the difference of their time forms is nonnegative for every graph with
/// Psrc <= E and Pdst <= E, even with every byte `b` gathers beyond `a`
/// missing the cache and none of `a`'s (so for every cache size). With
/// per-relation choices, only estimates with the same number of choices
/// compare (common work and each choice's work alike); otherwise the
/// answer is false.
bool neverFaster(const CostEstimate &a, const CostEstimate &b,
                 const CostParams &params);

/// Whether choice `a` is never faster than choice `b` for any relation
/// (with that relation's Psrc, Pdst <= E). A split whose choices compare so
/// always makes the same choice, and the unsplit variant does that with
/// fewer kernels.
bool neverFaster(const ChoiceCost &a, const ChoiceCost &b,
                 const CostParams &params);

} // namespace mlir::hector

#endif // HECTOR_ANALYSIS_COSTMODEL_H
