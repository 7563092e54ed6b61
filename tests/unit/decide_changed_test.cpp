// decide_outcome_changed (engine/eval.cpp), which the question and witness
// searches use to decide one answer at a time, against decide_outcome on the
// whole request: the same outcome, authorities, rules and condition trace, on
// every § 6103 scenario with each unknown or known fact given other values.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>

#include "engine/eval.hpp"
#include "engine/fact_domain.hpp"
#include "engine/load.hpp"
#include "engine/scenario.hpp"

using namespace proviso;

namespace {

void check_same(const Decision& got, const Decision& want) {
  REQUIRE(got.outcome == want.outcome);
  REQUIRE(got.authorities == want.authorities);
  REQUIRE(got.conflicts == want.conflicts);
  REQUIRE(got.conditions == want.conditions);
  REQUIRE(got.rules.size() == want.rules.size());
  for (std::size_t r = 0; r < want.rules.size(); ++r) {
    CHECK(got.rules[r].applies == want.rules[r].applies);
    CHECK(got.rules[r].in_force == want.rules[r].in_force);
    CHECK(got.rules[r].defeated_by == want.rules[r].defeated_by);
    CHECK(got.rules[r].maybe_defeated_by == want.rules[r].maybe_defeated_by);
  }
}

}  // namespace

TEST_CASE("deciding again after one fact changes gives what deciding the whole request gives") {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  const Policy& policy = *loaded.policy;
  auto scenarios = load_scenarios(std::filesystem::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103/tests");
  REQUIRE(scenarios.diagnostics.empty());
  std::mt19937_64 rng(6103);
  std::size_t checked = 0;
  for (const auto& scenario : scenarios.scenarios) {
    auto bound = bind_request(policy, scenario.request, scenario.name);
    if (!bound.facts) continue;
    const Facts& facts = *bound.facts;
    INFO(scenario.name);
    // From decide() (what next_questions is given) and from decide_outcome() (what the witness search chains).
    const auto full = decide(policy, facts), outcome_only = decide_outcome(policy, facts);
    for (int k = 0; k < 3; ++k) {
      const auto fact = static_cast<std::int32_t>(rng() % policy.facts.size());
      auto domain = fact_domain(policy, fact);
      domain.values.push_back(Value::unknown(policy.facts[fact].type.kind));
      for (const auto& value : domain.values) {
        Facts changed = facts;
        changed.values[fact] = value;
        const auto want = decide_outcome(policy, changed);
        check_same(decide_outcome_changed(policy, changed, full, {fact}), want);
        check_same(decide_outcome_changed(policy, changed, outcome_only, {fact}), want);
        ++checked;
      }
    }
  }
  CHECK(checked > 1000);
}
