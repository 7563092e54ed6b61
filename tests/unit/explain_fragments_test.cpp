// The JSON fragments a Policy's ExplainTexts pre-renders (engine/explain_texts.cpp),
// which the explanation's JSON text copies instead of escaping the policy's
// strings again: against nlohmann's dump() of the json tree, on every rule and
// condition of the § 6103 rules and of copies whose every shown string is
// replaced by awkward ones (quotes, backslashes, control characters, UTF-8 of
// every length, empty strings), and with a string that is not UTF-8.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "builtin_fixture.hpp"
#include "engine/explain.hpp"

using namespace proviso;

namespace {

std::string awkward(std::mt19937_64& rng) {
  static const char* const pieces[] = {"plain", " ", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f",
                                       "é", "§ 6103", "—", "“q”", "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", "{\"k\":[1]}", "null", ","};
  std::string out;
  const auto n = rng() % 5;  // sometimes empty: no title, a citation that is null
  for (std::size_t i = 0; i < n; ++i) out += pieces[rng() % std::size(pieces)];
  if (rng() % 8 == 0) out += std::string(1, '\0');
  return out;
}

// A copy of `base` whose rule ids, titles, citations, condition and
// definition phrases, fact paths, enum value names and the rule set's name are
// awkward: what explanations show, none of what decide() reads (it reads slots).
Policy awkward_policy(const Policy& base, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Policy p = base;
  const auto cite = [&](Citation& c) {
    c.text = awkward(rng);
    c.id = awkward(rng);
  };
  for (auto& rule : p.rules) {
    rule.id = awkward(rng) + "#" + std::to_string(&rule - p.rules.data());
    rule.title = awkward(rng);
    cite(rule.cite);
  }
  for (auto& c : p.conditions) {
    if (rng() % 4) c.phrase = awkward(rng);  // else its definition's phrase, or its source text
    if (rng() % 2) cite(c.cite);
  }
  for (auto& d : p.definitions) {
    d.phrase = awkward(rng);
    cite(d.cite);
  }
  for (auto& i : p.interpretations) {
    i.phrase = awkward(rng);
    i.name = awkward(rng);
    cite(i.cite);
  }
  for (auto& f : p.facts) {
    f.path = awkward(rng);  // equal paths too: a json object keeps the last
    f.description = awkward(rng);
  }
  for (auto& e : p.enums)
    for (auto& v : e.values) v = awkward(rng);
  p.name = awkward(rng);
  p.version = awkward(rng);
  return p;
}

// An explanation that lists every rule as an other exception with all its
// top-level conditions failing, then every condition under the first rule: each
// rule's head and tail and each condition's brief, as the JSON text copies them.
Explanation listing_everything(const Policy& policy) {
  Explanation e;
  e.outcome = Outcome::denied;
  const auto add = [&](std::int32_t rule, std::span<const std::int32_t> failing) {
    const auto first = static_cast<std::uint32_t>(e.others_failing.size());
    e.others_failing.insert(e.others_failing.end(), failing.begin(), failing.end());
    e.others.push_back({rule, first, static_cast<std::uint32_t>(failing.size())});
  };
  for (std::size_t r = 0; r < policy.rules.size(); ++r) add(static_cast<std::int32_t>(r), policy.rules[r].top_conditions);
  for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
    const auto condition = static_cast<std::int32_t>(c);
    add(0, {&condition, 1});
  }
  return e;
}

// An explanation listing each rule as an other exception many times, each with
// another subset of its top-level conditions failing (every subset of a rule
// with at most 6; else 64 at random): each from its rule's head and tail and its conditions' briefs.
Explanation listing_subsets(const Policy& policy, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Explanation e;
  e.outcome = Outcome::denied;
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& top = policy.rules[r].top_conditions;
    if (top.empty() || top.size() > 60) continue;
    const std::uint64_t all = (std::uint64_t{1} << top.size()) - 1;
    const std::uint64_t n = top.size() <= 6 ? all : 64;
    for (std::uint64_t i = 1; i <= n; ++i) {
      const auto mask = top.size() <= 6 ? i : (rng() & all) | (std::uint64_t{1} << (rng() % top.size()));
      const auto first = static_cast<std::uint32_t>(e.others_failing.size());
      for (std::size_t k = 0; k < top.size(); ++k)
        if (mask >> k & 1) e.others_failing.push_back(top[k]);
      e.others.push_back({static_cast<std::int32_t>(r), first, static_cast<std::uint32_t>(e.others_failing.size()) - first});
    }
  }
  return e;
}

void check_requests(const Policy& policy, std::size_t every) {
  const auto& fixture = testing::builtin_fixture();
  ExplainOptions options;
  options.counterfactuals = false;
  std::size_t checked = 0, others = 0, interpretations = 0, unknown_facts = 0;
  for (std::size_t i = 0; i < fixture.scenarios.size(); i += every) {
    const auto& scenario = fixture.scenarios[i];
    auto bound = bind_request(*fixture.policy, scenario.request, scenario.name);  // the same slots in the copy
    if (!bound.facts) continue;
    INFO(scenario.file << ": " << scenario.name);
    const auto e = explain(policy, *bound.facts, decide(policy, *bound.facts), options);
    REQUIRE(explanation_json_text(policy, e) == explanation_to_json(policy, e).dump());
    others += e.others.size();
    interpretations += e.interpretations.size();
    unknown_facts += e.unknown_facts.size();
    ++checked;
  }
  CHECK(checked > 300 / every);
  CHECK(others > 10);
  CHECK(interpretations > 10);  // their remembered entries' heads and readings
  CHECK(unknown_facts > 10);    // and the unknown facts' entries
}

}  // namespace

TEST_CASE("every rule's and condition's fragments are the json tree's, on the § 6103 rules and on awkward copies") {
  const auto& builtin = *testing::builtin_fixture().policy;
  const auto everything = listing_everything(builtin);
  REQUIRE(explain_texts(builtin).json_ready);
  CHECK(explanation_json_text(builtin, everything) == explanation_to_json(builtin, everything).dump());
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    INFO("seed " << seed);
    const auto policy = awkward_policy(builtin, seed);
    REQUIRE(explain_texts(policy).json_ready);
    const auto expected = explanation_to_json(policy, everything).dump();
    CHECK(expected != explanation_to_json(builtin, everything).dump());  // the strings did change
    CHECK(explanation_json_text(policy, everything) == expected);
    // The memo and plain renderings name each listed condition by its (awkward) text.
    const auto memo = explanation_to_memo(policy, everything), plain = explanation_to_plain(policy, everything);
    for (std::size_t c = 0; c < policy.conditions.size(); ++c) {
      CHECK(memo.find(condition_text(policy, static_cast<std::int32_t>(c))) != std::string::npos);
      CHECK(plain.find(condition_text(policy, static_cast<std::int32_t>(c))) != std::string::npos);
    }
  }
}

TEST_CASE("an other exception failing any subset of its top-level conditions is written as dump() writes it") {
  const auto& builtin = *testing::builtin_fixture().policy;
  const auto subsets = listing_subsets(builtin, 7);
  CHECK(subsets.others.size() > 500);
  CHECK(explanation_json_text(builtin, subsets) == explanation_to_json(builtin, subsets).dump());
  for (std::uint64_t seed : {21, 22, 23}) {
    INFO("seed " << seed);
    const auto policy = awkward_policy(builtin, seed);
    REQUIRE(explain_texts(policy).json_ready);
    const auto e = listing_subsets(policy, seed);
    CHECK(explanation_json_text(policy, e) == explanation_to_json(policy, e).dump());
  }
  // Not in the rule's order, and a condition not the rule's: written one by one, as dump() does.
  Explanation odd;
  for (std::size_t r = 0; r < builtin.rules.size(); ++r) {
    const auto& top = builtin.rules[r].top_conditions;
    if (top.size() < 2) continue;
    const auto first = static_cast<std::uint32_t>(odd.others_failing.size());
    odd.others_failing.insert(odd.others_failing.end(), {top[1], top[0], builtin.rules[(r + 1) % builtin.rules.size()].condition});
    if (odd.others_failing.back() < 0) odd.others_failing.back() = top[0];
    odd.others.push_back({static_cast<std::int32_t>(r), first, 3});
  }
  CHECK(odd.others.size() > 10);
  CHECK(explanation_json_text(builtin, odd) == explanation_to_json(builtin, odd).dump());
}

TEST_CASE("whole explanations under awkward strings are dump()'s, byte for byte") {
  const auto& builtin = *testing::builtin_fixture().policy;
  for (std::uint64_t seed : {11, 12}) {
    INFO("seed " << seed);
    check_requests(awkward_policy(builtin, seed), 2);
  }
}

TEST_CASE("with a policy string that is not UTF-8, the JSON text is dump()'s where it can be and refused where dump() refuses") {
  const auto& builtin = *testing::builtin_fixture().policy;
  // Not UTF-8 in the title of the limit that decides the most scenarios: no
  // fragments at all, so the other explanations are written and escaped as they go.
  std::vector<std::size_t> decides(builtin.rules.size());
  testing::for_each_bound_scenario([&](const Scenario&, const Facts&, const Decision& decision) {
    for (auto a : decision.authorities) decides[static_cast<std::size_t>(a)] += builtin.rules[a].is_limit();
  });
  const auto limit = std::max_element(decides.begin(), decides.end()) - decides.begin();
  REQUIRE(decides[limit] > 0);
  Policy policy = builtin;
  policy.rules[limit].title = "cut \xE2\x82";
  REQUIRE(!explain_texts(policy).json_ready);
  ExplainOptions options;
  options.counterfactuals = false;
  std::size_t written = 0, refused = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    const auto e = explain(policy, facts, decision, options);
    std::string expected;
    try {
      expected = explanation_to_json(policy, e).dump();
    } catch (const nlohmann::json::type_error&) {
      CHECK_THROWS_AS((void)explanation_json_text(policy, e), nlohmann::json::type_error);
      ++refused;
      return;
    }
    CHECK(explanation_json_text(policy, e) == expected);
    written += !e.others.empty();
  });
  CHECK(written > 10);
  CHECK(refused == decides[limit]);  // those that name it: their JSON shows its title
}
