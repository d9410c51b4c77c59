//===- hector-capi-test.c - Hector's C API, end to end ----------*- C -*-===//
//
// A plain C99 program linked only against libHectorCAPI.so. It registers the
// dialects through their handles, parses and verifies rgnn IR, runs a Hector
// pipeline by name, and shows that ill-typed IR fails to verify with a
// diagnostic. capi.test FileChecks its output.
//
//===----------------------------------------------------------------------===//

#include "Hector-c/Dialects.h"
#include "Hector-c/Passes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/Dialect/Func.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"

#include <stdio.h>
#include <stdlib.h>

static void printToStdout(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

// Prints each diagnostic on its own line, so that FileCheck can match it.
static MlirLogicalResult printDiagnostic(MlirDiagnostic diag, void *userData) {
  (void)userData;
  fputs("diagnostic: ", stdout);
  mlirDiagnosticPrint(diag, printToStdout, NULL);
  fputc('\n', stdout);
  return mlirLogicalResultSuccess();
}

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

// One RGCN layer: h' = relu(sum over in-edges of W_rel * h_src).
static const char *kRGCN =
    "!g = !rgnn.graph<node_types = 1, relations = 3>\n"
    "func.func @rgcn(%g: !g, %h: !rgnn.feat<node, 16xf32>,\n"
    "                %w: !rgnn.feat<relation, 16x8xf32>)\n"
    "    -> !rgnn.feat<node, 8xf32> {\n"
    "  %m = rgnn.typed_linear %g, %h, %w by relation on src\n"
    "      : (!g, !rgnn.feat<node, 16xf32>, !rgnn.feat<relation, 16x8xf32>)\n"
    "      -> !rgnn.feat<edge, 8xf32>\n"
    "  %a = rgnn.aggregate %g, %m sum\n"
    "      : (!g, !rgnn.feat<edge, 8xf32>) -> !rgnn.feat<node, 8xf32>\n"
    "  %r = rgnn.relu %a : !rgnn.feat<node, 8xf32>\n"
    "  return %r : !rgnn.feat<node, 8xf32>\n"
    "}\n";

// A node feature fed where an edge feature is expected: the parser verifies
// and rejects it.
static const char *kIllTyped =
    "!g = !rgnn.graph<node_types = 1, relations = 3>\n"
    "func.func @bad(%g: !g, %h: !rgnn.feat<node, 8xf32>)\n"
    "    -> !rgnn.feat<node, 8xf32> {\n"
    "  %a = rgnn.aggregate %g, %h sum\n"
    "      : (!g, !rgnn.feat<node, 8xf32>) -> !rgnn.feat<node, 8xf32>\n"
    "  return %a : !rgnn.feat<node, 8xf32>\n"
    "}\n";

static void testHandles(MlirContext ctx) {
  MlirStringRef rgnn =
      mlirDialectHandleGetNamespace(mlirGetDialectHandle__rgnn__());
  MlirStringRef hetop =
      mlirDialectHandleGetNamespace(mlirGetDialectHandle__hetop__());
  printf("handles: %.*s %.*s\n", (int)rgnn.length, rgnn.data,
         (int)hetop.length, hetop.data);

  MlirDialect dialect =
      mlirContextGetOrLoadDialect(ctx, mlirStringRefCreateFromCString("rgnn"));
  CHECK(!mlirDialectIsNull(dialect));
}

static void testParseAndVerify(MlirContext ctx) {
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kRGCN));
  CHECK(!mlirModuleIsNull(module));
  MlirOperation op = mlirModuleGetOperation(module);
  printf("rgcn verifies: %d\n", (int)mlirOperationVerify(op));
  mlirOperationPrint(op, printToStdout, NULL);
  fputc('\n', stdout);

  // Run a Hector pipeline by name, through the global pass registry.
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirOpPassManager opm = mlirPassManagerGetAsOpPassManager(pm);
  MlirLogicalResult parsed = mlirParsePassPipeline(
      opm, mlirStringRefCreateFromCString("builtin.module(hector-simplify)"),
      printToStdout, NULL);
  CHECK(mlirLogicalResultIsSuccess(parsed));
  MlirLogicalResult ran = mlirPassManagerRunOnOp(pm, op);
  printf("hector-simplify: %s\n",
         mlirLogicalResultIsSuccess(ran) ? "success" : "failure");
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
}

static void testIllTyped(MlirContext ctx) {
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kIllTyped));
  printf("ill-typed module parsed: %d\n", (int)!mlirModuleIsNull(module));
  if (!mlirModuleIsNull(module))
    mlirModuleDestroy(module);

  // The same mistake built op by op skips the parser; the verifier catches it.
  MlirLocation loc = mlirLocationUnknownGet(ctx);
  MlirType node8 = mlirTypeParseGet(
      ctx, mlirStringRefCreateFromCString("!rgnn.feat<node, 8xf32>"));
  MlirType edge8 = mlirTypeParseGet(
      ctx, mlirStringRefCreateFromCString("!rgnn.feat<edge, 8xf32>"));
  CHECK(!mlirTypeIsNull(node8) && !mlirTypeIsNull(edge8));
  MlirModule holder = mlirModuleCreateEmpty(loc);
  MlirBlock body = mlirModuleGetBody(holder);
  MlirType inputs[] = {node8};
  MlirType fnType = mlirFunctionTypeGet(ctx, 1, inputs, 0, NULL);
  MlirRegion fnRegion = mlirRegionCreate();
  MlirLocation argLocs[] = {loc};
  MlirBlock entry = mlirBlockCreate(1, inputs, argLocs);
  mlirRegionAppendOwnedBlock(fnRegion, entry);
  MlirNamedAttribute fnAttrs[] = {
      mlirNamedAttributeGet(
          mlirIdentifierGet(ctx, mlirStringRefCreateFromCString("sym_name")),
          mlirStringAttrGet(ctx, mlirStringRefCreateFromCString("built"))),
      mlirNamedAttributeGet(
          mlirIdentifierGet(ctx,
                            mlirStringRefCreateFromCString("function_type")),
          mlirTypeAttrGet(fnType))};
  MlirOperationState fnState =
      mlirOperationStateGet(mlirStringRefCreateFromCString("func.func"), loc);
  mlirOperationStateAddAttributes(&fnState, 2, fnAttrs);
  mlirOperationStateAddOwnedRegions(&fnState, 1, &fnRegion);
  MlirOperation fn = mlirOperationCreate(&fnState);
  mlirBlockAppendOwnedOperation(body, fn);

  // rgnn.exp must keep its operand's type; this one turns node into edge.
  MlirValue arg = mlirBlockGetArgument(entry, 0);
  MlirOperationState expState =
      mlirOperationStateGet(mlirStringRefCreateFromCString("rgnn.exp"), loc);
  mlirOperationStateAddOperands(&expState, 1, &arg);
  mlirOperationStateAddResults(&expState, 1, &edge8);
  mlirBlockAppendOwnedOperation(entry, mlirOperationCreate(&expState));
  MlirOperationState retState =
      mlirOperationStateGet(mlirStringRefCreateFromCString("func.return"), loc);
  mlirBlockAppendOwnedOperation(entry, mlirOperationCreate(&retState));

  printf("built module verifies: %d\n",
         (int)mlirOperationVerify(mlirModuleGetOperation(holder)));
  mlirModuleDestroy(holder);
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  mlirDialectHandleRegisterDialect(mlirGetDialectHandle__rgnn__(), ctx);
  mlirDialectHandleRegisterDialect(mlirGetDialectHandle__hetop__(), ctx);
  mlirDialectHandleRegisterDialect(mlirGetDialectHandle__func__(), ctx);
  hectorRegisterAllPasses();
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);

  testHandles(ctx);
  testParseAndVerify(ctx);
  testIllTyped(ctx);

  mlirContextDestroy(ctx);
  puts("done");
  return 0;
}
