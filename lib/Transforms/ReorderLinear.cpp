//===- ReorderLinear.cpp - re-associate products of linear operators ------===//
//
// Moves weight-by-weight products out of per-edge work: an attention vector
// dotted with a projection becomes a projection by the folded weight
// (a . (h W) = h . (W a)), a query dotted with a transformed key moves the
// transform to the query (q . (k A) = (q A^T) . k), and two consecutive
// projections become one by the product weight ((x W1) W2 = x (W1 W2)).
// Each rewrite fires only when the intermediate it removes has no other
// user, so no value another op needs is ever recomputed or lost.
//
//===----------------------------------------------------------------------===//

#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/Transforms/Passes.h"
#include "Hector/Transforms/Rewrites.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::hector {
#define GEN_PASS_DEF_RGNNREORDERLINEAR
#include "Hector/Transforms/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;
using rgnn::Domain;
using rgnn::FeatureType;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// A typed linear by relation that reads a node value at an edge endpoint:
/// the projections whose weight can absorb a neighbouring linear operator.
rgnn::TypedLinearOp endpointProjection(Value v) {
  auto linear = v.getDefiningOp<rgnn::TypedLinearOp>();
  if (!linear || linear.getBy() != rgnn::TypeKind::Relation ||
      linear.getOn() == rgnn::Endpoint::Self || !v.hasOneUse())
    return {};
  return linear;
}

/// The per-relation (or shared) attention vector that `v` reads on every
/// edge: `gather %a by relation`, or a shared tensor.
Value attentionVector(Value v) {
  if (isa<RankedTensorType>(v.getType()))
    return v;
  auto gather = v.getDefiningOp<rgnn::GatherOp>();
  if (gather && gather.getIndex() == rgnn::GatherIndex::Relation)
    return gather.getInput();
  return {};
}

/// `t` (a feature or a shared tensor) with another per-element shape.
Type withShape(Type t, ArrayRef<int64_t> shape) {
  return cast<ShapedType>(t).clone(shape);
}

class Reorderer {
public:
  explicit Reorderer(func::FuncOp func) : func(func) {}

  void run() {
    // Concatenations feeding an attention score are split first, so that
    // each part can fold on its own.
    for (auto ip : collect<rgnn::InnerProductOp>())
      splitConcat(ip);
    for (auto ip : collect<rgnn::InnerProductOp>())
      if (!foldAttention(ip))
        moveKeyTransform(ip);
    for (auto linear : collect<rgnn::TypedLinearOp>())
      mergeChain(linear);
  }

private:
  template <typename OpTy> SmallVector<OpTy> collect() {
    SmallVector<OpTy> ops;
    func.walk([&](OpTy op) { ops.push_back(op); });
    return ops;
  }

  static void eraseIfDead(Value v) {
    if (Operation *op = v ? v.getDefiningOp() : nullptr)
      if (op->use_empty())
        op->erase();
  }

  /// `(L1 || L2 || ...) . a` = `L1 . a1 + L2 . a2 + ...` when the
  /// concatenation is along the contracted dimension and some part is a
  /// projection that foldAttention can absorb.
  void splitConcat(rgnn::InnerProductOp ip) {
    auto concat = ip.getLhs().getDefiningOp<rgnn::ConcatOp>();
    Value attention = ip.getRhs();
    if (!concat || !concat.getResult().hasOneUse())
      return;
    auto gather = attention.getDefiningOp<rgnn::GatherOp>();
    if (!gather || gather.getIndex() != rgnn::GatherIndex::Relation)
      return;
    int64_t dim = concat.getDim();
    if (dim != static_cast<int64_t>(shapeOf(concat.getResult()).size()) - 1)
      return;
    if (llvm::none_of(concat.getInputs(), [](Value part) {
          return static_cast<bool>(endpointProjection(part));
        }))
      return;

    OpBuilder b(ip);
    Location loc = ip.getLoc();
    auto perRelation = cast<FeatureType>(gather.getInput().getType());
    SmallVector<Type> partTypes;
    for (Value part : concat.getInputs())
      partTypes.push_back(perRelation.withShape(shapeOf(part)));
    auto split = rgnn::SplitOp::create(b, loc, partTypes, gather.getInput(),
                                       concat.getDimAttr());
    Value sum;
    for (auto [part, vector] :
         llvm::zip(concat.getInputs(), split.getResults())) {
      auto edgeVector = rgnn::GatherOp::create(
          b, loc, cast<FeatureType>(part.getType()), gather.getGraph(), vector,
          rgnn::GatherIndex::Relation);
      Value term = rgnn::InnerProductOp::create(b, loc, ip.getType(), part,
                                                edgeVector.getResult());
      sum = sum ? rgnn::AddOp::create(b, loc, ip.getType(), sum, term)
                      .getResult()
                : term;
    }
    ip.getResult().replaceAllUsesWith(sum);
    ip.erase();
    concat.erase();
    eraseIfDead(gather.getResult());
  }

  /// `(x W_r) . a_r` -> `x (W_r a_r)`: the attention vector is folded into
  /// the weight once per relation, and the per-edge (or per-pair) product
  /// shrinks from N outputs to one per head.
  bool foldAttention(rgnn::InnerProductOp ip) {
    rgnn::TypedLinearOp linear;
    Value vector;
    Value lhs = ip.getLhs(), rhs = ip.getRhs();
    for (auto [l, a] : {std::pair{lhs, rhs}, std::pair{rhs, lhs}}) {
      if (!isa<FeatureType>(l.getType()))
        continue;
      if ((linear = endpointProjection(l)) && (vector = attentionVector(a)))
        break;
      linear = {};
    }
    if (!linear)
      return false;
    // W: [H, K, N] (or [K, N]) and a: [H, N] (or [N]).
    ArrayRef<int64_t> w = shapeOf(linear.getWeight());
    ArrayRef<int64_t> a = shapeOf(vector);
    if (w.size() != a.size() + 1 || w.back() != a.back() ||
        w.drop_back(2) != a.drop_back())
      return false;

    OpBuilder b(ip);
    Location loc = ip.getLoc();
    auto weightType = cast<FeatureType>(linear.getWeight().getType());
    SmallVector<int64_t> folded(w.drop_back()); // [H, K]
    auto product = rgnn::WeightProductOp::create(
        b, loc, weightType.withShape(folded), linear.getWeight(), vector);
    folded.push_back(1); // [H, K, 1]: one output per head
    auto column = rgnn::ReshapeOp::create(b, loc, weightType.withShape(folded),
                                          product.getResult());
    auto resultType = cast<FeatureType>(linear.getType());
    SmallVector<int64_t> scoreShape(resultType.getShape().drop_back());
    scoreShape.push_back(1);
    auto score = rgnn::TypedLinearOp::create(
        b, loc, resultType.withShape(scoreShape), linear.getGraph(),
        linear.getInput(), column.getResult(), linear.getByAttr(),
        linear.getOnAttr(), linear.getChoiceAttr());
    auto reshaped = rgnn::ReshapeOp::create(b, loc, ip.getType(),
                                            score.getResult());
    Value attention = ip.getLhs() == linear.getResult() ? ip.getRhs()
                                                        : ip.getLhs();
    ip.getResult().replaceAllUsesWith(reshaped.getResult());
    ip.erase();
    linear.erase();
    eraseIfDead(attention);
    return true;
  }

  /// `gather(q, dst) . (k A_r)` -> `(q A_r^T) . gather(k, src)`: HGT's
  /// K W_att Q^T with the relation transform on the query side, so that
  /// it runs per (dst, relation) pair instead of per (src, relation) pair.
  void moveKeyTransform(rgnn::InnerProductOp ip) {
    Value lhs = ip.getLhs(), rhs = ip.getRhs();
    for (auto [query, key] : {std::pair{lhs, rhs}, std::pair{rhs, lhs}}) {
      auto linear = endpointProjection(key);
      auto gather = query.getDefiningOp<rgnn::GatherOp>();
      if (!linear || !gather || linear.getOn() != rgnn::Endpoint::Src ||
          gather.getIndex() != rgnn::GatherIndex::Dst)
        continue;
      // Square per-head transforms keep the key's shape: [H, D] x [H, D, D].
      ArrayRef<int64_t> w = shapeOf(linear.getWeight());
      ArrayRef<int64_t> k = shapeOf(linear.getInput());
      if (w.size() < 2 || w[w.size() - 1] != w[w.size() - 2] ||
          shapeOf(gather.getInput()) != k ||
          k != shapeOf(linear.getResult()))
        continue;
      OpBuilder b(ip);
      Location loc = ip.getLoc();
      auto weightType = cast<FeatureType>(linear.getWeight().getType());
      SmallVector<int64_t> perm;
      for (size_t i = 0; i + 2 < w.size(); ++i)
        perm.push_back(i);
      perm.push_back(w.size() - 1);
      perm.push_back(w.size() - 2);
      auto transposed = rgnn::TransposeOp::create(
          b, loc, weightType, linear.getWeight(), b.getDenseI64ArrayAttr(perm));
      auto edgeType = cast<FeatureType>(linear.getType());
      auto movedQuery = rgnn::TypedLinearOp::create(
          b, loc, edgeType, linear.getGraph(), gather.getInput(),
          transposed.getResult(), linear.getByAttr(),
          rgnn::EndpointAttr::get(b.getContext(), rgnn::Endpoint::Dst),
          linear.getChoiceAttr());
      auto edgeKey = rgnn::GatherOp::create(b, loc, edgeType,
                                            linear.getGraph(),
                                            linear.getInput(),
                                            rgnn::GatherIndex::Src);
      auto score = rgnn::InnerProductOp::create(
          b, loc, ip.getType(), movedQuery.getResult(), edgeKey.getResult());
      ip.getResult().replaceAllUsesWith(score.getResult());
      ip.erase();
      linear.erase();
      eraseIfDead(gather.getResult());
      return;
    }
  }

  /// `(x W1) W2_r` -> `x (W1 W2_r)` for a per-node projection (shared, or
  /// by the node's type) read at an edge endpoint and projected again per
  /// relation, possibly through a split into heads. It fires only when the
  /// merged weight does no more work per row than W2 does (K <= M), so it
  /// never trades the per-node product for a larger per-edge one.
  void mergeChain(rgnn::TypedLinearOp outer) {
    if (outer.getBy() != rgnn::TypeKind::Relation ||
        outer.getOn() == rgnn::Endpoint::Self)
      return;
    Value y = outer.getInput();
    if (!y.hasOneUse())
      return;
    auto reshape = y.getDefiningOp<rgnn::ReshapeOp>();
    Value projected = reshape ? reshape.getInput() : y;
    if (reshape && !projected.hasOneUse())
      return;
    Operation *inner = projected.getDefiningOp();
    Value x, w1;
    bool perNodeType = false;
    if (auto typed = dyn_cast_or_null<rgnn::TypedLinearOp>(inner)) {
      if (typed.getBy() != rgnn::TypeKind::NodeType ||
          typed.getOn() != rgnn::Endpoint::Self)
        return;
      x = typed.getInput();
      w1 = typed.getWeight();
      perNodeType = true;
    } else if (auto shared = dyn_cast_or_null<rgnn::LinearOp>(inner)) {
      x = shared.getInput();
      w1 = shared.getWeight();
    } else {
      return;
    }
    auto xType = cast<FeatureType>(x.getType());
    ArrayRef<int64_t> w1s = shapeOf(w1), w2s = shapeOf(outer.getWeight());
    if (xType.getDomain() != Domain::Node || xType.getShape().size() != 1 ||
        w1s.size() != 2)
      return;
    int64_t k = w1s[0], m = w1s[1];
    // W2: [M, N], or [H, D, N] after a split of M into H heads of D.
    bool heads = w2s.size() == 3;
    if (heads ? (!reshape || w2s[0] * w2s[1] != m ||
                 shapeOf(y) != w2s.drop_back())
              : (reshape || w2s.size() != 2 || w2s[0] != m))
      return;
    if (k > (heads ? w2s[1] : m))
      return;
    auto graphType = cast<rgnn::HeteroGraphType>(outer.getGraph().getType());
    if (perNodeType && !graphType.hasTriples())
      return; // the relation's endpoint type is needed to pick W1

    OpBuilder b(outer);
    Location loc = outer.getLoc();
    auto w2Type = cast<FeatureType>(outer.getWeight().getType());
    Value first = w1;
    if (perNodeType) {
      // W1 of each relation's source (or destination) node type.
      first = rgnn::GatherOp::create(
          b, loc, w2Type.withShape(w1s), outer.getGraph(), w1,
          outer.getOn() == rgnn::Endpoint::Src ? rgnn::GatherIndex::SrcType
                                               : rgnn::GatherIndex::DstType);
    }
    if (heads) {
      // [K, H * D] -> [K, H, D] -> [H, K, D].
      int64_t h = w2s[0], d = w2s[1];
      first = rgnn::ReshapeOp::create(b, loc,
                                      withShape(first.getType(), {k, h, d}),
                                      first);
      first = rgnn::TransposeOp::create(b, loc,
                                        withShape(first.getType(), {h, k, d}),
                                        first, b.getDenseI64ArrayAttr({1, 0, 2}));
    }
    SmallVector<int64_t> merged(w2s);
    merged[merged.size() - 2] = k;
    auto product = rgnn::WeightProductOp::create(
        b, loc, w2Type.withShape(merged), first, outer.getWeight());
    auto replacement = rgnn::TypedLinearOp::create(
        b, loc, outer.getType(), outer.getGraph(), x, product.getResult(),
        outer.getByAttr(), outer.getOnAttr(), outer.getChoiceAttr());
    outer.getResult().replaceAllUsesWith(replacement.getResult());
    outer.erase();
    if (reshape)
      reshape.erase();
    inner->erase();
  }

  func::FuncOp func;
};

struct RGNNReorderLinearPass
    : public hector::impl::RGNNReorderLinearBase<RGNNReorderLinearPass> {
  void runOnOperation() override {
    reorderLinear(getOperation());
  }
};

} // namespace

void mlir::hector::reorderLinear(func::FuncOp func) {
  if (func.getBody().hasOneBlock())
    Reorderer(func).run();
}
