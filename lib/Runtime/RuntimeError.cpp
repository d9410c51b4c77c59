//===- RuntimeError.cpp - Shared error state of the runtime ---------------===//
//
// Part of the Hector project.
//
//===----------------------------------------------------------------------===//

#include "RuntimeError.h"

namespace hector::runtime {
thread_local std::string lastError;
} // namespace hector::runtime
