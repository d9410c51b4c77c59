//===- CostModel.cpp - static cost of an rgnn function --------------------===//

#include "Hector/Analysis/CostModel.h"
#include "Hector/Dialect/RGNN/IR/RGNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

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

std::string CostEstimate::record() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "cost kernels=" << kernels << " gemm_flops=" << gemmFlops.str()
     << " other_flops=" << otherFlops.str() << " bytes=" << bytes.str()
     << " gathered_bytes=" << gatheredBytes.str() << " memory=" << memory.str();
  return s;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

static const CostParams kParams[] = {
#define HECTOR_COST_PARAMS(TARGET, GEMM, OTHER, BYTE, GATHERED, KERNEL,       \
                           PROVENANCE)                                        \
  {TARGET, GEMM, OTHER, BYTE, GATHERED, KERNEL, PROVENANCE},
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

static std::array<double, kNumGraphCounts>
timeForm(const CostEstimate &c, const CostParams &p) {
  std::array<double, kNumGraphCounts> t{};
  for (int k = 0; k < kNumGraphCounts; ++k)
    t[k] = p.gemmFlop * c.gemmFlops.coef[k] + p.otherFlop * c.otherFlops.coef[k] +
           p.byte * c.bytes.coef[k] + p.gatheredByte * c.gatheredBytes.coef[k];
  t[static_cast<int>(GraphCount::One)] += p.kernel * c.kernels;
  return t;
}

bool mlir::hector::neverFaster(const CostEstimate &a, const CostEstimate &b,
                               const CostParams &params) {
  auto ta = timeForm(a, params), tb = timeForm(b, params);
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
             rgnn::SubOp, rgnn::MulOp, rgnn::DivOp, rgnn::ScaleOp>(op) &&
         op->getResult(0).hasOneUse();
}

/// Ops that are views: never materialized, read through by consumers.
bool isView(Operation *op) {
  return isa<rgnn::GatherOp, rgnn::ReshapeOp, rgnn::TransposeOp,
             arith::ConstantOp>(op);
}

class Estimator {
public:
  explicit Estimator(func::FuncOp func) {
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
          if (linear.getBy() == rgnn::TypeKind::NodeType &&
              linear.getOn() != rgnn::Endpoint::Self)
            rows = GraphCount::N; // projected per node, read through a view
          gemm(linear, linear.getInput(), linear.getWeight(), rows);
        })
        .Case([&](rgnn::LinearOp linear) {
          gemm(linear, linear.getInput(), linear.getWeight(),
               countOf(linear.getType()));
        })
        .Case([&](rgnn::AggregateOp agg) {
          Type in = agg.getInput().getType();
          GraphCount inRows = countOf(in);
          cost.otherFlops.add(inRows, elements(in));
          // Each input row is read with its index.
          read(inRows, agg.getInput());
          cost.bytes.add(inRows, 4);
          result(agg.getResult(), /*flopsPerElement=*/0);
        })
        .Case([&](rgnn::EdgeSoftmaxOp softmax) {
          Type t = softmax.getType();
          // max, exp, sum and divide per element; the input is read twice.
          cost.otherFlops.add(GraphCount::E, 4 * elements(t));
          read(GraphCount::E, softmax.getInput(), 2);
          result(softmax.getResult(), 0);
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

private:
  /// Bytes of one row of `v` its consumer reads: nothing for a value
  /// computed in the consumer's own loop.
  double readBytes(Value v) {
    Operation *def = v.getDefiningOp();
    if (def && isFusedElementwise(def))
      return 0;
    if (!isa<ShapedType>(v.getType()))
      return 0;
    return rowBytes(v.getType());
  }

  /// Charges `times` reads of one row of `v` per element of `rows`.
  void read(GraphCount rows, Value v, double times = 1) {
    double b = times * readBytes(v);
    (isGatheredFromPairs(v) ? cost.gatheredBytes : cost.bytes).add(rows, b);
  }

  /// Whether `v` reads a per-edge or per-pair value through an index.
  static bool isGatheredFromPairs(Value v) {
    while (Operation *def = v.getDefiningOp()) {
      if (auto gather = dyn_cast<rgnn::GatherOp>(def)) {
        auto feat = dyn_cast<FeatureType>(gather.getInput().getType());
        return feat && feat.isEdgeLike();
      }
      if (!isa<rgnn::ReshapeOp, rgnn::TransposeOp>(def))
        return false;
      v = def->getOperand(0);
    }
    return false;
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

  void gemm(Operation *op, Value input, Value weight, GraphCount rows) {
    Type out = op->getResult(0).getType();
    ArrayRef<int64_t> w = cast<ShapedType>(weight.getType()).getShape();
    double k = w[w.size() - 2];
    cost.gemmFlops.add(rows, 2 * k * elements(out));
    read(rows, input);
    cost.bytes.add(rows, rowBytes(out));
    // The weights are read once per type (they stay in cache).
    read(countOf(weight.getType()), weight);
    if (!returned.contains(op->getResult(0)))
      cost.memory.add(rows, rowBytes(out));
    ++cost.kernels;
  }

  llvm::SmallPtrSet<Value, 4> returned;
};

} // namespace

CostEstimate mlir::hector::estimateCost(func::FuncOp func) {
  Estimator estimator(func);
  if (func.getBody().empty())
    return {};
  for (Operation &op : func.getBody().front())
    estimator.visit(&op);
  return estimator.cost;
}
