// The committed handbook (docs/handbook) is what `proviso handbook
// rules/us/irc-6103 -o docs/handbook` generates now, and its HTML links resolve.
// Regenerate with that command, or UPDATE_GOLDEN=1 build/tests/unit_tests.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "engine/handbook.hpp"
#include "engine/load.hpp"
#include "engine/quiz.hpp"

using namespace proviso;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

HandbookFiles generated() {
  const fs::path rules = fs::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103";
  auto loaded = load_rule_set(rules);
  REQUIRE(loaded.policy);
  auto scenarios = load_scenarios(rules / "tests");
  return generate_handbook(*loaded.policy, scenarios.scenarios);
}

}  // namespace

TEST_CASE("the committed handbook is up to date") {
  const fs::path dir = fs::path(PROVISO_SOURCE_DIR) / "docs/handbook";
  auto files = generated();
  if (std::getenv("UPDATE_GOLDEN")) {
    fs::remove_all(dir);
    for (const auto& [name, content] : files) {
      fs::create_directories((dir / name).parent_path());
      std::ofstream(dir / name, std::ios::binary) << content;
    }
  }
  INFO("regenerate with: build/proviso handbook rules/us/irc-6103 -o docs/handbook (after removing docs/handbook)");
  std::set<std::string> committed;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) committed.insert(fs::relative(e.path(), dir).generic_string());
  for (const auto& [name, content] : files) {
    INFO(name);
    CHECK(committed.contains(name));
    CHECK(slurp(dir / name) == content);
  }
  for (const auto& name : committed) CHECK_MESSAGE(files.contains(name), "stale file in docs/handbook: " << name);
  CHECK(files.size() >= 50);
}

TEST_CASE("the committed playground page is up to date") {
  const fs::path rules = fs::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103";
  const fs::path page = fs::path(PROVISO_SOURCE_DIR) / "server/playground/index.html";
  auto loaded = load_rule_set(rules);
  REQUIRE(loaded.policy);
  auto html = playground_html(*loaded.policy, load_scenarios(rules / "tests").scenarios);
  if (std::getenv("UPDATE_GOLDEN")) {
    fs::create_directories(page.parent_path());
    std::ofstream(page, std::ios::binary) << html;
  }
  INFO("regenerate with: build/proviso handbook rules/us/irc-6103 -o docs/handbook --playground server/playground/index.html");
  CHECK(slurp(page) == html);
}

TEST_CASE("every link of the handbook's HTML resolves to a page and an anchor") {
  auto files = generated();
  const std::regex href("href=\"([^\"#]*)(#([^\"]*))?\"");
  std::size_t links = 0;
  for (const auto& [name, content] : files) {
    if (!name.ends_with(".html")) continue;
    auto base = fs::path(name).parent_path();
    for (auto it = std::sregex_iterator(content.begin(), content.end(), href); it != std::sregex_iterator(); ++it) {
      auto target = (base / (*it)[1].str()).lexically_normal().generic_string();
      INFO(name << " → " << (*it)[0].str());
      REQUIRE(files.contains(target));
      if ((*it)[3].matched) CHECK(files.at(target).find("id=\"" + (*it)[3].str() + "\"") != std::string::npos);
      ++links;
    }
  }
  CHECK(links >= 100);
}

TEST_CASE("the quiz: reproducible by seed, near misses flip their scenario, answer key checks provisions") {
  const fs::path rules = fs::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103";
  auto loaded = load_rule_set(rules);
  REQUIRE(loaded.policy);
  auto scenarios = load_scenarios(rules / "tests").scenarios;
  QuizOptions options;
  options.seed = 7;
  options.count = 8;
  auto a = make_quiz(*loaded.policy, scenarios, options);
  auto b = make_quiz(*loaded.policy, scenarios, options);
  REQUIRE(a.size() == 8);
  std::size_t near = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].source == b[i].source);
    CHECK(a[i].request == b[i].request);
    auto bound = bind_request(*loaded.policy, a[i].request, a[i].source);
    REQUIRE(bound.facts);
    CHECK(decide(*loaded.policy, *bound.facts).outcome == a[i].outcome);
    REQUIRE_FALSE(a[i].authorities.empty());
    CHECK(authority_correct(*loaded.policy, a[i], loaded.policy->rules[a[i].authorities.front()].id));
    CHECK_FALSE(authority_correct(*loaded.policy, a[i], "no such provision"));
    near += a[i].source.starts_with("near miss");
  }
  CHECK(near >= 2);
  options.seed = 8;
  auto c = make_quiz(*loaded.policy, scenarios, options);
  bool differs = false;
  for (std::size_t i = 0; i < c.size() && i < a.size(); ++i) differs = differs || c[i].source != a[i].source;
  CHECK(differs);
}
