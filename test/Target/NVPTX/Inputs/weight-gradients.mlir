// Weight gradients alone, so that the kernels with shared memory are the
// outer GEMM's (hetop.outer_gemm, tiled): RGCN's per-relation gradient over
// edges (sources gathered) and over unique (src, relation) pairs, a
// per-head gradient with 4 heads of 16, and a shared weight's over nodes.
!g = !rgnn.graph<node_types = 1, relations = 4>
func.func @weight_gradients(%g: !g, %h: !rgnn.feat<node, 64xf32>,
                            %d: !rgnn.feat<edge, 64xf32>,
                            %hp: !rgnn.feat<src_rel, 4x16xf32>,
                            %dp: !rgnn.feat<src_rel, 4x16xf32>,
                            %y: !rgnn.feat<node, 64xf32>)
    -> (!rgnn.feat<relation, 64x64xf32>, !rgnn.feat<relation, 4x16x16xf32>,
        tensor<64x64xf32>) {
  %hs = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<edge, 64xf32>
  %o = rgnn.outer_product %hs, %d : (!rgnn.feat<edge, 64xf32>, !rgnn.feat<edge, 64xf32>) -> !rgnn.feat<edge, 64x64xf32>
  %dw = rgnn.relation_sum %g, %o : (!g, !rgnn.feat<edge, 64x64xf32>) -> !rgnn.feat<relation, 64x64xf32>
  %p = rgnn.outer_product %hp, %dp : (!rgnn.feat<src_rel, 4x16xf32>, !rgnn.feat<src_rel, 4x16xf32>) -> !rgnn.feat<src_rel, 4x16x16xf32>
  %dh = rgnn.relation_sum %g, %p : (!g, !rgnn.feat<src_rel, 4x16x16xf32>) -> !rgnn.feat<relation, 4x16x16xf32>
  %r = rgnn.outer_product %h, %y : (!rgnn.feat<node, 64xf32>, !rgnn.feat<node, 64xf32>) -> !rgnn.feat<node, 64x64xf32>
  %dr = rgnn.domain_sum %r : <node, 64x64xf32> -> tensor<64x64xf32>
  return %dw, %dh, %dr : !rgnn.feat<relation, 64x64xf32>, !rgnn.feat<relation, 4x16x16xf32>, tensor<64x64xf32>
}
