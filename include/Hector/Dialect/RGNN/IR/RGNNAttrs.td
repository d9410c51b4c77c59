//===- RGNNAttrs.td - rgnn enums and attributes ------------*- tablegen -*-===//

#ifndef HECTOR_DIALECT_RGNN_IR_RGNNATTRS_TD
#define HECTOR_DIALECT_RGNN_IR_RGNNATTRS_TD

include "Hector/Dialect/RGNN/IR/RGNNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"


// The set of elements a feature value is defined over.
def RGNN_Domain : I32EnumAttr<"Domain", "domain of a feature value", [
    I32EnumAttrCase<"Node", 0, "node">,
    I32EnumAttrCase<"Edge", 1, "edge">,
    I32EnumAttrCase<"SrcRel", 2, "src_rel">,
    I32EnumAttrCase<"DstRel", 3, "dst_rel">,
    I32EnumAttrCase<"Relation", 4, "relation">,
    I32EnumAttrCase<"NodeType", 5, "node_type">]> {
  let cppNamespace = "::mlir::hector::rgnn";
}

// How a gather maps each result element to an input element.
def RGNN_GatherIndex : I32EnumAttr<"GatherIndex", "index used by a gather", [
    I32EnumAttrCase<"Src", 0, "src">,
    I32EnumAttrCase<"Dst", 1, "dst">,
    I32EnumAttrCase<"Relation", 2, "relation">,
    I32EnumAttrCase<"NodeType", 3, "node_type">,
    I32EnumAttrCase<"SrcRel", 4, "src_rel">,
    I32EnumAttrCase<"DstRel", 5, "dst_rel">,
    I32EnumAttrCase<"SrcType", 6, "src_type">,
    I32EnumAttrCase<"DstType", 7, "dst_type">]> {
  let cppNamespace = "::mlir::hector::rgnn";
}

// What selects the weight of a typed linear.
def RGNN_TypeKind : I32EnumAttr<"TypeKind", "type that selects a weight", [
    I32EnumAttrCase<"Relation", 0, "relation">,
    I32EnumAttrCase<"NodeType", 1, "node_type">]> {
  let cppNamespace = "::mlir::hector::rgnn";
}

// Which operand of an edge a node value is read through.
def RGNN_Endpoint : I32EnumAttr<"Endpoint", "edge endpoint", [
    I32EnumAttrCase<"Self", 0, "self">,
    I32EnumAttrCase<"Src", 1, "src">,
    I32EnumAttrCase<"Dst", 2, "dst">]> {
  let cppNamespace = "::mlir::hector::rgnn";
}

def RGNN_Reduction : I32EnumAttr<"Reduction", "reduction", [
    I32EnumAttrCase<"Sum", 0, "sum">,
    I32EnumAttrCase<"Mean", 1, "mean">,
    I32EnumAttrCase<"Max", 2, "max">]> {
  let cppNamespace = "::mlir::hector::rgnn";
}

// A nonlinearity whose derivative the backward program applies.
def RGNN_Activation : I32EnumAttr<"Activation", "activation", [
    I32EnumAttrCase<"Relu", 0, "relu">,
    I32EnumAttrCase<"LeakyRelu", 1, "leaky_relu">,
    I32EnumAttrCase<"Gelu", 2, "gelu">]> {
  let cppNamespace = "::mlir::hector::rgnn";
}

#endif // HECTOR_DIALECT_RGNN_IR_RGNNATTRS_TD
