//===- LLVMTarget.cpp - target triple and code-generation attributes ------===//

#include "Hector/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/TargetParser/Host.h"

namespace mlir::hector {
#define GEN_PASS_DEF_LLVMTARGET
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;

namespace {
struct LLVMTargetPass : public hector::impl::LLVMTargetBase<LLVMTargetPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    std::string value =
        triple.empty() ? llvm::sys::getDefaultTargetTriple() : triple.getValue();
    module->setAttr("llvm.target_triple", StringAttr::get(ctx, value));
    if (!sanitizeAddress)
      return;
    auto mark = StringAttr::get(ctx, "sanitize_address");
    module.walk([&](LLVM::LLVMFuncOp func) {
      if (func.isExternal())
        return;
      SmallVector<Attribute> passthrough;
      if (ArrayAttr existing = func.getPassthroughAttr())
        llvm::append_range(passthrough, existing.getValue());
      if (!llvm::is_contained(passthrough, mark))
        passthrough.push_back(mark);
      func.setPassthroughAttr(ArrayAttr::get(ctx, passthrough));
    });
  }
};
} // namespace
