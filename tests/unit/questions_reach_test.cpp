// The next question ranks only the facts an answer to which may reach the
// outcome (FastSearch::may_reach_outcome): for the others no answer changes
// the outcome and the witness search finds nothing, so they are never asked.
// Checked directly (every candidate of every such fact decided, and the
// oracle's witness search run), then as a whole: next_questions against the
// oracle (questions_oracle.hpp) on every undetermined § 6103 scenario and on
// thousands of random undetermined requests, on § 6103, generated rule sets
// (one word of rules and several) and a set with limits, definitions and
// `is known`, under loose and tight QuestionLimits.
#include <doctest/doctest.h>

#include <random>

#include "bench/rulegen.hpp"
#include "builtin_fixture.hpp"
#include "engine/eval.hpp"
#include "engine/fast_search.hpp"
#include "engine/load.hpp"
#include "engine/questions.hpp"
#include "questions_oracle.hpp"
#include "random_facts.hpp"

using namespace proviso;

namespace {

// Limits, defeats through limits, a definition, `is known` where a known
// condition turns when the fact becomes known, and facts read only by rules
// whose force is settled.
const char* kReach = R"rules(
enum signer "who signed" { head_of_agency field_officer clerk deputy auditor }
enum item "an item" { name address income return_info notes }
fact p : bool "p"
fact q : bool "q"
fact r : bool "r"
fact n : integer "n"
fact who : signer "who"
fact third : signer "third"
fact items : set of item "items"
definition senior "senior" cite "x(d1)" means who in {head_of_agency, deputy}
definition private "private" cite "x(d2)" means items intersects {income, return_info} or n > 3
rule general forbid cite "x(a)" when p or private
rule first permit cite "x(b)"
  exception to general
  when senior and not q
rule capped limit cite "x(c)"
  exception to first
  when r and n < 10
rule uncapped limit cite "x(d)"
  exception to capped
  when who == clerk
rule noted forbid cite "x(e)" when third is known and third == auditor
rule quiet permit cite "x(f)" when r and third == field_officer
)rules";

std::shared_ptr<const Policy> loaded_policy(const char* name, const RuleSetFiles& files) {
  auto loaded = load_rule_set_from_texts(files, name);
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  return loaded.policy;
}

// The whole questions, compared as the oracle's: order, answers, witnesses, texts and ranks.
std::size_t check_same_questions(const Policy& policy, const Facts& facts, const Decision& decision, const QuestionLimits& limits) {
  const auto got = next_questions(policy, facts, decision, {}, limits);
  const auto want = proviso::testing::oracle::next_questions(policy, facts, decision, {}, limits);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(got[i].settles == want[i].settles);
    CHECK(got[i].progress == want[i].progress);
    CHECK(question_to_json(policy, got[i]).dump() == question_to_json(policy, want[i]).dump());
  }
  return want.size();
}

std::vector<QuestionLimits> limits_to_try() {
  std::vector<QuestionLimits> out(5);
  out[1].max_questions = 3;  // as explain() asks
  out[2].max_questions = 1;  // as the interview asks
  out[2].relevance.max_nodes = 2;
  out[3].max_set_answers = 5;
  out[3].relevance.max_nodes = 6;
  out[4].max_questions = 2;
  out[4].relevance.max_nodes = 1;
  return out;
}

struct Counts {
  std::size_t requests = 0, questions = 0, unreached = 0, reached = 0;
};

// `requests` random undetermined requests, each compared under two of the limits.
void compare_random(const Policy& policy, std::mt19937_64& rng, std::size_t requests, Counts& count) {
  const auto limits = limits_to_try();
  for (std::size_t tries = 0, found = 0; found < requests && tries < requests * 20; ++tries) {
    const Facts facts = proviso::testing::random_facts(policy, rng, 10 + static_cast<int>(rng() % 71));
    const auto decision = decide(policy, facts);
    if (decision.outcome != Outcome::undetermined) continue;
    ++found;
    ++count.requests;
    INFO("request " << tries);
    count.questions += check_same_questions(policy, facts, decision, limits[found % limits.size()]);
    count.questions += check_same_questions(policy, facts, decision, limits[(found + 2) % limits.size()]);
  }
}

// Every unknown fact of random undetermined requests: one that may_reach_outcome()
// says cannot reach the outcome has no answer that changes it and no witness.
void check_unreached(const Policy& policy, std::mt19937_64& rng, std::size_t requests, Counts& count) {
  for (std::size_t tries = 0, found = 0; found < requests && tries < requests * 20; ++tries) {
    const Facts facts = proviso::testing::random_facts(policy, rng, 10 + static_cast<int>(rng() % 71));
    const auto decision = decide(policy, facts);
    if (decision.outcome != Outcome::undetermined) continue;
    ++found;
    FastSearch search(policy, facts);
    search.keep_baseline(decision);
    for (std::size_t f = 0; f < policy.facts.size(); ++f) {
      if (facts.values[f].known) continue;
      const auto slot = static_cast<std::int32_t>(f);
      if (search.may_reach_outcome(slot)) {
        ++count.reached;
        continue;
      }
      ++count.unreached;
      INFO("request " << tries << ", fact " << policy.facts[f].path);
      for (const auto& value : search.unknown_candidates(slot, 24)) {
        search.set(slot, value);
        CHECK(search.decide_changed(slot) == Outcome::undetermined);
        Facts answered = facts;
        answered.values[f] = value;
        CHECK(decide(policy, answered).outcome == Outcome::undetermined);
      }
      search.set(slot, facts.values[f]);
      CHECK_FALSE(proviso::testing::oracle::find_witness(policy, facts, slot, {}, {}, &decision).witness.has_value());
    }
  }
}

}  // namespace

TEST_CASE("a fact that cannot reach the outcome has no answer that changes it and no witness") {
  std::mt19937_64 rng(61);
  Counts count;
  const auto& builtin = *proviso::testing::builtin_fixture().policy;
  check_unreached(builtin, rng, 300, count);
  for (int size : {10, 300}) {
    const auto generated = loaded_policy("generated", {{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}});
    check_unreached(*generated, rng, 60, count);
  }
  const auto reach = loaded_policy("reach", {{"reach.proviso", kReach}});
  check_unreached(*reach, rng, 300, count);
  // Both kinds are common: the check is not empty, and the ranking is spared often.
  CHECK(count.unreached > 1000);
  CHECK(count.reached > 1000);
  MESSAGE("unknown facts that cannot reach the outcome: " << count.unreached << ", that may: " << count.reached);
}

TEST_CASE("a kept decision of one refined slot, recalled, is the decision decide_changed makes") {
  std::mt19937_64 rng(73);
  const auto& builtin = *proviso::testing::builtin_fixture().policy;
  const auto reach = loaded_policy("reach", {{"reach.proviso", kReach}});
  std::size_t recalled = 0, missed = 0;
  for (const Policy* policy : {&builtin, reach.get()})
    for (int i = 0; i < 60; ++i) {
      const Facts facts = proviso::testing::random_facts(*policy, rng, 30 + static_cast<int>(rng() % 50));
      FastSearch search(*policy, facts), fresh(*policy, facts);
      search.keep_baseline(decide(*policy, facts));
      fresh.keep_baseline();
      std::vector<std::int32_t> unknown;
      for (std::size_t f = 0; f < policy->facts.size(); ++f)
        if (!facts.values[f].known) unknown.push_back(static_cast<std::int32_t>(f));
      // Keep the odd values of each unknown fact, then recall every value in another order.
      for (auto slot : unknown) {
        const auto& values = search.domain(slot).values;
        for (std::size_t k = 1; k < values.size(); k += 2) {
          search.set(slot, values[k]);
          search.keep_refined(slot, search.decide_changed(slot));
        }
        search.set(slot, facts.values[static_cast<std::size_t>(slot)]);
      }
      for (auto it = unknown.rbegin(); it != unknown.rend(); ++it) {
        const auto slot = *it;
        const auto& values = search.domain(slot).values;
        for (std::size_t k = 0; k < values.size(); ++k) {
          search.set(slot, values[k]);
          fresh.set(slot, values[k]);
          Outcome outcome = Outcome::undetermined;
          const bool kept = search.recall_refined(slot, outcome);
          INFO("fact " << policy->facts[static_cast<std::size_t>(slot)].path << ", value " << k);
          CHECK(kept == (k % 2 == 1 && policy->facts[static_cast<std::size_t>(slot)].type.kind != TypeKind::string));
          if (!kept) {
            ++missed;
            outcome = search.decide_changed(slot);
          } else {
            ++recalled;
          }
          CHECK(outcome == fresh.decide_changed(slot));
          CHECK(search.applies() == fresh.applies());
          CHECK(search.in_force() == fresh.in_force());
          CHECK(search.authorities() == fresh.authorities());
          CHECK(search.unknown_forces() == fresh.unknown_forces());
          // The search decides from the baseline again after a recalled decision.
          const auto other = unknown.front();
          if (other != slot) {
            search.set(other, search.domain(other).values.front());
            fresh.set(other, search.domain(other).values.front());
            const std::int32_t both[] = {slot, other};
            CHECK(search.decide_changed(both) == fresh.decide_changed(both));
            CHECK(search.in_force() == fresh.in_force());
            search.set(other, facts.values[static_cast<std::size_t>(other)]);
            fresh.set(other, facts.values[static_cast<std::size_t>(other)]);
          }
        }
        search.set(slot, facts.values[static_cast<std::size_t>(slot)]);
        fresh.set(slot, facts.values[static_cast<std::size_t>(slot)]);
      }
    }
  CHECK(recalled > 1000);
  CHECK(missed > 1000);
}

TEST_CASE("the next questions without the unreached facts are the oracle's: every undetermined scenario, loose and tight limits") {
  const auto& policy = *proviso::testing::builtin_fixture().policy;
  std::mt19937_64 rng(71);
  std::size_t requests = 0, questions = 0;
  const auto limits = limits_to_try();
  auto compare = [&](const Facts& facts, const Decision& decision) {
    if (decision.outcome != Outcome::undetermined) return;
    ++requests;
    for (const auto& l : limits) questions += check_same_questions(policy, facts, decision, l);
  };
  proviso::testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    compare(facts, decision);
    for (unsigned one_in : {2u, 3u}) {  // the scenario with some of its facts forgotten
      Facts variant = facts;
      for (std::size_t f = 0; f < variant.values.size(); ++f)
        if (variant.values[f].known && rng() % one_in == 0) variant.values[f] = Value::unknown(policy.facts[f].type.kind);
      compare(variant, decide(policy, variant));
    }
  });
  CHECK(requests > 100);
  CHECK(questions > 500);
  MESSAGE("undetermined scenarios and variants compared: " << requests << ", questions: " << questions);
}

TEST_CASE("the next questions without the unreached facts are the oracle's: thousands of random undetermined requests") {
  std::mt19937_64 rng(67);
  Counts count;
  const auto& builtin = *proviso::testing::builtin_fixture().policy;
  compare_random(builtin, rng, 2000, count);
  for (int size : {10, 300}) {
    const auto generated = loaded_policy("generated", {{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}});
    compare_random(*generated, rng, 150, count);
  }
  const auto reach = loaded_policy("reach", {{"reach.proviso", kReach}});
  compare_random(*reach, rng, 500, count);
  CHECK(count.requests >= 2500);
  CHECK(count.questions > 3000);
  MESSAGE("random undetermined requests compared: " << count.requests << ", questions: " << count.questions);
}
