# The public library: the C++ facade (include/proviso/proviso.hpp) and the C
# API (include/proviso/proviso.h) over the engine. Built once as objects, then
#  - linked into libproviso.so, which exports only the public API: the engine,
#    yaml-cpp and OpenSSL stay private, so consumers link nothing else, and
#    Python can load it with ctypes;
#  - linked straight into the proviso command and the unit tests.
# `cmake --install` installs the shared library, the headers, a CMake package
# (find_package(proviso CONFIG) -> proviso::proviso) and proviso.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

file(GLOB PROVISO_API_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/engine/api*.cpp ${PROJECT_SOURCE_DIR}/engine/c_api*.cpp)
add_library(proviso_api OBJECT ${PROVISO_API_SOURCES})
target_include_directories(proviso_api
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/engine/include>
  PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(proviso_api PUBLIC nlohmann_json::nlohmann_json proviso_core)
target_compile_options(proviso_api PRIVATE ${PROVISO_WARNINGS})
target_compile_definitions(proviso_api PRIVATE PROVISO_BUILDING_LIBRARY PROVISO_VERSION="${PROJECT_VERSION}")
set_target_properties(proviso_api PROPERTIES
  POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)

add_library(proviso_shared SHARED)
add_library(proviso::proviso ALIAS proviso_shared)
target_link_libraries(proviso_shared
  PUBLIC nlohmann_json::nlohmann_json
  PRIVATE proviso_api proviso_core)
target_include_directories(proviso_shared PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/engine/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# Symbols from the static engine archive stay local to the shared library.
target_link_options(proviso_shared PRIVATE -Wl,--exclude-libs,ALL)
set_target_properties(proviso_shared PROPERTIES
  OUTPUT_NAME proviso EXPORT_NAME proviso
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)

install(TARGETS proviso_shared EXPORT provisoTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/proviso DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT provisoTargets NAMESPACE proviso:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/proviso)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/provisoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/provisoConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/proviso)
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/provisoConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/provisoConfig.cmake ${PROJECT_BINARY_DIR}/provisoConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/proviso)
configure_file(${PROJECT_SOURCE_DIR}/cmake/proviso.pc.in ${PROJECT_BINARY_DIR}/proviso.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/proviso.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
