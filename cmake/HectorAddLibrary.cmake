# hector_add_library(name SOURCES... [DEPENDS tblgen-targets] [LINK_LIBS libs])
#
# A static, position-independent library linked against libMLIR.so (never the
# static MLIR archives, which would duplicate global registries). It is
# exported in the HectorTargets set so that `find_package(Hector)` works.
function(hector_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  add_library(Hector::${name} ALIAS ${name})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${HECTOR_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${HECTOR_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
  set_property(GLOBAL APPEND PROPERTY HECTOR_EXPORTED_LIBS ${name})
endfunction()
