// The next question and the interview, over every scenario of the § 6103 set:
// an interview that starts from nothing and is answered from the scenario's
// request reaches eval's decision, and every question it asks could change the
// outcome (shown by a witness: two answers that give different outcomes).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "engine/counterfactual.hpp"
#include "engine/load.hpp"
#include "engine/questions.hpp"
#include "engine/scenario.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

struct Fixture {
  std::shared_ptr<const Policy> policy;
  std::vector<Scenario> scenarios;
};

const Fixture& fixture() {
  static Fixture f = [] {
    Fixture out;
    auto loaded = load_builtin_rule_set();
    REQUIRE(loaded.policy);
    out.policy = loaded.policy;
    auto s = load_scenarios(std::filesystem::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103/tests");
    out.scenarios = std::move(s.scenarios);
    return out;
  }();
  return f;
}

// Two answers to `fact` that give different outcomes: either as things stand
// (one answer settles the request, another does not, or they settle it
// differently), or once the facts still unknown take the scenario's values.
bool has_witness(const Policy& policy, const Facts& state, const Facts& oracle, std::int32_t fact) {
  auto outcomes_differ = [&](const Facts& base) {
    std::vector<Value> values = candidate_values(policy, fact, Value::unknown(policy.facts[fact].type.kind));
    std::optional<Outcome> first;
    for (const auto& v : values) {
      Facts f = base;
      f.values[fact] = v;
      auto o = decide_outcome(policy, f).outcome;
      if (first && *first != o) return true;
      first = o;
    }
    return false;
  };
  if (outcomes_differ(state)) return true;
  Facts completed = state;
  for (std::size_t i = 0; i < completed.values.size(); ++i)
    if (!completed.values[i].known && static_cast<std::int32_t>(i) != fact) completed.values[i] = oracle.values[i];
  return outcomes_differ(completed);
}

// A situation consistent with what is known where the answer matters: for a
// rule that reads the fact, answer it, then give the other unknown facts of the
// rule's conditions values that make those conditions hold, one fact at a time;
// then see whether the answers to the fact give different outcomes there.
bool constructive_witness(const Policy& policy, const Facts& state, std::int32_t fact) {
  const auto values = candidate_values(policy, fact, Value::unknown(policy.facts[fact].type.kind));
  for (std::size_t r = 0; r < policy.rules.size(); ++r) {
    const auto& rule = policy.rules[r];
    if (rule.condition < 0) continue;
    const auto& read = policy.conditions[rule.condition].facts;
    if (std::find(read.begin(), read.end(), fact) == read.end()) continue;
    for (const auto& v : values) {
      Facts s = state;
      s.values[fact] = v;
      auto d = decide_outcome(policy, s);
      if (d.rules[r].applies == Tri::false_) continue;
      for (auto c : rule.top_conditions) {
        if (d.conditions[c] != Tri::unknown) continue;
        bool done = false;
        for (auto g : policy.conditions[c].facts) {
          if (g == fact || s.values[g].known || done) continue;
          for (const auto& w : candidate_values(policy, g, s.values[g])) {
            Facts t = s;
            t.values[g] = w;
            auto dt = decide_outcome(policy, t);
            if (dt.conditions[c] != Tri::true_) continue;
            s = std::move(t);
            d = std::move(dt);
            done = true;
            break;
          }
        }
      }
      std::optional<Outcome> first;
      for (const auto& other : values) {
        Facts t = s;
        t.values[fact] = other;
        auto o = decide_outcome(policy, t).outcome;
        if (first && *first != o) return true;
        first = o;
      }
    }
  }
  return false;
}

}  // namespace

TEST_CASE("next questions: ranked by how much they settle, phrased from the descriptions") {
  const auto& p = *fixture().policy;
  Facts nothing = unknown_facts(p);
  auto d = decide(p, nothing);
  REQUIRE(d.outcome == Outcome::undetermined);
  auto questions = next_questions(p, nothing, d);
  REQUIRE_FALSE(questions.empty());
  for (std::size_t i = 1; i < questions.size(); ++i) CHECK(questions[i - 1].settles >= questions[i].settles);
  CHECK(questions.front().text.find(p.facts[questions.front().fact].description) != std::string::npos);
  CHECK_FALSE(questions.front().answers.empty());
}

TEST_CASE("parse_answer: yes/no, enum names and numbers, sets, skips") {
  const auto& p = *fixture().policy;
  bool skipped = false;
  auto writing = p.fact_index.at("request.in_writing");
  CHECK(parse_answer(p, writing, "yes", skipped)->integer == 1);
  CHECK(parse_answer(p, writing, " No ", skipped)->integer == 0);
  CHECK_FALSE(parse_answer(p, writing, "maybe", skipped));
  CHECK_FALSE(skipped);
  CHECK_FALSE(parse_answer(p, writing, "?", skipped));
  CHECK(skipped);
  auto signer = p.fact_index.at("request.signed_by");
  CHECK(parse_answer(p, signer, "head_of_agency", skipped)->integer == p.enums[p.facts[signer].type.enum_id].index_of("head_of_agency"));
  CHECK(parse_answer(p, signer, "1", skipped)->integer == 0);
  auto items = p.fact_index.at("disclosure.items");
  auto set = parse_answer(p, items, "taxpayer_name, mailing_address", skipped);
  REQUIRE(set);
  CHECK(__builtin_popcountll(set->bits) == 2);
}

TEST_CASE("interviews answered from each scenario reach eval's decision, asking only questions that matter") {
  const auto& f = fixture();
  std::size_t sessions = 0, questions = 0, unwitnessed = 0;
  for (const auto& scenario : f.scenarios) {
    auto bound = bind_request(*f.policy, scenario.request, scenario.name);
    if (!bound.facts) continue;
    const Facts& oracle = *bound.facts;
    auto expected = decide(*f.policy, oracle).outcome;
    INFO(scenario.file << ": " << scenario.name);
    Facts start = unknown_facts(*f.policy);
    start.interpretations = oracle.interpretations;  // the same readings; every fact unknown
    Interview interview(*f.policy, start);
    std::size_t asked = 0;
    while (!interview.done() && asked < f.policy->facts.size()) {
      auto fact = interview.question().fact;
      if (!has_witness(*f.policy, interview.facts(), oracle, fact) && !constructive_witness(*f.policy, interview.facts(), fact)) {
        ++unwitnessed;
      }
      ++asked;
      interview.answer(oracle.values[fact].known ? std::optional<Value>(oracle.values[fact]) : std::nullopt);
    }
    CHECK(interview.done());
    CHECK(outcome_name(interview.decision().outcome) == outcome_name(expected));
    questions += asked;
    ++sessions;
  }
  MESSAGE(sessions << " interviews, " << questions << " questions, " << unwitnessed << " without a witness found");
  CHECK(sessions >= 100);
}
