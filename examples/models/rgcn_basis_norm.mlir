// RGCN with the R-GCN paper's options: basis decomposition
// W_r = sum_b a_rb V_b (30 bases) and given per-edge normalization
// constants c_e (for example 1 / |N_r(i)|) instead of the mean:
//
//   h'_i = h_i . W_root + sum_{e = (j, r, i)} c_e * (h_j . W_r) + b
//
// PyG's RGCNConv(num_bases=30) computes the same W_r.

!graph = !rgnn.graph<node_types = 1, relations = 90>

func.func @rgcn_basis_norm(%g: !graph,
                           %h: !rgnn.feat<node, 64xf32>,
                           %coeff: !rgnn.feat<relation, 30xf32>,
                           %bases: tensor<30x64x64xf32>,
                           %norm: !rgnn.feat<edge, f32>,
                           %w_root: tensor<64x64xf32>,
                           %bias: tensor<64xf32>) -> !rgnn.feat<node, 64xf32> {
  %w = rgnn.weight_product %coeff, %bases
      : (!rgnn.feat<relation, 30xf32>, tensor<30x64x64xf32>)
      -> !rgnn.feat<relation, 64x64xf32>
  %msg = rgnn.typed_linear %g, %h, %w by relation on src
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 64x64xf32>)
      -> !rgnn.feat<edge, 64xf32>
  %scaled = rgnn.scale %norm, %msg
      : (!rgnn.feat<edge, f32>, !rgnn.feat<edge, 64xf32>) -> !rgnn.feat<edge, 64xf32>
  %agg = rgnn.aggregate %g, %scaled sum
      : (!graph, !rgnn.feat<edge, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %self = rgnn.linear %h, %w_root
      : (!rgnn.feat<node, 64xf32>, tensor<64x64xf32>) -> !rgnn.feat<node, 64xf32>
  %sum = rgnn.add %agg, %self
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %out = rgnn.add %sum, %bias
      : (!rgnn.feat<node, 64xf32>, tensor<64xf32>) -> !rgnn.feat<node, 64xf32>
  return %out : !rgnn.feat<node, 64xf32>
}
