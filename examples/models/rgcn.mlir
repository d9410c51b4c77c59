// RGCN, one layer, as PyTorch Geometric's RGCNConv(64, 64, num_relations=90,
// aggr="mean", root_weight=True, bias=True):
//
//   h'_i = h_i . W_root + sum_r mean_{j in N_r(i)} h_j . W_r + b
//
// The schema is AIFB with the R-GCN paper's preprocessing (one node type,
// 45 relations and their reverses). W_r . h_j is computed per edge here;
// compact materialization computes it once per unique (src, relation) pair.

!graph = !rgnn.graph<node_types = 1, relations = 90>

func.func @rgcn(%g: !graph,
                %h: !rgnn.feat<node, 64xf32>,
                %w: !rgnn.feat<relation, 64x64xf32>,
                %w_root: tensor<64x64xf32>,
                %bias: tensor<64xf32>) -> !rgnn.feat<node, 64xf32> {
  // Message of edge j -> i under relation r: h_j . W_r.
  %msg = rgnn.typed_linear %g, %h, %w by relation on src
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x64xf32>)
      -> !rgnn.feat<edge, 64xf32>
  // Mean over the incoming edges of each (destination, relation) pair ...
  %per_rel = rgnn.aggregate %g, %msg mean
      : (!graph, !rgnn.feat<edge, 64xf32>) -> !rgnn.feat<dst_rel, 64xf32>
  // ... then the sum over relations.
  %agg = rgnn.aggregate %g, %per_rel sum
      : (!graph, !rgnn.feat<dst_rel, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %self = rgnn.linear %h, %w_root
      : (!rgnn.feat<node, 64xf32>, tensor<64x64xf32>) -> !rgnn.feat<node, 64xf32>
  %sum = rgnn.add %agg, %self
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %out = rgnn.add %sum, %bias
      : (!rgnn.feat<node, 64xf32>, tensor<64xf32>) -> !rgnn.feat<node, 64xf32>
  return %out : !rgnn.feat<node, 64xf32>
}
