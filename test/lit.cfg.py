# -*- Python -*-
# lit configuration for Hector's tests.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "Hector"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.hector_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "Inputs"]

config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%hector_src_root", config.hector_src_root))
config.substitutions.append(("%hector_obj_root", config.hector_obj_root))
# Longer names first: lit substitutes in order, and %cmake prefixes them.
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%cxx", config.cxx_compiler))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.hector_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["hector-opt", "hector-capi-test", "mlir-translate", "llc",
                                    "not"],
                                   tool_dirs)

config.substitutions.append(
    ("%{ptx_tool}", "/usr/bin/python3 " +
     os.path.join(config.hector_src_root, "scripts", "ptx_tool.py")))

# PTX assembly checks need the CUDA toolkit's ptxas, not a GPU.
ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas"
    if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
