//===- VerifySchema.cpp - one graph per rgnn computation ------------------===//

#include "Hector/Dialect/RGNN/IR/RGNN.h"
#include "Hector/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"

namespace mlir::hector {
#define GEN_PASS_DEF_RGNNVERIFYSCHEMA
#include "Hector/Transforms/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;
using namespace mlir::hector;

namespace {
/// Finds the graph a feature value was computed on: the graph operand of the
/// nearest producing op that has one. Values that only derive from function
/// arguments have none.
class GraphOrigins {
public:
  Value lookup(Value value) {
    auto it = cache.find(value);
    if (it != cache.end())
      return it->second;
    Value graph;
    if (Operation *def = value.getDefiningOp()) {
      graph = graphOperand(def);
      for (Value operand : def->getOperands()) {
        if (graph)
          break;
        if (isa<rgnn::FeatureType>(operand.getType()))
          graph = lookup(operand);
      }
    }
    return cache[value] = graph;
  }

  static Value graphOperand(Operation *op) {
    for (Value operand : op->getOperands())
      if (isa<rgnn::HeteroGraphType>(operand.getType()))
        return operand;
    return {};
  }

private:
  llvm::DenseMap<Value, Value> cache;
};

struct RGNNVerifySchemaPass
    : public hector::impl::RGNNVerifySchemaBase<RGNNVerifySchemaPass> {
  void runOnOperation() override {
    GraphOrigins origins;
    WalkResult result = getOperation()->walk([&](Operation *op) {
      if (!isa<rgnn::RGNNDialect>(op->getDialect()))
        return WalkResult::advance();
      Value graph = GraphOrigins::graphOperand(op);
      for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
        if (!isa<rgnn::FeatureType>(operand.getType()))
          continue;
        Value origin = origins.lookup(operand);
        if (!graph) {
          graph = origin;
          continue;
        }
        if (origin && origin != graph) {
          InFlightDiagnostic diag = op->emitError()
                                    << "operand #" << i
                                    << " was computed on a different graph "
                                       "than the op's other operands";
          diag.attachNote(origin.getLoc()) << "that operand's graph";
          diag.attachNote(graph.getLoc()) << "the op's graph";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
