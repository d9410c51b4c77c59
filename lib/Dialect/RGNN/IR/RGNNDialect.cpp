//===- RGNNDialect.cpp - rgnn dialect, types and attributes ---------------===//

#include "Hector/Dialect/RGNN/IR/RGNN.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::hector::rgnn;

#include "Hector/Dialect/RGNN/IR/RGNNDialect.cpp.inc"
#include "Hector/Dialect/RGNN/IR/RGNNEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "Hector/Dialect/RGNN/IR/RGNNTypes.cpp.inc"

namespace {
/// Prints graph schemas once at the top of a module as `!graph = ...`:
/// they are long and every op that moves values between domains names one.
struct RGNNOpAsmInterface : public OpAsmDialectInterface {
  using OpAsmDialectInterface::OpAsmDialectInterface;
  AliasResult getAlias(Type type, raw_ostream &os) const override {
    if (isa<HeteroGraphType>(type)) {
      os << "graph";
      return AliasResult::OverridableAlias;
    }
    return AliasResult::NoAlias;
  }
};
} // namespace

void RGNNDialect::initialize() {
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "Hector/Dialect/RGNN/IR/RGNNOps.cpp.inc"
      >();
  addInterfaces<RGNNOpAsmInterface>();
}

void RGNNDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "Hector/Dialect/RGNN/IR/RGNNTypes.cpp.inc"
      >();
}

std::string mlir::hector::rgnn::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

//===----------------------------------------------------------------------===//
// HeteroGraphType
//===----------------------------------------------------------------------===//

Type HeteroGraphType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  int64_t numNodeTypes = 0, numRelations = 0;
  SmallVector<int64_t> triples;
  if (parser.parseLess() || parser.parseKeyword("node_types") ||
      parser.parseEqual() || parser.parseInteger(numNodeTypes) ||
      parser.parseComma() || parser.parseKeyword("relations") ||
      parser.parseEqual() || parser.parseInteger(numRelations))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    auto parseTriple = [&]() -> ParseResult {
      int64_t src, rel, dst;
      if (parser.parseLParen() || parser.parseInteger(src) ||
          parser.parseComma() || parser.parseInteger(rel) ||
          parser.parseComma() || parser.parseInteger(dst) ||
          parser.parseRParen())
        return failure();
      triples.append({src, rel, dst});
      return success();
    };
    if (parser.parseKeyword("triples") || parser.parseEqual() ||
        parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                       parseTriple))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), numNodeTypes, numRelations, triples);
}

void HeteroGraphType::print(AsmPrinter &printer) const {
  printer << "<node_types = " << getNumNodeTypes()
          << ", relations = " << getNumRelations();
  if (hasTriples()) {
    printer << ", triples = [";
    ArrayRef<int64_t> t = getTriples();
    for (size_t i = 0; i < t.size(); i += 3) {
      if (i)
        printer << ", ";
      printer << "(" << t[i] << ", " << t[i + 1] << ", " << t[i + 2] << ")";
    }
    printer << "]";
  }
  printer << ">";
}

LogicalResult
HeteroGraphType::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t numNodeTypes, int64_t numRelations,
                        ArrayRef<int64_t> triples) {
  if (numNodeTypes < 1)
    return emitError() << "a graph needs at least one node type, got "
                       << numNodeTypes;
  if (numRelations < 1)
    return emitError() << "a graph needs at least one relation, got "
                       << numRelations;
  if (triples.empty())
    return success();
  if (triples.size() % 3 != 0 ||
      static_cast<int64_t>(triples.size() / 3) != numRelations)
    return emitError() << "expected one (src type, relation, dst type) triple "
                          "per relation ("
                       << numRelations << "), got " << triples.size() / 3;
  for (int64_t i = 0; i < numRelations; ++i) {
    int64_t src = triples[3 * i], rel = triples[3 * i + 1],
            dst = triples[3 * i + 2];
    if (rel < 0 || rel >= numRelations)
      return emitError() << "triple #" << i << " names relation " << rel
                         << ", beyond the schema's " << numRelations
                         << " relations";
    if (rel != i)
      return emitError() << "triple #" << i << " names relation " << rel
                         << ", but triples must list relations 0.."
                         << numRelations - 1 << " in order";
    for (auto [what, type] : {std::pair{"source", src}, {"destination", dst}})
      if (type < 0 || type >= numNodeTypes)
        return emitError() << "triple #" << i << " has " << what
                           << " node type " << type << ", beyond the schema's "
                           << numNodeTypes << " node types";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FeatureType
//===----------------------------------------------------------------------===//

Type FeatureType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<Domain> domain = symbolizeDomain(keyword);
  if (!domain) {
    parser.emitError(loc) << "unknown domain '" << keyword
                          << "'; expected node, edge, src_rel, dst_rel, "
                             "relation or node_type";
    return {};
  }
  int64_t nodeType = kNoNodeType;
  if (succeeded(parser.parseOptionalLSquare()))
    if (parser.parseInteger(nodeType) || parser.parseRSquare())
      return {};
  SmallVector<int64_t> shape;
  Type elementType;
  if (parser.parseComma() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType) || parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), *domain, nodeType, shape,
                    elementType);
}

void FeatureType::print(AsmPrinter &printer) const {
  printer << "<" << stringifyDomain(getDomain());
  if (hasNodeType())
    printer << "[" << getNodeType() << "]";
  printer << ", ";
  for (int64_t dim : getShape())
    printer << dim << "x";
  printer << getElementType() << ">";
}

LogicalResult FeatureType::verify(function_ref<InFlightDiagnostic()> emitError,
                                  Domain domain, int64_t nodeType,
                                  ArrayRef<int64_t> shape, Type elementType) {
  if (nodeType != kNoNodeType) {
    if (domain != Domain::Node)
      return emitError() << "only per-node values can be restricted to a node "
                            "type, but the domain is '"
                         << stringifyDomain(domain) << "'";
    if (nodeType < 0)
      return emitError() << "node type must be non-negative, got " << nodeType;
  }
  for (auto [i, dim] : llvm::enumerate(shape))
    if (dim <= 0)
      return emitError() << "per-element shape must be static and positive, "
                            "but dimension "
                         << i << " is " << dim;
  if (!isa<FloatType>(elementType))
    return emitError() << "element type must be a float type, got "
                       << elementType;
  return success();
}

ShapedType FeatureType::cloneWith(std::optional<ArrayRef<int64_t>> shape,
                                  Type elementType) const {
  return FeatureType::get(getContext(), getDomain(), getNodeType(),
                          shape ? *shape : getShape(), elementType);
}

FeatureType FeatureType::withShape(ArrayRef<int64_t> shape) const {
  return FeatureType::get(getContext(), getDomain(), getNodeType(), shape,
                          getElementType());
}

FeatureType FeatureType::withDomain(Domain domain, int64_t nodeType) const {
  return FeatureType::get(getContext(), domain, nodeType, getShape(),
                          getElementType());
}

std::string FeatureType::describeDomain() const {
  switch (getDomain()) {
  case Domain::Node:
    return hasNodeType() ? "per node of type " + std::to_string(getNodeType())
                         : "per node";
  case Domain::Edge:
    return "per edge";
  case Domain::SrcRel:
    return "per unique (src, relation) pair";
  case Domain::DstRel:
    return "per unique (dst, relation) pair";
  case Domain::Relation:
    return "per relation";
  case Domain::NodeType:
    return "per node type";
  }
  llvm_unreachable("unknown domain");
}
