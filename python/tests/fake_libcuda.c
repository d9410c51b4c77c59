/* A fake CUDA driver (libcuda.so.1) for testing libHectorCUDA.so on machines
 * with no GPU (python/tests/test_cuda_runtime.py builds it with cc and loads
 * it through HECTOR_LIBCUDA).  "Device" memory is host memory, kernels are
 * a few host functions looked up by name, and the environment injects
 * failures:
 *
 *   FAKE_CUDA_LOG=path        append one line per driver call
 *   FAKE_CUDA_INIT=r          cuInit returns r
 *   FAKE_CUDA_DEVICES=n       device count (default 1)
 *   FAKE_CUDA_FAIL=name:r[:k] the driver call `name` (as exported, e.g.
 *                             cuMemAlloc_v2) returns r from its (k+1)-th
 *                             call on (k defaults to 0)
 *
 * Kernels (parameters in cuLaunchKernel order):
 *   fill_f32(float *p, float v, int64 n)           p[0..n) = v
 *   indeg_scale(int64 *indptr, float *h, float *s, float *out, int64 n,
 *               int64 f)      out[v][j] = h[v][j] * s[0] + indptr[v+1]-indptr[v]
 *   indeg_scale_partial(...)  the same, leaving the last element unwritten
 *   fault()                   launches, then faults: the next synchronize
 *                             returns CUDA_ERROR_ILLEGAL_ADDRESS
 * A module whose image contains "SYNTAX_ERROR" fails to JIT with a log.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
enum {
  OK = 0,
  ERR_INVALID_VALUE = 1,
  ERR_OUT_OF_MEMORY = 2,
  ERR_NO_DEVICE = 100,
  ERR_INVALID_PTX = 218,
  ERR_NOT_FOUND = 500,
  ERR_ILLEGAL_ADDRESS = 700,
  ERR_LAUNCH_OUT_OF_RESOURCES = 701,
};

static CUresult deferred; /* an asynchronous fault, reported at sync */

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void logf_(const char *fmt, ...) {
  const char *path = getenv("FAKE_CUDA_LOG");
  if (!path)
    return;
  FILE *f = fopen(path, "a");
  if (!f)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fputc('\n', f);
  fclose(f);
}

/* FAKE_CUDA_FAIL handling: returns the injected result for `name`. */
static CUresult injected(const char *name) {
  const char *spec = getenv("FAKE_CUDA_FAIL");
  if (!spec)
    return OK;
  size_t n = strlen(name);
  if (strncmp(spec, name, n) != 0 || spec[n] != ':')
    return OK;
  int result = 0, skip = 0;
  if (sscanf(spec + n + 1, "%d:%d", &result, &skip) < 1)
    return OK;
  static char seen[64][64];
  static int counts[64];
  int slot = 0;
  while (slot < 63 && seen[slot][0] && strcmp(seen[slot], name) != 0)
    ++slot;
  snprintf(seen[slot], sizeof(seen[slot]), "%s", name);
  return counts[slot]++ >= skip ? result : OK;
}

#define ENTER(name)                                                            \
  do {                                                                         \
    CUresult r_ = injected(name);                                              \
    if (r_) {                                                                  \
      logf_("%s -> %d", name, r_);                                             \
      return r_;                                                               \
    }                                                                          \
  } while (0)

CUresult cuInit(unsigned flags) {
  (void)flags;
  logf_("cuInit");
  const char *r = getenv("FAKE_CUDA_INIT");
  return r ? atoi(r) : OK;
}

CUresult cuDriverGetVersion(int *v) {
  *v = 12040;
  return OK;
}

CUresult cuGetErrorName(CUresult r, const char **s) {
  switch (r) {
  case OK: *s = "CUDA_SUCCESS"; return OK;
  case ERR_INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; return OK;
  case ERR_OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return OK;
  case ERR_NO_DEVICE: *s = "CUDA_ERROR_NO_DEVICE"; return OK;
  case ERR_INVALID_PTX: *s = "CUDA_ERROR_INVALID_PTX"; return OK;
  case ERR_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return OK;
  case ERR_ILLEGAL_ADDRESS: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; return OK;
  case ERR_LAUNCH_OUT_OF_RESOURCES:
    *s = "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    return OK;
  }
  *s = NULL;
  return ERR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult r, const char **s) {
  switch (r) {
  case OK: *s = "no error"; return OK;
  case ERR_INVALID_VALUE: *s = "invalid argument"; return OK;
  case ERR_OUT_OF_MEMORY: *s = "out of memory"; return OK;
  case ERR_NO_DEVICE: *s = "no CUDA-capable device is detected"; return OK;
  case ERR_INVALID_PTX: *s = "a PTX JIT compilation failed"; return OK;
  case ERR_NOT_FOUND: *s = "named symbol not found"; return OK;
  case ERR_ILLEGAL_ADDRESS:
    *s = "an illegal memory access was encountered";
    return OK;
  case ERR_LAUNCH_OUT_OF_RESOURCES:
    *s = "too many resources requested for launch";
    return OK;
  }
  *s = NULL;
  return ERR_INVALID_VALUE;
}

CUresult cuDeviceGetCount(int *n) {
  ENTER("cuDeviceGetCount");
  const char *d = getenv("FAKE_CUDA_DEVICES");
  *n = d ? atoi(d) : 1;
  return OK;
}

CUresult cuDeviceGet(int *d, int ordinal) {
  *d = ordinal;
  return OK;
}

CUresult cuDeviceGetName(char *name, int len, int dev) {
  snprintf(name, (size_t)len, "Fake GPU %d", dev);
  return OK;
}

CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
  (void)dev;
  switch (attr) {
  case 1: *v = 1024; break;                  /* threads per block */
  case 2: case 3: *v = 1024; break;          /* block x, y */
  case 4: *v = 64; break;                    /* block z */
  case 5: *v = 2147483647; break;            /* grid x */
  case 6: case 7: *v = 65535; break;         /* grid y, z */
  case 8: *v = 49152; break;                 /* shared per block */
  case 10: *v = 32; break;                   /* warp */
  case 16: *v = 108; break;                  /* SMs */
  case 75: *v = 8; break;                    /* cc major */
  case 76: *v = 0; break;                    /* cc minor */
  default: *v = 0; break;
  }
  return OK;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev) {
  (void)dev;
  *bytes = (size_t)40 << 30;
  return OK;
}

static int context;
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) {
  ENTER("cuDevicePrimaryCtxRetain");
  logf_("cuDevicePrimaryCtxRetain %d", dev);
  *ctx = &context;
  return OK;
}

static __thread void *current;
CUresult cuCtxGetCurrent(void **ctx) {
  *ctx = current;
  return OK;
}

CUresult cuCtxSetCurrent(void *ctx) {
  logf_("cuCtxSetCurrent");
  current = ctx;
  return OK;
}

static CUresult takeDeferred(void) {
  CUresult r = deferred;
  return r;
}

CUresult cuCtxSynchronize(void) {
  ENTER("cuCtxSynchronize");
  logf_("cuCtxSynchronize");
  return takeDeferred();
}

CUresult cuMemAlloc_v2(uint64_t *p, size_t n) {
  ENTER("cuMemAlloc_v2");
  void *m = malloc(n);
  if (!m)
    return ERR_OUT_OF_MEMORY;
  *p = (uint64_t)(uintptr_t)m;
  logf_("cuMemAlloc_v2 %zu", n);
  return OK;
}

CUresult cuMemAllocManaged(uint64_t *p, size_t n, unsigned flags) {
  (void)flags;
  logf_("cuMemAllocManaged %zu", n);
  *p = (uint64_t)(uintptr_t)malloc(n);
  return OK;
}

CUresult cuMemFree_v2(uint64_t p) {
  ENTER("cuMemFree_v2");
  logf_("cuMemFree_v2");
  free((void *)(uintptr_t)p);
  return OK;
}

/* Stream-ordered allocation: the "pool" is malloc; the log names the calls
 * (and the pool's release threshold, set once per context). */
static int pool;
CUresult cuDeviceGetDefaultMemPool(void **p, int dev) {
  ENTER("cuDeviceGetDefaultMemPool");
  logf_("cuDeviceGetDefaultMemPool %d", dev);
  *p = &pool;
  return OK;
}

CUresult cuMemPoolSetAttribute(void *p, int attr, void *value) {
  ENTER("cuMemPoolSetAttribute");
  if (p != &pool)
    return ERR_INVALID_VALUE;
  logf_("cuMemPoolSetAttribute %d %llu", attr,
        (unsigned long long)*(uint64_t *)value);
  return OK;
}

CUresult cuMemPoolTrimTo(void *p, size_t keep) {
  ENTER("cuMemPoolTrimTo");
  if (p != &pool)
    return ERR_INVALID_VALUE;
  logf_("cuMemPoolTrimTo %zu", keep);
  return OK;
}

CUresult cuMemAllocAsync(uint64_t *p, size_t n, void *stream) {
  ENTER("cuMemAllocAsync");
  if (!stream)
    return ERR_INVALID_VALUE;
  void *m = malloc(n);
  if (!m)
    return ERR_OUT_OF_MEMORY;
  *p = (uint64_t)(uintptr_t)m;
  logf_("cuMemAllocAsync %zu", n);
  return OK;
}

CUresult cuMemFreeAsync(uint64_t p, void *stream) {
  ENTER("cuMemFreeAsync");
  if (!stream)
    return ERR_INVALID_VALUE;
  logf_("cuMemFreeAsync");
  free((void *)(uintptr_t)p);
  return OK;
}

CUresult cuMemcpyAsync(uint64_t dst, uint64_t src, size_t n, void *stream) {
  (void)stream;
  ENTER("cuMemcpyAsync");
  logf_("cuMemcpyAsync %zu", n);
  memcpy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n);
  return OK;
}

CUresult cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t n) {
  ENTER("cuMemcpyHtoD_v2");
  logf_("cuMemcpyHtoD_v2 %zu", n);
  memcpy((void *)(uintptr_t)dst, src, n);
  return OK;
}

CUresult cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t n) {
  ENTER("cuMemcpyDtoH_v2");
  logf_("cuMemcpyDtoH_v2 %zu", n);
  memcpy(dst, (void *)(uintptr_t)src, n);
  return OK;
}

CUresult cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t n) {
  memcpy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n);
  return OK;
}

CUresult cuMemsetD32_v2(uint64_t dst, unsigned v, size_t n) {
  logf_("cuMemsetD32_v2 %zu", n);
  uint32_t *p = (uint32_t *)(uintptr_t)dst;
  for (size_t i = 0; i < n; ++i)
    p[i] = v;
  return OK;
}

CUresult cuMemsetD32Async(uint64_t dst, unsigned v, size_t n, void *s) {
  (void)s;
  return cuMemsetD32_v2(dst, v, n);
}

CUresult cuMemsetD16Async(uint64_t dst, unsigned short v, size_t n,
                          void *s) {
  (void)s;
  uint16_t *p = (uint16_t *)(uintptr_t)dst;
  for (size_t i = 0; i < n; ++i)
    p[i] = v;
  return OK;
}

typedef struct Module {
  int jitLevel;
} Module;

CUresult cuModuleLoadDataEx(void **m, const void *image, unsigned n,
                            int *options, void **values) {
  ENTER("cuModuleLoadDataEx");
  char *log = NULL;
  size_t logSize = 0;
  int level = -1;
  for (unsigned i = 0; i < n; ++i) {
    if (options[i] == 5)
      log = (char *)values[i];
    else if (options[i] == 6)
      logSize = (size_t)(uintptr_t)values[i];
    else if (options[i] == 7)
      level = (int)(intptr_t)values[i];
  }
  logf_("cuModuleLoadDataEx O=%d", level);
  if (strstr((const char *)image, "SYNTAX_ERROR")) {
    if (log && logSize)
      snprintf(log, logSize,
               "ptxas application ptx input, line 3; fatal   : Parsing "
               "error near 'SYNTAX_ERROR': syntax error");
    return ERR_INVALID_PTX;
  }
  Module *mod = malloc(sizeof(Module));
  mod->jitLevel = level;
  *m = mod;
  return OK;
}

CUresult cuModuleUnload(void *m) {
  logf_("cuModuleUnload");
  free(m);
  return OK;
}

typedef void (*Kernel)(void **params);
typedef struct Function {
  char name[64];
  Kernel kernel;
} Function;

static void fill_f32(void **p) {
  float *out = *(float **)p[0];
  float v = *(float *)p[1];
  int64_t n = *(int64_t *)p[2];
  for (int64_t i = 0; i < n; ++i)
    out[i] = v;
}

static void indeg(void **p, int partial) {
  const int64_t *indptr = *(int64_t **)p[0];
  const float *h = *(float **)p[1];
  const float *s = *(float **)p[2];
  float *out = *(float **)p[3];
  int64_t n = *(int64_t *)p[4], f = *(int64_t *)p[5];
  for (int64_t v = 0; v < n; ++v)
    for (int64_t j = 0; j < f; ++j) {
      if (partial && v == n - 1 && j == f - 1)
        continue;
      out[v * f + j] = h[v * f + j] * s[0] + (float)(indptr[v + 1] - indptr[v]);
    }
}
static void indeg_scale(void **p) { indeg(p, 0); }
static void indeg_scale_partial(void **p) { indeg(p, 1); }
static void fault(void **p) {
  (void)p;
  deferred = ERR_ILLEGAL_ADDRESS;
}

static const struct {
  const char *name;
  Kernel kernel;
} kernels[] = {{"fill_f32", fill_f32},
               {"indeg_scale", indeg_scale},
               {"indeg_scale_partial", indeg_scale_partial},
               {"fault", fault}};

CUresult cuModuleGetFunction(void **f, void *m, const char *name) {
  (void)m;
  ENTER("cuModuleGetFunction");
  for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); ++i)
    if (strcmp(kernels[i].name, name) == 0) {
      /* One handle per kernel, like a real module. */
      static Function fns[sizeof(kernels) / sizeof(kernels[0])];
      snprintf(fns[i].name, sizeof(fns[i].name), "%s", name);
      fns[i].kernel = kernels[i].kernel;
      *f = &fns[i];
      return OK;
    }
  logf_("cuModuleGetFunction %s -> %d", name, ERR_NOT_FOUND);
  return ERR_NOT_FOUND;
}

CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        void *stream, void **params, void **extra) {
  (void)stream;
  (void)extra;
  ENTER("cuLaunchKernel");
  Function *fn = (Function *)f;
  logf_("cuLaunchKernel %s %ux%ux%u %ux%ux%u %u", fn->name, gx, gy, gz, bx,
        by, bz, smem);
  fn->kernel(params);
  return OK;
}

CUresult cuStreamCreate(void **s, unsigned flags) {
  (void)flags;
  ENTER("cuStreamCreate");
  logf_("cuStreamCreate");
  *s = malloc(1);
  return OK;
}

CUresult cuStreamSynchronize(void *s) {
  (void)s;
  ENTER("cuStreamSynchronize");
  logf_("cuStreamSynchronize");
  return takeDeferred();
}

CUresult cuStreamDestroy_v2(void *s) {
  logf_("cuStreamDestroy_v2");
  free(s);
  return OK;
}

CUresult cuStreamWaitEvent(void *s, void *e, unsigned flags) {
  (void)s;
  (void)e;
  (void)flags;
  logf_("cuStreamWaitEvent");
  return OK;
}

CUresult cuEventCreate(void **e, unsigned flags) {
  (void)flags;
  logf_("cuEventCreate");
  *e = calloc(1, sizeof(double));
  return OK;
}

CUresult cuEventDestroy_v2(void *e) {
  logf_("cuEventDestroy_v2");
  free(e);
  return OK;
}

static double clock_ms;
CUresult cuEventRecord(void *e, void *s) {
  (void)s;
  logf_("cuEventRecord");
  clock_ms += 1.5;
  *(double *)e = clock_ms;
  return OK;
}

CUresult cuEventSynchronize(void *e) {
  (void)e;
  return OK;
}

CUresult cuEventElapsedTime(float *ms, void *a, void *b) {
  *ms = (float)(*(double *)b - *(double *)a);
  return OK;
}
