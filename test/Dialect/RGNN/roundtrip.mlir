// RUN: hector-opt %s | hector-opt | FileCheck %s
// RUN: hector-opt %s --mlir-print-op-generic | hector-opt | FileCheck %s
// RUN: hector-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Every rgnn op and type, in custom form; the second RUN line goes through
// the generic form and back.

// CHECK: !graph = !rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
// CHECK: !graph1 = !rgnn.graph<node_types = 1, relations = 4>
!g = !rgnn.graph<node_types = 2, relations = 3,
                 triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>
!k = !rgnn.graph<node_types = 1, relations = 4>

// CHECK-LABEL: func.func @domains
// CHECK-SAME: !rgnn.feat<node, 64xf32>
// CHECK-SAME: !rgnn.feat<node[1], 128xf32>
// CHECK-SAME: !rgnn.feat<edge, f32>
// CHECK-SAME: !rgnn.feat<src_rel, 4x16xf16>
// CHECK-SAME: !rgnn.feat<dst_rel, 8xbf16>
// CHECK-SAME: !rgnn.feat<relation, 64x64xf32>
// CHECK-SAME: !rgnn.feat<node_type, f64>
func.func @domains(%a: !rgnn.feat<node, 64xf32>, %b: !rgnn.feat<node[1], 128xf32>,
                   %c: !rgnn.feat<edge, f32>, %d: !rgnn.feat<src_rel, 4x16xf16>,
                   %e: !rgnn.feat<dst_rel, 8xbf16>,
                   %f: !rgnn.feat<relation, 64x64xf32>,
                   %h: !rgnn.feat<node_type, f64>) {
  return
}

// CHECK-LABEL: func.func @gathers
func.func @gathers(%g: !g, %h: !rgnn.feat<node, 8xf32>,
                   %r: !rgnn.feat<relation, 8xf32>,
                   %t: !rgnn.feat<node_type, 8xf32>,
                   %cs: !rgnn.feat<src_rel, 8xf32>,
                   %cd: !rgnn.feat<dst_rel, 8xf32>) {
  // CHECK: rgnn.gather %{{.*}} by src : (!graph, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %0 = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by src : (!graph, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<src_rel, 8xf32>
  %1 = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<src_rel, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by dst : (!graph, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  %2 = rgnn.gather %g, %h by dst : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by relation : (!graph, !rgnn.feat<relation, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %3 = rgnn.gather %g, %r by relation : (!g, !rgnn.feat<relation, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by node_type : (!graph, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<node, 8xf32>
  %4 = rgnn.gather %g, %t by node_type : (!g, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<node, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by src_rel : (!graph, !rgnn.feat<src_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %5 = rgnn.gather %g, %cs by src_rel : (!g, !rgnn.feat<src_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by dst_rel : (!graph, !rgnn.feat<dst_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %6 = rgnn.gather %g, %cd by dst_rel : (!g, !rgnn.feat<dst_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by src_type : (!graph, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<relation, 8xf32>
  %7 = rgnn.gather %g, %t by src_type : (!g, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<relation, 8xf32>
  // CHECK: rgnn.gather %{{.*}} by dst_type : (!graph, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<relation, 8xf32>
  %8 = rgnn.gather %g, %t by dst_type : (!g, !rgnn.feat<node_type, 8xf32>) -> !rgnn.feat<relation, 8xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%g: !k, %m: !rgnn.feat<edge, 4x16xf32>,
                      %n: !rgnn.feat<node, 16xf32>,
                      %s: !rgnn.feat<src_rel, 4x16xf32>) {
  // CHECK: rgnn.aggregate %{{.*}} sum : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %0 = rgnn.aggregate %g, %m sum : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  // CHECK: rgnn.aggregate %{{.*}} mean : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<dst_rel, 4x16xf32>
  %1 = rgnn.aggregate %g, %m mean to dst : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<dst_rel, 4x16xf32>
  // Only the edges of relations whose choice is 1 (a split by relation).
  // CHECK: rgnn.aggregate %{{.*}} sum choice 1 : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %c = rgnn.aggregate %g, %m sum choice 1 : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  // CHECK: rgnn.aggregate %{{.*}} sum : (!graph1, !rgnn.feat<dst_rel, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %2 = rgnn.aggregate %g, %1 sum : (!k, !rgnn.feat<dst_rel, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  // The elementwise maximum per (destination, relation) pair.
  // CHECK: rgnn.aggregate %{{.*}} max : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<dst_rel, 4x16xf32>
  %mx = rgnn.aggregate %g, %m max : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<dst_rel, 4x16xf32>
  // CHECK: rgnn.equal %{{.*}}, %{{.*}} : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  %eq = rgnn.equal %m, %m : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  // CHECK: rgnn.aggregate %{{.*}} sum to src : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %3 = rgnn.aggregate %g, %m sum to src : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  // CHECK: rgnn.aggregate %{{.*}} mean to src : (!graph1, !rgnn.feat<src_rel, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %4 = rgnn.aggregate %g, %s mean to src : (!k, !rgnn.feat<src_rel, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  // CHECK: rgnn.edge_softmax %{{.*}} : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  %5 = rgnn.edge_softmax %g, %m : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  // CHECK: rgnn.relation_sum %{{.*}} : (!graph1, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<relation, 4x16xf32>
  %6 = rgnn.relation_sum %g, %m : (!k, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<relation, 4x16xf32>
  // CHECK: rgnn.node_type_sum %{{.*}} : (!graph1, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<node_type, 16xf32>
  %7 = rgnn.node_type_sum %g, %n : (!k, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<node_type, 16xf32>
  // CHECK: rgnn.degree %{{.*}} from edge : (!graph1) -> !rgnn.feat<dst_rel, f32>
  %8 = rgnn.degree %g from edge : (!k) -> !rgnn.feat<dst_rel, f32>
  // CHECK: rgnn.degree %{{.*}} from src_rel to src : (!graph1) -> !rgnn.feat<node, f32>
  %9 = rgnn.degree %g from src_rel to src : (!k) -> !rgnn.feat<node, f32>
  // CHECK: rgnn.domain_sum %{{.*}} : <node, 16xf32> -> tensor<16xf32>
  %10 = rgnn.domain_sum %n : !rgnn.feat<node, 16xf32> -> tensor<16xf32>
  // CHECK: rgnn.activation_grad leaky_relu %{{.*}}, %{{.*}} {alpha = 2.000000e-01 : f64} : !rgnn.feat<node, 16xf32>
  %11 = rgnn.activation_grad leaky_relu %n, %n {alpha = 0.2 : f64} : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.activation_grad gelu %{{.*}}, %{{.*}} : !rgnn.feat<node, 16xf32>
  %12 = rgnn.activation_grad gelu %n, %n : !rgnn.feat<node, 16xf32>
  return
}

// CHECK-LABEL: func.func @merge
func.func @merge(%g: !g, %p: !rgnn.feat<node[0], 32xf32>,
                 %a: !rgnn.feat<node[1], 32xf32>) -> !rgnn.feat<node, 32xf32> {
  // CHECK: rgnn.merge_node_types %{{.*}}, %{{.*}}, %{{.*}} : (!graph, !rgnn.feat<node[0], 32xf32>, !rgnn.feat<node[1], 32xf32>) -> !rgnn.feat<node, 32xf32>
  %0 = rgnn.merge_node_types %g, %p, %a
      : (!g, !rgnn.feat<node[0], 32xf32>, !rgnn.feat<node[1], 32xf32>) -> !rgnn.feat<node, 32xf32>
  return %0 : !rgnn.feat<node, 32xf32>
}

// CHECK-LABEL: func.func @linears
func.func @linears(%g: !g, %h: !rgnn.feat<node, 64xf32>,
                   %hh: !rgnn.feat<node, 4x16xf32>,
                   %e: !rgnn.feat<edge, 64xf32>,
                   %wr: !rgnn.feat<relation, 64x32xf32>,
                   %wt: !rgnn.feat<node_type, 64x32xf32>,
                   %wh: !rgnn.feat<relation, 4x16x8xf32>,
                   %wb: !rgnn.feat<relation, 4x64x8xf32>,
                   %ws: tensor<64x32xf32>) {
  // CHECK: rgnn.typed_linear %{{.*}} by relation on src : {{.*}} -> !rgnn.feat<edge, 32xf32>
  %0 = rgnn.typed_linear %g, %h, %wr by relation on src
      : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  // CHECK: rgnn.typed_linear %{{.*}} by relation on src : {{.*}} -> !rgnn.feat<src_rel, 32xf32>
  %1 = rgnn.typed_linear %g, %h, %wr by relation on src
      : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<src_rel, 32xf32>
  // CHECK: rgnn.typed_linear %{{.*}} by relation on src choice 0 : {{.*}} -> !rgnn.feat<src_rel, 32xf32>
  %c = rgnn.typed_linear %g, %h, %wr by relation on src choice 0
      : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<src_rel, 32xf32>
  // CHECK: rgnn.typed_linear %{{.*}} by relation on dst : {{.*}} -> !rgnn.feat<dst_rel, 32xf32>
  %2 = rgnn.typed_linear %g, %h, %wr by relation on dst
      : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<dst_rel, 32xf32>
  // The default endpoint (self) is not printed.
  // CHECK: rgnn.typed_linear %{{.*}} by relation : (!graph, !rgnn.feat<edge, 64xf32>
  %3 = rgnn.typed_linear %g, %e, %wr by relation on self
      : (!g, !rgnn.feat<edge, 64xf32>, !rgnn.feat<relation, 64x32xf32>) -> !rgnn.feat<edge, 32xf32>
  // CHECK: rgnn.typed_linear %{{.*}} by node_type : {{.*}} -> !rgnn.feat<node, 32xf32>
  %4 = rgnn.typed_linear %g, %h, %wt by node_type
      : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<node_type, 64x32xf32>) -> !rgnn.feat<node, 32xf32>
  // Multi-head: per-head inputs, and one input broadcast to every head.
  // CHECK: rgnn.typed_linear {{.*}} -> !rgnn.feat<edge, 4x8xf32>
  %5 = rgnn.typed_linear %g, %hh, %wh by relation on src
      : (!g, !rgnn.feat<node, 4x16xf32>, !rgnn.feat<relation, 4x16x8xf32>) -> !rgnn.feat<edge, 4x8xf32>
  // CHECK: rgnn.typed_linear {{.*}} -> !rgnn.feat<edge, 4x8xf32>
  %6 = rgnn.typed_linear %g, %h, %wb by relation on dst
      : (!g, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 4x64x8xf32>) -> !rgnn.feat<edge, 4x8xf32>
  // CHECK: rgnn.linear %{{.*}} : (!rgnn.feat<node, 64xf32>, tensor<64x32xf32>) -> !rgnn.feat<node, 32xf32>
  %7 = rgnn.linear %h, %ws : (!rgnn.feat<node, 64xf32>, tensor<64x32xf32>) -> !rgnn.feat<node, 32xf32>
  return
}

// CHECK-LABEL: func.func @weight_products
func.func @weight_products(%a: !rgnn.feat<relation, 64x32xf32>,
                           %b: !rgnn.feat<relation, 32x16xf32>,
                           %v: !rgnn.feat<relation, 32xf32>,
                           %s: tensor<32x16xf32>,
                           %hw: !rgnn.feat<relation, 4x16x8xf32>,
                           %ha: !rgnn.feat<relation, 4x8xf32>,
                           %coeff: !rgnn.feat<relation, 3xf32>,
                           %bases: tensor<3x64x32xf32>,
                           %t: tensor<64x32xf32>) {
  // CHECK: rgnn.weight_product {{.*}} -> !rgnn.feat<relation, 64x16xf32>
  %0 = rgnn.weight_product %a, %b : (!rgnn.feat<relation, 64x32xf32>, !rgnn.feat<relation, 32x16xf32>) -> !rgnn.feat<relation, 64x16xf32>
  // CHECK: rgnn.weight_product {{.*}} -> !rgnn.feat<relation, 64xf32>
  %1 = rgnn.weight_product %a, %v : (!rgnn.feat<relation, 64x32xf32>, !rgnn.feat<relation, 32xf32>) -> !rgnn.feat<relation, 64xf32>
  // CHECK: rgnn.weight_product {{.*}} -> !rgnn.feat<relation, 64x16xf32>
  %2 = rgnn.weight_product %a, %s : (!rgnn.feat<relation, 64x32xf32>, tensor<32x16xf32>) -> !rgnn.feat<relation, 64x16xf32>
  // CHECK: rgnn.weight_product {{.*}} -> !rgnn.feat<relation, 4x16xf32>
  %3 = rgnn.weight_product %hw, %ha : (!rgnn.feat<relation, 4x16x8xf32>, !rgnn.feat<relation, 4x8xf32>) -> !rgnn.feat<relation, 4x16xf32>
  // CHECK: rgnn.weight_product {{.*}} -> !rgnn.feat<relation, 64x32xf32>
  %4 = rgnn.weight_product %coeff, %bases : (!rgnn.feat<relation, 3xf32>, tensor<3x64x32xf32>) -> !rgnn.feat<relation, 64x32xf32>
  // CHECK: rgnn.weight_product {{.*}} -> tensor<64x16xf32>
  %5 = rgnn.weight_product %t, %s : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
  return
}

// CHECK-LABEL: func.func @edge_math
func.func @edge_math(%x: !rgnn.feat<edge, 4x16xf32>, %y: !rgnn.feat<edge, 4x16xf32>,
                     %a: tensor<4x16xf32>, %s: !rgnn.feat<edge, 4xf32>,
                     %u: !rgnn.feat<edge, 8xf32>) {
  // CHECK: rgnn.inner_product {{.*}} -> !rgnn.feat<edge, 4xf32>
  %0 = rgnn.inner_product %x, %y : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4xf32>
  // CHECK: rgnn.inner_product {{.*}} tensor<4x16xf32>) -> !rgnn.feat<edge, 4xf32>
  %1 = rgnn.inner_product %x, %a : (!rgnn.feat<edge, 4x16xf32>, tensor<4x16xf32>) -> !rgnn.feat<edge, 4xf32>
  // CHECK: rgnn.outer_product {{.*}} -> !rgnn.feat<edge, 4x16x16xf32>
  %2 = rgnn.outer_product %x, %y : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16x16xf32>
  // CHECK: rgnn.scale {{.*}} -> !rgnn.feat<edge, 4x16xf32>
  %3 = rgnn.scale %s, %x : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: !rgnn.feat<node, 16xf32>, %y: !rgnn.feat<node, 16xf32>,
                       %b: tensor<16xf32>, %c: tensor<f32>) {
  // CHECK: rgnn.exp %{{.*}} : !rgnn.feat<node, 16xf32>
  %0 = rgnn.exp %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.tanh
  %1 = rgnn.tanh %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.sigmoid
  %2 = rgnn.sigmoid %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.gelu
  %3 = rgnn.gelu %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.relu
  %4 = rgnn.relu %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.neg
  %5 = rgnn.neg %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f64} : !rgnn.feat<node, 16xf32>
  %6 = rgnn.leaky_relu %x {alpha = 0.2} : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.leaky_relu %{{.*}} : !rgnn.feat<node, 16xf32>
  %7 = rgnn.leaky_relu %x : !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.add {{.*}} (!rgnn.feat<node, 16xf32>, !rgnn.feat<node, 16xf32>)
  %8 = rgnn.add %x, %y : (!rgnn.feat<node, 16xf32>, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.sub {{.*}} (!rgnn.feat<node, 16xf32>, tensor<16xf32>)
  %9 = rgnn.sub %x, %b : (!rgnn.feat<node, 16xf32>, tensor<16xf32>) -> !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.mul {{.*}} (tensor<f32>, !rgnn.feat<node, 16xf32>)
  %10 = rgnn.mul %c, %x : (tensor<f32>, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<node, 16xf32>
  // CHECK: rgnn.div
  %11 = rgnn.div %x, %y : (!rgnn.feat<node, 16xf32>, !rgnn.feat<node, 16xf32>) -> !rgnn.feat<node, 16xf32>
  return
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: !rgnn.feat<edge, 4x16xf32>, %y: !rgnn.feat<edge, 4x8xf32>,
                  %w: tensor<64x32xf32>) {
  // CHECK: rgnn.concat %{{.*}}, %{{.*}} dim = 1 : {{.*}} -> !rgnn.feat<edge, 4x24xf32>
  %0 = rgnn.concat %x, %y dim = 1 : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x8xf32>) -> !rgnn.feat<edge, 4x24xf32>
  // CHECK: rgnn.split %{{.*}} dim = 1 : (!rgnn.feat<edge, 4x24xf32>) -> (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x8xf32>)
  %1:2 = rgnn.split %0 dim = 1 : (!rgnn.feat<edge, 4x24xf32>) -> (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x8xf32>)
  // CHECK: rgnn.transpose %{{.*}} [1, 0] : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 16x4xf32>
  %2 = rgnn.transpose %x [1, 0] : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 16x4xf32>
  // CHECK: rgnn.transpose %{{.*}} [1, 0] : tensor<64x32xf32> -> tensor<32x64xf32>
  %3 = rgnn.transpose %w [1, 0] : tensor<64x32xf32> -> tensor<32x64xf32>
  // CHECK: rgnn.reshape %{{.*}} : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 64xf32>
  %4 = rgnn.reshape %x : !rgnn.feat<edge, 4x16xf32> -> !rgnn.feat<edge, 64xf32>
  return
}

// GENERIC: "rgnn.aggregate"(%{{.*}}, %{{.*}}) <{reduction = 1 : i32, to = 2 : i32}>
// GENERIC: "rgnn.typed_linear"(%{{.*}}, %{{.*}}, %{{.*}}) <{by = 0 : i32, on = 1 : i32}>
// GENERIC: "rgnn.typed_linear"(%{{.*}}, %{{.*}}, %{{.*}}) <{by = 0 : i32, choice = 0 : i64, on = 1 : i32}>
