// RUN: hector-opt %s --rgnn-autodiff="wrt=2,3,4" --canonicalize --cse | FileCheck %s
// RUN: hector-opt %s --rgnn-autodiff="gradients=per-argument wrt=4,1" --canonicalize | FileCheck %s --check-prefix=PER
// RUN: not hector-opt %s --rgnn-autodiff="wrt=0,2" 2>&1 | FileCheck %s --check-prefix=BAD

// rgnn-autodiff's wrt option: the gradients of some float arguments only,
// here the weights of an RGCN layer whose input features need none (a
// first layer). The input gradient's work (the typed linear by the
// transposed weights, the root weight's transpose, their sum) is left out;
// the weight gradient keeps the aggregation back to the sources.

// CHECK-LABEL: func.func @rgcn__backward(
// CHECK-SAME: %[[G:.*]]: !graph, %{{.*}}: !rgnn.feat<node, 4xf32>, %{{.*}}: !rgnn.feat<relation, 4x2xf32>, %{{.*}}: tensor<4x2xf32>, %{{.*}}: tensor<2xf32>, %[[DY:.*]]: !rgnn.feat<node, 2xf32>) -> (!rgnn.feat<relation, 4x2xf32>, tensor<4x2xf32>, tensor<2xf32>)
// CHECK-SAME: rgnn.wrt = array<i64: 2, 3, 4>
// CHECK-NOT: rgnn.typed_linear
// CHECK-NOT: rgnn.transpose
// CHECK-DAG: %[[DB:.*]] = rgnn.domain_sum %[[DY]] : <node, 2xf32> -> tensor<2xf32>
// CHECK-DAG: %[[CP:.*]] = rgnn.aggregate %[[G]], %{{.*}} sum to src
// CHECK-DAG: %[[O:.*]] = rgnn.outer_product %{{.*}}, %[[CP]]
// CHECK-DAG: %[[DW:.*]] = rgnn.relation_sum %[[G]], %[[O]]
// CHECK-DAG: %[[DWR:.*]] = rgnn.domain_sum %{{.*}} : <node, 4x2xf32> -> tensor<4x2xf32>
// CHECK-NOT: rgnn.typed_linear
// CHECK: return %[[DW]], %[[DWR]], %[[DB]]

// Per argument, in argument order whatever the order asked.
// PER-NOT: @rgcn__grad2
// PER-NOT: @rgcn__grad3
// PER: func.func @rgcn__grad1(
// PER-SAME: rgnn.wrt = 1
// PER-NOT: @rgcn__grad2
// PER-NOT: @rgcn__grad3
// PER: func.func @rgcn__grad4(
// PER-SAME: rgnn.wrt = 4
// PER-NOT: @rgcn__backward

// BAD: error: rgnn-autodiff: wrt=0 is not a float argument of @rgcn (its float arguments are 1, 2, 3, 4)

!g = !rgnn.graph<node_types = 1, relations = 3>

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
