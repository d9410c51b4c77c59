// RUN: hector-opt %s -convert-hetop-to-scf -split-input-file | FileCheck %s
// RUN: hector-opt %s '-convert-hetop-to-scf=target=gpu' -split-input-file | FileCheck %s --check-prefixes=GPU,TILED
// RUN: hector-opt %s '-convert-hetop-to-scf=target=gpu gemm-template=elementwise' -split-input-file | FileCheck %s --check-prefixes=GPU,EW
// RUN: hector-opt %s '-convert-hetop-to-scf=gemm-template=tiled' -split-input-file | FileCheck %s --check-prefix=EMU
// RUN: not hector-opt %s '-convert-hetop-to-scf=target=gpu gemm-template=blocked' -split-input-file 2>&1 | FileCheck %s --check-prefix=BLOCKED
// RUN: not hector-opt %s '-convert-hetop-to-scf=gemm-template=tild' -split-input-file 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// BLOCKED: error: gemm-template=blocked is the CPU's; the GPU has tiled and elementwise
// UNKNOWN: error: unknown gemm-template 'tild'; expected default, blocked, tiled or elementwise
// RUN: not hector-opt %s '-convert-hetop-to-scf=vector-width=12' -split-input-file 2>&1 | FileCheck %s --check-prefix=WIDTH
// WIDTH: error: vector-width must be a power of two from 1 to 64, got 12

// A typed GEMM: a parallel loop over blocks of 4 rows. A full block inside
// one segment runs the 4-row kernel (16 accumulators of 16 floats for
// N = 64); other rows run the 1-row kernel. The segment of a block's first
// row is found by binary search over the offsets.
// CHECK-LABEL: func.func @gemm(
// CHECK-SAME: %[[A:.*]]: memref<?x32xf32>, %[[B:.*]]: memref<?x32x64xf32>, %[[C:.*]]: memref<?x64xf32>, %[[OFF:.*]]: memref<?xi64>, %[[G:.*]]: memref<?xi32>, %[[S:.*]]: memref<?xi32>)
// CHECK: scf.parallel
// CHECK: scf.while
// CHECK: arith.divui
// CHECK: scf.while
// CHECK: scf.if
// CHECK: memref.load %[[G]]
// CHECK: memref.load %[[S]]
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %[[B]]
// CHECK: vector.broadcast
// CHECK-COUNT-16: vector.fma
// CHECK: vector.store {{.*}}, %[[C]]
// CHECK: } else {
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT: hetop.typed_gemm
// The GPU's tiled kernel: a block per 64 rows (grid x, which holds 2^31 - 1
// blocks) and 64 columns (grid y), 256 threads of 4 x 4 outputs, A and B tiles of 8 K steps in
// shared memory (a padding column each). The block's first segment is found
// by binary search, then the segments its rows overlap are walked; the K
// loop carries the 16 accumulators, stages the tiles (A rows gathered),
// and multiplies between two barriers; rows are scattered to C. No rows
// give an empty grid, left to hector-guard-empty-launches.
// TILED-LABEL: func.func @gemm(
// TILED-SAME: %[[A:[^:]*]]: memref<?x32xf32>, %[[B:[^:]*]]: memref<?x32x64xf32>, %[[C:[^:]*]]: memref<?x64xf32>, %[[OFF:[^:]*]]: memref<?xi64>, %[[G:[^:]*]]: memref<?xi32>, %[[S:[^:]*]]: memref<?xi32>)
// TILED: %[[ROWS:.*]] = memref.dim %[[G]]
// TILED: %[[GY:.*]] = arith.ceildivui %[[ROWS]], %c64
// TILED-NOT: scf.if
// TILED: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[GY]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%[[AT:.*]] : memref<8x65xf32, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<8x65xf32, #gpu.address_space<workgroup>>) {
// TILED: %[[ROW0:.*]] = arith.muli %[[BX]], %c64
// TILED: scf.while
// TILED: memref.load %[[OFF]]
// TILED: scf.while
// TILED: scf.for {{.*}} step %c8 iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// TILED: memref.load %[[G]]
// TILED: memref.load %[[A]]
// TILED: memref.store %{{.*}}, %[[AT]]
// TILED: memref.load %[[B]]
// TILED: memref.store %{{.*}}, %[[BT]]
// TILED: gpu.barrier
// TILED: memref.load %[[AT]]
// TILED: memref.load %[[BT]]
// TILED-COUNT-128: math.fma
// TILED: gpu.barrier
// TILED: memref.load %[[S]]
// TILED: memref.store %{{.*}}, %[[C]]
// TILED: gpu.terminator
// TILED-NOT: vector.
// The GPU's elementwise form: one iteration per element of C, columns
// fastest (neighbouring threads, neighbouring columns), in a 1-D loop; each
// finds its segment and reduces over K.
// EW-LABEL: func.func @gemm(
// EW: %[[N:.*]] = arith.muli %{{.*}}, %c64
// EW: scf.parallel (%[[I:.*]]) = (%c0) to (%[[N]])
// EW: %[[COL:.*]] = arith.remui %[[I]], %c64
// EW: %[[ROW:.*]] = arith.divui %[[I]], %c64
// EW: scf.while
// EW: memref.load %{{.*}}[%[[ROW]]] : memref<?xi32>
// EW: scf.for {{.*}} -> (f32)
// EW: memref.load %{{.*}}[%{{.*}}, %{{.*}}, %[[COL]]] : memref<?x32x64xf32>
// EW: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[COL]]] : memref<?x64xf32>
// EW-NOT: vector.
// The tiled kernel emulated on the CPU: blocks are a parallel loop with the
// tiles and every thread's accumulators in buffers; each phase between
// barriers is a loop over the 256 threads.
// EMU-LABEL: func.func @gemm(
// EMU: scf.parallel (%{{.*}}, %{{.*}}) = (%[[Z:c0[_0-9]*]], %[[Z]]) to (%c1{{.*}}, %{{.*}})
// EMU: %[[AT:.*]] = memref.alloc() : memref<8x65xf32>
// EMU: %[[BT:.*]] = memref.alloc() : memref<8x65xf32>
// EMU: %[[ACC:.*]] = memref.alloc() : memref<256x4x4xf32>
// EMU: scf.for %{{.*}} = %c0{{.*}} to %c256
// EMU: scf.for %{{.*}} = %c0{{.*}} to %c32{{.*}} step %c8
// EMU: scf.for %{{.*}} = %c0{{.*}} to %c256
// EMU: memref.store %{{.*}}, %[[AT]]
// EMU: scf.for %{{.*}} = %c0{{.*}} to %c256
// EMU: memref.load %[[ACC]]
// EMU: math.fma
// EMU: memref.store %{{.*}}, %[[ACC]]
// EMU: scf.for %{{.*}} = %c0{{.*}} to %c256
// EMU: memref.dealloc %[[AT]]
// EMU-NOT: gpu.
func.func @gemm(%a: memref<?x32xf32>, %b: memref<?x32x64xf32>, %c: memref<?x64xf32>,
                %off: memref<?xi64>, %g: memref<?xi32>, %s: memref<?xi32>) {
  hetop.typed_gemm ins(%a, %b : memref<?x32xf32>, memref<?x32x64xf32>)
      outs(%c : memref<?x64xf32>) segments(%off : memref<?xi64>)
      gather(%g : memref<?xi32>) scatter(%s : memref<?xi32>)
  return
}

// -----

// A select: a segment whose mask entry differs is not computed; its C rows
// are stored as zeros.
// CHECK-LABEL: func.func @gemm_select(
// CHECK-SAME: %[[MASK:[^:]*]]: memref<?xi32>)
// CHECK: scf.while
// CHECK: %[[M:.*]] = memref.load %[[MASK]]
// CHECK: %[[SEL:.*]] = arith.cmpi eq, %{{.*}}, %c1
// CHECK: scf.if %[[SEL]] {
// CHECK: vector.fma
// CHECK: } else {
// CHECK: scf.for
// CHECK: vector.store %cst{{.*}}, %{{.*}} : memref<?x64xf32>, vector<16xf32>
// The tiled kernel decides per segment, for the whole block; a skipped
// segment's rows are stored as zeros.
// TILED-LABEL: func.func @gemm_select(
// TILED-SAME: %[[MASK:[^:]*]]: memref<?xi32>)
// TILED: gpu.launch
// TILED: %[[M:.*]] = memref.load %[[MASK]]
// TILED: %[[SEL:.*]] = arith.cmpi eq, %{{.*}}, %c1
// TILED: scf.if %[[SEL]] {
// TILED: gpu.barrier
// TILED: } else {
// TILED-NOT: gpu.barrier
// TILED: memref.store %cst{{.*}} : memref<?x64xf32>
// EW-LABEL: func.func @gemm_select(
// EW: scf.parallel
// EW: %[[SEL:.*]] = arith.cmpi eq
// EW: scf.if %[[SEL]] -> (f32) {
// EW: scf.for {{.*}} -> (f32)
// EW: } else {
// EW: scf.yield %cst
func.func @gemm_select(%a: memref<?x32xf32>, %b: memref<?x32x64xf32>, %c: memref<?x64xf32>,
                       %off: memref<?xi64>, %mask: memref<?xi32>) {
  hetop.typed_gemm ins(%a, %b : memref<?x32xf32>, memref<?x32x64xf32>)
      outs(%c : memref<?x64xf32>) segments(%off : memref<?xi64>)
      select(%mask : memref<?xi32>, 1)
  return
}

// -----

// N = 12: the widest vector that divides it is 4; a schedule pins 2 rows
// per kernel; atomic accumulation adds each lane with atomic_rmw.
// CHECK-LABEL: func.func @gemm_atomic
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK: memref.atomic_rmw addf
// CHECK-NOT: vector.store
// On the GPU the schedule gives 2 x 16 tiles of 32 threads, one output
// each; columns past N = 12 are neither staged nor written.
// TILED-LABEL: func.func @gemm_atomic
// TILED: threads(%{{.*}}) in (%{{.*}} = %c32
// TILED-SAME: workgroup(%{{.*}} : memref<8x3xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<8x17xf32, #gpu.address_space<workgroup>>)
// TILED: arith.cmpi ult, %{{.*}}, %c12
// TILED: memref.atomic_rmw addf
func.func @gemm_atomic(%a: memref<?x8xf32>, %b: memref<3x8x12xf32>, %c: memref<?x12xf32>,
                       %off: memref<4xindex>, %s: memref<?xi32>) {
  hetop.typed_gemm ins(%a, %b : memref<?x8xf32>, memref<3x8x12xf32>)
      outs(%c : memref<?x12xf32>) mode = atomic_add segments(%off : memref<4xindex>)
      scatter(%s : memref<?xi32>)
      {schedule = #hetop.gemm_schedule<tile_m = 2, tile_n = 16, tile_k = 8, threads = 32>}
  return
}

// -----

// Node-parallel traversal: the row's own accumulation is a plain add, an
// accumulation into another row an atomic one. On the CPU the rows are
// split into 256 chunks of equal work (entries plus rows): the bounds of a
// chunk are the first rows whose offset plus index reaches its share.
// CHECK-LABEL: func.func @traverse_node(
// CHECK-SAME: %[[PTR:.*]]: memref<?xi64>, %[[COL:.*]]: memref<?xi32>, %[[EID:.*]]: memref<?xi32>, %{{.*}}: memref<?xi32>, %[[X:.*]]: memref<?xf32>, %[[OUT:.*]]: memref<?xf32>)
// CHECK: %[[ROWS:.*]] = arith.subi %{{.*}}, %[[C1:.*]] : index
// CHECK: %[[NNZ:.*]] = memref.load %[[PTR]][%[[ROWS]]]
// CHECK: %[[NNZI:.*]] = arith.index_cast %[[NNZ]]
// CHECK: %[[WORK:.*]] = arith.addi %[[NNZI]], %[[ROWS]]
// CHECK: %[[CHUNKS:.*]] = arith.constant 256 : index
// CHECK: scf.parallel (%[[CHUNK:.*]]) = (%{{.*}}) to (%[[CHUNKS]])
// CHECK: %[[W0:.*]] = arith.muli %[[WORK]], %[[CHUNK]]
// CHECK: %[[SHARE0:.*]] = arith.divui %[[W0]], %[[CHUNKS]]
// CHECK: %[[FIRST:.*]]:2 = scf.while
// CHECK: %[[AT:.*]] = memref.load %[[PTR]][%[[MID:.*]]]
// CHECK: %[[ATI:.*]] = arith.index_cast %[[AT]]
// CHECK: %[[KEY:.*]] = arith.addi %[[ATI]], %[[MID]]
// CHECK: arith.cmpi uge, %[[KEY]], %[[SHARE0]]
// CHECK: %[[NEXT:.*]] = arith.addi %[[CHUNK]], %[[C1]]
// CHECK: %[[W1:.*]] = arith.muli %[[WORK]], %[[NEXT]]
// CHECK: %[[SHARE1:.*]] = arith.divui %[[W1]], %[[CHUNKS]]
// CHECK: %[[LAST:.*]]:2 = scf.while
// CHECK: arith.cmpi uge, %{{.*}}, %[[SHARE1]]
// CHECK: scf.for %[[ROW:.*]] = %[[FIRST]]#0 to %[[LAST]]#0
// GPU-LABEL: func.func @traverse_node(
// GPU-NOT: scf.while
// GPU: scf.parallel (%[[ROW:.*]]) = (%{{.*}}) to (%{{.*}})
// GPU-NEXT: memref.load %{{.*}}[%[[ROW]]] : memref<?xi64>
// CHECK: scf.for %[[P:.*]] =
// CHECK: %[[C:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK: %[[V:.*]] = memref.load %[[X]]
// CHECK: %[[OLD:.*]] = memref.load %[[OUT]][%[[ROW]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[V]]
// CHECK: memref.store %[[NEW]], %[[OUT]][%[[ROW]]]
// CHECK: memref.atomic_rmw addf %[[V]], %[[OUT]][%[[C]]]
// CHECK-NOT: hetop
func.func @traverse_node(%ptr: memref<?xi64>, %col: memref<?xi32>, %eid: memref<?xi32>,
                         %et: memref<?xi32>, %x: memref<?xf32>, %out: memref<?xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %v = memref.load %x[%e] : memref<?xf32>
    hetop.accumulate %v, %out[%row] : f32, memref<?xf32>
    hetop.accumulate %v, %out[%c] : f32, memref<?xf32>
  }
  return
}

// -----

// `max` accumulations: a maximum into the owned row, an atomic maximum into
// another row (node-parallel) and anywhere edge-parallel.
// CHECK-LABEL: func.func @traverse_max(
// CHECK-SAME: %[[X:[^:]*]]: memref<?xf32>, %[[OUT:[^:]*]]: memref<?xf32>)
// CHECK: %[[V:.*]] = memref.load %[[X]]
// CHECK: %[[OLD:.*]] = memref.load %[[OUT]][%[[ROW:.*]]]
// CHECK: %[[NEW:.*]] = arith.maximumf %[[OLD]], %[[V]]
// CHECK: memref.store %[[NEW]], %[[OUT]][%[[ROW]]]
// CHECK: memref.atomic_rmw maximumf %[[V]], %[[OUT]][%{{.*}}]
// CHECK: scf.parallel
// CHECK: memref.atomic_rmw maximumf %{{.*}}, %[[OUT]][%{{.*}}]
// CHECK-NOT: arith.addf
// CHECK-NOT: hetop
// GPU-LABEL: func.func @traverse_max(
// GPU: arith.maximumf
// GPU: memref.atomic_rmw maximumf
func.func @traverse_max(%ptr: memref<?xi64>, %col: memref<?xi32>, %eid: memref<?xi32>,
                        %et: memref<?xi32>, %x: memref<?xf32>, %out: memref<?xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %v = memref.load %x[%e] : memref<?xf32>
    hetop.accumulate max %v, %out[%row] : f32, memref<?xf32>
    hetop.accumulate max %v, %out[%c] : f32, memref<?xf32>
  }
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %v = memref.load %x[%e] : memref<?xf32>
    hetop.accumulate max %v, %out[%row] : f32, memref<?xf32>
  }
  return
}

// -----

// Direct access: an entry reads its row at its id (here `dst` of its edge),
// two loads, no binary search of the offsets.
// CHECK-LABEL: func.func @traverse_direct(
// CHECK-SAME: %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: memref<?xi32>, %[[EID:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?xi32>, %[[DST:[^:]*]]: memref<?xi32>
// CHECK-NOT: scf.while
// CHECK: scf.parallel (%[[P:.*]]) =
// CHECK: %[[E:.*]] = memref.load %[[EID]][%[[P]]]
// CHECK: %[[EI:.*]] = arith.index_cast %[[E]]
// CHECK: %[[ROW:.*]] = memref.load %[[DST]][%[[EI]]]
// CHECK: %[[ROWI:.*]] = arith.index_cast %[[ROW]]
// CHECK: memref.atomic_rmw addf %{{.*}}, %{{.*}}[%[[ROWI]]]
func.func @traverse_direct(%ptr: memref<?xi64>, %col: memref<?xi32>, %eid: memref<?xi32>,
                           %et: memref<?xi32>, %dst: memref<?xi32>, %x: memref<?xf32>,
                           %out: memref<?xf32>) {
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>)
      rows(%dst : memref<?xi32>) attributes {access = #hetop.access<direct>} {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %v = memref.load %x[%e] : memref<?xf32>
    hetop.accumulate %v, %out[%row] : f32, memref<?xf32>
  }
  return
}

// -----

// A buffer accumulated only at the owned row, with a static row shape, is
// accumulated in a row-local buffer: copied in, added to per entry, copied
// out, for rows with entries. The GPU keeps the in-place add.
// CHECK-LABEL: func.func @traverse_node_row_local(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x4xf32>, %[[OUT:[^:]*]]: memref<?x4xf32>)
// CHECK: scf.parallel
// CHECK: scf.for %[[ROW:.*]] =
// CHECK: %[[ANY:.*]] = arith.cmpi ult
// CHECK: scf.if %[[ANY]]
// CHECK: memref.alloca_scope
// CHECK: %[[ACC:.*]] = memref.alloca() : memref<4xf32>
// CHECK: scf.for %[[I:.*]] =
// CHECK: %[[IN:.*]] = memref.load %[[OUT]][%[[ROW]], %[[I]]]
// CHECK: memref.store %[[IN]], %[[ACC]][%[[I]]]
// CHECK: scf.for
// CHECK: scf.for %[[J:.*]] =
// CHECK: %[[V:.*]] = memref.load %[[X]]
// CHECK: %[[OLD:.*]] = memref.load %[[ACC]][%[[J]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[V]]
// CHECK: memref.store %[[NEW]], %[[ACC]][%[[J]]]
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[RES:.*]] = memref.load %[[ACC]][%[[K]]]
// CHECK: memref.store %[[RES]], %[[OUT]][%[[ROW]], %[[K]]]
// GPU-LABEL: func.func @traverse_node_row_local(
// GPU-NOT: memref.alloca
// GPU: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<?x4xf32>
// GPU-NOT: memref.alloca
func.func @traverse_node_row_local(%ptr: memref<?xi64>, %col: memref<?xi32>,
                                   %eid: memref<?xi32>, %et: memref<?xi32>,
                                   %x: memref<?x4xf32>, %out: memref<?x4xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %x[%e, %j] : memref<?x4xf32>
      hetop.accumulate %v, %out[%row, %j] : f32, memref<?x4xf32>
    }
  }
  return
}

// -----

// On the GPU a traversal has a parallel iteration per row (or entry) and
// lane of its body's loop nest, lanes fastest: here 2 heads x 4 features.
// A lane decomposes into its head and feature; the head's ops repeat in
// each of its lanes. An element every loop of the nest indexes is the
// lane's own (a plain add into the owned row); a per-head sum is shared by
// the head's lanes, so it is atomic even into the owned row.
// GPU-LABEL: func.func @traverse_lanes(
// GPU-SAME: %[[X:[^:]*]]: memref<?x2x4xf32>, %[[S:[^:]*]]: memref<?x2xf32>, %[[OUT:[^:]*]]: memref<?x2x4xf32>, %[[SUM:[^:]*]]: memref<?x2xf32>)
// GPU: %[[ROWS:.*]] = arith.subi
// GPU: %[[N:.*]] = arith.muli %[[ROWS]], %c8{{.*}}
// GPU: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]])
// GPU: %[[ROW:.*]] = arith.divui %[[I]], %c8{{.*}}
// GPU: %[[LANE:.*]] = arith.remui %[[I]], %c8{{.*}}
// GPU: scf.for
// GPU: %[[HQ:.*]] = arith.divui %[[LANE]], %c4{{.*}}
// GPU: %[[HR:.*]] = arith.remui %[[HQ]], %c2{{.*}}
// GPU: %[[H:.*]] = arith.addi %c0{{.*}}, %{{.*}}
// GPU: %[[FQ:.*]] = arith.divui %[[LANE]], %c1{{.*}}
// GPU: %[[FR:.*]] = arith.remui %[[FQ]], %c4{{.*}}
// GPU: %[[F:.*]] = arith.addi %c0{{.*}}, %{{.*}}
// GPU: %[[W:.*]] = memref.load %[[S]][%{{.*}}, %[[H]]]
// GPU: %[[V:.*]] = memref.load %[[X]][%{{.*}}, %[[H]], %[[F]]]
// GPU: %[[WV:.*]] = arith.mulf %[[W]], %[[V]]
// GPU: %[[OLD:.*]] = memref.load %[[OUT]][%[[ROW]], %[[H]], %[[F]]]
// GPU: %[[NEW:.*]] = arith.addf %[[OLD]], %[[WV]]
// GPU: memref.store %[[NEW]], %[[OUT]][%[[ROW]], %[[H]], %[[F]]]
// GPU: memref.atomic_rmw addf %[[WV]], %[[SUM]][%[[ROW]], %[[H]]]
func.func @traverse_lanes(%ptr: memref<?xi64>, %col: memref<?xi32>,
                          %eid: memref<?xi32>, %et: memref<?xi32>,
                          %x: memref<?x2x4xf32>, %s: memref<?x2xf32>,
                          %out: memref<?x2x4xf32>, %sum: memref<?x2xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    scf.for %h = %c0 to %c2 step %c1 {
      %w = memref.load %s[%e, %h] : memref<?x2xf32>
      scf.for %f = %c0 to %c4 step %c1 {
        %v = memref.load %x[%e, %h, %f] : memref<?x2x4xf32>
        %wv = arith.mulf %w, %v : f32
        hetop.accumulate %wv, %out[%row, %h, %f] : f32, memref<?x2x4xf32>
        hetop.accumulate %wv, %sum[%row, %h] : f32, memref<?x2xf32>
      }
    }
  }
  return
}

// -----

// The nest stops at a level that writes (the per-head store), and shrinks
// until every store in its innermost body is indexed by all its loops: the
// feature loop's store is per head only, so lanes are the 2 heads and each
// runs the feature loop.
// GPU-LABEL: func.func @traverse_lanes_shrink(
// GPU: %[[N:.*]] = arith.muli %{{.*}}, %c2
// GPU: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]])
// GPU: %[[LANE:.*]] = arith.remui %[[I]], %c2
// GPU: scf.for
// GPU: memref.store
// GPU-NOT: scf.parallel
// GPU: scf.parallel (%[[J:.*]]) = (%{{.*}}) to (%{{.*}})
// GPU-NOT: arith.remui %[[J]]
// GPU: scf.for %[[H:.*]] =
// GPU: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[H]]]
func.func @traverse_lanes_shrink(%ptr: memref<?xi64>, %col: memref<?xi32>,
                                 %eid: memref<?xi32>, %et: memref<?xi32>,
                                 %x: memref<?x2x4xf32>, %last: memref<?x2xf32>) {
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    scf.for %h = %c0 to %c2 step %c1 {
      scf.for %f = %c0 to %c4 step %c1 {
        %v = memref.load %x[%e, %h, %f] : memref<?x2x4xf32>
        memref.store %v, %last[%e, %h] : memref<?x2xf32>
      }
    }
  }
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %z = arith.constant 0.0 : f32
    memref.store %z, %last[%e, %c0] : memref<?x2xf32>
    scf.for %h = %c0 to %c2 step %c1 {
      memref.store %z, %last[%e, %h] : memref<?x2xf32>
    }
  }
  return
}

// -----

// A schedule with fewer lanes than the nest has iterations (2 of 2 x 4):
// the top level runs once per entry, then each lane runs every second
// iteration of the nest, neighbouring lanes on neighbouring features. The
// loop asks for the schedule's block size; the CPU's chunked form
// (the default run) takes neither.
// GPU-LABEL: func.func @traverse_schedule(
// GPU-SAME: %[[X:[^:]*]]: memref<?x2x4xf32>, %[[S:[^:]*]]: memref<?x2xf32>, %[[OUT:[^:]*]]: memref<?x2x4xf32>)
// GPU: %[[N:.*]] = arith.muli %{{.*}}, %c2
// GPU: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[N]])
// GPU: %[[ROW:.*]] = arith.divui %[[I]], %c2
// GPU: %[[LANE:.*]] = arith.remui %[[I]], %c2
// GPU: scf.for
// GPU: %[[W:.*]] = memref.load %[[S]]
// GPU: scf.for %[[K:.*]] = %[[LANE]] to %c8{{.*}} step %c2
// GPU: arith.divui %[[K]], %c4
// GPU: %[[V:.*]] = memref.load %[[X]]
// GPU: arith.mulf %[[W]], %[[V]]
// GPU: memref.store %{{.*}}, %[[OUT]][%[[ROW]],
// GPU: } {hetop.block_threads = 128 : i64}
// CHECK-LABEL: func.func @traverse_schedule(
// CHECK-NOT: hetop.block_threads
// CHECK: return
func.func @traverse_schedule(%ptr: memref<?xi64>, %col: memref<?xi32>,
                             %eid: memref<?xi32>, %et: memref<?xi32>,
                             %x: memref<?x2x4xf32>, %s: memref<?x2xf32>,
                             %out: memref<?x2x4xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>)
      attributes {schedule = #hetop.traversal_schedule<threads = 128, lanes = 2>} {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    %w = memref.load %s[%e, %c0] : memref<?x2xf32>
    scf.for %h = %c0 to %c2 step %c1 {
      scf.for %f = %c0 to %c4 step %c1 {
        %v = memref.load %x[%e, %h, %f] : memref<?x2x4xf32>
        %wv = arith.mulf %w, %v : f32
        hetop.accumulate %wv, %out[%row, %h, %f] : f32, memref<?x2x4xf32>
      }
    }
  }
  return
}

// -----

// A schedule with more lanes than the nest has iterations: a lane each.
// GPU-LABEL: func.func @traverse_schedule_wide(
// GPU: arith.muli %{{.*}}, %c8
// GPU-NOT: scf.for %{{.*}} = %{{.*}} to %c8
// GPU: } {hetop.block_threads = 256 : i64}
func.func @traverse_schedule_wide(%ptr: memref<?xi64>, %col: memref<?xi32>,
                                  %eid: memref<?xi32>, %et: memref<?xi32>,
                                  %x: memref<?x2x4xf32>, %out: memref<?x2x4xf32>) {
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>)
      attributes {schedule = #hetop.traversal_schedule<threads = 256, lanes = 32>} {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    scf.for %h = %c0 to %c2 step %c1 {
      scf.for %f = %c0 to %c4 step %c1 {
        %v = memref.load %x[%e, %h, %f] : memref<?x2x4xf32>
        hetop.accumulate %v, %out[%row, %h, %f] : f32, memref<?x2x4xf32>
      }
    }
  }
  return
}

// -----

// No row-local buffer where the traversal also reads the buffer, where its
// row shape is dynamic, or where its rows have more than one dimension.
// CHECK-LABEL: func.func @traverse_node_in_place(
// CHECK-NOT: memref.alloca
// CHECK: return
func.func @traverse_node_in_place(%ptr: memref<?xi64>, %col: memref<?xi32>,
                                  %eid: memref<?xi32>, %et: memref<?xi32>,
                                  %out: memref<?x4xf32>, %dyn: memref<?x?xf32>,
                                  %heads: memref<?x2x4xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %v = memref.load %out[%e, %c0] : memref<?x4xf32>
    hetop.accumulate %v, %out[%row, %c0] : f32, memref<?x4xf32>
    hetop.accumulate %v, %dyn[%row, %c0] : f32, memref<?x?xf32>
    hetop.accumulate %v, %heads[%row, %c0, %c0] : f32, memref<?x2x4xf32>
  }
  return
}

// -----

// On the CPU a node-parallel traversal prefetches the rows it gathers through
// an index list (rows of 128 bytes or more, from tables of 4 MiB or more,
// tested once before the loop): the row 8 entries ahead, and the index-list
// element that leads to it 16 entries ahead, both clamped to the last entry.
// Not prefetched: the destination's own row, rows of 64 bytes, rows indexed
// by an inner loop's variable; and nothing on the GPU.
// CHECK-LABEL: func.func @traverse_node_prefetch(
// CHECK-SAME: %[[PTR:[^:]*]]: memref<?xi64>, %[[COL:[^:]*]]: memref<?xi32>, %[[EID:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?xi32>, %[[MAP:[^:]*]]: memref<?xi32>, %[[TAB:[^:]*]]: memref<?x2x32xf32>,
// CHECK: %[[ROWS:.*]] = memref.dim %[[TAB]], %{{.*}}
// CHECK: %[[LARGE:.*]] = arith.cmpi uge, %[[ROWS]], %{{.*}} : index
// CHECK: %[[LASTE:.*]] = arith.subi %{{.*}}, %{{.*}} : index
// CHECK: scf.for %{{.*}} =
// CHECK: scf.for %[[P:.*]] =
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK-NEXT: %[[P8:.*]] = arith.addi %[[P]], %[[C8]] : index
// CHECK-NEXT: %[[NEAR:.*]] = arith.minui %[[P8]], %[[LASTE]]
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: %[[P16:.*]] = arith.addi %[[P]], %[[C16]] : index
// CHECK-NEXT: %[[FAR:.*]] = arith.minui %[[P16]], %[[LASTE]]
// CHECK: %[[EFAR:.*]] = memref.load %[[EID]][%[[FAR]]]
// CHECK: %[[EFARI:.*]] = arith.index_cast %[[EFAR]]
// CHECK: %[[ENEAR:.*]] = memref.load %[[EID]][%[[NEAR]]]
// CHECK: %[[ENEARI:.*]] = arith.index_cast %[[ENEAR]]
// CHECK: scf.if %[[LARGE]] {
// CHECK-NEXT: memref.prefetch %[[MAP]][%[[EFARI]]], read, locality<3>, data : memref<?xi32>
// CHECK-NEXT: %[[K:.*]] = memref.load %[[MAP]][%[[ENEARI]]]
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]]
// CHECK-COUNT-4: memref.prefetch %[[TAB]][%[[KI]], %{{.*}}, %{{.*}}], read, locality<3>, data
// CHECK-NOT: memref.prefetch
// CHECK: }
// CHECK-NOT: memref.prefetch
// CHECK: return
// GPU-LABEL: func.func @traverse_node_prefetch(
// GPU-NOT: memref.prefetch
// GPU: return
func.func @traverse_node_prefetch(%ptr: memref<?xi64>, %col: memref<?xi32>,
                                  %eid: memref<?xi32>, %et: memref<?xi32>,
                                  %map: memref<?xi32>, %tab: memref<?x2x32xf32>,
                                  %small: memref<?x16xf32>,
                                  %own: memref<?x2x32xf32>,
                                  %out: memref<?x2x32xf32>) {
  hetop.traverse node_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %k32 = memref.load %map[%e] : memref<?xi32>
    %k = arith.index_cast %k32 : i32 to index
    scf.for %j = %c0 to %c2 step %c1 {
      %v = memref.load %tab[%k, %j, %c0] : memref<?x2x32xf32>
      %s = memref.load %small[%c, %c0] : memref<?x16xf32>
      %o = memref.load %own[%row, %j, %c0] : memref<?x2x32xf32>
      %i = memref.load %own[%j, %j, %c0] : memref<?x2x32xf32>
      %a = arith.addf %v, %s : f32
      %b = arith.addf %o, %i : f32
      %d = arith.addf %a, %b : f32
      hetop.accumulate %d, %out[%row, %j, %c0] : f32, memref<?x2x32xf32>
    }
  }
  return
}

// -----

// Edge-parallel traversal: one iteration per entry; the row comes from a
// binary search of the offsets; every accumulation is atomic.
// CHECK-LABEL: func.func @traverse_edge
// CHECK: scf.parallel
// CHECK: scf.while
// CHECK: memref.atomic_rmw addf
func.func @traverse_edge(%ptr: memref<?xi64>, %col: memref<?xi32>, %eid: memref<?xi32>,
                         %et: memref<?xi32>, %out: memref<?xf32>) {
  hetop.traverse edge_parallel over in csr(%ptr, %col, %eid, %et
      : memref<?xi64>, memref<?xi32>, memref<?xi32>, memref<?xi32>) {
  ^bb0(%row: index, %c: index, %e: index, %r: index):
    %one = arith.constant 1.0 : f32
    hetop.accumulate %one, %out[%row] : f32, memref<?xf32>
  }
  return
}

// -----

// A weight gradient's outer GEMM. On the CPU a task per (segment, tile of 4
// K rows) walks the segment's rows (through `rows` and the gather) with its
// 4 x 32 outputs in 8 vector accumulators: per row, two vector loads of B,
// four broadcasts of A and eight FMAs. The task owns its outputs: they are
// stored once, after the rows, and C is not zeroed first.
// CHECK-LABEL: func.func @outer_gemm(
// CHECK-SAME: %[[A:arg0]]: memref<?x64xf32>, %[[B:arg1]]: memref<?x32xf32>, %[[C:arg2]]: memref<?x64x32xf32>, %[[OFF:arg3]]: memref<?xi64>, %[[ROWS:arg4]]: memref<?xi32>, %[[SRC:arg5]]: memref<?xi32>
// CHECK-NOT: memref.store
// CHECK: scf.parallel (%[[T:.*]]) =
// CHECK: %[[KT:.*]] = arith.remui %{{.*}}, %c16
// CHECK: %[[S:.*]] = arith.divui %{{.*}}, %c16
// CHECK: %[[K0:.*]] = arith.muli %[[KT]], %c4
// CHECK: memref.load %[[OFF]][%[[S]]]
// CHECK: %[[ACC:.*]]:8 = scf.for %[[P:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[E:.*]] = memref.load %[[ROWS]][%[[P]]]
// CHECK: %[[EI:.*]] = arith.index_cast %[[E]]
// CHECK: %[[SR:.*]] = memref.load %[[SRC]][%[[EI]]]
// CHECK: %[[SRI:.*]] = arith.index_cast %[[SR]]
// CHECK-COUNT-2: vector.load %[[B]][%[[EI]], %{{.*}}] : memref<?x32xf32>, vector<16xf32>
// CHECK: memref.load %[[A]][%[[SRI]], %{{.*}}]
// CHECK-COUNT-2: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store %{{.*}}, %[[C]][%[[S]], %{{.*}}, %{{.*}}] : memref<?x64x32xf32>, vector<16xf32>
// CHECK-NOT: atomic_rmw
// CHECK: return
// The GPU runs one kernel with a block per (K tile, N tile) and chunk of 256
// rows; the block walks the segments its rows overlap, stages each step of
// 8 rows of A (64 wide, padded) and B (32 wide) in shared memory, and adds
// its 4 x 4 outputs per thread atomically into the segment's matrix.
// GPU-LABEL: func.func @outer_gemm(
// TILED: scf.parallel
// TILED: %[[CHUNKS:.*]] = arith.ceildivui %{{.*}}, %c256
// TILED: gpu.launch blocks({{.*}}) in ({{.*}} = %[[CHUNKS]], {{.*}} = %c1{{.*}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c128, {{.*}}) workgroup(%[[AT:.*]] : memref<8x65xf32, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<8x33xf32, #gpu.address_space<workgroup>>)
// TILED: scf.while
// TILED: scf.while
// TILED: scf.for {{.*}} iter_args
// TILED: memref.store %{{.*}}, %[[AT]]
// TILED: memref.store %{{.*}}, %[[BT]]
// TILED: gpu.barrier
// TILED-COUNT-16: math.fma
// TILED: gpu.barrier
// TILED-COUNT-16: memref.atomic_rmw addf %{{.*}}, %arg2
// With gemm-template=elementwise the GPU runs the simple loops after zeroing
// C: a thread per (segment, K row) adds each row's rank-1 update in memory.
// EW: scf.parallel
// EW: memref.store %{{.*}}, %arg2
// EW-NOT: gpu.launch
// EW: scf.parallel (%[[T:.*]]) =
// EW: %[[K:.*]] = arith.remui %[[T]], %c64
// EW: %[[S:.*]] = arith.divui %[[T]], %c64
// EW: scf.for %[[P:.*]] =
// EW: %[[X:.*]] = memref.load %arg0[%{{.*}}, %[[K]]]
// EW: scf.for %[[N:.*]] = %{{.*}} to %c32
// EW: memref.load %arg1[%{{.*}}, %[[N]]]
// EW: arith.mulf %[[X]]
// EW: memref.store %{{.*}}, %arg2[%[[S]], %[[K]], %[[N]]]
// EW-NOT: atomic_rmw
// EW: return
// Emulated: the same kernel, blocks a parallel loop, threads loops.
// EMU-LABEL: func.func @outer_gemm(
// EMU: scf.parallel (%{{.*}}, %{{.*}}) = (%[[Z:c0[_0-9]*]], %[[Z]]) to (%c1{{.*}}, %{{.*}})
// EMU: memref.alloc() : memref<8x65xf32>
// EMU: memref.alloc() : memref<8x33xf32>
// EMU: memref.alloc() : memref<128x4x4xf32>
// EMU: memref.atomic_rmw addf
func.func @outer_gemm(%h: memref<?x64xf32>, %d: memref<?x32xf32>,
                      %dw: memref<?x64x32xf32>, %off: memref<?xi64>,
                      %eids: memref<?xi32>, %src: memref<?xi32>) {
  hetop.outer_gemm ins(%h, %d : memref<?x64xf32>, memref<?x32xf32>)
      outs(%dw : memref<?x64x32xf32>) segments(%off : memref<?xi64>)
      rows(%eids : memref<?xi32>) gather_a(%src : memref<?xi32>)
  return
}

// -----

// A shared weight with heads and partial tiles (K = 20 in a 32-wide tile,
// N = 6 in an 8-wide one): no segment walk, one head per group of blocks,
// out-of-range columns neither staged nor written.
// On the CPU: 10 tasks per head (5 tiles of 4 K rows, all 6 columns as 3
// vectors of 2), every row of the graph in each, stored to the head's C.
// CHECK-LABEL: func.func @outer_gemm_shared(
// CHECK: %[[ROWS:.*]] = memref.dim %arg0
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}})
// CHECK: %[[H:.*]] = arith.remui %{{.*}}, %c2
// CHECK: %{{.*}}:12 = scf.for %[[P:.*]] = %{{.*}} to %[[ROWS]] step %{{.*}} iter_args({{.*}}) -> ({{(vector<2xf32>, )+}}vector<2xf32>)
// CHECK-COUNT-3: vector.load %arg1[%[[P]], %[[H]], %{{.*}}] : memref<?x2x6xf32>, vector<2xf32>
// CHECK-COUNT-12: vector.store %{{.*}}, %arg2[%[[H]], %{{.*}}, %{{.*}}] : memref<2x20x6xf32>, vector<2xf32>
// GPU-LABEL: func.func @outer_gemm_shared(
// TILED: gpu.launch blocks({{.*}}) in ({{.*}}, {{.*}} = %c2{{.*}}, {{.*}}) threads({{.*}}) in ({{.*}} = %c64, {{.*}}) workgroup({{.*}} : memref<8x33xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<8x9xf32, #gpu.address_space<workgroup>>)
// TILED-NOT: scf.while
// TILED: arith.cmpi ult, %{{.*}}, %c20
// TILED: arith.cmpi ult, %{{.*}}, %c6
// TILED: gpu.barrier
// TILED: scf.if
// TILED: memref.atomic_rmw addf %{{.*}}, %arg2[%{{.*}}, %{{.*}}, %{{.*}}] : (f32, memref<2x20x6xf32>)
func.func @outer_gemm_shared(%x: memref<?x2x20xf32>, %d: memref<?x2x6xf32>,
                             %dw: memref<2x20x6xf32>) {
  hetop.outer_gemm ins(%x, %d : memref<?x2x20xf32>, memref<?x2x6xf32>)
      outs(%dw : memref<2x20x6xf32>)
  return
}
