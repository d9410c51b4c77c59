// RUN: hector-opt %s --hector-set-target-triple | FileCheck %s --check-prefix=HOST
// RUN: hector-opt %s --hector-set-target-triple=triple=aarch64-unknown-linux-gnu | FileCheck %s --check-prefix=ARM

// HOST: module attributes {llvm.target_triple = "{{.+}}"}
// ARM: module attributes {llvm.target_triple = "aarch64-unknown-linux-gnu"}
module {
}
