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

def RGNNReorderLinear : Pass<"rgnn-reorder-linear", "::mlir::func::FuncOp"> {
  let summary = "re-associates products of linear operators so that weight "
                "products replace per-edge work";
  let description = [{
    Linear-operator reordering from Hector's paper. Three rewrites, each
    legal by associativity and fired only when the intermediate it removes
    has no other user:

    * Attention folding, `(x W_r) . a_r = x (W_r a_r)`: an inner product of
      a per-relation projection with a per-relation (or shared) vector
      becomes a projection by the folded `[H, K, 1]` weight, computed once
      per relation by `rgnn.weight_product`. A concatenation along the
      contracted dimension is split first, so RGAT's destination term
      folds while its source term, still needed by the messages, stays.
    * Key transform to the query side, `q_i . (k_j A_r) = (q_i A_r^T) . k_j`
      (HGT's `K W_att Q^T`): the per-relation transform moves from the
      (src, relation) pairs to the (dst, relation) pairs and the key is
      read directly.
    * Chain merging, `(x W1) W2_r = x (W1 W2_r)`: a per-node projection
      (shared or by node type, optionally split into heads) read at an
      edge endpoint and projected again per relation becomes one projection
      by the product weight. It needs the graph's triples for per-node-type
      `W1`, and fires only when the input size `K` is at most `W2`'s input
      size, so the merged per-edge product is never larger.

    Anything nonlinear between the operators (a bias, an activation, a
    softmax) stops the rewrite.
  }];
  let dependentDialects = ["::mlir::hector::rgnn::RGNNDialect"];
}

#endif // HECTOR_TRANSFORMS_PASSES_TD
