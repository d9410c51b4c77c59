//===- RGNNOps.cpp - rgnn op verifiers, folds and canonicalizations -------===//
//
// Verifier messages name the offending operand ('input', 'weight', ...) and
// say which domain or per-element shape was expected.
//
//===----------------------------------------------------------------------===//

#include "Hector/Dialect/RGNN/IR/RGNN.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::hector::rgnn;

#define GET_OP_CLASSES
#include "Hector/Dialect/RGNN/IR/RGNNOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {


/// Formats a per-element type: "4x16xf32", or "f32" for a scalar.
std::string elementStr(ArrayRef<int64_t> shape, Type elementType) {
  std::string s;
  llvm::raw_string_ostream os(s);
  for (int64_t dim : shape)
    os << dim << "x";
  os << elementType;
  return s;
}

/// "per edge", "per relation", ... or "shared" for a builtin tensor.
std::string describe(Type type) {
  if (auto feat = dyn_cast<FeatureType>(type))
    return feat.describeDomain();
  return "a shared tensor";
}

/// Whether two values live on the same domain, or are both shared tensors.
bool sameDomain(Type a, Type b) {
  auto fa = dyn_cast<FeatureType>(a), fb = dyn_cast<FeatureType>(b);
  if (!fa || !fb)
    return !fa && !fb;
  return fa.getDomain() == fb.getDomain() &&
         fa.getNodeType() == fb.getNodeType();
}

/// Checks that a domain-preserving op's result stays on the input's domain.
LogicalResult verifyResultDomain(Operation *op, Type in, Type out) {
  if (sameDomain(in, out))
    return success();
  return op->emitOpError("result must be ")
         << describe(in) << " like the input, but is " << describe(out);
}

ArrayRef<int64_t> shapeOf(Type type) {
  return cast<ShapedType>(type).getShape();
}
Type elementTypeOf(Type type) {
  return cast<ShapedType>(type).getElementType();
}

bool isDomain(FeatureType type, Domain domain) {
  return type.getDomain() == domain && !type.hasNodeType();
}

/// Checks that `result` has `expected` per-element shape and the element
/// type of `source`.
LogicalResult verifyResultShape(Operation *op, Type result,
                                ArrayRef<int64_t> expected, Type source) {
  if (shapeOf(result) != expected)
    return op->emitOpError("result must have per-element shape '")
           << formatShape(expected) << "', got '" << formatShape(shapeOf(result))
           << "'";
  if (elementTypeOf(result) != elementTypeOf(source))
    return op->emitOpError("result element type ")
           << elementTypeOf(result) << " must match the input's "
           << elementTypeOf(source);
  return success();
}

/// Checks that per-node-type restrictions in `op`'s feature types exist in
/// the schema of `graph`.
LogicalResult verifyNodeTypesInSchema(Operation *op, HeteroGraphType graph) {
  auto check = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    auto feat = dyn_cast<FeatureType>(type);
    if (!feat || !feat.hasNodeType() ||
        feat.getNodeType() < graph.getNumNodeTypes())
      return success();
    return op->emitOpError()
           << what << " #" << index << " is per node of type "
           << feat.getNodeType() << ", beyond the schema's "
           << graph.getNumNodeTypes() << " node types";
  };
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(type, "operand", i)))
      return failure();
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(type, "result", i)))
      return failure();
  return success();
}

/// The per-element result shape of `input . weight` (see typed_linear).
FailureOr<SmallVector<int64_t>> linearShape(Operation *op,
                                            ArrayRef<int64_t> input,
                                            ArrayRef<int64_t> weight) {
  if (weight.size() == 2) {
    if (input.empty() || input.back() != weight[0])
      return op->emitOpError("'input' per-element shape '")
             << formatShape(input) << "' must end in the weight's input size "
             << weight[0];
    SmallVector<int64_t> out(input.drop_back());
    out.push_back(weight[1]);
    return out;
  }
  if (weight.size() == 3) {
    bool perHead = input.size() == 2 && input[0] == weight[0] &&
                   input[1] == weight[1];
    bool broadcast = input.size() == 1 && input[0] == weight[1];
    if (!perHead && !broadcast)
      return op->emitOpError("'input' per-element shape '")
             << formatShape(input) << "' must be " << weight[0] << "x"
             << weight[1] << " or " << weight[1]
             << " for a multi-head weight of shape '" << formatShape(weight)
             << "'";
    return SmallVector<int64_t>{weight[0], weight[2]};
  }
  return op->emitOpError("'weight' per-element shape must be KxN or HxKxN, "
                         "got '")
         << formatShape(weight) << "'";
}

/// Shared rule of add, sub, mul and div.
LogicalResult verifyElementwiseBinary(Operation *op) {
  Type lhs = op->getOperand(0).getType(), rhs = op->getOperand(1).getType();
  Type result = op->getResult(0).getType();
  auto lhsFeat = dyn_cast<FeatureType>(lhs);
  auto rhsFeat = dyn_cast<FeatureType>(rhs);
  if (!lhsFeat && !rhsFeat)
    return op->emitOpError("needs at least one feature operand; both 'lhs' "
                           "and 'rhs' are shared tensors");
  FeatureType feat = lhsFeat ? lhsFeat : rhsFeat;
  if (lhsFeat && rhsFeat && lhsFeat != rhsFeat)
    return op->emitOpError("'lhs' and 'rhs' must have the same type, got ")
           << lhs << " and " << rhs;
  Type shared = lhsFeat ? rhs : lhs;
  if (!isa<FeatureType>(shared)) {
    StringRef name = lhsFeat ? "'rhs'" : "'lhs'";
    if (!shapeOf(shared).empty() && shapeOf(shared) != feat.getShape())
      return op->emitOpError() << name << " is a shared tensor of shape '"
                               << formatShape(shapeOf(shared))
                               << "'; it must be a scalar or match the "
                                  "per-element shape '"
                               << formatShape(feat.getShape()) << "'";
    if (elementTypeOf(shared) != feat.getElementType())
      return op->emitOpError() << name << " element type "
                               << elementTypeOf(shared) << " must be "
                               << feat.getElementType();
  }
  if (result != feat)
    return op->emitOpError("result type must be ") << feat << ", got "
                                                   << result;
  return success();
}

/// Checks that `operand` (named `name`) is a feature in `domain`.
LogicalResult expectDomain(Operation *op, StringRef name, FeatureType type,
                           ArrayRef<Domain> domains, StringRef context) {
  for (Domain d : domains)
    if (isDomain(type, d))
      return success();
  auto diag = op->emitOpError() << "'" << name << "' must be ";
  llvm::interleave(
      domains, diag,
      [&](Domain d) {
        diag << FeatureType::get(op->getContext(), d, {},
                                 type.getElementType())
                    .describeDomain();
      },
      " or ");
  if (!context.empty())
    diag << " " << context;
  diag << ", but is " << type.describeDomain();
  return diag;
}
} // namespace

//===----------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::verify() {
  FeatureType in = getInput().getType(), out = getResult().getType();
  if (failed(verifyNodeTypesInSchema(*this, getGraph().getType())))
    return failure();
  std::string context =
      ("when gathering by " + stringifyGatherIndex(getIndex())).str();
  SmallVector<Domain> inDomains, outDomains;
  switch (getIndex()) {
  case GatherIndex::Src:
    inDomains = {Domain::Node};
    outDomains = {Domain::Edge, Domain::SrcRel};
    break;
  case GatherIndex::Dst:
    inDomains = {Domain::Node};
    outDomains = {Domain::Edge, Domain::DstRel};
    break;
  case GatherIndex::Relation:
    inDomains = {Domain::Relation};
    outDomains = {Domain::Edge, Domain::SrcRel, Domain::DstRel};
    break;
  case GatherIndex::NodeType:
    inDomains = {Domain::NodeType};
    outDomains = {Domain::Node};
    break;
  case GatherIndex::SrcRel:
    inDomains = {Domain::SrcRel};
    outDomains = {Domain::Edge};
    break;
  case GatherIndex::DstRel:
    inDomains = {Domain::DstRel};
    outDomains = {Domain::Edge};
    break;
  case GatherIndex::SrcType:
  case GatherIndex::DstType:
    if (!getGraph().getType().hasTriples())
      return emitOpError("gathering by ")
             << stringifyGatherIndex(getIndex())
             << " needs the graph's (src type, relation, dst type) triples";
    inDomains = {Domain::NodeType};
    outDomains = {Domain::Relation};
    break;
  }
  if (failed(expectDomain(*this, "input", in, inDomains, context)) ||
      failed(expectDomain(*this, "result", out, outDomains, context)))
    return failure();
  return verifyResultShape(*this, out, in.getShape(), in);
}

//===----------------------------------------------------------------------===//
// AggregateOp, EdgeSoftmaxOp, RelationSumOp, NodeTypeSumOp
//===----------------------------------------------------------------------===//

LogicalResult AggregateOp::verify() {
  FeatureType in = getInput().getType(), out = getResult().getType();
  bool toDst = getTo() == Endpoint::Dst;
  if (getTo() == Endpoint::Self)
    return emitOpError("must aggregate 'to src' or 'to dst'");
  Domain pair = toDst ? Domain::DstRel : Domain::SrcRel;
  std::string context =
      ("when aggregating to " + stringifyEndpoint(getTo())).str();
  if (failed(expectDomain(*this, "input", in, {Domain::Edge, pair}, context)))
    return failure();
  SmallVector<Domain> outDomains = {Domain::Node};
  if (isDomain(in, Domain::Edge))
    outDomains.push_back(pair);
  if (failed(expectDomain(*this, "result", out, outDomains,
                          context + " from " + in.describeDomain())))
    return failure();
  if (getChoice()) {
    if (getReduction() == Reduction::Max)
      return emitOpError("'choice' cannot restrict a 'max': the edges of "
                         "unchosen relations would count as zeros");
    if (!isDomain(in, Domain::Edge))
      return emitOpError("'choice' selects edges by relation, so the input "
                         "must be per edge, but is ")
             << in.describeDomain();
    if (getReduction() == Reduction::Mean && isDomain(out, Domain::Node))
      return emitOpError("'choice' with 'mean' needs a per-(node, relation) "
                         "result: a node's mean over all its edges would "
                         "count the edges of unchosen relations");
  }
  return verifyResultShape(*this, out, in.getShape(), in);
}

LogicalResult EdgeSoftmaxOp::verify() {
  FeatureType in = getInput().getType();
  if (failed(expectDomain(*this, "input", in, {Domain::Edge},
                          "(softmax runs over each node's incoming edges)")))
    return failure();
  if (getResult().getType() != in)
    return emitOpError("result type must be the input type ") << in;
  return success();
}

LogicalResult DegreeOp::verify() {
  FeatureType out = getResult().getType();
  bool toDst = getTo() == Endpoint::Dst;
  if (getTo() == Endpoint::Self)
    return emitOpError("must count 'to src' or 'to dst'");
  Domain pair = toDst ? Domain::DstRel : Domain::SrcRel;
  // The pairs of the aggregation table of rgnn.aggregate.
  if (getFrom() != Domain::Edge && getFrom() != pair)
    return emitOpError("counts elements aggregated from ")
           << (toDst ? "edges or dst_rel pairs" : "edges or src_rel pairs")
           << " when counting to " << stringifyEndpoint(getTo()) << ", not "
           << stringifyDomain(getFrom());
  SmallVector<Domain> outDomains = {Domain::Node};
  if (getFrom() == Domain::Edge)
    outDomains.push_back(pair);
  if (failed(expectDomain(*this, "result", out, outDomains,
                          ("when counting " + stringifyDomain(getFrom()) +
                           " elements")
                              .str())))
    return failure();
  if (!out.getShape().empty() || !isa<FloatType>(out.getElementType()))
    return emitOpError("result must be one float per element, got ")
           << out;
  return success();
}

LogicalResult DomainSumOp::verify() {
  FeatureType in = getInput().getType();
  if (in.hasNodeType())
    return emitOpError("'input' must be over a whole domain, not ")
           << in.describeDomain();
  auto out = cast<RankedTensorType>(getResult().getType());
  if (out.getShape() != in.getShape() ||
      out.getElementType() != in.getElementType())
    return emitOpError("result must be a tensor of the per-element type '")
           << elementStr(in.getShape(), in.getElementType()) << "', got "
           << out;
  return success();
}

LogicalResult RelationSumOp::verify() {
  FeatureType in = getInput().getType(), out = getResult().getType();
  if (failed(expectDomain(*this, "input", in,
                          {Domain::Edge, Domain::SrcRel, Domain::DstRel},
                          "to be summed per relation")) ||
      failed(expectDomain(*this, "result", out, {Domain::Relation}, "")))
    return failure();
  return verifyResultShape(*this, out, in.getShape(), in);
}

LogicalResult NodeTypeSumOp::verify() {
  FeatureType in = getInput().getType(), out = getResult().getType();
  if (failed(expectDomain(*this, "input", in, {Domain::Node},
                          "to be summed per node type")) ||
      failed(expectDomain(*this, "result", out, {Domain::NodeType}, "")))
    return failure();
  return verifyResultShape(*this, out, in.getShape(), in);
}

LogicalResult MergeNodeTypesOp::verify() {
  HeteroGraphType graph = getGraph().getType();
  FeatureType out = getResult().getType();
  if (failed(verifyNodeTypesInSchema(*this, graph)))
    return failure();
  if (static_cast<int64_t>(getInputs().size()) != graph.getNumNodeTypes())
    return emitOpError("expects one input per node type (")
           << graph.getNumNodeTypes() << "), got " << getInputs().size();
  for (auto [i, value] : llvm::enumerate(getInputs())) {
    auto in = cast<FeatureType>(value.getType());
    if (in.getDomain() != Domain::Node ||
        in.getNodeType() != static_cast<int64_t>(i))
      return emitOpError("input #")
             << i << " must be per node of type " << i << ", but is "
             << in.describeDomain();
    if (in.getShape() != out.getShape() ||
        in.getElementType() != out.getElementType())
      return emitOpError("input #")
             << i << " has per-element type '"
             << elementStr(in.getShape(), in.getElementType())
             << "', but the result has '"
             << elementStr(out.getShape(), out.getElementType()) << "'";
  }
  return expectDomain(*this, "result", out, {Domain::Node}, "");
}

//===----------------------------------------------------------------------===//
// TypedLinearOp, LinearOp
//===----------------------------------------------------------------------===//

LogicalResult TypedLinearOp::verify() {
  FeatureType in = getInput().getType(), weight = getWeight().getType();
  FeatureType out = getResult().getType();
  bool byRelation = getBy() == TypeKind::Relation;
  if (failed(verifyNodeTypesInSchema(*this, getGraph().getType())))
    return failure();
  if (getChoice() && !byRelation)
    return emitOpError("'choice' selects by relation, so it needs 'by "
                       "relation'");
  if (failed(expectDomain(*this, "weight", weight,
                          {byRelation ? Domain::Relation : Domain::NodeType},
                          ("for 'by " + stringifyTypeKind(getBy()) + "'")
                              .str())))
    return failure();
  if (weight.getElementType() != in.getElementType())
    return emitOpError("'weight' element type ")
           << weight.getElementType() << " must match the input's "
           << in.getElementType();
  std::string context = ("for 'by " + stringifyTypeKind(getBy()) + " on " +
                         stringifyEndpoint(getOn()) + "'")
                            .str();
  switch (getOn()) {
  case Endpoint::Self:
    if (byRelation) {
      if (failed(expectDomain(*this, "input", in,
                              {Domain::Edge, Domain::SrcRel, Domain::DstRel},
                              context)))
        return failure();
    } else if (failed(expectDomain(*this, "input", in, {Domain::Node},
                                   context))) {
      return failure();
    }
    if (out.getDomain() != in.getDomain() || out.hasNodeType())
      return emitOpError("result must be ")
             << in.describeDomain() << " like the input, but is "
             << out.describeDomain();
    break;
  case Endpoint::Src:
  case Endpoint::Dst: {
    Domain pair = getOn() == Endpoint::Src ? Domain::SrcRel : Domain::DstRel;
    if (failed(expectDomain(*this, "input", in, {Domain::Node}, context)) ||
        failed(expectDomain(*this, "result", out, {Domain::Edge, pair},
                            context)))
      return failure();
    break;
  }
  }
  FailureOr<SmallVector<int64_t>> shape =
      linearShape(*this, in.getShape(), weight.getShape());
  if (failed(shape))
    return failure();
  return verifyResultShape(*this, out, *shape, in);
}

namespace {
/// typed_linear(gather(h by src), W) on self -> typed_linear(h, W) on src:
/// the endpoint read belongs to the linear, where lowering gathers rows.
struct FoldEndpointGather : public OpRewritePattern<TypedLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TypedLinearOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getOn() != Endpoint::Self || op.getBy() != TypeKind::Relation)
      return failure();
    auto gather = op.getInput().getDefiningOp<GatherOp>();
    if (!gather || gather.getGraph() != op.getGraph())
      return failure();
    Endpoint on;
    if (gather.getIndex() == GatherIndex::Src)
      on = Endpoint::Src;
    else if (gather.getIndex() == GatherIndex::Dst)
      on = Endpoint::Dst;
    else
      return failure();
    rewriter.replaceOpWithNewOp<TypedLinearOp>(
        op, op.getType(), op.getGraph(), gather.getInput(), op.getWeight(),
        op.getBy(), on, op.getChoiceAttr());
    return success();
  }
};
} // namespace

void TypedLinearOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                MLIRContext *context) {
  results.add<FoldEndpointGather>(context);
}

LogicalResult LinearOp::verify() {
  FeatureType in = getInput().getType();
  auto weight = cast<ShapedType>(getWeight().getType());
  if (weight.getElementType() != in.getElementType())
    return emitOpError("'weight' element type ")
           << weight.getElementType() << " must match the input's "
           << in.getElementType();
  FailureOr<SmallVector<int64_t>> shape =
      linearShape(*this, in.getShape(), weight.getShape());
  if (failed(shape))
    return failure();
  FeatureType out = getResult().getType();
  if (failed(verifyResultDomain(*this, in, out)))
    return failure();
  return verifyResultShape(*this, out, *shape, in);
}

//===----------------------------------------------------------------------===//
// WeightProductOp
//===----------------------------------------------------------------------===//

LogicalResult WeightProductOp::verify() {
  Type lhs = getLhs().getType(), rhs = getRhs().getType();
  Type result = getResult().getType();
  // The per-type operand, if any, decides the result's domain.
  FeatureType domainOf;
  for (auto [name, type] : {std::pair{"lhs", lhs}, {"rhs", rhs}}) {
    auto feat = dyn_cast<FeatureType>(type);
    if (!feat)
      continue;
    if (!feat.isPerType())
      return emitOpError("'")
             << name << "' must be per relation, per node type or a shared "
             << "tensor, but is " << feat.describeDomain();
    if (domainOf && domainOf.getDomain() != feat.getDomain())
      return emitOpError("'lhs' and 'rhs' must have the same domain, got ")
             << domainOf.describeDomain() << " and "
             << feat.describeDomain();
    domainOf = feat;
  }
  if (elementTypeOf(lhs) != elementTypeOf(rhs))
    return emitOpError("'lhs' and 'rhs' element types differ: ")
           << elementTypeOf(lhs) << " vs " << elementTypeOf(rhs);
  auto resultFeat = dyn_cast<FeatureType>(result);
  if (domainOf && (!resultFeat || resultFeat.getDomain() !=
                                      domainOf.getDomain()))
    return emitOpError("result must be ")
           << domainOf.describeDomain() << ", but is " << describe(result);
  if (!domainOf && resultFeat)
    return emitOpError("the product of two shared tensors must be a shared "
                       "tensor, but the result is ")
           << describe(result);

  ArrayRef<int64_t> a = shapeOf(lhs), b = shapeOf(rhs);
  SmallVector<int64_t> expected;
  if (a.size() == 1) {
    // Basis combination: [K] x [K, D...] -> [D...].
    if (b.empty() || b[0] != a[0])
      return emitOpError("'rhs' shape '")
             << formatShape(b) << "' must start with the length " << a[0]
             << " of the 'lhs' coefficient vector";
    expected.assign(b.begin() + 1, b.end());
  } else if (a.size() >= 2 && (b.size() == a.size() ||
                               b.size() == a.size() - 1)) {
    bool matrix = b.size() == a.size();
    size_t batch = a.size() - 2;
    if (a.take_front(batch) != b.take_front(batch))
      return emitOpError("batch dimensions of 'lhs' ('")
             << formatShape(a) << "') and 'rhs' ('" << formatShape(b)
             << "') differ";
    if (b[batch] != a.back())
      return emitOpError("contraction size mismatch: 'lhs' is '")
             << formatShape(a) << "' and 'rhs' is '" << formatShape(b) << "'";
    expected.assign(a.begin(), a.end() - 1);
    if (matrix)
      expected.push_back(b.back());
  } else {
    return emitOpError("cannot multiply 'lhs' of shape '")
           << formatShape(a) << "' by 'rhs' of shape '" << formatShape(b)
           << "'; expected [K]x[K,...], [..,M,K]x[..,K,N] or [..,M,K]x[..,K]";
  }
  return verifyResultShape(*this, result, expected, lhs);
}

//===----------------------------------------------------------------------===//
// InnerProductOp, OuterProductOp, ScaleOp
//===----------------------------------------------------------------------===//

LogicalResult InnerProductOp::verify() {
  FeatureType lhs = getLhs().getType(), out = getResult().getType();
  Type rhs = getRhs().getType();
  if (isa<FeatureType>(rhs) && !sameDomain(lhs, rhs))
    return emitOpError("'rhs' must be ")
           << lhs.describeDomain() << " like 'lhs', or a shared tensor, but "
           << "is " << describe(rhs);
  if (lhs.getShape().empty())
    return emitOpError("'lhs' must have at least one dimension to contract");
  if (shapeOf(rhs) != lhs.getShape() ||
      elementTypeOf(rhs) != lhs.getElementType())
    return emitOpError("'rhs' per-element type '")
           << elementStr(shapeOf(rhs), elementTypeOf(rhs))
           << "' must match the 'lhs' per-element type '"
           << elementStr(lhs.getShape(), lhs.getElementType()) << "'";
  if (!sameDomain(out, lhs))
    return emitOpError("result must be ") << lhs.describeDomain();
  return verifyResultShape(*this, out, lhs.getShape().drop_back(), lhs);
}

LogicalResult OuterProductOp::verify() {
  FeatureType lhs = getLhs().getType(), rhs = getRhs().getType();
  FeatureType out = getResult().getType();
  if (!sameDomain(lhs, rhs) || !sameDomain(lhs, out))
    return emitOpError("'lhs', 'rhs' and the result must share one domain, "
                       "got ")
           << lhs.describeDomain() << ", " << rhs.describeDomain() << " and "
           << out.describeDomain();
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  if (a.empty() || b.empty() || a.drop_back() != b.drop_back())
    return emitOpError("'lhs' ('")
           << formatShape(a) << "') and 'rhs' ('" << formatShape(b)
           << "') must be vectors with equal leading (head) dimensions";
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError("'lhs' and 'rhs' element types differ");
  SmallVector<int64_t> expected(a);
  expected.push_back(b.back());
  return verifyResultShape(*this, out, expected, lhs);
}

LogicalResult ScaleOp::verify() {
  FeatureType scalar = getScalar().getType(), vector = getVector().getType();
  if (!sameDomain(scalar, vector))
    return emitOpError("'scalar' must be ")
           << vector.describeDomain() << " like 'vector', but is "
           << scalar.describeDomain();
  if (vector.getShape().empty() ||
      scalar.getShape() != vector.getShape().drop_back())
    return emitOpError("'scalar' per-element shape '")
           << formatShape(scalar.getShape())
           << "' must be the 'vector' shape without its last dimension ('"
           << formatShape(vector.getShape()) << "')";
  if (scalar.getElementType() != vector.getElementType())
    return emitOpError("'scalar' and 'vector' element types differ");
  if (getResult().getType() != vector)
    return emitOpError("result type must be the 'vector' type ") << vector;
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult LeakyReluOp::verify() {
  if (!std::isfinite(getAlpha().convertToDouble()))
    return emitOpError("alpha must be finite");
  return success();
}

OpFoldResult NegOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return {};
}

OpFoldResult ReluOp::fold(FoldAdaptor) {
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

LogicalResult AddOp::verify() { return verifyElementwiseBinary(*this); }
LogicalResult SubOp::verify() { return verifyElementwiseBinary(*this); }
LogicalResult MulOp::verify() { return verifyElementwiseBinary(*this); }
LogicalResult DivOp::verify() { return verifyElementwiseBinary(*this); }
LogicalResult EqualOp::verify() { return verifyElementwiseBinary(*this); }

//===----------------------------------------------------------------------===//
// Concat, Split, Transpose, Reshape
//===----------------------------------------------------------------------===//

/// Checks that `parts` and `whole` share domain and element type and agree on
/// every dimension but `dim`, whose sizes must add up.
static LogicalResult verifyConcatLike(Operation *op, FeatureType whole,
                                      TypeRange parts, int64_t dim,
                                      StringRef partName) {
  if (parts.empty())
    return op->emitOpError("needs at least one ") << partName;
  int64_t rank = whole.getShape().size();
  if (dim < 0 || dim >= rank)
    return op->emitOpError("dim ")
           << dim << " is out of range for per-element rank " << rank;
  int64_t total = 0;
  for (auto [i, type] : llvm::enumerate(parts)) {
    auto part = cast<FeatureType>(type);
    if (!sameDomain(part, whole))
      return op->emitOpError() << partName << " #" << i << " must be "
                               << whole.describeDomain() << ", but is "
                               << part.describeDomain();
    if (part.getElementType() != whole.getElementType())
      return op->emitOpError() << partName << " #" << i
                               << " has element type "
                               << part.getElementType() << ", expected "
                               << whole.getElementType();
    ArrayRef<int64_t> shape = part.getShape();
    bool match = static_cast<int64_t>(shape.size()) == rank;
    for (int64_t d = 0; match && d < rank; ++d)
      match = d == dim || shape[d] == whole.getShape()[d];
    if (!match)
      return op->emitOpError()
             << partName << " #" << i << " has per-element shape '"
             << formatShape(shape) << "', which must match '"
             << formatShape(whole.getShape()) << "' except in dim " << dim;
    total += shape[dim];
  }
  if (total != whole.getShape()[dim])
    return op->emitOpError() << "sizes along dim " << dim << " add up to "
                             << total << ", but the whole has "
                             << whole.getShape()[dim];
  return success();
}

LogicalResult ConcatOp::verify() {
  return verifyConcatLike(*this, getResult().getType(),
                          getInputs().getTypes(), getDim(), "input");
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return {};
}

LogicalResult SplitOp::verify() {
  return verifyConcatLike(*this, getInput().getType(),
                          getResults().getTypes(), getDim(), "result");
}

LogicalResult SplitOp::fold(FoldAdaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  // split(concat(a, b)) -> a, b when the pieces line up.
  auto concat = getInput().getDefiningOp<ConcatOp>();
  if (!concat || concat.getDim() != getDim() ||
      concat.getInputs().getTypes() != getResults().getTypes())
    return failure();
  for (Value v : concat.getInputs())
    results.push_back(v);
  return success();
}

LogicalResult TransposeOp::verify() {
  Type in = getInput().getType(), out = getResult().getType();
  if (failed(verifyResultDomain(*this, in, out)))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(in), perm = getPermutation();
  if (perm.size() != shape.size())
    return emitOpError("permutation has ")
           << perm.size() << " entries, but the per-element rank is "
           << shape.size();
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p])
      return emitOpError("permutation must list each dimension 0..")
             << perm.size() - 1 << " exactly once";
    seen[p] = true;
    expected.push_back(shape[p]);
  }
  return verifyResultShape(*this, out, expected, in);
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  // transpose(transpose(x, p), q) is x when q undoes p.
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    bool identity = true;
    for (auto [i, p] : llvm::enumerate(perm))
      identity &= innerPerm[p] == static_cast<int64_t>(i);
    if (identity && inner.getInput().getType() == getType())
      return inner.getInput();
  }
  return {};
}

LogicalResult ReshapeOp::verify() {
  Type in = getInput().getType(), out = getResult().getType();
  if (failed(verifyResultDomain(*this, in, out)))
    return failure();
  if (elementTypeOf(in) != elementTypeOf(out))
    return emitOpError("result element type must match the input's");
  if (ShapedType::getNumElements(shapeOf(in)) !=
      ShapedType::getNumElements(shapeOf(out)))
    return emitOpError("cannot reshape '")
           << formatShape(shapeOf(in)) << "' to '" << formatShape(shapeOf(out))
           << "': the element counts differ";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x), in place.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}
