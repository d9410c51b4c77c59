// RUN: hector-opt %s | hector-opt | FileCheck %s
// RUN: hector-opt %s --mlir-print-op-generic | hector-opt | FileCheck %s
// RUN: hector-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @gemm_plain
func.func @gemm_plain(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>,
                      %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // CHECK: hetop.typed_gemm ins(%{{.*}}, %{{.*}} : memref<?x64xf32>, memref<4x64x32xf32>) outs(%{{.*}} : memref<?x32xf32>) segments(%{{.*}} : memref<5xi64>)
  // CHECK-NOT: mode
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>)
      outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}

// Only the segments whose mask entry is 1 are computed (relations that
// chose to aggregate first, in a function split by relation).
// CHECK-LABEL: func.func @gemm_select
func.func @gemm_select(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>,
                       %c: memref<?x32xf32>, %off: memref<5xi64>,
                       %mask: memref<4xi32>) {
  // CHECK: hetop.typed_gemm ins({{.*}}) outs({{.*}}) segments(%{{.*}} : memref<5xi64>) select(%{{.*}} : memref<4xi32>, 1)
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>)
      outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
      select(%mask : memref<4xi32>, 1)
  return
}

// RGCN messages accumulated into destination nodes, with a pinned schedule.
// CHECK-LABEL: func.func @gemm_gather_scatter
func.func @gemm_gather_scatter(%h: memref<?x64xf32>, %w: memref<90x64x64xf32>,
                               %out: memref<?x64xf32>, %off: memref<91xi64>,
                               %src: memref<?xi32>, %dst: memref<?xi32>,
                               %norm: memref<?xf32>) {
  // CHECK: hetop.typed_gemm ins({{.*}}) outs({{.*}}) mode = atomic_add segments({{.*}}) gather(%{{.*}} : memref<?xi32>) scatter(%{{.*}} : memref<?xi32>) epilogue scale(%{{.*}} : memref<?xf32>) {schedule = #hetop.gemm_schedule<tile_m = 64, tile_n = 64, tile_k = 8, threads = 256>}
  hetop.typed_gemm ins(%h, %w : memref<?x64xf32>, memref<90x64x64xf32>)
      outs(%out : memref<?x64xf32>) mode = atomic_add
      segments(%off : memref<91xi64>)
      gather(%src : memref<?xi32>) scatter(%dst : memref<?xi32>)
      epilogue scale(%norm : memref<?xf32>)
      {schedule = #hetop.gemm_schedule<tile_m = 64, tile_n = 64, tile_k = 8, threads = 256>}
  return
}

// Multi-head projection with a fused attention-score epilogue, reading
// compact rows located by binary search, and a transposed B.
// CHECK-LABEL: func.func @gemm_heads_dot
func.func @gemm_heads_dot(%h: memref<?x4x16xf32>, %w: memref<8x4x16x16xf32>,
                          %z: memref<?x4x16xf32>, %off: memref<?xindex>,
                          %uniq: memref<?xindex>, %attn: memref<8x4x16xf32>,
                          %rel: memref<?xi32>, %score: memref<?x4xf32>) {
  // CHECK: hetop.typed_gemm ins({{.*}} : memref<?x4x16xf32>, memref<8x4x16x16xf32>) outs({{.*}} : memref<?x4x16xf32>) mode = accumulate segments({{.*}} : memref<?xindex>) gather({{.*}} : memref<?xindex>) epilogue dot(%{{.*}}, %{{.*}}, %{{.*}} : memref<8x4x16xf32>, memref<?xi32>, memref<?x4xf32>) {access = #hetop.access<binary_search>, transpose_b}
  hetop.typed_gemm ins(%h, %w : memref<?x4x16xf32>, memref<8x4x16x16xf32>)
      outs(%z : memref<?x4x16xf32>) mode = accumulate
      segments(%off : memref<?xindex>) gather(%uniq : memref<?xindex>)
      epilogue dot(%attn, %rel, %score : memref<8x4x16xf32>, memref<?xi32>, memref<?x4xf32>)
      {transpose_b, access = #hetop.access<binary_search>}
  return
}

// Node-parallel aggregation over the in-CSR: no atomics needed.
// CHECK-LABEL: func.func @traverse_node
func.func @traverse_node(%ptr: memref<?xi64>, %col: memref<?xi32>,
                         %eid: memref<?xi32>, %etype: memref<?xi32>,
                         %msg: memref<?x64xf32>, %out: memref<?x64xf32>) {
  // CHECK: hetop.traverse node_parallel over in csr(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) attributes {schedule = #hetop.traversal_schedule<threads = 256, lanes = 32>} {
  // CHECK-NEXT: ^bb0(%[[ROW:.*]]: index, %{{.*}}: index, %[[E:.*]]: index, %{{.*}}: index):
  // CHECK: hetop.accumulate %{{.*}}, %{{.*}}[%[[ROW]], %{{.*}}] : f32, memref<?x64xf32>
  // CHECK-NEXT: }
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %etype
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>)
      attributes {schedule = #hetop.traversal_schedule<threads = 256, lanes = 32>} {
  ^bb0(%row: index, %other: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %v = memref.load %msg[%e, %c0] : memref<?x64xf32>
    hetop.accumulate %v, %out[%row, %c0] : f32, memref<?x64xf32>
  }
  // A max aggregation: `max` combines by maximum instead of adding.
  // CHECK: hetop.accumulate max %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : f32, memref<?x64xf32>
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %etype
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %other: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %v = memref.load %msg[%e, %c0] : memref<?x64xf32>
    hetop.accumulate max %v, %out[%row, %c0] : f32, memref<?x64xf32>
  }
  return
}

// Edge-parallel over the out-CSR with the row read from a COO row list.
// CHECK-LABEL: func.func @traverse_edge
func.func @traverse_edge(%ptr: memref<?xi64>, %col: memref<?xi32>,
                         %eid: memref<?xi32>, %etype: memref<?xi32>,
                         %rows: memref<?xi32>, %out: memref<?xf32>) {
  // CHECK: hetop.traverse edge_parallel over out csr({{.*}}) rows(%{{.*}} : memref<?xi32>) attributes {access = #hetop.access<direct>}
  hetop.traverse edge_parallel over out csr(%ptr, %col, %eid, %etype
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>)
      rows(%rows : memref<?xi32>) attributes {access = #hetop.access<direct>} {
  ^bb0(%row: index, %other: index, %e: index, %r: index):
    %one = arith.constant 1.0 : f32
    hetop.accumulate %one, %out[%other] : f32, memref<?xf32>
  }
  // Binary search is the default without a row list.
  // CHECK: hetop.traverse edge_parallel over in csr
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %etype
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %other: index, %e: index, %r: index):
    %one = arith.constant 1.0 : f32
    hetop.accumulate %one, %out[%row] : f32, memref<?xf32>
  }
  return
}

// GENERIC: "hetop.typed_gemm"{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0>
// GENERIC: "hetop.typed_gemm"{{.*}}mask_value = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 1, 0>
// GENERIC: "hetop.typed_gemm"{{.*}}c_mode = 2 : i32, epilogue = 1 : i32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 1>
// GENERIC: "hetop.traverse"
// GENERIC: "hetop.yield"() : () -> ()

// Weight gradients: per-relation sums of outer products over the edges of
// each relation (rows lists them), A read at the edges' sources; and a
// shared weight's, over every row, with a head dimension.
// CHECK-LABEL: func.func @outer_gemm_segments
func.func @outer_gemm_segments(%h: memref<?x64xf32>, %d: memref<?x32xf32>,
                               %dw: memref<?x64x32xf32>, %off: memref<?xi64>,
                               %eids: memref<?xi32>, %src: memref<?xi32>) {
  // CHECK: hetop.outer_gemm ins(%{{.*}}, %{{.*}} : memref<?x64xf32>, memref<?x32xf32>) outs(%{{.*}} : memref<?x64x32xf32>) segments(%{{.*}} : memref<?xi64>) rows(%{{.*}} : memref<?xi32>) gather_a(%{{.*}} : memref<?xi32>)
  // CHECK-NOT: gather_b
  hetop.outer_gemm ins(%h, %d : memref<?x64xf32>, memref<?x32xf32>)
      outs(%dw : memref<?x64x32xf32>) segments(%off : memref<?xi64>)
      rows(%eids : memref<?xi32>) gather_a(%src : memref<?xi32>)
  return
}

// CHECK-LABEL: func.func @outer_gemm_shared
func.func @outer_gemm_shared(%x: memref<?x4x16xf32>, %d: memref<?x4x8xf32>,
                             %dw: memref<4x16x8xf32>, %idx: memref<?xi64>) {
  // CHECK: hetop.outer_gemm ins(%{{.*}}, %{{.*}} : memref<?x4x16xf32>, memref<?x4x8xf32>) outs(%{{.*}} : memref<4x16x8xf32>) gather_b(%{{.*}} : memref<?xi64>) {schedule = #hetop.gemm_schedule<tile_m = 16, tile_n = 8, tile_k = 8, threads = 32>}
  hetop.outer_gemm ins(%x, %d : memref<?x4x16xf32>, memref<?x4x8xf32>)
      outs(%dw : memref<4x16x8xf32>) gather_b(%idx : memref<?xi64>)
      {schedule = #hetop.gemm_schedule<tile_m = 16, tile_n = 8, tile_k = 8, threads = 32>}
  return
}

// GENERIC: "hetop.outer_gemm"{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>
// GENERIC: "hetop.outer_gemm"{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 1>
