// One RGCN layer, for outside-opt's roundtrip in find-package.test.
!g = !rgnn.graph<node_types = 1, relations = 3>
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 16xf32>,
                %w: !rgnn.feat<relation, 16x8xf32>) -> !rgnn.feat<node, 8xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 16xf32>, !rgnn.feat<relation, 16x8xf32>) -> !rgnn.feat<edge, 8xf32>
  %a = rgnn.aggregate %g, %m sum
      : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<node, 8xf32>
  %r = rgnn.relu %a : !rgnn.feat<node, 8xf32>
  return %r : !rgnn.feat<node, 8xf32>
}
