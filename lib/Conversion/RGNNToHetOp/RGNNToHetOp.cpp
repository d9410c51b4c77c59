//===- RGNNToHetOp.cpp - lower rgnn functions to hetop and loops ----------===//
//
// Rewrites each function on rgnn types into a function on buffers that
// follows docs/abi.md. Ops are lowered in program order by one emitter per
// function: graph-structured ops become hetop templates, dense ops become
// parallel loops, and gathers stay views that consumers read through.
//
//===----------------------------------------------------------------------===//

#include "../HetOpToSCF/Templates.h"
#include "GraphABI.h"

#include "Hector/Analysis/CostModel.h"
#include "Hector/Conversion/Passes.h"
#include "Hector/Dialect/HetOp/IR/HetOp.h"
#include "Hector/Dialect/RGNN/IR/RGNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <functional>
#include <limits>

namespace mlir::hector {
#define GEN_PASS_DEF_CONVERTRGNNTOHETOP
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;
using rgnn::Domain;
using rgnn::FeatureType;

namespace {

/// Computes one element of a value inside a consumer's loop.
using ElementFn =
    std::function<Value(OpBuilder &, Location, Value row, ValueRange inner)>;

/// How the emitter holds the value of an rgnn SSA value: in a buffer, as a
/// view of another value through an index list, as a splat constant, or as
/// an expression that consumers evaluate in their own loops (fusion).
struct Lowered {
  /// The buffer: `[size(domain), shape...]` for features, the static shape
  /// for shared tensors.
  Value buffer;
  /// For a view, element x reads row `index[x]` of `buffer`, or of
  /// `source` when that is set.
  Value index;
  std::shared_ptr<Lowered> source;
  /// For a splat constant, the scalar.
  Value splat;
  /// For an expression, the element at (row, inner).
  ElementFn compute;

  bool inBuffer() const { return buffer && !index; }
  static Lowered ofBuffer(Value buffer) {
    Lowered v;
    v.buffer = buffer;
    return v;
  }
};


/// The buffer of an rgnn value: `[size(domain), shape...]` for a feature,
/// the tensor's shape for a shared tensor.
MemRefType bufferTypeOf(Type rgnnType) {
  if (auto feat = dyn_cast<FeatureType>(rgnnType)) {
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    llvm::append_range(shape, feat.getShape());
    return MemRefType::get(shape, feat.getElementType());
  }
  auto tensor = cast<RankedTensorType>(rgnnType);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

std::string domainString(FeatureType type) {
  std::string s = rgnn::stringifyDomain(type.getDomain()).str();
  if (type.hasNodeType())
    s += "[" + std::to_string(type.getNodeType()) + "]";
  return s;
}

/// The CSR whose rows are an aggregation's result elements and whose
/// entries are its input elements.
struct AggregationCSR {
  hetop::CSRKind kind;
  GraphArray ptr, col, eid, rel;
  /// The row of each entry id (`eid`'s values): an edge's destination or
  /// source, an edge's pair, a pair's node.
  GraphArray row;
};

AggregationCSR aggregationCSR(Domain from, Domain to, bool toDst) {
  if (from == Domain::Edge && to == Domain::Node)
    return toDst ? AggregationCSR{hetop::CSRKind::In,
                                  InIndptr,
                                  InSrc,
                                  InEids,
                                  InEtype,
                                  Dst}
                 : AggregationCSR{hetop::CSRKind::Out,
                                  OutIndptr,
                                  OutDst,
                                  OutEids,
                                  OutEtype,
                                  Src};
  if (from == Domain::Edge)
    return toDst ? AggregationCSR{hetop::CSRKind::DstRel, UniqueDstIndptr,
                                  UniqueDstEids,          UniqueDstEids,
                                  UniqueDstEids,          EdgeToUniqueDst}
                 : AggregationCSR{hetop::CSRKind::SrcRel, UniqueSrcIndptr,
                                  UniqueSrcEids,          UniqueSrcEids,
                                  UniqueSrcEids,          EdgeToUniqueSrc};
  return toDst ? AggregationCSR{hetop::CSRKind::NodeDstRel,
                                DstPairIndptr,
                                DstPairIds,
                                DstPairIds,
                                DstPairIds,
                                UniqueDstNodes}
               : AggregationCSR{hetop::CSRKind::NodeSrcRel,
                                SrcPairIndptr,
                                SrcPairIds,
                                SrcPairIds,
                                SrcPairIds,
                                UniqueSrcNodes};
}

/// Lowers one rgnn function. Emits at the end of the new function's entry
/// block; loop bodies get their own builders.
class FunctionLowering {
public:
  FunctionLowering(func::FuncOp source, func::FuncOp target,
                   bool fuseEdgeSoftmax, bool edgeParallel, bool gpu,
                   hetop::TraversalScheduleAttr schedule)
      : source(source), target(target), ctx(source.getContext()),
        fuseEdgeSoftmax(fuseEdgeSoftmax), edgeParallel(edgeParallel), gpu(gpu),
        schedule(schedule),
        top(OpBuilder::atBlockEnd(&target.getBody().front())),
        entry(source.getContext()) {
    // Hoisted values go before this first op, so they dominate everything
    // that `top` emits after it.
    auto zero = arith::ConstantIndexOp::create(top, target.getLoc(), 0);
    indexConstants[0] = zero;
    entry.setInsertionPoint(zero);
    // A value returned twice is written directly into the first only.
    Operation *ret = source.getBody().front().getTerminator();
    for (auto [returned, out] :
         llvm::zip(ret->getOperands(), resultParameters()))
      resultParams.try_emplace(returned, out);
  }

  LogicalResult run(unsigned firstGraphArg, ArrayRef<unsigned> argStarts);

private:
  /// The caller's result buffers: the last parameters, in result order.
  ValueRange resultParameters() {
    return target.getArguments().take_back(
        source.getFunctionType().getNumResults());
  }
  // Values from the function entry, usable anywhere below.
  Value graphArray(GraphArray array) {
    return target.getArgument(graphBase + array);
  }
  Value constIndex(int64_t value);
  static Value floatConstant(OpBuilder &b, Location loc, Type type,
                             double value) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  }
  Value domainSize(FeatureType type);
  /// First row in `ntype_nodes` of the nodes of type `t`.
  Value nodeTypeBase(int64_t t);
  /// The relation of every unique (src or dst, relation) pair, computed once.
  Value pairRelations(bool src);
  /// The (src or dst) type of every relation, from the schema's triples.
  Value relationEndpointTypes(bool src);
  /// Stores the constants `table` into `buffer`.
  void fillTable(Location loc, Value buffer, ArrayRef<int64_t> table,
                 Type elementType);

  // Buffers.
  Value alloc(OpBuilder &b, Location loc, Type rgnnType);
  Value allocFeature(Location loc, FeatureType type) {
    return alloc(top, loc, type);
  }

  // Element access.
  Value load(OpBuilder &b, Location loc, const Lowered &value, Value row,
             ValueRange inner);
  Value loadIndex(OpBuilder &b, Location loc, Value list, Value position);
  /// `index[row]`, the row a view reads. Inside a row scope for `row` it is
  /// loaded once, before the scope's inner loops: LLVM cannot hoist it past
  /// the stores of those loops, not knowing that the buffers do not alias.
  Value viewRow(OpBuilder &b, Location loc, Value index, Value row);
  /// Emits `body` for one row with view indices of that row hoisted.
  void withRowScope(OpBuilder &b, Location loc, Value row,
                    function_ref<void()> body);
  void store(OpBuilder &b, Location loc, Value buffer, Value row,
             ValueRange inner, Value value);
  /// A buffer holding `value`, copying a view or a splat into a new one.
  Value materialize(Location loc, const Lowered &value, Type rgnnType);

  // Loops.
  using RowBody = function_ref<void(OpBuilder &, Location, Value)>;
  using InnerBody = function_ref<void(OpBuilder &, Location, ValueRange)>;
  void parallelFor(OpBuilder &b, Location loc, Value count, RowBody body);
  void forEachIndex(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                    InnerBody body);
  /// The index into `shape` of the row-major position `linear`.
  SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                                 ArrayRef<int64_t> shape);
  /// Runs `body(row, inner...)` for every element of a feature or tensor.
  void forEachElement(Location loc, Type rgnnType,
                      function_ref<void(OpBuilder &, Location, Value,
                                        ValueRange)>
                          body);
  /// `offsets[row + 1] - offsets[row]` (i64).
  Value rowLength(OpBuilder &b, Location loc, Value offsets, Value row);
  Value reduceSum(OpBuilder &b, Location loc, Value lb, Value ub,
                  function_ref<Value(OpBuilder &, Location, Value)> term,
                  Type elementType);
  void fill(Location loc, Value buffer, Type rgnnType, double value);
  void fillZero(Location loc, Value buffer, Type rgnnType) {
    fill(loc, buffer, rgnnType, 0);
  }

  // Op lowering.
  LogicalResult lower(Operation *op);
  LogicalResult lowerGather(rgnn::GatherOp op);
  LogicalResult lowerAggregate(rgnn::AggregateOp op);
  LogicalResult lowerEdgeSoftmax(rgnn::EdgeSoftmaxOp op);
  /// The softmax's maximum and denominator over entries [lo, hi) of the
  /// in-CSR at `inner`; `onExp(e, exp)` sees each exponential.
  std::pair<Value, Value> softmaxStatistics(
      OpBuilder &b, Location loc, const Lowered &scores, Type elementType,
      Value lo, Value hi, ValueRange inner,
      function_ref<void(OpBuilder &, Location, Value, Value)> onExp = {});
  /// The same in one pass, one exponential per entry: the sum is rescaled
  /// when the running maximum grows.
  std::pair<Value, Value> onlineSoftmaxStatistics(OpBuilder &b, Location loc,
                                                  const Lowered &scores,
                                                  Type elementType, Value lo,
                                                  Value hi, ValueRange inner);
  /// Edge-parallel: the maximum and the sum of exponentials of each
  /// destination (per element of `perNode`'s shape), accumulated into
  /// `maxima` and `sums` by two traversals, so that no thread loops over a
  /// hub's in-edges.
  void atomicSoftmaxStatistics(Location loc, const Lowered &scores,
                               FeatureType perNode, Value maxima, Value sums);
  /// A traversal of `csr` at `top` (edge- or node-parallel as this lowering
  /// is) whose body `fill` builds, before its yield; its arguments are the
  /// row, column, entry id and relation.
  hetop::TraverseOp
  createTraverse(Location loc, const AggregationCSR &csr,
                 function_ref<void(OpBuilder &, Block *)> fill);
  /// Whether `weights` is an edge softmax whose weights are computed where
  /// they are read.
  bool fusesSoftmax(Value weights) const {
    return fuseEdgeSoftmax && isFusedEdgeSoftmax(weights);
  }
  LogicalResult lowerDegree(rgnn::DegreeOp op);
  LogicalResult lowerTypeSum(Operation *op, bool perRelation);
  LogicalResult lowerDomainSum(rgnn::DomainSumOp op);
  /// `result` (of `resultType`) = the sum of `input[elementAt(p)]` over the
  /// positions p in [0, total), into row s of `result` for the p in segment
  /// s of `offsets` (`numSegments` of them), or into the whole tensor
  /// without offsets. One task per chunk of positions and element of the
  /// result, adding atomically: the form for the GPU, where a task per
  /// output row would leave the device idle.
  void chunkedSum(Location loc, Value result, Type resultType, Value total,
                  Value offsets, Value numSegments, const Lowered &input,
                  function_ref<Value(OpBuilder &, Location, Value)> elementAt);
  /// Whether domain and type sums use chunkedSum: on the GPU, and with
  /// edge-parallel traversals on the CPU (which tests that form).
  bool chunkedSums() const { return gpu || edgeParallel; }
  /// On every target, a sum of a fused outer product of head-less or
  /// one-head-dimension vectors is a weight gradient: one hetop.outer_gemm
  /// into `result`, over the positions of `offsets`' segments (one segment
  /// without), position p reading element `members[p]` (p without). False
  /// when the input is not such a product.
  bool emitOuterGemm(Location loc, Value input, Value result, Value offsets,
                     Value members);
  /// A GEMM operand: a buffer and the index list its rows are read
  /// through (null: directly), copying other forms into a buffer.
  std::pair<Value, Value> gemmOperand(Location loc, const Lowered &value,
                                      Type rgnnType);
  void accumulateRows(OpBuilder &b, Location loc, Value result, Value row,
                      ArrayRef<Value> prefix, ArrayRef<int64_t> shape,
                      Value lb, Value ub, const Lowered &input,
                      function_ref<Value(OpBuilder &, Location, Value)>
                          elementAt,
                      Type elementType);
  LogicalResult lowerMergeNodeTypes(rgnn::MergeNodeTypesOp op);
  LogicalResult lowerTypedLinear(rgnn::TypedLinearOp op);
  LogicalResult lowerLinear(rgnn::LinearOp op);
  LogicalResult emitGemm(Operation *op, Value a, ArrayRef<int64_t> aShape,
                         Value weight, ArrayRef<int64_t> wShape,
                         bool sharedWeight, Value c, Value offsets,
                         Value gather, Value scatter,
                         std::optional<uint64_t> choice = std::nullopt);
  LogicalResult lowerWeightProduct(rgnn::WeightProductOp op);
  LogicalResult lowerElementwise(Operation *op);
  /// Defines an elementwise result: an expression its single consumer
  /// evaluates, or a buffer when several ops read it.
  LogicalResult defineElementwise(Operation *op, ElementFn element);
  LogicalResult lowerInnerProduct(rgnn::InnerProductOp op);
  LogicalResult lowerOuterProduct(rgnn::OuterProductOp op);
  LogicalResult lowerScale(rgnn::ScaleOp op);
  LogicalResult lowerConcat(rgnn::ConcatOp op);
  LogicalResult lowerSplit(rgnn::SplitOp op);
  LogicalResult lowerTranspose(rgnn::TransposeOp op);
  LogicalResult lowerReshape(rgnn::ReshapeOp op);
  LogicalResult lowerConstant(arith::ConstantOp op);
  LogicalResult lowerReturn(func::ReturnOp op);

  /// Records `buffer` as the value of `result`, freed at the end; or, when
  /// `result` is returned and `buffer` is a fresh allocation of its result
  /// parameter's type, uses that parameter instead, so that `return` has
  /// nothing to copy (the ABI's results do not overlap the arguments).
  void define(Value result, Value buffer) {
    Value out = resultParams.lookup(result);
    auto alloc = buffer.getDefiningOp<memref::AllocOp>();
    if (out && alloc && alloc.getType() == out.getType() &&
        !llvm::is_contained(temporaries, buffer)) {
      alloc.getResult().replaceAllUsesWith(out);
      alloc.erase();
      values[result] = Lowered::ofBuffer(out);
      return;
    }
    values[result] = Lowered::ofBuffer(buffer);
    temporaries.push_back(buffer);
  }

  func::FuncOp source, target;
  MLIRContext *ctx;
  bool fuseEdgeSoftmax;
  /// Aggregations traverse edge-parallel (atomic adds) instead of
  /// node-parallel.
  bool edgeParallel;
  /// The function runs on the GPU: host code must not touch buffers, so
  /// even a shared tensor's elements are computed by a parallel loop.
  bool gpu;
  /// Every traversal's schedule (null: none).
  hetop::TraversalScheduleAttr schedule;
  /// The operands of a fused `scale` or `outer_product`, as its element
  /// function reads them: an aggregation of it evaluates the scalar factor
  /// once per element of all but the last dimension.
  struct Factors {
    Lowered scalar, vector;
    bool outer;
  };
  DenseMap<Operation *, Factors> factors;
  OpBuilder top;   // program order, at the end of the entry block
  OpBuilder entry; // hoisted values, at the start of the entry block
  unsigned graphBase = 0;
  rgnn::HeteroGraphType graphType;
  DenseMap<Value, Lowered> values;
  SmallVector<Value> temporaries;
  /// Each returned rgnn value's result parameter.
  DenseMap<Value, Value> resultParams;
  DenseMap<int64_t, Value> indexConstants;
  /// Open row scopes: the row, where its hoisted loads go, and those loads.
  struct RowScope {
    llvm::SmallDenseSet<Value, 4> rows;
    Operation *marker = nullptr;
    DenseMap<std::pair<Value, Value>, Value> resolved;
  };
  SmallVector<RowScope *> rowScopes;
  DenseMap<unsigned, Value> domainSizes;
  DenseMap<int64_t, Value> nodeTypeBases;
  Value srcPairRelations, dstPairRelations;
  Value srcTypeOfRelation, dstTypeOfRelation;
};

//===----------------------------------------------------------------------===//
// Values from the function entry
//===----------------------------------------------------------------------===//

Value FunctionLowering::constIndex(int64_t value) {
  Value &c = indexConstants[value];
  if (!c)
    c = arith::ConstantIndexOp::create(entry, target.getLoc(), value);
  return c;
}

Value FunctionLowering::domainSize(FeatureType type) {
  if (type.hasNodeType()) {
    int64_t t = type.getNodeType();
    Location loc = target.getLoc();
    Value offsets = graphArray(NtypeOffsets);
    Value lo = memref::LoadOp::create(entry, loc, offsets, constIndex(t));
    Value hi = memref::LoadOp::create(entry, loc, offsets, constIndex(t + 1));
    Value n = arith::SubIOp::create(entry, loc, hi, lo);
    return arith::IndexCastOp::create(entry, loc, entry.getIndexType(), n);
  }
  auto key = static_cast<unsigned>(type.getDomain());
  Value &size = domainSizes[key];
  if (size)
    return size;
  Location loc = target.getLoc();
  auto dim = [&](GraphArray array) -> Value {
    return memref::DimOp::create(entry, loc, graphArray(array), 0);
  };
  auto dimMinusOne = [&](GraphArray array) -> Value {
    return arith::SubIOp::create(entry, loc, dim(array), constIndex(1));
  };
  switch (type.getDomain()) {
  case Domain::Node:
    size = dim(Ntype);
    break;
  case Domain::Edge:
    size = dim(Src);
    break;
  case Domain::SrcRel:
    size = dim(UniqueSrcNodes);
    break;
  case Domain::DstRel:
    size = dim(UniqueDstNodes);
    break;
  case Domain::Relation:
    size = dimMinusOne(RelOffsets);
    break;
  case Domain::NodeType:
    size = dimMinusOne(NtypeOffsets);
    break;
  }
  return size;
}

Value FunctionLowering::nodeTypeBase(int64_t t) {
  Value &base = nodeTypeBases[t];
  if (!base) {
    Location loc = target.getLoc();
    Value lo = memref::LoadOp::create(entry, loc, graphArray(NtypeOffsets),
                                      constIndex(t));
    base = arith::IndexCastOp::create(entry, loc, entry.getIndexType(), lo);
  }
  return base;
}

Value FunctionLowering::pairRelations(bool src) {
  Value &rels = src ? srcPairRelations : dstPairRelations;
  if (rels)
    return rels;
  // rels[p] = r for the pairs p of relation r. Built in program order at
  // first use; it is small (one i32 per pair).
  Location loc = target.getLoc();
  Value offsets = graphArray(src ? UniqueSrcOffsets : UniqueDstOffsets);
  Value pairs = domainSize(FeatureType::get(
      ctx, src ? Domain::SrcRel : Domain::DstRel, {}, top.getF32Type()));
  Value numRelations =
      domainSize(FeatureType::get(ctx, Domain::Relation, {}, top.getF32Type()));
  rels = memref::AllocOp::create(
      top, loc, MemRefType::get({ShapedType::kDynamic}, top.getI32Type()),
      ValueRange{pairs});
  temporaries.push_back(rels);
  if (gpu || edgeParallel) {
    // A thread per pair, its relation found by bisection of the offsets:
    // on a GPU a thread per relation would write a large relation's
    // millions of pairs alone. (Edge-parallel on the CPU too, so that the
    // GPU's form is tested there.)
    parallelFor(top, loc, pairs, [&](OpBuilder &b, Location l, Value p) {
      Value r = hetop::templates::upperSegment(b, l, offsets, numRelations, p);
      memref::StoreOp::create(
          b, l, arith::IndexCastOp::create(b, l, b.getI32Type(), r), rels, p);
    });
    return rels;
  }
  parallelFor(top, loc, numRelations, [&](OpBuilder &b, Location l, Value r) {
    Value lo = loadIndex(b, l, offsets, r);
    Value r1 = arith::AddIOp::create(b, l, r, constIndex(1));
    Value hi = loadIndex(b, l, offsets, r1);
    Value r32 = arith::IndexCastOp::create(b, l, b.getI32Type(), r);
    scf::ForOp::create(b, l, lo, hi, constIndex(1), ValueRange{},
                       [&](OpBuilder &ib, Location il, Value p, ValueRange) {
                         memref::StoreOp::create(ib, il, r32, rels, p);
                         scf::YieldOp::create(ib, il);
                       });
  });
  return rels;
}

Value FunctionLowering::relationEndpointTypes(bool src) {
  Value &types = src ? srcTypeOfRelation : dstTypeOfRelation;
  if (types)
    return types;
  Location loc = target.getLoc();
  int64_t numRelations = graphType.getNumRelations();
  types = memref::AllocOp::create(
      top, loc, MemRefType::get({numRelations}, top.getI32Type()));
  temporaries.push_back(types);
  SmallVector<int64_t> table;
  for (int64_t r = 0; r < numRelations; ++r)
    table.push_back(src ? graphType.getSrcType(r) : graphType.getDstType(r));
  fillTable(loc, types, table, top.getI32Type());
  return types;
}

void FunctionLowering::fillTable(Location loc, Value buffer,
                                 ArrayRef<int64_t> table, Type elementType) {
  // Written by the device that owns the buffer: a one-iteration parallel
  // loop, never host stores (on a GPU the buffer is device memory).
  SmallVector<int64_t> entries(table);
  parallelFor(top, loc, constIndex(1), [&](OpBuilder &b, Location l, Value) {
    for (auto [i, v] : llvm::enumerate(entries)) {
      Value c = arith::ConstantIntOp::create(
          b, l, v, elementType.getIntOrFloatBitWidth());
      memref::StoreOp::create(b, l, c, buffer, constIndex(i));
    }
  });
}

//===----------------------------------------------------------------------===//
// Buffers and element access
//===----------------------------------------------------------------------===//

Value FunctionLowering::alloc(OpBuilder &b, Location loc, Type rgnnType) {
  MemRefType type = bufferTypeOf(rgnnType);
  if (auto feat = dyn_cast<FeatureType>(rgnnType))
    return memref::AllocOp::create(b, loc, type,
                                   ValueRange{domainSize(feat)});
  return memref::AllocOp::create(b, loc, type);
}

Value FunctionLowering::loadIndex(OpBuilder &b, Location loc, Value list,
                                  Value position) {
  Value v = memref::LoadOp::create(b, loc, list, position);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

Value FunctionLowering::viewRow(OpBuilder &b, Location loc, Value index,
                                Value row) {
  for (RowScope *scope : llvm::reverse(rowScopes)) {
    // The scope's row, or a row already resolved in it (a view of a view).
    if (!scope->rows.contains(row))
      continue;
    Value &resolved = scope->resolved[{index, row}];
    if (!resolved) {
      OpBuilder hb(scope->marker);
      resolved = loadIndex(hb, loc, index, row);
      scope->rows.insert(resolved);
    }
    return resolved;
  }
  return loadIndex(b, loc, index, row);
}

void FunctionLowering::withRowScope(OpBuilder &b, Location loc, Value row,
                                    function_ref<void()> body) {
  // Hoisted loads go before this marker, ahead of the inner loops.
  Operation *marker = arith::ConstantIndexOp::create(b, loc, 0);
  RowScope scope;
  scope.rows.insert(row);
  scope.marker = marker;
  rowScopes.push_back(&scope);
  body();
  rowScopes.pop_back();
  marker->erase();
}

Value FunctionLowering::load(OpBuilder &b, Location loc, const Lowered &value,
                             Value row, ValueRange inner) {
  if (value.splat)
    return value.splat;
  if (value.compute)
    return value.compute(b, loc, row, inner);
  if (value.source)
    return load(b, loc, *value.source, viewRow(b, loc, value.index, row),
                inner);
  auto type = cast<MemRefType>(value.buffer.getType());
  SmallVector<Value> indices;
  if (type.getRank() > static_cast<int64_t>(inner.size())) {
    // A feature buffer: the first dimension is the domain.
    indices.push_back(value.index ? viewRow(b, loc, value.index, row) : row);
  }
  // A shared tensor broadcast over a larger shape reads its trailing part.
  size_t needed = type.getRank() - indices.size();
  llvm::append_range(indices, inner.take_back(needed));
  return memref::LoadOp::create(b, loc, value.buffer, indices);
}

void FunctionLowering::store(OpBuilder &b, Location loc, Value buffer,
                             Value row, ValueRange inner, Value value) {
  SmallVector<Value> indices;
  if (row)
    indices.push_back(row);
  llvm::append_range(indices, inner);
  memref::StoreOp::create(b, loc, value, buffer, indices);
}

Value FunctionLowering::materialize(Location loc, const Lowered &value,
                                    Type rgnnType) {
  if (value.inBuffer())
    return value.buffer;
  Value buffer = alloc(top, loc, rgnnType);
  temporaries.push_back(buffer);
  forEachElement(loc, rgnnType,
                 [&](OpBuilder &b, Location l, Value row, ValueRange inner) {
                   store(b, l, buffer, row, inner,
                         load(b, l, value, row, inner));
                 });
  return buffer;
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

void FunctionLowering::parallelFor(OpBuilder &b, Location loc, Value count,
                                   RowBody body) {
  scf::ParallelOp::create(
      b, loc, ValueRange{constIndex(0)}, ValueRange{count},
      ValueRange{constIndex(1)},
      [&](OpBuilder &nb, Location nl, ValueRange ivs) { body(nb, nl, ivs[0]); });
}

void FunctionLowering::forEachIndex(OpBuilder &b, Location loc,
                                    ArrayRef<int64_t> shape, InnerBody body) {
  SmallVector<Value> ivs;
  std::function<void(OpBuilder &, Location, size_t)> nest =
      [&](OpBuilder &nb, Location nl, size_t d) {
        if (d == shape.size()) {
          body(nb, nl, ivs);
          return;
        }
        scf::ForOp::create(nb, nl, constIndex(0), constIndex(shape[d]),
                           constIndex(1), ValueRange{},
                           [&](OpBuilder &ib, Location il, Value iv,
                               ValueRange) {
                             ivs.push_back(iv);
                             nest(ib, il, d + 1);
                             ivs.pop_back();
                             scf::YieldOp::create(ib, il);
                           });
      };
  nest(b, loc, 0);
}

SmallVector<Value> FunctionLowering::delinearize(OpBuilder &b, Location loc,
                                                 Value linear,
                                                 ArrayRef<int64_t> shape) {
  SmallVector<Value> idx(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    Value size = constIndex(shape[d]);
    idx[d] = arith::RemUIOp::create(b, loc, linear, size);
    linear = arith::DivUIOp::create(b, loc, linear, size);
  }
  return idx;
}

void FunctionLowering::forEachElement(
    Location loc, Type rgnnType,
    function_ref<void(OpBuilder &, Location, Value, ValueRange)> body) {
  ArrayRef<int64_t> shape = cast<ShapedType>(rgnnType).getShape();
  auto feat = dyn_cast<FeatureType>(rgnnType);
  if (!feat && gpu) {
    int64_t count = ShapedType::getNumElements(shape);
    parallelFor(top, loc, constIndex(count),
                [&](OpBuilder &b, Location l, Value linear) {
                  body(b, l, Value(), delinearize(b, l, linear, shape));
                });
    return;
  }
  if (!feat) {
    forEachIndex(top, loc, shape, [&](OpBuilder &b, Location l,
                                      ValueRange inner) {
      body(b, l, Value(), inner);
    });
    return;
  }
  parallelFor(top, loc, domainSize(feat),
              [&](OpBuilder &b, Location l, Value row) {
                withRowScope(b, l, row, [&] {
                  forEachIndex(b, l, shape,
                               [&](OpBuilder &ib, Location il,
                                   ValueRange inner) {
                                 body(ib, il, row, inner);
                               });
                });
              });
}

Value FunctionLowering::rowLength(OpBuilder &b, Location loc, Value offsets,
                                  Value row) {
  Value lo = memref::LoadOp::create(b, loc, offsets, row);
  Value next = arith::AddIOp::create(b, loc, row, constIndex(1));
  Value hi = memref::LoadOp::create(b, loc, offsets, next);
  return arith::SubIOp::create(b, loc, hi, lo);
}

Value FunctionLowering::reduceSum(
    OpBuilder &b, Location loc, Value lb, Value ub,
    function_ref<Value(OpBuilder &, Location, Value)> term, Type elementType) {
  Value zero = floatConstant(b, loc, elementType, 0);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, constIndex(1), ValueRange{zero},
      [&](OpBuilder &ib, Location il, Value iv, ValueRange acc) {
        Value sum = arith::AddFOp::create(ib, il, acc[0], term(ib, il, iv));
        scf::YieldOp::create(ib, il, sum);
      });
  return loop.getResult(0);
}

void FunctionLowering::fill(Location loc, Value buffer, Type rgnnType,
                            double value) {
  Type elementType = cast<ShapedType>(rgnnType).getElementType();
  forEachElement(loc, rgnnType,
                 [&](OpBuilder &b, Location l, Value row, ValueRange inner) {
                   store(b, l, buffer, row, inner,
                         floatConstant(b, l, elementType, value));
                 });
}

//===----------------------------------------------------------------------===//
// Domain-moving ops
//===----------------------------------------------------------------------===//

LogicalResult FunctionLowering::lowerGather(rgnn::GatherOp op) {
  FeatureType in = op.getInput().getType(), out = op.getType();
  Domain d = out.getDomain();
  Value index;
  switch (op.getIndex()) {
  case rgnn::GatherIndex::Src:
    index = graphArray(d == Domain::Edge ? Src : UniqueSrcNodes);
    break;
  case rgnn::GatherIndex::Dst:
    index = graphArray(d == Domain::Edge ? Dst : UniqueDstNodes);
    break;
  case rgnn::GatherIndex::Relation:
    index = d == Domain::Edge      ? graphArray(Etype)
            : d == Domain::SrcRel ? pairRelations(/*src=*/true)
                                  : pairRelations(/*src=*/false);
    break;
  case rgnn::GatherIndex::NodeType:
    index = graphArray(Ntype);
    break;
  case rgnn::GatherIndex::SrcRel:
    index = graphArray(EdgeToUniqueSrc);
    break;
  case rgnn::GatherIndex::DstRel:
    index = graphArray(EdgeToUniqueDst);
    break;
  case rgnn::GatherIndex::SrcType:
    index = relationEndpointTypes(/*src=*/true);
    break;
  case rgnn::GatherIndex::DstType:
    index = relationEndpointTypes(/*src=*/false);
    break;
  }
  const Lowered &input = values[op.getInput()];
  Lowered view;
  view.index = index;
  if (input.inBuffer()) {
    view.buffer = input.buffer;
  } else if (input.compute) {
    // Evaluate an expression once per input element, not once per read.
    view.buffer = materialize(op.getLoc(), input, in);
  } else {
    view.source = std::make_shared<Lowered>(input);
  }
  values[op.getResult()] = view;
  return success();
}

hetop::TraverseOp FunctionLowering::createTraverse(
    Location loc, const AggregationCSR &csr,
    function_ref<void(OpBuilder &, Block *)> fill) {
  // Edge-parallel, an entry reads its row at its id (`dst` of its edge for
  // the in-CSR, the edge's pair, the pair's node): two dependent loads
  // rather than a binary search of the offsets.
  auto traverse = hetop::TraverseOp::create(
      top, loc,
      edgeParallel ? hetop::TraversalKind::EdgeParallel
                   : hetop::TraversalKind::NodeParallel,
      csr.kind, graphArray(csr.ptr), graphArray(csr.col), graphArray(csr.eid),
      graphArray(csr.rel), edgeParallel ? graphArray(csr.row) : Value(),
      edgeParallel
          ? hetop::AccessSchemeAttr::get(ctx, hetop::AccessScheme::Direct)
          : hetop::AccessSchemeAttr(),
      schedule);
  Block *body = top.createBlock(&traverse.getBody());
  Type index = top.getIndexType();
  for (int i = 0; i < 4; ++i)
    body->addArgument(index, loc);
  OpBuilder b = OpBuilder::atBlockEnd(body);
  fill(b, body);
  hetop::YieldOp::create(b, loc);
  top.setInsertionPointAfter(traverse);
  return traverse;
}

LogicalResult FunctionLowering::lowerAggregate(rgnn::AggregateOp op) {
  FeatureType in = op.getInput().getType(), out = op.getType();
  bool toDst = op.getTo() == rgnn::Endpoint::Dst;
  Location loc = op.getLoc();
  AggregationCSR csr = aggregationCSR(in.getDomain(), out.getDomain(), toDst);
  Value result = allocFeature(loc, out);
  bool max = op.getReduction() == rgnn::Reduction::Max;
  fill(loc, result, out, max ? -std::numeric_limits<double>::infinity() : 0);
  hetop::Combine combine = max ? hetop::Combine::Max : hetop::Combine::Add;
  // With a choice, the relation of each row (a pair: one relation for all
  // its edges) or, onto nodes, of each entry (the CSR's edge types).
  Value rowRelations;
  if (op.getChoice() && out.getDomain() != Domain::Node)
    rowRelations = pairRelations(!toDst);
  createTraverse(loc, csr, [&](OpBuilder &b, Block *body) {
    Value row = body->getArgument(0), entry = body->getArgument(2);
    const Lowered &input = values[op.getInput()];
    auto add = [&](OpBuilder &ib, Location il, ValueRange inner, Value v) {
      SmallVector<Value> indices{row};
      llvm::append_range(indices, inner);
      hetop::AccumulateOp::create(ib, il, v, result, indices, combine);
    };
    auto factored = factors.find(op.getInput().getDefiningOp());
    auto accumulate = [&](OpBuilder &ab) {
      withRowScope(ab, loc, entry, [&] {
        if (factored == factors.end()) {
          forEachIndex(ab, loc, in.getShape(),
                       [&](OpBuilder &ib, Location il, ValueRange inner) {
                         add(ib, il, inner, load(ib, il, input, entry, inner));
                       });
          return;
        }
        // A scaled message (attention times a value): the scalar once per
        // element of the leading dimensions (for a fused softmax, one
        // weight per edge and head), then a loop over the last one.
        const Factors &f = factored->second;
        ArrayRef<int64_t> shape = in.getShape();
        forEachIndex(
            ab, loc, shape.drop_back(),
            [&](OpBuilder &ob, Location ol, ValueRange outer) {
              Value w = load(ob, ol, f.scalar, entry, outer);
              forEachIndex(
                  ob, ol, shape.take_back(),
                  [&](OpBuilder &ib, Location il, ValueRange last) {
                    SmallVector<Value> idx(outer);
                    idx.push_back(last[0]);
                    SmallVector<Value> vi(f.outer ? outer.drop_back() : outer);
                    vi.push_back(last[0]);
                    Value x = load(ib, il, f.vector, entry, vi);
                    add(ib, il, idx, arith::MulFOp::create(ib, il, w, x));
                  });
            });
      });
    };
    if (std::optional<uint64_t> choice = op.getChoice()) {
      // Only the edges whose relation made this choice contribute.
      Value relation = rowRelations ? loadIndex(b, loc, rowRelations, row)
                                    : body->getArgument(3);
      Value chosen = loadIndex(b, loc, graphArray(RelChoice), relation);
      Value match = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, chosen,
          constIndex(static_cast<int64_t>(*choice)));
      scf::IfOp::create(b, loc, match, [&](OpBuilder &tb, Location tl) {
        accumulate(tb);
        scf::YieldOp::create(tb, tl);
      });
    } else {
      accumulate(b);
    }
  });

  if (op.getReduction() != rgnn::Reduction::Sum) {
    // A mean divides by the number of entries of each row, an empty row
    // stays 0; a max sets its empty rows (still -inf) to 0.
    Value offsets = graphArray(csr.ptr);
    Type elementType = out.getElementType();
    parallelFor(top, loc, domainSize(out), [&](OpBuilder &b, Location l,
                                               Value row) {
      Value count = rowLength(b, l, offsets, row);
      Value one = arith::ConstantIntOp::create(b, l, 1, 64);
      Value denom, empty;
      if (max) {
        empty =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, count, one);
      } else {
        Value nonEmpty = arith::MaxSIOp::create(b, l, count, one);
        denom = arith::SIToFPOp::create(b, l, elementType, nonEmpty);
      }
      forEachIndex(
          b, l, out.getShape(),
          [&](OpBuilder &ib, Location il, ValueRange inner) {
            Value v = load(ib, il, Lowered::ofBuffer(result), row, inner);
            Value q;
            if (max)
              q = arith::SelectOp::create(
                  ib, il, empty, floatConstant(ib, il, elementType, 0), v);
            else
              q = arith::DivFOp::create(ib, il, v, denom);
            store(ib, il, result, row, inner, q);
          });
    });
  }
  define(op.getResult(), result);
  return success();
}

std::pair<Value, Value> FunctionLowering::softmaxStatistics(
    OpBuilder &b, Location loc, const Lowered &scores, Type elementType,
    Value lo, Value hi, ValueRange inner,
    function_ref<void(OpBuilder &, Location, Value, Value)> onExp) {
  Value eids = graphArray(InEids);
  Value lowest = floatConstant(b, loc, elementType,
                               -std::numeric_limits<double>::infinity());
  auto maxLoop = scf::ForOp::create(
      b, loc, lo, hi, constIndex(1), ValueRange{lowest},
      [&](OpBuilder &fb, Location fl, Value p, ValueRange acc) {
        Value x = load(fb, fl, scores, loadIndex(fb, fl, eids, p), inner);
        Value m = arith::MaximumFOp::create(fb, fl, acc[0], x);
        scf::YieldOp::create(fb, fl, m);
      });
  Value max = maxLoop.getResult(0);
  Value sum = reduceSum(
      b, loc, lo, hi,
      [&](OpBuilder &fb, Location fl, Value p) -> Value {
        Value e = loadIndex(fb, fl, eids, p);
        Value x = load(fb, fl, scores, e, inner);
        Value ex =
            math::ExpOp::create(fb, fl, arith::SubFOp::create(fb, fl, x, max));
        if (onExp)
          onExp(fb, fl, e, ex);
        return ex;
      },
      elementType);
  return {max, sum};
}

std::pair<Value, Value> FunctionLowering::onlineSoftmaxStatistics(
    OpBuilder &b, Location loc, const Lowered &scores, Type elementType,
    Value lo, Value hi, ValueRange inner) {
  Value eids = graphArray(InEids);
  Value lowest = floatConstant(b, loc, elementType,
                               -std::numeric_limits<double>::infinity());
  Value zero = floatConstant(b, loc, elementType, 0);
  Value one = floatConstant(b, loc, elementType, 1);
  auto loop = scf::ForOp::create(
      b, loc, lo, hi, constIndex(1), ValueRange{lowest, zero},
      [&](OpBuilder &fb, Location fl, Value p, ValueRange acc) {
        Value max = acc[0], sum = acc[1];
        Value x = load(fb, fl, scores, loadIndex(fb, fl, eids, p), inner);
        // A new maximum x: sum * exp(max - x) + 1; otherwise
        // sum + exp(x - max). The exponent is never positive, and the
        // first entry gives exp(-inf) * 0 + 1.
        Value grows =
            arith::CmpFOp::create(fb, fl, arith::CmpFPredicate::OGT, x, max);
        Value up = arith::SubFOp::create(fb, fl, max, x);
        Value down = arith::SubFOp::create(fb, fl, x, max);
        Value t = math::ExpOp::create(
            fb, fl, arith::SelectOp::create(fb, fl, grows, up, down));
        Value rescaled = arith::AddFOp::create(
            fb, fl, arith::MulFOp::create(fb, fl, sum, t), one);
        Value added = arith::AddFOp::create(fb, fl, sum, t);
        Value nextSum = arith::SelectOp::create(fb, fl, grows, rescaled, added);
        Value nextMax = arith::SelectOp::create(fb, fl, grows, x, max);
        scf::YieldOp::create(fb, fl, ValueRange{nextMax, nextSum});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

void FunctionLowering::atomicSoftmaxStatistics(Location loc,
                                               const Lowered &scores,
                                               FeatureType perNode,
                                               Value maxima, Value sums) {
  Type elementType = perNode.getElementType();
  forEachElement(
      loc, perNode,
      [&](OpBuilder &b, Location l, Value node, ValueRange inner) {
        store(b, l, maxima, node, inner,
              floatConstant(b, l, elementType,
                            -std::numeric_limits<double>::infinity()));
        store(b, l, sums, node, inner, floatConstant(b, l, elementType, 0));
      });
  AggregationCSR csr =
      aggregationCSR(Domain::Edge, Domain::Node, /*toDst=*/true);
  // Each traversal's entries of one destination run at once: the maximum
  // first, then the exponentials relative to it.
  auto each =
      [&](hetop::Combine combine, Value into,
          function_ref<Value(OpBuilder &, Location, Value, Value, ValueRange)>
              value) {
        createTraverse(loc, csr, [&](OpBuilder &b, Block *body) {
          Value row = body->getArgument(0), entry = body->getArgument(2);
          withRowScope(b, loc, entry, [&] {
            forEachIndex(b, loc, perNode.getShape(),
                         [&](OpBuilder &ib, Location il, ValueRange inner) {
                           SmallVector<Value> indices{row};
                           llvm::append_range(indices, inner);
                           hetop::AccumulateOp::create(
                               ib, il, value(ib, il, row, entry, inner), into,
                               indices, combine);
                         });
          });
        });
      };
  each(hetop::Combine::Max, maxima,
       [&](OpBuilder &b, Location l, Value, Value e, ValueRange inner) {
         return load(b, l, scores, e, inner);
       });
  each(hetop::Combine::Add, sums,
       [&](OpBuilder &b, Location l, Value row, Value e, ValueRange inner) {
         Value max = load(b, l, Lowered::ofBuffer(maxima), row, inner);
         Value x = load(b, l, scores, e, inner);
         return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, x, max))
             .getResult();
       });
}

LogicalResult FunctionLowering::lowerEdgeSoftmax(rgnn::EdgeSoftmaxOp op) {
  FeatureType type = op.getType();
  Location loc = op.getLoc();
  const Lowered &input = values[op.getInput()];
  Value indptr = graphArray(InIndptr), eids = graphArray(InEids);
  Type elementType = type.getElementType();
  FeatureType perNode =
      FeatureType::get(ctx, Domain::Node, type.getShape(), elementType);
  Value numNodes = domainSize(perNode);
  bool fused = fusesSoftmax(op.getResult());
  // Fused: each destination's maximum and reciprocal denominator (per head)
  // are all that is stored; the aggregations compute each weight where they
  // read it. Otherwise the weights are stored: edge-parallel, computed from
  // those statistics, a thread per edge; node-parallel, a thread per
  // destination stores the exponentials, then normalizes them in place.
  Value result, maxima, inverseSums;
  if (fused || edgeParallel) {
    maxima = allocFeature(loc, perNode);
    inverseSums = allocFeature(loc, perNode);
    temporaries.push_back(maxima);
    temporaries.push_back(inverseSums);
  }
  if (!fused)
    result = allocFeature(loc, type);
  if (edgeParallel) {
    // A thread per entry, not per destination: a hub's in-edges (thousands
    // on a knowledge graph) would otherwise be one thread's serial loop.
    atomicSoftmaxStatistics(loc, input, perNode, maxima, inverseSums);
  }
  parallelFor(top, loc, numNodes, [&](OpBuilder &b, Location l, Value node) {
    // The destination's in-edges, unless its statistics are accumulated.
    Value lo, hi;
    if (!edgeParallel) {
      lo = loadIndex(b, l, indptr, node);
      Value next = arith::AddIOp::create(b, l, node, constIndex(1));
      hi = loadIndex(b, l, indptr, next);
    }
    forEachIndex(
        b, l, type.getShape(),
        [&](OpBuilder &ib, Location il, ValueRange inner) {
          if (fused || edgeParallel) {
            Value sum;
            if (edgeParallel) {
              sum = load(ib, il, Lowered::ofBuffer(inverseSums), node, inner);
            } else {
              auto [max, online] = onlineSoftmaxStatistics(
                  ib, il, input, elementType, lo, hi, inner);
              store(ib, il, maxima, node, inner, max);
              sum = online;
            }
            // The reciprocal: one division per destination instead of one
            // per edge (an IEEE division is a long instruction sequence on
            // GPUs).
            Value one = floatConstant(ib, il, elementType, 1);
            store(ib, il, inverseSums, node, inner,
                  arith::DivFOp::create(ib, il, one, sum));
            return;
          }
          Value sum = softmaxStatistics(
                          ib, il, input, elementType, lo, hi, inner,
                          [&](OpBuilder &fb, Location fl, Value e, Value ex) {
                            store(fb, fl, result, e, inner, ex);
                          })
                          .second;
          scf::ForOp::create(
              ib, il, lo, hi, constIndex(1), ValueRange{},
              [&](OpBuilder &fb, Location fl, Value p, ValueRange) {
                Value e = loadIndex(fb, fl, eids, p);
                Value ex = load(fb, fl, Lowered::ofBuffer(result), e, inner);
                store(fb, fl, result, e, inner,
                      arith::DivFOp::create(fb, fl, ex, sum));
                scf::YieldOp::create(fb, fl);
              });
        });
  });
  if (!fused && !edgeParallel) {
    define(op.getResult(), result);
    return success();
  }
  // The weight of edge e: exp(s_e - max_dst) * (1 / sum_dst).
  Lowered scores = input;
  Value dst = graphArray(Dst);
  Lowered weight;
  weight.compute = [this, scores, maxima, inverseSums,
                    dst](OpBuilder &b, Location l, Value e, ValueRange idx) {
    Value node = viewRow(b, l, dst, e);
    Value x = load(b, l, scores, e, idx);
    Value max = load(b, l, Lowered::ofBuffer(maxima), node, idx);
    Value inverse = load(b, l, Lowered::ofBuffer(inverseSums), node, idx);
    Value ex = math::ExpOp::create(b, l, arith::SubFOp::create(b, l, x, max));
    return arith::MulFOp::create(b, l, ex, inverse);
  };
  if (fused) {
    values[op.getResult()] = weight;
    return success();
  }
  forEachElement(
      loc, type, [&](OpBuilder &b, Location l, Value e, ValueRange inner) {
        store(b, l, result, e, inner, weight.compute(b, l, e, inner));
      });
  define(op.getResult(), result);
  return success();
}

LogicalResult FunctionLowering::lowerDegree(rgnn::DegreeOp op) {
  FeatureType out = op.getType();
  Location loc = op.getLoc();
  // The row lengths of the aggregation's CSR.
  Value offsets = graphArray(aggregationCSR(op.getFrom(), out.getDomain(),
                                            op.getTo() == rgnn::Endpoint::Dst)
                                 .ptr);
  Value result = allocFeature(loc, out);
  parallelFor(top, loc, domainSize(out), [&](OpBuilder &b, Location l,
                                             Value row) {
    Value count = rowLength(b, l, offsets, row);
    store(b, l, result, row, {},
          arith::SIToFPOp::create(b, l, out.getElementType(), count));
  });
  define(op.getResult(), result);
  return success();
}

/// Positions a task of a chunked sum adds up before its atomic add: enough
/// to amortize the atomic, few enough to give every SM work on small graphs.
static constexpr int64_t kSumChunk = 256;

void FunctionLowering::chunkedSum(
    Location loc, Value result, Type resultType, Value total, Value offsets,
    Value numSegments, const Lowered &input,
    function_ref<Value(OpBuilder &, Location, Value)> elementAt) {
  auto shaped = cast<ShapedType>(resultType);
  ArrayRef<int64_t> shape = shaped.getShape();
  Type elementType = shaped.getElementType();
  fillZero(loc, result, resultType);
  int64_t elements = ShapedType::getNumElements(shape);
  Value chunks =
      arith::CeilDivUIOp::create(top, loc, total, constIndex(kSumChunk));
  Value count = arith::MulIOp::create(top, loc, chunks, constIndex(elements));
  // Consecutive tasks are consecutive elements of one chunk: their loads of
  // a row are coalesced.
  parallelFor(top, loc, count, [&](OpBuilder &b, Location l, Value task) {
    Value chunk = arith::DivUIOp::create(b, l, task, constIndex(elements));
    Value flat = arith::RemUIOp::create(b, l, task, constIndex(elements));
    SmallVector<Value> inner = delinearize(b, l, flat, shape);
    Value lo = arith::MulIOp::create(b, l, chunk, constIndex(kSumChunk));
    Value hi = arith::MinUIOp::create(
        b, l, arith::AddIOp::create(b, l, lo, constIndex(kSumChunk)), total);
    auto term = [&](OpBuilder &fb, Location fl, Value p) -> Value {
      return load(fb, fl, input, elementAt(fb, fl, p), inner);
    };
    auto addInto = [&](OpBuilder &ab, Location al, Value seg, Value v) {
      SmallVector<Value> idx;
      if (seg)
        idx.push_back(seg);
      llvm::append_range(idx, inner);
      memref::AtomicRMWOp::create(ab, al, arith::AtomicRMWKind::addf, v, result,
                                  idx);
    };
    if (!offsets) {
      addInto(b, l, Value(), reduceSum(b, l, lo, hi, term, elementType));
      return;
    }
    // The chunk may span segments: flush the running sum into a segment's
    // row when the walk leaves it.
    auto segmentAt = [&](OpBuilder &sb, Location sl, Value p) {
      Value seg =
          hetop::templates::upperSegment(sb, sl, offsets, numSegments, p);
      Value next = arith::AddIOp::create(sb, sl, seg, constIndex(1));
      return std::make_pair(seg, loadIndex(sb, sl, offsets, next));
    };
    auto [firstSeg, firstEnd] = segmentAt(b, l, lo);
    Value zero = floatConstant(b, l, elementType, 0);
    auto walk = scf::ForOp::create(
        b, l, lo, hi, constIndex(1), ValueRange{firstSeg, firstEnd, zero},
        [&](OpBuilder &fb, Location fl, Value p, ValueRange state) {
          Value left = arith::CmpIOp::create(fb, fl, arith::CmpIPredicate::uge,
                                             p, state[1]);
          auto flush = scf::IfOp::create(
              fb, fl, left,
              [&](OpBuilder &tb, Location tl) {
                addInto(tb, tl, state[0], state[2]);
                auto [seg, end] = segmentAt(tb, tl, p);
                scf::YieldOp::create(
                    tb, tl,
                    ValueRange{seg, end,
                               floatConstant(tb, tl, elementType, 0)});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, state);
              });
          Value sum = arith::AddFOp::create(fb, fl, flush.getResult(2),
                                            term(fb, fl, p));
          scf::YieldOp::create(
              fb, fl, ValueRange{flush.getResult(0), flush.getResult(1), sum});
        });
    addInto(b, l, walk.getResult(0), walk.getResult(2));
  });
}

std::pair<Value, Value> FunctionLowering::gemmOperand(Location loc,
                                                      const Lowered &value,
                                                      Type rgnnType) {
  if (value.buffer && value.index && !value.source) {
    auto viewed = cast<MemRefType>(value.buffer.getType());
    if (viewed.getShape().drop_front() ==
        bufferTypeOf(rgnnType).getShape().drop_front())
      return {value.buffer, value.index};
  }
  return {materialize(loc, value, rgnnType), Value()};
}

bool FunctionLowering::emitOuterGemm(Location loc, Value input, Value result,
                                     Value offsets, Value members) {
  auto product = input.getDefiningOp<rgnn::OuterProductOp>();
  if (!product || product.getLhs().getType().getShape().size() > 2)
    return false;
  auto fused = factors.find(product);
  if (fused == factors.end())
    return false;
  const Factors &f = fused->second;
  auto [a, aGather] = gemmOperand(loc, f.scalar, product.getLhs().getType());
  auto [b, bGather] = gemmOperand(loc, f.vector, product.getRhs().getType());
  hetop::OuterGemmOp::create(top, loc, a, b, result, offsets, members, aGather,
                             bGather, /*schedule=*/nullptr);
  return true;
}

void FunctionLowering::accumulateRows(
    OpBuilder &b, Location loc, Value result, Value row,
    ArrayRef<Value> prefix, ArrayRef<int64_t> shape, Value lb, Value ub,
    const Lowered &input,
    function_ref<Value(OpBuilder &, Location, Value)> elementAt,
    Type elementType) {
  // result[row][prefix, i...] = sum over p in [lb, ub) of
  // input[elementAt(p)][prefix, i...]. The loop over p is outermost, so a
  // fused outer product becomes a rank-1 update whose innermost loop walks
  // contiguous memory, instead of one strided reduction per element.
  auto at = [&](ValueRange inner) {
    SmallVector<Value> idx(prefix.begin(), prefix.end());
    llvm::append_range(idx, inner);
    return idx;
  };
  forEachIndex(b, loc, shape,
               [&](OpBuilder &ib, Location il, ValueRange inner) {
                 store(ib, il, result, row, at(inner),
                       floatConstant(ib, il, elementType, 0));
               });
  scf::ForOp::create(
      b, loc, lb, ub, constIndex(1), ValueRange{},
      [&](OpBuilder &fb, Location fl, Value p, ValueRange) {
        Value element = elementAt(fb, fl, p);
        withRowScope(fb, fl, element, [&] {
          forEachIndex(fb, fl, shape, [&](OpBuilder &ib, Location il,
                                          ValueRange inner) {
            SmallVector<Value> idx = at(inner);
            Value acc = load(ib, il, Lowered::ofBuffer(result), row, idx);
            Value x = load(ib, il, input, element, idx);
            store(ib, il, result, row, idx,
                  arith::AddFOp::create(ib, il, acc, x));
          });
        });
        scf::YieldOp::create(fb, fl);
      });
}

LogicalResult FunctionLowering::lowerDomainSum(rgnn::DomainSumOp op) {
  FeatureType in = op.getInput().getType();
  auto out = cast<RankedTensorType>(op.getType());
  Location loc = op.getLoc();
  Value result = alloc(top, loc, out);
  if (emitOuterGemm(loc, op.getInput(), result, Value(), Value())) {
    define(op.getResult(), result);
    return success();
  }
  if (chunkedSums()) {
    chunkedSum(loc, result, out, domainSize(in), Value(), Value(),
               values[op.getInput()],
               [](OpBuilder &, Location, Value p) { return p; });
    define(op.getResult(), result);
    return success();
  }
  // Parallel over the first dimension of the sum; each task accumulates its
  // slice over the whole domain (of an outer product: rows of lhs^T . rhs).
  ArrayRef<int64_t> shape = out.getShape();
  int64_t outer = shape.empty() ? 1 : shape.front();
  ArrayRef<int64_t> rest = shape.empty() ? shape : shape.drop_front();
  Value rows = domainSize(in);
  const Lowered &input = values[op.getInput()];
  parallelFor(top, loc, constIndex(outer), [&](OpBuilder &b, Location l,
                                              Value first) {
    SmallVector<Value> prefix;
    if (!shape.empty())
      prefix.push_back(first);
    accumulateRows(
        b, l, result, Value(), prefix, rest, constIndex(0), rows, input,
        [](OpBuilder &, Location, Value p) { return p; },
        out.getElementType());
  });
  define(op.getResult(), result);
  return success();
}

LogicalResult FunctionLowering::lowerTypeSum(Operation *op,
                                             bool perRelation) {
  Value inputValue = op->getOperand(1);
  auto in = cast<FeatureType>(inputValue.getType());
  auto out = cast<FeatureType>(op->getResult(0).getType());
  Location loc = op->getLoc();
  Value result = allocFeature(loc, out);
  const Lowered &input = values[inputValue];
  // Segments of the input's elements per relation or node type, and the
  // element at each position (none: the position is the element).
  Value offsets, members;
  if (!perRelation) {
    offsets = graphArray(NtypeOffsets);
    members = graphArray(NtypeNodes);
  } else if (in.getDomain() == Domain::Edge) {
    offsets = graphArray(RelOffsets);
    members = graphArray(RelEids);
  } else {
    offsets = graphArray(in.getDomain() == Domain::SrcRel ? UniqueSrcOffsets
                                                           : UniqueDstOffsets);
  }
  auto elementAt = [&](OpBuilder &b, Location l, Value p) -> Value {
    return members ? loadIndex(b, l, members, p) : p;
  };
  if (emitOuterGemm(loc, inputValue, result, offsets, members)) {
    define(op->getResult(0), result);
    return success();
  }
  if (chunkedSums()) {
    // The positions cover the input's domain: `members` is a permutation.
    chunkedSum(loc, result, out, domainSize(in), offsets, domainSize(out),
               input, elementAt);
    define(op->getResult(0), result);
    return success();
  }
  parallelFor(top, loc, domainSize(out), [&](OpBuilder &b, Location l,
                                             Value seg) {
    Value lo = loadIndex(b, l, offsets, seg);
    Value next = arith::AddIOp::create(b, l, seg, constIndex(1));
    Value hi = loadIndex(b, l, offsets, next);
    accumulateRows(b, l, result, seg, {}, out.getShape(), lo, hi, input,
                   elementAt, out.getElementType());
  });
  define(op->getResult(0), result);
  return success();
}

LogicalResult
FunctionLowering::lowerMergeNodeTypes(rgnn::MergeNodeTypesOp op) {
  FeatureType out = op.getType();
  Location loc = op.getLoc();
  Value result = allocFeature(loc, out);
  Value nodes = graphArray(NtypeNodes);
  for (auto [t, inputValue] : llvm::enumerate(op.getInputs())) {
    auto in = cast<FeatureType>(inputValue.getType());
    const Lowered &input = values[inputValue];
    Value base = nodeTypeBase(t);
    parallelFor(top, loc, domainSize(in), [&](OpBuilder &b, Location l,
                                              Value i) {
      Value position = arith::AddIOp::create(b, l, base, i);
      Value node = loadIndex(b, l, nodes, position);
      forEachIndex(b, l, out.getShape(),
                   [&](OpBuilder &ib, Location il, ValueRange inner) {
                     store(ib, il, result, node, inner,
                           load(ib, il, input, i, inner));
                   });
    });
  }
  define(op.getResult(), result);
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult FunctionLowering::emitGemm(Operation *op, Value a,
                                         ArrayRef<int64_t> aShape, Value weight,
                                         ArrayRef<int64_t> wShape,
                                         bool sharedWeight, Value c,
                                         Value offsets, Value gather,
                                         Value scatter,
                                         std::optional<uint64_t> choice) {
  Location loc = op->getLoc();
  auto elementType = cast<MemRefType>(a.getType()).getElementType();
  Value numSegments =
      sharedWeight ? constIndex(1) : memref::DimOp::create(top, loc, weight, 0);
  // Per-type weights are `[S, wShape...]`; shared ones get a unit segment
  // dimension.
  auto segmentIndex = [&](OpBuilder &b, Location l, Value s,
                          SmallVector<Value> rest) {
    if (!sharedWeight)
      rest.insert(rest.begin(), s);
    return memref::LoadOp::create(b, l, weight, rest).getResult();
  };
  // Builds the GEMM's B operand `[S, dims...]` with `element(s, idx)`.
  auto buildB = [&](ArrayRef<int64_t> dims,
                    function_ref<Value(OpBuilder &, Location, Value,
                                       ValueRange)>
                        element) -> Value {
    SmallVector<int64_t> shape{ShapedType::kDynamic};
    llvm::append_range(shape, dims);
    Value b = memref::AllocOp::create(top, loc,
                                      MemRefType::get(shape, elementType),
                                      ValueRange{numSegments});
    temporaries.push_back(b);
    parallelFor(top, loc, numSegments, [&](OpBuilder &pb, Location l,
                                           Value s) {
      forEachIndex(pb, l, dims, [&](OpBuilder &ib, Location il,
                                    ValueRange idx) {
        SmallVector<Value> indices{s};
        llvm::append_range(indices, idx);
        memref::StoreOp::create(ib, il, element(ib, il, s, idx), b, indices);
      });
    });
    return b;
  };

  Value bOperand = weight, cOperand = c;
  if (wShape.size() == 2 && aShape.size() == 1) {
    if (sharedWeight) {
      bOperand = memref::ExpandShapeOp::create(
          top, loc,
          MemRefType::get({1, wShape[0], wShape[1]}, elementType), weight,
          ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    }
  } else if (wShape.size() == 2 && aShape.size() == 2) {
    // [H, K] rows times one [K, N] weight: every head uses the same B.
    int64_t heads = aShape[0];
    bOperand = buildB({heads, wShape[0], wShape[1]},
                      [&](OpBuilder &b, Location l, Value s, ValueRange idx) {
                        return segmentIndex(b, l, s, {idx[1], idx[2]});
                      });
  } else if (wShape.size() == 3 && aShape.size() == 2) {
    if (sharedWeight)
      bOperand = buildB(wShape, [&](OpBuilder &b, Location l, Value s,
                                    ValueRange idx) {
        return segmentIndex(b, l, s, {idx[0], idx[1], idx[2]});
      });
  } else if (wShape.size() == 3 && aShape.size() == 1) {
    // [K] rows times [H, K, N]: B[s][k][h * N + n] = W[s][h][k][n], and C
    // is viewed as rows of H * N.
    int64_t heads = wShape[0], k = wShape[1], n = wShape[2];
    bOperand = buildB({k, heads * n}, [&](OpBuilder &b, Location l, Value s,
                                          ValueRange idx) {
      Value nIndex = constIndex(n);
      Value h = arith::DivUIOp::create(b, l, idx[1], nIndex);
      Value col = arith::RemUIOp::create(b, l, idx[1], nIndex);
      return segmentIndex(b, l, s, {h, idx[0], col});
    });
    cOperand = memref::CollapseShapeOp::create(
        top, loc, c, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  } else {
    return op->emitError("the CPU lowering supports per-element inputs [K] "
                         "or [H, K] with weights [K, N] or [H, K, N], got '")
           << rgnn::formatShape(aShape) << "' and '" << rgnn::formatShape(wShape) << "'";
  }
  // Segments are relations when a choice restricts the GEMM.
  Value mask = choice ? graphArray(RelChoice) : Value();
  IntegerAttr maskValue =
      choice ? top.getI64IntegerAttr(static_cast<int64_t>(*choice))
             : IntegerAttr();
  hetop::TypedGemmOp::create(
      top, loc, a, bOperand, cOperand, offsets, gather, scatter, mask,
      /*epilogue_operands=*/ValueRange{}, hetop::CMode::Store,
      hetop::Epilogue::None, /*transpose_b=*/false, maskValue,
      /*access=*/hetop::AccessSchemeAttr(),
      /*schedule=*/hetop::GemmScheduleAttr());
  return success();
}

LogicalResult FunctionLowering::lowerTypedLinear(rgnn::TypedLinearOp op) {
  FeatureType in = op.getInput().getType(), out = op.getType();
  FeatureType weightType = op.getWeight().getType();
  Location loc = op.getLoc();
  bool byRelation = op.getBy() == rgnn::TypeKind::Relation;
  Value a = materialize(loc, values[op.getInput()], in);
  Value weight = materialize(loc, values[op.getWeight()], weightType);

  if (!byRelation && op.getOn() != rgnn::Endpoint::Self) {
    // By the endpoint's node type: project every node by its own type,
    // then read the projection at the endpoint.
    FeatureType perNode = out.withDomain(Domain::Node);
    Value projected = allocFeature(loc, perNode);
    if (failed(emitGemm(op, a, in.getShape(), weight, weightType.getShape(),
                        /*sharedWeight=*/false, projected,
                        graphArray(NtypeOffsets), graphArray(NtypeNodes),
                        graphArray(NtypeNodes))))
      return failure();
    temporaries.push_back(projected);
    bool src = op.getOn() == rgnn::Endpoint::Src;
    GraphArray index = out.getDomain() == Domain::Edge
                           ? (src ? Src : Dst)
                           : (src ? UniqueSrcNodes : UniqueDstNodes);
    Lowered view = Lowered::ofBuffer(projected);
    view.index = graphArray(index);
    values[op.getResult()] = view;
    return success();
  }

  // Segments of the GEMM's rows, the rows of A they read and the rows of C
  // they write.
  Value offsets, gather, scatter;
  if (!byRelation) {
    offsets = graphArray(NtypeOffsets);
    gather = scatter = graphArray(NtypeNodes);
  } else if (op.getOn() != rgnn::Endpoint::Self) {
    bool src = op.getOn() == rgnn::Endpoint::Src;
    if (out.getDomain() == Domain::Edge) {
      offsets = graphArray(RelOffsets);
      gather = graphArray(src ? RelSrc : RelDst);
      scatter = graphArray(RelEids);
    } else {
      offsets = graphArray(src ? UniqueSrcOffsets : UniqueDstOffsets);
      gather = graphArray(src ? UniqueSrcNodes : UniqueDstNodes);
    }
  } else if (in.getDomain() == Domain::Edge) {
    offsets = graphArray(RelOffsets);
    gather = scatter = graphArray(RelEids);
  } else {
    offsets = graphArray(in.getDomain() == Domain::SrcRel ? UniqueSrcOffsets
                                                           : UniqueDstOffsets);
  }
  Value result = allocFeature(loc, out);
  if (failed(emitGemm(op, a, in.getShape(), weight, weightType.getShape(),
                      /*sharedWeight=*/false, result, offsets, gather,
                      scatter, op.getChoice())))
    return failure();
  define(op.getResult(), result);
  return success();
}

LogicalResult FunctionLowering::lowerLinear(rgnn::LinearOp op) {
  FeatureType in = op.getInput().getType(), out = op.getType();
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  Location loc = op.getLoc();
  Value a = materialize(loc, values[op.getInput()], in);
  Value weight = materialize(loc, values[op.getWeight()], weightType);
  // One segment covering every row, written on the device.
  Value offsets = memref::AllocOp::create(
      top, loc, MemRefType::get({2}, top.getI64Type()));
  temporaries.push_back(offsets);
  Value rows = arith::IndexCastOp::create(top, loc, top.getI64Type(),
                                          domainSize(in));
  parallelFor(top, loc, constIndex(1), [&](OpBuilder &b, Location l, Value) {
    Value zero = arith::ConstantIntOp::create(b, l, 0, 64);
    memref::StoreOp::create(b, l, zero, offsets, constIndex(0));
    memref::StoreOp::create(b, l, rows, offsets, constIndex(1));
  });
  Value result = allocFeature(loc, out);
  if (failed(emitGemm(op, a, in.getShape(), weight, weightType.getShape(),
                      /*sharedWeight=*/true, result, offsets, Value(),
                      Value())))
    return failure();
  define(op.getResult(), result);
  return success();
}

LogicalResult FunctionLowering::lowerWeightProduct(rgnn::WeightProductOp op) {
  Type lhsType = op.getLhs().getType(), rhsType = op.getRhs().getType();
  Type outType = op.getType();
  Location loc = op.getLoc();
  const Lowered &lhs = values[op.getLhs()];
  const Lowered &rhs = values[op.getRhs()];
  ArrayRef<int64_t> a = cast<ShapedType>(lhsType).getShape();
  ArrayRef<int64_t> bShape = cast<ShapedType>(rhsType).getShape();
  Value result = alloc(top, loc, outType);
  Type elementType = cast<ShapedType>(outType).getElementType();
  // The operand indices of every output index `o` and contraction index `k`.
  auto operands = [&](ValueRange o, Value k) {
    SmallVector<Value> ai, bi;
    if (a.size() == 1) { // [K] x [K, D...]
      ai = {k};
      bi.push_back(k);
      llvm::append_range(bi, o);
    } else {
      size_t batch = a.size() - 2;
      ai.assign(o.begin(), o.begin() + batch + 1);
      ai.push_back(k);
      bi.assign(o.begin(), o.begin() + batch);
      bi.push_back(k);
      if (bShape.size() == a.size())
        bi.push_back(o.back());
    }
    return std::make_pair(ai, bi);
  };
  int64_t contraction = a.back();
  forEachElement(loc, outType, [&](OpBuilder &b, Location l, Value row,
                                   ValueRange o) {
    Value sum = reduceSum(
        b, l, constIndex(0), constIndex(contraction),
        [&](OpBuilder &fb, Location fl, Value k) -> Value {
          auto [ai, bi] = operands(o, k);
          Value x = load(fb, fl, lhs, row, ai);
          Value y = load(fb, fl, rhs, row, bi);
          return arith::MulFOp::create(fb, fl, x, y);
        },
        elementType);
    store(b, l, result, row, o, sum);
  });
  define(op.getResult(), result);
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise and per-element ops
//===----------------------------------------------------------------------===//

LogicalResult FunctionLowering::lowerElementwise(Operation *op) {
  Type outType = op->getResult(0).getType();
  Type elementType = cast<ShapedType>(outType).getElementType();
  SmallVector<Lowered> inputs;
  for (Value operand : op->getOperands())
    inputs.push_back(values[operand]);
  auto constant = [elementType](OpBuilder &b, Location l, double v) -> Value {
    return floatConstant(b, l, elementType, v);
  };
  auto compute = [op, constant](OpBuilder &b, Location l,
                                ValueRange x) -> Value {
    return llvm::TypeSwitch<Operation *, Value>(op)
        .Case([&](rgnn::ExpOp) { return math::ExpOp::create(b, l, x[0]); })
        .Case([&](rgnn::TanhOp) { return math::TanhOp::create(b, l, x[0]); })
        .Case([&](rgnn::SigmoidOp) -> Value {
          Value neg = arith::NegFOp::create(b, l, x[0]);
          Value e = math::ExpOp::create(b, l, neg);
          Value one = constant(b, l, 1.0);
          return arith::DivFOp::create(b, l, one,
                                       arith::AddFOp::create(b, l, one, e));
        })
        .Case([&](rgnn::GeluOp) -> Value {
          // x * Phi(x) = x / 2 * (1 + erf(x / sqrt(2))).
          Value scaled =
              arith::MulFOp::create(b, l, x[0], constant(b, l, M_SQRT1_2));
          Value erf = math::ErfOp::create(b, l, scaled);
          Value onePlus = arith::AddFOp::create(b, l, constant(b, l, 1.0), erf);
          Value half = arith::MulFOp::create(b, l, x[0], constant(b, l, 0.5));
          return arith::MulFOp::create(b, l, half, onePlus);
        })
        .Case([&](rgnn::ReluOp) -> Value {
          return arith::MaximumFOp::create(b, l, x[0], constant(b, l, 0.0));
        })
        .Case([&](rgnn::NegOp) { return arith::NegFOp::create(b, l, x[0]); })
        .Case([&](rgnn::LeakyReluOp leaky) -> Value {
          Value alpha = constant(b, l, leaky.getAlpha().convertToDouble());
          Value scaled = arith::MulFOp::create(b, l, x[0], alpha);
          Value positive = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OGE, x[0], constant(b, l, 0.0));
          return arith::SelectOp::create(b, l, positive, x[0], scaled);
        })
        .Case([&](rgnn::ActivationGradOp grad) -> Value {
          Value zero = constant(b, l, 0.0);
          if (grad.getActivation() == rgnn::Activation::Gelu) {
            // Phi(x) + x phi(x).
            Value scaled =
                arith::MulFOp::create(b, l, x[0], constant(b, l, M_SQRT1_2));
            Value erf = math::ErfOp::create(b, l, scaled);
            Value cdf = arith::MulFOp::create(
                b, l, constant(b, l, 0.5),
                arith::AddFOp::create(b, l, constant(b, l, 1.0), erf));
            Value sq = arith::MulFOp::create(b, l, x[0], x[0]);
            Value e = math::ExpOp::create(
                b, l, arith::MulFOp::create(b, l, sq, constant(b, l, -0.5)));
            Value pdf = arith::MulFOp::create(
                b, l, e, constant(b, l, 0.5 * M_2_SQRTPI * M_SQRT1_2));
            Value slope = arith::AddFOp::create(
                b, l, cdf, arith::MulFOp::create(b, l, x[0], pdf));
            return arith::MulFOp::create(b, l, x[1], slope);
          }
          Value below = grad.getActivation() == rgnn::Activation::Relu
                            ? zero
                            : arith::MulFOp::create(
                                  b, l, x[1],
                                  constant(b, l,
                                           grad.getAlpha().convertToDouble()));
          Value positive = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OGT, x[0], zero);
          return arith::SelectOp::create(b, l, positive, x[1], below);
        })
        .Case([&](rgnn::AddOp) {
          return arith::AddFOp::create(b, l, x[0], x[1]);
        })
        .Case([&](rgnn::SubOp) {
          return arith::SubFOp::create(b, l, x[0], x[1]);
        })
        .Case([&](rgnn::MulOp) {
          return arith::MulFOp::create(b, l, x[0], x[1]);
        })
        .Case([&](rgnn::DivOp) {
          return arith::DivFOp::create(b, l, x[0], x[1]);
        })
        .Case([&](rgnn::EqualOp) -> Value {
          Value same = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                             x[0], x[1]);
          return arith::UIToFPOp::create(b, l, x[0].getType(), same);
        })
        .Default([](Operation *) { return Value(); });
  };
  ElementFn element = [this, inputs, compute](OpBuilder &b, Location l,
                                              Value row, ValueRange inner) {
    SmallVector<Value> x;
    for (const Lowered &input : inputs)
      x.push_back(load(b, l, input, row, inner));
    return compute(b, l, x);
  };
  return defineElementwise(op, element);
}

LogicalResult FunctionLowering::defineElementwise(Operation *op,
                                                  ElementFn element) {
  Value resultValue = op->getResult(0);
  if (resultValue.hasOneUse()) {
    // Fused: the single consumer evaluates the element in its own loop.
    Lowered lazy;
    lazy.compute = element;
    values[resultValue] = lazy;
    return success();
  }
  Type type = resultValue.getType();
  Value result = alloc(top, op->getLoc(), type);
  forEachElement(op->getLoc(), type,
                 [&](OpBuilder &b, Location l, Value row, ValueRange inner) {
                   store(b, l, result, row, inner, element(b, l, row, inner));
                 });
  define(resultValue, result);
  return success();
}

LogicalResult FunctionLowering::lowerInnerProduct(rgnn::InnerProductOp op) {
  FeatureType out = op.getType();
  Location loc = op.getLoc();
  const Lowered &rhs = values[op.getRhs()];
  // The lhs as pieces along the contracted dimension: the inputs of a
  // concatenation that only this op reads, which is then never built.
  SmallVector<std::pair<Lowered, int64_t>> pieces;
  if (isFusedConcat(op.getLhs())) {
    for (Value input : op.getLhs().getDefiningOp<rgnn::ConcatOp>().getInputs())
      pieces.emplace_back(values[input],
                          cast<FeatureType>(input.getType()).getShape().back());
  } else {
    pieces.emplace_back(values[op.getLhs()],
                        op.getLhs().getType().getShape().back());
  }
  Value result = allocFeature(loc, out);
  forEachElement(loc, out, [&](OpBuilder &b, Location l, Value row,
                               ValueRange inner) {
    Value total;
    int64_t offset = 0;
    for (auto &[piece, size] : pieces) {
      int64_t at = offset;
      Value sum = reduceSum(
          b, l, constIndex(0), constIndex(size),
          [&](OpBuilder &fb, Location fl, Value kk) -> Value {
            SmallVector<Value> idx(inner);
            idx.push_back(kk);
            SmallVector<Value> rhsIdx(inner);
            rhsIdx.push_back(
                arith::AddIOp::create(fb, fl, kk, constIndex(at)));
            return arith::MulFOp::create(fb, fl,
                                         load(fb, fl, piece, row, idx),
                                         load(fb, fl, rhs, row, rhsIdx));
          },
          out.getElementType());
      total = total ? arith::AddFOp::create(b, l, total, sum).getResult()
                    : sum;
      offset += size;
    }
    store(b, l, result, row, inner, total);
  });
  define(op.getResult(), result);
  return success();
}

LogicalResult FunctionLowering::lowerOuterProduct(rgnn::OuterProductOp op) {
  // Fused into a single consumer: a weight gradient's type or domain sum
  // then reduces the products without storing one matrix per element.
  // Each operand element is read once per element of the other operand,
  // so fused expressions (a gelu, a scaled gradient) are computed into a
  // buffer first instead of being re-evaluated that many times.
  auto operand = [&](Value v) {
    const Lowered &value = values[v];
    if (!value.compute)
      return value;
    return Lowered::ofBuffer(materialize(op.getLoc(), value, v.getType()));
  };
  // Fused softmax weights are computed where read: their aggregation reads
  // each once per edge and head (Factors), not once per product element.
  Lowered lhs =
      fusesSoftmax(op.getLhs()) ? values[op.getLhs()] : operand(op.getLhs());
  Lowered rhs = operand(op.getRhs());
  if (op.getResult().hasOneUse())
    factors[op] = Factors{lhs, rhs, /*outer=*/true};
  return defineElementwise(
      op, [this, lhs, rhs](OpBuilder &b, Location l, Value row,
                           ValueRange idx) -> Value {
        SmallVector<Value> ai(idx.drop_back()), bi(idx.drop_back(2));
        bi.push_back(idx.back());
        return arith::MulFOp::create(b, l, load(b, l, lhs, row, ai),
                                     load(b, l, rhs, row, bi));
      });
}

LogicalResult FunctionLowering::lowerScale(rgnn::ScaleOp op) {
  Lowered scalar = values[op.getScalar()], vector = values[op.getVector()];
  if (op.getResult().hasOneUse())
    factors[op] = Factors{scalar, vector, /*outer=*/false};
  return defineElementwise(
      op, [this, scalar, vector](OpBuilder &b, Location l, Value row,
                                 ValueRange idx) -> Value {
        Value s = load(b, l, scalar, row, idx.drop_back());
        Value v = load(b, l, vector, row, idx);
        return arith::MulFOp::create(b, l, s, v);
      });
}

//===----------------------------------------------------------------------===//
// Per-element shape ops
//===----------------------------------------------------------------------===//

LogicalResult FunctionLowering::lowerConcat(rgnn::ConcatOp op) {
  // Its inner product reads the pieces directly.
  if (isFusedConcat(op.getResult()))
    return success();
  FeatureType out = op.getType();
  Location loc = op.getLoc();
  Value result = allocFeature(loc, out);
  int64_t dim = op.getDim(), offset = 0;
  for (Value inputValue : op.getInputs()) {
    auto in = cast<FeatureType>(inputValue.getType());
    const Lowered &input = values[inputValue];
    int64_t at = offset;
    forEachElement(loc, in, [&](OpBuilder &b, Location l, Value row,
                                ValueRange idx) {
      SmallVector<Value> outIdx(idx);
      outIdx[dim] = arith::AddIOp::create(b, l, idx[dim], constIndex(at));
      store(b, l, result, row, outIdx, load(b, l, input, row, idx));
    });
    offset += in.getShape()[dim];
  }
  define(op.getResult(), result);
  return success();
}

LogicalResult FunctionLowering::lowerSplit(rgnn::SplitOp op) {
  Location loc = op.getLoc();
  const Lowered &input = values[op.getInput()];
  int64_t dim = op.getDim(), offset = 0;
  for (Value resultValue : op.getResults()) {
    auto out = cast<FeatureType>(resultValue.getType());
    Value result = allocFeature(loc, out);
    int64_t at = offset;
    forEachElement(loc, out, [&](OpBuilder &b, Location l, Value row,
                                 ValueRange idx) {
      SmallVector<Value> inIdx(idx);
      inIdx[dim] = arith::AddIOp::create(b, l, idx[dim], constIndex(at));
      store(b, l, result, row, idx, load(b, l, input, row, inIdx));
    });
    offset += out.getShape()[dim];
    define(resultValue, result);
  }
  return success();
}

LogicalResult FunctionLowering::lowerTranspose(rgnn::TransposeOp op) {
  Type outType = op.getType();
  Location loc = op.getLoc();
  (void)outType;
  (void)loc;
  Lowered input = values[op.getInput()];
  SmallVector<int64_t> perm(op.getPermutation());
  // An index permutation: always read through, never copied.
  Lowered lazy;
  lazy.compute = [this, input, perm](OpBuilder &b, Location l, Value row,
                                     ValueRange idx) {
    // Result dimension i is input dimension perm[i].
    SmallVector<Value> inIdx(idx.size());
    for (auto [i, p] : llvm::enumerate(perm))
      inIdx[p] = idx[i];
    return load(b, l, input, row, inIdx);
  };
  values[op.getResult()] = lazy;
  return success();
}

LogicalResult FunctionLowering::lowerReshape(rgnn::ReshapeOp op) {
  Type inType = op.getInput().getType(), outType = op.getType();
  Location loc = op.getLoc();
  (void)loc;
  Lowered input = values[op.getInput()];
  SmallVector<int64_t> from(cast<ShapedType>(inType).getShape());
  SmallVector<int64_t> to(cast<ShapedType>(outType).getShape());
  // Row-major: linearize the result index, delinearize into the input's.
  // An index remapping: always read through, never copied.
  Lowered lazy;
  lazy.compute = [this, input, from, to](OpBuilder &b, Location l, Value row,
                                         ValueRange idx) {
    Value linear = constIndex(0);
    for (auto [i, size] : llvm::enumerate(to)) {
      linear = arith::MulIOp::create(b, l, linear, constIndex(size));
      linear = arith::AddIOp::create(b, l, linear, idx[i]);
    }
    return load(b, l, input, row, delinearize(b, l, linear, from));
  };
  values[op.getResult()] = lazy;
  return success();
}

LogicalResult FunctionLowering::lowerConstant(arith::ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense || !isa<RankedTensorType>(op.getType()))
    return op.emitError("the CPU lowering supports tensor constants in rgnn "
                        "functions only");
  if (!dense.isSplat())
    return op.emitError("the CPU lowering supports splat tensor constants "
                        "only");
  auto splat = dense.getSplatValue<TypedAttr>();
  Lowered value;
  value.splat = arith::ConstantOp::create(entry, op.getLoc(), splat);
  values[op.getResult()] = value;
  return success();
}

LogicalResult FunctionLowering::lowerReturn(func::ReturnOp op) {
  for (auto [returned, out] : llvm::zip(op.getOperands(), resultParameters())) {
    const Lowered &value = values[returned];
    if (value.inBuffer() && value.buffer == out)
      continue; // Computed in place.
    forEachElement(op.getLoc(), returned.getType(),
                   [&](OpBuilder &b, Location l, Value row, ValueRange inner) {
                     store(b, l, out, row, inner,
                           load(b, l, value, row, inner));
                   });
  }
  for (Value buffer : temporaries)
    memref::DeallocOp::create(top, op.getLoc(), buffer);
  func::ReturnOp::create(top, op.getLoc());
  return success();
}

LogicalResult FunctionLowering::lower(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](rgnn::GatherOp o) { return lowerGather(o); })
      .Case([&](rgnn::AggregateOp o) { return lowerAggregate(o); })
      .Case([&](rgnn::EdgeSoftmaxOp o) { return lowerEdgeSoftmax(o); })
      .Case([&](rgnn::DegreeOp o) { return lowerDegree(o); })
      .Case([&](rgnn::RelationSumOp o) { return lowerTypeSum(o, true); })
      .Case([&](rgnn::DomainSumOp o) { return lowerDomainSum(o); })
      .Case([&](rgnn::NodeTypeSumOp o) { return lowerTypeSum(o, false); })
      .Case([&](rgnn::MergeNodeTypesOp o) { return lowerMergeNodeTypes(o); })
      .Case([&](rgnn::TypedLinearOp o) { return lowerTypedLinear(o); })
      .Case([&](rgnn::LinearOp o) { return lowerLinear(o); })
      .Case([&](rgnn::WeightProductOp o) { return lowerWeightProduct(o); })
      .Case([&](rgnn::InnerProductOp o) { return lowerInnerProduct(o); })
      .Case([&](rgnn::OuterProductOp o) { return lowerOuterProduct(o); })
      .Case([&](rgnn::ScaleOp o) { return lowerScale(o); })
      .Case([&](rgnn::ConcatOp o) { return lowerConcat(o); })
      .Case([&](rgnn::SplitOp o) { return lowerSplit(o); })
      .Case([&](rgnn::TransposeOp o) { return lowerTranspose(o); })
      .Case([&](rgnn::ReshapeOp o) { return lowerReshape(o); })
      .Case([&](arith::ConstantOp o) { return lowerConstant(o); })
      .Case([&](func::ReturnOp o) { return lowerReturn(o); })
      .Case<rgnn::ExpOp, rgnn::TanhOp, rgnn::SigmoidOp, rgnn::GeluOp,
            rgnn::ReluOp, rgnn::NegOp, rgnn::LeakyReluOp,
            rgnn::ActivationGradOp, rgnn::AddOp, rgnn::SubOp, rgnn::MulOp,
            rgnn::DivOp, rgnn::EqualOp>(
          [&](Operation *o) { return lowerElementwise(o); })
      .Default([](Operation *o) {
        return o->emitError("cannot lower '")
               << o->getName() << "' to the CPU";
      });
}

LogicalResult FunctionLowering::run(unsigned firstGraphArg,
                                    ArrayRef<unsigned> argStarts) {
  graphBase = firstGraphArg;
  for (BlockArgument arg : source.getArguments()) {
    if (auto graph = dyn_cast<rgnn::HeteroGraphType>(arg.getType())) {
      graphType = graph;
      continue;
    }
    values[arg] =
        Lowered::ofBuffer(target.getArgument(argStarts[arg.getArgNumber()]));
  }
  for (Operation &op : source.getBody().front().getOperations())
    if (failed(lower(&op)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Signature and metadata
//===----------------------------------------------------------------------===//

/// Appends one `arg`/`result` record of hector_model_info() for `type`.
void describeValue(llvm::raw_ostream &os, Type type) {
  if (auto feat = dyn_cast<FeatureType>(type)) {
    os << "feat domain=" << domainString(feat)
       << " shape=" << rgnn::formatShape(feat.getShape())
       << " type=" << feat.getElementType();
    return;
  }
  auto tensor = cast<RankedTensorType>(type);
  os << "tensor shape=" << rgnn::formatShape(tensor.getShape())
     << " type=" << tensor.getElementType();
}

struct ConvertRGNNToHetOpPass
    : public hector::impl::ConvertRGNNToHetOpBase<ConvertRGNNToHetOpPass> {
  using Base::Base;
  hetop::TraversalScheduleAttr schedule;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (llvm::any_of(func.getArgumentTypes(), [](Type t) {
            return isa<rgnn::HeteroGraphType, FeatureType>(t);
          }))
        functions.push_back(func);
    if (target != "cpu" && target != "cuda") {
      module.emitError("unknown target '") << target
                                           << "'; expected cpu or cuda";
      return signalPassFailure();
    }
    if (traversal != "node" && traversal != "edge") {
      module.emitError("unknown traversal '")
          << traversal << "'; expected node or edge";
      return signalPassFailure();
    }
    if (!traversalSchedule.empty()) {
      auto [threads, lanes] = StringRef(traversalSchedule).split(',');
      int64_t t = 0, l = 0;
      if (threads.trim().getAsInteger(10, t) ||
          lanes.trim().getAsInteger(10, l)) {
        module.emitError("traversal-schedule must be THREADS,LANES (two "
                         "integers), got '")
            << traversalSchedule << "'";
        return signalPassFailure();
      }
      schedule = hetop::TraversalScheduleAttr::getChecked(
          [&] {
            return module.emitError("invalid traversal-schedule '")
                   << traversalSchedule << "': ";
          },
          module.getContext(), t, l);
      if (!schedule)
        return signalPassFailure();
    }
    std::string info;
    llvm::raw_string_ostream os(info);
    os << "hector-model 1\n";
    if (target == "cuda")
      os << "target cuda chip=" << chip << "\n";
    const CostParams &params =
        costParamsFor(target == "cuda" ? StringRef(chip) : StringRef("cpu"));
    os << "cost-params target=" << params.target
       << llvm::format(" gemm_flop=%.6g other_flop=%.6g byte=%.6g "
                       "gathered_byte=%.6g intermediate_byte=%.6g "
                       "kernel=%.6g cache=%.6g",
                       params.gemmFlop, params.otherFlop, params.byte,
                       params.gatheredByte, params.intermediateByte,
                       params.kernel, params.cache)
       << "\n";
    for (func::FuncOp func : functions)
      if (failed(convert(func, os)))
        return signalPassFailure();
    emitModelInfo(module, info);
  }

  LogicalResult convert(func::FuncOp source, llvm::raw_ostream &info) {
    MLIRContext *ctx = source.getContext();
    FunctionType type = source.getFunctionType();
    if (type.getNumResults() == 0)
      return source.emitError("a compiled rgnn function returns at least one "
                              "value");
    if (!source.getBody().hasOneBlock())
      return source.emitError("a compiled rgnn function has one block");
    if (target == "cuda") {
      // Sizes of node[t] domains are read from the graph on the host.
      WalkResult walk = source.walk([&](Operation *op) {
        for (Type t : op->getResultTypes())
          if (auto feat = dyn_cast<FeatureType>(t); feat && feat.hasNodeType())
            return WalkResult::interrupt();
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return source.emitError("per-node-type values (node[t]) are not "
                                "supported on the GPU yet: their sizes are "
                                "read from the graph on the host");
    }
    for (Type resultType : type.getResults()) {
      if (!isa<FeatureType, RankedTensorType>(resultType))
        return source.emitError("a compiled rgnn function returns feature "
                                "values or shared tensors, got ")
               << resultType;
    }

    // The ABI's parameter list and the info records.
    SmallVector<Type> params;
    SmallVector<unsigned> argStarts;
    std::optional<unsigned> graphBase;
    std::string records;
    llvm::raw_string_ostream rec(records);
    rgnn::HeteroGraphType graphType;
    for (auto [i, argType] : llvm::enumerate(type.getInputs())) {
      argStarts.push_back(params.size());
      rec << "arg " << i << " ";
      if (auto graph = dyn_cast<rgnn::HeteroGraphType>(argType)) {
        if (graphBase)
          return source.emitError("ABI version 1 supports one graph argument");
        graphBase = params.size();
        graphType = graph;
        for (unsigned a = 0; a < NumGraphArrays; ++a) {
          Type element = isOffsetArray(static_cast<GraphArray>(a))
                             ? IntegerType::get(ctx, 64)
                             : IntegerType::get(ctx, 32);
          params.push_back(MemRefType::get({ShapedType::kDynamic}, element));
        }
        rec << "graph\n";
        continue;
      }
      if (!isa<FeatureType, RankedTensorType>(argType))
        return source.emitError("cannot pass an argument of type ")
               << argType << " to a compiled model";
      if (auto feat = dyn_cast<FeatureType>(argType);
          feat && feat.hasNodeType() && target == "cuda")
        return source.emitError("per-node-type values (node[t]) are not "
                                "supported on the GPU yet: their sizes are "
                                "read from the graph on the host");
      params.push_back(bufferTypeOf(argType));
      describeValue(rec, argType);
      rec << "\n";
    }
    if (!graphBase)
      return source.emitError("a compiled rgnn function takes a graph");
    for (Type resultType : type.getResults()) {
      params.push_back(bufferTypeOf(resultType));
      rec << "result ";
      describeValue(rec, resultType);
      rec << "\n";
    }

    std::string name = source.getSymName().str();
    info << "func " << name << " entry=_mlir_ciface_" << name
         << " params=" << params.size() << "\n";
    info << "graph node_types=" << graphType.getNumNodeTypes()
         << " relations=" << graphType.getNumRelations() << " triples=";
    if (graphType.hasTriples()) {
      ArrayRef<int64_t> t = graphType.getTriples();
      for (size_t i = 0; i < t.size(); i += 3)
        info << (i ? ";" : "") << t[i] << "," << t[i + 1] << "," << t[i + 2];
    } else {
      info << "-";
    }
    info << "\n";
    if (auto of = source->getAttrOfType<StringAttr>("rgnn.variant_of"))
      info << "variant of=" << of.getValue() << "\n";
    info << estimateCost(source, fuseEdgeSoftmax, traversal == "edge").record()
         << "\n";
    info << records << "end\n";

    OpBuilder builder(source);
    auto target = func::FuncOp::create(
        builder, source.getLoc(), name + ".lowered",
        FunctionType::get(ctx, params, {}));
    target->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    target.addEntryBlock();
    FunctionLowering lowering(source, target, fuseEdgeSoftmax,
                              traversal == "edge", this->target == "cuda",
                              schedule);
    if (failed(lowering.run(*graphBase, argStarts))) {
      target.erase();
      return failure();
    }
    source.erase();
    target.setSymName(name);
    return success();
  }

  /// `hector_model_info()` returns the signature records.
  void emitModelInfo(ModuleOp module, StringRef info) {
    MLIRContext *ctx = module.getContext();
    Location loc = module.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    std::string text = info.str();
    text.push_back('\0');
    auto arrayType = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8),
                                              text.size());
    LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                           LLVM::Linkage::Internal, "__hector_model_info",
                           b.getStringAttr(text));
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto func = func::FuncOp::create(b, loc, "hector_model_info",
                                     FunctionType::get(ctx, {}, {ptrType}));
    OpBuilder body = OpBuilder::atBlockEnd(func.addEntryBlock());
    Value address = LLVM::AddressOfOp::create(body, loc, ptrType,
                                              "__hector_model_info");
    func::ReturnOp::create(body, loc, address);
  }
};

} // namespace
