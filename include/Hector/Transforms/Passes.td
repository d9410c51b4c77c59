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

def RGNNCompactMaterialization
    : Pass<"rgnn-compact-materialization", "::mlir::func::FuncOp"> {
  let summary = "computes edge values that depend on (node, relation) once "
                "per unique pair";
  let description = [{
    A typed linear by relation that reads the edge's source (or
    destination) depends only on the (source, relation) pair of the edge,
    so computing it per edge repeats the same row for every edge of the
    pair. The rewrite computes it per unique (src, relation) pair
    (`src_rel` domain) and lets its consumers read it through the
    edge-to-compact map:

    ```mlir
    %m = rgnn.typed_linear %g, %h, %w by relation on src : ... -> !rgnn.feat<edge, D>
    // becomes
    %c = rgnn.typed_linear %g, %h, %w by relation on src : ... -> !rgnn.feat<src_rel, D>
    %m = rgnn.gather %g, %c by src_rel : ... -> !rgnn.feat<edge, D>
    ```

    The same holds for values computed from such a result by ops that
    work element by element (elementwise ops, scale, inner products with
    another pair-only value, concatenations of pair-only values, per-relation
    gathers): they move to the pair domain with it, so RGAT's per-relation
    attention terms and HGT's keys and messages are computed per pair.
    Consumers choose between a direct index (the edge-to-compact map) and a
    binary search as a schedule attribute of the lowering (the CPU lowering
    uses the direct index).
  }];
  let dependentDialects = ["::mlir::hector::rgnn::RGNNDialect"];
}

#endif // HECTOR_TRANSFORMS_PASSES_TD
