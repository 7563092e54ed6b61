# The HTTP service (server/) is part of the proviso command: cpp-httplib as
# Debian builds it (a shared library, found through pkg-config).
find_package(PkgConfig REQUIRED)
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(Threads REQUIRED)
file(GLOB PROVISO_SERVER_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/server/*.cpp)
target_sources(proviso PRIVATE ${PROVISO_SERVER_SOURCES})
target_link_libraries(proviso PRIVATE PkgConfig::CPP_HTTPLIB Threads::Threads)
# Where `serve` finds the playground page in a build tree (installed: share/proviso/playground).
set_source_files_properties(${PROJECT_SOURCE_DIR}/cli/cmd_serve.cpp PROPERTIES
  COMPILE_DEFINITIONS "PROVISO_SOURCE_DIR=\"${PROJECT_SOURCE_DIR}\"")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/server/playground/ DESTINATION ${CMAKE_INSTALL_DATADIR}/proviso/playground OPTIONAL)
# The § 6103 handbook, served under /handbook/ so the playground's citation links resolve.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/handbook/ DESTINATION ${CMAKE_INSTALL_DATADIR}/proviso/handbook OPTIONAL)
