// RUN: hector-opt %s -convert-rgnn-to-hetop -split-input-file -verify-diagnostics

// Functions the CPU lowering cannot compile get a diagnostic, not a crash.

!g = !rgnn.graph<node_types = 1, relations = 2>
// expected-error @+1 {{a compiled rgnn function returns at least one value}}
func.func @no_result(%g: !g, %h: !rgnn.feat<node, 8xf32>) {
  return
}

// -----

// expected-error @+1 {{a compiled rgnn function takes a graph}}
func.func @no_graph(%h: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32> {
  return %h : !rgnn.feat<node, 8xf32>
}

// -----

!g = !rgnn.graph<node_types = 1, relations = 2>
// expected-error @+1 {{ABI version 1 supports one graph argument}}
func.func @two_graphs(%g: !g, %k: !g, %h: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32> {
  return %h : !rgnn.feat<node, 8xf32>
}

// -----

!g = !rgnn.graph<node_types = 1, relations = 2>
func.func @non_splat(%g: !g, %h: !rgnn.feat<node, 2xf32>) -> !rgnn.feat<node, 2xf32> {
  // expected-error @+1 {{the CPU lowering supports splat tensor constants only}}
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %x = rgnn.add %h, %c : (!rgnn.feat<node, 2xf32>, tensor<2xf32>) -> !rgnn.feat<node, 2xf32>
  return %x : !rgnn.feat<node, 2xf32>
}

// -----

// A per-element input of rank 3 times a weight is not in the CPU GEMM's
// shapes.
!g = !rgnn.graph<node_types = 1, relations = 2>
func.func @rank3(%g: !g, %h: !rgnn.feat<edge, 2x3x8xf32>, %w: tensor<8x4xf32>) -> !rgnn.feat<edge, 2x3x4xf32> {
  // expected-error @+1 {{the CPU lowering supports per-element inputs [K] or [H, K] with weights [K, N] or [H, K, N], got '2x3x8' and '8x4'}}
  %y = rgnn.linear %h, %w : (!rgnn.feat<edge, 2x3x8xf32>, tensor<8x4xf32>) -> !rgnn.feat<edge, 2x3x4xf32>
  return %y : !rgnn.feat<edge, 2x3x4xf32>
}
