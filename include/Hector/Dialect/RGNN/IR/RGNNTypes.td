//===- RGNNTypes.td - rgnn types ---------------------------*- tablegen -*-===//

#ifndef HECTOR_DIALECT_RGNN_IR_RGNNTYPES_TD
#define HECTOR_DIALECT_RGNN_IR_RGNNTYPES_TD

include "Hector/Dialect/RGNN/IR/RGNNAttrs.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

class RGNN_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<RGNN_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def RGNN_HeteroGraphType : RGNN_Type<"HeteroGraph", "graph"> {
  let summary = "a heterogeneous graph with a node-type and relation schema";
  let description = [{
    A typed graph. `node_types` and `relations` give the schema's sizes.
    `triples`, when present, lists the canonical (src type, relation,
    dst type) triple of every relation, in relation order: relation `r`'s
    edges all go from nodes of type `src` to nodes of type `dst`. An empty
    list means the canonical types are not known (for example a knowledge
    graph with a single node type).

    ```mlir
    !rgnn.graph<node_types = 2, relations = 3>
    !rgnn.graph<node_types = 2, relations = 2, triples = [(0, 0, 1), (1, 1, 0)]>
    ```
  }];
  let parameters = (ins "int64_t":$numNodeTypes, "int64_t":$numRelations,
                        ArrayRefParameter<"int64_t">:$triples);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether the canonical (src type, relation, dst type) triples are known.
    bool hasTriples() const { return !getTriples().empty(); }
    /// Source and destination node types of `relation`; requires triples.
    int64_t getSrcType(int64_t relation) const {
      return getTriples()[3 * relation];
    }
    int64_t getDstType(int64_t relation) const {
      return getTriples()[3 * relation + 2];
    }
  }];
}

def RGNN_FeatureType : RGNN_Type<"Feature", "feat", [ShapedTypeInterface]> {
  let summary = "a feature value with its domain and per-element shape";
  let description = [{
    A feature value holds one tensor of `shape` for every element of its
    domain: every node (`node`), the nodes of one node type (`node[t]`),
    every edge (`edge`), every unique (source, relation) or
    (destination, relation) pair (`src_rel`, `dst_rel`), every relation
    (`relation`) or every node type (`node_type`). Weights are per-relation
    or per-node-type features; shared weights are builtin tensors.

    Element order, which the runtime's buffers follow: nodes and edges by
    id; `node[t]` by ascending node id among the nodes of type `t`;
    `src_rel` and `dst_rel` pairs sorted by (relation, node id).

    ```mlir
    !rgnn.feat<node, 64xf32>          // a 64-vector per node
    !rgnn.feat<node[1], 128xf32>      // a 128-vector per node of type 1
    !rgnn.feat<edge, 4xf32>           // a scalar per head per edge
    !rgnn.feat<relation, 64x64xf32>   // a 64x64 matrix per relation
    !rgnn.feat<edge, f32>             // a scalar per edge
    ```
  }];
  let parameters = (ins "Domain":$domain, "int64_t":$nodeType,
                        ArrayRefParameter<"int64_t">:$shape,
                        "Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    TypeBuilder<(ins "Domain":$domain, "ArrayRef<int64_t>":$shape,
                     "Type":$elementType), [{
      return $_get($_ctxt, domain, kNoNodeType, shape, elementType);
    }]>
  ];
  let skipDefaultBuilders = 0;
  let extraClassDeclaration = [{
    static constexpr int64_t kNoNodeType = -1;

    /// The per-element shape (ShapedTypeInterface).
    bool hasRank() const { return true; }
    ShapedType cloneWith(std::optional<ArrayRef<int64_t>> shape,
                         Type elementType) const;
    /// The same domain with another per-element shape.
    FeatureType withShape(ArrayRef<int64_t> shape) const;
    /// The same per-element shape over another domain.
    FeatureType withDomain(Domain domain,
                           int64_t nodeType = kNoNodeType) const;
    bool hasNodeType() const { return getNodeType() != kNoNodeType; }
    /// Whether the domain is indexed by edges or unique (node, relation)
    /// pairs, each of which has one relation.
    bool isEdgeLike() const {
      return getDomain() == Domain::Edge || getDomain() == Domain::SrcRel ||
             getDomain() == Domain::DstRel;
    }
    /// Whether this holds one tensor per relation or per node type.
    bool isPerType() const {
      return getDomain() == Domain::Relation ||
             getDomain() == Domain::NodeType;
    }
    /// A phrase for diagnostics, such as "per edge" or "per node of type 2".
    std::string describeDomain() const;
  }];
}

#endif // HECTOR_DIALECT_RGNN_IR_RGNNTYPES_TD
