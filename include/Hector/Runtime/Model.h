/*===- Hector/Runtime/Model.h - Compiled-model runner C API --------*- C -*-===*\
|*                                                                            *|
|* Part of the Hector project.                                                *|
|*                                                                            *|
|* Loads a compiled model (a shared library following docs/abi.md), reads    *|
|* and validates its hector_model_info() metadata, binds a prepared graph to *|
|* one of its functions and calls it on caller-owned buffers, building the   *|
|* MLIR memref descriptors the entry point expects.  Models compiled for    *|
|* CUDA (`target cuda` in their metadata) run through libHectorCUDA.so: the  *|
|* graph is uploaded once at bind time, buffers per call (or passed as       *|
|* device pointers), and every call is synchronized and checked.            *|
|*                                                                            *|
|* Lifetimes: a HectorFunction belongs to its HectorModel; a bound function  *|
|* borrows its function and its prepared graph, which must outlive it.       *|
|* Every call validates its arguments and reports failures through a status  *|
|* and the thread-local hectorGetLastError() message (shared with            *|
|* GraphPrep.h); nothing aborts on bad input.  No MLIR dependency.           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef HECTOR_RUNTIME_MODEL_H
#define HECTOR_RUNTIME_MODEL_H

#include "Hector/Runtime/GraphPrep.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The `hector-model N` version this runtime reads (docs/abi.md).
#define HECTOR_MODEL_ABI_VERSION 1
/// Most memref parameters of one entry point.
#define HECTOR_MODEL_MAX_PARAMS 128
/// Most dimensions of a per-element or shared-tensor shape.
#define HECTOR_MODEL_MAX_RANK 8
/// Graph arrays passed for one graph argument.
#define HECTOR_MODEL_GRAPH_ARRAYS 33

typedef struct HectorModel HectorModel;

/// What a model was compiled for: its `target` record (none means CPU).
typedef enum HectorTarget {
  HECTOR_TARGET_CPU = 0,
  HECTOR_TARGET_CUDA = 1, ///< `target cuda chip=sm_NN`
} HectorTarget;

/// Flags of hectorBoundFunctionRunEx.
/// The buffers' data are device pointers (CUDA functions only): nothing is
/// copied; the call is synchronized and checked.
#define HECTOR_RUN_DEVICE_POINTERS 1u
/// With host buffers on a CUDA function: upload the result buffer's contents
/// before the call (so a poison pattern reaches the device), not only
/// download it after.
#define HECTOR_RUN_UPLOAD_RESULT 2u
typedef struct HectorFunction HectorFunction;
typedef struct HectorBoundFunction HectorBoundFunction;

typedef enum HectorArgKind {
  HECTOR_ARG_GRAPH = 0,  ///< !rgnn.graph: the 32 graph arrays
  HECTOR_ARG_FEAT = 1,   ///< !rgnn.feat<D, S>: one memref [size(D), S...]
  HECTOR_ARG_TENSOR = 2, ///< shared tensor<S>: one memref of shape S
} HectorArgKind;

typedef enum HectorDomain {
  HECTOR_DOMAIN_NONE = 0,     ///< graph or shared tensor
  HECTOR_DOMAIN_NODE,         ///< N
  HECTOR_DOMAIN_NODE_OF_TYPE, ///< node[t]: nodes of type t
  HECTOR_DOMAIN_EDGE,         ///< E
  HECTOR_DOMAIN_SRC_REL,      ///< U_src
  HECTOR_DOMAIN_DST_REL,      ///< U_dst
  HECTOR_DOMAIN_RELATION,     ///< R
  HECTOR_DOMAIN_NODE_TYPE,    ///< T
} HectorDomain;

typedef enum HectorElementType {
  HECTOR_ELEMENT_F32 = 0,
  HECTOR_ELEMENT_F64 = 1,
  HECTOR_ELEMENT_I32 = 2,
  HECTOR_ELEMENT_I64 = 3,
} HectorElementType;

/// One argument (or a result) of a function, as its info record says.
typedef struct HectorArgInfo {
  HectorArgKind kind;
  HectorDomain domain;           ///< NONE for graph and tensor
  int64_t nodeType;              ///< t of node[t], else -1
  HectorElementType elementType; ///< unused for the graph
  int64_t rank;                  ///< rank of S (0 for `shape=scalar`)
  const int64_t *shape;          ///< S, owned by the model
  const char *text;              ///< the record ("feat domain=node ...")
} HectorArgInfo;

/// The graph schema of a function (its `graph` record).
typedef struct HectorSchema {
  int64_t numNodeTypes;
  int64_t numRelations;
  /// NULL without triples, else [numRelations][3] (src type, r, dst type).
  const int64_t *triples;
} HectorSchema;

/// A caller-owned buffer: C-contiguous, row-major, aligned to its element.
typedef struct HectorBuffer {
  void *data; ///< may be NULL only when numElements == 0
  HectorElementType type;
  int64_t numElements;
} HectorBuffer;

/// dlopens `path` and validates its hector_model_info().  On failure *out
/// is NULL and the message says what is wrong ("model.so:
/// hector_model_info line 4: ...").
HECTOR_RUNTIME_EXPORT HectorStatus hectorModelLoad(const char *path,
                                                   HectorModel **out);

/// Closes the model; its functions become invalid.
HECTOR_RUNTIME_EXPORT void hectorModelDestroy(HectorModel *model);

/// Validates metadata text without loading anything (no symbol checks).
HECTOR_RUNTIME_EXPORT HectorStatus hectorModelCheckInfo(const char *text);

/// The model's target, and its chip ("sm_80") for CUDA ("" for the CPU).
HECTOR_RUNTIME_EXPORT HectorTarget hectorModelGetTarget(const HectorModel *model);
HECTOR_RUNTIME_EXPORT const char *hectorModelGetChip(const HectorModel *model);
HECTOR_RUNTIME_EXPORT HectorTarget
hectorFunctionGetTarget(const HectorFunction *fn);

/// 1 when this runtime was built with the CUDA shim (HECTOR_ENABLE_CUDA).
HECTOR_RUNTIME_EXPORT int hectorRuntimeHasCuda(void);

/// The raw hector_model_info() text.
HECTOR_RUNTIME_EXPORT const char *hectorModelGetInfo(const HectorModel *model);

HECTOR_RUNTIME_EXPORT int64_t
hectorModelGetNumFunctions(const HectorModel *model);

/// The function at `index`, or NULL (with an error) when out of range.
HECTOR_RUNTIME_EXPORT const HectorFunction *
hectorModelGetFunction(const HectorModel *model, int64_t index);

/// The function called `name`; with name == NULL, the only function (an
/// error when the model has several).
HECTOR_RUNTIME_EXPORT HectorStatus
hectorModelLookupFunction(const HectorModel *model, const char *name,
                          const HectorFunction **out);

HECTOR_RUNTIME_EXPORT const char *
hectorFunctionGetName(const HectorFunction *fn);
HECTOR_RUNTIME_EXPORT const char *
hectorFunctionGetEntry(const HectorFunction *fn);
/// Memref parameters of the entry point, the results included.
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetNumParams(const HectorFunction *fn);
/// rgnn arguments, the graph included.
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetNumArgs(const HectorFunction *fn);
/// Arguments other than the graph: the buffers hectorBoundFunctionRun takes.
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetNumInputs(const HectorFunction *fn);
/// Argument `index` of the rgnn function (0 .. numArgs-1).
HECTOR_RUNTIME_EXPORT HectorStatus
hectorFunctionGetArg(const HectorFunction *fn, int64_t index,
                     HectorArgInfo *out);
/// rgnn argument number of input `input` (0 .. numInputs-1).
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetInputArg(const HectorFunction *fn, int64_t input);
/// The first result (the only one, except for a combined backward).
HECTOR_RUNTIME_EXPORT HectorStatus
hectorFunctionGetResult(const HectorFunction *fn, HectorArgInfo *out);
/// How many results the function has: one `result` record each, in order
/// (f__backward of rgnn-autodiff returns one gradient per float argument).
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetNumResults(const HectorFunction *fn);
/// Result `index` (0 .. numResults-1).
HECTOR_RUNTIME_EXPORT HectorStatus hectorFunctionGetResultAt(
    const HectorFunction *fn, int64_t index, HectorArgInfo *out);
/// Fails when the function has no `graph` record.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorFunctionGetSchema(const HectorFunction *fn, HectorSchema *out);

/// Binds a prepared graph (NULL only for a function that needs none).
/// Rejects a graph whose relation or node-type count differs from the
/// schema, or whose edges contradict the schema's triples.  For a CUDA
/// function, uploads the graph arrays to the device once (freed with the
/// binding); fails when CUDA is unavailable or the model's GPU code did not
/// load, with the reason.
///
/// When other functions of the model are variants of `fn` (re-associations
/// kept by rgnn-reassociate, `variant of=` in the metadata), binds the one
/// whose cost record gives the lowest estimate for `graph` under the
/// model's calibrated `cost-params`; hectorBoundFunctionGetFunction says
/// which.  The choice is made once per binding (one per graph).
HECTOR_RUNTIME_EXPORT HectorStatus
hectorFunctionBind(const HectorFunction *fn, const HectorPreparedGraph *graph,
                   HectorBoundFunction **out);

/// hectorFunctionBind without the choice among variants: binds `fn` itself.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorFunctionBindExact(const HectorFunction *fn,
                        const HectorPreparedGraph *graph,
                        HectorBoundFunction **out);

/// The per-relation choice table of a binding (docs/runtime.md): one entry
/// per relation, each in [0, hectorFunctionGetNumChoices()).  For a function
/// split by relation, binding fills it with each relation's cheapest choice
/// under the cost model; otherwise it is all 0.  The table stays valid
/// until the binding is destroyed.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorBoundFunctionGetRelationChoice(const HectorBoundFunction *bound,
                                     const int32_t **choice, int64_t *length);
/// Overrides the table (for experiments and tests): `length` must be the
/// number of relations and every entry a valid choice.  The result is the
/// same whatever the table; only the work moves.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorBoundFunctionSetRelationChoice(HectorBoundFunction *bound,
                                     const int32_t *choice, int64_t length);
/// How many choices a function's relations have: 2 for a function split by
/// relation (0 = transform first, 1 = aggregate first), else 1.
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetNumChoices(const HectorFunction *fn);

/// The function a binding runs (a variant of the one bound, or itself).
HECTOR_RUNTIME_EXPORT const HectorFunction *
hectorBoundFunctionGetFunction(const HectorBoundFunction *bound);

/// The function `fn` is a variant of, or "" (never NULL).
HECTOR_RUNTIME_EXPORT const char *
hectorFunctionGetVariantOf(const HectorFunction *fn);
/// How many functions are variants of `fn`, and each of them.
HECTOR_RUNTIME_EXPORT int64_t
hectorFunctionGetNumVariants(const HectorFunction *fn);
HECTOR_RUNTIME_EXPORT const HectorFunction *
hectorFunctionGetVariant(const HectorFunction *fn, int64_t index);

/// The cost model's estimate of one call of `fn` on `graph`, in seconds:
/// its `cost` record's forms evaluated at the graph's counts, weighted by
/// the model's `cost-params`, plus, for a function split by relation
/// (`cost-choice` records), each relation's cheapest choice evaluated at
/// that relation's counts.  Fails when either record is missing.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorFunctionEstimate(const HectorFunction *fn,
                       const HectorPreparedGraph *graph, double *seconds);

HECTOR_RUNTIME_EXPORT void
hectorBoundFunctionDestroy(HectorBoundFunction *bound);

/// The full buffer shape of input `input`, or of result k when input is
/// -1 - k (-1: the first result): [size(D), S...] for a feature, S for a
/// shared tensor.  `shape` must hold HECTOR_MODEL_MAX_RANK + 1 values.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorBoundFunctionGetShape(const HectorBoundFunction *bound, int64_t input,
                            int64_t *rank, int64_t *shape);

/// Calls the entry point: graph arrays, `inputs` (numInputs buffers in
/// argument order, the graph excluded), then `result`.  Each buffer must
/// hold exactly size(D) * prod(S) elements of the declared type; an error
/// names the argument.  Safe to call concurrently on different buffers (CUDA
/// calls are serialized).  For a CUDA function the buffers are host memory:
/// the inputs are uploaded, the result downloaded.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorBoundFunctionRun(const HectorBoundFunction *bound,
                       const HectorBuffer *inputs, int64_t numInputs,
                       const HectorBuffer *result);

/// hectorBoundFunctionRun with HECTOR_RUN_* flags.  For a CUDA function the
/// call is followed by a device synchronization; a failure of any driver
/// call or launch (the shim's sticky error, which is then cleared) fails
/// the run with a message naming the mgpu call, the kernel and the
/// CUresult.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorBoundFunctionRunEx(const HectorBoundFunction *bound,
                         const HectorBuffer *inputs, int64_t numInputs,
                         const HectorBuffer *result, unsigned flags);

/// hectorBoundFunctionRunEx for a function with several results: `results`
/// holds numResults buffers (hectorFunctionGetNumResults), in order, each
/// checked like `result`.  The single-result calls fail on such a function.
HECTOR_RUNTIME_EXPORT HectorStatus hectorBoundFunctionRunResults(
    const HectorBoundFunction *bound, const HectorBuffer *inputs,
    int64_t numInputs, const HectorBuffer *results, int64_t numResults,
    unsigned flags);

HECTOR_RUNTIME_EXPORT int hectorModelAbiVersion(void);

#ifdef __cplusplus
}
#endif

#endif // HECTOR_RUNTIME_MODEL_H
