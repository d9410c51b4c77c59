//===- HetOpDialect.cpp - hetop dialect and attributes --------------------===//

#include "Hector/Dialect/HetOp/IR/HetOp.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::hector::hetop;

#include "Hector/Dialect/HetOp/IR/HetOpDialect.cpp.inc"
#include "Hector/Dialect/HetOp/IR/HetOpEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "Hector/Dialect/HetOp/IR/HetOpAttrs.cpp.inc"

void HetOpDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "Hector/Dialect/HetOp/IR/HetOpOps.cpp.inc"
      >();
}

void HetOpDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Hector/Dialect/HetOp/IR/HetOpAttrs.cpp.inc"
      >();
}

/// Checks a CUDA block size: a multiple of 32 (whole warps), at most 1024.
static LogicalResult verifyThreads(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t threads) {
  if (threads <= 0 || threads % 32 != 0 || threads > 1024)
    return emitError() << "threads must be a positive multiple of 32 and at "
                          "most 1024, got "
                       << threads;
  return success();
}

LogicalResult
GemmScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t tileM, int64_t tileN, int64_t tileK,
                         int64_t threads) {
  for (auto [name, tile] :
       {std::pair{"tile_m", tileM}, {"tile_n", tileN}, {"tile_k", tileK}})
    if (tile <= 0 || !llvm::isPowerOf2_64(tile))
      return emitError() << name << " must be a positive power of two, got "
                         << tile;
  if (failed(verifyThreads(emitError, threads)))
    return failure();
  if ((tileM * tileN) % threads != 0)
    return emitError() << "threads (" << threads
                       << ") must divide the C tile of " << tileM << "x"
                       << tileN << " = " << tileM * tileN << " elements";
  return success();
}

LogicalResult
TraversalScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              int64_t threads, int64_t lanes) {
  if (failed(verifyThreads(emitError, threads)))
    return failure();
  if (lanes <= 0 || lanes > 32 || !llvm::isPowerOf2_64(lanes))
    return emitError() << "lanes must be a power of two between 1 and 32, got "
                       << lanes;
  return success();
}
