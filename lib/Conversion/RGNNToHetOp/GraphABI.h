//===- GraphABI.h - the prepared graph's arrays, in ABI order ---*- C++ -*-===//
//
// The order and element types of the graph arrays a lowered function takes
// for its graph argument (docs/abi.md, "Graph arrays").
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_LIB_CONVERSION_RGNNTOHETOP_GRAPHABI_H
#define HECTOR_LIB_CONVERSION_RGNNTOHETOP_GRAPHABI_H

namespace mlir::hector {

enum GraphArray : unsigned {
  Src,
  Dst,
  Etype,
  Ntype,
  RelOffsets,
  RelEids,
  RelSrc,
  RelDst,
  InIndptr,
  InSrc,
  InEids,
  InEtype,
  OutIndptr,
  OutDst,
  OutEids,
  OutEtype,
  NtypeOffsets,
  NtypeNodes,
  UniqueSrcOffsets,
  UniqueSrcNodes,
  EdgeToUniqueSrc,
  UniqueSrcIndptr,
  UniqueSrcEids,
  SrcPairIndptr,
  SrcPairIds,
  UniqueDstOffsets,
  UniqueDstNodes,
  EdgeToUniqueDst,
  UniqueDstIndptr,
  UniqueDstEids,
  DstPairIndptr,
  DstPairIds,
  /// Per relation, the choice (`choice k` ops) the runtime made for this
  /// binding; not part of the prepared graph.
  RelChoice,
  NumGraphArrays
};

/// Offsets are int64; node, edge, pair and type ids are int32.
inline bool isOffsetArray(GraphArray array) {
  switch (array) {
  case RelOffsets:
  case InIndptr:
  case OutIndptr:
  case NtypeOffsets:
  case UniqueSrcOffsets:
  case UniqueSrcIndptr:
  case SrcPairIndptr:
  case UniqueDstOffsets:
  case UniqueDstIndptr:
  case DstPairIndptr:
    return true;
  default:
    return false;
  }
}

} // namespace mlir::hector

#endif // HECTOR_LIB_CONVERSION_RGNNTOHETOP_GRAPHABI_H
