//===- HetOpAttrs.td - hetop enums and schedules -----------*- tablegen -*-===//

#ifndef HECTOR_DIALECT_HETOP_IR_HETOPATTRS_TD
#define HECTOR_DIALECT_HETOP_IR_HETOPATTRS_TD

include "Hector/Dialect/HetOp/IR/HetOpDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class HetOp_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlir::hector::hetop";
}

def HetOp_CMode : HetOp_Enum<"CMode", "how C rows are written", [
    I32EnumAttrCase<"Store", 0, "store">,
    I32EnumAttrCase<"Accumulate", 1, "accumulate">,
    I32EnumAttrCase<"AtomicAdd", 2, "atomic_add">]>;

def HetOp_Epilogue : HetOp_Enum<"Epilogue", "fused GEMM epilogue", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Scale", 1, "scale">,
    I32EnumAttrCase<"Dot", 2, "dot">]>;

// How hetop.accumulate combines a value with its buffer element.
def HetOp_Combine : HetOp_Enum<"Combine", "accumulation combiner", [
    I32EnumAttrCase<"Add", 0, "add">,
    I32EnumAttrCase<"Max", 1, "max">]>;

def HetOp_TraversalKind : HetOp_Enum<"TraversalKind", "traversal parallelism", [
    I32EnumAttrCase<"EdgeParallel", 0, "edge_parallel">,
    I32EnumAttrCase<"NodeParallel", 1, "node_parallel">]>;

// Which prepared CSR a traversal walks: rows and their entries.
def HetOp_CSRKind : HetOp_Enum<"CSRKind", "CSR orientation", [
    // Rows are destination nodes; entries their incoming edges.
    I32EnumAttrCase<"In", 0, "in">,
    // Rows are source nodes; entries their outgoing edges.
    I32EnumAttrCase<"Out", 1, "out">,
    // Rows are unique (dst, relation) pairs; entries their edges.
    I32EnumAttrCase<"DstRel", 2, "dst_rel">,
    // Rows are unique (src, relation) pairs; entries their edges.
    I32EnumAttrCase<"SrcRel", 3, "src_rel">,
    // Rows are nodes; entries the (dst, relation) pairs they end.
    I32EnumAttrCase<"NodeDstRel", 4, "node_dst_rel">,
    // Rows are nodes; entries the (src, relation) pairs they start.
    I32EnumAttrCase<"NodeSrcRel", 5, "node_src_rel">]>;

def HetOp_AccessScheme : HetOp_Enum<"AccessScheme",
    "how an element finds its row or compact slot", [
    I32EnumAttrCase<"Direct", 0, "direct">,
    I32EnumAttrCase<"BinarySearch", 1, "binary_search">]> {
  let genSpecializedAttr = 0;
}
// Printed as #hetop.access<direct> in attribute dictionaries.
def HetOp_AccessSchemeAttr : EnumAttr<HetOp_Dialect, HetOp_AccessScheme,
                                      "access"> {
  let assemblyFormat = "`<` $value `>`";
}


def HetOp_GemmScheduleAttr : AttrDef<HetOp_Dialect, "GemmSchedule"> {
  let mnemonic = "gemm_schedule";
  let summary = "tiling of a typed GEMM";
  let description = [{
    A thread block computes a `tile_m` x `tile_n` tile of C, stepping
    through K by `tile_k` with both operand tiles staged in shared memory.
    Tile sizes are powers of two; `threads` is a multiple of 32 (at most
    1024) that divides the tile, so that every thread owns the same number
    of outputs.
  }];
  let parameters = (ins "int64_t":$tileM, "int64_t":$tileN, "int64_t":$tileK,
                        "int64_t":$threads);
  let assemblyFormat = [{
    `<` `tile_m` `=` $tileM `,` `tile_n` `=` $tileN `,` `tile_k` `=` $tileK
    `,` `threads` `=` $threads `>`
  }];
  let genVerifyDecl = 1;
}

def HetOp_TraversalScheduleAttr : AttrDef<HetOp_Dialect, "TraversalSchedule"> {
  let mnemonic = "traversal_schedule";
  let summary = "thread mapping of a traversal";
  let description = [{
    `threads` per block (a multiple of 32, at most 1024) and `lanes` that
    cooperate on one row (node-parallel) or edge (edge-parallel) across the
    feature dimension: a power of two that divides 32, so that the lanes of
    one row stay in one warp.
  }];
  let parameters = (ins "int64_t":$threads, "int64_t":$lanes);
  let assemblyFormat = "`<` `threads` `=` $threads `,` `lanes` `=` $lanes `>`";
  let genVerifyDecl = 1;
}

#endif // HECTOR_DIALECT_HETOP_IR_HETOPATTRS_TD
