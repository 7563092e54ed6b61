// The next questions and their witnesses on the shared search (one lease and
// one copy of the facts for the ranking and every witness, the policy's
// domains, readers and candidates kept with the search) against the path they
// replaced (questions_oracle.hpp): the same questions in the same order, the
// same answers and the same witnesses, byte for byte in JSON, on every § 6103
// scenario, on random undetermined variants of them, with skips and other limits.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "engine/counterfactual.hpp"
#include "engine/fact_domain.hpp"
#include "engine/questions.hpp"

#include "builtin_fixture.hpp"
#include "questions_oracle.hpp"

using namespace proviso;

namespace {

void check_same_witness(const Witness& got, const Witness& want) {
  CHECK(got.fact == want.fact);
  REQUIRE(got.completion.size() == want.completion.size());
  for (std::size_t i = 0; i < want.completion.size(); ++i) {
    CHECK(got.completion[i].fact == want.completion[i].fact);
    CHECK(same_value(got.completion[i].value, want.completion[i].value));
  }
  CHECK(same_value(got.answer, want.answer));
  CHECK(same_value(got.other, want.other));
  CHECK(got.answer_outcome == want.answer_outcome);
  CHECK(got.other_outcome == want.other_outcome);
}

// Returns the number of questions compared.
std::size_t check_same_questions(const Policy& policy, const Facts& facts, const Decision& decision,
                                 const std::vector<std::int32_t>& skip, const QuestionLimits& limits) {
  const auto got = next_questions(policy, facts, decision, skip, limits);
  const auto want = testing::oracle::next_questions(policy, facts, decision, skip, limits);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& g = got[i];
    const auto& w = want[i];
    CHECK(g.fact == w.fact);
    CHECK(g.text == w.text);
    CHECK(g.settles == w.settles);
    CHECK(g.progress == w.progress);
    REQUIRE(g.answers.size() == w.answers.size());
    for (std::size_t a = 0; a < w.answers.size(); ++a) {
      CHECK(same_value(g.answers[a].value, w.answers[a].value));
      CHECK(g.answers[a].outcome == w.answers[a].outcome);
      CHECK(g.answers[a].authorities == w.answers[a].authorities);
    }
    check_same_witness(g.witness, w.witness);
    CHECK(question_to_json(policy, g).dump() == question_to_json(policy, w).dump());
  }
  return want.size();
}

// A variant of `facts` with each known fact forgotten with probability 1/`one_in`.
Facts forget_some(const Policy& policy, const Facts& facts, std::mt19937_64& rng, unsigned one_in) {
  Facts out = facts;
  for (std::size_t f = 0; f < out.values.size(); ++f)
    if (out.values[f].known && rng() % one_in == 0) out.values[f] = Value::unknown(policy.facts[f].type.kind);
  return out;
}

}  // namespace

TEST_CASE("next questions on the shared search: the same questions and witnesses as the path they replaced") {
  const auto& f = testing::builtin_fixture();
  const Policy& policy = *f.policy;
  QuestionLimits three;
  three.max_questions = 3;  // as explain() asks
  std::size_t requests = 0, questions = 0;
  auto compare = [&](const Facts& facts, const std::vector<std::int32_t>& skip = {}) {
    const auto decision = decide(policy, facts);
    if (decision.outcome != Outcome::undetermined) return;
    ++requests;
    questions += check_same_questions(policy, facts, decision, skip, {});
    questions += check_same_questions(policy, facts, decision, skip, three);
  };
  compare(unknown_facts(policy));
  std::mt19937_64 rng(6103);
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision&) {
    compare(facts);
    for (int k = 0; k < 4; ++k) compare(forget_some(policy, facts, rng, 2 + static_cast<unsigned>(k)));
  });
  CHECK(requests > 100);
  CHECK(questions > 500);
  MESSAGE("undetermined requests compared: " << requests << ", questions: " << questions);
}

TEST_CASE("next questions on the shared search: skips, other limits and a small witness budget") {
  const auto& f = testing::builtin_fixture();
  const Policy& policy = *f.policy;
  std::mt19937_64 rng(7);
  QuestionLimits tight;
  tight.max_set_answers = 5;      // another memo of the candidates than the default's
  tight.relevance.max_nodes = 4;  // the budget runs out in most searches
  std::size_t requests = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision&) {
    const auto variant = forget_some(policy, facts, rng, 2);
    const auto decision = decide(policy, variant);
    if (decision.outcome != Outcome::undetermined) return;
    ++requests;
    // Skip (as the interview does) a few of the unknown facts.
    std::vector<std::int32_t> skip;
    for (std::size_t slot = 0; slot < variant.values.size(); ++slot)
      if (!variant.values[slot].known && rng() % 4 == 0) skip.push_back(static_cast<std::int32_t>(slot));
    check_same_questions(policy, variant, decision, skip, {});
    check_same_questions(policy, variant, decision, {}, tight);
    check_same_questions(policy, variant, decision, skip, tight);
  });
  CHECK(requests > 20);
}

TEST_CASE("find_witness on the shared search: the same witness, proof and node count as the path it replaced") {
  const auto& f = testing::builtin_fixture();
  const Policy& policy = *f.policy;
  std::mt19937_64 rng(11);
  std::size_t searches = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision&) {
    const auto variant = forget_some(policy, facts, rng, 2);
    const auto decision = decide(policy, variant);
    for (int k = 0; k < 3; ++k) {
      const auto fact = static_cast<std::int32_t>(rng() % policy.facts.size());
      if (variant.values[static_cast<std::size_t>(fact)].known) continue;
      for (const Decision* decided : {static_cast<const Decision*>(nullptr), &decision}) {
        const auto got = find_witness(policy, variant, fact, {}, {}, decided);
        const auto want = testing::oracle::find_witness(policy, variant, fact, {}, {}, decided);
        REQUIRE(got.witness.has_value() == want.witness.has_value());
        if (want.witness) check_same_witness(*got.witness, *want.witness);
        CHECK(got.proved_irrelevant == want.proved_irrelevant);
        CHECK(got.nodes == want.nodes);
        ++searches;
      }
    }
  });
  CHECK(searches > 100);
}
