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

def RGNNAutodiff : Pass<"rgnn-autodiff", "::mlir::ModuleOp"> {
  let summary = "generates the backward program of each rgnn function";
  let description = [{
    For a function `@f(%g, %x1, ..., %xn) -> y`, adds
    `@f__backward(%g, %x1, ..., %xn, %dy)` returning the gradients
    `dL/dxi` of every float argument, in argument order, given
    `dy = dL/dy` (attribute `rgnn.wrt` lists the arguments): the forward is
    recomputed once and one backward sweep accumulates every adjoint. With
    `gradients=per-argument` (or `both`) it adds instead (or as well)
    `@f__grad<i>` for each float argument `%xi`, returning `dL/dxi` alone.
    `wrt=i,j,...` restricts both to those arguments (for example the
    weights alone, when the input features need no gradient): the work
    only the others' gradients need is then left out. An argument `y` does
    not depend on gets zeros. The backward program is
    rgnn IR, so the optimization passes and the lowering treat it like any
    layer:

    * a typed linear's input gradient is a typed linear by the transposed
      weights (`rgnn.transpose`), aggregated onto the endpoint it read;
    * a per-relation or per-node-type weight gradient is `relation_sum` or
      `node_type_sum` of an `outer_product`, which lowering fuses (no
      per-edge matrices: one `hetop.outer_gemm`, register-blocked on the
      CPU, tiled on the GPU); a shared weight's is a `domain_sum`
      of one;
    * a gather's gradient is the aggregation back along its index, an
      aggregation's is the gather back (divided by `rgnn.degree` for a
      mean; for a max, shared evenly by the inputs `rgnn.equal` to the
      maximum), and edge softmax's is `y * (dy - gather(aggregate(dy * y)))`.

    Forward values are recomputed inside each backward function (attribute
    `rgnn.forward_values = "recomputed"`), and ops no gradient needs are
    removed. With `forward-values=saved`, the pass also adds
    `@f__forward(%g, %x1, ..., %xn) -> (y, %s1, ..., %sk)`, the forward
    that also returns the values the backward reads, and every backward
    function of `@f` takes them after the forward's arguments
    (`rgnn.forward_values = "saved"`, `rgnn.saved_from = "f__forward"`)
    instead of recomputing them. Saved are the backward's reads that are
    cheap to keep: node, type and relation values, and per-edge or per-pair
    values of at most 16 elements (attention scores and weights). Wider
    per-edge values (messages) are recomputed, so compaction still applies
    to them. The saved list is that of the gradient of every float argument,
    whatever `wrt=` says, so one `@f__forward` serves every backward. An op
    without a gradient rule is an error that names it.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "the functions to differentiate (default: every rgnn function "
               "that is not a generated gradient or variant)">,
    Option<"gradients", "gradients", "std::string", "\"combined\"",
           "which backward functions to add: combined (f__backward, every "
           "gradient at once), per-argument (f__grad<i>, one each) or both">,
    ListOption<"wrt", "wrt", "unsigned",
               "the float arguments to differentiate, by index (default: "
               "all of them)">,
    Option<"forwardValues", "forward-values", "std::string",
           "\"recomputed\"",
           "how backward functions get the forward's values: recomputed "
           "(from the arguments) or saved (returned by f__forward)">
  ];
  let dependentDialects = ["::mlir::hector::rgnn::RGNNDialect",
                           "::mlir::arith::ArithDialect"];
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

def RGNNReassociate : Pass<"rgnn-reassociate", "::mlir::ModuleOp"> {
  let summary = "keeps the input-sensitive re-associations of each function "
                "as variants (SENSEi)";
  let description = [{
    For each function `@f`, enumerates where the per-relation transforms
    sit:

    * transform each unique (src, relation) pair, then aggregate (with and
      without `rgnn-reorder-linear`);
    * aggregate per (dst, relation) pair, then transform once per pair:
      `sum_j alpha_e (x_j W_r) = (sum_j alpha_e x_j) W_r`, legal for sums
      (and means onto (dst, relation) pairs) of messages that are a typed
      linear of the source, optionally scaled per edge (RGCN, edge-normed
      RGCN, RGAT and HGT messages); with and without reordering. Never
      across a max, with which a linear map does not commute.

    Each candidate is compacted (unless `compact=false`) and simplified,
    and its cost is derived by the static cost model (CostModel.h) as a
    linear form in the graph's counts. A candidate whose time form is
    never lower than another's for any graph (with Psrc, Pdst <= E) under
    the target's parameters is pruned. The first survivor keeps the name
    `@f`; the others become `@f__<variant>` with `rgnn.variant_of = "f"`.
    Every survivor carries `rgnn.variant`, a description. The lowering
    writes each one's cost into `hector_model_info()`, and the runtime binds
    `f` to the variant with the lowest estimate for the bound graph.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "Cost parameters used for pruning: cpu, sm_80, sm_90, ...">,
    Option<"compact", "compact", "bool", /*default=*/"true",
           "Compact every candidate (rgnn-compact-materialization)">,
    Option<"reorder", "reorder", "bool", /*default=*/"true",
           "Include candidates with rgnn-reorder-linear">,
    Option<"prune", "prune", "bool", /*default=*/"true",
           "Drop candidates that can never be faster (off: keep all, for "
           "testing and measuring every candidate)">,
    Option<"fuseEdgeSoftmax", "fuse-edge-softmax", "bool",
           /*default=*/"false",
           "Cost edge softmaxes as convert-rgnn-to-hetop lowers them with "
           "this setting of its fuse-edge-softmax (the pipelines pass "
           "their own)">,
  ];
  let dependentDialects = ["::mlir::hector::rgnn::RGNNDialect"];
}

#endif // HECTOR_TRANSFORMS_PASSES_TD
