/*===- ModelSupport.c - allocation hooks linked into compiled models ------===*
 *
 * Compiled models allocate their temporaries through MLIR's generic
 * allocation functions (finalize-memref-to-llvm{use-generic-functions}).
 * A layer asks for the same buffer sizes on every call, and large blocks
 * from malloc come from fresh mmap()ed pages that fault on first touch each
 * time; so freed blocks are kept, by size, and handed out again. The cache
 * holds at most one call's working set per distinct size and is released
 * with the process (or hector_model_release_cache()).
 *
 *===----------------------------------------------------------------------===*/

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Blocks are 64-byte aligned (one cache line, one AVX-512 vector); the
 * header before the data records the size. */
enum { kAlign = 64, kMaxSizes = 256 };

typedef struct Block {
  struct Block *next;
  size_t size;
} Block;

typedef struct {
  size_t size;
  Block *free;
} SizeClass;

/* Hidden: each model binds to its own cache, never to another model's. */
#define HIDDEN __attribute__((visibility("hidden")))

static SizeClass sizeClasses[kMaxSizes];
static int numSizeClasses;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static SizeClass *findClass(size_t size, int create) {
  for (int i = 0; i < numSizeClasses; ++i)
    if (sizeClasses[i].size == size)
      return &sizeClasses[i];
  if (!create || numSizeClasses == kMaxSizes)
    return NULL;
  sizeClasses[numSizeClasses].size = size;
  sizeClasses[numSizeClasses].free = NULL;
  return &sizeClasses[numSizeClasses++];
}

HIDDEN void *_mlir_memref_to_llvm_alloc(size_t size) {
  pthread_mutex_lock(&lock);
  SizeClass *c = findClass(size, 0);
  Block *b = c ? c->free : NULL;
  if (b)
    c->free = b->next;
  pthread_mutex_unlock(&lock);
  if (!b) {
    void *raw = NULL;
    if (posix_memalign(&raw, kAlign, kAlign + (size ? size : 1)) != 0)
      return NULL;
    b = (Block *)raw;
    b->size = size;
  }
  return (char *)b + kAlign;
}

HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                size_t size) {
  /* Every block is already aligned to 64 bytes; larger alignments are
   * not requested by Hector's lowering. */
  (void)alignment;
  return _mlir_memref_to_llvm_alloc(size);
}

HIDDEN void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Block *b = (Block *)((char *)ptr - kAlign);
  pthread_mutex_lock(&lock);
  SizeClass *c = findClass(b->size, 1);
  if (c) {
    b->next = c->free;
    c->free = b;
  }
  pthread_mutex_unlock(&lock);
  if (!c)
    free(b); /* too many distinct sizes: do not cache this one */
}

/* Returns every cached block to the system allocator. */
void hector_model_release_cache(void) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < numSizeClasses; ++i) {
    Block *b = sizeClasses[i].free;
    while (b) {
      Block *next = b->next;
      free(b);
      b = next;
    }
    sizeClasses[i].free = NULL;
  }
  numSizeClasses = 0;
  pthread_mutex_unlock(&lock);
}
