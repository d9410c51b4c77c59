// RUN: hector-opt %s -split-input-file -verify-diagnostics

// One case per rgnn verifier rule, type verifiers first. Each diagnostic
// names the offending operand and the domain or shape it expected.
// Regenerate with: /usr/bin/python3 test/Dialect/RGNN/gen_invalid.py test/Dialect/RGNN/invalid.mlir

// expected-error @+1 {{a graph needs at least one node type, got 0}}
func.func @f(%g: !rgnn.graph<node_types = 0, relations = 1>) {
  return
}

// -----

// expected-error @+1 {{a graph needs at least one relation, got 0}}
func.func @f(%g: !rgnn.graph<node_types = 1, relations = 0>) {
  return
}

// -----

// expected-error @+1 {{expected one (src type, relation, dst type) triple per relation (2), got 1}}
func.func @f(%g: !rgnn.graph<node_types = 1, relations = 2, triples = [(0, 0, 0)]>) {
  return
}

// -----

// expected-error @+1 {{triple #1 names relation 7, beyond the schema's 2 relations}}
func.func @f(%g: !rgnn.graph<node_types = 1, relations = 2, triples = [(0, 0, 0), (0, 7, 0)]>) {
  return
}

// -----

// expected-error @+1 {{triple #0 names relation 1, but triples must list relations 0..1 in order}}
func.func @f(%g: !rgnn.graph<node_types = 1, relations = 2, triples = [(0, 1, 0), (0, 0, 0)]>) {
  return
}

// -----

// expected-error @+1 {{triple #0 has source node type 3, beyond the schema's 2 node types}}
func.func @f(%g: !rgnn.graph<node_types = 2, relations = 1, triples = [(3, 0, 0)]>) {
  return
}

// -----

// expected-error @+1 {{triple #0 has destination node type -1, beyond the schema's 2 node types}}
func.func @f(%g: !rgnn.graph<node_types = 2, relations = 1, triples = [(0, 0, -1)]>) {
  return
}

// -----

// expected-error @+1 {{unknown domain 'vertex'; expected node, edge, src_rel, dst_rel, relation or node_type}}
func.func @f(%x: !rgnn.feat<vertex, 4xf32>) {
  return
}

// -----

// expected-error @+1 {{only per-node values can be restricted to a node type, but the domain is 'edge'}}
func.func @f(%x: !rgnn.feat<edge[1], 4xf32>) {
  return
}

// -----

// expected-error @+1 {{node type must be non-negative, got -2}}
func.func @f(%x: !rgnn.feat<node[-2], 4xf32>) {
  return
}

// -----

// expected-error @+1 {{per-element shape must be static and positive, but dimension 1 is 0}}
func.func @f(%x: !rgnn.feat<node, 4x0xf32>) {
  return
}

// -----

// expected-error @+1 {{element type must be a float type, got 'i32'}}
func.func @f(%x: !rgnn.feat<node, 4xi32>) {
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<edge, 8xf32>) {
  // expected-error @+1 {{'input' must be per node when gathering by src, but is per edge}}
  %0 = rgnn.gather %g, %x by src : (!G, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node, 8xf32>) {
  // expected-error @+1 {{'result' must be per edge or per unique (dst, relation) pair when gathering by dst, but is per unique (src, relation) pair}}
  %0 = rgnn.gather %g, %x by dst : (!G, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<src_rel, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node_type, 8xf32>) {
  // expected-error @+1 {{'input' must be per relation when gathering by relation, but is per node type}}
  %0 = rgnn.gather %g, %x by relation : (!G, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node_type, 8xf32>) {
  // expected-error @+1 {{'result' must be per node when gathering by node_type, but is per edge}}
  %0 = rgnn.gather %g, %x by node_type : (!G, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<dst_rel, 8xf32>) {
  // expected-error @+1 {{'input' must be per unique (src, relation) pair when gathering by src_rel, but is per unique (dst, relation) pair}}
  %0 = rgnn.gather %g, %x by src_rel : (!G, !rgnn.feat<dst_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<dst_rel, 8xf32>) {
  // expected-error @+1 {{'result' must be per edge when gathering by dst_rel, but is per node}}
  %0 = rgnn.gather %g, %x by dst_rel : (!G, !rgnn.feat<dst_rel, 8xf32>) -> !rgnn.feat<node, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<node_type, 8xf32>) {
  // expected-error @+1 {{gathering by src_type needs the graph's (src type, relation, dst type) triples}}
  %0 = rgnn.gather %g, %x by src_type : (!K, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<relation, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node, 8xf32>) {
  // expected-error @+1 {{result must have per-element shape '8', got '16'}}
  %0 = rgnn.gather %g, %x by src : (!G, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 16xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node, 8xf32>) {
  // expected-error @+1 {{result element type 'f16' must match the input's 'f32'}}
  %0 = rgnn.gather %g, %x by src : (!G, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf16>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node[1], 8xf32>) {
  // expected-error @+1 {{'input' must be per node when gathering by src, but is per node of type 1}}
  %0 = rgnn.gather %g, %x by src : (!G, !rgnn.feat<node[1], 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %x: !rgnn.feat<node[5], 8xf32>) {
  // expected-error @+1 {{operand #1 is per node of type 5, beyond the schema's 2 node types}}
  %0 = rgnn.gather %g, %x by src : (!G, !rgnn.feat<node[5], 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<edge, 8xf32>) {
  // expected-error @+1 {{must aggregate 'to src' or 'to dst'}}
  %0 = rgnn.aggregate %g, %x sum to self : (!K, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<node, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<node, 8xf32>) {
  // expected-error @+1 {{'input' must be per edge or per unique (dst, relation) pair when aggregating to dst, but is per node}}
  %0 = rgnn.aggregate %g, %x sum : (!K, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<dst_rel, 8xf32>) {
  // expected-error @+1 {{'result' must be per node when aggregating to dst from per unique (dst, relation) pair, but is per unique (dst, relation) pair}}
  %0 = rgnn.aggregate %g, %x sum : (!K, !rgnn.feat<dst_rel, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<edge, 8xf32>) {
  // expected-error @+1 {{'result' must be per node or per unique (src, relation) pair when aggregating to src from per edge, but is per unique (dst, relation) pair}}
  %0 = rgnn.aggregate %g, %x mean to src : (!K, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<edge, 4x8xf32>) {
  // expected-error @+1 {{result must have per-element shape '4x8', got '32'}}
  %0 = rgnn.aggregate %g, %x sum : (!K, !rgnn.feat<edge, 4x8xf32>) -> !rgnn.feat<node, 32xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<node, 4xf32>) {
  // expected-error @+1 {{'input' must be per edge (softmax runs over each node's incoming edges), but is per node}}
  %0 = rgnn.edge_softmax %g, %x : (!K, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<edge, 4xf32>) {
  // expected-error @+1 {{result type must be the input type '!rgnn.feat<edge, 4xf32>'}}
  %0 = rgnn.edge_softmax %g, %x : (!K, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 2xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<node, 4xf32>) {
  // expected-error @+1 {{'input' must be per edge or per unique (src, relation) pair or per unique (dst, relation) pair to be summed per relation, but is per node}}
  %0 = rgnn.relation_sum %g, %x : (!K, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<relation, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<edge, 4xf32>) {
  // expected-error @+1 {{'result' must be per relation, but is per node type}}
  %0 = rgnn.relation_sum %g, %x : (!K, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node_type, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<edge, 4xf32>) {
  // expected-error @+1 {{'input' must be per node to be summed per node type, but is per edge}}
  %0 = rgnn.node_type_sum %g, %x : (!K, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node_type, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %x: !rgnn.feat<node, 4xf32>) {
  // expected-error @+1 {{result must have per-element shape '4', got '8'}}
  %0 = rgnn.node_type_sum %g, %x : (!K, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<node_type, 8xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K) {
  // expected-error @+1 {{counts elements aggregated from edges or dst_rel pairs when counting to dst, not src_rel}}
  %0 = rgnn.degree %g from src_rel : (!K) -> !rgnn.feat<node, f32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K) {
  // expected-error @+1 {{'result' must be per node or per unique (dst, relation) pair when counting edge elements, but is per edge}}
  %0 = rgnn.degree %g from edge : (!K) -> !rgnn.feat<edge, f32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K) {
  // expected-error @+1 {{result must be one float per element, got '!rgnn.feat<node, 2xf32>'}}
  %0 = rgnn.degree %g from edge : (!K) -> !rgnn.feat<node, 2xf32>
  return
}

// -----

func.func @f(%x: !rgnn.feat<node, 4x2xf32>) {
  // expected-error @+1 {{result must be a tensor of the per-element type '4x2xf32', got 'tensor<2x4xf32>'}}
  %0 = rgnn.domain_sum %x : !rgnn.feat<node, 4x2xf32> -> tensor<2x4xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %a: !rgnn.feat<node[0], 4xf32>) {
  // expected-error @+1 {{expects one input per node type (2), got 1}}
  %0 = rgnn.merge_node_types %g, %a : (!G, !rgnn.feat<node[0], 4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %a: !rgnn.feat<node[0], 4xf32>) {
  // expected-error @+1 {{input #1 must be per node of type 1, but is per node of type 0}}
  %0 = rgnn.merge_node_types %g, %a, %a : (!G, !rgnn.feat<node[0], 4xf32>, !rgnn.feat<node[0], 4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %a: !rgnn.feat<node[0], 4xf32>, %b: !rgnn.feat<node[1], 8xf32>) {
  // expected-error @+1 {{input #1 has per-element type '8xf32', but the result has '4xf32'}}
  %0 = rgnn.merge_node_types %g, %a, %b : (!G, !rgnn.feat<node[0], 4xf32>, !rgnn.feat<node[1], 8xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %a: !rgnn.feat<node[0], 4xf32>, %b: !rgnn.feat<node[2], 4xf32>) {
  // expected-error @+1 {{operand #2 is per node of type 2, beyond the schema's 2 node types}}
  %0 = rgnn.merge_node_types %g, %a, %b : (!G, !rgnn.feat<node[0], 4xf32>, !rgnn.feat<node[2], 4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 64xf32>, %w: !rgnn.feat<node_type, 64x32xf32>) {
  // expected-error @+1 {{'weight' must be per relation for 'by relation', but is per node type}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 64xf32>, !rgnn.feat<node_type, 64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 64xf32>, %w: !rgnn.feat<relation, 64x32xf16>) {
  // expected-error @+1 {{'weight' element type 'f16' must match the input's 'f32'}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf16>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 64xf32>, %w: !rgnn.feat<relation, 64x32xf32>) {
  // expected-error @+1 {{'input' must be per edge or per unique (src, relation) pair or per unique (dst, relation) pair for 'by relation on self', but is per node}}
  %0 = rgnn.typed_linear %g, %h, %w by relation : (!G, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<node, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<edge, 64xf32>, %w: !rgnn.feat<node_type, 64x32xf32>) {
  // expected-error @+1 {{'input' must be per node for 'by node_type on self', but is per edge}}
  %0 = rgnn.typed_linear %g, %h, %w by node_type : (!G, !rgnn.feat<edge, 64xf32>, !rgnn.feat<node_type, 64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<edge, 64xf32>, %w: !rgnn.feat<relation, 64x32xf32>) {
  // expected-error @+1 {{result must be per edge like the input, but is per unique (src, relation) pair}}
  %0 = rgnn.typed_linear %g, %h, %w by relation : (!G, !rgnn.feat<edge, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<src_rel, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<edge, 64xf32>, %w: !rgnn.feat<relation, 64x32xf32>) {
  // expected-error @+1 {{'input' must be per node for 'by relation on src', but is per edge}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<edge, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 64xf32>, %w: !rgnn.feat<relation, 64x32xf32>) {
  // expected-error @+1 {{'result' must be per edge or per unique (src, relation) pair for 'by relation on src', but is per unique (dst, relation) pair}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<dst_rel, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 16xf32>, %w: !rgnn.feat<relation, 64x32xf32>) {
  // expected-error @+1 {{'input' per-element shape '16' must end in the weight's input size 64}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 16xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 2x16xf32>, %w: !rgnn.feat<relation, 4x16x8xf32>) {
  // expected-error @+1 {{'input' per-element shape '2x16' must be 4x16 or 16 for a multi-head weight of shape '4x16x8'}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 2x16xf32>, !rgnn.feat<relation, 4x16x8xf32>) -> !rgnn.feat<edge, 4x8xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 64xf32>, %w: !rgnn.feat<relation, 64xf32>) {
  // expected-error @+1 {{'weight' per-element shape must be KxN or HxKxN, got '64'}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64xf32>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 64xf32>, %w: !rgnn.feat<relation, 64x32xf32>) {
  // expected-error @+1 {{result must have per-element shape '32', got '64'}}
  %0 = rgnn.typed_linear %g, %h, %w by relation on src : (!G, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<edge, 64xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node[4], 64xf32>, %w: !rgnn.feat<node_type, 64x32xf32>) {
  // expected-error @+1 {{operand #1 is per node of type 4, beyond the schema's 2 node types}}
  %0 = rgnn.typed_linear %g, %h, %w by node_type : (!G, !rgnn.feat<node[4], 64xf32>, !rgnn.feat<node_type, 64x32xf32>) -> !rgnn.feat<node[4], 32xf32>
  return
}

// -----

func.func @f(%h: !rgnn.feat<node, 64xf32>, %w: tensor<64x32xf64>) {
  // expected-error @+1 {{'weight' element type 'f64' must match the input's 'f32'}}
  %0 = rgnn.linear %h, %w : (!rgnn.feat<node, 64xf32>, tensor<64x32xf64>) -> !rgnn.feat<node, 32xf32>
  return
}

// -----

func.func @f(%h: !rgnn.feat<node, 64xf32>, %w: tensor<64x32xf32>) {
  // expected-error @+1 {{result must be per node like the input, but is per edge}}
  %0 = rgnn.linear %h, %w : (!rgnn.feat<node, 64xf32>, tensor<64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  return
}

// -----

func.func @f(%h: !rgnn.feat<node, 64xf32>, %w: tensor<32x32xf32>) {
  // expected-error @+1 {{'input' per-element shape '64' must end in the weight's input size 32}}
  %0 = rgnn.linear %h, %w : (!rgnn.feat<node, 64xf32>, tensor<32x32xf32>) -> !rgnn.feat<node, 32xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 8x8xf32>, %b: !rgnn.feat<relation, 8x8xf32>) {
  // expected-error @+1 {{'lhs' must be per relation, per node type or a shared tensor, but is per edge}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<edge, 8x8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 8x8xf32>, %b: !rgnn.feat<node_type, 8x8xf32>) {
  // expected-error @+1 {{'lhs' and 'rhs' must have the same domain, got per relation and per node type}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 8x8xf32>, !rgnn.feat<node_type, 8x8xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 8x8xf32>, %b: !rgnn.feat<relation, 8x8xf16>) {
  // expected-error @+1 {{'lhs' and 'rhs' element types differ: 'f32' vs 'f16'}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 8x8xf32>, !rgnn.feat<relation, 8x8xf16>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 8x8xf32>, %b: tensor<8x8xf32>) {
  // expected-error @+1 {{result must be per relation, but is a shared tensor}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  return
}

// -----

func.func @f(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) {
  // expected-error @+1 {{the product of two shared tensors must be a shared tensor, but the result is per relation}}
  %0 = rgnn.weight_product %a, %b : (tensor<8x8xf32>, tensor<8x8xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 3xf32>, %b: tensor<4x8x8xf32>) {
  // expected-error @+1 {{'rhs' shape '4x8x8' must start with the length 3 of the 'lhs' coefficient vector}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 3xf32>, tensor<4x8x8xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 4x8x8xf32>, %b: !rgnn.feat<relation, 2x8x8xf32>) {
  // expected-error @+1 {{batch dimensions of 'lhs' ('4x8x8') and 'rhs' ('2x8x8') differ}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 4x8x8xf32>, !rgnn.feat<relation, 2x8x8xf32>) -> !rgnn.feat<relation, 4x8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 8x4xf32>, %b: !rgnn.feat<relation, 8x8xf32>) {
  // expected-error @+1 {{contraction size mismatch: 'lhs' is '8x4' and 'rhs' is '8x8'}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 8x4xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 8x8xf32>, %b: !rgnn.feat<relation, 2x8x8xf32>) {
  // expected-error @+1 {{cannot multiply 'lhs' of shape '8x8' by 'rhs' of shape '2x8x8'; expected [K]x[K,...], [..,M,K]x[..,K,N] or [..,M,K]x[..,K]}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 8x8xf32>, !rgnn.feat<relation, 2x8x8xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<relation, 8x4xf32>, %b: !rgnn.feat<relation, 4x16xf32>) {
  // expected-error @+1 {{result must have per-element shape '8x16', got '8x8'}}
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 8x4xf32>, !rgnn.feat<relation, 4x16xf32>) -> !rgnn.feat<relation, 8x8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<node, 4x16xf32>) {
  // expected-error @+1 {{'rhs' must be per edge like 'lhs', or a shared tensor, but is per node}}
  %0 = rgnn.inner_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<node, 4x16xf32>) -> !rgnn.feat<edge, 4xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, f32>, %b: !rgnn.feat<edge, f32>) {
  // expected-error @+1 {{'lhs' must have at least one dimension to contract}}
  %0 = rgnn.inner_product %a, %b : (!rgnn.feat<edge, f32>, !rgnn.feat<edge, f32>) -> !rgnn.feat<edge, f32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{'rhs' per-element type '16xf32' must match the 'lhs' per-element type '4x16xf32'}}
  %0 = rgnn.inner_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, tensor<16xf32>) -> !rgnn.feat<edge, 4xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result must be per edge}}
  %0 = rgnn.inner_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result must have per-element shape '4', got '16'}}
  %0 = rgnn.inner_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<node, 4x16xf32>) {
  // expected-error @+1 {{'lhs', 'rhs' and the result must share one domain, got per edge, per node and per edge}}
  %0 = rgnn.outer_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<node, 4x16xf32>) -> !rgnn.feat<edge, 4x16x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 2x16xf32>) {
  // expected-error @+1 {{'lhs' ('4x16') and 'rhs' ('2x16') must be vectors with equal leading (head) dimensions}}
  %0 = rgnn.outer_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 2x16xf32>) -> !rgnn.feat<edge, 4x16x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x16xf16>) {
  // expected-error @+1 {{'lhs' and 'rhs' element types differ}}
  %0 = rgnn.outer_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf16>) -> !rgnn.feat<edge, 4x16x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result must have per-element shape '4x16x16', got '4x16'}}
  %0 = rgnn.outer_product %a, %b : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 4xf32>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{'scalar' must be per edge like 'vector', but is per node}}
  %0 = rgnn.scale %a, %b : (!rgnn.feat<node, 4xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 16xf32>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{'scalar' per-element shape '16' must be the 'vector' shape without its last dimension ('4x16')}}
  %0 = rgnn.scale %a, %b : (!rgnn.feat<edge, 16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4xf16>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{'scalar' and 'vector' element types differ}}
  %0 = rgnn.scale %a, %b : (!rgnn.feat<edge, 4xf16>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4xf32>, %b: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result type must be the 'vector' type '!rgnn.feat<edge, 4x16xf32>'}}
  %0 = rgnn.scale %a, %b : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "rgnn.exp"(%a) : (!rgnn.feat<node, 16xf32>) -> !rgnn.feat<node, 8xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>) {
  // expected-error @+1 {{alpha must be finite}}
  %0 = rgnn.leaky_relu %a {alpha = 0x7FF0000000000000 : f64} : !rgnn.feat<node, 16xf32>
  return
}

// -----

func.func @f(%a: tensor<16xf32>) {
  // expected-error @+1 {{needs at least one feature operand; both 'lhs' and 'rhs' are shared tensors}}
  %0 = rgnn.add %a, %a : (tensor<16xf32>, tensor<16xf32>) -> !rgnn.feat<node, 16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>, %b: !rgnn.feat<edge, 16xf32>) {
  // expected-error @+1 {{'lhs' and 'rhs' must have the same type, got '!rgnn.feat<node, 16xf32>' and '!rgnn.feat<edge, 16xf32>'}}
  %0 = rgnn.mul %a, %b : (!rgnn.feat<node, 16xf32>, !rgnn.feat<edge, 16xf32>) -> !rgnn.feat<node, 16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'rhs' is a shared tensor of shape '8'; it must be a scalar or match the per-element shape '16'}}
  %0 = rgnn.sub %a, %b : (!rgnn.feat<node, 16xf32>, tensor<8xf32>) -> !rgnn.feat<node, 16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>, %b: tensor<f64>) {
  // expected-error @+1 {{'lhs' element type 'f64' must be 'f32'}}
  %0 = rgnn.div %b, %a : (tensor<f64>, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<node, 16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>) {
  // expected-error @+1 {{result type must be '!rgnn.feat<node, 16xf32>', got '!rgnn.feat<edge, 16xf32>'}}
  %0 = rgnn.add %a, %a : (!rgnn.feat<node, 16xf32>, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<edge, 16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<node, 16xf32>) {
  // expected-error @+1 {{'rgnn.equal' op result type must be '!rgnn.feat<node, 16xf32>', got '!rgnn.feat<edge, 16xf32>'}}
  %0 = rgnn.equal %a, %a : (!rgnn.feat<node, 16xf32>, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<edge, 16xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{needs at least one input}}
  %0 = rgnn.concat dim = 0 : () -> !rgnn.feat<edge, 4xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{dim 2 is out of range for per-element rank 2}}
  %0 = rgnn.concat %a dim = 2 : (!rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<node, 4x16xf32>) {
  // expected-error @+1 {{input #1 must be per edge, but is per node}}
  %0 = rgnn.concat %a, %b dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<node, 4x16xf32>) -> !rgnn.feat<edge, 4x32xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x16xf16>) {
  // expected-error @+1 {{input #1 has element type 'f16', expected 'f32'}}
  %0 = rgnn.concat %a, %b dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf16>) -> !rgnn.feat<edge, 4x32xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 2x16xf32>) {
  // expected-error @+1 {{input #1 has per-element shape '2x16', which must match '4x32' except in dim 1}}
  %0 = rgnn.concat %a, %b dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 2x16xf32>) -> !rgnn.feat<edge, 4x32xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{sizes along dim 1 add up to 32, but the whole has 30}}
  %0 = rgnn.concat %a, %a dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x30xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{sizes along dim 1 add up to 24, but the whole has 16}}
  %0:2 = rgnn.split %a dim = 1 : (!rgnn.feat<edge, 4x16xf32>) -> (!rgnn.feat<edge, 4x8xf32>, !rgnn.feat<edge, 4x16xf32>)
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result must be per edge like the input, but is a shared tensor}}
  %0 = rgnn.transpose %a [1, 0] : !rgnn.feat<edge, 4x16xf32> -> tensor<16x4xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{permutation has 1 entries, but the per-element rank is 2}}
  %0 = rgnn.transpose %a [0] : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{permutation must list each dimension 0..1 exactly once}}
  %0 = rgnn.transpose %a [1, 1] : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result must have per-element shape '16x4', got '4x16'}}
  %0 = rgnn.transpose %a [1, 0] : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 4x16xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result must be per edge like the input, but is per node}}
  %0 = rgnn.reshape %a : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<node, 64xf32>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{result element type must match the input's}}
  %0 = rgnn.reshape %a : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 64xf16>
  return
}

// -----

func.func @f(%a: !rgnn.feat<edge, 4x16xf32>) {
  // expected-error @+1 {{cannot reshape '4x16' to '60': the element counts differ}}
  %0 = rgnn.reshape %a : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 60xf32>
  return
}

// -----

!G = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
func.func @f(%g: !G, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<node_type, 8x4xf32>) {
  // expected-error @+1 {{'choice' selects by relation, so it needs 'by relation'}}
  %0 = rgnn.typed_linear %g, %h, %w by node_type choice 0 : (!G, !rgnn.feat<node, 8xf32>, !rgnn.feat<node_type, 8x4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %m: !rgnn.feat<dst_rel, 4xf32>) {
  // expected-error @+1 {{'choice' selects edges by relation, so the input must be per edge, but is per unique (dst, relation) pair}}
  %0 = rgnn.aggregate %g, %m sum choice 1 : (!K, !rgnn.feat<dst_rel, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %m: !rgnn.feat<edge, 4xf32>) {
  // expected-error @+1 {{'choice' with 'mean' needs a per-(node, relation) result}}
  %0 = rgnn.aggregate %g, %m mean choice 1 : (!K, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return
}

// -----

!K = !rgnn.graph<node_types = 1, relations = 4>
func.func @f(%g: !K, %m: !rgnn.feat<edge, 4xf32>) {
  // expected-error @+1 {{'choice' cannot restrict a 'max': the edges of unchosen relations would count as zeros}}
  %0 = rgnn.aggregate %g, %m max choice 1 : (!K, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  return
}
