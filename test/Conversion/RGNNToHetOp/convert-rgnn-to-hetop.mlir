// RUN: hector-opt %s -convert-rgnn-to-hetop -split-input-file | FileCheck %s
// RUN: hector-opt %s -convert-rgnn-to-hetop=fuse-edge-softmax=false -split-input-file | FileCheck %s --check-prefix=UNFUSED
// RUN: hector-opt %s -convert-rgnn-to-hetop=traversal=edge -split-input-file | FileCheck %s --check-prefix=EDGE
// RUN: hector-opt %s '-convert-rgnn-to-hetop=traversal=edge fuse-edge-softmax=false' -split-input-file | FileCheck %s --check-prefix=EDGEUNFUSED
// RUN: hector-opt %s -convert-rgnn-to-hetop=target=cuda -split-input-file | FileCheck %s --check-prefix=CUDA
// RUN: not hector-opt %s -convert-rgnn-to-hetop=traversal=diagonal -split-input-file 2>&1 | FileCheck %s --check-prefix=BADTRAVERSAL
// BADTRAVERSAL: unknown traversal 'diagonal'; expected node or edge
// RUN: hector-opt %s '-convert-rgnn-to-hetop=traversal=edge traversal-schedule=128,8' -split-input-file | FileCheck %s --check-prefix=SCHED
// RUN: not hector-opt %s -convert-rgnn-to-hetop=traversal-schedule=128 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADSCHED
// BADSCHED: traversal-schedule must be THREADS,LANES (two integers), got '128'
// RUN: not hector-opt %s -convert-rgnn-to-hetop=traversal-schedule=96,64 -split-input-file 2>&1 | FileCheck %s --check-prefix=BADLANES
// BADLANES: invalid traversal-schedule '96,64': lanes must be a power of two between 1 and 32, got 64

// RGCN: the message GEMM runs over relation segments, gathers source rows
// and scatters to edge ids; the per-(dst, relation) mean is a node-parallel
// traversal over the pair CSR; the sum over relations one over the node ->
// pair CSR; the root weight a one-segment GEMM.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @rgcn(
// CHECK-SAME: %[[SRC:arg0]]: memref<?xi32>
// CHECK-SAME: %[[RELOFF:arg4]]: memref<?xi64>, %[[RELEIDS:arg5]]: memref<?xi32>, %[[RELSRC:arg6]]: memref<?xi32>
// CHECK-SAME: %[[DSTPTR:arg28]]: memref<?xi64>, %[[DSTEIDS:arg29]]: memref<?xi32>, %[[NPTR:arg30]]: memref<?xi64>, %[[NPAIRS:arg31]]: memref<?xi32>
// CHECK-SAME: %arg32: memref<?xi32>, %[[H:arg33]]: memref<?x8xf32>, %[[W:arg34]]: memref<?x8x4xf32>, %[[ROOT:arg35]]: memref<8x4xf32>, %[[OUT:arg36]]: memref<?x4xf32>)
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: %[[MSG:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK: hetop.typed_gemm ins(%[[H]], %[[W]] : memref<?x8xf32>, memref<?x8x4xf32>) outs(%[[MSG]] : memref<?x4xf32>) segments(%[[RELOFF]] : memref<?xi64>) gather(%[[RELSRC]] : memref<?xi32>) scatter(%[[RELEIDS]] : memref<?xi32>)
// CHECK: hetop.traverse node_parallel over dst_rel csr(%[[DSTPTR]], %[[DSTEIDS]], %[[DSTEIDS]], %[[DSTEIDS]]
// CHECK: ^bb0(%[[ROW:.*]]: index, %{{.*}}: index, %[[E:.*]]: index, %{{.*}}: index):
// CHECK: memref.load %[[MSG]][%[[E]], %{{.*}}]
// CHECK: hetop.accumulate %{{.*}}, %{{.*}}[%[[ROW]], %{{.*}}]
// Mean: divide by the entries of each pair.
// CHECK: arith.divf
// CHECK: hetop.traverse node_parallel over node_dst_rel csr(%[[NPTR]], %[[NPAIRS]], %[[NPAIRS]], %[[NPAIRS]]
// CHECK: memref.expand_shape %[[ROOT]] {{\[\[}}0, 1], [2]] output_shape [1, 8, 4] : memref<8x4xf32> into memref<1x8x4xf32>
// CHECK: hetop.typed_gemm ins(%[[H]], %{{.*}} : memref<?x8xf32>, memref<1x8x4xf32>)
// The result goes to the last argument; temporaries are freed.
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: memref.dealloc %[[MSG]]
// CHECK: return
// With traversal=edge, the same aggregations are edge-parallel: each entry
// reads its row at its id (an edge's (dst, relation) pair in
// edge_to_unique_dst, a pair's node in unique_dst_nodes) and adds into it
// (atomically, once lowered).
// EDGE-LABEL: func.func @rgcn(
// EDGE: hetop.traverse edge_parallel over dst_rel csr(%arg28, %arg29, %arg29, %arg29
// EDGE-SAME: rows(%arg27 : memref<?xi32>) attributes {access = #hetop.access<direct>}
// EDGE: hetop.accumulate
// EDGE: arith.divf
// EDGE: hetop.traverse edge_parallel over node_dst_rel csr(%arg30, %arg31, %arg31, %arg31
// EDGE-SAME: rows(%arg26 : memref<?xi32>) attributes {access = #hetop.access<direct>}
// EDGE-NOT: node_parallel
// EDGE: return
// Every traversal takes the option's schedule.
// SCHED-LABEL: func.func @rgcn(
// SCHED: hetop.traverse edge_parallel over dst_rel
// SCHED-SAME: attributes {access = #hetop.access<direct>, schedule = #hetop.traversal_schedule<threads = 128, lanes = 8>}
// SCHED: hetop.traverse edge_parallel over node_dst_rel
// SCHED-SAME: schedule = #hetop.traversal_schedule<threads = 128, lanes = 8>}
// CHECK: llvm.mlir.global internal constant @__hector_model_info("hector-model 1\0Acost-params target=cpu gemm_flop={{[^ ]+}} other_flop={{[^ ]+}} byte={{[^ ]+}} gathered_byte={{[^ ]+}} intermediate_byte={{[^ ]+}} kernel={{[^ ]+}} cache={{[^ ]+}}\0Afunc rgcn entry=_mlir_ciface_rgcn params=37\0Agraph node_types=1 relations=3 triples=-\0Acost kernels=4 gemm_flops=E:64,N:64 other_flops={{[^ ]+}} bytes={{[^ ]+}} gathered_bytes={{[^ ]+}} memory={{[^ ]+}} gathers=E:32@N:32\0Aarg 0 graph\0Aarg 1 feat domain=node shape=8 type=f32\0Aarg 2 feat domain=relation shape=8x4 type=f32\0Aarg 3 tensor shape=8x4 type=f32\0Aresult feat domain=node shape=4 type=f32\0Aend\0A\00")
// CHECK: func.func @hector_model_info() -> !llvm.ptr
func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x4xf32>,
                %root: tensor<8x4xf32>) -> !rgnn.feat<node, 4xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x4xf32>) -> !rgnn.feat<edge, 4xf32>
  %p = rgnn.aggregate %g, %m mean : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  %a = rgnn.aggregate %g, %p sum : (!g, !rgnn.feat<dst_rel, 4xf32>) -> !rgnn.feat<node, 4xf32>
  %s = rgnn.linear %h, %root : (!rgnn.feat<node, 8xf32>, tensor<8x4xf32>) -> !rgnn.feat<node, 4xf32>
  %o = rgnn.add %a, %s : (!rgnn.feat<node, 4xf32>, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<node, 4xf32>
  return %o : !rgnn.feat<node, 4xf32>
}

// -----

// A gather is a view, and a single-use elementwise op an expression: the
// copy into the result reads h through the edge -> source list and
// exponentiates in the same loop. No temporary buffer is made.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @gather_view(
// CHECK-SAME: %[[SRC:arg0]]: memref<?xi32>
// CHECK-SAME: %[[H:arg33]]: memref<?x8xf32>
// CHECK-NOT: memref.alloc
// CHECK: scf.parallel (%[[E:.*]]) =
// CHECK: %[[S:.*]] = memref.load %[[SRC]][%[[E]]] : memref<?xi32>
// CHECK: %[[SI:.*]] = arith.index_cast %[[S]] : i32 to index
// CHECK: memref.load %[[H]][%[[SI]], %{{.*}}] : memref<?x8xf32>
// CHECK: %[[X:.*]] = math.exp
// CHECK: memref.store %[[X]], %arg34
func.func @gather_view(%g: !g, %h: !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32> {
  %e = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %x = rgnn.exp %e : !rgnn.feat<edge, 8xf32>
  return %x : !rgnn.feat<edge, 8xf32>
}

// -----

// Several results (a combined backward): one result buffer each, after the
// inputs and in order, and one `result` record each before `end`. A shared
// tensor result is written by the host's loops; a splat constant as a
// result is stored like any value. For the GPU, where the host must not
// touch a buffer, a tensor's elements are a parallel loop, and the domain
// sum runs one task per chunk of 256 rows and element, adding atomically.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CUDA-LABEL: func.func @two_results(
// CUDA-SAME: %[[SUM:arg35]]: memref<8xf32>
// CUDA: %[[N:.*]] = memref.dim %arg3
// CUDA-NOT: memref.alloc
// CUDA: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%c8)
// CUDA: memref.store %{{.*}}, %[[SUM]]
// CUDA: %[[CHUNKS:.*]] = arith.ceildivui %[[N]], %c256
// CUDA: %[[TASKS:.*]] = arith.muli %[[CHUNKS]], %c8
// CUDA: scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[TASKS]])
// CUDA: %[[LO:.*]] = arith.muli %{{.*}}, %c256
// CUDA: %[[HI:.*]] = arith.minui %{{.*}}, %[[N]]
// CUDA: %[[PART:.*]] = scf.for %{{.*}} = %[[LO]] to %[[HI]]
// CUDA: memref.atomic_rmw addf %[[PART]], %[[SUM]]
// CUDA: math.exp
// CUDA-NOT: memref.load %[[SUM]]
// CUDA: scf.parallel
// CUDA: memref.store %{{.*}}, %arg36
// CUDA-NOT: scf.for
// CUDA: return
// CHECK-LABEL: func.func @two_results(
// CHECK-SAME: %[[H:arg33]]: memref<?x8xf32>, %[[X:arg34]]: memref<?x8xf32>, %[[S:arg35]]: memref<8xf32>, %[[Z:arg36]]: memref<2xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// The sum is computed in its result parameter; nothing is allocated.
// CHECK-NOT: memref.alloc
// CHECK: memref.load %[[S]]
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK-NOT: memref.load %[[S]]
// CHECK: math.exp
// CHECK: memref.store %{{.*}}, %[[X]]
// CHECK-NOT: memref.load %[[S]]
// CHECK: memref.store %[[ZERO]], %[[Z]]
// CHECK: llvm.mlir.global internal constant @__hector_model_info("{{.*}}func two_results entry=_mlir_ciface_two_results params=37\0A{{.*}}arg 1 feat domain=node shape=8 type=f32\0Aresult feat domain=node shape=8 type=f32\0Aresult tensor shape=8 type=f32\0Aresult tensor shape=2 type=f32\0Aend\0A
func.func @two_results(%g: !g, %h: !rgnn.feat<node, 8xf32>)
    -> (!rgnn.feat<node, 8xf32>, tensor<8xf32>, tensor<2xf32>) {
  %x = rgnn.exp %h : !rgnn.feat<node, 8xf32>
  %s = rgnn.domain_sum %h : <node, 8xf32> -> tensor<8xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  return %x, %s, %z : !rgnn.feat<node, 8xf32>, tensor<8xf32>, tensor<2xf32>
}

// -----

// A sum per relation. For the GPU (and with edge-parallel traversals) a
// task walks a chunk of the relation-sorted edges, finds the relation of its
// first by binary search of the offsets, and adds its running sum into a
// relation's row atomically whenever the walk leaves that relation.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @relation_sum(
// CHECK: scf.parallel
// CHECK-NOT: memref.atomic_rmw
// CHECK: return
// EDGE-LABEL: func.func @relation_sum(
// EDGE: memref.atomic_rmw
// CUDA-LABEL: func.func @relation_sum(
// CUDA: scf.parallel
// CUDA: %[[FIRST:.*]]:2 = scf.while
// CUDA: %[[WALK:.*]]:3 = scf.for %{{.*}} iter_args(%[[SEG:.*]] = %{{.*}}, %[[END:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (index, index, f32)
// CUDA: %[[LEFT:.*]] = arith.cmpi uge, %{{.*}}, %[[END]]
// CUDA: scf.if %[[LEFT]]
// CUDA: memref.atomic_rmw addf %[[ACC]], %{{.*}}[%[[SEG]],
// CUDA: memref.atomic_rmw addf %[[WALK]]#2, %{{.*}}[%[[WALK]]#0,
func.func @relation_sum(%g: !g, %m: !rgnn.feat<edge, 4xf32>)
    -> !rgnn.feat<relation, 4xf32> {
  %s = rgnn.relation_sum %g, %m : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<relation, 4xf32>
  return %s : !rgnn.feat<relation, 4xf32>
}

// -----

// Weight gradients: a type or domain sum of an outer product. Each is one
// hetop.outer_gemm over the sum's segments, its rows the relation-sorted
// edges (`rows`), A read at the edges' sources through the gather view, no
// per-edge matrix; the shared weight's over every node, unsegmented. The
// same on the CPU and the GPU: the templates differ.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @weight_gradients(
// CHECK-SAME: %[[SRC:arg0]]: memref<?xi32>
// CHECK-SAME: %[[RELOFF:arg4]]: memref<?xi64>, %[[RELEIDS:arg5]]: memref<?xi32>
// CHECK-SAME: %[[H:arg33]]: memref<?x8xf32>, %[[D:arg34]]: memref<?x4xf32>, %[[X:arg35]]: memref<?x8xf32>, %[[Y:arg36]]: memref<?x4xf32>, %[[DW:arg37]]: memref<?x8x4xf32>, %[[DR:arg38]]: memref<8x4xf32>
// CHECK-NOT: memref.alloc
// CHECK: hetop.outer_gemm ins(%[[H]], %[[D]] : memref<?x8xf32>, memref<?x4xf32>) outs(%[[DW]] : memref<?x8x4xf32>) segments(%[[RELOFF]] : memref<?xi64>) rows(%[[RELEIDS]] : memref<?xi32>) gather_a(%[[SRC]] : memref<?xi32>)
// CHECK: hetop.outer_gemm ins(%[[X]], %[[Y]] : memref<?x8xf32>, memref<?x4xf32>) outs(%[[DR]] : memref<8x4xf32>)
// CHECK-NOT: scf.parallel
// CHECK: return
// EDGE-LABEL: func.func @weight_gradients(
// EDGE: hetop.outer_gemm
// EDGE: hetop.outer_gemm
// CUDA-LABEL: func.func @weight_gradients(
// CUDA-SAME: %[[SRC:arg0]]: memref<?xi32>
// CUDA-SAME: %[[RELOFF:arg4]]: memref<?xi64>, %[[RELEIDS:arg5]]: memref<?xi32>
// CUDA-SAME: %[[H:arg33]]: memref<?x8xf32>, %[[D:arg34]]: memref<?x4xf32>, %[[X:arg35]]: memref<?x8xf32>, %[[Y:arg36]]: memref<?x4xf32>, %[[DW:arg37]]: memref<?x8x4xf32>, %[[DR:arg38]]: memref<8x4xf32>
// CUDA-NOT: memref.alloc
// CUDA: hetop.outer_gemm ins(%[[H]], %[[D]] : memref<?x8xf32>, memref<?x4xf32>) outs(%[[DW]] : memref<?x8x4xf32>) segments(%[[RELOFF]] : memref<?xi64>) rows(%[[RELEIDS]] : memref<?xi32>) gather_a(%[[SRC]] : memref<?xi32>)
// CUDA-NOT: gather_b
// CUDA-NOT: memref.alloc
// CUDA: hetop.outer_gemm ins(%[[X]], %[[Y]] : memref<?x8xf32>, memref<?x4xf32>) outs(%[[DR]] : memref<8x4xf32>)
// CUDA-NOT: segments
// CUDA-NOT: scf.parallel
// CUDA: return
func.func @weight_gradients(%g: !g, %h: !rgnn.feat<node, 8xf32>,
                            %d: !rgnn.feat<edge, 4xf32>,
                            %x: !rgnn.feat<node, 8xf32>,
                            %y: !rgnn.feat<node, 4xf32>)
    -> (!rgnn.feat<relation, 8x4xf32>, tensor<8x4xf32>) {
  %hs = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %o = rgnn.outer_product %hs, %d : (!rgnn.feat<edge, 8xf32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 8x4xf32>
  %dw = rgnn.relation_sum %g, %o : (!g, !rgnn.feat<edge, 8x4xf32>) -> !rgnn.feat<relation, 8x4xf32>
  %r = rgnn.outer_product %x, %y : (!rgnn.feat<node, 8xf32>, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<node, 8x4xf32>
  %dr = rgnn.domain_sum %r : <node, 8x4xf32> -> tensor<8x4xf32>
  return %dw, %dr : !rgnn.feat<relation, 8x4xf32>, tensor<8x4xf32>
}

// -----

// A split by relation (rgnn-reassociate's `__per_relation`): `choice k`
// ops read the binding's relation choice table, graph array 32. The GEMM
// selects its relation segments; an aggregation onto pairs tests the
// relation of each pair (a table built once), one onto nodes the CSR's
// edge type of each entry.
// CHECK-LABEL: func.func @split(
// CHECK-SAME: %[[CHOICE:arg32]]: memref<?xi32>
// CHECK: hetop.typed_gemm {{.*}} segments(%arg18 : memref<?xi64>) gather(%arg19 : memref<?xi32>) select(%[[CHOICE]] : memref<?xi32>, 0)
// CHECK: %[[PAIRREL:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK: hetop.traverse node_parallel over dst_rel csr
// CHECK-NEXT: ^bb0(%[[ROW:.*]]: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[R:.*]] = memref.load %[[PAIRREL]][%[[ROW]]]
// CHECK-NEXT: %[[RI:.*]] = arith.index_cast %[[R]]
// CHECK-NEXT: %[[C:.*]] = memref.load %[[CHOICE]][%[[RI]]]
// CHECK-NEXT: %[[CI:.*]] = arith.index_cast %[[C]]
// CHECK-NEXT: %[[EQ:.*]] = arith.cmpi eq, %[[CI]], %c0
// CHECK-NEXT: scf.if %[[EQ]] {
// CHECK: hetop.accumulate
// CHECK: hetop.traverse node_parallel over in csr
// CHECK-NEXT: ^bb0(%{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[ET:.*]]: index):
// CHECK-NEXT: %{{.*}} = memref.load %[[CHOICE]][%[[ET]]]
// CHECK: arith.cmpi eq, %{{.*}}, %c1
// CHECK: scf.if
// For CUDA the pairs' relation table is a thread per pair, which bisects
// the pair offsets (a thread per relation would write all its pairs alone).
// CUDA-LABEL: func.func @split(
// CUDA: %[[PAIRREL:.*]] = memref.alloc(%[[P:.*]]) : memref<?xi32>
// CUDA-NEXT: scf.parallel (%[[Q:.*]]) = (%{{.*}}) to (%[[P]])
// CUDA-NOT: scf.for
// CUDA: scf.while
// CUDA: memref.load %arg25[
// CUDA: arith.cmpi ugt, %{{.*}}, %[[Q]]
// CUDA: %[[R:.*]] = arith.subi
// CUDA-NEXT: %[[R32:.*]] = arith.index_cast %[[R]] : index to i32
// CUDA-NEXT: memref.store %[[R32]], %[[PAIRREL]][%[[Q]]]
!g = !rgnn.graph<node_types = 1, relations = 3>
func.func @split(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x8xf32>)
    -> !rgnn.feat<node, 8xf32> {
  %z = rgnn.typed_linear %g, %h, %w by relation on src choice 0
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<src_rel, 8xf32>
  %ze = rgnn.gather %g, %z by src_rel : (!g, !rgnn.feat<src_rel, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %a = rgnn.aggregate %g, %ze mean choice 0 : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<dst_rel, 8xf32>
  %x = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<edge, 8xf32>
  %s = rgnn.aggregate %g, %x sum choice 1 : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<node, 8xf32>
  %n = rgnn.aggregate %g, %a sum : (!g, !rgnn.feat<dst_rel, 8xf32>) -> !rgnn.feat<node, 8xf32>
  %o = rgnn.add %n, %s : (!rgnn.feat<node, 8xf32>, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32>
  return %o : !rgnn.feat<node, 8xf32>
}

// -----

// Compact materialization's output: the GEMM runs over the unique
// (src, relation) pairs, reading each pair's source row, with no scatter.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @compact(
// CHECK-SAME: %[[UOFF:arg18]]: memref<?xi64>, %[[UNODES:arg19]]: memref<?xi32>
// CHECK: hetop.typed_gemm {{.*}} segments(%[[UOFF]] : memref<?xi64>) gather(%[[UNODES]] : memref<?xi32>)
// CHECK-NOT: scatter
func.func @compact(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<relation, 8x8xf32>)
    -> !rgnn.feat<src_rel, 8xf32> {
  %m = rgnn.typed_linear %g, %h, %w by relation on src
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<relation, 8x8xf32>) -> !rgnn.feat<src_rel, 8xf32>
  return %m : !rgnn.feat<src_rel, 8xf32>
}

// -----

// Per-node-type weights: node-type segments over the nodes sorted by type.
// A [K] input times a multi-head [H, K, N] weight reads a transposed copy
// of the weight and writes C viewed as rows of H * N.
!g = !rgnn.graph<node_types = 2, relations = 1>
// CHECK-LABEL: func.func @by_node_type(
// CHECK-SAME: %[[NOFF:arg16]]: memref<?xi64>, %[[NNODES:arg17]]: memref<?xi32>
// CHECK: %[[B:.*]] = memref.alloc(%{{.*}}) : memref<?x8x8xf32>
// CHECK: arith.divui
// CHECK: arith.remui
// CHECK: %[[C:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : memref<?x2x4xf32> into memref<?x8xf32>
// CHECK: hetop.typed_gemm ins(%{{.*}}, %[[B]] : memref<?x8xf32>, memref<?x8x8xf32>) outs(%[[C]] : memref<?x8xf32>) segments(%[[NOFF]] : memref<?xi64>) gather(%[[NNODES]] : memref<?xi32>) scatter(%[[NNODES]] : memref<?xi32>)
func.func @by_node_type(%g: !g, %h: !rgnn.feat<node, 8xf32>, %w: !rgnn.feat<node_type, 2x8x4xf32>)
    -> !rgnn.feat<node, 2x4xf32> {
  %y = rgnn.typed_linear %g, %h, %w by node_type
      : (!g, !rgnn.feat<node, 8xf32>, !rgnn.feat<node_type, 2x8x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %y : !rgnn.feat<node, 2x4xf32>
}

// -----

// Edge softmax: per destination node, three passes over its in-CSR row.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[INPTR:arg8]]: memref<?xi64>, %{{.*}}: memref<?xi32>, %[[INEIDS:arg10]]: memref<?xi32>
// CHECK: scf.parallel
// CHECK: memref.load %[[INPTR]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%g: !g, %s: !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  return %a : !rgnn.feat<edge, 4xf32>
}


// -----

// Edge softmax fused with the sum it weighs (RGAT, HGT): a loop over the
// destinations stores only each one's maximum and reciprocal denominator
// per head (node-sized buffers; one online pass: the sum is rescaled when
// the maximum grows); the aggregation's traversal computes each
// edge's weight once per head, exp(s - max) * (1 / sum), and scales the
// message's last dimension by it. No edge-sized buffer exists.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @softmax_aggregate(
// CHECK-SAME: %[[SRC:arg0]]: memref<?xi32>, %[[DST:arg1]]: memref<?xi32>, %{{.*}}: memref<?xi32>, %[[NTYPE:arg3]]: memref<?xi32>
// CHECK-SAME: %[[INPTR:arg8]]: memref<?xi64>, %{{.*}}: memref<?xi32>, %[[INEIDS:arg10]]: memref<?xi32>
// CHECK-SAME: %[[S:arg33]]: memref<?x2xf32>, %[[M:arg34]]: memref<?x2x4xf32>, %[[OUT:arg35]]: memref<?x2x4xf32>
// CHECK-NOT: memref.dim %[[SRC]]
// CHECK: %[[N:.*]] = memref.dim %[[NTYPE]]
// CHECK-NOT: memref.dim %[[SRC]]
// CHECK: %[[MAX:.*]] = memref.alloc(%[[N]]) : memref<?x2xf32>
// CHECK: %[[INV:.*]] = memref.alloc(%[[N]]) : memref<?x2xf32>
// CHECK: scf.parallel (%[[NODE:.*]]) =
// CHECK: memref.load %[[INPTR]][%[[NODE]]]
// CHECK: arith.cmpf ogt
// CHECK: math.exp
// CHECK: arith.select
// CHECK: memref.store %{{.*}}, %[[MAX]][%[[NODE]], %{{.*}}]
// CHECK: %[[RCP:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: memref.store %[[RCP]], %[[INV]][%[[NODE]], %{{.*}}]
// The result is accumulated in its parameter, not in a temporary.
// CHECK-NOT: memref.alloc
// CHECK: hetop.traverse node_parallel over in csr
// CHECK-NEXT: ^bb0(%[[ROW:.*]]: index, %{{.*}}: index, %[[E:.*]]: index, %{{.*}}: index):
// CHECK: %[[D:.*]] = memref.load %[[DST]][%[[E]]]
// CHECK: %[[DI:.*]] = arith.index_cast %[[D]]
// CHECK: scf.for %[[H:.*]] =
// CHECK: %[[X:.*]] = memref.load %[[S]][%[[E]], %[[H]]]
// CHECK: %[[MX:.*]] = memref.load %[[MAX]][%[[DI]], %[[H]]]
// CHECK: %[[IV:.*]] = memref.load %[[INV]][%[[DI]], %[[H]]]
// CHECK: %[[SUB:.*]] = arith.subf %[[X]], %[[MX]]
// CHECK: %[[EX:.*]] = math.exp %[[SUB]]
// CHECK: %[[W:.*]] = arith.mulf %[[EX]], %[[IV]]
// CHECK: scf.for %[[F:.*]] =
// CHECK: %[[V:.*]] = memref.load %[[M]][%[[E]], %[[H]], %[[F]]]
// CHECK: %[[P:.*]] = arith.mulf %[[W]], %[[V]]
// CHECK: hetop.accumulate %[[P]], %[[OUT]][%[[ROW]], %[[H]], %[[F]]]
// The cost record charges the form lowered: node-sized statistics as the
// intermediate memory, against E x heads weights unfused.
// CHECK: cost kernels=2 {{.*}} memory=N:16 gathers=0
// Edge-parallel, the fused softmax's statistics are accumulated too, not
// looped over per destination (a hub's in-edges would be one thread's
// loop): the maxima (-inf) and sums (0) initialized in one loop, the
// maximum of each destination's scores, the sum of exponentials relative
// to it, the reciprocals in place; then the weighted aggregation.
// EDGE-LABEL: func.func @softmax_aggregate(
// EDGE-SAME: %[[DST:arg1]]: memref<?xi32>
// EDGE-SAME: %[[S:arg33]]: memref<?x2xf32>
// EDGE: %[[MAX:.*]] = memref.alloc(%{{.*}}) : memref<?x2xf32>
// EDGE: %[[SUM:.*]] = memref.alloc(%{{.*}}) : memref<?x2xf32>
// EDGE: scf.parallel (%[[N:.*]]) =
// EDGE: memref.store %{{.*}}, %[[MAX]][%[[N]], %{{.*}}]
// EDGE: memref.store %{{.*}}, %[[SUM]][%[[N]], %{{.*}}]
// EDGE-NOT: arith.cmpf ogt
// EDGE: hetop.traverse edge_parallel over in csr
// EDGE-SAME: rows(%[[DST]] : memref<?xi32>)
// EDGE-NEXT: ^bb0(%[[R1:.*]]: index, %{{.*}}: index, %[[E1:.*]]: index, %{{.*}}: index):
// EDGE: %[[X1:.*]] = memref.load %[[S]][%[[E1]], %[[H1:.*]]]
// EDGE-NEXT: hetop.accumulate max %[[X1]], %[[MAX]][%[[R1]], %[[H1]]]
// EDGE: hetop.traverse edge_parallel over in csr
// EDGE-NEXT: ^bb0(%[[R2:.*]]: index, %{{.*}}: index, %[[E2:.*]]: index, %{{.*}}: index):
// EDGE: %[[M2:.*]] = memref.load %[[MAX]][%[[R2]], %[[H2:.*]]]
// EDGE-NEXT: %[[X2:.*]] = memref.load %[[S]][%[[E2]], %[[H2]]]
// EDGE-NEXT: %[[D2:.*]] = arith.subf %[[X2]], %[[M2]]
// EDGE-NEXT: %[[EX2:.*]] = math.exp %[[D2]]
// EDGE-NEXT: hetop.accumulate %[[EX2]], %[[SUM]][%[[R2]], %[[H2]]]
// EDGE: scf.parallel (%[[N3:.*]]) =
// EDGE-NOT: memref.load %arg8
// EDGE: %[[T:.*]] = memref.load %[[SUM]][%[[N3]], %[[H3:.*]]]
// EDGE: %[[RCP:.*]] = arith.divf %{{.*}}, %[[T]]
// EDGE-NEXT: memref.store %[[RCP]], %[[SUM]][%[[N3]], %[[H3]]]
// EDGE: hetop.traverse edge_parallel over in csr
// EDGE-SAME: rows(%[[DST]] : memref<?xi32>) attributes {access = #hetop.access<direct>}
// EDGE: math.exp
// EDGE: hetop.accumulate
// EDGE: cost kernels=5 {{.*}} memory=N:16 gathers=0
// Unfused, the same statistics, then a thread per edge stores its weight,
// which the aggregation reads.
// EDGEUNFUSED-LABEL: func.func @softmax_aggregate(
// EDGEUNFUSED-SAME: %[[DST:arg1]]: memref<?xi32>
// EDGEUNFUSED-SAME: %[[S:arg33]]: memref<?x2xf32>
// EDGEUNFUSED: %[[MAX:.*]] = memref.alloc(%[[N:.*]]) : memref<?x2xf32>
// EDGEUNFUSED: %[[INV:.*]] = memref.alloc(%[[N]]) : memref<?x2xf32>
// EDGEUNFUSED: %[[W:.*]] = memref.alloc(%[[E:.*]]) : memref<?x2xf32>
// EDGEUNFUSED-NOT: arith.cmpf ogt
// EDGEUNFUSED: hetop.accumulate max
// EDGEUNFUSED: hetop.accumulate %{{.*}}, %[[INV]]
// EDGEUNFUSED: arith.divf
// EDGEUNFUSED: scf.parallel (%[[EI:.*]]) = (%{{.*}}) to (%[[E]])
// EDGEUNFUSED: memref.load %[[DST]][%[[EI]]]
// EDGEUNFUSED: %[[X:.*]] = memref.load %[[S]][%[[EI]], %[[H:.*]]]
// EDGEUNFUSED: math.exp
// EDGEUNFUSED: %[[WV:.*]] = arith.mulf
// EDGEUNFUSED-NEXT: memref.store %[[WV]], %[[W]][%[[EI]], %[[H]]]
// EDGEUNFUSED: hetop.traverse edge_parallel over in csr
// EDGEUNFUSED: memref.load %[[W]]
// EDGEUNFUSED: cost kernels=6 {{.*}} memory=E:8,N:16 gathers=0
// UNFUSED-LABEL: func.func @softmax_aggregate(
// UNFUSED: %[[E:.*]] = memref.dim %arg0
// UNFUSED: memref.alloc(%[[E]]) : memref<?x2xf32>
// UNFUSED: hetop.traverse node_parallel over in csr
// UNFUSED: cost kernels=2 {{.*}} memory=E:8 gathers=0
func.func @softmax_aggregate(%g: !g, %s: !rgnn.feat<edge, 2xf32>, %m: !rgnn.feat<edge, 2x4xf32>)
    -> !rgnn.feat<node, 2x4xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %w = rgnn.scale %a, %m : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %y = rgnn.aggregate %g, %w sum : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %y : !rgnn.feat<node, 2x4xf32>
}

// -----

// Fused onto (dst, relation) pairs, through an outer product, for the
// relations that chose this form: the traversal over the pair CSR weighs
// each edge by its destination's statistics.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @softmax_outer_to_pairs(
// CHECK-SAME: %[[DST:arg1]]: memref<?xi32>
// CHECK-SAME: %[[CHOICE:arg32]]: memref<?xi32>, %[[S:arg33]]: memref<?x2xf32>, %[[X:arg34]]: memref<?x3xf32>, %[[OUT:arg35]]: memref<?x2x3xf32>
// CHECK-NOT: memref.dim %arg0
// CHECK: %[[MAX:.*]] = memref.alloc(%{{.*}}) : memref<?x2xf32>
// CHECK: %[[INV:.*]] = memref.alloc(%{{.*}}) : memref<?x2xf32>
// CHECK-NOT: memref.alloc({{.*}}) : memref<?x2x3xf32>
// CHECK: hetop.traverse node_parallel over dst_rel csr
// CHECK-NEXT: ^bb0(%[[ROW:.*]]: index, %{{.*}}: index, %[[E:.*]]: index, %{{.*}}: index):
// CHECK: memref.load %[[CHOICE]][
// CHECK: scf.if
// CHECK: memref.load %[[DST]][%[[E]]]
// CHECK: scf.for %[[H:.*]] =
// CHECK: memref.load %[[MAX]][
// CHECK: %[[W:.*]] = arith.mulf
// CHECK: scf.for %[[F:.*]] =
// CHECK: %[[V:.*]] = memref.load %[[X]][%[[E]], %[[F]]]
// CHECK: %[[P:.*]] = arith.mulf %[[W]], %[[V]]
// CHECK: hetop.accumulate %[[P]], %[[OUT]][%[[ROW]], %[[H]], %[[F]]]
func.func @softmax_outer_to_pairs(%g: !g, %s: !rgnn.feat<edge, 2xf32>, %x: !rgnn.feat<edge, 3xf32>)
    -> !rgnn.feat<dst_rel, 2x3xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %w = rgnn.outer_product %a, %x : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 3xf32>) -> !rgnn.feat<edge, 2x3xf32>
  %y = rgnn.aggregate %g, %w sum choice 1 : (!g, !rgnn.feat<edge, 2x3xf32>) -> !rgnn.feat<dst_rel, 2x3xf32>
  return %y : !rgnn.feat<dst_rel, 2x3xf32>
}

// -----

// Weights shared by two sums (the per-relation re-association): one
// statistics loop, and each sum computes the weights it reads.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @softmax_two_sums(
// CHECK-NOT: memref.dim %arg0
// CHECK: arith.cmpf ogt
// CHECK-NOT: arith.cmpf ogt
// CHECK: hetop.traverse node_parallel over in csr
// CHECK: math.exp
// CHECK: hetop.traverse node_parallel over in csr
// CHECK: math.exp
func.func @softmax_two_sums(%g: !g, %s: !rgnn.feat<edge, 2xf32>, %m: !rgnn.feat<edge, 2x4xf32>)
    -> !rgnn.feat<node, 2x4xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %w0 = rgnn.scale %a, %m : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %y0 = rgnn.aggregate %g, %w0 sum choice 0 : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  %w1 = rgnn.scale %a, %m : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %y1 = rgnn.aggregate %g, %w1 sum choice 1 : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  %y = rgnn.add %y0, %y1 : (!rgnn.feat<node, 2x4xf32>, !rgnn.feat<node, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %y : !rgnn.feat<node, 2x4xf32>
}

// -----

// Not fused: the weights have another use (they are stored, per edge, as
// before), the aggregation averages, or it sums onto sources.
!g = !rgnn.graph<node_types = 1, relations = 2>
// CHECK-LABEL: func.func @softmax_not_fused(
// CHECK: %[[E:.*]] = memref.dim %arg0
// CHECK: memref.alloc(%[[E]]) : memref<?x2xf32>
// CHECK: hetop.traverse node_parallel over in csr
// CHECK-LABEL: func.func @softmax_mean(
// CHECK: %[[E:.*]] = memref.dim %arg0
// CHECK: memref.alloc(%[[E]]) : memref<?x2xf32>
// CHECK: hetop.traverse node_parallel over in csr
// CHECK-LABEL: func.func @softmax_to_src(
// CHECK: %[[E:.*]] = memref.dim %arg0
// CHECK: memref.alloc(%[[E]]) : memref<?x2xf32>
// CHECK: hetop.traverse node_parallel over out csr
func.func @softmax_not_fused(%g: !g, %s: !rgnn.feat<edge, 2xf32>, %m: !rgnn.feat<edge, 2x4xf32>)
    -> !rgnn.feat<node, 2x4xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %w = rgnn.scale %a, %m : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %v = rgnn.scale %a, %w : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %y = rgnn.aggregate %g, %v sum : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %y : !rgnn.feat<node, 2x4xf32>
}
func.func @softmax_mean(%g: !g, %s: !rgnn.feat<edge, 2xf32>, %m: !rgnn.feat<edge, 2x4xf32>)
    -> !rgnn.feat<node, 2x4xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %w = rgnn.scale %a, %m : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %y = rgnn.aggregate %g, %w mean : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %y : !rgnn.feat<node, 2x4xf32>
}
func.func @softmax_to_src(%g: !g, %s: !rgnn.feat<edge, 2xf32>, %m: !rgnn.feat<edge, 2x4xf32>)
    -> !rgnn.feat<node, 2x4xf32> {
  %a = rgnn.edge_softmax %g, %s : (!g, !rgnn.feat<edge, 2xf32>) -> !rgnn.feat<edge, 2xf32>
  %w = rgnn.scale %a, %m : (!rgnn.feat<edge, 2xf32>, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<edge, 2x4xf32>
  %y = rgnn.aggregate %g, %w sum to src : (!g, !rgnn.feat<edge, 2x4xf32>) -> !rgnn.feat<node, 2x4xf32>
  return %y : !rgnn.feat<node, 2x4xf32>
}

// -----

// A max aggregation starts from -inf, combines by maximum, and sets the
// rows without entries to 0 in a second pass; the backward's tie mask is
// 1.0 where equal.
!g = !rgnn.graph<node_types = 1, relations = 3>
// CHECK-LABEL: func.func @pair_max(
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: hetop.traverse node_parallel over dst_rel csr
// CHECK: hetop.accumulate max
// CHECK: %[[N:.*]] = arith.subi
// CHECK: %[[EMPTY:.*]] = arith.cmpi slt, %[[N]], %{{.*}} : i64
// CHECK: arith.select %[[EMPTY]], %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf oeq
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// EDGE-LABEL: func.func @pair_max(
// EDGE: hetop.traverse edge_parallel over dst_rel csr
// EDGE: hetop.accumulate max
func.func @pair_max(%g: !g, %h: !rgnn.feat<node, 4xf32>) -> (!rgnn.feat<dst_rel, 4xf32>, !rgnn.feat<edge, 4xf32>) {
  %hs = rgnn.gather %g, %h by src : (!g, !rgnn.feat<node, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %p = rgnn.aggregate %g, %hs max : (!g, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<dst_rel, 4xf32>
  %pe = rgnn.gather %g, %p by dst_rel : (!g, !rgnn.feat<dst_rel, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  %hit = rgnn.equal %hs, %pe : (!rgnn.feat<edge, 4xf32>, !rgnn.feat<edge, 4xf32>) -> !rgnn.feat<edge, 4xf32>
  return %p, %hit : !rgnn.feat<dst_rel, 4xf32>, !rgnn.feat<edge, 4xf32>
}
