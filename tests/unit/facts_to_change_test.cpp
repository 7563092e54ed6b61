// facts_to_change (engine/explain.cpp) ranks near misses by the fewest facts
// that touch every open condition. It searches by branching; this checks it
// against the plain enumeration of fact subsets it replaced, on random sets of
// conditions of the § 6103 rules (which share facts, so covers overlap).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "engine/explain.hpp"
#include "engine/load.hpp"

using namespace proviso;

namespace {

// The reference: try every subset of 1..4 of the changeable facts, smallest first.
std::size_t by_enumeration(const Policy& policy, const std::vector<std::int32_t>& conditions) {
  std::vector<std::vector<std::int32_t>> sets;
  std::vector<std::int32_t> pool;
  for (auto c : conditions) {
    std::vector<std::int32_t> facts;
    for (auto f : policy.conditions[c].facts)
      if (!policy.facts[f].fixed) facts.push_back(f);
    if (facts.empty()) return 99;
    pool.insert(pool.end(), facts.begin(), facts.end());
    sets.push_back(facts);
  }
  std::sort(pool.begin(), pool.end());
  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
  if (sets.empty()) return 0;
  const std::size_t n = pool.size();
  for (std::size_t k = 1; k <= 4 && k <= n && n <= 24; ++k) {
    std::vector<bool> pick(n, false);
    std::fill(pick.begin(), pick.begin() + static_cast<std::ptrdiff_t>(k), true);
    do {
      bool all = std::all_of(sets.begin(), sets.end(), [&](const std::vector<std::int32_t>& set) {
        return std::any_of(set.begin(), set.end(), [&](std::int32_t f) {
          return pick[static_cast<std::size_t>(std::lower_bound(pool.begin(), pool.end(), f) - pool.begin())];
        });
      });
      if (all) return k;
    } while (std::prev_permutation(pick.begin(), pick.end()));
  }
  return std::min<std::size_t>(99, 4 + sets.size());
}

}  // namespace

TEST_CASE("facts_to_change equals the enumeration of fact subsets on random condition sets") {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  const Policy& policy = *loaded.policy;
  std::mt19937_64 rng(6103);
  std::size_t checked = 0, reachable = 0;
  std::map<std::size_t, int> sizes;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<std::int32_t> conditions;
    const auto count = 1 + rng() % 7;
    for (std::size_t i = 0; i < count; ++i) conditions.push_back(static_cast<std::int32_t>(rng() % policy.conditions.size()));
    const auto expected = by_enumeration(policy, conditions);
    const auto got = facts_to_change(policy, conditions);
    if (got != expected) {
      std::string list;
      for (auto c : conditions) list += std::to_string(c) + " ";
      FAIL("conditions " << list << ": " << got << " instead of " << expected);
    }
    ++checked;
    if (expected <= 4) ++reachable;
    ++sizes[expected];
  }
  CHECK(checked == 3000);
  CHECK(reachable > 1000);  // the search is exercised, not only the fallbacks
  CHECK(sizes.size() >= 4);  // and at several sizes
}

TEST_CASE("rank_exceptions remembers facts_to_change per rule and open set, and gives what it computes afresh") {
  // The memo lives in the policy's explanation cache: the same open set seen
  // again, from another request, must give what facts_to_change gives it.
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  const Policy& policy = *loaded.policy;
  std::mt19937_64 rng(7);
  std::size_t ranked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Facts facts;
    facts.interpretations.assign(policy.interpretations.size(), -1);
    for (const auto& fact : policy.facts) {  // half the boolean facts given at random, the rest unknown
      Value v = Value::unknown(fact.type.kind);
      if (fact.type.kind == TypeKind::boolean && rng() % 2 == 0) {
        v.known = true;
        v.integer = static_cast<std::int64_t>(rng() % 2);
      }
      facts.values.push_back(v);
    }
    const Decision decision = decide(policy, facts);
    for (int twice = 0; twice < 2; ++twice)
      for (const auto& rank : rank_exceptions(policy, decision)) {
        std::vector<std::int32_t> open;
        for (auto c : policy.rules[rank.rule].top_conditions)
          if (decision.conditions[c] == Tri::false_) open.push_back(c);
        for (auto c : policy.rules[rank.rule].top_conditions)
          if (decision.conditions[c] == Tri::unknown) open.push_back(c);
        REQUIRE(rank.facts_to_change == facts_to_change(policy, open));
        ++ranked;
      }
  }
  CHECK(ranked > 5000);
}
