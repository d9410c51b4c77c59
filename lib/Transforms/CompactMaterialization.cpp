//===- CompactMaterialization.cpp - per-pair instead of per-edge values ---===//
//
// Finds edge values that depend only on an edge's (source, relation) or
// (destination, relation) pair, computes them per unique pair, and reads
// them back on edges through the edge-to-compact map.
//
//===----------------------------------------------------------------------===//

#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/Transforms/Passes.h"
#include "Hector/Transforms/Rewrites.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::hector {
#define GEN_PASS_DEF_RGNNCOMPACTMATERIALIZATION
#include "Hector/Transforms/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;
using rgnn::Domain;
using rgnn::FeatureType;

namespace {

/// Which pair an edge value depends on. `Any` values depend on the
/// relation alone and fit either pair domain.
enum class Side { None, Src, Dst, Any };

Side meet(Side a, Side b) {
  if (a == Side::Any)
    return b;
  if (b == Side::Any)
    return a;
  return a == b ? a : Side::None;
}

bool isEdge(Type type) {
  auto feat = dyn_cast<FeatureType>(type);
  return feat && feat.getDomain() == Domain::Edge;
}

/// Ops that compute each element from the same element of their operands
/// (or a fixed index transform of it), so they keep a pair-only value
/// pair-only.
bool isElementwiseLike(Operation *op) {
  return isa<rgnn::ExpOp, rgnn::TanhOp, rgnn::SigmoidOp, rgnn::GeluOp,
             rgnn::ReluOp, rgnn::NegOp, rgnn::LeakyReluOp, rgnn::AddOp,
             rgnn::SubOp, rgnn::MulOp, rgnn::DivOp, rgnn::EqualOp,
             rgnn::ScaleOp, rgnn::InnerProductOp, rgnn::OuterProductOp,
             rgnn::ConcatOp, rgnn::SplitOp, rgnn::ReshapeOp, rgnn::TransposeOp>(
      op);
}

class Compactor {
public:
  explicit Compactor(func::FuncOp func) : func(func) {}

  void run() {
    Block &body = func.getBody().front();
    for (Operation &op : body.without_terminator())
      classify(&op);
    SmallVector<Operation *> rewritten;
    for (Operation &op : body.without_terminator()) {
      Side s = sideOfResults(&op);
      // Gathers are views: a compacted consumer clones its gathers for its
      // side (compactOf), and the others keep reading the node directly.
      if ((s != Side::Src && s != Side::Dst) || isa<rgnn::GatherOp>(op))
        continue;
      compact(&op, s);
      rewritten.push_back(&op);
    }
    // Consumers outside the pair-only region read the compact values
    // through the edge-to-compact map.
    for (Operation *op : rewritten) {
      for (Value result : op->getResults()) {
        auto [compactValue, side] = compacted.lookup(result);
        OpBuilder b(compactValue.getContext());
        b.setInsertionPointAfterValue(compactValue);
        auto view = rgnn::GatherOp::create(
            b, op->getLoc(), result.getType(), graphOf.lookup(result),
            compactValue,
            side == Side::Src ? rgnn::GatherIndex::SrcRel
                              : rgnn::GatherIndex::DstRel);
        result.replaceAllUsesWith(view.getResult());
      }
    }
    for (Operation *op : llvm::reverse(rewritten))
      op->erase();
  }

private:
  Side sideOf(Value v) {
    auto it = sides.find(v);
    return it == sides.end() ? Side::None : it->second;
  }
  Side sideOfResults(Operation *op) {
    return op->getNumResults() ? sideOf(op->getResult(0)) : Side::None;
  }

  /// Decides whether `op`'s results are pair-only, and on which side.
  void classify(Operation *op) {
    if (op->getNumResults() == 0 ||
        !llvm::all_of(op->getResultTypes(), isEdge))
      return;
    Side side = Side::None;
    Value graph;
    if (auto linear = dyn_cast<rgnn::TypedLinearOp>(op)) {
      if (linear.getBy() != rgnn::TypeKind::Relation)
        return;
      graph = linear.getGraph();
      if (linear.getOn() == rgnn::Endpoint::Src)
        side = Side::Src;
      else if (linear.getOn() == rgnn::Endpoint::Dst)
        side = Side::Dst;
      else
        side = sideOf(linear.getInput());
      if (side == Side::Any)
        side = Side::None; // a relation-only input is not worth a GEMM each
    } else if (auto gather = dyn_cast<rgnn::GatherOp>(op)) {
      graph = gather.getGraph();
      switch (gather.getIndex()) {
      case rgnn::GatherIndex::Src:
        side = Side::Src;
        break;
      case rgnn::GatherIndex::Dst:
        side = Side::Dst;
        break;
      case rgnn::GatherIndex::Relation:
        side = Side::Any;
        break;
      default:
        return;
      }
    } else if (isElementwiseLike(op)) {
      side = Side::Any;
      bool anyFeature = false;
      for (Value operand : op->getOperands()) {
        if (!isa<FeatureType>(operand.getType()))
          continue; // shared tensors broadcast over any domain
        anyFeature = true;
        side = meet(side, sideOf(operand));
        if (Value g = graphOf.lookup(operand))
          graph = g;
      }
      if (!anyFeature)
        return;
    } else {
      return;
    }
    if (side == Side::None || !graph)
      return;
    for (Value result : op->getResults()) {
      sides[result] = side;
      graphOf[result] = graph;
    }
  }

  /// The compact version of `v` on `side`, cloning relation-only
  /// producers for that side on first use.
  Value compactOf(Value v, Side side) {
    auto it = compacted.find(v);
    if (it != compacted.end())
      return it->second.first;
    auto key = std::make_pair(v, static_cast<int>(side));
    if (Value c = anyCompacted.lookup(key))
      return c;
    // A relation-only value: clone its producer for this side.
    Operation *producer = v.getDefiningOp();
    Value c = cloneForSide(producer, side)[cast<OpResult>(v).getResultNumber()];
    anyCompacted[key] = c;
    return c;
  }

  SmallVector<Value> cloneForSide(Operation *op, Side side) {
    IRMapping mapping;
    for (Value operand : op->getOperands())
      if (sides.count(operand))
        mapping.map(operand, compactOf(operand, side));
    OpBuilder b(op);
    Operation *clone = b.clone(*op, mapping);
    Domain pair = side == Side::Src ? Domain::SrcRel : Domain::DstRel;
    for (Value result : clone->getResults())
      result.setType(cast<FeatureType>(result.getType()).withDomain(pair));
    return SmallVector<Value>(clone->getResults());
  }

  void compact(Operation *op, Side side) {
    SmallVector<Value> results = cloneForSide(op, side);
    for (auto [original, c] : llvm::zip(op->getResults(), results))
      compacted[original] = {c, side};
  }

  func::FuncOp func;
  DenseMap<Value, Side> sides;
  DenseMap<Value, Value> graphOf;
  DenseMap<Value, std::pair<Value, Side>> compacted;
  DenseMap<std::pair<Value, int>, Value> anyCompacted;
};

struct RGNNCompactMaterializationPass
    : public hector::impl::RGNNCompactMaterializationBase<
          RGNNCompactMaterializationPass> {
  void runOnOperation() override {
    compactMaterialize(getOperation());
  }
};

} // namespace

void mlir::hector::compactMaterialize(func::FuncOp func) {
  if (func.getBody().hasOneBlock())
    Compactor(func).run();
}
