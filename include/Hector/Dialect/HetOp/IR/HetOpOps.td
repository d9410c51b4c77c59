//===- HetOpOps.td - hetop operations ----------------------*- tablegen -*-===//

#ifndef HECTOR_DIALECT_HETOP_IR_HETOPOPS_TD
#define HECTOR_DIALECT_HETOP_IR_HETOPOPS_TD

include "Hector/Dialect/HetOp/IR/HetOpAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

def HetOp_FloatMemRef : MemRefOf<[AnyFloat]>;
def HetOp_IndexList : MemRefRankOf<[AnySignlessInteger, Index], [1]>;

class HetOp_Op<string mnemonic, list<Trait> traits = []>
    : Op<HetOp_Dialect, mnemonic, traits>;

def HetOp_TypedGemmOp : HetOp_Op<"typed_gemm", [AttrSizedOperandSegments]> {
  let summary = "segmented GEMM with gathered A rows and a per-segment B";
  let description = [{
    Rows `i` of the problem are grouped in segments: row `i` belongs to
    segment `s` when `segment_offsets[s] <= i < segment_offsets[s + 1]`
    (one segment per relation or node type). There are as many rows as the
    `gather` list has entries, or as C has rows without one; the last offset
    must equal that count (lowerings take the count from the buffer sizes,
    so that host code never reads offsets that live on a device). For every
    row:

    ```
    a_row = A[gather ? gather[i] : i]            // [K] or [H, K]
    r     = a_row . B[s]                         // B[s] is [K, N] or [H, K, N]
                                                 // (transposed with transpose_b)
    r     = epilogue(r, i)
    C[scatter ? scatter[i] : i]  (=, +=, atomic +=)  r
    ```

    Epilogues: `scale(%s)` multiplies `r` by `s[i]`; `dot(%v, %vi, %out)`
    also writes `out[i] = r . v[vi[i]]` (an attention score from the
    projected row). With `select(%mask, k)`, a segment `s` with
    `mask[s] != k` is skipped: its rows are not computed, and in `store`
    mode its C rows (and `dot` outputs) are set to zero. This is how one
    function computes some relations transform-first and the others
    aggregate-first. `mode = atomic_add` is for scatters whose targets
    repeat, such as accumulation into destination nodes. `access` says how
    a compact (unique-pair) row is located when the index lists come from
    the edge-to-compact maps.

    ```mlir
    hetop.typed_gemm ins(%h, %w : memref<?x64xf32>, memref<4x64x64xf32>)
        outs(%msg : memref<?x64xf32>)
        segments(%rel_offsets : memref<5xi64>)
        gather(%src_by_rel : memref<?xi32>)
        {schedule = #hetop.gemm_schedule<tile_m = 64, tile_n = 64,
                                         tile_k = 8, threads = 256>}
    ```
  }];
  let arguments = (ins
    HetOp_FloatMemRef:$a, HetOp_FloatMemRef:$b, HetOp_FloatMemRef:$c,
    HetOp_IndexList:$segment_offsets,
    Optional<HetOp_IndexList>:$a_gather,
    Optional<HetOp_IndexList>:$c_scatter,
    Optional<HetOp_IndexList>:$segment_mask,
    Variadic<AnyMemRef>:$epilogue_operands,
    DefaultValuedAttr<HetOp_CMode,
                      "::mlir::hector::hetop::CMode::Store">:$c_mode,
    DefaultValuedAttr<HetOp_Epilogue,
                      "::mlir::hector::hetop::Epilogue::None">:$epilogue,
    UnitAttr:$transpose_b,
    OptionalAttr<I64Attr>:$mask_value,
    OptionalAttr<HetOp_AccessSchemeAttr>:$access,
    OptionalAttr<HetOp_GemmScheduleAttr>:$schedule);
  let assemblyFormat = [{
    `ins` `(` $a `,` $b `:` type($a) `,` type($b) `)`
    `outs` `(` $c `:` type($c) `)`
    (`mode` `=` $c_mode^)?
    `segments` `(` $segment_offsets `:` type($segment_offsets) `)`
    (`gather` `(` $a_gather^ `:` type($a_gather) `)`)?
    (`scatter` `(` $c_scatter^ `:` type($c_scatter) `)`)?
    (`select` `(` $segment_mask^ `:` type($segment_mask) `,` $mask_value
      `)`)?
    (`epilogue` $epilogue^ `(` $epilogue_operands `:`
      type($epilogue_operands) `)`)?
    attr-dict
  }];
  let hasVerifier = 1;
}

def HetOp_OuterGemmOp : HetOp_Op<"outer_gemm", [AttrSizedOperandSegments]> {
  let summary = "per-segment sums of outer products of gathered rows (A^T B)";
  let description = [{
    The weight-gradient GEMM: for each segment `s`, `C[s]` is the sum over
    the rows `i` of the segment of the outer product of an A row and a B
    row, that is `A_s^T . B_s` for the segment's (gathered) rows:

    ```
    e        = rows ? rows[i] : i                  // the row's element
    a_row    = A[gather_a ? gather_a[e] : e]       // [K] or [H, K]
    b_row    = B[gather_b ? gather_b[e] : e]       // [N] or [H, N]
    C[s][h][k][n] = sum over i in segment s of a_row[h][k] * b_row[h][n]
    ```

    Row `i` is in segment `s` when `segment_offsets[s] <= i <
    segment_offsets[s + 1]`. Without `segments` there is one segment and C
    has no segment dimension (a shared weight's gradient). C is
    overwritten: an empty segment's matrix is zero. The number of rows is
    the length of `rows`, else of `gather_a`, else A's row count (never the
    last offset, which may live on a device).

    ```mlir
    // dW_r = sum over the (src, relation) pairs of r of h_src (x) dmsg
    hetop.outer_gemm ins(%h, %dmsg : memref<?x64xf32>, memref<?x64xf32>)
        outs(%dw : memref<?x64x64xf32>)
        segments(%pair_offsets : memref<?xi64>)
        gather_a(%pair_src : memref<?xi32>)
    ```

    `schedule` tiles the GPU kernel: `tile_m` x `tile_n` of a segment's
    K x N matrix per thread block, stepping through the rows by `tile_k`.
  }];
  let arguments = (ins
    HetOp_FloatMemRef:$a, HetOp_FloatMemRef:$b, HetOp_FloatMemRef:$c,
    Optional<HetOp_IndexList>:$segment_offsets,
    Optional<HetOp_IndexList>:$rows,
    Optional<HetOp_IndexList>:$a_gather,
    Optional<HetOp_IndexList>:$b_gather,
    OptionalAttr<HetOp_GemmScheduleAttr>:$schedule);
  let assemblyFormat = [{
    `ins` `(` $a `,` $b `:` type($a) `,` type($b) `)`
    `outs` `(` $c `:` type($c) `)`
    (`segments` `(` $segment_offsets^ `:` type($segment_offsets) `)`)?
    (`rows` `(` $rows^ `:` type($rows) `)`)?
    (`gather_a` `(` $a_gather^ `:` type($a_gather) `)`)?
    (`gather_b` `(` $b_gather^ `:` type($b_gather) `)`)?
    attr-dict
  }];
  let hasVerifier = 1;
}

def HetOp_TraverseOp : HetOp_Op<"traverse", [RecursiveMemoryEffects,
    SingleBlockImplicitTerminator<"::mlir::hector::hetop::YieldOp">]> {
  let summary = "edge- or node-parallel loop over a CSR";
  let description = [{
    Runs `body` once per edge with block arguments `(row, col, edge,
    relation)`: `row` owns the CSR row (the destination node of an in-CSR,
    the source of an out-CSR), `col` is the other endpoint, `edge` the
    original edge id and `relation` its relation. The pair CSRs (`dst_rel`,
    `src_rel`: rows are unique pairs, entries edge ids; `node_dst_rel`,
    `node_src_rel`: rows are nodes, entries pair ids) have one id per
    entry, which `col`, `edge` and `relation` all carry.

    `node_parallel` gives each row to one group of `lanes` threads, which
    walks the row's edges in order: writes to the row's own slots need no
    atomics. `edge_parallel` gives each edge to one group; `hetop.accumulate`
    into a row becomes an atomic add, and the row of an edge is found by
    `access`: `direct` reads it from `rows(%row_indices)` at the entry's
    id (its `edge` argument: an edge id, or a pair id for the node-to-pair
    CSRs), e.g. `dst` for an in-CSR, so two dependent loads; and
    `binary_search` searches `row_offsets`.

    On the GPU (with lanes), a group has a lane per iteration of the body's
    loop nest over heads and features, and the kernel 64 threads a block;
    `schedule` (`#hetop.traversal_schedule<threads, lanes>`) caps the group
    at `lanes`, each lane then running every `lanes`-th iteration, and sets
    the block size.

    ```mlir
    hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %etype
        : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
    ^bb0(%row: index, %col: index, %e: index, %r: index):
      %v = memref.load %msg[%e] : memref<?xf32>
      hetop.accumulate %v, %out[%row] : f32, memref<?xf32>
    }
    ```
  }];
  let arguments = (ins
    HetOp_TraversalKind:$kind, HetOp_CSRKind:$csr,
    HetOp_IndexList:$row_offsets, HetOp_IndexList:$col_indices,
    HetOp_IndexList:$edge_ids, HetOp_IndexList:$edge_types,
    Optional<HetOp_IndexList>:$row_indices,
    OptionalAttr<HetOp_AccessSchemeAttr>:$access,
    OptionalAttr<HetOp_TraversalScheduleAttr>:$schedule);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `over` $csr `csr` `(` $row_offsets `,` $col_indices `,` $edge_ids
    `,` $edge_types `:` type($row_offsets) `,` type($col_indices) `,`
    type($edge_ids) `,` type($edge_types) `)`
    (`rows` `(` $row_indices^ `:` type($row_indices) `)`)?
    attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def HetOp_AccumulateOp : HetOp_Op<"accumulate"> {
  let summary = "combines a value into a buffer element inside a traversal";
  let description = [{
    `buffer[indices] += value`, or with `max`,
    `buffer[indices] = maximum(buffer[indices], value)` (NaN wins, as in
    `arith.maximumf`). The traversal's lowering makes this an atomic
    read-modify-write when several parallel groups can hit the element (an
    edge-parallel traversal, or a node-parallel one writing another row).
  }];
  let arguments = (ins AnyFloat:$value, HetOp_FloatMemRef:$buffer,
                       Variadic<Index>:$indices,
                       DefaultValuedAttr<HetOp_Combine,
                         "::mlir::hector::hetop::Combine::Add">:$combine);
  let assemblyFormat = [{
    ($combine^)? $value `,` $buffer `[` $indices `]` attr-dict `:`
    type($value) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def HetOp_YieldOp : HetOp_Op<"yield", [Pure, Terminator,
                                       HasParent<"TraverseOp">]> {
  let summary = "ends a traversal body";
  let assemblyFormat = "attr-dict";
}

#endif // HECTOR_DIALECT_HETOP_IR_HETOPOPS_TD
