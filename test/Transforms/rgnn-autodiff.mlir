// RUN: hector-opt %s --rgnn-autodiff="gradients=per-argument" --canonicalize --split-input-file --verify-diagnostics | FileCheck %s
// RUN: hector-opt %s --rgnn-autodiff --canonicalize --cse --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=COMBINED
// RUN: hector-opt %s --rgnn-autodiff="gradients=both" --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=BOTH
// RUN: not hector-opt %s --rgnn-autodiff="gradients=some" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: rgnn-autodiff: unknown gradients 'some'; expected per-argument, combined or both

// RGCN: one gradient function per float argument, in argument order; the
// mean's backward divides by rgnn.degree, the weight gradient sums outer
// products per unique (src, relation) pair, the input gradient transforms
// by the transposed weights and aggregates back to the sources.
!g = !rgnn.graph<node_types = 1, relations = 3>

// CHECK-LABEL: func.func @rgcn(
// CHECK-LABEL: func.func @rgcn__grad1(
// CHECK-SAME: %[[G:.*]]: !graph, %[[H:.*]]: !rgnn.feat<node, 4xf32>, %[[W:.*]]: !rgnn.feat<relation, 4x2xf32>, %[[WR:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>, %[[DY:.*]]: !rgnn.feat<node, 2xf32>) -> !rgnn.feat<node, 4xf32>
// CHECK-SAME: rgnn.forward_values = "recomputed", rgnn.gradient_of = "rgcn", rgnn.wrt = 1
// CHECK-DAG: %[[WRT:.*]] = rgnn.transpose %[[WR]] [1, 0] : tensor<4x2xf32> -> tensor<2x4xf32>
// CHECK-DAG: %[[SELF:.*]] = rgnn.linear %[[DY]], %[[WRT]]
// CHECK-DAG: %[[N:.*]] = rgnn.degree %[[G]] from edge : (!graph) -> !rgnn.feat<dst_rel, f32>
// CHECK-DAG: %[[INV:.*]] = rgnn.div %{{.*}}, %[[N]]
// CHECK-DAG: %[[BACK:.*]] = rgnn.gather %[[G]], %[[DY]] by dst : {{.*}} -> !rgnn.feat<dst_rel, 2xf32>
// CHECK-DAG: %[[MEAN:.*]] = rgnn.scale %[[INV]], %[[BACK]]
// CHECK-DAG: %[[E:.*]] = rgnn.gather %[[G]], %[[MEAN]] by dst_rel
// CHECK-DAG: %[[P:.*]] = rgnn.aggregate %[[G]], %[[E]] sum to src : {{.*}} -> !rgnn.feat<src_rel, 2xf32>
// CHECK-DAG: %[[WT:.*]] = rgnn.transpose %[[W]] [1, 0]
// CHECK-DAG: %[[T:.*]] = rgnn.typed_linear %[[G]], %[[P]], %[[WT]] by relation : {{.*}} -> !rgnn.feat<src_rel, 4xf32>
// CHECK-DAG: %[[DH:.*]] = rgnn.aggregate %[[G]], %[[T]] sum to src : {{.*}} -> !rgnn.feat<node, 4xf32>
// CHECK: rgnn.add
// CHECK-LABEL: func.func @rgcn__grad2(
// CHECK: %[[HP:.*]] = rgnn.gather %{{.*}}, %{{.*}} by src : {{.*}} -> !rgnn.feat<src_rel, 4xf32>
// CHECK: %[[O:.*]] = rgnn.outer_product %[[HP]], %{{.*}} -> !rgnn.feat<src_rel, 4x2xf32>
// CHECK: rgnn.relation_sum %{{.*}}, %[[O]] : {{.*}} -> !rgnn.feat<relation, 4x2xf32>
// CHECK-LABEL: func.func @rgcn__grad3(
// CHECK: %[[O3:.*]] = rgnn.outer_product
// CHECK: rgnn.domain_sum %[[O3]] : <node, 4x2xf32> -> tensor<4x2xf32>
// CHECK-LABEL: func.func @rgcn__grad4(
// CHECK-NEXT: %[[S:.*]] = rgnn.domain_sum %{{.*}} : <node, 2xf32> -> tensor<2xf32>
// CHECK-NEXT: return %[[S]]

// The combined backward (the default) returns every gradient, in argument
// order, from one recomputed forward and one backward sweep: the adjoint
// of the messages (%[[CP]]) feeds both the input and the relation-weight
// gradients.
// COMBINED-LABEL: func.func @rgcn__backward(
// COMBINED-SAME: %[[G:.*]]: !graph, %[[H:.*]]: !rgnn.feat<node, 4xf32>, %[[W:.*]]: !rgnn.feat<relation, 4x2xf32>, %[[WR:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>, %[[DY:.*]]: !rgnn.feat<node, 2xf32>) -> (!rgnn.feat<node, 4xf32>, !rgnn.feat<relation, 4x2xf32>, tensor<4x2xf32>, tensor<2xf32>)
// COMBINED-SAME: rgnn.forward_values = "recomputed", rgnn.gradient_of = "rgcn", rgnn.wrt = array<i64: 1, 2, 3, 4>
// COMBINED-DAG: %[[DB:.*]] = rgnn.domain_sum %[[DY]] : <node, 2xf32> -> tensor<2xf32>
// COMBINED-DAG: %[[CP:.*]] = rgnn.aggregate %[[G]], %{{.*}} sum to src : {{.*}} -> !rgnn.feat<src_rel, 2xf32>
// COMBINED-DAG: %[[T:.*]] = rgnn.typed_linear %[[G]], %[[CP]], %{{.*}} by relation
// COMBINED-DAG: %[[DH:.*]] = rgnn.add %{{.*}}, %{{.*}} : (!rgnn.feat<node, 4xf32>
// COMBINED-DAG: %[[O:.*]] = rgnn.outer_product %{{.*}}, %[[CP]]
// COMBINED-DAG: %[[DW:.*]] = rgnn.relation_sum %[[G]], %[[O]]
// COMBINED-DAG: %[[DWR:.*]] = rgnn.domain_sum %{{.*}} : <node, 4x2xf32> -> tensor<4x2xf32>
// COMBINED: return %[[DH]], %[[DW]], %[[DWR]], %[[DB]]
// COMBINED-NOT: func.func @rgcn__grad

// BOTH-LABEL: func.func @rgcn__grad1(
// BOTH-LABEL: func.func @rgcn__grad4(
// BOTH-LABEL: func.func @rgcn__backward(
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 4xf32>,
                %w: !rgnn.feat<relation, 4x2xf32>, %w_root: tensor<4x2xf32>,
                %bias: tensor<2xf32>) -> !rgnn.feat<node, 2xf32> {
  %msg = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 4xf32>, !rgnn.feat<relation, 4x2xf32>) -> !rgnn.feat<edge, 2xf32>
  %per_rel = rgnn.aggregate %g, %msg mean
      : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<dst_rel, 2xf32>
  %agg = rgnn.aggregate %g, %per_rel sum
      : (!g, !rgnn.feat<dst_rel, 2xf32>) -> !rgnn.feat<node, 2xf32>
  %self = rgnn.linear %h, %w_root
      : (!rgnn.feat<node, 4xf32>, tensor<4x2xf32>) -> !rgnn.feat<node, 2xf32>
  %sum = rgnn.add %agg, %self
      : (!rgnn.feat<node, 2xf32>, !rgnn.feat<node, 2xf32>) -> !rgnn.feat<node, 2xf32>
  %out = rgnn.add %sum, %bias
      : (!rgnn.feat<node, 2xf32>, tensor<2xf32>) -> !rgnn.feat<node, 2xf32>
  return %out : !rgnn.feat<node, 2xf32>
}

// -----

// Attention: edge softmax's backward reads the forward's result (recomputed
// in the gradient function), leaky_relu's is an activation_grad with its
// alpha, and an argument the result does not depend on gets zeros.
!g = !rgnn.graph<node_types = 1, relations = 2>

// CHECK-LABEL: func.func @attn__grad1(
// CHECK: %[[S:.*]] = rgnn.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f64}
// CHECK: %[[A:.*]] = rgnn.edge_softmax %{{.*}}, %[[S]]
// CHECK: %[[DA:.*]] = rgnn.mul %{{.*}}, %[[A]]
// CHECK: %[[PN:.*]] = rgnn.aggregate %{{.*}}, %[[DA]] sum : {{.*}} -> !rgnn.feat<node, 2xf32>
// CHECK: %[[PE:.*]] = rgnn.gather %{{.*}}, %[[PN]] by dst
// CHECK: %[[DIFF:.*]] = rgnn.sub %{{.*}}, %[[PE]]
// CHECK: %[[DS:.*]] = rgnn.mul %[[A]], %[[DIFF]]
// CHECK: rgnn.activation_grad leaky_relu %{{.*}}, %[[DS]] {alpha = 2.000000e-01 : f64}
// CHECK-LABEL: func.func @attn__grad2(
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[R:.*]] = rgnn.mul %{{.*}}, %[[Z]]
// CHECK: return %[[R]]
// In the combined backward, unused arguments get zeros too: a feature by a
// multiplication, a shared tensor as a constant.
// COMBINED-LABEL: func.func @attn__backward(
// COMBINED-SAME: -> (!rgnn.feat<edge, 2xf32>, !rgnn.feat<node, 2xf32>, tensor<3xf32>)
// COMBINED-DAG: %[[ZT:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// COMBINED-DAG: %[[ZF:.*]] = rgnn.mul %{{.*}}, %{{.*}} : (!rgnn.feat<node, 2xf32>, tensor<f32>)
// COMBINED-DAG: %[[DS:.*]] = rgnn.activation_grad leaky_relu
// COMBINED: return %[[DS]], %[[ZF]], %[[ZT]]
func.func @attn(%g: !g, %s: !rgnn.feat<edge, 2xf32>,
                %unused: !rgnn.feat<node, 2xf32>,
                %unused_weight: tensor<3xf32>) -> !rgnn.feat<edge, 2xf32> {
  %a = rgnn.leaky_relu %s {alpha = 0.2 : f64} : !rgnn.feat<edge, 2xf32>
  %p = rgnn.edge_softmax %g, %a : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  return %p : !rgnn.feat<edge, 2xf32>
}

// -----

// A basis combination W_r = sum_b c_rb V_b: dc_r = V . dW_r (a matrix-vector
// product of V flattened to [B, K*N]), and dV = sum over relations of
// c_r (x) dW_r (a [B,1] x [1,K*N] product per relation, then a domain sum).
!g = !rgnn.graph<node_types = 1, relations = 2>
// COMBINED-LABEL: func.func @basis__backward(
// COMBINED-SAME: -> (!rgnn.feat<node, 4xf32>, !rgnn.feat<relation, 3xf32>, tensor<3x4x2xf32>)
// COMBINED: %[[DW:.*]] = rgnn.relation_sum
// COMBINED: %[[V2:.*]] = rgnn.reshape %arg3 : tensor<3x4x2xf32> -> tensor<3x8xf32>
// COMBINED: %[[DW2:.*]] = rgnn.reshape %[[DW]] : !rgnn.feat<relation, 4x2xf32> -> !rgnn.feat<relation, 8xf32>
// COMBINED: %[[DC:.*]] = rgnn.weight_product %[[V2]], %[[DW2]] : (tensor<3x8xf32>, !rgnn.feat<relation, 8xf32>) -> !rgnn.feat<relation, 3xf32>
// COMBINED: %[[ROW:.*]] = rgnn.reshape %[[DW]] : !rgnn.feat<relation, 4x2xf32> -> !rgnn.feat<relation, 1x8xf32>
// COMBINED: %[[COL:.*]] = rgnn.reshape %arg2 : !rgnn.feat<relation, 3xf32> -> !rgnn.feat<relation, 3x1xf32>
// COMBINED: %[[OUTER:.*]] = rgnn.weight_product %[[COL]], %[[ROW]] : (!rgnn.feat<relation, 3x1xf32>, !rgnn.feat<relation, 1x8xf32>) -> !rgnn.feat<relation, 3x8xf32>
// COMBINED: %[[DV3:.*]] = rgnn.reshape %[[OUTER]] : !rgnn.feat<relation, 3x8xf32> -> !rgnn.feat<relation, 3x4x2xf32>
// COMBINED: %[[DV:.*]] = rgnn.domain_sum %[[DV3]] : <relation, 3x4x2xf32> -> tensor<3x4x2xf32>
// COMBINED: return %{{.*}}, %[[DC]], %[[DV]]
func.func @basis(%g: !g, %h: !rgnn.feat<node, 4xf32>,
                 %c: !rgnn.feat<relation, 3xf32>, %v: tensor<3x4x2xf32>)
    -> !rgnn.feat<node, 2xf32> {
  %w = rgnn.weight_product %c, %v : (!rgnn.feat<relation, 3xf32>, tensor<3x4x2xf32>) -> !rgnn.feat<relation, 4x2xf32>
  %m = rgnn.typed_linear %g, %h, %w by relation on src : (!g, !rgnn.feat<node, 4xf32>, !rgnn.feat<relation, 4x2xf32>) -> !rgnn.feat<edge, 2xf32>
  %a = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<node, 2xf32>
  return %a : !rgnn.feat<node, 2xf32>
}

// -----

// A matrix product of a per-relation weight and a shared one, then a
// matrix-vector product: dA_r = dW_r . B^T, dB = sum_r A_r^T . dW_r, and
// for v_r = W_r . c, dW_r += dv_r (x) c (a [4,1] x [1,2] product) and
// dc = sum_r W_r^T . dv_r.
!g = !rgnn.graph<node_types = 1, relations = 2>
// COMBINED-LABEL: func.func @chain__backward(
// COMBINED-DAG: rgnn.weight_product %{{.*}}, %{{.*}} : (!rgnn.feat<relation, 4x1xf32>, tensor<1x2xf32>) -> !rgnn.feat<relation, 4x2xf32>
// COMBINED-DAG: rgnn.weight_product %{{.*}}, %{{.*}} : (!rgnn.feat<relation, 2x4xf32>, !rgnn.feat<relation, 4xf32>) -> !rgnn.feat<relation, 2xf32>
// COMBINED-DAG: rgnn.domain_sum %{{.*}} : <relation, 2xf32> -> tensor<2xf32>
// COMBINED-DAG: rgnn.weight_product %{{.*}}, %{{.*}} : (!rgnn.feat<relation, 4x2xf32>, tensor<2x3xf32>) -> !rgnn.feat<relation, 4x3xf32>
// COMBINED-DAG: rgnn.weight_product %{{.*}}, %{{.*}} : (!rgnn.feat<relation, 3x4xf32>, !rgnn.feat<relation, 4x2xf32>) -> !rgnn.feat<relation, 3x2xf32>
// COMBINED-DAG: rgnn.domain_sum %{{.*}} : <relation, 3x2xf32> -> tensor<3x2xf32>
func.func @chain(%g: !g, %h: !rgnn.feat<node, 4xf32>,
                 %a: !rgnn.feat<relation, 4x3xf32>, %b: tensor<3x2xf32>,
                 %c: tensor<2xf32>) -> !rgnn.feat<node, 4xf32> {
  %w = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 4x3xf32>, tensor<3x2xf32>) -> !rgnn.feat<relation, 4x2xf32>
  %v = rgnn.weight_product %w, %c : (!rgnn.feat<relation, 4x2xf32>, tensor<2xf32>) -> !rgnn.feat<relation, 4xf32>
  %ve = rgnn.gather %g, %v by relation : (!g, !rgnn.feat<relation, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a1 = rgnn.aggregate %g, %ve sum : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node, 4xf32>
  %y = rgnn.mul %a1, %h : (!rgnn.feat<node, 4xf32>, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return %y : !rgnn.feat<node, 4xf32>
}

// -----

// A max aggregation: the gradient goes to the edges whose value equals
// their pair's maximum (rgnn.equal), split evenly between ties (their
// count, an aggregate sum of the mask).
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @pair_max__grad1(
// CHECK-SAME: %[[G:[^:]*]]: !graph, %[[H:[^:]*]]: !rgnn.feat<node, 4xf32>, %[[DY:[^:]*]]: !rgnn.feat<node, 4xf32>)
// CHECK: %[[HS:.*]] = rgnn.gather %[[G]], %[[H]] by src
// CHECK: %[[M:.*]] = rgnn.aggregate %[[G]], %[[HS]] max : {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// CHECK: %[[DP:.*]] = rgnn.gather %[[G]], %[[DY]] by dst : {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// CHECK: %[[ME:.*]] = rgnn.gather %[[G]], %[[M]] by dst_rel : {{.*}} -> !rgnn.feat<edge, 4xf32>
// CHECK: %[[HIT:.*]] = rgnn.equal %[[HS]], %[[ME]]
// CHECK: %[[TIES:.*]] = rgnn.aggregate %[[G]], %[[HIT]] sum : {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// CHECK: %[[SHARE:.*]] = rgnn.div %[[DP]], %[[TIES]]
// CHECK: %[[SE:.*]] = rgnn.gather %[[G]], %[[SHARE]] by dst_rel
// CHECK: %[[DE:.*]] = rgnn.mul %[[SE]], %[[HIT]]
// CHECK: %[[DH:.*]] = rgnn.aggregate %[[G]], %[[DE]] sum to src
// CHECK: return %[[DH]]
func.func @pair_max(%g: !g, %h: !rgnn.feat<node, 4xf32>) -> !rgnn.feat<node, 4xf32> {
  %hs = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %p = rgnn.aggregate %g, %hs max : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  %a = rgnn.aggregate %g, %p sum : (!g, !rgnn.feat<dst_rel, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return %a : !rgnn.feat<node, 4xf32>
}

// -----

// Ops without a gradient rule are errors that name them.
!g = !rgnn.graph<node_types = 1, relations = 2>

func.func @merge(%g: !g, %x: !rgnn.feat<edge, 4x2xf32>) -> !rgnn.feat<edge, 4x2x2xf32> {
  // expected-error @+1 {{rgnn-autodiff: no gradient rule for 'rgnn.outer_product' yet}}
  %o = rgnn.outer_product %x, %x
      : (!rgnn.feat<edge, 4x2xf32>, !rgnn.feat<edge, 4x2xf32>) -> !rgnn.feat<edge, 4x2x2xf32>
  return %o : !rgnn.feat<edge, 4x2x2xf32>
}

// -----

// An op with several results (split) has no rule yet: an error, not a
// gradient that silently drops what flowed into its results.
!g = !rgnn.graph<node_types = 1, relations = 2>

func.func @halves(%g: !g, %x: !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 2xf32> {
  // expected-error @+1 {{rgnn-autodiff: no gradient rule for 'rgnn.split' yet}}
  %a:2 = rgnn.split %x dim = 0
      : (!rgnn.feat<edge, 4xf32>) -> (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2xf32>)
  return %a#1 : !rgnn.feat<edge, 2xf32>
}
