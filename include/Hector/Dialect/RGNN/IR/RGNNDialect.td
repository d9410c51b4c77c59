//===- RGNNDialect.td - rgnn dialect definition ------------*- tablegen -*-===//
//
// The inter-operator level of Hector: what a relational GNN layer computes on
// a typed, heterogeneous graph, with value semantics.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_DIALECT_RGNN_IR_RGNNDIALECT_TD
#define HECTOR_DIALECT_RGNN_IR_RGNNDIALECT_TD

include "mlir/IR/OpBase.td"

def RGNN_Dialect : Dialect {
  let name = "rgnn";
  let cppNamespace = "::mlir::hector::rgnn";
  let summary = "Relational GNN operators on typed heterogeneous graphs";
  let description = [{
    The `rgnn` dialect states what a relational GNN layer computes. Every
    feature value carries its *domain* in its type (per node, per edge, per
    unique (node, relation) pair, per relation, per node type), so that
    verifiers can reject domain and shape mismatches before any lowering, and
    rewrites such as compact materialization are type changes rather than
    guesses. Ops that move values between domains take the graph as an
    operand; its type carries the schema.
  }];
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerTypes();
  }];
}

#endif // HECTOR_DIALECT_RGNN_IR_RGNNDIALECT_TD
