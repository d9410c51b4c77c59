//===- GraphPrep.cpp - Graph preparation for Hector kernels ---------------===//
//
// Part of the Hector project.
//
//===----------------------------------------------------------------------===//
//
// Implements the C API in Hector/Runtime/GraphPrep.h.  Every layout is built
// with linear-time stable counting sorts over the whole edge list, so the
// work is O(N + E + R) with no per-relation passes over the edges and no
// per-call copies beyond the outputs themselves.
//
// Ordering conventions (relied on by tests and kernels):
//  - relation segments, CSR rows: entries in increasing original edge id;
//  - unique (src, r) rows: per relation, sources in increasing node id;
//  - edges of one pair, pairs of one node, nodes of one type: ascending.
//
//===----------------------------------------------------------------------===//

#include "Hector/Runtime/GraphPrep.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "RuntimeError.h"

namespace {

using hector::runtime::fail;
using hector::runtime::format;
using hector::runtime::lastError;
using PrepError = hector::runtime::RuntimeFailure;

using I32Vec = std::vector<int32_t>;
using I64Vec = std::vector<int64_t>;

constexpr int64_t kMaxIndex = std::numeric_limits<int32_t>::max();

/// Checks one input array and converts it to int32, verifying that every
/// element lies in [0, bound).  `what` names the array in messages.
void loadIndices(const HectorIndexArray &arr, const char *what,
                 int64_t expected, const char *expectedName, int64_t bound,
                 const char *kindOfId, I32Vec &out) {
  if (arr.type != HECTOR_INDEX_INT32 && arr.type != HECTOR_INDEX_INT64)
    throw PrepError{HECTOR_STATUS_INVALID_ARGUMENT,
                    format("array '%s': unknown index type %d", what,
                           static_cast<int>(arr.type))};
  if (arr.length != expected)
    throw PrepError{HECTOR_STATUS_SIZE_MISMATCH,
                    format("array '%s': has %lld elements, expected %lld "
                           "(%s)",
                           what, static_cast<long long>(arr.length),
                           static_cast<long long>(expected), expectedName)};
  if (expected > 0 && !arr.data)
    throw PrepError{HECTOR_STATUS_INVALID_ARGUMENT,
                    format("array '%s': null data pointer for %lld elements",
                           what, static_cast<long long>(expected))};
  out.resize(static_cast<size_t>(expected));
  auto check = [&](int64_t i, int64_t v) {
    if (v < 0 || v >= bound)
      throw PrepError{
          HECTOR_STATUS_OUT_OF_RANGE,
          format("array '%s': element %lld is %lld, out of range [0, %lld)%s",
                 what, static_cast<long long>(i), static_cast<long long>(v),
                 static_cast<long long>(bound),
                 v < 0 ? format(" (negative %s)", kindOfId).c_str()
                       : format(" (%s too large)", kindOfId).c_str())};
  };
  if (arr.type == HECTOR_INDEX_INT32) {
    const int32_t *p = static_cast<const int32_t *>(arr.data);
    for (int64_t i = 0; i < expected; ++i) {
      check(i, p[i]);
      out[i] = p[i];
    }
  } else {
    const int64_t *p = static_cast<const int64_t *>(arr.data);
    for (int64_t i = 0; i < expected; ++i) {
      check(i, p[i]);
      out[i] = static_cast<int32_t>(p[i]);
    }
  }
}

/// Stable counting sort: returns offsets [numKeys+1] and fills `order` with
/// the items of `items` (or 0..n-1 when `items` is null) grouped by key.
void countingSort(const I32Vec &keys, int64_t numKeys, const I32Vec *items,
                  I64Vec &offsets, I32Vec &order) {
  const size_t n = items ? items->size() : keys.size();
  offsets.assign(static_cast<size_t>(numKeys) + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    int32_t item = items ? (*items)[i] : static_cast<int32_t>(i);
    ++offsets[static_cast<size_t>(keys[item]) + 1];
  }
  for (int64_t k = 0; k < numKeys; ++k)
    offsets[k + 1] += offsets[k];
  I64Vec cursor(offsets.begin(), offsets.end() - 1);
  order.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int32_t item = items ? (*items)[i] : static_cast<int32_t>(i);
    order[static_cast<size_t>(cursor[keys[item]]++)] = item;
  }
}

HectorDegreeSummary summarize(const I64Vec &degree) {
  HectorDegreeSummary s{};
  const int64_t n = static_cast<int64_t>(degree.size());
  if (n == 0)
    return s;
  int64_t maxDeg = *std::max_element(degree.begin(), degree.end());
  I64Vec hist(static_cast<size_t>(maxDeg) + 1, 0);
  double sum = 0, sumSq = 0;
  for (int64_t d : degree) {
    ++hist[d];
    sum += static_cast<double>(d);
    sumSq += static_cast<double>(d) * static_cast<double>(d);
  }
  s.max = maxDeg;
  s.min = 0;
  while (hist[s.min] == 0)
    ++s.min;
  s.numZero = hist[0];
  s.mean = sum / n;
  double var = sumSq / n - s.mean * s.mean;
  s.stddev = var > 0 ? std::sqrt(var) : 0.0;
  // Nearest-rank percentile: smallest d with at least ceil(p*n) nodes <= d.
  auto percentile = [&](int64_t p) {
    int64_t rank = (p * n + 99) / 100;
    if (rank < 1)
      rank = 1;
    int64_t seen = 0;
    for (int64_t d = 0; d <= maxDeg; ++d) {
      seen += hist[d];
      if (seen >= rank)
        return d;
    }
    return maxDeg;
  };
  s.p50 = percentile(50);
  s.p90 = percentile(90);
  s.p99 = percentile(99);
  return s;
}

} // namespace

struct HectorPreparedGraph {
  HectorGraphStats stats{};
  I64Vec relOffsets;
  I32Vec relEids, relSrc, relDst;
  I64Vec inIndptr;
  I32Vec inSrc, inEids, inEtype;
  I64Vec outIndptr;
  I32Vec outDst, outEids, outEtype;
  I64Vec uniqueSrcOffsets;
  I32Vec uniqueSrcNodes, edgeToUniqueSrc;
  I64Vec uniqueDstOffsets;
  I32Vec uniqueDstNodes, edgeToUniqueDst;
  I64Vec relNumUniqueSrc, relNumUniqueDst, relMaxOutDegree, relMaxInDegree;
  I64Vec inDegree, outDegree, ntypeCounts;
  I32Vec src, dst, etype, ntype;
  I64Vec ntypeOffsets;
  I32Vec ntypeNodes;
  I64Vec uniqueSrcIndptr, srcPairIndptr;
  I32Vec uniqueSrcEids, srcPairIds;
  I64Vec uniqueDstIndptr, dstPairIndptr;
  I32Vec uniqueDstEids, dstPairIds;
};

namespace {

/// Builds the unique (node, relation) map.  `byNode` lists edge ids sorted
/// by node (stable in edge id); re-sorting it stably by relation yields
/// edges ordered by (relation, node, edge id), so one scan finds the
/// distinct nodes of every relation.  That order is also the CSR over pairs
/// (`order`, `pairIndptr`), since pairs are numbered in the same order.
void buildUniqueMap(const I32Vec &node, const I32Vec &rel, int64_t numRels,
                    const I32Vec &byNode, I64Vec &offsets, I32Vec &nodes,
                    I32Vec &edgeToUnique, I64Vec &numUnique,
                    I64Vec &maxMultiplicity, I64Vec &pairIndptr,
                    I32Vec &order) {
  I64Vec relOffsets;
  countingSort(rel, numRels, &byNode, relOffsets, order);
  pairIndptr.assign(1, 0);
  offsets.assign(static_cast<size_t>(numRels) + 1, 0);
  numUnique.assign(static_cast<size_t>(numRels), 0);
  maxMultiplicity.assign(static_cast<size_t>(numRels), 0);
  edgeToUnique.resize(node.size());
  nodes.clear();
  for (int64_t r = 0; r < numRels; ++r) {
    int64_t begin = relOffsets[r], end = relOffsets[r + 1];
    int64_t run = 0;
    for (int64_t i = begin; i < end; ++i) {
      int32_t e = order[i];
      if (i == begin || node[e] != node[order[i - 1]]) {
        if (!nodes.empty())
          pairIndptr.push_back(i);
        nodes.push_back(node[e]);
        run = 0;
      }
      ++run;
      maxMultiplicity[r] = std::max(maxMultiplicity[r], run);
      edgeToUnique[e] = static_cast<int32_t>(nodes.size() - 1);
    }
    offsets[r + 1] = static_cast<int64_t>(nodes.size());
    numUnique[r] = offsets[r + 1] - offsets[r];
  }
  if (!nodes.empty())
    pairIndptr.push_back(static_cast<int64_t>(order.size()));
  nodes.shrink_to_fit();
  pairIndptr.shrink_to_fit();
}

void prepare(const HectorCOOGraph &g, HectorPreparedGraph &p) {
  const int64_t N = g.numNodes, E = g.numEdges, R = g.numRelations,
                T = g.numNodeTypes;
  if (N < 0 || E < 0 || R < 0 || T < 0)
    throw PrepError{HECTOR_STATUS_INVALID_ARGUMENT,
                    format("negative count (numNodes=%lld, numEdges=%lld, "
                           "numRelations=%lld, numNodeTypes=%lld)",
                           (long long)N, (long long)E, (long long)R,
                           (long long)T)};
  if (N > kMaxIndex || E > kMaxIndex || R > kMaxIndex || T > kMaxIndex)
    throw PrepError{HECTOR_STATUS_INVALID_ARGUMENT,
                    format("graph too large for 32-bit ids (numNodes=%lld, "
                           "numEdges=%lld, numRelations=%lld); at most %lld "
                           "each",
                           (long long)N, (long long)E, (long long)R,
                           (long long)kMaxIndex)};
  I32Vec src, dst, rel, ntype;
  loadIndices(g.src, "src", E, "numEdges", N, "node id", src);
  loadIndices(g.dst, "dst", E, "numEdges", N, "node id", dst);
  loadIndices(g.etype, "etype", E, "numEdges", R, "relation id", rel);
  int64_t numTypes = T;
  if (g.ntype.data || g.ntype.length != 0) {
    loadIndices(g.ntype, "ntype", N, "numNodes", T, "node type", ntype);
  } else {
    if (N > 0 && T < 1)
      throw PrepError{HECTOR_STATUS_INVALID_ARGUMENT,
                      "numNodeTypes must be at least 1 when nodes exist"};
    ntype.assign(static_cast<size_t>(N), 0);
  }

  // Relation segments.
  countingSort(rel, R, nullptr, p.relOffsets, p.relEids);
  p.relSrc.resize(E);
  p.relDst.resize(E);
  for (int64_t i = 0; i < E; ++i) {
    p.relSrc[i] = src[p.relEids[i]];
    p.relDst[i] = dst[p.relEids[i]];
  }

  // In- and out-CSR.
  countingSort(dst, N, nullptr, p.inIndptr, p.inEids);
  countingSort(src, N, nullptr, p.outIndptr, p.outEids);
  p.inSrc.resize(E);
  p.inEtype.resize(E);
  p.outDst.resize(E);
  p.outEtype.resize(E);
  for (int64_t i = 0; i < E; ++i) {
    p.inSrc[i] = src[p.inEids[i]];
    p.inEtype[i] = rel[p.inEids[i]];
    p.outDst[i] = dst[p.outEids[i]];
    p.outEtype[i] = rel[p.outEids[i]];
  }

  // Compact (node, relation) maps.
  buildUniqueMap(src, rel, R, p.outEids, p.uniqueSrcOffsets, p.uniqueSrcNodes,
                 p.edgeToUniqueSrc, p.relNumUniqueSrc, p.relMaxOutDegree,
                 p.uniqueSrcIndptr, p.uniqueSrcEids);
  buildUniqueMap(dst, rel, R, p.inEids, p.uniqueDstOffsets, p.uniqueDstNodes,
                 p.edgeToUniqueDst, p.relNumUniqueDst, p.relMaxInDegree,
                 p.uniqueDstIndptr, p.uniqueDstEids);
  // Node -> its pairs: a stable sort of pair ids by node keeps them
  // ascending within a node.
  countingSort(p.uniqueSrcNodes, N, nullptr, p.srcPairIndptr, p.srcPairIds);
  countingSort(p.uniqueDstNodes, N, nullptr, p.dstPairIndptr, p.dstPairIds);

  // Nodes grouped by type.
  countingSort(ntype, numTypes, nullptr, p.ntypeOffsets, p.ntypeNodes);

  // Degrees and statistics.
  p.inDegree.resize(N);
  p.outDegree.resize(N);
  int64_t isolated = 0;
  for (int64_t v = 0; v < N; ++v) {
    p.inDegree[v] = p.inIndptr[v + 1] - p.inIndptr[v];
    p.outDegree[v] = p.outIndptr[v + 1] - p.outIndptr[v];
    isolated += (p.inDegree[v] == 0 && p.outDegree[v] == 0);
  }
  p.ntypeCounts.assign(static_cast<size_t>(numTypes), 0);
  for (int32_t t : ntype)
    ++p.ntypeCounts[t];

  HectorGraphStats &s = p.stats;
  s.numNodes = N;
  s.numEdges = E;
  s.numRelations = R;
  s.numNodeTypes = numTypes;
  s.numEmptyRelations = 0;
  for (int64_t r = 0; r < R; ++r)
    s.numEmptyRelations += (p.relOffsets[r + 1] == p.relOffsets[r]);
  s.numIsolatedNodes = isolated;
  s.numUniqueSrcPairs = static_cast<int64_t>(p.uniqueSrcNodes.size());
  s.numUniqueDstPairs = static_cast<int64_t>(p.uniqueDstNodes.size());
  s.inDegree = summarize(p.inDegree);
  s.outDegree = summarize(p.outDegree);

  // Kept last: the int32 copies of the input are moved, not copied.
  p.src = std::move(src);
  p.dst = std::move(dst);
  p.etype = std::move(rel);
  p.ntype = std::move(ntype);
}

const char *const kArrayNames[] = {
    "rel_offsets",        "rel_eids",           "rel_src",
    "rel_dst",            "in_indptr",          "in_src",
    "in_eids",            "in_etype",           "out_indptr",
    "out_dst",            "out_eids",           "out_etype",
    "unique_src_offsets", "unique_src_nodes",   "edge_to_unique_src",
    "unique_dst_offsets", "unique_dst_nodes",   "edge_to_unique_dst",
    "rel_num_unique_src", "rel_num_unique_dst", "rel_max_out_degree",
    "rel_max_in_degree",  "in_degree",          "out_degree",
    "ntype_counts",       "src",                "dst",
    "etype",              "ntype",              "ntype_offsets",
    "ntype_nodes",        "unique_src_indptr",  "unique_src_eids",
    "src_pair_indptr",    "src_pair_ids",       "unique_dst_indptr",
    "unique_dst_eids",    "dst_pair_indptr",    "dst_pair_ids",
};
static_assert(sizeof(kArrayNames) / sizeof(kArrayNames[0]) ==
                  HECTOR_NUM_PREPARED_ARRAYS,
              "one name per prepared array");

} // namespace

extern "C" {

HectorStatus hectorGraphPrepare(const HectorCOOGraph *graph,
                                HectorPreparedGraph **out) {
  if (!out)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "output handle is null");
  *out = nullptr;
  if (!graph)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "graph is null");
  try {
    auto p = std::make_unique<HectorPreparedGraph>();
    prepare(*graph, *p);
    *out = p.release();
    lastError.clear();
    return HECTOR_STATUS_OK;
  } catch (const PrepError &e) {
    return fail(e.status, e.message);
  } catch (const std::bad_alloc &) {
    return fail(HECTOR_STATUS_OUT_OF_MEMORY,
                "out of memory while preparing the graph");
  } catch (const std::exception &e) {
    return fail(HECTOR_STATUS_INTERNAL, e.what());
  } catch (...) {
    return fail(HECTOR_STATUS_INTERNAL, "unknown internal error");
  }
}

void hectorPreparedGraphDestroy(HectorPreparedGraph *graph) { delete graph; }

HectorStatus hectorPreparedGraphGetArray(const HectorPreparedGraph *graph,
                                         HectorPreparedArray which,
                                         const void **data,
                                         HectorIndexType *type,
                                         int64_t *length) {
  if (!graph || !data || !type || !length)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  auto set64 = [&](const I64Vec &v) {
    *data = v.data();
    *type = HECTOR_INDEX_INT64;
    *length = static_cast<int64_t>(v.size());
    return HECTOR_STATUS_OK;
  };
  auto set32 = [&](const I32Vec &v) {
    *data = v.data();
    *type = HECTOR_INDEX_INT32;
    *length = static_cast<int64_t>(v.size());
    return HECTOR_STATUS_OK;
  };
  const HectorPreparedGraph &p = *graph;
  switch (which) {
  case HECTOR_REL_OFFSETS: return set64(p.relOffsets);
  case HECTOR_REL_EIDS: return set32(p.relEids);
  case HECTOR_REL_SRC: return set32(p.relSrc);
  case HECTOR_REL_DST: return set32(p.relDst);
  case HECTOR_IN_INDPTR: return set64(p.inIndptr);
  case HECTOR_IN_SRC: return set32(p.inSrc);
  case HECTOR_IN_EIDS: return set32(p.inEids);
  case HECTOR_IN_ETYPE: return set32(p.inEtype);
  case HECTOR_OUT_INDPTR: return set64(p.outIndptr);
  case HECTOR_OUT_DST: return set32(p.outDst);
  case HECTOR_OUT_EIDS: return set32(p.outEids);
  case HECTOR_OUT_ETYPE: return set32(p.outEtype);
  case HECTOR_UNIQUE_SRC_OFFSETS: return set64(p.uniqueSrcOffsets);
  case HECTOR_UNIQUE_SRC_NODES: return set32(p.uniqueSrcNodes);
  case HECTOR_EDGE_TO_UNIQUE_SRC: return set32(p.edgeToUniqueSrc);
  case HECTOR_UNIQUE_DST_OFFSETS: return set64(p.uniqueDstOffsets);
  case HECTOR_UNIQUE_DST_NODES: return set32(p.uniqueDstNodes);
  case HECTOR_EDGE_TO_UNIQUE_DST: return set32(p.edgeToUniqueDst);
  case HECTOR_REL_NUM_UNIQUE_SRC: return set64(p.relNumUniqueSrc);
  case HECTOR_REL_NUM_UNIQUE_DST: return set64(p.relNumUniqueDst);
  case HECTOR_REL_MAX_OUT_DEGREE: return set64(p.relMaxOutDegree);
  case HECTOR_REL_MAX_IN_DEGREE: return set64(p.relMaxInDegree);
  case HECTOR_IN_DEGREE: return set64(p.inDegree);
  case HECTOR_OUT_DEGREE: return set64(p.outDegree);
  case HECTOR_NTYPE_COUNTS: return set64(p.ntypeCounts);
  case HECTOR_SRC: return set32(p.src);
  case HECTOR_DST: return set32(p.dst);
  case HECTOR_ETYPE: return set32(p.etype);
  case HECTOR_NTYPE: return set32(p.ntype);
  case HECTOR_NTYPE_OFFSETS: return set64(p.ntypeOffsets);
  case HECTOR_NTYPE_NODES: return set32(p.ntypeNodes);
  case HECTOR_UNIQUE_SRC_INDPTR: return set64(p.uniqueSrcIndptr);
  case HECTOR_UNIQUE_SRC_EIDS: return set32(p.uniqueSrcEids);
  case HECTOR_SRC_PAIR_INDPTR: return set64(p.srcPairIndptr);
  case HECTOR_SRC_PAIR_IDS: return set32(p.srcPairIds);
  case HECTOR_UNIQUE_DST_INDPTR: return set64(p.uniqueDstIndptr);
  case HECTOR_UNIQUE_DST_EIDS: return set32(p.uniqueDstEids);
  case HECTOR_DST_PAIR_INDPTR: return set64(p.dstPairIndptr);
  case HECTOR_DST_PAIR_IDS: return set32(p.dstPairIds);
  case HECTOR_NUM_PREPARED_ARRAYS: break;
  }
  return fail(HECTOR_STATUS_INVALID_ARGUMENT,
              format("unknown prepared array id %d", static_cast<int>(which)));
}

HectorStatus hectorPreparedGraphGetStats(const HectorPreparedGraph *graph,
                                         HectorGraphStats *stats) {
  if (!graph || !stats)
    return fail(HECTOR_STATUS_INVALID_ARGUMENT, "null argument");
  *stats = graph->stats;
  return HECTOR_STATUS_OK;
}

const char *hectorPreparedArrayName(HectorPreparedArray which) {
  int i = static_cast<int>(which);
  if (i < 0 || i >= HECTOR_NUM_PREPARED_ARRAYS)
    return nullptr;
  return kArrayNames[i];
}

const char *hectorGetLastError(void) { return lastError.c_str(); }

int hectorGraphPrepAbiVersion(void) { return HECTOR_GRAPHPREP_ABI_VERSION; }

} // extern "C"
