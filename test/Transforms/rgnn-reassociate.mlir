// RUN: hector-opt %s -split-input-file -rgnn-reassociate | FileCheck %s
// RUN: hector-opt %s -split-input-file -rgnn-reassociate="prune=false" | FileCheck %s --check-prefix=ALL
// RUN: hector-opt %s -split-input-file -rgnn-reassociate="compact=false reorder=false" | FileCheck %s --check-prefix=PLAIN
// RUN: hector-opt %s -split-input-file -rgnn-reassociate="fuse-edge-softmax=true" | FileCheck %s --check-prefix=FUSED

// RGCN: transform per (src, relation) pair then aggregate, or aggregate per
// (dst, relation) pair then transform; which is faster depends on the
// graph. The reordered and unreordered forms are identical (nothing to
// reorder): whatever the parameters, the duplicate is pruned.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @rgcn(
// CHECK-SAME: rgnn.cost = "cost kernels=2 gemm_flops=Psrc:64
// CHECK-SAME: rgnn.variant = "transform per unique (src, relation) pair, then aggregate"
// CHECK: rgnn.typed_linear {{.*}} on src {{.*}} -> !rgnn.feat<src_rel, 4xf32>
// CHECK: rgnn.aggregate {{.*}} mean : {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// CHECK-NOT: func.func @rgcn__unreordered
// ALL-LABEL: func.func @rgcn(
// ALL: func.func @rgcn__unreordered(
// ALL-LABEL: func.func @rgcn__aggregate_first(
// ALL-SAME: rgnn.cost = "cost kernels=2 gemm_flops=Pdst:64
// ALL-SAME: rgnn.variant_of = "rgcn"
// ALL: %[[X:.*]] = rgnn.gather %{{.*}}, %{{.*}} by src : {{.*}} -> !rgnn.feat<edge, 8xf32>
// ALL: %[[A:.*]] = rgnn.aggregate %{{.*}}, %[[X]] mean : {{.*}} -> !rgnn.feat<dst_rel, 8xf32>
// ALL: rgnn.typed_linear %{{.*}}, %[[A]], %{{.*}} by relation : {{.*}} -> !rgnn.feat<dst_rel, 4xf32>
// ALL: func.func @rgcn__aggregate_first_unreordered(
// ALL-LABEL: func.func @rgcn__per_relation(
// ALL-SAME: \0Acost-choice k=0 gemm_flops=Psrc:64
// ALL-SAME: \0Acost-choice k=1 gemm_flops=Pdst:64
// ALL: func.func @rgcn__per_relation_unreordered(
// Without compaction the GEMM reads h per edge through the src index, a
// gather of the node table (E:32@N:32); the mean's result rows are zeroed,
// accumulated and divided in a second pass (Pdst: 16 + 16 + 2 x 16 bytes).
// PLAIN-LABEL: func.func @rgcn(
// PLAIN-SAME: rgnn.cost = "cost kernels=2 gemm_flops=E:64 other_flops=E:4,Pdst:4 bytes=E:36,Pdst:64,R:128 gathered_bytes=E:32 memory=E:16 gathers=E:32@N:32"
// PLAIN: rgnn.typed_linear {{.*}} on src {{.*}} -> !rgnn.feat<edge, 4xf32>
// PLAIN-NOT: func.func @rgcn__unreordered
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<dst_rel, 4xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  return %a : !rgnn.feat<dst_rel, 4xf32>
}

// -----

// Per relation: both associations, each restricted to the relations whose
// choice it is, added per (dst, relation) pair. Square weights: either
// choice can win for some relation, so the split is kept; the cost record
// charges each choice's GEMM to a `cost-choice` record. (For @rgcn above,
// 8 -> 4, the split stays too: a relation with fewer (dst, relation) than
// (src, relation) pairs can do less GEMM work aggregating first, and the
// two choices gather from different tables, whose misses depend on the
// graph.)
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @square(
// CHECK-LABEL: func.func @square__per_relation(
// CHECK-SAME: rgnn.cost = "cost kernels=4 gemm_flops=0
// CHECK-SAME: \0Acost-choice k=0 gemm_flops=Psrc:128 {{.*}}\0Acost-choice k=1 gemm_flops=Pdst:128
// CHECK-SAME: rgnn.variant_of = "square"
// CHECK: %[[X:.*]] = rgnn.gather %{{.*}}, %{{.*}} by src
// CHECK: %[[XA:.*]] = rgnn.aggregate %{{.*}}, %[[X]] mean choice 1 : {{.*}} -> !rgnn.feat<dst_rel, 8xf32>
// CHECK: %[[AF:.*]] = rgnn.typed_linear %{{.*}}, %[[XA]], %{{.*}} by relation choice 1 : {{.*}} -> !rgnn.feat<dst_rel, 8xf32>
// CHECK: %[[Z:.*]] = rgnn.typed_linear %{{.*}}, %{{.*}}, %{{.*}} by relation on src choice 0 : {{.*}} -> !rgnn.feat<src_rel, 8xf32>
// CHECK: %[[ZE:.*]] = rgnn.gather %{{.*}}, %[[Z]] by src_rel
// CHECK: %[[TF:.*]] = rgnn.aggregate %{{.*}}, %[[ZE]] mean choice 0 : {{.*}} -> !rgnn.feat<dst_rel, 8xf32>
// CHECK: rgnn.add %[[TF]], %[[AF]] : {{.*}} -> !rgnn.feat<dst_rel, 8xf32>
func.func @square(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x8xf32>)
    -> !rgnn.feat<dst_rel, 8xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<edge, 8xf32>
  %a = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  return %a : !rgnn.feat<dst_rel, 8xf32>
}

// -----

// Attention-weighted messages with heads: the per-head weights scale the
// shared input through an outer product, aggregated per (dst, relation)
// pair, then each head is transformed by its own matrix; the sum over
// relations follows.
!g = !rgnn.graph<node_types = 1, relations = 3>
// The scale is fused into the aggregation, which reads its operands per
// edge (alpha 8 and z 32 bytes, with the index 4) beside the GEMM's write
// of z (32); the node result is zeroed and written (N: 32 + 32).
// PLAIN-LABEL: func.func @weighted(
// PLAIN-SAME: bytes=E:76,N:64,R:256 gathered_bytes=E:32
// ALL-LABEL: func.func @weighted__aggregate_first(
// ALL: %[[X:.*]] = rgnn.gather %{{.*}}, %{{.*}} by src : {{.*}} -> !rgnn.feat<edge, 8xf32>
// ALL: %[[O:.*]] = rgnn.outer_product %{{.*}}, %[[X]] : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<edge, 2x8xf32>
// ALL: %[[A:.*]] = rgnn.aggregate %{{.*}}, %[[O]] sum : {{.*}} -> !rgnn.feat<dst_rel, 2x8xf32>
// ALL: %[[T:.*]] = rgnn.typed_linear %{{.*}}, %[[A]], %{{.*}} by relation : (!graph, !rgnn.feat<dst_rel, 2x8xf32>, !rgnn.feat<relation, 2x8x4xf32>) -> !rgnn.feat<dst_rel, 2x4xf32>
// ALL: rgnn.aggregate %{{.*}}, %[[T]] sum : {{.*}} -> !rgnn.feat<node, 2x4xf32>
func.func @weighted(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 2x8x4xf32>,
                    %alpha: !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<node, 2x4xf32> {
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 2x8x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %m = rgnn.scale %alpha, %z : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %a = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %a : !rgnn.feat<node, 2x4xf32>
}

// -----

// Softmax-weighted messages: every candidate is costed as the lowering will
// emit the softmax. By default the normalized weights are stored (E x 2
// heads x 4 bytes); with fuse-edge-softmax only each destination's maximum
// and reciprocal denominator (N x 2 x 2 x 4 bytes).
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @softmax_weighted(
// CHECK-SAME: memory=E:8,Psrc:32
// CHECK-LABEL: func.func @softmax_weighted__aggregate_first(
// CHECK-SAME: memory=E:8,Pdst:96
// FUSED-LABEL: func.func @softmax_weighted(
// FUSED-SAME: memory=N:16,Psrc:32
// FUSED-LABEL: func.func @softmax_weighted__aggregate_first(
// FUSED-SAME: memory=N:16,Pdst:96
func.func @softmax_weighted(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 2x8x4xf32>,
                            %s: !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<node, 2x4xf32> {
  %alpha = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %z = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 2x8x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %m = rgnn.scale %alpha, %z : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %a = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %a : !rgnn.feat<node, 2x4xf32>
}

// -----

// Must not re-associate: a mean over all of a node's edges does not split
// by relation, a message that is not a projection of the source (here
// an edge feature's) has no transform to move, and a maximum does not
// commute with the transform.
!g = !rgnn.graph<node_types = 1, relations = 3>
// ALL-LABEL: func.func @node_mean(
// ALL-NOT: aggregate_first
// ALL-NOT: per_relation
// ALL-LABEL: func.func @edge_message(
// ALL-NOT: aggregate_first
// ALL-NOT: per_relation
// ALL-LABEL: func.func @pair_max(
// ALL-NOT: aggregate_first
// ALL-NOT: per_relation
func.func @node_mean(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<node, 4xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return %a : !rgnn.feat<node, 4xf32>
}
func.func @edge_message(%g: !g, %e: !rgnn.feat<edge, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<node, 4xf32> {
  %m = rgnn.typed_linear %g, %e, %w by relation
      : (!g, !rgnn.feat<edge, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a = rgnn.aggregate %g, %m sum : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return %a : !rgnn.feat<node, 4xf32>
}
func.func @pair_max(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>)
    -> !rgnn.feat<dst_rel, 4xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %a = rgnn.aggregate %g, %m max : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  return %a : !rgnn.feat<dst_rel, 4xf32>
}
