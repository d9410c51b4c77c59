//===- RGNNOps.td - rgnn operations ------------------------*- tablegen -*-===//
//
// Value-semantics ops on domain-typed features. Every op has a verifier
// that names the offending operand and the domain or shape it expected.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_DIALECT_RGNN_IR_RGNNOPS_TD
#define HECTOR_DIALECT_RGNN_IR_RGNNOPS_TD

include "Hector/Dialect/RGNN/IR/RGNNTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

def RGNN_Graph : Type<CPred<"::llvm::isa<::mlir::hector::rgnn::HeteroGraphType>($_self)">,
                      "heterogeneous graph", "::mlir::hector::rgnn::HeteroGraphType">;
def RGNN_Feature : Type<CPred<"::llvm::isa<::mlir::hector::rgnn::FeatureType>($_self)">,
                        "feature value", "::mlir::hector::rgnn::FeatureType">;
// A shared (untyped) weight or constant is a static builtin float tensor.
def RGNN_SharedTensor : StaticShapeTensorOf<[AnyFloat]>;
def RGNN_FeatureOrTensor : AnyTypeOf<[RGNN_Feature, RGNN_SharedTensor],
                                     "feature value or shared tensor">;

class RGNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<RGNN_Dialect, mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Moving values between domains
//===----------------------------------------------------------------------===//

def RGNN_GatherOp : RGNN_Op<"gather"> {
  let summary = "reads a value for every element of another domain";
  let description = [{
    `result[x] = input[index(x)]`. The index maps each element of the
    result's domain to an element of the input's domain:

    | index       | input domain | result domain                      |
    |-------------|--------------|------------------------------------|
    | `src`       | node         | edge, src_rel (the source node)    |
    | `dst`       | node         | edge, dst_rel (the destination)    |
    | `relation`  | relation     | edge, src_rel, dst_rel             |
    | `node_type` | node_type    | node (each node's type)            |
    | `src_rel`   | src_rel      | edge (edge-to-compact map)         |
    | `dst_rel`   | dst_rel      | edge (edge-to-compact map)         |
    | `src_type`  | node_type    | relation (needs the graph triples) |
    | `dst_type`  | node_type    | relation (needs the graph triples) |

    A gather is a view: lowering fuses it into its consumers and never
    materializes it.

    ```mlir
    %hs = rgnn.gather %g, %h by src
        : (!g, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<edge, 64xf32>
    ```
  }];
  let arguments = (ins RGNN_Graph:$graph, RGNN_Feature:$input,
                       RGNN_GatherIndex:$index);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `,` $input `by` $index attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_AggregateOp : RGNN_Op<"aggregate"> {
  let summary = "reduces a value onto nodes or (node, relation) pairs";
  let description = [{
    Sums, averages or takes the elementwise maximum of an edge-like value
    onto the endpoint named by `to`:

    | to    | input domain   | result domain            |
    |-------|----------------|--------------------------|
    | `dst` | edge           | node, dst_rel            |
    | `dst` | dst_rel        | node                     |
    | `src` | edge           | node, src_rel            |
    | `src` | src_rel        | node                     |

    `mean` divides by the number of contributing input elements (edges, or
    (node, relation) pairs when reducing from `dst_rel`/`src_rel`); an
    element with none gets zero. `max` is the elementwise maximum (NaN
    propagates); an element with no input is zero, as in PyTorch
    Geometric's max aggregation. RGCN's per-relation mean followed by a sum over
    relations is `aggregate mean to dst` onto `dst_rel`, then
    `aggregate sum to dst` onto `node`.

    With `choice k` (from an edge input only), only the edges whose relation
    `r` has `choice[r] == k` in the graph's per-relation choice table
    contribute; the others count as zero. `mean` still divides by all of an
    element's edges, so `choice` with `mean` needs a per-(node, relation)
    result, whose edges share one relation. `rgnn-reassociate` uses it to
    pick, per relation, between transforming first and aggregating first;
    the runtime fills the table when it binds a graph (docs/runtime.md).
    `max` takes no `choice`: the unchosen edges would count as zeros.
  }];
  let arguments = (ins RGNN_Graph:$graph, RGNN_Feature:$input,
                       RGNN_Reduction:$reduction,
                       DefaultValuedAttr<RGNN_Endpoint,
                         "::mlir::hector::rgnn::Endpoint::Dst">:$to,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$choice);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `,` $input $reduction (`to` $to^)? (`choice` $choice^)? attr-dict
    `:` functional-type(operands, results)
  }];
}

def RGNN_EdgeSoftmaxOp : RGNN_Op<"edge_softmax"> {
  let summary = "softmax over the incoming edges of each destination node";
  let description = [{
    `result[e] = exp(input[e]) / sum_{e' into dst(e)} exp(input[e'])`,
    independently per element of the per-edge shape (one per head). It is
    computed stably (the per-destination maximum is subtracted first).
  }];
  let arguments = (ins RGNN_Graph:$graph, RGNN_Feature:$input);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

class RGNN_TypeSumOp<string mnemonic, string what> : RGNN_Op<mnemonic> {
  let summary = "sums a value over all elements of each " # what;
  let arguments = (ins RGNN_Graph:$graph, RGNN_Feature:$input);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `,` $input attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_RelationSumOp : RGNN_TypeSumOp<"relation_sum", "relation"> {
  let description = [{
    `result[r] = sum over edges (or unique pairs) x of relation r of
    input[x]`: the reduction of per-relation weight gradients.
  }];
}

def RGNN_NodeTypeSumOp : RGNN_TypeSumOp<"node_type_sum", "node type"> {
  let description = [{
    `result[t] = sum over nodes v of type t of input[v]`: the reduction of
    per-node-type weight gradients.
  }];
}

def RGNN_DegreeOp : RGNN_Op<"degree"> {
  let summary = "counts the elements an aggregation reduces onto each element";
  let description = [{
    `result[y]` is the number of elements of domain `from` that
    `rgnn.aggregate ... to <to>` from that domain reduces onto `y` (the
    divisor of `mean`, zero for an element with none): in-degrees onto
    nodes, edges per (dst, relation) pair, pairs per node. The backward
    program of a mean divides by it.

    ```mlir
    %n = rgnn.degree %g from edge to dst : (!g) -> !rgnn.feat<dst_rel, f32>
    ```
  }];
  let arguments = (ins RGNN_Graph:$graph, RGNN_Domain:$from,
                       DefaultValuedAttr<RGNN_Endpoint,
                         "::mlir::hector::rgnn::Endpoint::Dst">:$to);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `from` $from (`to` $to^)? attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_DomainSumOp : RGNN_Op<"domain_sum"> {
  let summary = "sums a value over every element of its domain";
  let description = [{
    `result = sum over x of input[x]`, a shared tensor of the per-element
    shape: the reduction of the gradient of a shared weight or bias. Of an
    `rgnn.outer_product`, it is the product `lhs^T . rhs` over the domain,
    and lowering never materializes the per-element products.

    ```mlir
    %dw = rgnn.domain_sum %p : !rgnn.feat<node, 64x16xf32> -> tensor<64x16xf32>
    ```
  }];
  let arguments = (ins RGNN_Feature:$input);
  let results = (outs RGNN_SharedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def RGNN_MergeNodeTypesOp : RGNN_Op<"merge_node_types"> {
  let summary = "assembles per-node-type values into one value per node";
  let description = [{
    Takes one value per node type (domain `node[t]`, in node-type order) and
    returns the value over all nodes. Per-type inputs may come from
    per-type projections of features with different sizes.
  }];
  let arguments = (ins RGNN_Graph:$graph, Variadic<RGNN_Feature>:$inputs);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `,` $inputs attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def RGNN_TypedLinearOp : RGNN_Op<"typed_linear"> {
  let summary = "multiplies by a weight chosen per relation or node type";
  let description = [{
    `result[x] = input[on(x)] . weight[type(x)]`, a row vector times a
    matrix. `by relation` picks the weight of each element's relation
    (edge-like domains); `by node_type` that of the type of the node that is
    read (`on(x)`: the node itself, or the edge's source or destination). With
    `on src` or `on dst` the input is a per-node value read through the
    edge's endpoint, and the result is per edge, or per unique
    (src, relation) / (dst, relation) pair after compact materialization.

    Shapes: a weight of shape `[K, N]` maps `[..., K]` to `[..., N]`; a
    multi-head weight `[H, K, N]` maps `[H, K]` (head h times `weight[h]`)
    or `[K]` (the same vector times every head's matrix) to `[H, N]`.

    ```mlir
    %m = rgnn.typed_linear %g, %h, %w by relation on src
        : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x64xf32>)
        -> !rgnn.feat<edge, 64xf32>
    ```

    With `choice k` (`by relation` only), the elements whose relation `r`
    has `choice[r] != k` in the graph's per-relation choice table are zero
    and their products are not computed (see `rgnn.aggregate`).
  }];
  let arguments = (ins RGNN_Graph:$graph, RGNN_Feature:$input,
                       RGNN_Feature:$weight, RGNN_TypeKind:$by,
                       DefaultValuedAttr<RGNN_Endpoint,
                         "::mlir::hector::rgnn::Endpoint::Self">:$on,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$choice);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $graph `,` $input `,` $weight `by` $by (`on` $on^)? (`choice` $choice^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

def RGNN_LinearOp : RGNN_Op<"linear"> {
  let summary = "multiplies every element by one shared weight";
  let description = [{
    `result[x] = input[x] . weight` with a shared builtin-tensor weight,
    over any domain. Shapes follow `rgnn.typed_linear`.
  }];
  let arguments = (ins RGNN_Feature:$input, RGNN_SharedTensor:$weight);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_WeightProductOp : RGNN_Op<"weight_product"> {
  let summary = "multiplies two weights, per relation or node type";
  let description = [{
    The weight-by-weight product that linear-operator reordering creates:
    `(x . A) . B = x . (A . B)` and `a . (x . W) = x . (W . a)`. Operands
    are per-type weights of the same domain, or one per-type weight and one
    shared tensor. With batch (head) dimensions `B...`:

    * `[B..., M, K] x [B..., K, N] -> [B..., M, N]` (matrix product);
    * `[B..., M, K] x [B..., K] -> [B..., M]` (matrix-vector product);
    * `[K] x [K, D...] -> [D...]` (basis combination
      `W_r = sum_b coeff_rb V_b`).
  }];
  let arguments = (ins RGNN_FeatureOrTensor:$lhs, RGNN_FeatureOrTensor:$rhs);
  let results = (outs RGNN_FeatureOrTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_InnerProductOp : RGNN_Op<"inner_product"> {
  let summary = "dot product over the innermost dimension";
  let description = [{
    `result[x][i...] = sum_k lhs[x][i..., k] * rhs[x][i..., k]`. The rhs may
    be a shared tensor of the per-element shape. An attention score per head
    is the inner product of `[H, D]` values.
  }];
  let arguments = (ins RGNN_Feature:$lhs, RGNN_FeatureOrTensor:$rhs);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_OuterProductOp : RGNN_Op<"outer_product"> {
  let summary = "outer product over the innermost dimension";
  let description = [{
    `result[x][i..., m, n] = lhs[x][i..., m] * rhs[x][i..., n]`, as in
    per-edge weight-gradient contributions.
  }];
  let arguments = (ins RGNN_Feature:$lhs, RGNN_Feature:$rhs);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_ScaleOp : RGNN_Op<"scale"> {
  let summary = "scalar times vector";
  let description = [{
    `result[x][i..., d] = scalar[x][i...] * vector[x][i..., d]`: an
    attention coefficient (one per head) times a message.
  }];
  let arguments = (ins RGNN_Feature:$scalar, RGNN_Feature:$vector);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $scalar `,` $vector attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class RGNN_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : RGNN_Op<mnemonic, !listconcat(traits, [SameOperandsAndResultType])> {
  let summary = "elementwise " # formula;
  let arguments = (ins RGNN_Feature:$input);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($result))";
  // The shared trait already checks the only rule.
  let hasVerifier = 0;
}

def RGNN_ExpOp : RGNN_UnaryOp<"exp", "exp(x)">;
def RGNN_TanhOp : RGNN_UnaryOp<"tanh", "tanh(x)">;
def RGNN_SigmoidOp : RGNN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def RGNN_GeluOp : RGNN_UnaryOp<"gelu", "x * Phi(x) (exact, erf-based)">;
def RGNN_ReluOp : RGNN_UnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def RGNN_NegOp : RGNN_UnaryOp<"neg", "-x"> {
  let hasFolder = 1;
}
def RGNN_LeakyReluOp : RGNN_Op<"leaky_relu", [SameOperandsAndResultType]> {
  let summary = "elementwise x >= 0 ? x : alpha * x";
  let arguments = (ins RGNN_Feature:$input,
                       DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($result))";
}

def RGNN_ActivationGradOp : RGNN_Op<"activation_grad",
                                     [SameOperandsAndResultType]> {
  let summary = "the gradient through an elementwise nonlinearity";
  let description = [{
    `result = grad * f'(input)` for the nonlinearity `f` named by
    `activation`: the backward of `rgnn.relu`, `rgnn.leaky_relu` (with its
    `alpha`) and `rgnn.gelu`. At `input == 0` the relus take the left
    derivative (0, or `alpha`), as PyTorch does. `rgnn-autodiff` emits it.

    ```mlir
    %dx = rgnn.activation_grad leaky_relu %x, %dy {alpha = 2.0e-01 : f64}
        : !rgnn.feat<edge, 4xf32>
    ```
  }];
  let arguments = (ins RGNN_Activation:$activation, RGNN_Feature:$input,
                       RGNN_Feature:$grad,
                       DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $activation $input `,` $grad attr-dict `:` qualified(type($result))
  }];
  // The shared trait already checks the only rule.
  let hasVerifier = 0;
}

class RGNN_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : RGNN_Op<mnemonic, traits> {
  let summary = "elementwise " # formula;
  let description = [{
    Both operands are feature values of the same type, or one of them is a
    shared tensor of the per-element shape (or a scalar tensor) that is
    broadcast over the domain, such as a bias.
  }];
  let arguments = (ins RGNN_FeatureOrTensor:$lhs, RGNN_FeatureOrTensor:$rhs);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def RGNN_AddOp : RGNN_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def RGNN_SubOp : RGNN_BinaryOp<"sub", "lhs - rhs">;
def RGNN_MulOp : RGNN_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def RGNN_DivOp : RGNN_BinaryOp<"div", "lhs / rhs">;
// The backward of a max aggregation routes gradients to the inputs equal to
// their maximum; it has no gradient itself.
def RGNN_EqualOp : RGNN_BinaryOp<"equal", "lhs == rhs ? 1 : 0",
                                 [Commutative]>;

//===----------------------------------------------------------------------===//
// Shape manipulation of the per-element shape
//===----------------------------------------------------------------------===//

def RGNN_ConcatOp : RGNN_Op<"concat"> {
  let summary = "concatenates per-element tensors along a dimension";
  let arguments = (ins Variadic<RGNN_Feature>:$inputs, I64Attr:$dim);
  let results = (outs RGNN_Feature:$result);
  let assemblyFormat = [{
    $inputs `dim` `=` $dim attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def RGNN_SplitOp : RGNN_Op<"split"> {
  let summary = "splits per-element tensors along a dimension";
  let arguments = (ins RGNN_Feature:$input, I64Attr:$dim);
  let results = (outs Variadic<RGNN_Feature>:$results);
  let assemblyFormat = [{
    $input `dim` `=` $dim attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def RGNN_TransposeOp : RGNN_Op<"transpose"> {
  let summary = "permutes the dimensions of the per-element tensor";
  let description = [{
    `result[x]` is `input[x]` with dimension `i` of the result taken from
    dimension `permutation[i]` of the input. Applies to features and to
    shared tensors (for example to transpose a weight).
  }];
  let arguments = (ins RGNN_FeatureOrTensor:$input,
                       DenseI64ArrayAttr:$permutation);
  let results = (outs RGNN_FeatureOrTensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def RGNN_ReshapeOp : RGNN_Op<"reshape"> {
  let summary = "reshapes the per-element tensor";
  let description = [{
    Reinterprets the per-element tensor in row-major order with another
    shape of the same number of elements, for example `[H * D]` to
    `[H, D]` to split heads.
  }];
  let arguments = (ins RGNN_FeatureOrTensor:$input);
  let results = (outs RGNN_FeatureOrTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

#endif // HECTOR_DIALECT_RGNN_IR_RGNNOPS_TD
