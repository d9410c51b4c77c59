/*===- Hector/Runtime/CUDA.h - CUDA driver shim control API --------*- C -*-===*\
|*                                                                            *|
|* Part of the Hector project.                                                *|
|*                                                                            *|
|* libHectorCUDA.so is the CUDA driver-API shim that models compiled for the  *|
|* GPU link against.  It implements the `mgpu*` functions that MLIR's         *|
|* gpu-to-llvm lowering calls (stream, memory, module, launch and event       *|
|* management; see docs/runtime.md) on top of the CUDA driver API, which it   *|
|* loads with dlopen("libcuda.so.1") on first use.  It needs no CUDA SDK to   *|
|* build and loads on machines with no GPU.                                   *|
|*                                                                            *|
|* Errors.  The mgpu functions have no error returns, so the shim checks      *|
|* every driver call and every launch and keeps one sticky, process-wide     *|
|* error: the first failure is recorded (the mgpu call, the driver call, the  *|
|* CUresult name and text, the kernel name for launches, the JIT log for PTX) *|
|* and from then on every mgpu call is a no-op that returns NULL, so nothing  *|
|* dereferences a bad handle.  hectorCudaGetLastError() reads the error and   *|
|* hectorCudaClearError() clears it; the model runner does both after every   *|
|* model call.                                                                *|
|*                                                                            *|
|* This header is the control API for hosts (the runner, Python, tests): it  *|
|* reports availability and device properties, manages device buffers and    *|
|* events, and reads/clears the error.  Every function returns a status and   *|
|* never aborts; a failure is also recorded as the sticky error, and while   *|
|* an error is pending, calls that touch the device return                    *|
|* HECTOR_CUDA_ERROR_PENDING without doing anything.                          *|
|*                                                                            *|
|* Environment: HECTOR_LIBCUDA overrides the driver library's path (tests    *|
|* load a fake driver this way); HECTOR_CUDA_SYNC_CHECK=1 synchronizes the    *|
|* stream after every launch, so an asynchronous fault names its kernel.      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef HECTOR_RUNTIME_CUDA_H
#define HECTOR_RUNTIME_CUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define HECTOR_CUDA_EXPORT __declspec(dllexport)
#else
#define HECTOR_CUDA_EXPORT __attribute__((visibility("default")))
#endif

/// Version of this control API; bumped on any incompatible change.
#define HECTOR_CUDA_ABI_VERSION 1

typedef enum HectorCudaStatus {
  HECTOR_CUDA_SUCCESS = 0,
  /// No driver library, no device, or the driver failed to initialize.
  HECTOR_CUDA_ERROR_UNAVAILABLE = 1,
  /// A driver call failed (the message names it and its CUresult).
  HECTOR_CUDA_ERROR_DRIVER = 2,
  /// A null pointer, a zero or over-limit launch dimension, a bad device.
  HECTOR_CUDA_ERROR_INVALID_ARGUMENT = 3,
  /// The driver returned CUDA_ERROR_OUT_OF_MEMORY.
  HECTOR_CUDA_ERROR_OUT_OF_MEMORY = 4,
  /// An earlier error is pending; read and clear it first.
  HECTOR_CUDA_ERROR_PENDING = 5,
} HectorCudaStatus;

typedef struct HectorCudaDeviceInfo {
  char name[256];
  int32_t ordinal;
  int32_t major, minor;           ///< compute capability
  int32_t multiprocessors;        ///< SM count
  int32_t maxThreadsPerBlock;
  int32_t maxBlockDim[3];
  int32_t maxGridDim[3];
  int32_t warpSize;
  int64_t sharedMemoryPerBlock;   ///< bytes, without opt-in
  int64_t totalMemory;            ///< bytes
  int32_t driverVersion;          ///< e.g. 12040 for 12.4
} HectorCudaDeviceInfo;

/// 1 when the driver loads, initializes and sees at least one device; else
/// 0 with the reason in `why` (truncated to n bytes, NUL-terminated), e.g.
/// "libcuda.so.1 not found: ..." or "no CUDA device: cuInit failed: ...".
/// `why` may be NULL.  Does not touch the sticky error.
HECTOR_CUDA_EXPORT int hectorCudaAvailable(char *why, size_t n);

HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaGetDeviceCount(int32_t *count);

/// Properties of device `device` (0-based).
HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaDeviceInfo(int32_t device, HectorCudaDeviceInfo *out);

/// The device later calls use (default 0), like mgpuSetDefaultDevice.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaSetDevice(int32_t device);

/// Device memory.  A zero-byte allocation gives a NULL pointer and succeeds.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaMalloc(void **ptr, size_t bytes);
/// Freeing NULL succeeds.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaFree(void *ptr);
/// Synchronous copies (host memory may be pageable).
HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemcpyHtoD(void *dst, const void *src, size_t bytes);
HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemcpyDtoH(void *dst, const void *src, size_t bytes);
HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemcpyDtoD(void *dst, const void *src, size_t bytes);
/// Sets `count` 32-bit words at `dst` to `value` (synchronous).
HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaMemsetD32(void *dst, uint32_t value, size_t count);
/// Waits for all work of the current context (cuCtxSynchronize); an
/// asynchronous fault is reported here, naming the last kernel launched.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaSynchronize(void);
/// Compiled models allocate their temporaries in stream order from the
/// device's default memory pool, which keeps freed memory for later calls;
/// this waits for the device and gives that memory back to the driver.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaTrimMemory(void);

/// Events for timing.  `stream` NULL is the default stream, which
/// synchronizes with the (blocking) streams compiled models create.
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventCreate(void **event);
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventDestroy(void *event);
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventRecord(void *event,
                                                          void *stream);
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaEventSynchronize(void *event);
/// Milliseconds between two recorded, completed events.
HECTOR_CUDA_EXPORT HectorCudaStatus
hectorCudaEventElapsedMs(void *start, void *end, float *ms);

/// The pending error's message ("" when none).  The text is copied to a
/// thread-local buffer valid until the next call on this thread.
HECTOR_CUDA_EXPORT const char *hectorCudaGetLastError(void);
/// The pending error's status (HECTOR_CUDA_SUCCESS when none) and, when
/// `cuResult` is not NULL, its CUresult (0 when not a driver error).
HECTOR_CUDA_EXPORT HectorCudaStatus hectorCudaPeekError(int32_t *cuResult);
HECTOR_CUDA_EXPORT void hectorCudaClearError(void);

HECTOR_CUDA_EXPORT int hectorCudaAbiVersion(void);

#ifdef __cplusplus
}
#endif

#endif // HECTOR_RUNTIME_CUDA_H
