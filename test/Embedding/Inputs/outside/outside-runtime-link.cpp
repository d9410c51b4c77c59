// Links Hector::HectorRuntime from the installed package and calls into it.

#include "Hector/Runtime/GraphPrep.h"

#include <cstdio>

int main() {
  std::printf("runtime abi: %d\n", hectorGraphPrepAbiVersion());
  return 0;
}
