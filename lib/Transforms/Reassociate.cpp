//===- Reassociate.cpp - SENSEi-style input-sensitive variants ------------===//
//
// Enumerates the valid re-associations of each function, prunes those the
// static cost model shows can never be faster, and keeps the rest as
// variants in the module. The runtime picks one per graph from the graph's
// counts (docs/runtime.md).
//
//===----------------------------------------------------------------------===//

#include "Hector/Analysis/CostModel.h"
#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/Transforms/Passes.h"
#include "Hector/Transforms/Rewrites.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::hector {
#define GEN_PASS_DEF_RGNNREASSOCIATE
#include "Hector/Transforms/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;
using rgnn::Domain;
using rgnn::FeatureType;

//===----------------------------------------------------------------------===//
// Aggregate first
//===----------------------------------------------------------------------===//

namespace {

/// The per-edge input of the aggregation of `x_j W_r` scaled by `alpha`
/// (may be null): `alpha_e x_j`, shaped for the same transform.
Value weightedInput(OpBuilder &b, Location loc, rgnn::TypedLinearOp linear,
                    Value alpha) {
  auto x = cast<FeatureType>(linear.getInput().getType());
  auto edgeX = x.withDomain(Domain::Edge);
  Value xe = rgnn::GatherOp::create(b, loc, edgeX, linear.getGraph(),
                                    linear.getInput(), rgnn::GatherIndex::Src);
  if (!alpha)
    return xe;
  ArrayRef<int64_t> a = cast<FeatureType>(alpha.getType()).getShape();
  ArrayRef<int64_t> xs = x.getShape();
  ArrayRef<int64_t> w = cast<ShapedType>(linear.getWeight().getType()).getShape();
  // alpha [H...] times x [H..., K]: a scale per head.
  if (xs.size() == a.size() + 1 && xs.drop_back() == a)
    return rgnn::ScaleOp::create(b, loc, edgeX, alpha, xe);
  // alpha [H] times a shared x [K] read by every head of W [H, K, N]:
  // the outer product gives each head its own weighted copy.
  if (xs.size() == 1 && a.size() == 1 && w.size() == 3 && w[0] == a[0])
    return rgnn::OuterProductOp::create(
        b, loc, edgeX.withShape({a[0], xs[0]}), alpha, xe);
  return {};
}

/// The relation choice of each half of a per-relation split.
constexpr int64_t kTransformFirst = 0, kAggregateFirst = 1;

bool rewriteAggregate(rgnn::AggregateOp agg, bool perRelation) {
  auto in = cast<FeatureType>(agg.getInput().getType());
  auto out = cast<FeatureType>(agg.getType());
  // A linear map commutes with sums and means, not with a maximum.
  if (agg.getTo() != rgnn::Endpoint::Dst || in.getDomain() != Domain::Edge ||
      !agg.getInput().hasOneUse() || agg.getChoice() ||
      agg.getReduction() == rgnn::Reduction::Max)
    return false;
  // A mean over all of a node's edges does not split by relation.
  bool toPairs = out.getDomain() == Domain::DstRel;
  if (!toPairs && (out.getDomain() != Domain::Node ||
                   agg.getReduction() != rgnn::Reduction::Sum))
    return false;
  Value alpha;
  Value message = agg.getInput();
  auto scale = message.getDefiningOp<rgnn::ScaleOp>();
  if (scale) {
    alpha = scale.getScalar();
    message = scale.getVector();
  }
  auto linear = message.getDefiningOp<rgnn::TypedLinearOp>();
  if (!linear || linear.getBy() != rgnn::TypeKind::Relation ||
      linear.getOn() != rgnn::Endpoint::Src ||
      linear.getType().getDomain() != Domain::Edge || linear.getChoice())
    return false;
  if (alpha && cast<FeatureType>(alpha.getType()).getDomain() != Domain::Edge)
    return false;

  OpBuilder b(agg);
  Location loc = agg.getLoc();
  MLIRContext *ctx = b.getContext();
  Value weighted = weightedInput(b, loc, linear, alpha);
  if (!weighted)
    return false;
  IntegerAttr firstHalf, secondHalf;
  if (perRelation) {
    firstHalf = b.getI64IntegerAttr(kTransformFirst);
    secondHalf = b.getI64IntegerAttr(kAggregateFirst);
  }
  auto weightedType = cast<FeatureType>(weighted.getType());
  auto perPair = rgnn::AggregateOp::create(
      b, loc, weightedType.withDomain(Domain::DstRel), agg.getGraph(),
      weighted, agg.getReductionAttr(), agg.getToAttr(), secondHalf);
  auto transformed = rgnn::TypedLinearOp::create(
      b, loc, linear.getType().withDomain(Domain::DstRel), linear.getGraph(),
      perPair.getResult(), linear.getWeight(), linear.getByAttr(),
      rgnn::EndpointAttr::get(ctx, rgnn::Endpoint::Self), secondHalf);
  Value result = transformed.getResult();
  if (!toPairs)
    result = rgnn::AggregateOp::create(
        b, loc, out, agg.getGraph(), result,
        rgnn::ReductionAttr::get(ctx, rgnn::Reduction::Sum),
        agg.getToAttr(), IntegerAttr());
  if (perRelation) {
    // The transform-first half keeps the original chain, restricted to the
    // relations that choose it; the halves are zero outside their
    // relations, so their sum is the original value.
    IRMapping map;
    Operation *firstLinear = b.clone(*linear, map);
    firstLinear->setAttr(linear.getChoiceAttrName(), firstHalf);
    if (scale)
      b.clone(*scale, map);
    auto firstAgg = cast<rgnn::AggregateOp>(b.clone(*agg, map));
    firstAgg.setChoiceAttr(firstHalf);
    result = rgnn::AddOp::create(b, loc, out, firstAgg.getResult(), result);
  }
  agg.getResult().replaceAllUsesWith(result);
  agg.erase();
  if (scale && scale->use_empty())
    scale->erase();
  if (linear->use_empty())
    linear.erase();
  return true;
}

unsigned rewriteAggregates(func::FuncOp func, bool perRelation) {
  SmallVector<rgnn::AggregateOp> aggs;
  func.walk([&](rgnn::AggregateOp op) { aggs.push_back(op); });
  unsigned n = 0;
  for (rgnn::AggregateOp agg : aggs)
    n += rewriteAggregate(agg, perRelation);
  return n;
}

} // namespace

unsigned mlir::hector::aggregateFirst(func::FuncOp func) {
  return rewriteAggregates(func, /*perRelation=*/false);
}

unsigned mlir::hector::splitByRelation(func::FuncOp func) {
  return rewriteAggregates(func, /*perRelation=*/true);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

enum class Association { TransformFirst, AggregateFirst, PerRelation };

struct Candidate {
  StringRef suffix, description;
  Association association;
  bool reorder;
};

constexpr Candidate kCandidates[] = {
    {"", "transform per unique (src, relation) pair, then aggregate",
     Association::TransformFirst, true},
    {"__unreordered", "as the first, without linear-operator reordering",
     Association::TransformFirst, false},
    {"__aggregate_first",
     "aggregate per (dst, relation) pair, then transform once per pair",
     Association::AggregateFirst, true},
    {"__aggregate_first_unreordered",
     "aggregate first, without linear-operator reordering",
     Association::AggregateFirst, false},
    {"__per_relation",
     "per relation, transform first or aggregate first, as the graph's "
     "counts favour",
     Association::PerRelation, true},
    {"__per_relation_unreordered",
     "per relation, without linear-operator reordering",
     Association::PerRelation, false},
};

struct RGNNReassociatePass
    : public hector::impl::RGNNReassociateBase<RGNNReassociatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isDeclaration() && !func->hasAttr("rgnn.variant_of") &&
          func.getBody().hasOneBlock())
        functions.push_back(func);
    for (func::FuncOp func : functions)
      if (failed(reassociate(func)))
        return signalPassFailure();
  }

  LogicalResult reassociate(func::FuncOp original) {
    struct Variant {
      const Candidate *candidate;
      func::FuncOp func;
      CostEstimate cost;
    };
    SmallVector<Variant, 4> variants;
    std::string name = original.getSymName().str();
    for (const Candidate &c : kCandidates) {
      if (c.reorder && !reorder)
        continue;
      func::FuncOp clone = original.clone();
      unsigned rewritten = 1;
      if (c.association == Association::AggregateFirst)
        rewritten = aggregateFirst(clone);
      else if (c.association == Association::PerRelation)
        rewritten = splitByRelation(clone);
      if (rewritten == 0) {
        clone.erase();
        continue;
      }
      if (c.reorder)
        reorderLinear(clone);
      if (compact)
        compactMaterialize(clone);
      OpBuilder(original).insert(clone);
      clone.setSymName(name + c.suffix.str());
      OpPassManager pm(func::FuncOp::getOperationName());
      pm.addPass(createCanonicalizerPass());
      pm.addPass(createCSEPass());
      if (failed(runPipeline(pm, clone)))
        return failure();
      variants.push_back({&c, clone, estimateCost(clone, fuseEdgeSoftmax)});
    }
    const CostParams &params = costParamsFor(target);
    SmallVector<bool> pruned(variants.size(), false);
    // A split by relation whose relations would all make the same choice.
    for (auto [v, isPruned] : llvm::zip(variants, pruned)) {
      ArrayRef<ChoiceCost> choices = v.cost.choices;
      if (prune && choices.size() == 2 &&
          (neverFaster(choices[0], choices[1], params) ||
           neverFaster(choices[1], choices[0], params)))
        isPruned = true;
    }
    for (size_t i = 0; i < variants.size() && prune; ++i)
      for (size_t j = 0; j < variants.size() && !pruned[i]; ++j) {
        if (i == j || pruned[j])
          continue;
        bool iWorse = neverFaster(variants[i].cost, variants[j].cost, params);
        bool jWorse = neverFaster(variants[j].cost, variants[i].cost, params);
        // Equal forms (a candidate whose rewrites changed nothing the
        // others did not) keep the earlier candidate.
        if (iWorse && (!jWorse || j < i))
          pruned[i] = true;
      }
    bool first = true;
    MLIRContext *ctx = original.getContext();
    for (auto [v, isPruned] : llvm::zip(variants, pruned)) {
      if (isPruned) {
        v.func.erase();
        continue;
      }
      v.func->setAttr("rgnn.variant",
                      StringAttr::get(ctx, v.candidate->description));
      v.func->setAttr("rgnn.cost", StringAttr::get(ctx, v.cost.record()));
      if (first) {
        v.func.setSymName(name);
        first = false;
      } else {
        v.func->setAttr("rgnn.variant_of", StringAttr::get(ctx, name));
      }
    }
    original.erase();
    return success();
  }
};

} // namespace
