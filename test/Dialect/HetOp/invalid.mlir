// RUN: hector-opt %s -split-input-file -verify-diagnostics

// One case per hetop verifier rule (ops and schedule attributes).

func.func @f(%a: memref<?xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{'a' must be rows x K or rows x heads x K, got rank 1}}
  hetop.typed_gemm ins(%a, %b : memref<?xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x4x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{'c' must have the rank of 'a' (2), got 3}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x4x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{'b' must be segments x K x N (rank 3), got rank 2}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf16>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{'a', 'b' and 'c' must share one element type, got 'f32', 'f16' and 'f32'}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf16>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x16x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{K mismatch: 'a' rows have 64 elements, but 'b' takes 16}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x16x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x64xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{N mismatch: 'c' rows have 32 elements, but 'b' gives 64}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x64xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{K mismatch: 'a' rows have 64 elements, but 'b' takes 32}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) {transpose_b}
  return
}

// -----

func.func @f(%a: memref<?x4x16xf32>, %b: memref<3x2x16x8xf32>, %c: memref<?x4x8xf32>, %off: memref<4xi64>) {
  // expected-error @+1 {{head counts of 'a' (4), 'b' (2) and 'c' (4) differ}}
  hetop.typed_gemm ins(%a, %b : memref<?x4x16xf32>, memref<3x2x16x8xf32>) outs(%c : memref<?x4x8xf32>) segments(%off : memref<4xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<4xi64>) {
  // expected-error @+1 {{'segment_offsets' must have one entry per segment plus one (5), got 4}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<4xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{mode atomic_add needs a 'scatter' list: without one every C row is written once}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) mode = atomic_add segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{an access scheme needs a 'gather' or 'scatter' list to apply to}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) {access = #hetop.access<direct>}
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %s: memref<?x2xf32>) {
  // expected-error @+1 {{epilogue scale takes one float memref of rank 1 (a scale per row)}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) epilogue scale(%s : memref<?x2xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %s: memref<?xf32>) {
  // expected-error @+1 {{epilogue dot takes (vectors, vector index, output), got 1 operands}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) epilogue dot(%s : memref<?xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %v: memref<4x32x1xf32>, %i: memref<?xi32>, %o: memref<?xf32>) {
  // expected-error @+1 {{epilogue dot's vectors must be a float memref of rank 2 like 'c'}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) epilogue dot(%v, %i, %o : memref<4x32x1xf32>, memref<?xi32>, memref<?xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %v: memref<4x32xf32>, %i: memref<?xf32>, %o: memref<?xf32>) {
  // expected-error @+1 {{epilogue dot's vector index must be a rank-1 integer memref}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) epilogue dot(%v, %i, %o : memref<4x32xf32>, memref<?xf32>, memref<?xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %v: memref<4x32xf32>, %i: memref<?xi32>, %o: memref<?x4xf32>) {
  // expected-error @+1 {{epilogue dot's output must be a float memref of rank 1 (a score per row)}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) epilogue dot(%v, %i, %o : memref<4x32xf32>, memref<?xi32>, memref<?x4xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %v: memref<4x16xf32>, %i: memref<?xi32>, %o: memref<?xf32>) {
  // expected-error @+1 {{epilogue dot's vectors must have N = 32 elements}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) epilogue dot(%v, %i, %o : memref<4x16xf32>, memref<?xi32>, memref<?xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{tile_m must be a positive power of two, got 48}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) {schedule = #hetop.gemm_schedule<tile_m = 48, tile_n = 64, tile_k = 8, threads = 256>}
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{threads must be a positive multiple of 32 and at most 1024, got 100}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) {schedule = #hetop.gemm_schedule<tile_m = 64, tile_n = 64, tile_k = 8, threads = 100>}
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{threads (1024) must divide the C tile of 16x16 = 256 elements}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>) outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>) {schedule = #hetop.gemm_schedule<tile_m = 16, tile_n = 16, tile_k = 8, threads = 1024>}
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %s: memref<?xf32>) {
  // expected-error @+1 {{epilogue none takes no operands, got 1}}
  "hetop.typed_gemm"(%a, %b, %c, %off, %s) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 1>}> : (memref<?x64xf32>, memref<4x64x32xf32>, memref<?x32xf32>, memref<5xi64>, memref<?xf32>) -> ()
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>) {
  // expected-error @+1 {{'rows' and 'access' apply to edge-parallel traversals only: a node-parallel group owns its row}}
  hetop.traverse node_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) rows(%rows : memref<?xi32>) {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>) {
  // expected-error @+1 {{direct access needs the 'rows' list of each edge's row}}
  hetop.traverse edge_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) attributes {access = #hetop.access<direct>} {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>) {
  // expected-error @+1 {{binary_search finds each edge's row in 'row_offsets'; drop 'rows' or use direct access}}
  hetop.traverse edge_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) rows(%rows : memref<?xi32>) attributes {access = #hetop.access<binary_search>} {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>) {
  // expected-error @+1 {{body must take four index arguments (row, col, edge, relation), got 2}}
  hetop.traverse edge_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%r: index, %o: index):
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>) {
  // expected-error @+1 {{lanes must be a power of two between 1 and 32, got 64}}
  hetop.traverse node_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) attributes {schedule = #hetop.traversal_schedule<threads = 256, lanes = 64>} {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>) {
  // expected-error @+1 {{threads must be a positive multiple of 32 and at most 1024, got 2048}}
  hetop.traverse node_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) attributes {schedule = #hetop.traversal_schedule<threads = 2048, lanes = 32>} {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>, %buf: memref<?xf32>, %v: f16) {
  hetop.traverse node_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
    // expected-error @+1 {{value type 'f16' must be the buffer's element type 'f32'}}
    hetop.accumulate %v, %buf[%r] : f16, memref<?xf32>
  }
  return
}

// -----

func.func @f(%p: memref<?xi64>, %c: memref<?xi32>, %e: memref<?xi32>, %t: memref<?xi32>, %rows: memref<?xi32>, %buf: memref<?x8xf32>, %v: f32) {
  hetop.traverse node_parallel over in csr(%p, %c, %e, %t : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%r: index, %o: index, %ed: index, %rel: index):
    // expected-error @+1 {{needs 2 indices for the buffer, got 1}}
    hetop.accumulate %v, %buf[%r] : f32, memref<?x8xf32>
  }
  return
}

// -----

func.func @f(%buf: memref<?xf32>, %v: f32, %i: index) {
  // expected-error @+1 {{must be inside a hetop.traverse body, whose lowering decides whether the add is atomic}}
  hetop.accumulate %v, %buf[%i] : f32, memref<?xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{expects parent op 'hetop.traverse'}}
  "hetop.yield"() : () -> ()
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %mask: memref<3xi32>) {
  // expected-error @+1 {{the 'select' mask must have one entry per segment (4), got 3}}
  hetop.typed_gemm ins(%a, %b : memref<?x64xf32>, memref<4x64x32xf32>)
      outs(%c : memref<?x32xf32>) segments(%off : memref<5xi64>)
      select(%mask : memref<3xi32>, 0)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<4x64x32xf32>, %c: memref<?x32xf32>, %off: memref<5xi64>, %mask: memref<4xi32>) {
  // expected-error @+1 {{'select' needs both a mask and a value}}
  "hetop.typed_gemm"(%a, %b, %c, %off, %mask) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 1, 0>}> : (memref<?x64xf32>, memref<4x64x32xf32>, memref<?x32xf32>, memref<5xi64>, memref<4xi32>) -> ()
  return
}

// -----

func.func @f(%a: memref<?xf32>, %b: memref<?x32xf32>, %c: memref<?x64x32xf32>, %off: memref<?xi64>) {
  // expected-error @+1 {{'a' must be rows x K or rows x heads x K, got rank 1}}
  hetop.outer_gemm ins(%a, %b : memref<?xf32>, memref<?x32xf32>) outs(%c : memref<?x64x32xf32>) segments(%off : memref<?xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<?x2x32xf32>, %c: memref<?x64x32xf32>, %off: memref<?xi64>) {
  // expected-error @+1 {{'b' must have the rank of 'a' (2), got 3}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x2x32xf32>) outs(%c : memref<?x64x32xf32>) segments(%off : memref<?xi64>)
  return
}

// -----

// Without segments C has no segment dimension.
func.func @f(%a: memref<?x64xf32>, %b: memref<?x32xf32>, %c: memref<?x64x32xf32>) {
  // expected-error @+1 {{'c' must be K x N (rank 2), got rank 3}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x32xf32>) outs(%c : memref<?x64x32xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<?x32xf16>, %c: memref<64x32xf32>) {
  // expected-error @+1 {{'a', 'b' and 'c' must share one element type, got 'f32', 'f16' and 'f32'}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x32xf16>) outs(%c : memref<64x32xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<?x32xf32>, %c: memref<4x48x32xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{K mismatch: 'a' rows have 64 elements, but 'c' has 48 rows}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x32xf32>) outs(%c : memref<4x48x32xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<?x32xf32>, %c: memref<4x64x16xf32>, %off: memref<5xi64>) {
  // expected-error @+1 {{N mismatch: 'b' rows have 32 elements, but 'c' has 16 columns}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x32xf32>) outs(%c : memref<4x64x16xf32>) segments(%off : memref<5xi64>)
  return
}

// -----

func.func @f(%a: memref<?x2x64xf32>, %b: memref<?x4x32xf32>, %c: memref<2x64x32xf32>) {
  // expected-error @+1 {{head counts of 'a' (2), 'b' (4) and 'c' (2) differ}}
  hetop.outer_gemm ins(%a, %b : memref<?x2x64xf32>, memref<?x4x32xf32>) outs(%c : memref<2x64x32xf32>)
  return
}

// -----

func.func @f(%a: memref<?x64xf32>, %b: memref<?x32xf32>, %c: memref<4x64x32xf32>, %off: memref<4xi64>) {
  // expected-error @+1 {{'segment_offsets' must have one entry per segment of 'c' plus one (5), got 4}}
  hetop.outer_gemm ins(%a, %b : memref<?x64xf32>, memref<?x32xf32>) outs(%c : memref<4x64x32xf32>) segments(%off : memref<4xi64>)
  return
}
