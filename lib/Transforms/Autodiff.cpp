//===- Autodiff.cpp - generate backward programs of rgnn functions --------===//
//
// Reverse-mode differentiation on rgnn IR. A backward function clones the
// forward, appends the output gradient as an argument, walks the ops
// backwards accumulating adjoints with rgnn ops, and returns the adjoints of
// its arguments: all of them at once (f__backward), or one (f__grad<i>).
// The gradient is rgnn IR like the forward, so compaction, reordering,
// re-association and the templates apply to it.
//
//===----------------------------------------------------------------------===//

#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/InterleavedRange.h"

namespace mlir::hector {
#define GEN_PASS_DEF_RGNNAUTODIFF
#include "Hector/Transforms/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;
using rgnn::Domain;
using rgnn::Endpoint;
using rgnn::FeatureType;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// A scalar shared-tensor constant, for broadcasting in elementwise ops.
Value scalar(OpBuilder &b, Location loc, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(elementType, value)));
}

/// The permutation that swaps the last two dimensions of a rank-`rank`
/// per-element shape.
SmallVector<int64_t> swapLastTwo(int64_t rank) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return perm;
}

SmallVector<int64_t> permuted(ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> perm) {
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shape[p]);
  return out;
}

/// Emits the adjoints of one function's ops, in reverse program order.
class Backward {
public:
  Backward(OpBuilder &b, Value graph, const DenseSet<Value> &active)
      : b(b), graph(graph), active(active) {}

  /// Propagates the adjoint of `op`'s result into its active operands.
  LogicalResult visit(Operation *op);

  /// The adjoint of `v`, or null when nothing flowed into it.
  Value adjoint(Value v) const { return adjoints.lookup(v); }
  void seed(Value v, Value d) { adjoints[v] = d; }

private:
  void accumulate(Value v, Value contribution);
  bool isActive(Value v) const { return active.contains(v); }

  // Builders of the backward ops.
  Value gather(Value x, rgnn::GatherIndex index, FeatureType to);
  Value aggregate(Value x, Endpoint to, FeatureType resultType);
  Value transposeLastTwo(Value w);
  Value outer(Value lhs, Value rhs);
  Value reshape(Value v, ArrayRef<int64_t> shape);
  Value transpose(Value v, ArrayRef<int64_t> perm);
  /// For a weight `[H, K, N]` applied to one `[K]` vector (every head's
  /// matrix), the equivalent single matrix `[K, H * N]` and the gradient
  /// `[H * N]`; otherwise `w` and `d` unchanged.
  std::pair<Value, Value> flattenHeads(Value x, Value w, Value d);
  /// The gradient of a flattened weight, back in the weight's shape.
  Value unflattenHeads(Value dw, Type weightType);
  /// `d` reduced to the type of `operand` of an elementwise binary op: the
  /// same value, or a domain sum for a shared tensor operand.
  FailureOr<Value> reduceTo(Operation *op, Value operand, Value d);

  LogicalResult visitGather(rgnn::GatherOp op, Value d);
  LogicalResult visitAggregate(rgnn::AggregateOp op, Value d);
  LogicalResult visitTypedLinear(rgnn::TypedLinearOp op, Value d);
  LogicalResult visitLinear(rgnn::LinearOp op, Value d);
  LogicalResult visitBinary(Operation *op, Value d);
  LogicalResult visitScale(rgnn::ScaleOp op, Value d);
  LogicalResult visitInnerProduct(rgnn::InnerProductOp op, Value d);
  LogicalResult visitWeightProduct(rgnn::WeightProductOp op, Value d);
  /// `weight_product(lhs, rhs)` of result shape `shape`: per type when
  /// either operand is, else a shared tensor.
  Value product(Value lhs, Value rhs, ArrayRef<int64_t> shape);
  LogicalResult visitEdgeSoftmax(rgnn::EdgeSoftmaxOp op, Value d);
  LogicalResult visitUnary(Operation *op, Value d);

  OpBuilder &b;
  Value graph;
  const DenseSet<Value> &active;
  DenseMap<Value, Value> adjoints;
};

void Backward::accumulate(Value v, Value contribution) {
  Value &slot = adjoints[v];
  if (!slot) {
    slot = contribution;
    return;
  }
  slot = rgnn::AddOp::create(b, v.getLoc(), v.getType(), slot, contribution);
}

Value Backward::gather(Value x, rgnn::GatherIndex index, FeatureType to) {
  return rgnn::GatherOp::create(b, x.getLoc(), to, graph, x, index);
}

Value Backward::aggregate(Value x, Endpoint to, FeatureType resultType) {
  return rgnn::AggregateOp::create(b, x.getLoc(), resultType, graph, x,
                                   rgnn::Reduction::Sum, to, IntegerAttr());
}

Value Backward::transposeLastTwo(Value w) {
  return transpose(w, swapLastTwo(shapeOf(w).size()));
}

Value Backward::outer(Value lhs, Value rhs) {
  auto l = cast<FeatureType>(lhs.getType());
  SmallVector<int64_t> shape(l.getShape());
  shape.push_back(shapeOf(rhs).back());
  return rgnn::OuterProductOp::create(b, lhs.getLoc(), l.withShape(shape),
                                      lhs, rhs);
}

Value Backward::reshape(Value v, ArrayRef<int64_t> shape) {
  Type type = cast<ShapedType>(v.getType()).clone(shape);
  return rgnn::ReshapeOp::create(b, v.getLoc(), type, v);
}

Value Backward::transpose(Value v, ArrayRef<int64_t> perm) {
  Type type = cast<ShapedType>(v.getType()).clone(permuted(shapeOf(v), perm));
  return rgnn::TransposeOp::create(b, v.getLoc(), type, v, perm);
}

std::pair<Value, Value> Backward::flattenHeads(Value x, Value w, Value d) {
  ArrayRef<int64_t> ws = shapeOf(w);
  if (shapeOf(x).size() != 1 || ws.size() != 3)
    return {w, d};
  int64_t h = ws[0], k = ws[1], n = ws[2];
  Value flat = reshape(transpose(w, {1, 0, 2}), {k, h * n});
  return {flat, reshape(d, {h * n})};
}

Value Backward::unflattenHeads(Value dw, Type weightType) {
  ArrayRef<int64_t> ws = cast<ShapedType>(weightType).getShape();
  if (shapeOf(dw) == ws)
    return dw;
  return transpose(reshape(dw, {ws[1], ws[0], ws[2]}), {1, 0, 2});
}

FailureOr<Value> Backward::reduceTo(Operation *op, Value operand, Value d) {
  if (operand.getType() == d.getType())
    return d;
  auto tensor = cast<RankedTensorType>(operand.getType());
  if (tensor.getShape() != shapeOf(d))
    return op->emitOpError("rgnn-autodiff: the gradient of a shared tensor "
                           "broadcast over a larger per-element shape is not "
                           "supported yet");
  return Value(rgnn::DomainSumOp::create(b, op->getLoc(), tensor, d));
}

LogicalResult Backward::visitGather(rgnn::GatherOp op, Value d) {
  Value x = op.getInput();
  if (!isActive(x))
    return success();
  FeatureType in = op.getInput().getType();
  Location loc = op.getLoc();
  switch (op.getIndex()) {
  case rgnn::GatherIndex::Src:
  case rgnn::GatherIndex::Dst:
  case rgnn::GatherIndex::SrcRel:
  case rgnn::GatherIndex::DstRel: {
    // Summed back onto the node or pair each element was read from.
    bool src = op.getIndex() == rgnn::GatherIndex::Src ||
               op.getIndex() == rgnn::GatherIndex::SrcRel;
    accumulate(x, aggregate(d, src ? Endpoint::Src : Endpoint::Dst, in));
    return success();
  }
  case rgnn::GatherIndex::Relation:
    accumulate(x, rgnn::RelationSumOp::create(b, loc, in, graph, d));
    return success();
  case rgnn::GatherIndex::NodeType:
    accumulate(x, rgnn::NodeTypeSumOp::create(b, loc, in, graph, d));
    return success();
  default:
    return op.emitOpError("rgnn-autodiff: no gradient for a gather by ")
           << rgnn::stringifyGatherIndex(op.getIndex()) << " yet";
  }
}

LogicalResult Backward::visitAggregate(rgnn::AggregateOp op, Value d) {
  Value x = op.getInput();
  if (!isActive(x))
    return success();
  if (op.getChoice())
    return op.emitOpError("rgnn-autodiff: differentiate before "
                          "rgnn-reassociate ('choice' aggregations)");
  FeatureType in = op.getInput().getType(), out = op.getType();
  Location loc = op.getLoc();
  bool toDst = op.getTo() == Endpoint::Dst;
  if (op.getReduction() == rgnn::Reduction::Mean) {
    // d / n per result element; every element read back has n >= 1.
    FeatureType countType = out.withShape({});
    Value n = rgnn::DegreeOp::create(b, loc, countType, graph,
                                     in.getDomain(), op.getTo());
    Value inv = rgnn::DivOp::create(
        b, loc, countType, scalar(b, loc, out.getElementType(), 1.0), n);
    // scale multiplies by one scalar per innermost vector: flatten.
    int64_t flat = 1;
    for (int64_t s : out.getShape())
      flat *= s;
    Value v = out.getShape().size() == 1 ? d : reshape(d, {flat});
    v = rgnn::ScaleOp::create(b, loc, v.getType(), inv, v);
    d = out.getShape().size() == 1 ? v : reshape(v, out.getShape());
  }
  rgnn::GatherIndex index;
  if (out.getDomain() == Domain::Node)
    index = toDst ? rgnn::GatherIndex::Dst : rgnn::GatherIndex::Src;
  else
    index = toDst ? rgnn::GatherIndex::DstRel : rgnn::GatherIndex::SrcRel;
  if (op.getReduction() == rgnn::Reduction::Max) {
    // The inputs equal to their element's maximum share its gradient
    // evenly (as torch's amax does): d / ties, read back where equal.
    // Every element read back has a tie count of at least 1.
    Value hit =
        rgnn::EqualOp::create(b, loc, in, x, gather(op.getResult(), index, in));
    Value ties = aggregate(hit, op.getTo(), out);
    Value share = rgnn::DivOp::create(b, loc, out, d, ties);
    accumulate(x,
               rgnn::MulOp::create(b, loc, in, gather(share, index, in), hit));
    return success();
  }
  accumulate(x, gather(d, index, in));
  return success();
}

LogicalResult Backward::visitTypedLinear(rgnn::TypedLinearOp op, Value d) {
  Value x = op.getInput(), w = op.getWeight();
  FeatureType in = op.getInput().getType();
  Location loc = op.getLoc();
  if (op.getChoice())
    return op.emitOpError("rgnn-autodiff: differentiate before "
                          "rgnn-reassociate ('choice' typed linears)");
  // Every head's matrix applied to one vector is one wider matrix.
  auto [wFlat, dFlat] = flattenHeads(x, w, d);
  auto out = cast<FeatureType>(dFlat.getType());
  bool byRelation = op.getBy() == rgnn::TypeKind::Relation;
  Endpoint on = op.getOn();
  // With an endpoint, per-edge gradients are first summed per unique
  // (endpoint, relation) pair (by relation) or per node (by node type): the
  // weights do not vary within those, so the backward transforms and
  // outer products run once per pair or node.
  Value dRows = dFlat, xRows = x;
  Domain rowDomain = out.getDomain();
  if (on != Endpoint::Self && out.getDomain() == Domain::Edge) {
    rowDomain = byRelation ? (on == Endpoint::Src ? Domain::SrcRel
                                                  : Domain::DstRel)
                           : Domain::Node;
    dRows = aggregate(dFlat, on, out.withDomain(rowDomain));
  }
  if (on != Endpoint::Self && rowDomain != Domain::Node)
    xRows = gather(x,
                   on == Endpoint::Src ? rgnn::GatherIndex::Src
                                       : rgnn::GatherIndex::Dst,
                   in.withDomain(rowDomain));
  if (isActive(x)) {
    Value dx = rgnn::TypedLinearOp::create(
        b, loc, in.withDomain(rowDomain), graph, dRows,
        transposeLastTwo(wFlat), op.getBy(), Endpoint::Self, IntegerAttr());
    if (rowDomain != in.getDomain())
      dx = aggregate(dx, on, in);
    accumulate(x, dx);
  }
  if (isActive(w)) {
    Value products = outer(xRows, dRows);
    auto wType = cast<FeatureType>(w.getType()).withShape(shapeOf(wFlat));
    Value dw = byRelation
                   ? Value(rgnn::RelationSumOp::create(b, loc, wType, graph,
                                                       products))
                   : Value(rgnn::NodeTypeSumOp::create(b, loc, wType, graph,
                                                       products));
    accumulate(w, unflattenHeads(dw, w.getType()));
  }
  return success();
}

LogicalResult Backward::visitLinear(rgnn::LinearOp op, Value d) {
  Value x = op.getInput(), w = op.getWeight();
  FeatureType in = op.getInput().getType();
  Location loc = op.getLoc();
  auto [wFlat, dFlat] = flattenHeads(x, w, d);
  if (isActive(x))
    accumulate(x, rgnn::LinearOp::create(b, loc, in, dFlat,
                                         transposeLastTwo(wFlat)));
  if (isActive(w)) {
    auto flatType = RankedTensorType::get(
        shapeOf(wFlat), cast<ShapedType>(w.getType()).getElementType());
    Value dw = rgnn::DomainSumOp::create(b, loc, flatType, outer(x, dFlat));
    accumulate(w, unflattenHeads(dw, w.getType()));
  }
  return success();
}

LogicalResult Backward::visitBinary(Operation *op, Value d) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Value out = op->getResult(0);
  Location loc = op->getLoc();
  Type type = out.getType();
  auto contribute = [&](Value operand, Value g) -> LogicalResult {
    FailureOr<Value> reduced = reduceTo(op, operand, g);
    if (failed(reduced))
      return failure();
    accumulate(operand, *reduced);
    return success();
  };
  if (isa<rgnn::AddOp>(op)) {
    if (isActive(lhs) && failed(contribute(lhs, d)))
      return failure();
    if (isActive(rhs) && failed(contribute(rhs, d)))
      return failure();
    return success();
  }
  if (isa<rgnn::SubOp>(op)) {
    if (isActive(lhs) && failed(contribute(lhs, d)))
      return failure();
    if (isActive(rhs) &&
        failed(contribute(rhs, rgnn::NegOp::create(b, loc, type, d))))
      return failure();
    return success();
  }
  if (isa<rgnn::MulOp>(op)) {
    if (isActive(lhs) &&
        failed(contribute(lhs, rgnn::MulOp::create(b, loc, type, d, rhs))))
      return failure();
    if (isActive(rhs) &&
        failed(contribute(rhs, rgnn::MulOp::create(b, loc, type, d, lhs))))
      return failure();
    return success();
  }
  // Div: d(l / r) = dl / r - d * (l / r) / r.
  Value dl = rgnn::DivOp::create(b, loc, type, d, rhs);
  if (isActive(lhs) && failed(contribute(lhs, dl)))
    return failure();
  if (isActive(rhs)) {
    Value t = rgnn::MulOp::create(b, loc, type, dl, out);
    if (failed(contribute(rhs, rgnn::NegOp::create(b, loc, type, t))))
      return failure();
  }
  return success();
}

LogicalResult Backward::visitScale(rgnn::ScaleOp op, Value d) {
  Value s = op.getScalar(), v = op.getVector();
  Location loc = op.getLoc();
  if (isActive(v))
    accumulate(v, rgnn::ScaleOp::create(b, loc, v.getType(), s, d));
  if (isActive(s)) {
    if (!isa<FeatureType>(s.getType()))
      return op.emitOpError("rgnn-autodiff: the gradient of a shared-tensor "
                            "scale is not supported yet");
    accumulate(s, rgnn::InnerProductOp::create(b, loc, s.getType(), d, v));
  }
  return success();
}

LogicalResult Backward::visitInnerProduct(rgnn::InnerProductOp op, Value d) {
  Value l = op.getLhs(), r = op.getRhs();
  Location loc = op.getLoc();
  if (isActive(l)) {
    if (!isa<FeatureType>(r.getType()))
      return op.emitOpError("rgnn-autodiff: the gradient of an inner product "
                            "with a shared tensor is not supported yet");
    accumulate(l, rgnn::ScaleOp::create(b, loc, l.getType(), d, r));
  }
  if (isActive(r)) {
    Value g = rgnn::ScaleOp::create(b, loc, l.getType(), d, l);
    FailureOr<Value> reduced = reduceTo(op, r, g);
    if (failed(reduced))
      return failure();
    accumulate(r, *reduced);
  }
  return success();
}

Value Backward::product(Value lhs, Value rhs, ArrayRef<int64_t> shape) {
  // The per-type operand's type, or the shared one's when both are shared.
  Value perType = isa<FeatureType>(lhs.getType()) ? lhs : rhs;
  Type type = cast<ShapedType>(perType.getType()).clone(shape);
  return rgnn::WeightProductOp::create(b, lhs.getLoc(), type, lhs, rhs);
}

LogicalResult Backward::visitWeightProduct(rgnn::WeightProductOp op, Value d) {
  Value l = op.getLhs(), r = op.getRhs();
  ArrayRef<int64_t> ls = shapeOf(l), rs = shapeOf(r), ds = shapeOf(d);
  Value dl, dr;
  if (ls.size() == 1) {
    // Basis combination out = sum_k l[k] r[k, D...], with D... flattened:
    // dl = r2 . d2 (matrix-vector), dr = l (x) d2 (a [K,1] x [1,D] product).
    int64_t k = ls[0], n = ShapedType::getNumElements(ds);
    Value r2 = reshape(r, {k, n}), d2 = reshape(d, {n});
    if (isActive(l))
      dl = product(r2, d2, {k});
    if (isActive(r))
      dr =
          reshape(product(reshape(l, {k, 1}), reshape(d2, {1, n}), {k, n}), rs);
  } else if (rs.size() == ls.size()) {
    // [B..., M, K] x [B..., K, N]: dl = d . r^T, dr = l^T . d.
    if (isActive(l))
      dl = product(d, transposeLastTwo(r), ls);
    if (isActive(r))
      dr = product(transposeLastTwo(l), d, rs);
  } else {
    // [B..., M, K] x [B..., K] -> [B..., M]: dl = d (x) r (a [.., M, 1] x
    // [.., 1, K] product), dr = l^T . d.
    SmallVector<int64_t> dCol(ds), rRow(rs);
    dCol.push_back(1);
    rRow.insert(rRow.end() - 1, 1);
    if (isActive(l))
      dl = product(reshape(d, dCol), reshape(r, rRow), ls);
    if (isActive(r))
      dr = product(transposeLastTwo(l), d, rs);
  }
  // A shared operand's gradient is summed over the other's types.
  for (auto [operand, g] : {std::pair{l, dl}, std::pair{r, dr}}) {
    if (!g)
      continue;
    FailureOr<Value> reduced = reduceTo(op, operand, g);
    if (failed(reduced))
      return failure();
    accumulate(operand, *reduced);
  }
  return success();
}

LogicalResult Backward::visitEdgeSoftmax(rgnn::EdgeSoftmaxOp op, Value d) {
  Value x = op.getInput(), y = op.getResult();
  if (!isActive(x))
    return success();
  Location loc = op.getLoc();
  auto type = cast<FeatureType>(y.getType());
  // dx = y * (d - sum over the destination's edges of d * y).
  Value dy = rgnn::MulOp::create(b, loc, type, d, y);
  Value perNode = aggregate(dy, Endpoint::Dst, type.withDomain(Domain::Node));
  Value back = gather(perNode, rgnn::GatherIndex::Dst, type);
  Value diff = rgnn::SubOp::create(b, loc, type, d, back);
  accumulate(x, rgnn::MulOp::create(b, loc, type, y, diff));
  return success();
}

LogicalResult Backward::visitUnary(Operation *op, Value d) {
  Value x = op->getOperand(0), y = op->getResult(0);
  if (!isActive(x))
    return success();
  Location loc = op->getLoc();
  Type type = y.getType();
  Type element = cast<ShapedType>(type).getElementType();
  Value g;
  if (isa<rgnn::NegOp>(op)) {
    g = rgnn::NegOp::create(b, loc, type, d);
  } else if (isa<rgnn::ExpOp>(op)) {
    g = rgnn::MulOp::create(b, loc, type, d, y);
  } else if (isa<rgnn::SigmoidOp, rgnn::TanhOp>(op)) {
    // sigmoid' = y (1 - y), tanh' = 1 - y^2.
    Value one = scalar(b, loc, element, 1.0);
    Value slope =
        isa<rgnn::SigmoidOp>(op)
            ? Value(rgnn::MulOp::create(
                  b, loc, type, y, rgnn::SubOp::create(b, loc, type, one, y)))
            : Value(rgnn::SubOp::create(
                  b, loc, type, one, rgnn::MulOp::create(b, loc, type, y, y)));
    g = rgnn::MulOp::create(b, loc, type, d, slope);
  } else if (isa<rgnn::ReluOp, rgnn::LeakyReluOp, rgnn::GeluOp>(op)) {
    rgnn::Activation kind = isa<rgnn::ReluOp>(op) ? rgnn::Activation::Relu
                            : isa<rgnn::LeakyReluOp>(op)
                                ? rgnn::Activation::LeakyRelu
                                : rgnn::Activation::Gelu;
    auto leaky = dyn_cast<rgnn::LeakyReluOp>(op);
    g = rgnn::ActivationGradOp::create(
        b, loc, type, rgnn::ActivationAttr::get(b.getContext(), kind), x, d,
        leaky ? leaky.getAlphaAttr() : b.getF64FloatAttr(0.01));
  } else if (auto reshape = dyn_cast<rgnn::ReshapeOp>(op)) {
    g = rgnn::ReshapeOp::create(b, loc, x.getType(), d);
  } else if (auto transpose = dyn_cast<rgnn::TransposeOp>(op)) {
    ArrayRef<int64_t> perm = transpose.getPermutation();
    SmallVector<int64_t> inverse(perm.size());
    for (auto [i, p] : llvm::enumerate(perm))
      inverse[p] = static_cast<int64_t>(i);
    g = rgnn::TransposeOp::create(b, loc, x.getType(), d, inverse);
  } else {
    return op->emitOpError("rgnn-autodiff: no gradient rule for '")
           << op->getName() << "' yet";
  }
  accumulate(x, g);
  return success();
}

LogicalResult Backward::visit(Operation *op) {
  if (!llvm::any_of(op->getResults(),
                    [&](Value r) { return adjoint(r); }) ||
      !llvm::any_of(op->getOperands(),
                    [&](Value v) { return isActive(v); }))
    return success();
  // Every rule below is for one result; an adjoint that reached another
  // op's results must not be dropped.
  if (op->getNumResults() != 1)
    return op->emitOpError("rgnn-autodiff: no gradient rule for '")
           << op->getName() << "' yet";
  Value d = adjoint(op->getResult(0));
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](rgnn::GatherOp o) { return visitGather(o, d); })
      .Case([&](rgnn::AggregateOp o) { return visitAggregate(o, d); })
      .Case([&](rgnn::TypedLinearOp o) { return visitTypedLinear(o, d); })
      .Case([&](rgnn::LinearOp o) { return visitLinear(o, d); })
      .Case<rgnn::AddOp, rgnn::SubOp, rgnn::MulOp, rgnn::DivOp>(
          [&](Operation *o) { return visitBinary(o, d); })
      .Case([&](rgnn::ScaleOp o) { return visitScale(o, d); })
      .Case([&](rgnn::InnerProductOp o) { return visitInnerProduct(o, d); })
      .Case([&](rgnn::EdgeSoftmaxOp o) { return visitEdgeSoftmax(o, d); })
      .Case([&](rgnn::WeightProductOp o) { return visitWeightProduct(o, d); })
      // Piecewise constant: no gradient flows through.
      .Case([](rgnn::EqualOp) { return success(); })
      .Case([&](rgnn::ConcatOp o) {
        // The pieces of the gradient, split where the inputs were joined.
        auto split = rgnn::SplitOp::create(b, o.getLoc(),
                                           o.getInputs().getTypes(), d,
                                           o.getDimAttr());
        for (auto [input, piece] :
             llvm::zip(o.getInputs(), split.getResults()))
          if (isActive(input))
            accumulate(input, piece);
        return success();
      })
      .Case<rgnn::NegOp, rgnn::ExpOp, rgnn::SigmoidOp, rgnn::TanhOp,
            rgnn::ReluOp, rgnn::LeakyReluOp, rgnn::GeluOp, rgnn::ReshapeOp,
            rgnn::TransposeOp>([&](Operation *o) { return visitUnary(o, d); })
      .Default([](Operation *o) {
        return o->emitOpError("rgnn-autodiff: no gradient rule for '")
               << o->getName() << "' yet";
      });
}

/// Values that depend on any of `wrt` (forward data flow within the block).
DenseSet<Value> activeValues(func::FuncOp func, ValueRange wrt) {
  DenseSet<Value> active(wrt.begin(), wrt.end());
  for (Operation &op : func.getBody().front())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.contains(v); }))
      for (Value r : op.getResults())
        active.insert(r);
  return active;
}

/// Per-edge or per-pair values at most this wide are saved by
/// `forward-values=saved`; wider ones (messages) are recomputed.
constexpr int64_t kMaxSavedEdgeElements = 16;

/// Whether `forward-values=saved` keeps `v` rather than recomputing it.
bool worthSaving(Value v) {
  auto type = dyn_cast<FeatureType>(v.getType());
  if (!type)
    return false; // Constants and shared tensors: cheap to recompute.
  switch (type.getDomain()) {
  case Domain::Edge:
  case Domain::SrcRel:
  case Domain::DstRel:
    return type.getNumElements() <= kMaxSavedEdgeElements;
  default:
    return true;
  }
}

/// Erases ops whose results are unused, last first.
void eraseDeadOps(func::FuncOp func) {
  Block &body = func.getBody().front();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (!op.hasTrait<OpTrait::IsTerminator>() && op.use_empty() &&
        isPure(&op))
      op.erase();
}

struct RGNNAutodiffPass
    : public hector::impl::RGNNAutodiffBase<RGNNAutodiffPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (gradients != "per-argument" && gradients != "combined" &&
        gradients != "both") {
      module.emitError("rgnn-autodiff: unknown gradients '")
          << gradients << "'; expected per-argument, combined or both";
      return signalPassFailure();
    }
    if (forwardValues != "recomputed" && forwardValues != "saved") {
      module.emitError("rgnn-autodiff: unknown forward-values '")
          << forwardValues << "'; expected recomputed or saved";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> sources;
    for (auto func : module.getOps<func::FuncOp>()) {
      bool named = llvm::is_contained(functions, func.getSymName().str());
      bool isRGNN = llvm::any_of(func.getArgumentTypes(), [](Type t) {
        return isa<rgnn::HeteroGraphType>(t);
      });
      if (!functions.empty() ? named
                             : isRGNN && !func->hasAttr("rgnn.gradient_of") &&
                                   !func->hasAttr("rgnn.variant_of") &&
                                   !func->hasAttr("rgnn.forward_of"))
        sources.push_back(func);
    }
    for (const std::string &name : functions)
      if (!module.lookupSymbol<func::FuncOp>(name)) {
        module.emitError("rgnn-autodiff: no function '") << name << "'";
        return signalPassFailure();
      }
    for (func::FuncOp func : sources)
      if (failed(differentiate(func)))
        return signalPassFailure();
  }

  LogicalResult differentiate(func::FuncOp func) {
    FunctionType type = func.getFunctionType();
    if (type.getNumResults() != 1 || !func.getBody().hasOneBlock())
      return func.emitError("rgnn-autodiff: differentiates functions of one "
                            "block with one result");
    if (!llvm::any_of(func.getArgumentTypes(),
                      [](Type t) { return isa<rgnn::HeteroGraphType>(t); }))
      return func.emitError("rgnn-autodiff: the function takes no graph");
    SmallVector<unsigned> allFloatArgs;
    for (unsigned i = 0; i < type.getNumInputs(); ++i) {
      auto argType = dyn_cast<ShapedType>(type.getInput(i));
      if (argType && isa<FloatType>(argType.getElementType()))
        allFloatArgs.push_back(i);
    }
    SmallVector<unsigned> floatArgs = allFloatArgs;
    if (!wrt.empty()) {
      // Only the arguments asked for, in argument order.
      for (unsigned i : wrt)
        if (!llvm::is_contained(floatArgs, i))
          return func.emitError("rgnn-autodiff: wrt=")
                 << i << " is not a float argument of @" << func.getSymName()
                 << " (its float arguments are " << llvm::interleaved(floatArgs)
                 << ")";
      llvm::erase_if(floatArgs,
                     [&](unsigned i) { return !llvm::is_contained(wrt, i); });
    }
    Operation *after = func;
    OpBuilder ab(func.getContext());
    SmallVector<Value> saved;
    if (forwardValues == "saved" && !floatArgs.empty()) {
      FailureOr<func::FuncOp> forward =
          savingForward(func, allFloatArgs, saved);
      if (failed(forward))
        return failure();
      after = *forward;
    }
    if (gradients != "combined")
      for (unsigned i : floatArgs) {
        FailureOr<func::FuncOp> grad = backwardFunction(
            func, i, (func.getSymName() + "__grad" + Twine(i)).str(), after,
            saved);
        if (failed(grad))
          return failure();
        (*grad)->setAttr("rgnn.wrt", ab.getI64IntegerAttr(i));
        after = *grad;
      }
    if (gradients != "per-argument" && !floatArgs.empty()) {
      FailureOr<func::FuncOp> grad = backwardFunction(
          func, floatArgs, (func.getSymName() + "__backward").str(), after,
          saved);
      if (failed(grad))
        return failure();
      SmallVector<int64_t> wrt(floatArgs.begin(), floatArgs.end());
      (*grad)->setAttr("rgnn.wrt", ab.getDenseI64ArrayAttr(wrt));
    }
    return success();
  }

  /// Adds `f__forward` after `func`: `func` also returning the values of
  /// `func` that the gradient of every float argument (`allFloatArgs`)
  /// reads and that are worth saving, which it appends to `saved`.
  FailureOr<func::FuncOp> savingForward(func::FuncOp func,
                                        ArrayRef<unsigned> allFloatArgs,
                                        SmallVectorImpl<Value> &saved) {
    // A backward that recomputes everything shows which values it reads.
    FailureOr<func::FuncOp> probe = backwardFunction(
        func, allFloatArgs, (func.getSymName() + "__probe").str(), func, {},
        &saved);
    if (failed(probe))
      return failure();
    probe->erase();

    IRMapping map;
    auto forward = cast<func::FuncOp>(func->clone(map));
    forward.setSymName((func.getSymName() + "__forward").str());
    OpBuilder b(func.getContext());
    forward->setAttr("rgnn.forward_of", b.getStringAttr(func.getSymName()));
    forward->setAttr("rgnn.saved", b.getI64IntegerAttr(saved.size()));
    auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    for (Value v : saved)
      results.push_back(map.lookup(v));
    b.setInsertionPoint(ret);
    func::ReturnOp::create(b, ret.getLoc(), results);
    ret.erase();
    forward.setFunctionType(FunctionType::get(func.getContext(),
                                              func.getArgumentTypes(),
                                              ValueRange(results).getTypes()));
    func->getBlock()->getOperations().insertAfter(func->getIterator(), forward);
    return forward;
  }

  /// Adds `name`, the gradients of `func` with respect to the arguments
  /// `wrtIndices` (one result each, in that order) given the output
  /// gradient, after `after`. The forward is cloned once and the adjoints
  /// of all arguments share its backward sweep. The values `saved` of
  /// `func` are arguments (after the forward's) instead of recomputed.
  /// `reads`, if given, gets the values of `func` the backward reads that
  /// are worth saving.
  FailureOr<func::FuncOp>
  backwardFunction(func::FuncOp func, ArrayRef<unsigned> wrtIndices,
                   StringRef name, Operation *after, ArrayRef<Value> saved,
                   SmallVectorImpl<Value> *reads = nullptr) {
    MLIRContext *ctx = func.getContext();
    FunctionType type = func.getFunctionType();
    SmallVector<Type> inputs(type.getInputs());
    for (Value v : saved)
      inputs.push_back(v.getType());
    inputs.push_back(type.getResult(0));
    SmallVector<Type> results;
    for (unsigned i : wrtIndices)
      results.push_back(type.getInput(i));
    OpBuilder mb(ctx);
    mb.setInsertionPointAfter(after);
    auto grad = func::FuncOp::create(mb, func.getLoc(), name,
                                     FunctionType::get(ctx, inputs, results));
    grad->setAttr("rgnn.gradient_of", mb.getStringAttr(func.getSymName()));
    // Whether the forward values the backward reads are recomputed in this
    // function or passed in from f__forward.
    if (forwardValues == "recomputed") {
      grad->setAttr("rgnn.forward_values", mb.getStringAttr("recomputed"));
    } else {
      grad->setAttr("rgnn.forward_values", mb.getStringAttr("saved"));
      grad->setAttr("rgnn.saved_from",
                    mb.getStringAttr(func.getSymName() + "__forward"));
    }
    Block *entry = grad.addEntryBlock();

    // The forward body, then the backward ops.
    IRMapping map;
    for (auto [from, to] :
         llvm::zip(func.getArguments(), entry->getArguments()))
      map.map(from, to);
    OpBuilder b = OpBuilder::atBlockEnd(entry);
    Value result;
    DenseSet<Operation *> forwardOps;
    DenseMap<Value, Value> original;
    for (Operation &op : func.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        result = map.lookup(ret.getOperand(0));
        continue;
      }
      Operation *clone = b.clone(op, map);
      forwardOps.insert(clone);
      for (auto [from, to] : llvm::zip(op.getResults(), clone->getResults()))
        original[to] = from;
    }
    Value graph;
    for (BlockArgument arg : entry->getArguments())
      if (isa<rgnn::HeteroGraphType>(arg.getType()))
        graph = arg;
    SmallVector<Value> wrtArgs;
    for (unsigned i : wrtIndices)
      wrtArgs.push_back(entry->getArgument(i));
    DenseSet<Value> active = activeValues(grad, wrtArgs);
    Backward backward(b, graph, active);
    backward.seed(result, entry->getArguments().back());
    SmallVector<Operation *> forward;
    for (Operation &op : *entry)
      forward.push_back(&op);
    for (Operation *op : llvm::reverse(forward))
      if (failed(backward.visit(op))) {
        grad.erase();
        return failure();
      }

    SmallVector<Value> gradients;
    for (unsigned i : wrtIndices) {
      Value wrt = entry->getArgument(i);
      Value gradient = backward.adjoint(wrt);
      if (!gradient) {
        // The result does not depend on the argument: zeros.
        auto shaped = cast<ShapedType>(wrt.getType());
        Type elementType = shaped.getElementType();
        if (isa<FeatureType>(wrt.getType()))
          gradient =
              rgnn::MulOp::create(b, func.getLoc(), wrt.getType(), wrt,
                                  scalar(b, func.getLoc(), elementType, 0.0));
        else
          gradient = arith::ConstantOp::create(
              b, func.getLoc(),
              DenseElementsAttr::get(cast<RankedTensorType>(shaped),
                                     b.getFloatAttr(elementType, 0.0)));
      }
      gradients.push_back(gradient);
    }
    func::ReturnOp::create(b, func.getLoc(), gradients);
    // Saved values replace their recomputation, which is then dead.
    for (auto [k, v] : llvm::enumerate(saved))
      map.lookup(v).replaceAllUsesWith(
          entry->getArgument(type.getNumInputs() + k));
    eraseDeadOps(grad);
    if (reads) {
      // The forward's values that backward ops (or the results) read.
      for (Operation &op : *entry) {
        if (!forwardOps.contains(&op))
          continue;
        for (Value r : op.getResults())
          if (worthSaving(r) &&
              llvm::any_of(r.getUsers(), [&](Operation *user) {
                return !forwardOps.contains(user);
              }))
            reads->push_back(original.lookup(r));
      }
    }
    return grad;
  }
};

} // namespace
