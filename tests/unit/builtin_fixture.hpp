// The built-in § 6103 rule set and its scenarios, loaded once for the test
// cases that check the engine against every scenario.
#pragma once
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "engine/eval.hpp"
#include "engine/facts.hpp"
#include "engine/load.hpp"
#include "engine/scenario.hpp"

namespace proviso::testing {

struct BuiltinFixture {
  std::shared_ptr<const Policy> policy;
  std::vector<Scenario> scenarios;
};

inline const BuiltinFixture& builtin_fixture() {
  static const BuiltinFixture fixture = [] {
    BuiltinFixture out;
    auto loaded = load_builtin_rule_set();
    REQUIRE(loaded.policy);
    out.policy = loaded.policy;
    auto s = load_scenarios(std::filesystem::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103/tests");
    REQUIRE(s.diagnostics.empty());
    out.scenarios = std::move(s.scenarios);
    return out;
  }();
  return fixture;
}

// Calls visit(scenario, facts, decision) for each scenario whose request binds,
// with the scenario named in any failure.
template <class Visit>
void for_each_bound_scenario(Visit&& visit) {
  const auto& fixture = builtin_fixture();
  for (const auto& scenario : fixture.scenarios) {
    auto bound = bind_request(*fixture.policy, scenario.request, scenario.name);
    if (!bound.facts) continue;
    INFO(scenario.file << ": " << scenario.name);
    visit(scenario, *bound.facts, decide(*fixture.policy, *bound.facts));
  }
}

}  // namespace proviso::testing
