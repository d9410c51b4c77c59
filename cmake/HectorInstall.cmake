# `cmake --install` layout, and the package that `find_package(Hector)` reads:
#
#   bin/hector-opt
#   include/Hector/...        headers, .td files and generated .h.inc files
#   include/Hector-c/...      C API headers
#   lib/libHector*.a          dialect and pass libraries (link libMLIR.so)
#   lib/libHectorCAPI.so      C API, with MLIR's own C API bundled in
#   lib/cmake/hector/         HectorConfig.cmake and the exported targets
#
# Included from the top-level CMakeLists.txt after all MLIR-side targets exist.

include(CMakePackageConfigHelpers)

set(HECTOR_INSTALL_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/hector"
  CACHE STRING "Where HectorConfig.cmake is installed, relative to the prefix")

# Installed binaries find libMLIR.so/libLLVM.so (outside the loader's default
# path on Debian) and our own shared libraries.
get_property(_hector_libs GLOBAL PROPERTY HECTOR_EXPORTED_LIBS)
set(_hector_install_rpath
  "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR}" "${LLVM_LIBRARY_DIR}")
set_target_properties(hector-opt HectorCAPI PROPERTIES
  INSTALL_RPATH "${_hector_install_rpath}")

install(DIRECTORY ${HECTOR_SOURCE_DIR}/include/Hector
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING
    PATTERN "*.h"
    PATTERN "*.td"
    # lib/Runtime installs its own headers.
    PATTERN "Runtime" EXCLUDE)
install(DIRECTORY ${HECTOR_BINARY_DIR}/include/Hector
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING
    PATTERN "*.h.inc"
    PATTERN "CMakeFiles" EXCLUDE)
install(DIRECTORY ${HECTOR_SOURCE_DIR}/include/Hector-c
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

install(TARGETS ${_hector_libs} HectorCAPI
  EXPORT HectorTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# hector-opt joins HectorTargets in tools/hector-opt/CMakeLists.txt.
install(EXPORT HectorTargets
  NAMESPACE Hector::
  FILE HectorTargets.cmake
  DESTINATION ${HECTOR_INSTALL_PACKAGE_DIR})

# The runtime (lib/Runtime, added after this file) keeps its own export set,
# so that it also installs from an MLIR-less build. Export sets are resolved
# at generate time, so naming it here before its targets exist is fine.
set(HECTOR_PACKAGE_HAS_RUNTIME OFF)
if(EXISTS ${HECTOR_SOURCE_DIR}/lib/Runtime/CMakeLists.txt)
  set(HECTOR_PACKAGE_HAS_RUNTIME ON)
  install(EXPORT HectorRuntimeTargets
    NAMESPACE Hector::
    FILE HectorRuntimeTargets.cmake
    DESTINATION ${HECTOR_INSTALL_PACKAGE_DIR})
endif()

# HectorConfig.cmake makes Hector::Hector, the libraries behind
# "Hector/InitHector.h", from this list.
set(HECTOR_PACKAGE_LIBS ${_hector_libs})
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/HectorConfig.cmake.in
  ${HECTOR_BINARY_DIR}/lib/cmake/hector/HectorConfig.cmake
  INSTALL_DESTINATION ${HECTOR_INSTALL_PACKAGE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(
  ${HECTOR_BINARY_DIR}/lib/cmake/hector/HectorConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${HECTOR_BINARY_DIR}/lib/cmake/hector/HectorConfig.cmake
  ${HECTOR_BINARY_DIR}/lib/cmake/hector/HectorConfigVersion.cmake
  DESTINATION ${HECTOR_INSTALL_PACKAGE_DIR})
