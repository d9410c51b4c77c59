# Writes test/Dialect/RGNN/invalid.mlir: one case per rgnn verifier rule.
import sys
G = '!rgnn.graph<node_types = 2, relations = 3, triples = [(0, 0, 1), (1, 1, 0), (1, 2, 1)]>'
K = '!rgnn.graph<node_types = 1, relations = 4>'
def F(d, s): return '!rgnn.feat<%s, %s>' % (d, s)
def T(t, *a):
    parts = t.split('@@')
    assert len(parts) == len(a) + 1, t
    out = parts[0]
    for x, p in zip(a, parts[1:]): out += x + p
    return out
cases = []
def ty(err, sig): cases.append((err, None, sig))
def op(err, args, body): cases.append((err, args, body))

ty('a graph needs at least one node type, got 0', 'func.func @f(%g: !rgnn.graph<node_types = 0, relations = 1>)')
ty('a graph needs at least one relation, got 0', 'func.func @f(%g: !rgnn.graph<node_types = 1, relations = 0>)')
ty('expected one (src type, relation, dst type) triple per relation (2), got 1', 'func.func @f(%g: !rgnn.graph<node_types = 1, relations = 2, triples = [(0, 0, 0)]>)')
ty("triple #1 names relation 7, beyond the schema's 2 relations", 'func.func @f(%g: !rgnn.graph<node_types = 1, relations = 2, triples = [(0, 0, 0), (0, 7, 0)]>)')
ty('triple #0 names relation 1, but triples must list relations 0..1 in order', 'func.func @f(%g: !rgnn.graph<node_types = 1, relations = 2, triples = [(0, 1, 0), (0, 0, 0)]>)')
ty("triple #0 has source node type 3, beyond the schema's 2 node types", 'func.func @f(%g: !rgnn.graph<node_types = 2, relations = 1, triples = [(3, 0, 0)]>)')
ty("triple #0 has destination node type -1, beyond the schema's 2 node types", 'func.func @f(%g: !rgnn.graph<node_types = 2, relations = 1, triples = [(0, 0, -1)]>)')
ty("unknown domain 'vertex'; expected node, edge, src_rel, dst_rel, relation or node_type", 'func.func @f(%x: !rgnn.feat<vertex, 4xf32>)')
ty("only per-node values can be restricted to a node type, but the domain is 'edge'", 'func.func @f(%x: !rgnn.feat<edge[1], 4xf32>)')
ty('node type must be non-negative, got -2', 'func.func @f(%x: !rgnn.feat<node[-2], 4xf32>)')
ty('per-element shape must be static and positive, but dimension 1 is 0', 'func.func @f(%x: !rgnn.feat<node, 4x0xf32>)')
ty("element type must be a float type, got 'i32'", 'func.func @f(%x: !rgnn.feat<node, 4xi32>)')

# gather
op("'input' must be per node when gathering by src, but is per edge", ['%g: !G', '%x: '+F('edge','8xf32')],
   T('rgnn.gather %g, %x by src : (!G, @@) -> @@', F('edge','8xf32'), F('edge','8xf32')))
op("'result' must be per edge or per unique (dst, relation) pair when gathering by dst, but is per unique (src, relation) pair", ['%g: !G', '%x: '+F('node','8xf32')],
   T('rgnn.gather %g, %x by dst : (!G, @@) -> @@', F('node','8xf32'), F('src_rel','8xf32')))
op("'input' must be per relation when gathering by relation, but is per node type", ['%g: !G', '%x: '+F('node_type','8xf32')],
   T('rgnn.gather %g, %x by relation : (!G, @@) -> @@', F('node_type','8xf32'), F('edge','8xf32')))
op("'result' must be per node when gathering by node_type, but is per edge", ['%g: !G', '%x: '+F('node_type','8xf32')],
   T('rgnn.gather %g, %x by node_type : (!G, @@) -> @@', F('node_type','8xf32'), F('edge','8xf32')))
op("'input' must be per unique (src, relation) pair when gathering by src_rel, but is per unique (dst, relation) pair", ['%g: !G', '%x: '+F('dst_rel','8xf32')],
   T('rgnn.gather %g, %x by src_rel : (!G, @@) -> @@', F('dst_rel','8xf32'), F('edge','8xf32')))
op("'result' must be per edge when gathering by dst_rel, but is per node", ['%g: !G', '%x: '+F('dst_rel','8xf32')],
   T('rgnn.gather %g, %x by dst_rel : (!G, @@) -> @@', F('dst_rel','8xf32'), F('node','8xf32')))
op("gathering by src_type needs the graph's (src type, relation, dst type) triples", ['%g: !K', '%x: '+F('node_type','8xf32')],
   T('rgnn.gather %g, %x by src_type : (!K, @@) -> @@', F('node_type','8xf32'), F('relation','8xf32')))
op("result must have per-element shape '8', got '16'", ['%g: !G', '%x: '+F('node','8xf32')],
   T('rgnn.gather %g, %x by src : (!G, @@) -> @@', F('node','8xf32'), F('edge','16xf32')))
op("result element type 'f16' must match the input's 'f32'", ['%g: !G', '%x: '+F('node','8xf32')],
   T('rgnn.gather %g, %x by src : (!G, @@) -> @@', F('node','8xf32'), F('edge','8xf16')))
op("'input' must be per node when gathering by src, but is per node of type 1", ['%g: !G', '%x: '+F('node[1]','8xf32')],
   T('rgnn.gather %g, %x by src : (!G, @@) -> @@', F('node[1]','8xf32'), F('edge','8xf32')))
op("operand #1 is per node of type 5, beyond the schema's 2 node types", ['%g: !G', '%x: '+F('node[5]','8xf32')],
   T('rgnn.gather %g, %x by src : (!G, @@) -> @@', F('node[5]','8xf32'), F('edge','8xf32')))

# aggregate
op("must aggregate 'to src' or 'to dst'", ['%g: !K', '%x: '+F('edge','8xf32')],
   T('rgnn.aggregate %g, %x sum to self : (!K, @@) -> @@', F('edge','8xf32'), F('node','8xf32')))
op("'input' must be per edge or per unique (dst, relation) pair when aggregating to dst, but is per node", ['%g: !K', '%x: '+F('node','8xf32')],
   T('rgnn.aggregate %g, %x sum : (!K, @@) -> @@', F('node','8xf32'), F('node','8xf32')))
op("'result' must be per node when aggregating to dst from per unique (dst, relation) pair, but is per unique (dst, relation) pair", ['%g: !K', '%x: '+F('dst_rel','8xf32')],
   T('rgnn.aggregate %g, %x sum : (!K, @@) -> @@', F('dst_rel','8xf32'), F('dst_rel','8xf32')))
op("'result' must be per node or per unique (src, relation) pair when aggregating to src from per edge, but is per unique (dst, relation) pair", ['%g: !K', '%x: '+F('edge','8xf32')],
   T('rgnn.aggregate %g, %x mean to src : (!K, @@) -> @@', F('edge','8xf32'), F('dst_rel','8xf32')))
op("result must have per-element shape '4x8', got '32'", ['%g: !K', '%x: '+F('edge','4x8xf32')],
   T('rgnn.aggregate %g, %x sum : (!K, @@) -> @@', F('edge','4x8xf32'), F('node','32xf32')))

# edge_softmax
op("'input' must be per edge (softmax runs over each node's incoming edges), but is per node", ['%g: !K', '%x: '+F('node','4xf32')],
   T('rgnn.edge_softmax %g, %x : (!K, @@) -> @@', F('node','4xf32'), F('node','4xf32')))
op("result type must be the input type '!rgnn.feat<edge, 4xf32>'", ['%g: !K', '%x: '+F('edge','4xf32')],
   T('rgnn.edge_softmax %g, %x : (!K, @@) -> @@', F('edge','4xf32'), F('edge','2xf32')))

# relation_sum / node_type_sum
op("'input' must be per edge or per unique (src, relation) pair or per unique (dst, relation) pair to be summed per relation, but is per node", ['%g: !K', '%x: '+F('node','4xf32')],
   T('rgnn.relation_sum %g, %x : (!K, @@) -> @@', F('node','4xf32'), F('relation','4xf32')))
op("'result' must be per relation, but is per node type", ['%g: !K', '%x: '+F('edge','4xf32')],
   T('rgnn.relation_sum %g, %x : (!K, @@) -> @@', F('edge','4xf32'), F('node_type','4xf32')))
op("'input' must be per node to be summed per node type, but is per edge", ['%g: !K', '%x: '+F('edge','4xf32')],
   T('rgnn.node_type_sum %g, %x : (!K, @@) -> @@', F('edge','4xf32'), F('node_type','4xf32')))
op("result must have per-element shape '4', got '8'", ['%g: !K', '%x: '+F('node','4xf32')],
   T('rgnn.node_type_sum %g, %x : (!K, @@) -> @@', F('node','4xf32'), F('node_type','8xf32')))

# degree / domain_sum
op("counts elements aggregated from edges or dst_rel pairs when counting to dst, not src_rel", ['%g: !K'],
   T('rgnn.degree %g from src_rel : (!K) -> @@', F('node','f32')))
op("'result' must be per node or per unique (dst, relation) pair when counting edge elements, but is per edge", ['%g: !K'],
   T('rgnn.degree %g from edge : (!K) -> @@', F('edge','f32')))
op("result must be one float per element, got '!rgnn.feat<node, 2xf32>'", ['%g: !K'],
   T('rgnn.degree %g from edge : (!K) -> @@', F('node','2xf32')))
op("result must be a tensor of the per-element type '4x2xf32', got 'tensor<2x4xf32>'", ['%x: '+F('node','4x2xf32')],
   T('rgnn.domain_sum %x : @@ -> tensor<2x4xf32>', F('node','4x2xf32')))

# merge_node_types
op("expects one input per node type (2), got 1", ['%g: !G', '%a: '+F('node[0]','4xf32')],
   T('rgnn.merge_node_types %g, %a : (!G, @@) -> @@', F('node[0]','4xf32'), F('node','4xf32')))
op("input #1 must be per node of type 1, but is per node of type 0", ['%g: !G', '%a: '+F('node[0]','4xf32')],
   T('rgnn.merge_node_types %g, %a, %a : (!G, @@, @@) -> @@', F('node[0]','4xf32'), F('node[0]','4xf32'), F('node','4xf32')))
op("input #1 has per-element type '8xf32', but the result has '4xf32'", ['%g: !G', '%a: '+F('node[0]','4xf32'), '%b: '+F('node[1]','8xf32')],
   T('rgnn.merge_node_types %g, %a, %b : (!G, @@, @@) -> @@', F('node[0]','4xf32'), F('node[1]','8xf32'), F('node','4xf32')))
op("operand #2 is per node of type 2, beyond the schema's 2 node types", ['%g: !G', '%a: '+F('node[0]','4xf32'), '%b: '+F('node[2]','4xf32')],
   T('rgnn.merge_node_types %g, %a, %b : (!G, @@, @@) -> @@', F('node[0]','4xf32'), F('node[2]','4xf32'), F('node','4xf32')))

# typed_linear
H, WR, WT = F('node','64xf32'), F('relation','64x32xf32'), F('node_type','64x32xf32')
TL = 'rgnn.typed_linear %g, %h, %w by '
op("'weight' must be per relation for 'by relation', but is per node type", ['%g: !G', '%h: '+H, '%w: '+WT],
   T(TL+'relation on src : (!G, @@, @@) -> @@', H, WT, F('edge','32xf32')))
op("'weight' element type 'f16' must match the input's 'f32'", ['%g: !G', '%h: '+H, '%w: '+F('relation','64x32xf16')],
   T(TL+'relation on src : (!G, @@, @@) -> @@', H, F('relation','64x32xf16'), F('edge','32xf32')))
op("'input' must be per edge or per unique (src, relation) pair or per unique (dst, relation) pair for 'by relation on self', but is per node", ['%g: !G', '%h: '+H, '%w: '+WR],
   T(TL+'relation : (!G, @@, @@) -> @@', H, WR, F('node','32xf32')))
op("'input' must be per node for 'by node_type on self', but is per edge", ['%g: !G', '%h: '+F('edge','64xf32'), '%w: '+WT],
   T(TL+'node_type : (!G, @@, @@) -> @@', F('edge','64xf32'), WT, F('edge','32xf32')))
op("result must be per edge like the input, but is per unique (src, relation) pair", ['%g: !G', '%h: '+F('edge','64xf32'), '%w: '+WR],
   T(TL+'relation : (!G, @@, @@) -> @@', F('edge','64xf32'), WR, F('src_rel','32xf32')))
op("'input' must be per node for 'by relation on src', but is per edge", ['%g: !G', '%h: '+F('edge','64xf32'), '%w: '+WR],
   T(TL+'relation on src : (!G, @@, @@) -> @@', F('edge','64xf32'), WR, F('edge','32xf32')))
op("'result' must be per edge or per unique (src, relation) pair for 'by relation on src', but is per unique (dst, relation) pair", ['%g: !G', '%h: '+H, '%w: '+WR],
   T(TL+'relation on src : (!G, @@, @@) -> @@', H, WR, F('dst_rel','32xf32')))
op("'input' per-element shape '16' must end in the weight's input size 64", ['%g: !G', '%h: '+F('node','16xf32'), '%w: '+WR],
   T(TL+'relation on src : (!G, @@, @@) -> @@', F('node','16xf32'), WR, F('edge','32xf32')))
op("'input' per-element shape '2x16' must be 4x16 or 16 for a multi-head weight of shape '4x16x8'", ['%g: !G', '%h: '+F('node','2x16xf32'), '%w: '+F('relation','4x16x8xf32')],
   T(TL+'relation on src : (!G, @@, @@) -> @@', F('node','2x16xf32'), F('relation','4x16x8xf32'), F('edge','4x8xf32')))
op("'weight' per-element shape must be KxN or HxKxN, got '64'", ['%g: !G', '%h: '+H, '%w: '+F('relation','64xf32')],
   T(TL+'relation on src : (!G, @@, @@) -> @@', H, F('relation','64xf32'), F('edge','32xf32')))
op("result must have per-element shape '32', got '64'", ['%g: !G', '%h: '+H, '%w: '+WR],
   T(TL+'relation on src : (!G, @@, @@) -> @@', H, WR, F('edge','64xf32')))
op("operand #1 is per node of type 4, beyond the schema's 2 node types", ['%g: !G', '%h: '+F('node[4]','64xf32'), '%w: '+WT],
   T(TL+'node_type : (!G, @@, @@) -> @@', F('node[4]','64xf32'), WT, F('node[4]','32xf32')))

# linear
op("'weight' element type 'f64' must match the input's 'f32'", ['%h: '+H, '%w: tensor<64x32xf64>'],
   T('rgnn.linear %h, %w : (@@, tensor<64x32xf64>) -> @@', H, F('node','32xf32')))
op("result must be per node like the input, but is per edge", ['%h: '+H, '%w: tensor<64x32xf32>'],
   T('rgnn.linear %h, %w : (@@, tensor<64x32xf32>) -> @@', H, F('edge','32xf32')))
op("'input' per-element shape '64' must end in the weight's input size 32", ['%h: '+H, '%w: tensor<32x32xf32>'],
   T('rgnn.linear %h, %w : (@@, tensor<32x32xf32>) -> @@', H, F('node','32xf32')))

# weight_product
WP = 'rgnn.weight_product %a, %b : (@@, @@) -> @@'
op("'lhs' must be per relation, per node type or a shared tensor, but is per edge", ['%a: '+F('edge','8x8xf32'), '%b: '+F('relation','8x8xf32')],
   T(WP, F('edge','8x8xf32'), F('relation','8x8xf32'), F('relation','8x8xf32')))
op("'lhs' and 'rhs' must have the same domain, got per relation and per node type", ['%a: '+F('relation','8x8xf32'), '%b: '+F('node_type','8x8xf32')],
   T(WP, F('relation','8x8xf32'), F('node_type','8x8xf32'), F('relation','8x8xf32')))
op("'lhs' and 'rhs' element types differ: 'f32' vs 'f16'", ['%a: '+F('relation','8x8xf32'), '%b: '+F('relation','8x8xf16')],
   T(WP, F('relation','8x8xf32'), F('relation','8x8xf16'), F('relation','8x8xf32')))
op("result must be per relation, but is a shared tensor", ['%a: '+F('relation','8x8xf32'), '%b: tensor<8x8xf32>'],
   T(WP, F('relation','8x8xf32'), 'tensor<8x8xf32>', 'tensor<8x8xf32>'))
op("the product of two shared tensors must be a shared tensor, but the result is per relation", ['%a: tensor<8x8xf32>', '%b: tensor<8x8xf32>'],
   T(WP, 'tensor<8x8xf32>', 'tensor<8x8xf32>', F('relation','8x8xf32')))
op("'rhs' shape '4x8x8' must start with the length 3 of the 'lhs' coefficient vector", ['%a: '+F('relation','3xf32'), '%b: tensor<4x8x8xf32>'],
   T(WP, F('relation','3xf32'), 'tensor<4x8x8xf32>', F('relation','8x8xf32')))
op("batch dimensions of 'lhs' ('4x8x8') and 'rhs' ('2x8x8') differ", ['%a: '+F('relation','4x8x8xf32'), '%b: '+F('relation','2x8x8xf32')],
   T(WP, F('relation','4x8x8xf32'), F('relation','2x8x8xf32'), F('relation','4x8x8xf32')))
op("contraction size mismatch: 'lhs' is '8x4' and 'rhs' is '8x8'", ['%a: '+F('relation','8x4xf32'), '%b: '+F('relation','8x8xf32')],
   T(WP, F('relation','8x4xf32'), F('relation','8x8xf32'), F('relation','8x8xf32')))
op("cannot multiply 'lhs' of shape '8x8' by 'rhs' of shape '2x8x8'; expected [K]x[K,...], [..,M,K]x[..,K,N] or [..,M,K]x[..,K]", ['%a: '+F('relation','8x8xf32'), '%b: '+F('relation','2x8x8xf32')],
   T(WP, F('relation','8x8xf32'), F('relation','2x8x8xf32'), F('relation','8x8xf32')))
op("result must have per-element shape '8x16', got '8x8'", ['%a: '+F('relation','8x4xf32'), '%b: '+F('relation','4x16xf32')],
   T(WP, F('relation','8x4xf32'), F('relation','4x16xf32'), F('relation','8x8xf32')))

# inner / outer / scale
E = F('edge','4x16xf32')
IP = 'rgnn.inner_product %a, %b : (@@, @@) -> @@'
op("'rhs' must be per edge like 'lhs', or a shared tensor, but is per node", ['%a: '+E, '%b: '+F('node','4x16xf32')],
   T(IP, E, F('node','4x16xf32'), F('edge','4xf32')))
op("'lhs' must have at least one dimension to contract", ['%a: '+F('edge','f32'), '%b: '+F('edge','f32')],
   T(IP, F('edge','f32'), F('edge','f32'), F('edge','f32')))
op("'rhs' per-element type '16xf32' must match the 'lhs' per-element type '4x16xf32'", ['%a: '+E, '%b: tensor<16xf32>'],
   T(IP, E, 'tensor<16xf32>', F('edge','4xf32')))
op("result must be per edge", ['%a: '+E, '%b: '+E], T(IP, E, E, F('node','4xf32')))
op("result must have per-element shape '4', got '16'", ['%a: '+E, '%b: '+E], T(IP, E, E, F('edge','16xf32')))
OP = 'rgnn.outer_product %a, %b : (@@, @@) -> @@'
op("'lhs', 'rhs' and the result must share one domain, got per edge, per node and per edge", ['%a: '+E, '%b: '+F('node','4x16xf32')],
   T(OP, E, F('node','4x16xf32'), F('edge','4x16x16xf32')))
op("'lhs' ('4x16') and 'rhs' ('2x16') must be vectors with equal leading (head) dimensions", ['%a: '+E, '%b: '+F('edge','2x16xf32')],
   T(OP, E, F('edge','2x16xf32'), F('edge','4x16x16xf32')))
op("'lhs' and 'rhs' element types differ", ['%a: '+E, '%b: '+F('edge','4x16xf16')],
   T(OP, E, F('edge','4x16xf16'), F('edge','4x16x16xf32')))
op("result must have per-element shape '4x16x16', got '4x16'", ['%a: '+E, '%b: '+E], T(OP, E, E, E))
SC = 'rgnn.scale %a, %b : (@@, @@) -> @@'
op("'scalar' must be per edge like 'vector', but is per node", ['%a: '+F('node','4xf32'), '%b: '+E], T(SC, F('node','4xf32'), E, E))
op("'scalar' per-element shape '16' must be the 'vector' shape without its last dimension ('4x16')", ['%a: '+F('edge','16xf32'), '%b: '+E],
   T(SC, F('edge','16xf32'), E, E))
op("'scalar' and 'vector' element types differ", ['%a: '+F('edge','4xf16'), '%b: '+E], T(SC, F('edge','4xf16'), E, E))
op("result type must be the 'vector' type '!rgnn.feat<edge, 4x16xf32>'", ['%a: '+F('edge','4xf32'), '%b: '+E],
   T(SC, F('edge','4xf32'), E, F('node','4x16xf32')))

# elementwise
N = F('node','16xf32')
op("requires the same type for all operands and results", ['%a: '+N], T('"rgnn.exp"(%a) : (@@) -> @@', N, F('node','8xf32')))
op("alpha must be finite", ['%a: '+N], T('rgnn.leaky_relu %a {alpha = 0x7FF0000000000000 : f64} : @@', N))
op("needs at least one feature operand; both 'lhs' and 'rhs' are shared tensors", ['%a: tensor<16xf32>'],
   T('rgnn.add %a, %a : (tensor<16xf32>, tensor<16xf32>) -> @@', N))
op("'lhs' and 'rhs' must have the same type, got '!rgnn.feat<node, 16xf32>' and '!rgnn.feat<edge, 16xf32>'", ['%a: '+N, '%b: '+F('edge','16xf32')],
   T('rgnn.mul %a, %b : (@@, @@) -> @@', N, F('edge','16xf32'), N))
op("'rhs' is a shared tensor of shape '8'; it must be a scalar or match the per-element shape '16'", ['%a: '+N, '%b: tensor<8xf32>'],
   T('rgnn.sub %a, %b : (@@, tensor<8xf32>) -> @@', N, N))
op("'lhs' element type 'f64' must be 'f32'", ['%a: '+N, '%b: tensor<f64>'],
   T('rgnn.div %b, %a : (tensor<f64>, @@) -> @@', N, N))
op("result type must be '!rgnn.feat<node, 16xf32>', got '!rgnn.feat<edge, 16xf32>'", ['%a: '+N],
   T('rgnn.add %a, %a : (@@, @@) -> @@', N, N, F('edge','16xf32')))
op("'rgnn.equal' op result type must be '!rgnn.feat<node, 16xf32>', got '!rgnn.feat<edge, 16xf32>'", ['%a: '+N],
   T('rgnn.equal %a, %a : (@@, @@) -> @@', N, N, F('edge','16xf32')))

# concat / split / transpose / reshape
op("needs at least one input", [], T('rgnn.concat dim = 0 : () -> @@', F('edge','4xf32')))
op("dim 2 is out of range for per-element rank 2", ['%a: '+E], T('rgnn.concat %a dim = 2 : (@@) -> @@', E, E))
op("input #1 must be per edge, but is per node", ['%a: '+E, '%b: '+F('node','4x16xf32')],
   T('rgnn.concat %a, %b dim = 1 : (@@, @@) -> @@', E, F('node','4x16xf32'), F('edge','4x32xf32')))
op("input #1 has element type 'f16', expected 'f32'", ['%a: '+E, '%b: '+F('edge','4x16xf16')],
   T('rgnn.concat %a, %b dim = 1 : (@@, @@) -> @@', E, F('edge','4x16xf16'), F('edge','4x32xf32')))
op("input #1 has per-element shape '2x16', which must match '4x32' except in dim 1", ['%a: '+E, '%b: '+F('edge','2x16xf32')],
   T('rgnn.concat %a, %b dim = 1 : (@@, @@) -> @@', E, F('edge','2x16xf32'), F('edge','4x32xf32')))
op("sizes along dim 1 add up to 32, but the whole has 30", ['%a: '+E],
   T('rgnn.concat %a, %a dim = 1 : (@@, @@) -> @@', E, E, F('edge','4x30xf32')))
op("sizes along dim 1 add up to 24, but the whole has 16", ['%a: '+E],
   T('%0:2 = rgnn.split %a dim = 1 : (@@) -> (@@, @@)', E, F('edge','4x8xf32'), F('edge','4x16xf32')))
op("result must be per edge like the input, but is a shared tensor", ['%a: '+E], T('rgnn.transpose %a [1, 0] : @@ -> tensor<16x4xf32>', E))
op("permutation has 1 entries, but the per-element rank is 2", ['%a: '+E], T('rgnn.transpose %a [0] : @@ -> @@', E, E))
op("permutation must list each dimension 0..1 exactly once", ['%a: '+E], T('rgnn.transpose %a [1, 1] : @@ -> @@', E, E))
op("result must have per-element shape '16x4', got '4x16'", ['%a: '+E], T('rgnn.transpose %a [1, 0] : @@ -> @@', E, E))
op("result must be per edge like the input, but is per node", ['%a: '+E], T('rgnn.reshape %a : @@ -> @@', E, F('node','64xf32')))
op("result element type must match the input's", ['%a: '+E], T('rgnn.reshape %a : @@ -> @@', E, F('edge','64xf16')))
op("cannot reshape '4x16' to '60': the element counts differ", ['%a: '+E], T('rgnn.reshape %a : @@ -> @@', E, F('edge','60xf32')))

# choice (per-relation splits)
op("'choice' selects by relation, so it needs 'by relation'", ['%g: !G', '%h: '+F('node','8xf32'), '%w: '+F('node_type','8x4xf32')],
   T('rgnn.typed_linear %g, %h, %w by node_type choice 0 : (!G, @@, @@) -> @@', F('node','8xf32'), F('node_type','8x4xf32'), F('node','4xf32')))
op("'choice' selects edges by relation, so the input must be per edge, but is per unique (dst, relation) pair", ['%g: !K', '%m: '+F('dst_rel','4xf32')],
   T('rgnn.aggregate %g, %m sum choice 1 : (!K, @@) -> @@', F('dst_rel','4xf32'), F('node','4xf32')))
op("'choice' with 'mean' needs a per-(node, relation) result", ['%g: !K', '%m: '+F('edge','4xf32')],
   T('rgnn.aggregate %g, %m mean choice 1 : (!K, @@) -> @@', F('edge','4xf32'), F('node','4xf32')))
op("'choice' cannot restrict a 'max': the edges of unchosen relations would count as zeros", ['%g: !K', '%m: '+F('edge','4xf32')],
   T('rgnn.aggregate %g, %m max choice 1 : (!K, @@) -> @@', F('edge','4xf32'), F('dst_rel','4xf32')))

out = ['// RUN: hector-opt %s -split-input-file -verify-diagnostics', '',
       '// One case per rgnn verifier rule, type verifiers first. Each diagnostic',
       '// names the offending operand and the domain or shape it expected.',
       '// Regenerate with: /usr/bin/python3 test/Dialect/RGNN/gen_invalid.py test/Dialect/RGNN/invalid.mlir', '']
for i, (err, args, body) in enumerate(cases):
    if i: out.append('// -----\n')
    text = body + ' ' + ' '.join(args or [])
    if '!G' in text: out.append('!G = ' + G)
    if '!K' in text: out.append('!K = ' + K)
    if args is None:
        out += ['// expected-error @+1 {{%s}}' % err, body + ' {', '  return', '}']
    else:
        line = body if body.startswith('%') else '%0 = ' + body
        out += ['func.func @f(%s) {' % ', '.join(args), '  // expected-error @+1 {{%s}}' % err,
                '  ' + line, '  return', '}']
    out.append('')
open(sys.argv[1], 'w').write('\n'.join(out))
print(len(cases), 'cases')
