// The next question and the interview, over every scenario of the § 6103 set:
// an interview that starts from nothing and is answered from the scenario's
// request reaches eval's decision, and every question it asks could change the
// outcome (shown by a witness: two answers that give different outcomes).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "engine/counterfactual.hpp"
#include "engine/explain.hpp"
#include "engine/questions.hpp"

#include "builtin_fixture.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

const testing::BuiltinFixture& fixture() { return testing::builtin_fixture(); }

// Re-checks a question's witness by evaluating it, independently of the search
// that found it: the completion gives values only to facts not yet known, and
// the two answers (the second may be "not known") give different outcomes.
bool witness_checks(const Policy& policy, const Facts& state, const Question& q) {
  const auto& w = q.witness;
  if (w.fact != q.fact || state.values[q.fact].known || !w.answer.known) return false;
  Facts base = state;
  for (const auto& c : w.completion) {
    if (c.fact == q.fact || state.values[c.fact].known || !c.value.known) return false;
    base.values[c.fact] = c.value;
  }
  Facts first = base, second = base;
  first.values[q.fact] = w.answer;
  second.values[q.fact] = w.other;
  return decide_outcome(policy, first).outcome != decide_outcome(policy, second).outcome;
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
  std::size_t sessions = 0, questions = 0, witnessed = 0;
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
      const auto& q = interview.question();
      const bool ok = witness_checks(*f.policy, interview.facts(), q);
      CHECK_MESSAGE(ok, "question " << f.policy->facts[q.fact].path << " was asked without a witness that its answer matters");
      witnessed += ok;
      ++asked;
      auto fact = q.fact;
      interview.answer(oracle.values[fact].known ? std::optional<Value>(oracle.values[fact]) : std::nullopt);
    }
    CHECK(interview.done());
    CHECK(outcome_name(interview.decision().outcome) == outcome_name(expected));
    questions += asked;
    ++sessions;
  }
  MESSAGE(sessions << " interviews, " << questions << " questions asked, " << witnessed << " with a witness re-checked by evaluation");
  CHECK(sessions >= 100);
  CHECK(witnessed == questions);
}

TEST_CASE("an undetermined explanation asks next only questions with a witness, in all three renderings") {
  const auto& f = fixture();
  const auto& p = *f.policy;
  std::size_t explained = 0, asked = 0;
  for (const auto& scenario : f.scenarios) {
    auto bound = bind_request(p, scenario.request, scenario.name);
    if (!bound.facts) continue;
    // The scenario's request with its first deciding fact taken away, when that leaves it undetermined.
    auto full = decide(p, *bound.facts);
    if (full.outcome == Outcome::undetermined || full.authorities.empty()) continue;
    const auto condition = p.rules[full.authorities.front()].condition;
    if (condition < 0) continue;  // the general rule reads no fact
    Facts partial = *bound.facts;
    std::int32_t removed = -1;
    for (auto fact : p.conditions[condition].facts)
      if (partial.values[fact].known) {
        removed = fact;
        partial.values[fact] = Value::unknown(p.facts[fact].type.kind);
        break;
      }
    auto d = decide(p, partial);
    if (removed < 0 || d.outcome != Outcome::undetermined) continue;
    INFO(scenario.file << ": " << scenario.name << " without " << p.facts[removed].path);
    ExplainOptions options;
    options.counterfactuals = false;
    auto e = explain(p, partial, d, options);
    REQUIRE_FALSE(e.next_questions.empty());  // the fact taken away can change the outcome, so something is asked
    for (const auto& q : e.next_questions) {
      CHECK(witness_checks(p, partial, q));
      ++asked;
    }
    const auto& first = p.facts[e.next_questions.front().fact].path;
    CHECK(explanation_to_memo(p, e).find("Q1 (" + first + ")") != std::string::npos);
    CHECK(explanation_to_plain(p, e).find(e.next_questions.front().text) != std::string::npos);
    CHECK(explanation_to_json(p, e)["next_questions"][0]["fact"] == first);
    ++explained;
  }
  MESSAGE(explained << " undetermined requests explained, " << asked << " next questions, each with a witness re-checked");
  CHECK(explained >= 100);
}
