// RUN: hector-opt %s -rgnn-compact-materialization -canonicalize -split-input-file | FileCheck %s

// RGCN's message depends on (source, relation) only: it is computed per
// unique pair, and the aggregation reads it through the edge -> pair map.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @rgcn
// CHECK: %[[C:.*]] = rgnn.typed_linear %{{.*}} by relation on src {{.*}} -> !rgnn.feat<src_rel, 4xf32>
// CHECK: %[[V:.*]] = rgnn.gather %{{.*}}, %[[C]] by src_rel {{.*}} -> !rgnn.feat<edge, 4xf32>
// CHECK: rgnn.aggregate %{{.*}}, %[[V]] mean
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<node, 4xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return %a : !rgnn.feat<node, 4xf32>
}

// -----

// Element-by-element consumers of a pair-only value move with it, and a
// per-relation gather they read is re-targeted to the pair domain: the
// score a_r . (W_r h_src) is computed per (src, relation) pair.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @attention_term
// CHECK: %[[Z:.*]] = rgnn.typed_linear {{.*}} on src {{.*}} -> !rgnn.feat<src_rel, 2x4xf32>
// CHECK: %[[A:.*]] = rgnn.gather %{{.*}} by relation {{.*}} -> !rgnn.feat<src_rel, 2x4xf32>
// CHECK: %[[S:.*]] = rgnn.inner_product %[[Z]], %[[A]] {{.*}} -> !rgnn.feat<src_rel, 2xf32>
// CHECK: %[[L:.*]] = rgnn.leaky_relu %[[S]] {{.*}} : !rgnn.feat<src_rel, 2xf32>
// CHECK: %[[E:.*]] = rgnn.gather %{{.*}}, %[[L]] by src_rel {{.*}} -> !rgnn.feat<edge, 2xf32>
// CHECK: rgnn.edge_softmax %{{.*}}, %[[E]]
func.func @attention_term(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 2x8x4xf32>,
                          %attn: !rgnn.feat<relation, 2x4xf32>) -> !rgnn.feat<edge, 2xf32> {
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 2x8x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %a = rgnn.gather %g, %attn by relation : (!g, !rgnn.feat<relation, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %s = rgnn.inner_product %z, %a : (!rgnn.feat<edge, 2x4xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2xf32>
  %l = rgnn.leaky_relu %s {alpha = 0.2} : !rgnn.feat<edge, 2xf32>
  %p = rgnn.edge_softmax %g, %l : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  return %p : !rgnn.feat<edge, 2xf32>
}

// -----

// A value that mixes the source and destination pairs stays per edge; its
// two pair-only inputs are still computed per pair.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @mixed
// CHECK-DAG: %[[S:.*]] = rgnn.typed_linear {{.*}} on src {{.*}} -> !rgnn.feat<src_rel, 4xf32>
// CHECK-DAG: %[[D:.*]] = rgnn.typed_linear {{.*}} on dst {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// CHECK-DAG: %[[SE:.*]] = rgnn.gather %{{.*}}, %[[S]] by src_rel
// CHECK-DAG: %[[DE:.*]] = rgnn.gather %{{.*}}, %[[D]] by dst_rel
// CHECK: rgnn.add %[[SE]], %[[DE]] {{.*}} -> !rgnn.feat<edge, 4xf32>
func.func @mixed(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<edge, 4xf32> {
  %s = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %d = rgnn.typed_linear %g, %h, %w by relation on dst
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %x = rgnn.add %s, %d : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  return %x : !rgnn.feat<edge, 4xf32>
}

// -----

// Must not fire: a per-edge input (here an edge feature) makes the value
// depend on the edge itself; by-node-type projections are per node already.
!g = !rgnn.graph<node_types = 2, relations = 3>
// CHECK-LABEL: func.func @per_edge
// CHECK-NOT: src_rel
// CHECK-NOT: dst_rel
func.func @per_edge(%g: !g, %e: !rgnn.feat<edge, 8xf32>, %h: !rgnn.feat<node, 8xf32>,
                    %w: !rgnn.feat<relation, 8x4xf32>, %t: !rgnn.feat<node_type, 8x4xf32>)
    -> (!rgnn.feat<edge, 4xf32>, !rgnn.feat<node, 4xf32>) {
  %m = rgnn.typed_linear %g, %e, %w by relation
      : (!g, !rgnn.feat<edge, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %n = rgnn.typed_linear %g, %h, %t by node_type
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<node_type, 8x4xf32>) -> !rgnn.feat<node, 4xf32>
  return %m, %n : !rgnn.feat<edge, 4xf32>, !rgnn.feat<node, 4xf32>
}
