// The unit tests as ctest sees them: each test case must be one ctest test.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

TEST_CASE("no test case name holds a semicolon, which ctest would split into tests that run nothing") {
  // doctest_discover_tests passes names through a CMake list: "a; b" became two
  // ctest tests whose filters matched no test case, so the case never ran in ctest.
  std::size_t names = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(PROVISO_SOURCE_DIR) / "tests/unit")) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find("TEST_CASE(\"");
      if (at == std::string::npos) continue;
      auto name = line.substr(at + 11, line.find('"', at + 11) - at - 11);
      INFO(entry.path().filename().string() << ": " << name);
      CHECK(name.find(';') == std::string::npos);
      ++names;
    }
  }
  CHECK(names >= 100);
}
