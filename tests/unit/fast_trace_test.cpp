// CompiledPolicy::decide_every_rule (engine/fast_trace.cpp) agrees with the
// tracing decide() on every rule's condition and force, the outcome and the
// authorities: every § 6103 scenario, random requests over the declared
// domains (unknowns and interpretations included), the toy policy and
// generated rule sets. The searches of explanations (the next question and its
// witness) rank answers by those forces, so they must be the same.
#include <doctest/doctest.h>

#include <random>

#include "bench/rulegen.hpp"
#include "engine/compiled.hpp"
#include "engine/fact_domain.hpp"
#include "engine/fast_search.hpp"
#include "engine/load.hpp"
#include "engine/scenario.hpp"
#include "random_facts.hpp"

using namespace proviso;

namespace {

struct RuleAgreement {
  std::shared_ptr<const Policy> policy;
  CompiledPolicy compiled{policy};
  FastFacts fast = compiled.make_facts();
  FastScratch scratch = compiled.make_scratch();
  std::vector<Tri> applies = std::vector<Tri>(policy->rules.size()), in_force = std::vector<Tri>(policy->rules.size());
  std::size_t decisions = 0, unknown_forces = 0;
  std::map<Outcome, int> outcomes;
  std::vector<std::string> failures;

  explicit RuleAgreement(std::shared_ptr<const Policy> p) : policy(std::move(p)) {}

  void fail(const std::string& what) {
    if (failures.size() < 5) failures.push_back(what + " (decision " + std::to_string(decisions) + ")");
  }

  void check(const Facts& facts) {
    const Decision reference = decide(*policy, facts);
    // Poisoned, so a rule the pass leaves unwritten shows as a difference.
    std::fill(applies.begin(), applies.end(), Tri::unknown);
    std::fill(in_force.begin(), in_force.end(), Tri::unknown);
    fast.reset();
    compiled.load_facts(facts, fast);
    const Outcome outcome = compiled.decide_every_rule(fast, scratch, applies, in_force);
    ++decisions;
    ++outcomes[reference.outcome];
    if (outcome != reference.outcome) fail("outcome " + std::string(outcome_name(outcome)) + " instead of " + std::string(outcome_name(reference.outcome)));
    else if (scratch.authorities != reference.authorities) fail("different authorities");
    for (std::size_t r = 0; r < policy->rules.size(); ++r) {
      if (applies[r] != reference.rules[r].applies) fail("rule " + policy->rules[r].id + ": a different condition");
      if (in_force[r] != reference.rules[r].in_force) fail("rule " + policy->rules[r].id + ": a different force");
      unknown_forces += reference.rules[r].in_force == Tri::unknown;
    }
  }

  void report() {
    std::string listed;
    for (const auto& f : failures) listed += "\n  " + f;
    INFO("decisions: " << decisions << listed);
    CHECK(failures.empty());
  }
};

using proviso::testing::random_facts;

std::shared_ptr<const Policy> builtin() {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  return loaded.policy;
}

}  // namespace

TEST_CASE("every rule's force from the compiled evaluator is the tracing decide's, on § 6103 scenarios and random requests") {
  auto policy = builtin();
  RuleAgreement agreement(policy);
  auto scenarios = load_scenarios(std::string(PROVISO_SOURCE_DIR) + "/rules/us/irc-6103/tests");
  REQUIRE(scenarios.scenarios.size() > 20);
  for (const auto& scenario : scenarios.scenarios) {
    auto bound = bind_request(*policy, scenario.request, "request");
    if (bound.facts) agreement.check(*bound.facts);
  }
  std::mt19937_64 rng(6103);
  for (int unknown_percent : {0, 20, 60, 95})
    for (int i = 0; i < 500; ++i) agreement.check(random_facts(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.decisions > 2300);
  // Every outcome, and rules of unknown force, are exercised.
  CHECK(agreement.outcomes[Outcome::permitted] > 0);
  CHECK(agreement.outcomes[Outcome::denied] > 0);
  CHECK(agreement.outcomes[Outcome::undetermined] > 0);
  CHECK(agreement.unknown_forces > 1000);
}

TEST_CASE("every rule's force agrees on the toy policy and on generated rule sets, the rule index in use") {
  auto toy = load_rule_set(std::string(PROVISO_SOURCE_DIR) + "/bench/toy");
  REQUIRE(toy.policy);
  RuleAgreement on_toy(toy.policy);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) on_toy.check(random_facts(*toy.policy, rng, i % 2 ? 0 : 30));
  on_toy.report();
  CHECK(on_toy.outcomes[Outcome::permitted] > 0);

  for (int size : {10, 300}) {  // 300 rules: several bitset words, the rule index and shared leaves
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    REQUIRE(generated.policy);
    RuleAgreement agreement(generated.policy);
    for (int i = 0; i < 600; ++i) {
      auto bound = bind_request(*generated.policy, rulegen::request(rng, i % 3 == 0), "request");
      REQUIRE(bound.facts);
      agreement.check(*bound.facts);
    }
    for (int i = 0; i < 300; ++i) agreement.check(random_facts(*generated.policy, rng, 40));
    agreement.report();
    CHECK(agreement.outcomes.size() >= 2);
  }
}

TEST_CASE("a FastSearch changes one fact at a time and decides as the tracing decide does") {
  auto policy = builtin();
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200; ++i) {
    Facts facts = random_facts(*policy, rng, 60);
    FastSearch search(*policy, facts);
    for (int change = 0; change < 4; ++change) {
      const auto slot = static_cast<std::int32_t>(rng() % policy->facts.size());
      const auto domain = fact_domain(*policy, slot);
      facts.values[slot] = domain.values.empty() || rng() % 4 == 0 ? Value::unknown(policy->facts[slot].type.kind)
                                                                    : domain.values[rng() % domain.values.size()];
      search.set(slot, facts.values[slot]);
      const Decision reference = decide(*policy, facts);
      REQUIRE(search.outcome() == reference.outcome);
      CHECK(search.authorities() == reference.authorities);
      REQUIRE(search.decide_every_rule() == reference.outcome);
      for (std::size_t r = 0; r < policy->rules.size(); ++r) CHECK(search.in_force()[r] == reference.rules[r].in_force);
    }
  }
}

TEST_CASE("FastSearch::decide_changed, from a baseline, evaluates again only the rules reading the changed fact") {
  auto policy = builtin();
  std::mt19937_64 rng(12);
  std::size_t changed_forces = 0;
  for (int i = 0; i < 200; ++i) {
    const Facts facts = random_facts(*policy, rng, 40);
    FastSearch search(*policy, facts);
    search.keep_baseline();
    const std::vector<Tri> baseline = search.in_force();
    for (int change = 0; change < 6; ++change) {
      const auto slot = static_cast<std::int32_t>(rng() % policy->facts.size());
      const auto domain = fact_domain(*policy, slot);
      Facts changed = facts;
      changed.values[slot] = domain.values.empty() || rng() % 4 == 0 ? Value::unknown(policy->facts[slot].type.kind)
                                                                      : domain.values[rng() % domain.values.size()];
      search.set(slot, changed.values[slot]);
      const Decision reference = decide(*policy, changed);
      REQUIRE(search.decide_changed(slot) == reference.outcome);
      CHECK(search.authorities() == reference.authorities);
      for (std::size_t r = 0; r < policy->rules.size(); ++r) {
        CHECK(search.applies()[r] == reference.rules[r].applies);
        CHECK(search.in_force()[r] == reference.rules[r].in_force);
      }
      changed_forces += search.in_force() != baseline;
      search.set(slot, facts.values[slot]);  // back to the baseline's facts
    }
  }
  MESSAGE(changed_forces << " of 1200 changes change some rule's force");
  CHECK(changed_forces > 60);  // the changes reach the rules, not only facts no rule reads
}

namespace {

// decide()'s interpretation analysis, computed the slow way: the whole request
// decided again by the tracing evaluator under each other reading.
std::vector<InterpretationUse> uses_by_deciding_again(const Policy& policy, const Facts& facts, const Decision& decision) {
  std::vector<InterpretationUse> out;
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i) {
    const auto index = static_cast<std::int32_t>(i);
    const bool value = facts.interpretation(policy, index);
    Facts other = facts;
    other.interpretations[i] = value ? 0 : 1;
    const Decision alternative = decide_outcome(policy, other);
    const bool relied_on = alternative.outcome != decision.outcome || alternative.authorities != decision.authorities;
    bool read_by_authority = false;
    for (auto a : decision.authorities) {
      const auto c = policy.rules[a].condition;
      if (c < 0) continue;
      const auto& read = policy.conditions[c].interpretations;
      read_by_authority = read_by_authority || std::find(read.begin(), read.end(), index) != read.end();
    }
    if (!relied_on && !read_by_authority) continue;
    InterpretationUse use;
    use.index = index;
    use.value = value;
    use.from_request = facts.interpretations[i] >= 0;
    use.relied_on = relied_on;
    use.other_outcome = alternative.outcome;
    use.other_authorities = alternative.authorities;
    out.push_back(std::move(use));
  }
  return out;
}

// The uses decide() lists (the other readings decided on a FastSearch lent by
// the policy's pool) against uses_by_deciding_again; counts what was compared.
struct UseAgreement {
  std::size_t decisions = 0, uses = 0, relied_on = 0;
  std::vector<std::string> failures;

  void check(const Policy& policy, const Facts& facts) {
    const Decision decision = decide(policy, facts);
    REQUIRE(decision.diagnostics.empty());
    const auto expected = uses_by_deciding_again(policy, facts, decision);
    ++decisions;
    uses += expected.size();
    for (const auto& use : expected) relied_on += use.relied_on;
    const auto& got = decision.interpretations;
    bool same = got.size() == expected.size();
    for (std::size_t u = 0; same && u < got.size(); ++u)
      same = got[u].index == expected[u].index && got[u].value == expected[u].value && got[u].from_request == expected[u].from_request &&
             got[u].relied_on == expected[u].relied_on && got[u].other_outcome == expected[u].other_outcome &&
             got[u].other_authorities == expected[u].other_authorities;
    if (!same && failures.size() < 5)
      failures.push_back("decision " + std::to_string(decisions) + ": " + std::to_string(got.size()) + " uses listed, " +
                         std::to_string(expected.size()) + " expected, or a use differs");
  }

  void report() const {
    std::string listed;
    for (const auto& f : failures) listed += "\n  " + f;
    INFO("decisions: " << decisions << listed);
    CHECK(failures.empty());
  }
};

}  // namespace

TEST_CASE("the interpretation analysis on the compiled form lists what deciding each other reading again lists") {
  auto policy = builtin();
  REQUIRE(policy->interpretations.size() >= 3);
  UseAgreement agreement;
  auto scenarios = load_scenarios(std::string(PROVISO_SOURCE_DIR) + "/rules/us/irc-6103/tests");
  for (const auto& scenario : scenarios.scenarios) {
    auto bound = bind_request(*policy, scenario.request, "request");
    if (bound.facts) agreement.check(*policy, *bound.facts);
  }
  std::mt19937_64 rng(6104);
  for (int unknown_percent : {0, 20, 60})
    for (int i = 0; i < 400; ++i) agreement.check(*policy, random_facts(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.decisions > 1500);
  CHECK(agreement.uses > 300);      // readings the authorities read, or relied on
  CHECK(agreement.relied_on > 30);  // and readings that change the outcome or its authorities

  // A reading read only through a definition, by an exception: relied on
  // when the exception decides, and never read by the permit it defeats.
  auto loaded = load_rule_set_from_texts(
      {{"small.proviso", "fact a : bool \"a\"\nfact b : bool \"b\"\n"
                         "interpretation strict \"the strict reading\" cite \"x(r)\" default false\n"
                         "definition barred \"barred\" cite \"x(d)\" means b and strict\n"
                         "rule general forbid cite \"x(a)\" when a or b\n"
                         "rule allowed permit cite \"x(b)\"\n  exception to general\n  when a\n"
                         "rule unless limit cite \"x(c)\"\n  exception to allowed\n  when barred\n"}},
      "small");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  UseAgreement on_small;
  for (const char* request : {R"({"a": true, "b": true})", R"({"a": true, "b": true, "interpretations": {"strict": true}})",
                              R"({"a": true})", R"({"b": false})", R"({"interpretations": {"strict": false}})"}) {
    auto bound = parse_request(*loaded.policy, request, "request");
    REQUIRE(bound.facts);
    on_small.check(*loaded.policy, *bound.facts);
  }
  on_small.report();
  CHECK(on_small.relied_on >= 2);
}

namespace {

// decide_changed (FastEval::run_from: only the readers of the changed slots
// evaluated again, forces patched) against a pass over every rule on the same
// facts: every rule's condition and force, the outcome, the authorities and
// the count of unknown forces. Half the changes give values to facts unknown
// in the baseline, as the next question and its witness search do (only the
// unknown conditions are evaluated again), the others any fact any value.
// Returns the changes that changed some rule's force.
std::size_t check_changes_from_baseline(const std::shared_ptr<const Policy>& policy, std::mt19937_64& rng, int requests, int unknown_percent) {
  std::size_t changed_forces = 0, compared = 0;
  for (int i = 0; i < requests; ++i) {
    const Facts facts = proviso::testing::random_facts(*policy, rng, unknown_percent);
    FastSearch search(*policy, facts), every(*policy, facts);
    if (i % 2) search.keep_baseline(decide(*policy, facts));  // from the tracing decide(), as next_questions keeps it
    else search.keep_baseline();
    const std::vector<Tri> baseline = search.in_force();
    for (int change = 0; change < 8; ++change) {
      std::vector<std::int32_t> slots;
      const auto count = 1 + rng() % 3;
      const bool refine = change % 2 == 0;
      Facts changed = facts;
      for (std::size_t k = 0; k < count; ++k) {
        auto slot = static_cast<std::int32_t>(rng() % policy->facts.size());
        for (int tries = 0; refine && facts.values[slot].known && tries < 50; ++tries) slot = static_cast<std::int32_t>(rng() % policy->facts.size());
        if (std::find(slots.begin(), slots.end(), slot) != slots.end()) continue;
        const auto domain = fact_domain(*policy, slot);
        changed.values[slot] = domain.values.empty() || (!refine && rng() % 5 == 0) ? Value::unknown(policy->facts[slot].type.kind)
                                                                                   : domain.values[rng() % domain.values.size()];
        slots.push_back(slot);
        search.set(slot, changed.values[slot]);
      }
      every.load(changed);
      const Outcome want = every.decide_every_rule();
      const Outcome got = search.decide_changed(slots);
      ++compared;
      REQUIRE(got == want);
      CHECK(search.authorities() == every.authorities());
      CHECK(search.applies() == every.applies());
      REQUIRE(search.in_force() == every.in_force());
      CHECK(search.unknown_forces() == every.unknown_forces());
      changed_forces += search.in_force() != baseline;
      for (auto slot : slots) search.set(slot, facts.values[slot]);  // back to the baseline's facts
    }
  }
  CHECK(compared == static_cast<std::size_t>(requests) * 8);
  return changed_forces;
}

}  // namespace

TEST_CASE("decide_changed from a baseline gives every rule's force as a whole pass does, one word of rules and several") {
  std::mt19937_64 rng(13);
  // § 6103 (one word of rules: the guard rows), many facts unknown or few.
  const auto policy = builtin();
  for (int unknown_percent : {10, 40, 80}) CHECK(check_changes_from_baseline(policy, rng, 250, unknown_percent) > 100);
  // Generated rule sets: 10 rules (one word) and 300 (several words, the rule index's buckets, shared leaves).
  for (int size : {10, 300}) {
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    REQUIRE(generated.policy);
    CHECK(check_changes_from_baseline(generated.policy, rng, 150, 30) > 50);
  }
  // Exceptions three deep, a condition on whether a fact is known, a definition.
  auto layered = load_rule_set_from_texts(
      {{"layered.proviso", "fact a : bool \"a\"\nfact b : bool \"b\"\nfact c : integer \"c\"\n"
                           "definition big \"big\" cite \"x(d)\" means c >= 3\n"
                           "rule general forbid cite \"x(a)\" when a or b\n"
                           "rule allowed permit cite \"x(b)\"\n  exception to general\n  when a and c is known\n"
                           "rule unless limit cite \"x(c)\"\n  exception to allowed\n  when big\n"
                           "rule but permit cite \"x(e)\"\n  exception to unless\n  when b and not big\n"}},
      "layered");
  INFO(render_all(layered.diagnostics, layered.sources));
  REQUIRE(layered.policy);
  CHECK(check_changes_from_baseline(layered.policy, rng, 200, 40) > 50);
}
