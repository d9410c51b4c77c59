//===- Passes.td - Hector rgnn-level passes ----------------*- tablegen -*-===//

#ifndef HECTOR_TRANSFORMS_PASSES_TD
#define HECTOR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def RGNNVerifySchema : Pass<"rgnn-verify-schema", "::mlir::ModuleOp"> {
  let summary = "checks that every rgnn op in a function uses one graph";
  let description = [{
    A layer computes on one graph: features from two different graph values
    cannot meet in one op. Op verifiers see one op at a time, so this pass
    traces every feature value back to the graph operands of the ops that
    produced it and reports an op that mixes two graphs, or a graph whose
    schema differs from its function's other graphs. It runs first in every
    Hector pipeline.
  }];
  let dependentDialects = ["::mlir::hector::rgnn::RGNNDialect"];
}

#endif // HECTOR_TRANSFORMS_PASSES_TD
