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
struct CostEstimate {
  CostForm gemmFlops;  ///< multiply-adds x 2 in typed-GEMM templates
  CostForm otherFlops; ///< arithmetic in traversals and elementwise loops
  CostForm bytes;      ///< bytes read and written by all kernels, except:
  /// bytes read through an index from a per-edge or per-pair value, whose
  /// footprint (unlike a per-node value's) rarely stays in cache.
  CostForm gatheredBytes;
  CostForm memory;     ///< bytes of intermediate values materialized
  int64_t kernels = 0; ///< GEMMs, traversals and element loops launched

  /// The `cost` record of hector_model_info() (docs/abi.md).
  std::string record() const;
};

/// Per-target parameters: seconds per GEMM flop, per other flop, per byte,
/// per gathered byte and per kernel (CostParams.def).
struct CostParams {
  const char *target;
  double gemmFlop, otherFlop, byte, gatheredByte, kernel;
  const char *provenance;
};
/// The parameters of `target` ("cpu", "sm_80", "sm_90", ...); the CPU's
/// when the target has none of its own.
const CostParams &costParamsFor(StringRef target);

/// Whether `value` is a concatenation along the last dimension that only the
/// lhs of one inner product reads: convert-rgnn-to-hetop never builds it
/// (the inner product reads the pieces), and the cost model charges nothing.
bool isFusedConcat(Value value);

/// Derives the cost of `func` (one block of rgnn ops).
CostEstimate estimateCost(func::FuncOp func);

/// Whether `a` is never faster than `b` under `params`, whatever the graph:
/// the difference of their time forms is nonnegative for every graph with
/// Psrc <= E and Pdst <= E.
bool neverFaster(const CostEstimate &a, const CostEstimate &b,
                 const CostParams &params);

} // namespace mlir::hector

#endif // HECTOR_ANALYSIS_COSTMODEL_H
