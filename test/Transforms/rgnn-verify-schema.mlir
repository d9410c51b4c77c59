// RUN: hector-opt %s -rgnn-verify-schema -split-input-file -verify-diagnostics | FileCheck %s

// One graph: nothing to report, and the IR is unchanged.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @one_graph
// CHECK: rgnn.aggregate
func.func @one_graph(%g: !g, %h: !rgnn.feat<node, 8xf32>,
                     %w: !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<node, 8xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  %a = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<node, 8xf32>
  return %a : !rgnn.feat<node, 8xf32>
}

// -----

// Two graphs of the same schema are fine as long as values do not cross.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @two_graphs_apart
func.func @two_graphs_apart(%g1: !g, %g2: !g, %h: !rgnn.feat<node, 8xf32>)
    -> (!rgnn.feat<edge, 8xf32>, !rgnn.feat<edge, 8xf32>) {
  %a = rgnn.gather %g1, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %b = rgnn.gather %g2, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return %a, %b : !rgnn.feat<edge, 8xf32>, !rgnn.feat<edge, 8xf32>
}

// -----

// An edge value of one graph aggregated over another graph's edges.
!g = !rgnn.graph<node_types = 1, relations = 2>
// The notes point at the two graph arguments.
// expected-note @+2 {{that operand's graph}}
// expected-note @+1 {{the op's graph}}
func.func @crossed(%g1: !g, %g2: !g, %h: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32> {
  %a = rgnn.gather %g1, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  // Elementwise ops carry the graph of their operands along.
  %b = rgnn.exp %a : !rgnn.feat<edge, 8xf32>
  // expected-error @+1 {{operand #1 was computed on a different graph than the op's other operands}}
  %c = rgnn.aggregate %g2, %b sum : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<node, 8xf32>
  return %c : !rgnn.feat<node, 8xf32>
}

// -----

// Two edge values of different graphs meet in an elementwise op.
!g = !rgnn.graph<node_types = 1, relations = 2>
// expected-note @+2 {{that operand's graph}}
// expected-note @+1 {{the op's graph}}
func.func @mixed_add(%g1: !g, %g2: !g, %h: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32> {
  %a = rgnn.gather %g1, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %b = rgnn.gather %g2, %h by dst : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  // expected-error @+1 {{operand #1 was computed on a different graph than the op's other operands}}
  %c = rgnn.add %a, %b : (!rgnn.feat<edge, 8xf32>, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  return %c : !rgnn.feat<edge, 8xf32>
}
