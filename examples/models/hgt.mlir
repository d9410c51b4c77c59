// HGT, one layer, as PyTorch Geometric's HGTConv(64, 64, metadata, heads=4):
//
//   k, q, v = per-node-type linear (with bias) of h, split into 4 heads of 16
//   k_e = k_j . A_r,  v_e = v_j . M_r     (a 16x16 matrix per head and relation)
//   s_e = (q_i . k_e) * mu_r / sqrt(16),  alpha = softmax over incoming edges
//   o_i = concat over heads of sum_e alpha_e v_e
//   y_i = out_lin_{type(i)}(gelu(o_i)),   beta = sigmoid(skip_{type(i)})
//   h'_i = beta * y_i + (1 - beta) * h_i
//
// The gated skip exists because in = out (PyG drops it otherwise). A node
// with no incoming edges gets y_i = out_lin(gelu(0)) = b_out; PyG returns no
// output at all for a node type that is never a destination, which does not
// occur in ACM. The schema is HGB ACM: node types paper, author, subject, term; relations
// paper-cite-paper, paper-ref-paper, paper-author, author-paper,
// paper-subject, subject-paper, paper-term, term-paper.

!graph = !rgnn.graph<node_types = 4, relations = 8,
    triples = [(0, 0, 0), (0, 1, 0), (0, 2, 1), (1, 3, 0),
               (0, 4, 2), (2, 5, 0), (0, 6, 3), (3, 7, 0)]>

func.func @hgt(%g: !graph,
               %h: !rgnn.feat<node, 64xf32>,
               %w_k: !rgnn.feat<node_type, 64x64xf32>,
               %b_k: !rgnn.feat<node_type, 64xf32>,
               %w_q: !rgnn.feat<node_type, 64x64xf32>,
               %b_q: !rgnn.feat<node_type, 64xf32>,
               %w_v: !rgnn.feat<node_type, 64x64xf32>,
               %b_v: !rgnn.feat<node_type, 64xf32>,
               %a_rel: !rgnn.feat<relation, 4x16x16xf32>,
               %m_rel: !rgnn.feat<relation, 4x16x16xf32>,
               %mu: !rgnn.feat<relation, 4xf32>,
               %w_out: !rgnn.feat<node_type, 64x64xf32>,
               %b_out: !rgnn.feat<node_type, 64xf32>,
               %skip: !rgnn.feat<node_type, f32>) -> !rgnn.feat<node, 64xf32> {
  // Keys, queries and values: per-node-type linear plus bias, split in heads.
  %k0 = rgnn.typed_linear %g, %h, %w_k by node_type
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<node_type, 64x64xf32>)
      -> !rgnn.feat<node, 64xf32>
  %bk = rgnn.gather %g, %b_k by node_type
      : (!graph, !rgnn.feat<node_type, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %k1 = rgnn.add %k0, %bk
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %k = rgnn.reshape %k1 : !rgnn.feat<node, 64xf32> -> !rgnn.feat<node, 4x16xf32>
  %q0 = rgnn.typed_linear %g, %h, %w_q by node_type
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<node_type, 64x64xf32>)
      -> !rgnn.feat<node, 64xf32>
  %bq = rgnn.gather %g, %b_q by node_type
      : (!graph, !rgnn.feat<node_type, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %q1 = rgnn.add %q0, %bq
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %q = rgnn.reshape %q1 : !rgnn.feat<node, 64xf32> -> !rgnn.feat<node, 4x16xf32>
  %v0 = rgnn.typed_linear %g, %h, %w_v by node_type
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<node_type, 64x64xf32>)
      -> !rgnn.feat<node, 64xf32>
  %bv = rgnn.gather %g, %b_v by node_type
      : (!graph, !rgnn.feat<node_type, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %v1 = rgnn.add %v0, %bv
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %v = rgnn.reshape %v1 : !rgnn.feat<node, 64xf32> -> !rgnn.feat<node, 4x16xf32>

  // Per-relation key and message transforms of the source node, per head.
  %k_e = rgnn.typed_linear %g, %k, %a_rel by relation on src
      : (!graph, !rgnn.feat<node, 4x16xf32>, !rgnn.feat<relation, 4x16x16xf32>)
      -> !rgnn.feat<edge, 4x16xf32>
  %v_e = rgnn.typed_linear %g, %v, %m_rel by relation on src
      : (!graph, !rgnn.feat<node, 4x16xf32>, !rgnn.feat<relation, 4x16x16xf32>)
      -> !rgnn.feat<edge, 4x16xf32>

  // Attention: (q_i . k_e) * mu_r / sqrt(d), softmax over incoming edges.
  %q_e = rgnn.gather %g, %q by dst
      : (!graph, !rgnn.feat<node, 4x16xf32>) -> !rgnn.feat<edge, 4x16xf32>
  %s0 = rgnn.inner_product %q_e, %k_e
      : (!rgnn.feat<edge, 4x16xf32>, !rgnn.feat<edge, 4x16xf32>)
      -> !rgnn.feat<edge, 4xf32>
  %mu_e = rgnn.gather %g, %mu by relation
      : (!graph, !rgnn.feat<relation, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %s1 = rgnn.mul %s0, %mu_e
      : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %inv_sqrt_d = arith.constant dense<2.500000e-01> : tensor<f32>
  %s2 = rgnn.mul %s1, %inv_sqrt_d
      : (!rgnn.feat<edge, 4xf32>, tensor<f32>) -> !rgnn.feat<edge, 4xf32>
  %alpha = rgnn.edge_softmax %g, %s2
      : (!graph, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %msg = rgnn.scale %alpha, %v_e
      : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4x16xf32>)
      -> !rgnn.feat<edge, 4x16xf32>
  %agg = rgnn.aggregate %g, %msg sum
      : (!graph, !rgnn.feat<edge, 4x16xf32>) -> !rgnn.feat<node, 4x16xf32>
  %o = rgnn.reshape %agg : !rgnn.feat<node, 4x16xf32> -> !rgnn.feat<node, 64xf32>

  // Output projection per node type, then the gated skip connection.
  %act = rgnn.gelu %o : !rgnn.feat<node, 64xf32>
  %y0 = rgnn.typed_linear %g, %act, %w_out by node_type
      : (!graph, !rgnn.feat<node, 64xf32>, !rgnn.feat<node_type, 64x64xf32>)
      -> !rgnn.feat<node, 64xf32>
  %bo = rgnn.gather %g, %b_out by node_type
      : (!graph, !rgnn.feat<node_type, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %y = rgnn.add %y0, %bo
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %skip_n = rgnn.gather %g, %skip by node_type
      : (!graph, !rgnn.feat<node_type, f32>) -> !rgnn.feat<node, f32>
  %beta = rgnn.sigmoid %skip_n : !rgnn.feat<node, f32>
  %one = arith.constant dense<1.000000e+00> : tensor<f32>
  %keep = rgnn.sub %one, %beta
      : (tensor<f32>, !rgnn.feat<node, f32>) -> !rgnn.feat<node, f32>
  %new = rgnn.scale %beta, %y
      : (!rgnn.feat<node, f32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %old = rgnn.scale %keep, %h
      : (!rgnn.feat<node, f32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  %out = rgnn.add %new, %old
      : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64xf32>
  return %out : !rgnn.feat<node, 64xf32>
}
