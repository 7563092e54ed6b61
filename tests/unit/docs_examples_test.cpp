// The examples in docs/language.md are real: together they form a rule set
// that checks without errors, and each block parses on its own.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "engine/load.hpp"

using namespace proviso;

TEST_CASE("docs/language.md examples parse and check") {
  std::ifstream in(std::string(PROVISO_SOURCE_DIR) + "/docs/language.md");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> blocks;
  std::istringstream lines(text.str());
  std::string line, block;
  bool inside = false;
  while (std::getline(lines, line)) {
    if (!inside && line == "```proviso") { inside = true; block.clear(); continue; }
    if (inside && line == "```") { inside = false; blocks.push_back(block); continue; }
    if (inside) block += line + "\n";
  }
  REQUIRE(blocks.size() >= 5);
  std::string all;
  for (const auto& b : blocks) {
    auto parsed = parse_rule_file(b, 0);
    INFO(b);
    CHECK(parsed.diagnostics.empty());
    all += b + "\n";
  }
  auto loaded = load_rule_set_from_texts({{"language.proviso", all}}, "docs");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  CHECK(loaded.policy != nullptr);
  CHECK(count(loaded.diagnostics, Severity::error) == 0);
}
