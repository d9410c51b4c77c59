// RUN: hector-opt %s --rgnn-autodiff="forward-values=saved" --canonicalize --cse | FileCheck %s
// RUN: hector-opt %s --rgnn-autodiff="forward-values=saved wrt=2,3 gradients=both" --canonicalize --cse | FileCheck %s --check-prefix=WRT
// RUN: hector-opt %s --rgnn-autodiff | FileCheck %s --check-prefix=RECOMPUTE
// RUN: not hector-opt %s --rgnn-autodiff="forward-values=kept" 2>&1 | FileCheck %s --check-prefix=BAD

// rgnn-autodiff's forward-values=saved on an attention layer: @att__forward
// also returns what the backward reads and is cheap to keep (the score
// before the leaky ReLU, the attention weights, the GELU's node input), and
// the backward takes them instead of recomputing the score, the softmax and
// the aggregation. The per-edge message (32 elements per edge) is wider
// than 16 and is recomputed: compaction still applies to it.

// CHECK-LABEL: func.func @att(
// CHECK-LABEL: func.func @att__forward(
// CHECK-SAME: -> (!rgnn.feat<node, 32xf32>, !rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2xf32>, !rgnn.feat<node, 32xf32>)
// CHECK-SAME: rgnn.forward_of = "att", rgnn.saved = 3
// CHECK: %[[S:.*]] = rgnn.inner_product
// CHECK: %[[ACT:.*]] = rgnn.leaky_relu %[[S]]
// CHECK: %[[ALPHA:.*]] = rgnn.edge_softmax %{{.*}}, %[[ACT]]
// CHECK: %[[FLAT:.*]] = rgnn.reshape
// CHECK: %[[OUT:.*]] = rgnn.gelu %[[FLAT]]
// CHECK: return %[[OUT]], %[[S]], %[[ALPHA]], %[[FLAT]]

// CHECK-LABEL: func.func @att__backward(
// CHECK-SAME: %[[H:[^:]*]]: !rgnn.feat<node, 8xf32>, %[[W:[^:]*]]: !rgnn.feat<relation, 2x8x16xf32>, %{{[^:]*}}: !rgnn.feat<relation, 2x16xf32>, %[[SS:[^:]*]]: !rgnn.feat<edge, 2xf32>, %[[SALPHA:[^:]*]]: !rgnn.feat<edge, 2xf32>, %[[SFLAT:[^:]*]]: !rgnn.feat<node, 32xf32>, %[[DY:[^:]*]]: !rgnn.feat<node, 32xf32>)
// CHECK-SAME: rgnn.forward_values = "saved"
// CHECK-SAME: rgnn.saved_from = "att__forward"
// CHECK-NOT: rgnn.edge_softmax
// CHECK-NOT: rgnn.leaky_relu
// CHECK-NOT: rgnn.gelu
// CHECK: rgnn.typed_linear %{{.*}}, %[[H]], %[[W]] by relation on src
// CHECK: rgnn.activation_grad gelu %[[SFLAT]], %[[DY]]
// CHECK: rgnn.scale %[[SALPHA]]
// CHECK: rgnn.activation_grad leaky_relu %[[SS]]
// CHECK-NOT: rgnn.edge_softmax
// CHECK: return

// The saved values are those of every float argument's gradient whatever
// wrt= asks, so one @att__forward serves every backward, and every backward
// (per argument too) takes them all, whether it reads them or not.
// WRT-LABEL: func.func @att__forward(
// WRT-SAME: rgnn.saved = 3
// WRT-LABEL: func.func @att__grad2(
// WRT-SAME: !rgnn.feat<edge, 2xf32>, %{{[^:]*}}: !rgnn.feat<edge, 2xf32>, %{{[^:]*}}: !rgnn.feat<node, 32xf32>, %{{[^:]*}}: !rgnn.feat<node, 32xf32>) -> !rgnn.feat<relation, 2x8x16xf32>
// WRT-SAME: rgnn.forward_values = "saved"
// WRT-LABEL: func.func @att__grad3(
// WRT-SAME: rgnn.forward_values = "saved"
// WRT-LABEL: func.func @att__backward(
// WRT-SAME: -> (!rgnn.feat<relation, 2x8x16xf32>, !rgnn.feat<relation, 2x16xf32>)
// WRT-SAME: rgnn.forward_values = "saved"
// WRT-NOT: rgnn.edge_softmax

// The default recomputes: no @att__forward.
// RECOMPUTE-NOT: @att__forward
// RECOMPUTE: func.func @att__backward(
// RECOMPUTE-SAME: rgnn.forward_values = "recomputed"
// RECOMPUTE: rgnn.edge_softmax

// BAD: error: rgnn-autodiff: unknown forward-values 'kept'; expected recomputed or saved

!g = !rgnn.graph<node_types = 1, relations = 3>

func.func @att(%g: !g, %h: !rgnn.feat<node, 8xf32>,
               %w: !rgnn.feat<relation, 2x8x16xf32>,
               %a: !rgnn.feat<relation, 2x16xf32>) -> !rgnn.feat<node, 32xf32> {
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 2x8x16xf32>) -> !rgnn.feat<edge, 2x16xf32>
  %ae = rgnn.gather %g, %a by relation
      : (!g, !rgnn.feat<relation, 2x16xf32>) -> !rgnn.feat<edge, 2x16xf32>
  %s = rgnn.inner_product %z, %ae
      : (!rgnn.feat<edge, 2x16xf32>, !rgnn.feat<edge, 2x16xf32>) -> !rgnn.feat<edge, 2xf32>
  %act = rgnn.leaky_relu %s {alpha = 2.000000e-01 : f64} : !rgnn.feat<edge, 2xf32>
  %alpha = rgnn.edge_softmax %g, %act : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %msg = rgnn.scale %alpha, %z
      : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x16xf32>) -> !rgnn.feat<edge, 2x16xf32>
  %agg = rgnn.aggregate %g, %msg sum : (!g, !rgnn.feat<edge, 2x16xf32>) -> !rgnn.feat<node, 2x16xf32>
  %flat = rgnn.reshape %agg : !rgnn.feat<node, 2x16xf32> -> !rgnn.feat<node, 32xf32>
  %out = rgnn.gelu %flat : !rgnn.feat<node, 32xf32>
  return %out : !rgnn.feat<node, 32xf32>
}
