//===- CostModel.cpp - static cost of an rgnn function --------------------===//

#include "Hector/Analysis/CostModel.h"
#include "Hector/Dialect/RGNN/IR/RGNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <optional>

using namespace mlir;
using namespace mlir::hector;
using rgnn::Domain;
using rgnn::FeatureType;

StringRef mlir::hector::graphCountName(GraphCount c) {
  static const char *names[] = {"E", "N", "Psrc", "Pdst", "R", "T", "1"};
  return names[static_cast<int>(c)];
}

std::string CostForm::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (int c = 0; c < kNumGraphCounts; ++c) {
    if (coef[c] == 0)
      continue;
    os << (s.empty() ? "" : ",") << graphCountName(static_cast<GraphCount>(c))
       << ":" << llvm::format("%.6g", coef[c]);
  }
  return s.empty() ? "0" : s;
}

std::string GatherCost::str() const {
  return bytes.str() + "@" + table.str();
}

/// "E:64@Psrc:64;E:64@N:64", or "0" without gathers.
static std::string gathersStr(ArrayRef<GatherCost> gathers) {
  if (gathers.empty())
    return "0";
  std::string s;
  for (const GatherCost &g : gathers)
    s += (s.empty() ? "" : ";") + g.str();
  return s;
}

std::string CostEstimate::record() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "cost kernels=" << kernels << " gemm_flops=" << gemmFlops.str()
     << " other_flops=" << otherFlops.str() << " bytes=" << bytes.str()
     << " gathered_bytes=" << gatheredBytes.str() << " memory=" << memory.str()
     << " gathers=" << gathersStr(gathers);
  for (auto [k, c] : llvm::enumerate(choices))
    os << "\ncost-choice k=" << k << " gemm_flops=" << c.gemmFlops.str()
       << " other_flops=" << c.otherFlops.str() << " bytes=" << c.bytes.str()
       << " gathered_bytes=" << c.gatheredBytes.str()
       << " gathers=" << gathersStr(c.gathers);
  return s;
}

/// Adds `bytes` read from `table` to the entry of that table.
static void addGather(std::vector<GatherCost> &gathers, const CostForm &bytes,
                      const CostForm &table) {
  for (GatherCost &g : gathers)
    if (g.table.coef == table.coef) {
      for (int c = 0; c < kNumGraphCounts; ++c)
        g.bytes.coef[c] += bytes.coef[c];
      return;
    }
  gathers.push_back({bytes, table});
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

static const CostParams kParams[] = {
#define HECTOR_COST_PARAMS(TARGET, GEMM, OTHER, BYTE, GATHERED, INTERMEDIATE,  \
                           KERNEL, CACHE, PROVENANCE)                         \
  {TARGET, GEMM, OTHER, BYTE, GATHERED, INTERMEDIATE, KERNEL, CACHE, PROVENANCE},
#include "Hector/Analysis/CostParams.def"
};

const CostParams &mlir::hector::costParamsFor(StringRef target) {
  for (const CostParams &p : kParams)
    if (target == p.target)
      return p;
  // A GPU without its own calibration uses the closest one calibrated.
  if (target.starts_with("sm_"))
    for (const CostParams &p : kParams)
      if (StringRef(p.target).starts_with("sm_"))
        return p;
  return kParams[0];
}

/// Seconds per count, cache misses left out (gathered bytes cost as
/// bytes): the part of the time that is linear in the counts.
static std::array<double, kNumGraphCounts>
timeForm(const CostEstimate &c, const CostParams &p) {
  std::array<double, kNumGraphCounts> t{};
  for (int k = 0; k < kNumGraphCounts; ++k)
    t[k] = p.gemmFlop * c.gemmFlops.coef[k] + p.otherFlop * c.otherFlops.coef[k] +
           p.byte * (c.bytes.coef[k] + c.gatheredBytes.coef[k]) +
           p.intermediateByte * c.memory.coef[k];
  t[static_cast<int>(GraphCount::One)] += p.kernel * c.kernels;
  return t;
}

static std::array<double, kNumGraphCounts> timeForm(const ChoiceCost &c,
                                                   const CostParams &p) {
  CostEstimate e;
  e.gemmFlops = c.gemmFlops;
  e.otherFlops = c.otherFlops;
  e.bytes = c.bytes;
  e.gatheredBytes = c.gatheredBytes;
  return timeForm(e, p);
}

static bool neverFasterForm(const std::array<double, kNumGraphCounts> &ta,
                            const std::array<double, kNumGraphCounts> &tb) {
  std::array<double, kNumGraphCounts> d;
  double scale = 0;
  for (int k = 0; k < kNumGraphCounts; ++k) {
    d[k] = ta[k] - tb[k];
    scale = std::max({scale, std::abs(ta[k]), std::abs(tb[k])});
  }
  double eps = 1e-9 * scale;
  auto at = [&](GraphCount c) { return d[static_cast<int>(c)]; };
  // Minimum of d over graphs with 0 <= Psrc, Pdst <= E and any N, R, T.
  for (GraphCount c : {GraphCount::N, GraphCount::R, GraphCount::T,
                       GraphCount::One})
    if (at(c) < -eps)
      return false;
  return at(GraphCount::E) + std::min(0.0, at(GraphCount::Psrc)) +
             std::min(0.0, at(GraphCount::Pdst)) >=
         -eps;
}

/// A lower bound, for every graph and cache size, of the miss time `a`
/// pays beyond `b`: per table, a miss fraction of 1 where `a` gathers fewer
/// bytes than `b` and 0 elsewhere, with each count's coefficient taken
/// apart (sum_k min(0, c_k) x_k <= min(0, sum_k c_k x_k) for counts >= 0).
static std::array<double, kNumGraphCounts>
missAdvantage(ArrayRef<GatherCost> a, ArrayRef<GatherCost> b,
              const CostParams &p) {
  // Per table, the bytes `a` gathers less those `b` gathers.
  std::vector<GatherCost> diff(a.begin(), a.end());
  for (const GatherCost &g : b) {
    CostForm negated;
    for (int k = 0; k < kNumGraphCounts; ++k)
      negated.coef[k] = -g.bytes.coef[k];
    addGather(diff, negated, g.table);
  }
  std::array<double, kNumGraphCounts> t{};
  for (const GatherCost &d : diff)
    for (int k = 0; k < kNumGraphCounts; ++k)
      t[k] += p.gatheredByte * std::min(0.0, d.bytes.coef[k]);
  return t;
}

/// Whether the linear time of `a`, less its largest possible miss
/// advantage, is never below `b`'s.
template <typename Cost>
static bool neverFasterWithMisses(const Cost &a, const Cost &b,
                                  const CostParams &params) {
  auto ta = timeForm(a, params);
  auto adv = missAdvantage(a.gathers, b.gathers, params);
  for (int k = 0; k < kNumGraphCounts; ++k)
    ta[k] += adv[k];
  return neverFasterForm(ta, timeForm(b, params));
}

bool mlir::hector::neverFaster(const ChoiceCost &a, const ChoiceCost &b,
                               const CostParams &params) {
  return neverFasterWithMisses(a, b, params);
}

bool mlir::hector::neverFaster(const CostEstimate &a, const CostEstimate &b,
                               const CostParams &params) {
  if (a.choices.size() != b.choices.size())
    return false;
  for (auto [ca, cb] : llvm::zip(a.choices, b.choices))
    if (!neverFaster(ca, cb, params))
      return false;
  return neverFasterWithMisses(a, b, params);
}

//===----------------------------------------------------------------------===//
// Estimation
//===----------------------------------------------------------------------===//

bool mlir::hector::isFusedConcat(Value value) {
  auto concat = value.getDefiningOp<rgnn::ConcatOp>();
  if (!concat || !value.hasOneUse())
    return false;
  auto user = dyn_cast<rgnn::InnerProductOp>(*value.getUsers().begin());
  return user && user.getLhs() == value &&
         static_cast<int64_t>(concat.getDim()) + 1 ==
             static_cast<int64_t>(concat.getType().getShape().size());
}

bool mlir::hector::isFusedEdgeSoftmax(Value weights) {
  // Each destination owns its rows and its pairs' rows, so the sums that
  // read the weights need no atomics. With several such uses (the
  // per-relation re-association), each computes the weights it reads from
  // the one set of per-destination statistics.
  if (!weights.getDefiningOp<rgnn::EdgeSoftmaxOp>() || weights.use_empty())
    return false;
  auto fusedUse = [&](Operation *weigh) {
    bool weighs =
        llvm::TypeSwitch<Operation *, bool>(weigh)
            .Case([&](rgnn::ScaleOp o) {
              return o.getScalar() == weights && o.getVector() != weights;
            })
            .Case([&](rgnn::OuterProductOp o) {
              return o.getLhs() == weights && o.getRhs() != weights;
            })
            .Default(false);
    if (!weighs || !weigh->getResult(0).hasOneUse())
      return false;
    auto aggregate =
        dyn_cast<rgnn::AggregateOp>(*weigh->getResult(0).getUsers().begin());
    if (!aggregate || aggregate.getReduction() != rgnn::Reduction::Sum ||
        aggregate.getTo() != rgnn::Endpoint::Dst)
      return false;
    FeatureType out = aggregate.getType();
    return !out.hasNodeType() && (out.getDomain() == Domain::Node ||
                                  out.getDomain() == Domain::DstRel);
  };
  return llvm::all_of(weights.getUsers(), fusedUse);
}

namespace {

GraphCount countOf(Type type) {
  auto feat = dyn_cast<FeatureType>(type);
  if (!feat)
    return GraphCount::One;
  switch (feat.getDomain()) {
  case Domain::Node:
    return GraphCount::N; // node[t] is bounded by N
  case Domain::Edge:
    return GraphCount::E;
  case Domain::SrcRel:
    return GraphCount::Psrc;
  case Domain::DstRel:
    return GraphCount::Pdst;
  case Domain::Relation:
    return GraphCount::R;
  case Domain::NodeType:
    return GraphCount::T;
  }
  return GraphCount::One;
}

double elements(Type type) {
  double n = 1;
  for (int64_t d : cast<ShapedType>(type).getShape())
    n *= static_cast<double>(d);
  return n;
}

double elementBytes(Type type) {
  return cast<ShapedType>(type).getElementTypeBitWidth() / 8.0;
}

double rowBytes(Type type) { return elements(type) * elementBytes(type); }

/// Ops the lowering evaluates inside their single consumer's loop.
bool isFusedElementwise(Operation *op) {
  return isa<rgnn::ExpOp, rgnn::TanhOp, rgnn::SigmoidOp, rgnn::GeluOp,
             rgnn::ReluOp, rgnn::NegOp, rgnn::LeakyReluOp, rgnn::AddOp,
             rgnn::SubOp, rgnn::MulOp, rgnn::DivOp, rgnn::EqualOp,
             rgnn::ScaleOp, rgnn::OuterProductOp, rgnn::ActivationGradOp>(op) &&
         op->getResult(0).hasOneUse();
}

/// Ops that are views: never materialized, read through by consumers.
bool isView(Operation *op) {
  return isa<rgnn::GatherOp, rgnn::ReshapeOp, rgnn::TransposeOp,
             arith::ConstantOp>(op);
}

class Estimator {
public:
  Estimator(func::FuncOp func, bool fuseEdgeSoftmax, bool edgeParallel)
      : fuseEdgeSoftmax(fuseEdgeSoftmax), edgeParallel(edgeParallel) {
    for (Operation &op : func.getBody().front())
      if (auto ret = dyn_cast<func::ReturnOp>(op))
        for (Value v : ret.getOperands())
          returned.insert(v);
  }

  void visit(Operation *op) {
    if (isView(op) || isa<func::ReturnOp>(op) ||
        (isa<rgnn::ConcatOp>(op) && isFusedConcat(op->getResult(0))))
      return;
    if (isFusedElementwise(op)) {
      Type t = op->getResult(0).getType();
      cost.otherFlops.add(countOf(t), elements(t));
      return;
    }
    llvm::TypeSwitch<Operation *>(op)
        .Case([&](rgnn::TypedLinearOp linear) {
          GraphCount rows = countOf(linear.getType());
          bool onEndpoint = linear.getOn() != rgnn::Endpoint::Self;
          if (linear.getBy() == rgnn::TypeKind::NodeType && onEndpoint)
            rows = GraphCount::N; // projected per node, read through a view
          // Per edge or pair, a node input's rows are read through the
          // endpoint index: a gather of the node table.
          std::optional<CostForm> table;
          Type in = linear.getInput().getType();
          if (onEndpoint && rows != GraphCount::N &&
              countOf(in) == GraphCount::N) {
            table.emplace();
            table->add(GraphCount::N, rowBytes(in));
          }
          gemm(linear, linear.getInput(), linear.getWeight(), rows,
               sinkFor(linear.getChoice()), table);
        })
        .Case([&](rgnn::LinearOp linear) {
          gemm(linear, linear.getInput(), linear.getWeight(),
               countOf(linear.getType()), sinkFor(std::nullopt));
        })
        .Case([&](rgnn::AggregateOp agg) {
          Type in = agg.getInput().getType();
          GraphCount inRows = countOf(in);
          Sink sink = sinkFor(agg.getChoice());
          sink.otherFlops->add(inRows, elements(in));
          // Each input row is read with its index (and, with a choice, its
          // relation).
          read(inRows, agg.getInput(), 1, sink);
          sink.bytes->add(inRows, agg.getChoice() ? 8 : 4);
          // Every row of the result is zeroed first, and divided by its
          // count for a mean (a second pass; a max's sets its empty rows
          // to zero); with a choice onto pairs,
          // each row's relation and its choice are read to skip the rows
          // of other choices.
          Type out = agg.getType();
          GraphCount outRows = countOf(out);
          cost.bytes.add(outRows, rowBytes(out));
          if (agg.getReduction() != rgnn::Reduction::Sum) {
            cost.bytes.add(outRows, 2 * rowBytes(out));
            cost.otherFlops.add(outRows, elements(out));
          }
          if (agg.getChoice() && outRows != GraphCount::N)
            cost.bytes.add(outRows, 8);
          result(agg.getResult(), /*flopsPerElement=*/0);
        })
        .Case([&](rgnn::EdgeSoftmaxOp softmax) {
          Type t = softmax.getType();
          // max, exp and sum per element; the scores are read twice.
          cost.otherFlops.add(GraphCount::E, 3 * elements(t));
          read(GraphCount::E, softmax.getInput(), 2);
          // Each destination's maximum and denominator: edge-parallel, an
          // initialization, the maximum and the sum (atomics) and the
          // reciprocals; fused node-parallel, one loop per destination.
          bool fused = isFused(softmax.getResult());
          if (fused || edgeParallel) {
            cost.bytes.add(GraphCount::N, 2 * rowBytes(t));
            cost.memory.add(GraphCount::N, 2 * rowBytes(t));
            cost.kernels += edgeParallel ? 4 : 1;
          }
          if (!fused) {
            // The normalized weights are stored (node-parallel: by the
            // loop per destination).
            cost.otherFlops.add(GraphCount::E, elements(t));
            result(softmax.getResult(), 0);
          }
        })
        .Case([&](rgnn::InnerProductOp ip) {
          GraphCount rows = countOf(ip.getType());
          double k = cast<ShapedType>(ip.getLhs().getType()).getShape().back();
          cost.otherFlops.add(rows, 2 * k * elements(ip.getType()));
          read(rows, ip.getLhs());
          read(rows, ip.getRhs());
          result(ip.getResult(), 0);
        })
        .Case([&](rgnn::WeightProductOp wp) {
          Type lhs = wp.getLhs().getType();
          double k = cast<ShapedType>(lhs).getShape().back();
          if (cast<ShapedType>(lhs).getShape().size() == 1)
            k = cast<ShapedType>(lhs).getShape()[0];
          GraphCount rows = countOf(wp.getType());
          cost.otherFlops.add(rows, 2 * k * elements(wp.getType()));
          read(rows, wp.getLhs());
          read(rows, wp.getRhs());
          result(wp.getResult(), 0);
        })
        .Default([&](Operation *other) {
          // Element loops (unfused elementwise ops, scale, outer product,
          // concat, split) and per-type sums: one pass over the operands.
          for (Value operand : other->getOperands())
            if (isa<ShapedType>(operand.getType()))
              read(countOf(operand.getType()), operand);
          for (Value r : other->getResults())
            result(r, 1);
        });
  }

  CostEstimate cost;

  /// Moves terms of the choices' forms that do not scale with a relation
  /// (N, T, constants) to the common forms.
  void finish() {
    for (ChoiceCost &c : cost.choices)
      for (auto [from, to] :
           llvm::zip(std::array<CostForm *, 4>{&c.gemmFlops, &c.otherFlops,
                                               &c.bytes, &c.gatheredBytes},
                     std::array<CostForm *, 4>{&cost.gemmFlops,
                                               &cost.otherFlops, &cost.bytes,
                                               &cost.gatheredBytes}))
        for (GraphCount g : {GraphCount::N, GraphCount::T, GraphCount::One}) {
          to->add(g, from->at(g));
          from->coef[static_cast<int>(g)] = 0;
        }
    for (ChoiceCost &c : cost.choices)
      for (GatherCost &g : c.gathers) {
        CostForm common;
        for (GraphCount n : {GraphCount::N, GraphCount::T, GraphCount::One}) {
          common.add(n, g.bytes.at(n));
          g.bytes.coef[static_cast<int>(n)] = 0;
        }
        if (common.coef != CostForm().coef)
          addGather(cost.gathers, common, g.table);
      }
  }

private:
  /// Where an op's own work is charged: the common forms, or those of the
  /// choice it is restricted to.
  struct Sink {
    CostForm *gemmFlops, *otherFlops, *bytes, *gatheredBytes;
    std::vector<GatherCost> *gathers;
  };
  Sink sinkFor(std::optional<uint64_t> choice) {
    if (!choice)
      return {&cost.gemmFlops, &cost.otherFlops, &cost.bytes,
              &cost.gatheredBytes, &cost.gathers};
    if (cost.choices.size() <= *choice)
      cost.choices.resize(*choice + 1);
    ChoiceCost &c = cost.choices[*choice];
    return {&c.gemmFlops, &c.otherFlops, &c.bytes, &c.gatheredBytes,
            &c.gathers};
  }

  /// Bytes of one row of `v` its consumer reads.
  static double readBytes(Value v) {
    return isa<ShapedType>(v.getType()) ? rowBytes(v.getType()) : 0;
  }

  /// Charges `times` reads of one row of `v` per element of `rows`.
  void read(GraphCount rows, Value v, double times = 1) {
    read(rows, v, times, sinkFor(std::nullopt));
  }
  void read(GraphCount rows, Value v, double times, Sink sink,
            std::optional<CostForm> table = std::nullopt) {
    // Fused softmax weights are computed where they are read: the score,
    // the edge's destination and that destination's maximum and
    // denominator are read, and three flops spent per weight.
    if (isFused(v)) {
      sink.otherFlops->add(rows, 3 * times * elements(v.getType()));
      read(rows, v.getDefiningOp<rgnn::EdgeSoftmaxOp>().getInput(), times,
           sink);
      sink.bytes->add(rows, times * (4 + 2 * rowBytes(v.getType())));
      return;
    }
    // A value computed in the consumer's own loop is not read: its
    // operands are, per row of the consumer.
    if (Operation *def = v.getDefiningOp(); def && isFusedElementwise(def)) {
      for (Value operand : def->getOperands())
        if (isa<FeatureType>(operand.getType()))
          read(rows, operand, times, sink);
      return;
    }
    double b = times * readBytes(v);
    if (!table)
      table = gatheredTable(v);
    if (!table) {
      sink.bytes->add(rows, b);
      return;
    }
    sink.gatheredBytes->add(rows, b);
    CostForm bytes;
    bytes.add(rows, b);
    addGather(*sink.gathers, bytes, *table);
  }

  /// The footprint of the table `v` reads through an index (a gather view,
  /// possibly reshaped), if it does.
  static std::optional<CostForm> gatheredTable(Value v) {
    while (Operation *def = v.getDefiningOp()) {
      if (auto gather = dyn_cast<rgnn::GatherOp>(def)) {
        Type table = gather.getInput().getType();
        CostForm footprint;
        if (isa<ShapedType>(table))
          footprint.add(countOf(table), rowBytes(table));
        return footprint;
      }
      if (!isa<rgnn::ReshapeOp, rgnn::TransposeOp>(def))
        return std::nullopt;
      v = def->getOperand(0);
    }
    return std::nullopt;
  }

  /// A materialized result: one kernel writing it.
  void result(Value v, double flopsPerElement) {
    GraphCount rows = countOf(v.getType());
    cost.otherFlops.add(rows, flopsPerElement * elements(v.getType()));
    cost.bytes.add(rows, rowBytes(v.getType()));
    if (!returned.contains(v))
      cost.memory.add(rows, rowBytes(v.getType()));
    ++cost.kernels;
  }

  /// A GEMM whose products are charged to `sink`; every row of the result
  /// is written (zero for the relations of other choices).
  void gemm(Operation *op, Value input, Value weight, GraphCount rows,
            Sink sink, std::optional<CostForm> inputTable = std::nullopt) {
    Type out = op->getResult(0).getType();
    ArrayRef<int64_t> w = cast<ShapedType>(weight.getType()).getShape();
    double k = w[w.size() - 2];
    sink.gemmFlops->add(rows, 2 * k * elements(out));
    read(rows, input, 1, sink, inputTable);
    cost.bytes.add(rows, rowBytes(out));
    // The weights are read once per type (they stay in cache).
    read(countOf(weight.getType()), weight, 1, sink);
    if (!returned.contains(op->getResult(0)))
      cost.memory.add(rows, rowBytes(out));
    ++cost.kernels;
  }

  llvm::SmallPtrSet<Value, 4> returned;
  bool fuseEdgeSoftmax, edgeParallel;

  bool isFused(Value weights) const {
    return fuseEdgeSoftmax && isFusedEdgeSoftmax(weights);
  }
};

} // namespace

CostEstimate mlir::hector::estimateCost(func::FuncOp func, bool fuseEdgeSoftmax,
                                        bool edgeParallel) {
  Estimator estimator(func, fuseEdgeSoftmax, edgeParallel);
  if (func.getBody().empty())
    return {};
  for (Operation &op : func.getBody().front())
    estimator.visit(&op);
  estimator.finish();
  return estimator.cost;
}
