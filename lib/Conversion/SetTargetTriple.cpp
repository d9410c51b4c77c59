//===- SetTargetTriple.cpp - record the LLVM target triple ----------------===//

#include "Hector/Conversion/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/TargetParser/Host.h"

namespace mlir::hector {
#define GEN_PASS_DEF_SETTARGETTRIPLE
#include "Hector/Conversion/Passes.h.inc"
} // namespace mlir::hector

using namespace mlir;

namespace {
struct SetTargetTriplePass
    : public hector::impl::SetTargetTripleBase<SetTargetTriplePass> {
  using Base::Base;
  void runOnOperation() override {
    std::string value =
        triple.empty() ? llvm::sys::getDefaultTargetTriple() : triple.getValue();
    getOperation()->setAttr("llvm.target_triple",
                            StringAttr::get(&getContext(), value));
  }
};
} // namespace
