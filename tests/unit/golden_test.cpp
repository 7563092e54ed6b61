// Golden files: rule text -> rendered diagnostics; example request -> decision.
// Regenerate with UPDATE_GOLDEN=1 and review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/explain.hpp"
#include "engine/load.hpp"

using namespace proviso;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool updating() { return std::getenv("UPDATE_GOLDEN") != nullptr; }

void compare(const fs::path& expected_path, const std::string& actual) {
  if (updating()) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  INFO("golden file: " << expected_path.string() << " (regenerate with UPDATE_GOLDEN=1)");
  REQUIRE(fs::exists(expected_path));
  CHECK(slurp(expected_path) == actual);
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == extension) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("golden diagnostics: each authoring mistake gives its message at the right place") {
  const fs::path dir = fs::path(PROVISO_SOURCE_DIR) / "tests/golden/diagnostics";
  auto cases = files_in(dir, ".proviso");
  CHECK(cases.size() >= 25);
  for (const auto& file : cases) {
    SUBCASE(file.filename().string().c_str()) {}
    auto loaded = load_rule_set_from_texts({{file.filename().string(), slurp(file)}}, "");
    CHECK_MESSAGE(!loaded.diagnostics.empty(), file.filename().string() << " should produce a diagnostic");
    auto expected = file;
    expected.replace_extension(".expected");
    compare(expected, render_all(loaded.diagnostics, loaded.sources));
  }
}

TEST_CASE("golden decisions: every example request gives the recorded decision") {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  const fs::path examples = fs::path(PROVISO_SOURCE_DIR) / "examples";
  const fs::path golden = fs::path(PROVISO_SOURCE_DIR) / "tests/golden/decisions";
  std::vector<fs::path> requests = files_in(examples, ".json");
  for (const auto& y : files_in(examples, ".yaml")) requests.push_back(y);
  CHECK(requests.size() >= 7);
  for (const auto& request : requests) {
    auto bound = parse_request(*loaded.policy, slurp(request), request.filename().string());
    INFO(request.string());
    REQUIRE(bound.facts);
    auto decision = decide(*loaded.policy, *bound.facts);
    auto stem = request.stem().string();
    compare(golden / (stem + ".txt"), decision_to_text(*loaded.policy, *bound.facts, decision));
    JsonOptions full;
    full.full = true;
    compare(golden / (stem + ".json"), decision_to_json(*loaded.policy, *bound.facts, decision, full).dump(2) + "\n");
  }
}
