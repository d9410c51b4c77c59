// RUN: hector-opt %s -split-input-file -rgnn-reorder-linear -canonicalize | FileCheck %s
// RUN: hector-opt %s -split-input-file -rgnn-reorder-linear -rgnn-compact-materialization -canonicalize | FileCheck %s --check-prefix=COMPACT

// RGAT's score a_r . [W_r h_dst || W_r h_src]: the concatenation is split
// along the contracted dimension; the destination half folds into
// W_r a_dst (one output per head), the source half stays because the
// messages still need W_r h_src.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @rgat
// CHECK: %[[ZS:.*]] = rgnn.typed_linear %{{.*}}, %[[H:.*]], %[[W:.*]] by relation on src {{.*}} -> !rgnn.feat<edge, 2x4xf32>
// CHECK: %[[A:.*]]:2 = rgnn.split %{{.*}} dim = 1 : (!rgnn.feat<relation, 2x8xf32>) -> (!rgnn.feat<relation, 2x4xf32>, !rgnn.feat<relation, 2x4xf32>)
// CHECK: %[[U:.*]] = rgnn.weight_product %[[W]], %[[A]]#0 : (!rgnn.feat<relation, 2x8x4xf32>, !rgnn.feat<relation, 2x4xf32>) -> !rgnn.feat<relation, 2x8xf32>
// CHECK: %[[U1:.*]] = rgnn.reshape %[[U]] : !rgnn.feat<relation, 2x8xf32> -> !rgnn.feat<relation, 2x8x1xf32>
// CHECK: %[[SD:.*]] = rgnn.typed_linear %{{.*}}, %[[H]], %[[U1]] by relation on dst {{.*}} -> !rgnn.feat<edge, 2x1xf32>
// CHECK: %[[SD2:.*]] = rgnn.reshape %[[SD]] : !rgnn.feat<edge, 2x1xf32> -> !rgnn.feat<edge, 2xf32>
// CHECK: %[[AS:.*]] = rgnn.gather %{{.*}}, %[[A]]#1 by relation
// CHECK: %[[SS:.*]] = rgnn.inner_product %[[ZS]], %[[AS]]
// CHECK: rgnn.add %[[SD2]], %[[SS]]
// CHECK-NOT: rgnn.concat
// COMPACT-LABEL: func.func @rgat
// COMPACT: rgnn.typed_linear {{.*}} on src {{.*}} -> !rgnn.feat<src_rel, 2x4xf32>
// COMPACT: rgnn.typed_linear {{.*}} on dst {{.*}} -> !rgnn.feat<dst_rel, 2x1xf32>
func.func @rgat(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 2x8x4xf32>,
                %attn: !rgnn.feat<relation, 2x8xf32>) -> !rgnn.feat<node, 2x4xf32> {
  %zs = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 2x8x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %zd = rgnn.typed_linear %g, %h, %w by relation on dst
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 2x8x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %cat = rgnn.concat %zd, %zs dim = 1
      : (!rgnn.feat<edge, 2x4xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x8xf32>
  %a = rgnn.gather %g, %attn by relation : (!g, !rgnn.feat<relation, 2x8xf32>) -> !rgnn.feat<edge, 2x8xf32>
  %s = rgnn.inner_product %cat, %a : (!rgnn.feat<edge, 2x8xf32>, !rgnn.feat<edge, 2x8xf32>) -> !rgnn.feat<edge, 2xf32>
  %p = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %m = rgnn.scale %p, %zs : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %o = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %o : !rgnn.feat<node, 2x4xf32>
}

// -----

// A shared attention vector without heads: the score becomes a projection
// to one output, reshaped to a scalar per edge.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @shared_vector
// CHECK: %[[U:.*]] = rgnn.weight_product %{{.*}}, %{{.*}} : (!rgnn.feat<relation, 8x4xf32>, tensor<4xf32>) -> !rgnn.feat<relation, 8xf32>
// CHECK: rgnn.reshape %[[U]] : !rgnn.feat<relation, 8xf32> -> !rgnn.feat<relation, 8x1xf32>
// CHECK: rgnn.typed_linear {{.*}} on src {{.*}} -> !rgnn.feat<edge, 1xf32>
// CHECK: rgnn.reshape {{.*}} : !rgnn.feat<edge, 1xf32> -> !rgnn.feat<edge, f32>
func.func @shared_vector(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>,
                         %a: tensor<4xf32>) -> !rgnn.feat<edge, f32> {
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %s = rgnn.inner_product %z, %a : (!rgnn.feat<edge, 4xf32>, tensor<4xf32>) -> !rgnn.feat<edge, f32>
  return %s : !rgnn.feat<edge, f32>
}

// -----

// Must not fold: the projection is also the message, so folding would
// add a second product per edge instead of removing one.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @projection_reused
// CHECK-NOT: rgnn.weight_product
// CHECK: rgnn.inner_product
func.func @projection_reused(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>,
                             %attn: !rgnn.feat<relation, 4xf32>) -> !rgnn.feat<edge, 4xf32> {
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a = rgnn.gather %g, %attn by relation : (!g, !rgnn.feat<relation, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %s = rgnn.inner_product %z, %a : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, f32>
  %m = rgnn.scale %s, %z : (!rgnn.feat<edge, f32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  return %m : !rgnn.feat<edge, 4xf32>
}

// -----

// Must not fold: the other factor is a per-edge feature, not a vector
// chosen by relation, and a concatenation along a non-contracted
// dimension is not split.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @not_attention
// CHECK-NOT: rgnn.weight_product
// CHECK-NOT: rgnn.split
// CHECK: rgnn.inner_product
// CHECK: rgnn.concat
// CHECK: rgnn.inner_product
func.func @not_attention(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>,
                         %e: !rgnn.feat<edge, 4xf32>, %attn: !rgnn.feat<relation, 2x4xf32>)
    -> (!rgnn.feat<edge, f32>, !rgnn.feat<edge, 2xf32>) {
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %s = rgnn.inner_product %z, %e : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, f32>
  %z2 = rgnn.typed_linear %g, %h, %w by relation on dst
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %r1 = rgnn.reshape %z2 : !rgnn.feat<edge, 4xf32> -> !rgnn.feat<edge, 1x4xf32>
  %r2 = rgnn.reshape %e : !rgnn.feat<edge, 4xf32> -> !rgnn.feat<edge, 1x4xf32>
  %cat = rgnn.concat %r1, %r2 dim = 0
      : (!rgnn.feat<edge, 1x4xf32>, !rgnn.feat<edge, 1x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %a = rgnn.gather %g, %attn by relation : (!g, !rgnn.feat<relation, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %t = rgnn.inner_product %cat, %a : (!rgnn.feat<edge, 2x4xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2xf32>
  return %s, %t : !rgnn.feat<edge, f32>, !rgnn.feat<edge, 2xf32>
}

// -----

// HGT's q_i . (k_j A_r): the relation transform moves to the query side,
// A_r^T per (dst, relation), and the key is read at the source directly.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @hgt_key
// CHECK: %[[T:.*]] = rgnn.transpose %[[A:.*]] [0, 2, 1] : !rgnn.feat<relation, 2x4x4xf32> -> !rgnn.feat<relation, 2x4x4xf32>
// CHECK: %[[Q:.*]] = rgnn.typed_linear %{{.*}}, %[[QN:.*]], %[[T]] by relation on dst
// CHECK: %[[K:.*]] = rgnn.gather %{{.*}}, %[[KN:.*]] by src
// CHECK: rgnn.inner_product %[[Q]], %[[K]]
// COMPACT-LABEL: func.func @hgt_key
// COMPACT: rgnn.typed_linear {{.*}} on dst {{.*}} -> !rgnn.feat<dst_rel, 2x4xf32>
func.func @hgt_key(%g: !g, %q: !rgnn.feat<node, 2x4xf32>, %k: !rgnn.feat<node, 2x4xf32>,
                   %a: !rgnn.feat<relation, 2x4x4xf32>) -> !rgnn.feat<edge, 2xf32> {
  %ke = rgnn.typed_linear %g, %k, %a by relation on src
      : (!g, !rgnn.feat<node, 2x4xf32>, !rgnn.feat<relation, 2x4x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %qe = rgnn.gather %g, %q by dst : (!g, !rgnn.feat<node, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %s = rgnn.inner_product %qe, %ke : (!rgnn.feat<edge, 2x4xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2xf32>
  return %s : !rgnn.feat<edge, 2xf32>
}

// -----

// Two projections with nothing between them: a per-node-type input
// projection, split into heads and projected per relation at the source,
// becomes one projection by W1[src type] . W2_r (heads batched).
!g = !rgnn.graph<node_types = 2, relations = 2, triples = [(0, 0, 1), (1, 1, 0)]>
// CHECK-LABEL: func.func @chain
// CHECK: %[[W1:.*]] = rgnn.gather %{{.*}}, %{{.*}} by src_type : (!graph, !rgnn.feat<node_type, 4x8xf32>) -> !rgnn.feat<relation, 4x8xf32>
// CHECK: %[[R:.*]] = rgnn.reshape %[[W1]] : !rgnn.feat<relation, 4x8xf32> -> !rgnn.feat<relation, 4x2x4xf32>
// CHECK: %[[T:.*]] = rgnn.transpose %[[R]] [1, 0, 2] : !rgnn.feat<relation, 4x2x4xf32> -> !rgnn.feat<relation, 2x4x4xf32>
// CHECK: %[[P:.*]] = rgnn.weight_product %[[T]], %{{.*}} : (!rgnn.feat<relation, 2x4x4xf32>, !rgnn.feat<relation, 2x4x3xf32>) -> !rgnn.feat<relation, 2x4x3xf32>
// CHECK: rgnn.typed_linear %{{.*}}, %{{.*}}, %[[P]] by relation on src : (!graph, !rgnn.feat<node, 4xf32>, !rgnn.feat<relation, 2x4x3xf32>) -> !rgnn.feat<edge, 2x3xf32>
// CHECK-NOT: by node_type
func.func @chain(%g: !g, %x: !rgnn.feat<node, 4xf32>, %w1: !rgnn.feat<node_type, 4x8xf32>,
                 %w2: !rgnn.feat<relation, 2x4x3xf32>) -> !rgnn.feat<edge, 2x3xf32> {
  %y = rgnn.typed_linear %g, %x, %w1 by node_type
      : (!g, !rgnn.feat<node, 4xf32>, !rgnn.feat<node_type, 4x8xf32>) -> !rgnn.feat<node, 8xf32>
  %yh = rgnn.reshape %y : !rgnn.feat<node, 8xf32> -> !rgnn.feat<node, 2x4xf32>
  %m = rgnn.typed_linear %g, %yh, %w2 by relation on src
      : (!g, !rgnn.feat<node, 2x4xf32>, !rgnn.feat<relation, 2x4x3xf32>) -> !rgnn.feat<edge, 2x3xf32>
  return %m : !rgnn.feat<edge, 2x3xf32>
}

// -----

// A shared input projection merges with the per-relation one.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @shared_chain
// CHECK: %[[P:.*]] = rgnn.weight_product %{{.*}}, %{{.*}} : (tensor<4x8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<relation, 4x8xf32>
// CHECK: rgnn.typed_linear %{{.*}}, %{{.*}}, %[[P]] by relation on dst
// CHECK-NOT: rgnn.linear
func.func @shared_chain(%g: !g, %x: !rgnn.feat<node, 4xf32>, %w1: tensor<4x8xf32>,
                        %w2: !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32> {
  %y = rgnn.linear %x, %w1 : (!rgnn.feat<node, 4xf32>, tensor<4x8xf32>) -> !rgnn.feat<node, 8xf32>
  %m = rgnn.typed_linear %g, %y, %w2 by relation on dst
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  return %m : !rgnn.feat<edge, 8xf32>
}

// -----

// Must not merge: a bias between the projections (HGT's keys), an
// intermediate another op reads, a merged product larger than W2's
// (K = 16 > M = 8), and a per-node-type W1 on a graph without triples.
!g = !rgnn.graph<node_types = 2, relations = 2, triples = [(0, 0, 1), (1, 1, 0)]>
!u = !rgnn.graph<node_types = 2, relations = 2>
// CHECK-LABEL: func.func @no_merge
// CHECK-NOT: rgnn.weight_product
// CHECK-LABEL: func.func @no_merge_untyped
// CHECK-NOT: rgnn.weight_product
func.func @no_merge(%g: !g, %x: !rgnn.feat<node, 4xf32>, %big: !rgnn.feat<node, 16xf32>,
                    %w1: !rgnn.feat<node_type, 4x8xf32>, %b: !rgnn.feat<node, 8xf32>,
                    %wb: !rgnn.feat<node_type, 16x8xf32>, %w2: !rgnn.feat<relation, 8x8xf32>)
    -> (!rgnn.feat<edge, 8xf32>, !rgnn.feat<edge, 8xf32>, !rgnn.feat<node, 8xf32>, !rgnn.feat<edge, 8xf32>) {
  %y = rgnn.typed_linear %g, %x, %w1 by node_type
      : (!g, !rgnn.feat<node, 4xf32>, !rgnn.feat<node_type, 4x8xf32>) -> !rgnn.feat<node, 8xf32>
  %yb = rgnn.add %y, %b : (!rgnn.feat<node, 8xf32>, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32>
  %m1 = rgnn.typed_linear %g, %yb, %w2 by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  %z = rgnn.typed_linear %g, %x, %w1 by node_type
      : (!g, !rgnn.feat<node, 4xf32>, !rgnn.feat<node_type, 4x8xf32>) -> !rgnn.feat<node, 8xf32>
  %m2 = rgnn.typed_linear %g, %z, %w2 by relation on dst
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  %v = rgnn.typed_linear %g, %big, %wb by node_type
      : (!g, !rgnn.feat<node, 16xf32>, !rgnn.feat<node_type, 16x8xf32>) -> !rgnn.feat<node, 8xf32>
  %m3 = rgnn.typed_linear %g, %v, %w2 by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  return %m1, %m2, %z, %m3 : !rgnn.feat<edge, 8xf32>, !rgnn.feat<edge, 8xf32>, !rgnn.feat<node, 8xf32>, !rgnn.feat<edge, 8xf32>
}
func.func @no_merge_untyped(%g: !u, %x: !rgnn.feat<node, 4xf32>, %w1: !rgnn.feat<node_type, 4x8xf32>,
                            %w2: !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32> {
  %y = rgnn.typed_linear %g, %x, %w1 by node_type
      : (!u, !rgnn.feat<node, 4xf32>, !rgnn.feat<node_type, 4x8xf32>) -> !rgnn.feat<node, 8xf32>
  %m = rgnn.typed_linear %g, %y, %w2 by relation on src
      : (!u, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  return %m : !rgnn.feat<edge, 8xf32>
}
