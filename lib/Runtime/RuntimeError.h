//===- RuntimeError.h - Shared error state of the runtime -------*- C++ -*-===//
//
// Part of the Hector project.
//
//===----------------------------------------------------------------------===//
//
// The runtime's C entry points report failures through one thread-local
// message (hectorGetLastError), whichever header declares them.
//
//===----------------------------------------------------------------------===//

#ifndef HECTOR_LIB_RUNTIME_RUNTIMEERROR_H
#define HECTOR_LIB_RUNTIME_RUNTIMEERROR_H

#include "Hector/Runtime/GraphPrep.h"

#include <cstdio>
#include <string>

namespace hector::runtime {

extern thread_local std::string lastError;

/// A failure inside the runtime: a status plus the message for
/// hectorGetLastError.  Thrown internally, never across the C ABI.
struct RuntimeFailure {
  HectorStatus status;
  std::string message;
};

template <typename... Args>
std::string format(const char *fmt, Args... args) {
  int n = std::snprintf(nullptr, 0, fmt, args...);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  std::snprintf(out.data(), out.size() + 1, fmt, args...);
  return out;
}

inline HectorStatus fail(HectorStatus status, std::string message) {
  lastError = std::move(message);
  return status;
}

} // namespace hector::runtime

#endif // HECTOR_LIB_RUNTIME_RUNTIMEERROR_H
