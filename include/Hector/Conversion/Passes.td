//===- Passes.td - Hector conversion passes ----------------*- tablegen -*-===//

#ifndef HECTOR_CONVERSION_PASSES_TD
#define HECTOR_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertRGNNToHetOp : Pass<"convert-rgnn-to-hetop", "::mlir::ModuleOp"> {
  let summary = "lowers rgnn functions to hetop templates and loops on buffers";
  let description = [{
    Rewrites every function with rgnn types into a function on memrefs that
    follows the compiled-model ABI (docs/abi.md): the graph argument becomes
    the prepared graph's arrays, features become `[size(domain), shape...]`
    buffers, and the result is written into a caller-provided buffer passed
    last. Each op picks its template:

    * `typed_linear` and `linear` become `hetop.typed_gemm` over relation,
      unique-pair or node-type segments, gathering rows through the prepared
      index lists and scattering results to their domain positions;
    * `aggregate` becomes a `hetop.traverse` over the in-CSR, out-CSR, or
      the pair CSRs: node-parallel by default (a row's entries in order, no
      atomics), or with `traversal=edge` edge-parallel (every entry on its
      own, its row found by binary search of the offsets, atomic adds),
      which balances work when a few rows hold most of the edges (the
      default of `--hector-lower-to-ptx`);
    * a type or domain sum of an `outer_product` (a weight gradient)
      becomes one `hetop.outer_gemm` (other type and domain sums walk each
      segment's rows in order on the CPU, and add chunks atomically on the
      GPU and with `traversal=edge`);
    * `gather` is a view: consumers read through its index list, and it is
      materialized only where a GEMM needs contiguous rows;
    * `edge_softmax`, reductions and elementwise and shape ops become
      parallel loops over their domain;
    * with `fuse-edge-softmax`, an `edge_softmax` whose weights only scale
      messages that sums onto destinations aggregate (RGAT, HGT) stores
      only each destination's maximum and reciprocal denominator (one
      online pass over its incoming edges); each aggregation computes the
      weight of an edge and head where it reads it, once per message row,
      so the normalized weights (E x heads) are never written out. The GPU
      pipeline fuses; the CPU pipeline does not by default (it measured
      slower there: recomputing exponentials and reading the endpoints
      again costs more than cache-resident weights).

    The pass also records the model's signature for the runtime as the
    string returned by `hector_model_info()`, with the target when it is a
    GPU (`target cuda chip=sm_80`).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "cpu or cuda: cuda code never reads device buffers on the host">,
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_80\"",
           "GPU architecture recorded in the model info (target=cuda)">,
    Option<"fuseEdgeSoftmax", "fuse-edge-softmax", "bool", /*default=*/"true",
           "Compute an edge softmax's weights inside the aggregations it "
           "feeds, never storing them">,
    Option<"traversal", "traversal", "std::string", /*default=*/"\"node\"",
           "How aggregations walk the graph: node (a row's entries in "
           "order, no atomics) or edge (each entry alone, atomic adds)">,
    Option<"traversalSchedule", "traversal-schedule", "std::string",
           /*default=*/"\"\"",
           "THREADS,LANES: the #hetop.traversal_schedule of every traversal "
           "(threads per block, at most LANES lanes per row or entry); "
           "empty: none">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::hector::hetop::HetOpDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def ConvertHetOpToSCF : Pass<"convert-hetop-to-scf", "::mlir::ModuleOp"> {
  let summary = "lowers hetop templates to parallel loops for the CPU";
  let description = [{
    `hetop.typed_gemm` becomes a parallel loop over blocks of `tile_m` rows
    (default 4). A block whose rows share a segment runs a register-blocked
    kernel: `tile_m` rows times up to 64 columns of vector accumulators,
    stepping through K with one vector load of B per column chunk and one
    broadcast of A per row. Other rows run the same kernel one at a time.
    With `target=gpu` the GEMM is the shared-memory tiled kernel, one
    `gpu.launch` (`gemm-template=tiled`): a thread block computes a
    `tile_m` x `tile_n` tile of C for one head (default 64 x 64, 256
    threads of 4 x 4 outputs, `tile_k` = 16). It finds the segments its rows
    overlap by binary search of the offsets on the device, and for each one
    steps through K with the gathered A rows and the segment's B tile in
    shared memory (padded by a column against bank conflicts). Rows of
    other segments are staged as zeros and not written; a `select`ed-out
    segment's rows are zeroed in `store` mode. A `gemm_schedule` sets the
    tiles. `gemm-template=elementwise` is the simple form instead: one
    parallel iteration per element of C, a thread each after loop mapping.
    On the CPU, `gemm-template=tiled` emulates the GPU kernel (blocks are a
    parallel loop, a block's threads run one after another between
    barriers) and `elementwise` runs the simple form: both test the GPU
    templates' indexing on machines with no GPU.
    `hetop.outer_gemm` (weight gradients) on the GPU (and on the CPU with
    `gemm-template=tiled`, emulated) zeroes C, then is the tiled kernel
    of the same block skeleton: a block per tile of a head's K x N matrix
    and chunk of 256 rows, walking the segments the chunk overlaps, rows
    staged `tile_k` at a time, totals added atomically. On the CPU it is a
    parallel task per (segment, head, tile of up to 4 K rows, group of
    columns) that walks the segment's rows with its outputs in up to 16
    vector accumulators and stores them once (C is not zeroed);
    `gemm-template=elementwise` is a task per (segment, head, K row) adding
    rank-1 row updates in memory.
    `hetop.traverse` becomes a parallel loop over CSR rows (node-parallel)
    or entries (edge-parallel) with its body inlined; `hetop.accumulate`
    is a plain add where the row is owned by the iteration, and an atomic
    add otherwise. On the CPU a node-parallel traversal runs 256 chunks of
    rows of equal work (entries plus rows, found by binary search of the
    offsets), so that hubs do not leave threads idle; a node-parallel row whose accumulations into
    a buffer of vector rows are all its own, and which never reads that
    buffer, accumulates in a row-local copy (`memref.alloca` in a
    `memref.alloca_scope`), copied back after the row's entries: the local
    copy cannot alias the body's operands, so LLVM vectorizes the adds.
    On the CPU a node-parallel traversal also prefetches the rows its body
    gathers through index lists (rows of 128 bytes or more, from tables of
    4 MiB or more): the row 8 entries ahead and the index-list element that
    leads to it 16 entries ahead, since those dependent misses otherwise
    stall each entry (RGAT on FB15k-237 at 64: 1.6-1.9x faster).
    With `traversal-lanes=on` (the GPU's default) the parallel loop has an
    iteration per row or entry and lane, lanes fastest: a lane runs one
    iteration of the body's lane nest (its scf.for loops of constant bounds
    and no results, each level writing nothing but through its loop; the
    ops of outer levels repeat in each lane), so the threads of a warp read
    and accumulate consecutive features of a row rather than 32 rows. An
    accumulation is a plain add only where the iteration owns the row and
    every loop of the nest indexes the element; a nest whose innermost
    stores are not indexed by all its loops is shortened until they are.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "Floats per vector in the CPU GEMM kernels: a power of two up "
           "to 64 (bench/results/vector_width.md)">,
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "cpu: parallel loops for OpenMP; gpu: GEMMs as kernels "
           "(gpu.launch), traversals as parallel loops that loop mapping "
           "gives a thread each">,
    Option<"gemmTemplate", "gemm-template", "std::string",
           /*default=*/"\"default\"",
           "default (blocked on the CPU, tiled on the GPU), blocked (CPU "
           "only), tiled (shared-memory tiles; emulated on the CPU) or "
           "elementwise (one iteration per element of C)">,
    Option<"traversalLanes", "traversal-lanes", "std::string",
           /*default=*/"\"default\"",
           "on (the GPU's default): a parallel iteration per row or entry "
           "and lane of the body's loop nest; off (the CPU's default): one "
           "per row or entry. On the CPU, on takes the GPU's form of "
           "every traversal (to test it)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::gpu::GPUDialect", "::mlir::math::MathDialect"
  ];
}

def HostBuffersToGPU : Pass<"hector-host-buffers-to-gpu", "::mlir::ModuleOp"> {
  let summary = "allocates a GPU model's buffers on the device";
  let description = [{
    After parallel loops became `gpu.launch` kernels, every buffer the host
    function allocates is read and written by kernels only: `memref.alloc`
    and `memref.dealloc` outside kernels become `gpu.alloc` and
    `gpu.dealloc`. Host code must not touch buffer contents (they live on
    the device): a host `memref.load`, `memref.store` or `memref.atomic_rmw`
    is an error naming the op, rather than a crash at run time.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def GuardEmptyLaunches
    : Pass<"hector-guard-empty-launches", "::mlir::ModuleOp"> {
  let summary = "makes kernels whose grid is empty at run time do nothing";
  let description = [{
    A parallel loop over rows, entries or pairs becomes a `gpu.launch` whose
    grid is the loop's trip count over the block size, which is zero on a
    graph with no edges or a relation with no pairs. The driver rejects a
    launch with an empty grid. A `gpu.launch` outside a kernel whose grid
    size is not a constant therefore launches at least one block, and its
    body runs under an `scf.if` that all its grid sizes are positive (the
    kernel takes the condition as an argument). Host code stays free of
    control flow, so `hector-gpu-one-stream` chains every launch on one
    stream. A launch with a constant zero size is erased (it has no work).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def ParallelLanes : Pass<"hector-parallel-lanes", "::mlir::ModuleOp"> {
  let summary = "spreads a parallel loop's inner row loops over lanes";
  let description = [{
    Loop mapping gives each iteration of a parallel loop a GPU thread. An
    iteration that loops over a row (a node's features, a relation's weight
    tile) then makes the 32 threads of a warp touch 32 rows per load. For a
    1-D `scf.parallel` from 0 by 1 without reductions, outside kernels and
    other parallel loops, this pass finds the body's lane nest: its
    `scf.for` loops of constant bounds and no results, each level writing
    nothing but through its loop, shortened until every write in the
    innermost body is an atomic or a store indexed by all the nest's loops.
    The loop then has an iteration per original iteration and lane of the
    nest, lanes fastest: a lane runs one iteration of the nest (the ops of
    outer levels repeat in each lane), so consecutive threads touch
    consecutive elements. The traversal templates do the same for their
    bodies (`convert-hetop-to-scf` with `traversal-lanes=on`).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def TileParallelLoops
    : Pass<"hector-tile-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "splits parallel loops into thread blocks of a chosen size";
  let description = [{
    Before loop mapping (`gpu-map-parallel-loops`), each innermost
    `scf.parallel` outside a kernel becomes a loop over blocks around a loop
    over the threads of a block, as upstream's `scf-parallel-loop-tiling`
    does, with the block size of its `hetop.block_threads` attribute (set by
    `convert-hetop-to-scf` from a traversal's
    `#hetop.traversal_schedule<threads, lanes>`), else `threads`. The
    thread loop runs a whole block (no `min` bounds); the kernel's body
    checks its iteration against the original bound.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"64",
           "threads per block of a loop without hetop.block_threads">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def GPUOneStream : Pass<"hector-gpu-one-stream", "::mlir::ModuleOp"> {
  let summary = "puts a host function's GPU work on one stream";
  let description = [{
    Upstream's lowering of a synchronous `gpu.launch`, and of an async
    `gpu.alloc` or `gpu.dealloc` waited for at once, creates, synchronizes
    and destroys a stream per op, so the host waits for every kernel and
    every allocation. This pass threads all GPU ops of each host function on
    one async token chain (`gpu-to-llvm` lowers a chain to one stream):
    launches become async and the host waits between them are dropped. The
    host waits once, before the function returns. Host code of a GPU model
    never reads device buffers, so only an op with other side effects ends
    the chain: the host waits before it, and each region of a region op (a
    loop, an `scf.if`) gets a chain of its own, because `gpu-to-llvm` takes
    a token merged by control flow for an event rather than a stream.
    `hector-guard-empty-launches` keeps guarded launches out of such
    regions, so a model's host functions are one chain each.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def AtomicMaxToInteger : Pass<"hector-atomic-max-to-integer"> {
  let summary = "turns floating-point atomic maxima into one integer atomic";
  let description = [{
    Rewrites `llvm.atomicrmw fmax` and `fmaximum` on f32 and f64, which
    LLVM expands into a compare-and-swap loop on every target (NVPTX has
    no floating-point atomic maximum), into a single integer atomic on the
    value's bits: a signed maximum when the value is non-negative, an
    unsigned minimum when it is negative. IEEE floats of one sign order as
    their bit patterns do (reversed for negative ones), and any
    non-negative float's bits are a non-negative integer while any negative
    float's are above every non-negative float's as unsigned integers, so
    either atomic leaves the larger float in memory, whatever the sign of
    the stored value. Signed zeros order as `fmaximum` orders them. A NaN
    operand is stored only when its sign bit is clear; the edge-softmax
    statistics that use the maximum still come out NaN from it. The
    ordering, scope, alignment and volatility of the original are kept.
    Under contention (a hub's thousands of in-edges) the loop retries
    while one atomic does not.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def LLVMTarget : Pass<"hector-llvm-target", "::mlir::ModuleOp"> {
  let summary = "records the target triple and code-generation attributes";
  let description = [{
    Sets the module's `llvm.target_triple`, which the translation to LLVM IR
    carries over: without a triple, LLVM's optimizer has no target cost
    model and leaves scalar loops unvectorized. The default is the host's
    triple. With `sanitize-address`, every function is marked for
    AddressSanitizer (LLVM's `asan` pass instruments only marked functions;
    the OpenMP outlining copies the mark to parallel regions).
  }];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"\"\"",
           "Target triple (default: the host's)">,
    Option<"sanitizeAddress", "sanitize-address", "bool", /*default=*/"false",
           "Mark every function sanitize_address">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // HECTOR_CONVERSION_PASSES_TD
