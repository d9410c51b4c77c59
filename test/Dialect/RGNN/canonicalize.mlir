// RUN: hector-opt %s -canonicalize -split-input-file | FileCheck %s

// Folds and canonicalizations of rgnn ops, with cases where they must not
// fire.

!g = !rgnn.graph<node_types = 1, relations = 4>

// CHECK-LABEL: func.func @double_neg
// CHECK-SAME: (%[[X:.*]]: !rgnn.feat<node, 8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @double_neg(%x: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32> {
  %0 = rgnn.neg %x : !rgnn.feat<node, 8xf32>
  %1 = rgnn.neg %0 : !rgnn.feat<node, 8xf32>
  return %1 : !rgnn.feat<node, 8xf32>
}

// CHECK-LABEL: func.func @double_relu
// CHECK-NEXT: %[[R:.*]] = rgnn.relu
// CHECK-NEXT: return %[[R]]
func.func @double_relu(%x: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32> {
  %0 = rgnn.relu %x : !rgnn.feat<node, 8xf32>
  %1 = rgnn.relu %0 : !rgnn.feat<node, 8xf32>
  return %1 : !rgnn.feat<node, 8xf32>
}

// A single neg is kept.
// CHECK-LABEL: func.func @single_neg
// CHECK: rgnn.neg
func.func @single_neg(%x: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32> {
  %0 = rgnn.neg %x : !rgnn.feat<node, 8xf32>
  return %0 : !rgnn.feat<node, 8xf32>
}

// CHECK-LABEL: func.func @transposes
// CHECK-SAME: (%[[X:.*]]: !rgnn.feat<edge, 2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = rgnn.transpose %[[X]] [2, 0, 1]
// CHECK-NEXT: return %[[X]], %[[X]], %[[T]]
func.func @transposes(%x: !rgnn.feat<edge, 2x3x4xf32>)
    -> (!rgnn.feat<edge, 2x3x4xf32>, !rgnn.feat<edge, 2x3x4xf32>, !rgnn.feat<edge, 4x2x3xf32>) {
  %id = rgnn.transpose %x [0, 1, 2] : !rgnn.feat<edge, 2x3x4xf32> -> !rgnn.feat<edge, 2x3x4xf32>
  %a = rgnn.transpose %x [1, 2, 0] : !rgnn.feat<edge, 2x3x4xf32> -> !rgnn.feat<edge, 3x4x2xf32>
  %b = rgnn.transpose %a [2, 0, 1] : !rgnn.feat<edge, 3x4x2xf32> -> !rgnn.feat<edge, 2x3x4xf32>
  // Not an inverse pair: stays.
  %c = rgnn.transpose %x [2, 0, 1] : !rgnn.feat<edge, 2x3x4xf32> -> !rgnn.feat<edge, 4x2x3xf32>
  return %id, %b, %c : !rgnn.feat<edge, 2x3x4xf32>, !rgnn.feat<edge, 2x3x4xf32>, !rgnn.feat<edge, 4x2x3xf32>
}

// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: (%[[X:.*]]: !rgnn.feat<node, 64xf32>)
// CHECK-NEXT: %[[R:.*]] = rgnn.reshape %[[X]] : !rgnn.feat<node, 64xf32> -> !rgnn.feat<node, 8x8xf32>
// CHECK-NEXT: return %[[X]], %[[R]]
func.func @reshapes(%x: !rgnn.feat<node, 64xf32>)
    -> (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 8x8xf32>) {
  %a = rgnn.reshape %x : !rgnn.feat<node, 64xf32> -> !rgnn.feat<node, 4x16xf32>
  %b = rgnn.reshape %a : !rgnn.feat<node, 4x16xf32> -> !rgnn.feat<node, 64xf32>
  %c = rgnn.reshape %a : !rgnn.feat<node, 4x16xf32> -> !rgnn.feat<node, 8x8xf32>
  return %b, %c : !rgnn.feat<node, 64xf32>, !rgnn.feat<node, 8x8xf32>
}

// CHECK-LABEL: func.func @split_of_concat
// CHECK-SAME: (%[[A:.*]]: !rgnn.feat<edge, 4x16xf32>, %[[B:.*]]: !rgnn.feat<edge, 4x8xf32>)
// CHECK-NEXT: return %[[B]], %[[A]]
func.func @split_of_concat(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x8xf32>)
    -> (!rgnn.feat<edge, 4x8xf32>, !rgnn.feat<edge, 4x16xf32>) {
  %c = rgnn.concat %a, %b dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x8xf32>) -> !rgnn.feat<edge, 4x24xf32>
  %s:2 = rgnn.split %c dim = 1 : (!rgnn.feat<edge, 4x24xf32>) -> (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x8xf32>)
  return %s#1, %s#0 : !rgnn.feat<edge, 4x8xf32>, !rgnn.feat<edge, 4x16xf32>
}

// Pieces that do not line up with the concatenated inputs are kept.
// CHECK-LABEL: func.func @split_of_concat_mismatch
// CHECK: rgnn.concat
// CHECK: rgnn.split
func.func @split_of_concat_mismatch(%a: !rgnn.feat<edge, 4x16xf32>, %b: !rgnn.feat<edge, 4x8xf32>)
    -> (!rgnn.feat<edge, 4x12xf32>, !rgnn.feat<edge, 4x12xf32>) {
  %c = rgnn.concat %a, %b dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x8xf32>) -> !rgnn.feat<edge, 4x24xf32>
  %s:2 = rgnn.split %c dim = 1 : (!rgnn.feat<edge, 4x24xf32>) -> (!rgnn.feat<edge, 4x12xf32>, !rgnn.feat<edge, 4x12xf32>)
  return %s#0, %s#1 : !rgnn.feat<edge, 4x12xf32>, !rgnn.feat<edge, 4x12xf32>
}

// CHECK-LABEL: func.func @single_concat
// CHECK-SAME: (%[[A:.*]]: !rgnn.feat<edge, 4x16xf32>)
// CHECK-NEXT: return %[[A]]
func.func @single_concat(%a: !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32> {
  %c = rgnn.concat %a dim = 1 : (!rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return %c : !rgnn.feat<edge, 4x16xf32>
}

// A typed linear of a gathered endpoint reads the endpoint itself.
// CHECK-LABEL: func.func @endpoint_gather
// CHECK-SAME: (%[[G:.*]]: !graph, %[[H:.*]]: !rgnn.feat<node, 8xf32>, %[[W:.*]]: !rgnn.feat<relation, 8x4xf32>)
// CHECK-NEXT: %[[S:.*]] = rgnn.typed_linear %[[G]], %[[H]], %[[W]] by relation on src : {{.*}} -> !rgnn.feat<edge, 4xf32>
// CHECK-NEXT: %[[D:.*]] = rgnn.typed_linear %[[G]], %[[H]], %[[W]] by relation on dst : {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// CHECK-NEXT: return %[[S]], %[[D]]
func.func @endpoint_gather(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> (!rgnn.feat<edge, 4xf32>, !rgnn.feat<dst_rel, 4xf32>) {
  %hs = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %0 = rgnn.typed_linear %g, %hs, %w by relation : (!g, !rgnn.feat<edge, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %hd = rgnn.gather %g, %h by dst : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  %1 = rgnn.typed_linear %g, %hd, %w by relation : (!g, !rgnn.feat<dst_rel, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  return %0, %1 : !rgnn.feat<edge, 4xf32>, !rgnn.feat<dst_rel, 4xf32>
}

// A gather through the compact map is not an endpoint read: kept.
// CHECK-LABEL: func.func @compact_gather_kept
// CHECK: rgnn.gather
// CHECK: rgnn.typed_linear {{.*}} by relation :
func.func @compact_gather_kept(%g: !g, %c: !rgnn.feat<src_rel, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<edge, 4xf32> {
  %e = rgnn.gather %g, %c by src_rel : (!g, !rgnn.feat<src_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %0 = rgnn.typed_linear %g, %e, %w by relation : (!g, !rgnn.feat<edge, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  return %0 : !rgnn.feat<edge, 4xf32>
}
