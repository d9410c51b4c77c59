// RUN: hector-opt %s --hector-llvm-target | FileCheck %s --check-prefix=HOST
// RUN: hector-opt %s --hector-llvm-target=triple=aarch64-unknown-linux-gnu | FileCheck %s --check-prefix=ARM
// RUN: hector-opt %s --hector-llvm-target=sanitize-address | FileCheck %s --check-prefix=ASAN

// HOST: module attributes {llvm.target_triple = "{{.+}}"}
// HOST-NOT: sanitize_address
// ARM: module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"}
// ASAN: llvm.func @kernel() attributes {passthrough = ["nounwind", "sanitize_address"]}
// ASAN: llvm.func @external()
// ASAN-NOT: passthrough
module {
  llvm.func @kernel() attributes {passthrough = ["nounwind"]} {
    llvm.return
  }
  llvm.func @external()
}
