# Fuzz targets (docs/testing.md, "Fuzzing"). Each target_X.cpp defines
# LLVMFuzzerTestOneInput and is built twice:
#  - with PROVISO_FUZZ=ON (clang, by scripts/fuzz.sh in build-fuzz): as a
#    libFuzzer binary fuzz_X, the whole project instrumented with ASan+UBSan;
#  - in the normal build: as fuzz_replay_X, with a main that replays every
#    saved input of tests/fuzz-regressions/X, so ctest covers each crasher found.
set(PROVISO_FUZZ_TARGETS rules request decide http)

foreach(target IN LISTS PROVISO_FUZZ_TARGETS)
  set(sources ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${target}.cpp)
  set(libraries proviso_api proviso_core)
  if(target STREQUAL "http")
    # The service is part of the proviso command; the target compiles it in.
    file(GLOB server_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/server/*.cpp)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
    find_package(Threads REQUIRED)
    list(APPEND sources ${server_sources})
    list(APPEND libraries PkgConfig::CPP_HTTPLIB Threads::Threads)
  endif()
  if(PROVISO_FUZZ)
    add_executable(fuzz_${target} ${sources})
    target_include_directories(fuzz_${target} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(fuzz_${target} PRIVATE ${libraries})
    target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
  endif()
  if(PROVISO_BUILD_TESTS)
    add_executable(fuzz_replay_${target} ${sources} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    target_include_directories(fuzz_replay_${target} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(fuzz_replay_${target} PRIVATE ${libraries})
    target_compile_options(fuzz_replay_${target} PRIVATE ${PROVISO_WARNINGS})
    add_test(NAME fuzz-regressions-${target}
             COMMAND fuzz_replay_${target} ${PROJECT_SOURCE_DIR}/tests/fuzz-regressions/${target})
  endif()
endforeach()
