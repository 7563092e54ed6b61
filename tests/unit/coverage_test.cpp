// Scenario coverage: rules exercised applying and not applying, conditions
// true and false, and the statute map, on a small rule set.
#include <doctest/doctest.h>

#include "engine/load.hpp"
#include "engine/scenario.hpp"
#include "engine/scenario_coverage.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

const char* kRules = R"rules(
fact a : bool "fact a"
fact b : bool "fact b"
fact c : bool "fact c"
rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"
rule x permit
  cite "26 U.S.C. § 6103(x)"
  exception to general_rule
  when all of {
    a "a holds" cite "(x)(1)"
    b "b holds" cite "(x)(2)"
  }
rule y permit
  cite "26 U.S.C. § 6103(x)"
  exception to general_rule
  when c "c holds"
)rules";

std::shared_ptr<const Policy> load() {
  auto loaded = load_rule_set_from_texts({{"r.proviso", kRules}}, "test");
  REQUIRE(loaded.policy);
  return loaded.policy;
}

void add(Coverage& coverage, const Policy& policy, json request) {
  Scenario s;
  s.name = request.dump();
  s.request = std::move(request);
  s.expect = json::object();
  auto result = run_scenario(policy, s);
  REQUIRE(result.decision);
  coverage.add(*result.decision, s.name);
}

}  // namespace

TEST_CASE("coverage: a rule is covered when seen applying and not applying, a condition when seen true and false") {
  auto policy = load();
  Coverage coverage(*policy);
  add(coverage, *policy, {{"a", true}, {"b", true}, {"c", false}});
  CHECK(coverage.rules_covered() == 1);  // general_rule always applies (no `when`); x and y only applied one way
  add(coverage, *policy, {{"a", true}, {"b", false}, {"c", true}});
  // x applied then did not; y did not then did; general_rule has no false branch.
  CHECK(coverage.rules_covered() == 3);
  // Conditions: x's when, "a holds", "b holds", y's "c holds". "a holds" was never false.
  CHECK(coverage.conditions().size() == 4);
  CHECK(coverage.conditions_covered() == 3);
  auto report = coverage_to_json(coverage);
  CHECK(report["rules"]["covered"] == 3);
  CHECK(report["rules"]["total"] == 3);
  CHECK(report["conditions"]["covered_both_ways"] == 3);
  CHECK(report["conditions"]["total"] == 4);
  REQUIRE(report["conditions"]["uncovered"].size() == 1);
  CHECK(report["conditions"]["uncovered"][0]["text"] == "a holds");
  CHECK(report["conditions"]["uncovered"][0]["gap"] == "never false");
  CHECK(report["conditions"]["uncovered"][0]["owner"] == "rule x");
  CHECK(report["conditions"]["uncovered"][0]["location"] == "test/r.proviso:11:5");
}

TEST_CASE("coverage: unknown facts exercise nothing") {
  auto policy = load();
  Coverage coverage(*policy);
  add(coverage, *policy, json::object());
  CHECK(coverage.rules_covered() == 1);  // only general_rule, which always applies
  CHECK(coverage.conditions_covered() == 0);
  auto text = coverage_to_text(coverage);
  CHECK(text.find("rules:      1/3") != std::string::npos);
  INFO(text);
  CHECK(text.find("r.proviso:7:6: rule `x` never evaluated to true or false") != std::string::npos);
}

TEST_CASE("coverage: the statute map groups rules by citation") {
  auto policy = load();
  Coverage coverage(*policy);
  add(coverage, *policy, {{"a", true}, {"b", true}, {"c", true}});
  auto provisions = coverage.provisions();
  REQUIRE(provisions.size() == 2);
  CHECK(provisions[1].citation == "26 U.S.C. § 6103(x)");
  CHECK(provisions[1].rules.size() == 2);
  auto report = coverage_to_json(coverage);
  CHECK(report["statute"][1]["rules"][0]["id"] == "x");
  CHECK(report["statute"][1]["rules"][0]["applied_in"].size() == 1);
  CHECK(report["statute"][1]["rules"][0]["decided"].size() == 1);
}
