// What an explanation remembers per policy, and how it writes: the table of
// facts_to_change by rule and open set (read and filled without a lock, from
// any thread; bounded), the condition nodes written from remembered fragments
// only when their reads are the condition's own, and the JSON sink's growth.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "bench/rulegen.hpp"
#include "engine/explain.hpp"
#include "engine/json_sink.hpp"
#include "engine/load.hpp"
#include "builtin_fixture.hpp"
#include "random_facts.hpp"

using namespace proviso;

namespace {

// rank_exceptions() as its comment says, from scratch: every permit that
// defeats a forbid and is not in force, its counts and facts_to_change, in order.
std::vector<ExceptionRank> ranks_from_scratch(const Policy& policy, const Decision& decision) {
  std::vector<std::int32_t> forbids;
  if (decision.outcome == Outcome::denied) forbids = decision.authorities;
  else if ((decision.outcome == Outcome::not_applicable || decision.outcome == Outcome::undetermined) && policy.general_rule >= 0)
    forbids.push_back(policy.general_rule);
  std::vector<std::int32_t> rules;
  for (auto f : forbids)
    for (auto d : policy.rules[f].defeaters)
      if (policy.rules[d].is_permit() && decision.rules[d].in_force != Tri::true_) rules.push_back(d);
  std::sort(rules.begin(), rules.end());
  rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
  std::vector<ExceptionRank> ranks;
  for (auto r : rules) {
    ExceptionRank rank;
    rank.rule = r;
    std::vector<std::int32_t> failing, unknown;
    for (auto c : policy.rules[r].top_conditions) {
      if (decision.conditions[c] == Tri::false_) failing.push_back(c);
      if (decision.conditions[c] == Tri::unknown) unknown.push_back(c);
    }
    rank.failing = failing.size();
    rank.unknown = unknown.size();
    failing.insert(failing.end(), unknown.begin(), unknown.end());
    rank.facts_to_change = facts_to_change(policy, failing);
    ranks.push_back(rank);
  }
  std::stable_sort(ranks.begin(), ranks.end(), [](const ExceptionRank& a, const ExceptionRank& b) { return a.closeness() < b.closeness(); });
  return ranks;
}

bool same(const std::vector<ExceptionRank>& a, const std::vector<ExceptionRank>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ExceptionRank& x, const ExceptionRank& y) {
    return x.rule == y.rule && x.failing == y.failing && x.unknown == y.unknown && x.facts_to_change == y.facts_to_change;
  });
}

}  // namespace

TEST_CASE("facts_to_change is remembered per policy without a lock: four threads at once on a cold policy rank as from scratch") {
  const auto& fixture = testing::builtin_fixture();
  const Policy cold = *fixture.policy;  // a copy: its explanation texts and tables start empty
  std::vector<Decision> decisions;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts&, const Decision& decision) { decisions.push_back(decision); });
  REQUIRE(decisions.size() > 300);
  std::vector<std::vector<ExceptionRank>> expected;
  for (const auto& d : decisions) expected.push_back(ranks_from_scratch(cold, d));
  std::vector<std::size_t> wrong(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int pass = 0; pass < 2; ++pass)  // the first fills the table, the second reads it
        for (std::size_t k = 0; k < decisions.size(); ++k) {
          const auto i = (k + t * decisions.size() / 4) % decisions.size();  // each thread from its own start
          if (!same(rank_exceptions(cold, decisions[i]), expected[i])) ++wrong[t];
        }
    });
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < 4; ++t) CHECK(wrong[t] == 0);
}

TEST_CASE("rank_exceptions ranks as from scratch on random requests: § 6103 and generated rule sets, one forbid or several") {
  std::mt19937_64 rng(7);
  std::size_t compared = 0, several_forbids = 0, wrong = 0;
  const auto compare = [&](const Policy& policy, const Facts& facts) {
    const auto decision = decide(policy, facts);
    if (decision.outcome == Outcome::denied && decision.authorities.size() > 1) ++several_forbids;
    const auto got = rank_exceptions(policy, decision);
    if (!same(got, ranks_from_scratch(policy, decision))) ++wrong;
    ++compared;
  };
  const auto& builtin = *testing::builtin_fixture().policy;
  for (int unknown_percent : {10, 40, 80})
    for (int i = 0; i < 1000; ++i) compare(builtin, testing::random_facts(builtin, rng, unknown_percent));
  for (int size : {10, 300}) {
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    REQUIRE(generated.policy);
    for (int i = 0; i < 1000; ++i) compare(*generated.policy, testing::random_facts(*generated.policy, rng, i % 2 ? 10 : 40));
  }
  CHECK(compared == 5000);
  CHECK(several_forbids > 0);  // the candidates of several forbids merged, each once
  CHECK(wrong == 0);
}

TEST_CASE("the facts_to_change table is bounded: a byte per open set of a permit with few top-level conditions") {
  const auto& policy = *testing::builtin_fixture().policy;
  const auto& texts = explain_texts(policy);
  REQUIRE(texts.facts_to_change_at.size() == policy.rules.size());
  std::size_t bytes = 0, tabled = 0;
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    const auto at = texts.facts_to_change_at[r];
    if (at == ExplainTexts::kNoTable) {
      CHECK((!rule.is_permit() || rule.top_conditions.size() > ExplainTexts::kTableTop ||
             bytes + (std::size_t{1} << rule.top_conditions.size()) > ExplainTexts::kMaxTableBytes));
      continue;
    }
    CHECK(rule.is_permit());
    CHECK(rule.top_conditions.size() <= ExplainTexts::kTableTop);
    CHECK(at == bytes);  // the tables follow one another
    bytes += std::size_t{1} << rule.top_conditions.size();
    ++tabled;
  }
  CHECK(tabled > 10);
  CHECK(bytes <= ExplainTexts::kMaxTableBytes);
}

TEST_CASE("a condition node whose reads are not the condition's own is written as dump() writes it") {
  const auto& policy = *testing::builtin_fixture().policy;
  ExplainOptions options;
  options.counterfactuals = false;
  std::size_t changed = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    auto e = explain(policy, facts, decision, options);
    std::vector<ConditionNode*> nodes;
    for (auto& x : e.closest)
      for (auto& node : e.tree[x.failing]) nodes.push_back(&node);
    for (auto& g : e.grounds)
      for (auto& node : e.tree[g.holds]) nodes.push_back(&node);
    for (auto* node : nodes) {
      if (node->facts.size() < 2) continue;
      // Reversed, so the remembered order no longer fits; then one read fewer.
      const auto reads = e.tree[node->facts];
      std::reverse(reads.begin(), reads.end());
      REQUIRE(explanation_json_text(policy, e) == explanation_to_json(policy, e).dump());
      --node->facts.count;
      REQUIRE(explanation_json_text(policy, e) == explanation_to_json(policy, e).dump());
      ++changed;
      return;
    }
  });
  CHECK(changed > 50);
}

TEST_CASE("the JSON sink appends after what the string holds, grows past its first chunk, and ends at the bytes written") {
  std::string out = "prefix:";
  std::string expected = out;
  {
    JsonSink sink(out);
    for (int i = 0; i < 5000; ++i) {
      sink += "{\"k\":";
      sink.integer(i * 7919 - 20000);
      sink += ',';
      sink += std::string_view("text that is longer than a few bytes");
      sink += '}';
      expected += "{\"k\":" + std::to_string(i * 7919 - 20000) + ",text that is longer than a few bytes}";
    }
    const auto at = sink.position();
    CHECK(at == expected.size());
    sink += "tail";
    CHECK(out.compare(at, 4, "tail") == 0);  // written in place, before finish()
    expected += "tail";
    sink += std::string(5000, 'x');  // longer than a chunk
    expected += std::string(5000, 'x');
    sink.put_from(",\"key\":", 1);
    expected += "\"key\":";
    sink.finish();
    CHECK(sink.position() == expected.size());
  }
  CHECK(out.size() == expected.size());
  CHECK(out == expected);
  // A sink on an empty string that writes nothing leaves it empty.
  std::string empty;
  {
    JsonSink sink(empty);
    CHECK(empty.size() > 0);  // its first chunk, until finish()
    sink.finish();
  }
  CHECK(empty.empty());
}
