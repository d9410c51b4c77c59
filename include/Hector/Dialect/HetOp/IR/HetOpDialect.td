//===- HetOpDialect.td - hetop dialect definition ----------*- tablegen -*-===//
//
// The intra-operator level of Hector: kernel templates on buffers, with
// explicit data layout, access schemes and schedules.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_DIALECT_HETOP_IR_HETOPDIALECT_TD
#define HECTOR_DIALECT_HETOP_IR_HETOPDIALECT_TD

include "mlir/IR/OpBase.td"

def HetOp_Dialect : Dialect {
  let name = "hetop";
  let cppNamespace = "::mlir::hector::hetop";
  let summary = "Typed-GEMM and graph-traversal kernel templates";
  let description = [{
    `hetop` ops work on memrefs laid out by graph preparation (edges grouped
    by relation, in/out CSR, unique (node, relation) maps). There are two
    templates: `hetop.typed_gemm`, a segmented GEMM whose A rows are
    gathered and whose C rows are scattered or accumulated through index
    lists, with a per-segment B; and `hetop.traverse`, an edge- or
    node-parallel loop over a CSR with a body region. The schedule (tiles,
    threads) and the access scheme (direct index or binary search) are
    attributes, so that a pass can choose them and a test can pin them.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

#endif // HECTOR_DIALECT_HETOP_IR_HETOPDIALECT_TD
