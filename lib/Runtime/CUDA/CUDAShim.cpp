//===- CUDAShim.cpp - CUDA driver shim for compiled models ----------------===//
//
// Part of the Hector project.
//
//===----------------------------------------------------------------------===//
//
// The host code of a model compiled for the GPU (MLIR's gpu-to-llvm
// lowering) calls the `mgpu*` functions below; this file implements them on
// the CUDA driver API, which it loads with dlopen at run time, so it builds
// without the CUDA SDK and loads on machines with no GPU.  The few driver
// types, enum values and function signatures it needs are declared here.
//
// Every driver call is checked.  The mgpu API has no error returns, so the
// first failure becomes a sticky, process-wide error (see
// Hector/Runtime/CUDA.h) and every later mgpu call is a no-op returning
// NULL until the error is cleared.
//
// The driver state is a heap object that is never destroyed: global
// destructors of loaded models (mgpuModuleUnload) run at exit, possibly
// after this library's own static destructors.
//
//===----------------------------------------------------------------------===//

#include "Hector/Runtime/CUDA.h"

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

//===----------------------------------------------------------------------===//
// The driver API subset (declared here: no CUDA headers)
//===----------------------------------------------------------------------===//

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUmemoryPool = struct CUmemPoolHandle_st *;
using CUjit_option = int;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;
constexpr CUresult CUDA_ERROR_DEINITIALIZED = 4;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;

constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr CUjit_option CU_JIT_OPTIMIZATION_LEVEL = 7;

// CUdevice_attribute values.
constexpr int ATTR_MAX_THREADS_PER_BLOCK = 1;
constexpr int ATTR_MAX_BLOCK_DIM_X = 2; // Y = 3, Z = 4
constexpr int ATTR_MAX_GRID_DIM_X = 5;  // Y = 6, Z = 7
constexpr int ATTR_MAX_SHARED_MEMORY_PER_BLOCK = 8;
constexpr int ATTR_WARP_SIZE = 10;
constexpr int ATTR_MULTIPROCESSOR_COUNT = 16;
constexpr int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int ATTR_COMPUTE_CAPABILITY_MINOR = 76;

constexpr unsigned CU_MEM_ATTACH_GLOBAL = 1;
constexpr unsigned CU_EVENT_DEFAULT = 0;
constexpr unsigned CU_STREAM_DEFAULT = 0;
// CUmemPool_attribute: bytes the pool keeps when a synchronization would
// release memory to the OS.
constexpr int CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4;

/// One driver entry point: a member per function, resolved by name (the
/// first of `names` the library exports).
struct DriverApi {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxGetCurrent)(CUcontext *);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*cuDeviceGetDefaultMemPool)(CUmemoryPool *, CUdevice);
  CUresult (*cuMemPoolSetAttribute)(CUmemoryPool, int, void *);
  CUresult (*cuMemPoolTrimTo)(CUmemoryPool, size_t);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemsetD32)(CUdeviceptr, unsigned, size_t);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t,
                               CUstream);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned,
                                 CUjit_option *, void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
};

struct Symbol {
  size_t offset;           // of the member in DriverApi
  const char *names[3];    // candidates, preferred first
};

#define HECTOR_SYM(member, ...)                                                \
  Symbol { offsetof(DriverApi, member), { __VA_ARGS__ } }

// Where the driver has versioned entry points, the _v2 symbol is the one
// with 64-bit sizes and pointers (the unversioned one is the legacy ABI).
const Symbol kSymbols[] = {
    HECTOR_SYM(cuInit, "cuInit"),
    HECTOR_SYM(cuDriverGetVersion, "cuDriverGetVersion"),
    HECTOR_SYM(cuGetErrorName, "cuGetErrorName"),
    HECTOR_SYM(cuGetErrorString, "cuGetErrorString"),
    HECTOR_SYM(cuDeviceGetCount, "cuDeviceGetCount"),
    HECTOR_SYM(cuDeviceGet, "cuDeviceGet"),
    HECTOR_SYM(cuDeviceGetName, "cuDeviceGetName"),
    HECTOR_SYM(cuDeviceGetAttribute, "cuDeviceGetAttribute"),
    HECTOR_SYM(cuDeviceTotalMem, "cuDeviceTotalMem_v2"),
    HECTOR_SYM(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    HECTOR_SYM(cuCtxGetCurrent, "cuCtxGetCurrent"),
    HECTOR_SYM(cuCtxSetCurrent, "cuCtxSetCurrent"),
    HECTOR_SYM(cuCtxSynchronize, "cuCtxSynchronize"),
    HECTOR_SYM(cuMemAlloc, "cuMemAlloc_v2"),
    HECTOR_SYM(cuMemAllocManaged, "cuMemAllocManaged"),
    HECTOR_SYM(cuMemFree, "cuMemFree_v2"),
    HECTOR_SYM(cuMemAllocAsync, "cuMemAllocAsync"),
    HECTOR_SYM(cuMemFreeAsync, "cuMemFreeAsync"),
    HECTOR_SYM(cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool"),
    HECTOR_SYM(cuMemPoolSetAttribute, "cuMemPoolSetAttribute"),
    HECTOR_SYM(cuMemPoolTrimTo, "cuMemPoolTrimTo"),
    HECTOR_SYM(cuMemcpyAsync, "cuMemcpyAsync"),
    HECTOR_SYM(cuMemcpyHtoD, "cuMemcpyHtoD_v2"),
    HECTOR_SYM(cuMemcpyDtoH, "cuMemcpyDtoH_v2"),
    HECTOR_SYM(cuMemcpyDtoD, "cuMemcpyDtoD_v2"),
    HECTOR_SYM(cuMemsetD32, "cuMemsetD32_v2"),
    HECTOR_SYM(cuMemsetD32Async, "cuMemsetD32Async"),
    HECTOR_SYM(cuMemsetD16Async, "cuMemsetD16Async"),
    HECTOR_SYM(cuModuleLoadDataEx, "cuModuleLoadDataEx"),
    HECTOR_SYM(cuModuleUnload, "cuModuleUnload"),
    HECTOR_SYM(cuModuleGetFunction, "cuModuleGetFunction"),
    HECTOR_SYM(cuLaunchKernel, "cuLaunchKernel"),
    HECTOR_SYM(cuStreamCreate, "cuStreamCreate"),
    HECTOR_SYM(cuStreamSynchronize, "cuStreamSynchronize"),
    HECTOR_SYM(cuStreamDestroy, "cuStreamDestroy_v2"),
    HECTOR_SYM(cuStreamWaitEvent, "cuStreamWaitEvent"),
    HECTOR_SYM(cuEventCreate, "cuEventCreate"),
    HECTOR_SYM(cuEventDestroy, "cuEventDestroy_v2"),
    HECTOR_SYM(cuEventRecord, "cuEventRecord"),
    HECTOR_SYM(cuEventSynchronize, "cuEventSynchronize"),
    HECTOR_SYM(cuEventElapsedTime, "cuEventElapsedTime_v2",
               "cuEventElapsedTime"),
};

#undef HECTOR_SYM

std::string vformat(const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  std::vsnprintf(out.data(), out.size() + 1, fmt, ap);
  return out;
}

__attribute__((format(printf, 1, 2))) std::string format(const char *fmt,
                                                         ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

/// Limits of the current device, checked before each launch.
struct DeviceLimits {
  int maxThreadsPerBlock = 0;
  int maxBlock[3] = {0, 0, 0};
  int maxGrid[3] = {0, 0, 0};
};

/// All process-wide state.  Never destroyed (see the file comment).
struct Shim {
  // Driver loading (once).
  std::mutex initMutex;
  std::atomic<bool> initDone{false};
  bool available = false;
  std::string unavailableWhy;
  std::string libraryPath;
  void *handle = nullptr;
  DriverApi api{};
  int driverVersion = 0;
  int deviceCount = 0;
  bool syncCheck = false;

  // Device and primary contexts.
  std::mutex contextMutex;
  std::atomic<int> device{0};
  std::unordered_map<int, CUcontext> contexts; // retained primary contexts
  std::unordered_map<int, DeviceLimits> limits;
  std::unordered_map<int, CUmemoryPool> pools; // default pools, kept warm

  // Pointers mgpuMemAlloc took from a pool: only those may be freed in
  // stream order.
  std::mutex asyncMutex;
  std::unordered_set<CUdeviceptr> asyncAllocations;

  // The sticky error.
  std::mutex errorMutex;
  std::atomic<bool> errorPending{false};
  HectorCudaStatus errorStatus = HECTOR_CUDA_SUCCESS;
  CUresult errorResult = CUDA_SUCCESS;
  std::string errorMessage;

  // Names for messages: kernel of each function handle, last kernel
  // launched on each stream (and on any stream).
  std::mutex namesMutex;
  std::unordered_map<CUfunction, std::string> kernelNames;
  std::unordered_map<CUstream, std::string> lastKernelOnStream;
  std::string lastKernel;
};

Shim &shim() {
  static Shim *s = new Shim; // intentionally leaked
  return *s;
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

bool errorPending() {
  return shim().errorPending.load(std::memory_order_acquire);
}

/// Records `message` as the sticky error unless one is already pending
/// (the first error is the informative one).  Returns `status`.
HectorCudaStatus setError(HectorCudaStatus status, CUresult result,
                          std::string message) {
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.errorMutex);
  if (!s.errorPending.load(std::memory_order_relaxed)) {
    s.errorStatus = status;
    s.errorResult = result;
    s.errorMessage = std::move(message);
    s.errorPending.store(true, std::memory_order_release);
  }
  return status;
}

std::string describe(CUresult r) {
  const DriverApi &api = shim().api;
  const char *name = nullptr, *text = nullptr;
  if (api.cuGetErrorName && api.cuGetErrorName(r, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (api.cuGetErrorString && api.cuGetErrorString(r, &text) != CUDA_SUCCESS)
    text = nullptr;
  std::string out = name ? name : format("CUresult %d", r);
  if (text)
    out += format(" (%s)", text);
  return out;
}

/// Checks the result of driver call `what` made on behalf of `call`.
bool check(CUresult r, const char *call, const char *what,
           const std::string &detail = std::string()) {
  if (r == CUDA_SUCCESS)
    return true;
  setError(r == CUDA_ERROR_OUT_OF_MEMORY ? HECTOR_CUDA_ERROR_OUT_OF_MEMORY
                                         : HECTOR_CUDA_ERROR_DRIVER,
           r,
           format("%s: %s%s failed: %s", call, detail.c_str(), what,
                  describe(r).c_str()));
  return false;
}

bool invalid(const char *call, const std::string &why) {
  setError(HECTOR_CUDA_ERROR_INVALID_ARGUMENT, 0,
           format("%s: %s", call, why.c_str()));
  return false;
}

//===----------------------------------------------------------------------===//
// Driver loading and contexts
//===----------------------------------------------------------------------===//

void loadDriver(Shim &s) {
  const char *env = std::getenv("HECTOR_LIBCUDA");
  s.libraryPath = env && *env ? env : "libcuda.so.1";
  const char *sync = std::getenv("HECTOR_CUDA_SYNC_CHECK");
  s.syncCheck = sync && *sync && std::strcmp(sync, "0") != 0;
  dlerror();
  s.handle = dlopen(s.libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!s.handle) {
    const char *why = dlerror();
    s.unavailableWhy = format("%s not found: %s", s.libraryPath.c_str(),
                              why ? why : "dlopen failed");
    return;
  }
  for (const Symbol &sym : kSymbols) {
    void *fn = nullptr;
    for (const char *name : sym.names)
      if (name && (fn = dlsym(s.handle, name)))
        break;
    if (!fn) {
      s.unavailableWhy =
          format("%s has no %s (a CUDA driver older than this shim "
                 "supports?)",
                 s.libraryPath.c_str(), sym.names[0]);
      return;
    }
    std::memcpy(reinterpret_cast<char *>(&s.api) + sym.offset, &fn,
                sizeof(fn));
  }
  CUresult r = s.api.cuInit(0);
  if (r != CUDA_SUCCESS) {
    s.unavailableWhy = format("%scuInit failed: %s",
                              r == CUDA_ERROR_NO_DEVICE ? "no CUDA device: "
                                                        : "",
                              describe(r).c_str());
    return;
  }
  s.api.cuDriverGetVersion(&s.driverVersion);
  r = s.api.cuDeviceGetCount(&s.deviceCount);
  if (r != CUDA_SUCCESS) {
    s.unavailableWhy =
        format("cuDeviceGetCount failed: %s", describe(r).c_str());
    return;
  }
  if (s.deviceCount <= 0) {
    s.unavailableWhy = "no CUDA device (cuDeviceGetCount returned 0)";
    return;
  }
  s.available = true;
}

/// Loads the driver once; false (with the reason) when unavailable.
bool driverReady() {
  Shim &s = shim();
  if (!s.initDone.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(s.initMutex);
    if (!s.initDone.load(std::memory_order_relaxed)) {
      loadDriver(s);
      s.initDone.store(true, std::memory_order_release);
    }
  }
  return s.available;
}

bool ensureDriver(const char *call) {
  if (driverReady())
    return true;
  setError(HECTOR_CUDA_ERROR_UNAVAILABLE, 0,
           format("%s: CUDA is not available: %s", call,
                  shim().unavailableWhy.c_str()));
  return false;
}

/// Makes the primary context of the selected device current on this thread
/// (retaining it on first use) and returns that device's limits.
const DeviceLimits *ensureContext(const char *call) {
  Shim &s = shim();
  int dev = s.device.load();
  CUcontext ctx = nullptr;
  const DeviceLimits *lim = nullptr;
  {
    std::lock_guard<std::mutex> lock(s.contextMutex);
    auto it = s.contexts.find(dev);
    if (it == s.contexts.end()) {
      if (dev < 0 || dev >= s.deviceCount) {
        invalid(call, format("device %d out of range [0, %d)", dev,
                             s.deviceCount));
        return nullptr;
      }
      CUdevice d;
      if (!check(s.api.cuDeviceGet(&d, dev), call, "cuDeviceGet"))
        return nullptr;
      DeviceLimits l;
      bool ok = check(s.api.cuDeviceGetAttribute(&l.maxThreadsPerBlock,
                                                 ATTR_MAX_THREADS_PER_BLOCK,
                                                 d),
                      call, "cuDeviceGetAttribute");
      for (int k = 0; ok && k < 3; ++k)
        ok = check(s.api.cuDeviceGetAttribute(&l.maxBlock[k],
                                              ATTR_MAX_BLOCK_DIM_X + k, d),
                   call, "cuDeviceGetAttribute") &&
             check(s.api.cuDeviceGetAttribute(&l.maxGrid[k],
                                              ATTR_MAX_GRID_DIM_X + k, d),
                   call, "cuDeviceGetAttribute");
      if (!ok)
        return nullptr;
      if (!check(s.api.cuDevicePrimaryCtxRetain(&ctx, d), call,
                 "cuDevicePrimaryCtxRetain"))
        return nullptr;
      // Model temporaries come from the device's default pool in stream
      // order. The pool keeps freed memory (like PyTorch's caching
      // allocator) rather than unmapping it at every synchronization:
      // hectorCudaTrimMemory gives it back.
      CUmemoryPool pool = nullptr;
      uint64_t keep = UINT64_MAX;
      if (!check(s.api.cuDeviceGetDefaultMemPool(&pool, d), call,
                 "cuDeviceGetDefaultMemPool") ||
          !check(s.api.cuMemPoolSetAttribute(
                     pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep),
                 call, "cuMemPoolSetAttribute"))
        return nullptr;
      s.pools[dev] = pool;
      it = s.contexts.emplace(dev, ctx).first;
      s.limits[dev] = l;
    }
    ctx = it->second;
    lim = &s.limits[dev];
  }
  CUcontext current = nullptr;
  if (!check(s.api.cuCtxGetCurrent(&current), call, "cuCtxGetCurrent"))
    return nullptr;
  if (current != ctx &&
      !check(s.api.cuCtxSetCurrent(ctx), call, "cuCtxSetCurrent"))
    return nullptr;
  return lim;
}

/// The common prologue: no pending error, a driver, a current context.
const DeviceLimits *enter(const char *call) {
  if (errorPending() || !ensureDriver(call))
    return nullptr;
  return ensureContext(call);
}

/// Status of the error just recorded by a failed call.
HectorCudaStatus lastStatus() {
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.errorMutex);
  return s.errorPending.load(std::memory_order_relaxed)
             ? s.errorStatus
             : HECTOR_CUDA_ERROR_DRIVER;
}

CUdeviceptr dptr(const void *p) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(p));
}

std::string kernelName(CUfunction f) {
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.namesMutex);
  auto it = s.kernelNames.find(f);
  return it == s.kernelNames.end() ? format("<function %p>",
                                            static_cast<void *>(f))
                                   : it->second;
}

std::string lastKernelOn(CUstream stream) {
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.namesMutex);
  auto it = s.lastKernelOnStream.find(stream);
  return it == s.lastKernelOnStream.end() ? std::string() : it->second;
}

/// " after kernel 'k' (the last launched ...)" or "".
/// A model's call synchronizes once, at its end, so the last kernel need
/// not be the one that faulted: the message says how to find that one.
std::string afterKernel(const std::string &name, const char *where) {
  return name.empty() ? std::string()
                      : format("after kernel '%s' (the last launched %s; "
                               "HECTOR_CUDA_SYNC_CHECK=1 names the one that "
                               "failed), ",
                               name.c_str(), where);
}

void *loadModule(const char *call, const void *data, int optLevel,
                 bool jit) {
  if (!enter(call))
    return nullptr;
  if (!data) {
    invalid(call, "module data is null");
    return nullptr;
  }
  if (jit && (optLevel < 0 || optLevel > 4)) {
    invalid(call, format("PTX optimization level %d out of range [0, 4]",
                         optLevel));
    return nullptr;
  }
  // The error log turns PTX JIT failures (and bad cubins) into text.
  std::vector<char> log(16384, '\0');
  CUjit_option options[3] = {CU_JIT_ERROR_LOG_BUFFER,
                             CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                             CU_JIT_OPTIMIZATION_LEVEL};
  void *values[3] = {log.data(),
                     reinterpret_cast<void *>(
                         static_cast<uintptr_t>(log.size() - 1)),
                     reinterpret_cast<void *>(
                         static_cast<intptr_t>(optLevel))};
  CUmodule module = nullptr;
  CUresult r = shim().api.cuModuleLoadDataEx(&module, data, jit ? 3 : 2,
                                             options, values);
  if (r != CUDA_SUCCESS) {
    log.back() = '\0';
    std::string text(log.data());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
      text.pop_back();
    setError(r == CUDA_ERROR_OUT_OF_MEMORY ? HECTOR_CUDA_ERROR_OUT_OF_MEMORY
                                           : HECTOR_CUDA_ERROR_DRIVER,
             r,
             format("%s: cuModuleLoadDataEx failed: %s%s%s", call,
                    describe(r).c_str(),
                    text.empty() ? "" : (jit ? "\nPTX JIT error log:\n"
                                             : "\nerror log:\n"),
                    text.c_str()));
    return nullptr;
  }
  return module;
}

} // namespace

//===----------------------------------------------------------------------===//
// The mgpu API (MLIR gpu-to-llvm host code)
//===----------------------------------------------------------------------===//

extern "C" {

HECTOR_CUDA_EXPORT void *mgpuStreamCreate(void) {
  const char *call = "mgpuStreamCreate";
  if (!enter(call))
    return nullptr;
  CUstream stream = nullptr;
  if (!check(shim().api.cuStreamCreate(&stream, CU_STREAM_DEFAULT), call,
             "cuStreamCreate"))
    return nullptr;
  return stream;
}

HECTOR_CUDA_EXPORT void mgpuStreamSynchronize(void *stream) {
  const char *call = "mgpuStreamSynchronize";
  if (!enter(call))
    return;
  CUstream s = static_cast<CUstream>(stream);
  check(shim().api.cuStreamSynchronize(s), call, "cuStreamSynchronize",
        afterKernel(lastKernelOn(s), "on this stream"));
}

HECTOR_CUDA_EXPORT void mgpuStreamDestroy(void *stream) {
  const char *call = "mgpuStreamDestroy";
  if (!stream || !enter(call))
    return;
  CUstream s = static_cast<CUstream>(stream);
  {
    std::lock_guard<std::mutex> lock(shim().namesMutex);
    shim().lastKernelOnStream.erase(s);
  }
  check(shim().api.cuStreamDestroy(s), call, "cuStreamDestroy");
}

HECTOR_CUDA_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  const char *call = "mgpuStreamWaitEvent";
  if (!enter(call))
    return;
  if (!event) {
    invalid(call, "event is null");
    return;
  }
  check(shim().api.cuStreamWaitEvent(static_cast<CUstream>(stream),
                                     static_cast<CUevent>(event), 0),
        call, "cuStreamWaitEvent");
}

HECTOR_CUDA_EXPORT void *mgpuEventCreate(void) {
  const char *call = "mgpuEventCreate";
  if (!enter(call))
    return nullptr;
  CUevent event = nullptr;
  if (!check(shim().api.cuEventCreate(&event, CU_EVENT_DEFAULT), call,
             "cuEventCreate"))
    return nullptr;
  return event;
}

HECTOR_CUDA_EXPORT void mgpuEventDestroy(void *event) {
  const char *call = "mgpuEventDestroy";
  if (!event || !enter(call))
    return;
  check(shim().api.cuEventDestroy(static_cast<CUevent>(event)), call,
        "cuEventDestroy");
}

HECTOR_CUDA_EXPORT void mgpuEventSynchronize(void *event) {
  const char *call = "mgpuEventSynchronize";
  if (!enter(call))
    return;
  if (!event) {
    invalid(call, "event is null");
    return;
  }
  check(shim().api.cuEventSynchronize(static_cast<CUevent>(event)), call,
        "cuEventSynchronize");
}

HECTOR_CUDA_EXPORT void mgpuEventRecord(void *event, void *stream) {
  const char *call = "mgpuEventRecord";
  if (!enter(call))
    return;
  if (!event) {
    invalid(call, "event is null");
    return;
  }
  check(shim().api.cuEventRecord(static_cast<CUevent>(event),
                                 static_cast<CUstream>(stream)),
        call, "cuEventRecord");
}

HECTOR_CUDA_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                                      bool isHostShared) {
  const char *call = "mgpuMemAlloc";
  if (!enter(call) || sizeBytes == 0)
    return nullptr;
  CUdeviceptr p = 0;
  std::string detail = format("%llu bytes%s: ",
                              static_cast<unsigned long long>(sizeBytes),
                              isHostShared ? " (managed)" : "");
  // Device memory is stream-ordered (from the pool, no device-wide
  // synchronization); managed memory has no such form.
  bool pooled = stream && !isHostShared;
  if (isHostShared) {
    if (!check(
            shim().api.cuMemAllocManaged(&p, sizeBytes, CU_MEM_ATTACH_GLOBAL),
            call, "cuMemAllocManaged", detail))
      return nullptr;
  } else if (pooled) {
    if (!check(shim().api.cuMemAllocAsync(&p, sizeBytes,
                                          static_cast<CUstream>(stream)),
               call, "cuMemAllocAsync", detail))
      return nullptr;
    std::lock_guard<std::mutex> lock(shim().asyncMutex);
    shim().asyncAllocations.insert(p);
  } else if (!check(shim().api.cuMemAlloc(&p, sizeBytes), call, "cuMemAlloc",
                    detail)) {
    return nullptr;
  }
  return reinterpret_cast<void *>(static_cast<uintptr_t>(p));
}

/// gpu-to-llvm passes the stream of the dealloc's token: memory from
/// mgpuMemAlloc on a stream goes back to the pool in that stream's order.
/// Otherwise cuMemFree (which synchronizes) takes any kind.
HECTOR_CUDA_EXPORT void mgpuMemFree(void *ptr, void *stream) {
  const char *call = "mgpuMemFree";
  if (!ptr || !enter(call))
    return;
  bool pooled;
  {
    std::lock_guard<std::mutex> lock(shim().asyncMutex);
    pooled = shim().asyncAllocations.erase(dptr(ptr)) != 0;
  }
  if (stream && pooled)
    check(shim().api.cuMemFreeAsync(dptr(ptr), static_cast<CUstream>(stream)),
          call, "cuMemFreeAsync");
  else
    check(shim().api.cuMemFree(dptr(ptr)), call, "cuMemFree");
}

HECTOR_CUDA_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                   void *stream) {
  const char *call = "mgpuMemcpy";
  if (!enter(call) || sizeBytes == 0)
    return;
  if (!dst || !src) {
    invalid(call, format("null %s pointer (copying %zu bytes)",
                         dst ? "source" : "destination", sizeBytes));
    return;
  }
  check(shim().api.cuMemcpyAsync(dptr(dst), dptr(src), sizeBytes,
                                 static_cast<CUstream>(stream)),
        call, "cuMemcpyAsync");
}

HECTOR_CUDA_EXPORT void mgpuMemset32(void *dst, unsigned int value,
                                     size_t count, void *stream) {
  const char *call = "mgpuMemset32";
  if (!enter(call) || count == 0)
    return;
  if (!dst) {
    invalid(call, "null destination");
    return;
  }
  check(shim().api.cuMemsetD32Async(dptr(dst), value, count,
                                    static_cast<CUstream>(stream)),
        call, "cuMemsetD32Async");
}

HECTOR_CUDA_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                     size_t count, void *stream) {
  const char *call = "mgpuMemset16";
  if (!enter(call) || count == 0)
    return;
  if (!dst) {
    invalid(call, "null destination");
    return;
  }
  check(shim().api.cuMemsetD16Async(dptr(dst), value, count,
                                    static_cast<CUstream>(stream)),
        call, "cuMemsetD16Async");
}

HECTOR_CUDA_EXPORT void *mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  return loadModule("mgpuModuleLoad", data, 0, /*jit=*/false);
}

HECTOR_CUDA_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return loadModule("mgpuModuleLoadJIT", data, optLevel, /*jit=*/true);
}

HECTOR_CUDA_EXPORT void mgpuModuleUnload(void *module) {
  const char *call = "mgpuModuleUnload";
  if (!module || !enter(call))
    return;
  CUresult r = shim().api.cuModuleUnload(static_cast<CUmodule>(module));
  // Models unload their modules from global destructors, which may run
  // after the driver has shut down at exit.
  if (r != CUDA_ERROR_DEINITIALIZED)
    check(r, call, "cuModuleUnload");
}

HECTOR_CUDA_EXPORT void *mgpuModuleGetFunction(void *module,
                                               const char *name) {
  const char *call = "mgpuModuleGetFunction";
  if (!enter(call))
    return nullptr;
  if (!name) {
    invalid(call, "kernel name is null");
    return nullptr;
  }
  if (!module) {
    invalid(call, format("kernel '%s': the module is null (loading the "
                         "model's GPU code failed earlier)",
                         name));
    return nullptr;
  }
  CUfunction fn = nullptr;
  // Called before every launch by MLIR's host code: no work on success
  // beyond the driver call and one lookup.
  CUresult r = shim().api.cuModuleGetFunction(
      &fn, static_cast<CUmodule>(module), name);
  if (r != CUDA_SUCCESS) {
    check(r, call, "cuModuleGetFunction", format("kernel '%s': ", name));
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(shim().namesMutex);
  shim().kernelNames.try_emplace(fn, name);
  return fn;
}

HECTOR_CUDA_EXPORT void
mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                 intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                 intptr_t blockZ, int32_t smem, void *stream, void **params,
                 void **extra, size_t paramsCount) {
  const char *call = "mgpuLaunchKernel";
  const DeviceLimits *lim = enter(call);
  if (!lim)
    return;
  if (!function) {
    invalid(call, "the function is null (mgpuModuleGetFunction failed?)");
    return;
  }
  CUfunction fn = static_cast<CUfunction>(function);
  std::string name = kernelName(fn);
  // Formatted only for messages: launches are on the hot path.
  auto describeLaunch = [&] {
    return format("kernel '%s' (grid %ldx%ldx%ld, block %ldx%ldx%ld, %d "
                  "bytes shared)",
                  name.c_str(), static_cast<long>(gridX),
                  static_cast<long>(gridY), static_cast<long>(gridZ),
                  static_cast<long>(blockX), static_cast<long>(blockY),
                  static_cast<long>(blockZ), smem);
  };
  const intptr_t grid[3] = {gridX, gridY, gridZ};
  const intptr_t block[3] = {blockX, blockY, blockZ};
  const char axis[3] = {'x', 'y', 'z'};
  for (int k = 0; k < 3; ++k) {
    if (grid[k] < 1 || grid[k] > lim->maxGrid[k]) {
      invalid(call, format("%s: grid %c dimension %ld out of range [1, %d]",
                           describeLaunch().c_str(), axis[k], static_cast<long>(grid[k]),
                           lim->maxGrid[k]));
      return;
    }
    if (block[k] < 1 || block[k] > lim->maxBlock[k]) {
      invalid(call, format("%s: block %c dimension %ld out of range [1, %d]",
                           describeLaunch().c_str(), axis[k], static_cast<long>(block[k]),
                           lim->maxBlock[k]));
      return;
    }
  }
  if (blockX * blockY * blockZ > lim->maxThreadsPerBlock) {
    invalid(call, format("%s: %ld threads per block, more than the device's "
                         "%d",
                         describeLaunch().c_str(),
                         static_cast<long>(blockX * blockY * blockZ),
                         lim->maxThreadsPerBlock));
    return;
  }
  if (smem < 0) {
    invalid(call, format("%s: negative dynamic shared memory", describeLaunch().c_str()));
    return;
  }
  if (paramsCount > 0 && !params && !extra) {
    invalid(call, format("%s: %zu parameters but no parameter array",
                         describeLaunch().c_str(), paramsCount));
    return;
  }
  CUstream s = static_cast<CUstream>(stream);
  {
    std::lock_guard<std::mutex> lock(shim().namesMutex);
    shim().lastKernelOnStream[s] = name;
    shim().lastKernel = name;
  }
  CUresult r = shim().api.cuLaunchKernel(
      fn, static_cast<unsigned>(gridX), static_cast<unsigned>(gridY),
      static_cast<unsigned>(gridZ), static_cast<unsigned>(blockX),
      static_cast<unsigned>(blockY), static_cast<unsigned>(blockZ),
      static_cast<unsigned>(smem), s, params, extra);
  if (r != CUDA_SUCCESS) {
    check(r, call, "cuLaunchKernel", describeLaunch() + ": ");
    return;
  }
  if (shim().syncCheck) {
    r = shim().api.cuStreamSynchronize(s);
    if (r != CUDA_SUCCESS)
      check(r, call, "cuStreamSynchronize (HECTOR_CUDA_SYNC_CHECK=1)",
            describeLaunch() + ": ");
  }
}

HECTOR_CUDA_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  shim().device.store(device);
}

//===----------------------------------------------------------------------===//
// Control API (Hector/Runtime/CUDA.h)
//===----------------------------------------------------------------------===//

HECTOR_CUDA_EXPORT int hectorCudaAvailable(char *why, size_t n) {
  bool ok = driverReady();
  if (why && n > 0) {
    const std::string &text = ok ? std::string() : shim().unavailableWhy;
    std::snprintf(why, n, "%s", text.c_str());
  }
  return ok ? 1 : 0;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaGetDeviceCount(int32_t *count) {
  const char *call = "hectorCudaGetDeviceCount";
  if (count)
    *count = 0;
  if (errorPending())
    return HECTOR_CUDA_ERROR_PENDING;
  if (!count)
    return invalid(call, "count is null"), HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  if (!ensureDriver(call))
    return HECTOR_CUDA_ERROR_UNAVAILABLE;
  *count = shim().deviceCount;
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaDeviceInfo(int32_t device, HectorCudaDeviceInfo *out) {
  const char *call = "hectorCudaDeviceInfo";
  if (out)
    std::memset(out, 0, sizeof(*out));
  if (errorPending())
    return HECTOR_CUDA_ERROR_PENDING;
  if (!out)
    return invalid(call, "output is null"), HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  if (!ensureDriver(call))
    return HECTOR_CUDA_ERROR_UNAVAILABLE;
  Shim &s = shim();
  if (device < 0 || device >= s.deviceCount)
    return invalid(call, format("device %d out of range [0, %d)", device,
                                s.deviceCount)),
           HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  const DriverApi &api = s.api;
  CUdevice d;
  if (!check(api.cuDeviceGet(&d, device), call, "cuDeviceGet") ||
      !check(api.cuDeviceGetName(out->name, sizeof(out->name) - 1, d), call,
             "cuDeviceGetName"))
    return lastStatus();
  struct {
    int attr;
    int32_t *dst;
  } attrs[] = {
      {ATTR_COMPUTE_CAPABILITY_MAJOR, &out->major},
      {ATTR_COMPUTE_CAPABILITY_MINOR, &out->minor},
      {ATTR_MULTIPROCESSOR_COUNT, &out->multiprocessors},
      {ATTR_MAX_THREADS_PER_BLOCK, &out->maxThreadsPerBlock},
      {ATTR_MAX_BLOCK_DIM_X, &out->maxBlockDim[0]},
      {ATTR_MAX_BLOCK_DIM_X + 1, &out->maxBlockDim[1]},
      {ATTR_MAX_BLOCK_DIM_X + 2, &out->maxBlockDim[2]},
      {ATTR_MAX_GRID_DIM_X, &out->maxGridDim[0]},
      {ATTR_MAX_GRID_DIM_X + 1, &out->maxGridDim[1]},
      {ATTR_MAX_GRID_DIM_X + 2, &out->maxGridDim[2]},
      {ATTR_WARP_SIZE, &out->warpSize},
  };
  for (auto &a : attrs) {
    int v = 0;
    if (!check(api.cuDeviceGetAttribute(&v, a.attr, d), call,
               "cuDeviceGetAttribute"))
      return lastStatus();
    *a.dst = v;
  }
  int smem = 0;
  size_t total = 0;
  if (!check(api.cuDeviceGetAttribute(&smem, ATTR_MAX_SHARED_MEMORY_PER_BLOCK,
                                      d),
             call, "cuDeviceGetAttribute") ||
      !check(api.cuDeviceTotalMem(&total, d), call, "cuDeviceTotalMem"))
    return lastStatus();
  out->name[sizeof(out->name) - 1] = '\0';
  out->ordinal = device;
  out->sharedMemoryPerBlock = smem;
  out->totalMemory = static_cast<int64_t>(total);
  out->driverVersion = s.driverVersion;
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaSetDevice(int32_t device) {
  const char *call = "hectorCudaSetDevice";
  if (errorPending())
    return HECTOR_CUDA_ERROR_PENDING;
  if (!ensureDriver(call))
    return HECTOR_CUDA_ERROR_UNAVAILABLE;
  if (device < 0 || device >= shim().deviceCount)
    return invalid(call, format("device %d out of range [0, %d)", device,
                                shim().deviceCount)),
           HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  shim().device.store(device);
  return HECTOR_CUDA_SUCCESS;
}

#define HECTOR_CONTROL_ENTER(call)                                             \
  if (errorPending())                                                          \
    return HECTOR_CUDA_ERROR_PENDING;                                          \
  if (!enter(call))                                                            \
    return lastStatus();

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaMalloc(void **ptr,
                                                     size_t bytes) {
  const char *call = "hectorCudaMalloc";
  if (ptr)
    *ptr = nullptr;
  if (!ptr && !errorPending())
    return invalid(call, "output pointer is null"),
           HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  HECTOR_CONTROL_ENTER(call);
  if (bytes == 0)
    return HECTOR_CUDA_SUCCESS;
  CUdeviceptr p = 0;
  if (!check(shim().api.cuMemAlloc(&p, bytes), call, "cuMemAlloc",
             format("%zu bytes: ", bytes)))
    return lastStatus();
  *ptr = reinterpret_cast<void *>(static_cast<uintptr_t>(p));
  return HECTOR_CUDA_SUCCESS;
}

// Releasing runs even while an error is pending (refusing would leak), and
// its own failure does not replace the pending error.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaFree(void *ptr) {
  const char *call = "hectorCudaFree";
  if (!ptr)
    return HECTOR_CUDA_SUCCESS;
  if (!ensureDriver(call) || !ensureContext(call))
    return lastStatus();
  if (!check(shim().api.cuMemFree(dptr(ptr)), call, "cuMemFree"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

namespace {
HectorCudaStatus copy(const char *call, void *dst, const void *src,
                      size_t bytes, int kind) {
  HECTOR_CONTROL_ENTER(call);
  if (bytes == 0)
    return HECTOR_CUDA_SUCCESS;
  if (!dst || !src)
    return invalid(call, format("null %s pointer (copying %zu bytes)",
                                dst ? "source" : "destination", bytes)),
           HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  const DriverApi &api = shim().api;
  std::string detail = format("%zu bytes: ", bytes);
  bool ok = kind == 0   ? check(api.cuMemcpyHtoD(dptr(dst), src, bytes), call,
                                "cuMemcpyHtoD", detail)
            : kind == 1 ? check(api.cuMemcpyDtoH(dst, dptr(src), bytes), call,
                                "cuMemcpyDtoH", detail)
                        : check(api.cuMemcpyDtoD(dptr(dst), dptr(src), bytes),
                                call, "cuMemcpyDtoD", detail);
  return ok ? HECTOR_CUDA_SUCCESS : lastStatus();
}
} // namespace

HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemcpyHtoD(void *dst, const void *src, size_t bytes) {
  return copy("hectorCudaMemcpyHtoD", dst, src, bytes, 0);
}

HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemcpyDtoH(void *dst, const void *src, size_t bytes) {
  return copy("hectorCudaMemcpyDtoH", dst, src, bytes, 1);
}

HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemcpyDtoD(void *dst, const void *src, size_t bytes) {
  return copy("hectorCudaMemcpyDtoD", dst, src, bytes, 2);
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaMemsetD32(void *dst,
                                                        uint32_t value,
                                                        size_t count) {
  const char *call = "hectorCudaMemsetD32";
  HECTOR_CONTROL_ENTER(call);
  if (count == 0)
    return HECTOR_CUDA_SUCCESS;
  if (!dst)
    return invalid(call, "null destination"),
           HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  if (!check(shim().api.cuMemsetD32(dptr(dst), value, count), call,
             "cuMemsetD32"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaSynchronize(void) {
  const char *call = "hectorCudaSynchronize";
  HECTOR_CONTROL_ENTER(call);
  std::string last;
  {
    std::lock_guard<std::mutex> lock(shim().namesMutex);
    last = shim().lastKernel;
  }
  if (!check(shim().api.cuCtxSynchronize(), call, "cuCtxSynchronize",
             afterKernel(last, "in this process")))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaTrimMemory(void) {
  const char *call = "hectorCudaTrimMemory";
  HECTOR_CONTROL_ENTER(call);
  // Frees pending in stream order are done once the device is idle.
  if (!check(shim().api.cuCtxSynchronize(), call, "cuCtxSynchronize"))
    return lastStatus();
  CUmemoryPool pool;
  {
    std::lock_guard<std::mutex> lock(shim().contextMutex);
    pool = shim().pools[shim().device.load()];
  }
  if (!check(shim().api.cuMemPoolTrimTo(pool, 0), call, "cuMemPoolTrimTo"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventCreate(void **event) {
  const char *call = "hectorCudaEventCreate";
  if (event)
    *event = nullptr;
  if (!event && !errorPending())
    return invalid(call, "output pointer is null"),
           HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  HECTOR_CONTROL_ENTER(call);
  CUevent e = nullptr;
  if (!check(shim().api.cuEventCreate(&e, CU_EVENT_DEFAULT), call,
             "cuEventCreate"))
    return lastStatus();
  *event = e;
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventDestroy(void *event) {
  const char *call = "hectorCudaEventDestroy";
  if (!event)
    return HECTOR_CUDA_SUCCESS;
  if (!ensureDriver(call) || !ensureContext(call))
    return lastStatus();
  if (!check(shim().api.cuEventDestroy(static_cast<CUevent>(event)), call,
             "cuEventDestroy"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventRecord(void *event,
                                                          void *stream) {
  const char *call = "hectorCudaEventRecord";
  HECTOR_CONTROL_ENTER(call);
  if (!event)
    return invalid(call, "event is null"), HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  if (!check(shim().api.cuEventRecord(static_cast<CUevent>(event),
                                      static_cast<CUstream>(stream)),
             call, "cuEventRecord"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventSynchronize(void *event) {
  const char *call = "hectorCudaEventSynchronize";
  HECTOR_CONTROL_ENTER(call);
  if (!event)
    return invalid(call, "event is null"), HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  if (!check(shim().api.cuEventSynchronize(static_cast<CUevent>(event)), call,
             "cuEventSynchronize"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventElapsedMs(void *start,
                                                             void *end,
                                                             float *ms) {
  const char *call = "hectorCudaEventElapsedMs";
  if (ms)
    *ms = 0;
  HECTOR_CONTROL_ENTER(call);
  if (!start || !end || !ms)
    return invalid(call, "null argument"), HECTOR_CUDA_ERROR_INVALID_ARGUMENT;
  if (!check(shim().api.cuEventElapsedTime(ms, static_cast<CUevent>(start),
                                           static_cast<CUevent>(end)),
             call, "cuEventElapsedTime"))
    return lastStatus();
  return HECTOR_CUDA_SUCCESS;
}

#undef HECTOR_CONTROL_ENTER

HECTOR_CUDA_EXPORT const char *hectorCudaGetLastError(void) {
  thread_local std::string copy;
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.errorMutex);
  copy = s.errorPending.load(std::memory_order_relaxed) ? s.errorMessage
                                                        : std::string();
  return copy.c_str();
}

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaPeekError(int32_t *cuResult) {
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.errorMutex);
  bool pending = s.errorPending.load(std::memory_order_relaxed);
  if (cuResult)
    *cuResult = pending ? s.errorResult : 0;
  return pending ? s.errorStatus : HECTOR_CUDA_SUCCESS;
}

HECTOR_CUDA_EXPORT void hectorCudaClearError(void) {
  Shim &s = shim();
  std::lock_guard<std::mutex> lock(s.errorMutex);
  s.errorPending.store(false, std::memory_order_release);
  s.errorStatus = HECTOR_CUDA_SUCCESS;
  s.errorResult = CUDA_SUCCESS;
  s.errorMessage.clear();
}

HECTOR_CUDA_EXPORT int hectorCudaAbiVersion(void) {
  return HECTOR_CUDA_ABI_VERSION;
}

} // extern "C"
