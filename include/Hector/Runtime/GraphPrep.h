/*===- Hector/Runtime/GraphPrep.h - Graph preparation C API -------*- C -*-===*\
|*                                                                            *|
|* Part of the Hector project.                                                *|
|*                                                                            *|
|* Graph preparation turns a COO edge list with relation ids (and optional    *|
|* node types) into the layouts Hector's kernels read:                        *|
|*                                                                            *|
|*  - edges grouped by relation (segment offsets + permutation),              *|
|*  - in-CSR (rows = destination) and out-CSR (rows = source),                *|
|*  - the unique (src, relation) and (dst, relation) maps used by compact     *|
|*    materialization, with edge -> compact-row indices,                      *|
|*  - statistics for the cost models.                                         *|
|*                                                                            *|
|* This is a pure C ABI with no MLIR dependency.  All output arrays are owned *|
|* by the HectorPreparedGraph handle and stay valid until                     *|
|* hectorPreparedGraphDestroy; callers may wrap them without copying.  Every  *|
|* function validates its arguments and reports failures through a status    *|
|* code plus a thread-local message (hectorGetLastError); nothing aborts and  *|
|* nothing reads out of bounds on bad input.  See docs/data.md for the exact  *|
|* layout and ordering conventions.                                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef HECTOR_RUNTIME_GRAPHPREP_H
#define HECTOR_RUNTIME_GRAPHPREP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define HECTOR_RUNTIME_EXPORT __declspec(dllexport)
#else
#define HECTOR_RUNTIME_EXPORT __attribute__((visibility("default")))
#endif

/// Version of this C ABI; bumped on any incompatible change.
#define HECTOR_GRAPHPREP_ABI_VERSION 2

typedef enum HectorStatus {
  HECTOR_STATUS_OK = 0,
  HECTOR_STATUS_INVALID_ARGUMENT = 1, ///< null pointer, bad dtype, bad count
  HECTOR_STATUS_SIZE_MISMATCH = 2,    ///< an array length disagrees
  HECTOR_STATUS_OUT_OF_RANGE = 3,     ///< an id outside its valid range
  HECTOR_STATUS_OUT_OF_MEMORY = 4,
  HECTOR_STATUS_INTERNAL = 5,
} HectorStatus;

/// Element type of an index array.
typedef enum HectorIndexType {
  HECTOR_INDEX_INT32 = 0,
  HECTOR_INDEX_INT64 = 1,
} HectorIndexType;

/// One input array: pointer, element type and element count.  `length` is
/// what the caller has; the library checks it against the expected count.
typedef struct HectorIndexArray {
  const void *data;
  HectorIndexType type;
  int64_t length;
} HectorIndexArray;

/// A COO graph.  Edge e goes from src[e] to dst[e] with relation etype[e].
/// `ntype` may have data == NULL, meaning every node has type 0.
typedef struct HectorCOOGraph {
  int64_t numNodes;
  int64_t numEdges;
  int64_t numRelations;
  int64_t numNodeTypes;
  HectorIndexArray src;
  HectorIndexArray dst;
  HectorIndexArray etype;
  HectorIndexArray ntype;
} HectorCOOGraph;

/// Output arrays of a prepared graph.  "int64" arrays are offsets/counts;
/// "int32" arrays are node, edge or compact ids (N, E < 2^31 is required).
typedef enum HectorPreparedArray {
  // Edges grouped by relation: positions relOffsets[r] .. relOffsets[r+1]-1
  // hold the edges of relation r, in increasing original edge id.
  HECTOR_REL_OFFSETS = 0, ///< int64 [R+1]
  HECTOR_REL_EIDS,        ///< int32 [E]  sorted position -> original edge id
  HECTOR_REL_SRC,         ///< int32 [E]  src of each sorted position
  HECTOR_REL_DST,         ///< int32 [E]  dst of each sorted position
  // In-CSR: row v lists the edges whose destination is v, in increasing
  // original edge id.
  HECTOR_IN_INDPTR,       ///< int64 [N+1]
  HECTOR_IN_SRC,          ///< int32 [E]  source node of each entry
  HECTOR_IN_EIDS,         ///< int32 [E]  original edge id of each entry
  HECTOR_IN_ETYPE,        ///< int32 [E]  relation of each entry
  // Out-CSR: row v lists the edges whose source is v.
  HECTOR_OUT_INDPTR,      ///< int64 [N+1]
  HECTOR_OUT_DST,         ///< int32 [E]
  HECTOR_OUT_EIDS,        ///< int32 [E]
  HECTOR_OUT_ETYPE,       ///< int32 [E]
  // Unique (src, relation) pairs: for relation r, the sorted distinct
  // sources of its edges are uniqueSrcNodes[uniqueSrcOffsets[r] ..
  // uniqueSrcOffsets[r+1]-1]; the compact row of edge e is
  // edgeToUniqueSrc[e] (a global index into uniqueSrcNodes).
  HECTOR_UNIQUE_SRC_OFFSETS, ///< int64 [R+1]
  HECTOR_UNIQUE_SRC_NODES,   ///< int32 [U_src]
  HECTOR_EDGE_TO_UNIQUE_SRC, ///< int32 [E]  indexed by original edge id
  HECTOR_UNIQUE_DST_OFFSETS, ///< int64 [R+1]
  HECTOR_UNIQUE_DST_NODES,   ///< int32 [U_dst]
  HECTOR_EDGE_TO_UNIQUE_DST, ///< int32 [E]
  // Per-relation statistics.
  HECTOR_REL_NUM_UNIQUE_SRC, ///< int64 [R]
  HECTOR_REL_NUM_UNIQUE_DST, ///< int64 [R]
  HECTOR_REL_MAX_OUT_DEGREE, ///< int64 [R] most edges of one (src, r) pair
  HECTOR_REL_MAX_IN_DEGREE,  ///< int64 [R] most edges of one (dst, r) pair
  // Per node.
  HECTOR_IN_DEGREE,          ///< int64 [N]
  HECTOR_OUT_DEGREE,         ///< int64 [N]
  HECTOR_NTYPE_COUNTS,       ///< int64 [T]  nodes per type
  // The input itself, as int32, in original order (graph arrays 0-3 of the
  // compiled-model ABI, docs/abi.md).
  HECTOR_SRC,                ///< int32 [E]
  HECTOR_DST,                ///< int32 [E]
  HECTOR_ETYPE,              ///< int32 [E]
  HECTOR_NTYPE,              ///< int32 [N]  all 0 when no types were given
  // Nodes grouped by type: ntypeNodes[ntypeOffsets[t] .. ntypeOffsets[t+1]-1]
  // are the nodes of type t, ascending (the row order of node[t] values).
  HECTOR_NTYPE_OFFSETS,      ///< int64 [T+1]
  HECTOR_NTYPE_NODES,        ///< int32 [N]
  // CSR over the unique (src, r) pairs: the edges of pair u are
  // uniqueSrcEids[uniqueSrcIndptr[u] .. uniqueSrcIndptr[u+1]-1], ascending.
  HECTOR_UNIQUE_SRC_INDPTR,  ///< int64 [U_src+1]
  HECTOR_UNIQUE_SRC_EIDS,    ///< int32 [E]
  // CSR from nodes to the pairs whose source they are: the pairs of node v
  // are srcPairIds[srcPairIndptr[v] .. srcPairIndptr[v+1]-1], ascending.
  HECTOR_SRC_PAIR_INDPTR,    ///< int64 [N+1]
  HECTOR_SRC_PAIR_IDS,       ///< int32 [U_src]
  // The same for (dst, r) pairs.
  HECTOR_UNIQUE_DST_INDPTR,  ///< int64 [U_dst+1]
  HECTOR_UNIQUE_DST_EIDS,    ///< int32 [E]
  HECTOR_DST_PAIR_INDPTR,    ///< int64 [N+1]
  HECTOR_DST_PAIR_IDS,       ///< int32 [U_dst]
  HECTOR_NUM_PREPARED_ARRAYS
} HectorPreparedArray;

/// Summary of a degree distribution.
typedef struct HectorDegreeSummary {
  int64_t min, max;
  double mean, stddev;
  int64_t p50, p90, p99; ///< nearest-rank percentiles
  int64_t numZero;       ///< nodes with degree 0
} HectorDegreeSummary;

typedef struct HectorGraphStats {
  int64_t numNodes, numEdges, numRelations, numNodeTypes;
  int64_t numEmptyRelations;  ///< relations with no edges
  int64_t numIsolatedNodes;   ///< nodes with no in- or out-edges
  int64_t numUniqueSrcPairs;  ///< sum over relations of unique sources
  int64_t numUniqueDstPairs;
  HectorDegreeSummary inDegree, outDegree;
} HectorGraphStats;

typedef struct HectorPreparedGraph HectorPreparedGraph;

/// Builds every layout of `graph`.  On success stores a new handle in *out
/// and returns HECTOR_STATUS_OK; on failure *out is NULL and
/// hectorGetLastError() describes the problem, naming the offending array
/// ("array 'dst': element 7 is 12, out of range [0, 10)").
HECTOR_RUNTIME_EXPORT HectorStatus
hectorGraphPrepare(const HectorCOOGraph *graph, HectorPreparedGraph **out);

HECTOR_RUNTIME_EXPORT void
hectorPreparedGraphDestroy(HectorPreparedGraph *graph);

/// Returns a borrowed pointer to one output array, its element type and
/// length.  The memory belongs to `graph`.
HECTOR_RUNTIME_EXPORT HectorStatus
hectorPreparedGraphGetArray(const HectorPreparedGraph *graph,
                            HectorPreparedArray which, const void **data,
                            HectorIndexType *type, int64_t *length);

HECTOR_RUNTIME_EXPORT HectorStatus
hectorPreparedGraphGetStats(const HectorPreparedGraph *graph,
                            HectorGraphStats *stats);

/// Stable lower_snake_case name of an output array ("rel_offsets", ...),
/// or NULL for an invalid value.
HECTOR_RUNTIME_EXPORT const char *
hectorPreparedArrayName(HectorPreparedArray which);

/// Message of the last failed call on this thread ("" if none).
HECTOR_RUNTIME_EXPORT const char *hectorGetLastError(void);

HECTOR_RUNTIME_EXPORT int hectorGraphPrepAbiVersion(void);

#ifdef __cplusplus
}
#endif

#endif // HECTOR_RUNTIME_GRAPHPREP_H
