//===- AtomicMaxToInteger.cpp - float atomic max as an integer atomic -----===//
//
// LLVM expands `atomicrmw fmax`/`fmaximum` into a compare-and-swap loop
// (x86 and NVPTX alike). On the bits of the value, a signed maximum orders
// non-negative floats and an unsigned minimum orders negative ones, each
// being a single atomic instruction (`atom.global.max.s32`,
// `atom.global.min.u32` in PTX).
//
//===----------------------------------------------------------------------===//

#include "Hector/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::hector {
#define GEN_PASS_DEF_ATOMICMAXTOINTEGER
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;

namespace {

bool isFloatMax(LLVM::AtomicRMWOp op) {
  LLVM::AtomicBinOp kind = op.getBinOp();
  return (kind == LLVM::AtomicBinOp::fmax ||
          kind == LLVM::AtomicBinOp::fmaximum) &&
         (op.getVal().getType().isF32() || op.getVal().getType().isF64());
}

/// Splits the block at `op` and branches on the value's sign to a signed
/// maximum or an unsigned minimum of its bits; the old bits, joined after
/// the branch, replace the result.
void rewrite(LLVM::AtomicRMWOp op) {
  Location loc = op.getLoc();
  Type floatType = op.getVal().getType();
  auto intType =
      IntegerType::get(op.getContext(), floatType.getIntOrFloatBitWidth());
  OpBuilder b(op);
  Value bits = LLVM::BitcastOp::create(b, loc, intType, op.getVal());
  Value zero = LLVM::ConstantOp::create(b, loc, intType, 0);
  Value negative =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::slt, bits, zero);

  Block *before = op->getBlock();
  Block *after = before->splitBlock(op);
  BlockArgument old = after->addArgument(intType, loc);
  Region *region = before->getParent();
  auto atomic = [&](LLVM::AtomicBinOp kind) {
    Block *block = new Block();
    region->getBlocks().insert(after->getIterator(), block);
    b.setInsertionPointToEnd(block);
    Value previous = LLVM::AtomicRMWOp::create(
        b, loc, kind, op.getPtr(), bits, op.getOrdering(),
        op.getSyncscope().value_or(""), op.getAlignment().value_or(0),
        op.getVolatile_());
    LLVM::BrOp::create(b, loc, ValueRange{previous}, after);
    return block;
  };
  Block *ifNegative = atomic(LLVM::AtomicBinOp::umin);
  Block *ifNonNegative = atomic(LLVM::AtomicBinOp::max);
  b.setInsertionPointToEnd(before);
  LLVM::CondBrOp::create(b, loc, negative, ifNegative, ifNonNegative);

  b.setInsertionPointToStart(after);
  Value result = LLVM::BitcastOp::create(b, loc, floatType, old);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

struct AtomicMaxToIntegerPass
    : public hector::impl::AtomicMaxToIntegerBase<AtomicMaxToIntegerPass> {
  void runOnOperation() override {
    SmallVector<LLVM::AtomicRMWOp> ops;
    getOperation()->walk([&](LLVM::AtomicRMWOp op) {
      if (isFloatMax(op))
        ops.push_back(op);
    });
    for (LLVM::AtomicRMWOp op : ops)
      rewrite(op);
  }
};

} // namespace
