/* Parses rgnn IR from stdin and verifies it, through Hector's C API only. */

#include "Hector-c/Dialects.h"
#include "mlir-c/Dialect/Func.h"
#include "mlir-c/IR.h"

#include <stdio.h>
#include <stdlib.h>

static void print(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

// Reads all of stdin into a NUL-terminated buffer.
static char *readStdin(void) {
  size_t size = 0, capacity = 4096;
  char *text = malloc(capacity);
  size_t got;
  while (text && (got = fread(text + size, 1, capacity - size - 1, stdin))) {
    size += got;
    if (capacity - size > 1)
      continue;
    char *grown = realloc(text, capacity *= 2);
    if (!grown)
      free(text);
    text = grown;
  }
  if (text)
    text[size] = '\0';
  return text;
}

int main(void) {
  char *source = readStdin();
  if (!source) {
    fprintf(stderr, "outside-capi: out of memory\n");
    return 1;
  }
  MlirContext ctx = mlirContextCreate();
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  hectorRegisterAllDialects(registry);
  mlirDialectHandleInsertDialect(mlirGetDialectHandle__func__(), registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(source));
  free(source);
  if (mlirModuleIsNull(module)) {
    fprintf(stderr, "outside-capi: parse failed\n");
    mlirContextDestroy(ctx);
    return 1;
  }
  MlirOperation op = mlirModuleGetOperation(module);
  printf("verified: %d\n", (int)mlirOperationVerify(op));
  mlirOperationPrint(op, print, NULL);
  putchar('\n');
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return 0;
}
