//===- Passes.cpp - C API for Hector's passes -----------------------------===//

#include "Hector-c/Passes.h"

#include "Hector/InitHector.h"

#include <mutex>

void hectorRegisterAllPasses(void) {
  // Registering a pipeline name twice aborts, so only do it once per process.
  static std::once_flag once;
  std::call_once(once, [] { mlir::hector::registerAllPasses(); });
}
