// RGAT with across-relation attention, as in Hector, 4 heads of 16:
//
//   z_j = h_j . W_r                         (per head)
//   s_e = LeakyReLU_0.2(a_r . [h_i . W_r || z_j])   for e = (j, r, i)
//   alpha_e = softmax of s over all incoming edges of i (every relation)
//   h'_i = concat over heads of sum_e alpha_e z_j
//
// PyG's RGATConv(attention_mechanism="across-relation",
// attention_mode="additive-self-attention", dim=1, bias=False) shares one
// query and one key matrix across relations, and they mix heads: its score
// for head h is [h_i W_r || z_j] . [q; k][:, h] over all heads' features.
// With one head that is this model with a shared tensor<1x32xf32> attention
// vector; with several, reshape the concatenation to 128 features and use
// rgnn.linear with a shared tensor<128x4xf32> instead of the inner product.

!graph = !rgnn.graph<node_types = 1, relations = 90>

func.func @rgat(%g: !graph,
                %h: !rgnn.feat<node, 64xf32>,
                %w: !rgnn.feat<relation, 4x64x16xf32>,
                %attn: !rgnn.feat<relation, 4x32xf32>) -> !rgnn.feat<node, 64xf32> {
  %z_src = rgnn.typed_linear %g, %h, %w by relation on src
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 4x64x16xf32>)
      -> !rgnn.feat<edge, 4x16xf32>
  %z_dst = rgnn.typed_linear %g, %h, %w by relation on dst
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<relation, 4x64x16xf32>)
      -> !rgnn.feat<edge, 4x16xf32>
  %cat = rgnn.concat %z_dst, %z_src dim = 1
      : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>)
      -> !rgnn.feat<edge, 4x32xf32>
  %a = rgnn.gather %g, %attn by relation
      : (!graph, !rgnn.feat<relation, 4x32xf32>) -> !rgnn.feat<edge, 4x32xf32>
  %score = rgnn.inner_product %cat, %a
      : (!rgnn.feat<edge, 4x32xf32>, !rgnn.feat<edge, 4x32xf32>)
      -> !rgnn.feat<edge, 4xf32>
  %act = rgnn.leaky_relu %score {alpha = 2.000000e-01 : f64} : !rgnn.feat<edge, 4xf32>
  %alpha = rgnn.edge_softmax %g, %act
      : (!graph, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %msg = rgnn.scale %alpha, %z_src
      : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4x16xf32>)
      -> !rgnn.feat<edge, 4x16xf32>
  %agg = rgnn.aggregate %g, %msg sum
      : (!graph, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %out = rgnn.reshape %agg : !rgnn.feat<node, 4x16xf32> -> !rgnn.feat<node, 64xf32>
  return %out : !rgnn.feat<node, 64xf32>
}
