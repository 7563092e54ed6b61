// The next question decides one answer per class of the candidates the live
// tests cannot tell apart (FastSearch::answer_tests, live_tests): for a fact
// unknown in the baseline, two candidates whose tests against constants hold
// alike in every rule whose condition is unknown there (or that asks whether
// the fact is known) must give the same decide_changed(): the outcome, the
// authorities, every rule's condition and force and the count of unknown
// forces. Checked on every such pair, on § 6103, generated rule sets and a
// small set with enums, sets, definitions, `in` both ways and `is known`.
// The witness search skips the branch values (and answers) the live tests
// cannot tell apart from an earlier one, counting the nodes it would have
// visited: its questions and witnesses are the oracle's under any budget.
#include <doctest/doctest.h>

#include <random>

#include "bench/rulegen.hpp"
#include "engine/eval.hpp"
#include "engine/fast_search.hpp"
#include "engine/load.hpp"
#include "engine/questions.hpp"
#include "questions_oracle.hpp"
#include "random_facts.hpp"

using namespace proviso;

namespace {

struct Decided {
  Outcome outcome;
  std::vector<std::int32_t> authorities;
  std::vector<Tri> applies, in_force;
  std::size_t unknown_forces;
  bool operator==(const Decided&) const = default;
};

struct ClassCount {
  std::size_t alike = 0;      // pairs of candidates in one class, decided alike (as they must be)
  std::size_t told_apart = 0; // pairs in different classes decided differently (the live tests mattered)
  std::size_t classes_smaller = 0;  // facts with fewer classes than candidates
};

void check_classes(const Policy& policy, std::mt19937_64& rng, int requests, int unknown_percent, ClassCount& count) {
  constexpr std::size_t kMaxSet = 24;
  for (int i = 0; i < requests; ++i) {
    const Facts facts = proviso::testing::random_facts(policy, rng, unknown_percent);
    FastSearch search(policy, facts);
    if (i % 2) search.keep_baseline(decide(policy, facts));  // from the tracing decide(), as next_questions keeps it
    else search.keep_baseline();
    for (std::size_t f = 0; f < policy.facts.size(); ++f) {
      const auto slot = static_cast<std::int32_t>(f);
      if (facts.values[f].known) continue;  // asked only about unknown facts
      const auto& candidates = search.unknown_candidates(slot, kMaxSet);
      const auto& tests = search.answer_tests(slot, kMaxSet);
      if (tests.opaque) continue;
      REQUIRE(tests.truths.size() == candidates.size());
      const auto live = search.live_tests(tests);
      std::vector<Decided> decided;
      for (const auto& value : candidates) {
        search.set(slot, value);
        const auto outcome = search.decide_changed(slot);
        decided.push_back({outcome, search.authorities(), search.applies(), search.in_force(), search.unknown_forces()});
      }
      search.set(slot, facts.values[f]);
      std::vector<std::uint64_t> keys;
      for (std::size_t a = 0; a < candidates.size(); ++a) {
        const auto key = tests.truths[a] & live;
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        for (std::size_t b = 0; b < a; ++b) {
          const bool same_class = ((tests.truths[a] ^ tests.truths[b]) & live) == 0;
          if (same_class) {
            INFO("fact " << policy.facts[f].path << ", candidates " << a << " and " << b);
            REQUIRE(decided[a] == decided[b]);
            ++count.alike;
          } else if (!(decided[a] == decided[b])) {
            ++count.told_apart;
          }
        }
      }
      count.classes_smaller += keys.size() < candidates.size();
    }
  }
}

const char* kShapes = R"rules(
enum signer "who signed" { head_of_agency field_officer clerk deputy auditor }
enum item "an item" { name address income return_info notes }
fact p : bool "p"
fact n : integer "n"
fact who : signer "who"
fact whom : signer "whom"
fact third : signer "third"
fact items : set of item "items"
fact kept : set of item "kept"
definition senior "senior" cite "x(d1)" means who in {head_of_agency, deputy}
definition private "private" cite "x(d2)" means items intersects {income, return_info} or n > 3
rule general forbid cite "x(a)" when p or private
rule first permit cite "x(b)"
  exception to general
  when senior and not ({name} subset of items)
rule second permit cite "x(c)"
  exception to general
  when all of {
    clerk == whom                "e1"
    income in kept               "e2"
    kept superset of {name}      "e3"
  }
rule barred limit cite "x(e)"
  exception to first
  when who == deputy and whom is known
rule watched forbid cite "x(f)" when whom == who
rule open permit cite "x(g)" when items == {name} and not (kept intersects {notes})
rule noted forbid cite "x(h)" when third is known and third == auditor
)rules";

}  // namespace

TEST_CASE("answers the live tests cannot tell apart are decided alike") {
  std::mt19937_64 rng(29);
  ClassCount count;
  auto builtin = load_builtin_rule_set();
  REQUIRE(builtin.policy);
  for (int unknown_percent : {10, 40, 80}) check_classes(*builtin.policy, rng, 40, unknown_percent, count);
  for (int size : {10, 300}) {
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    REQUIRE(generated.policy);
    check_classes(*generated.policy, rng, 20, 30, count);
  }
  auto shapes = load_rule_set_from_texts({{"shapes.proviso", kShapes}}, "shapes");
  INFO(render_all(shapes.diagnostics, shapes.sources));
  REQUIRE(shapes.policy);
  check_classes(*shapes.policy, rng, 200, 50, count);
  // The classes merge candidates often, and candidates they keep apart are often decided differently.
  CHECK(count.alike > 1000);
  CHECK(count.told_apart > 1000);
  CHECK(count.classes_smaller > 100);
}

TEST_CASE("a fact read other than against constants has no classes") {
  auto loaded = load_rule_set_from_texts({{"opaque.proviso", R"rules(
enum signer "who signed" { head_of_agency field_officer clerk }
fact who : signer "who"
fact whom : signer "whom"
fact n : integer "n"
fact m : integer "m"
rule same forbid cite "x(a)" when who == whom
rule sum permit cite "x(b)" when n + 1 > 3
rule plain permit cite "x(c)" when m > 3
)rules"}},
                                         "opaque");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  const auto& policy = *loaded.policy;
  Facts facts;
  for (const auto& f : policy.facts) facts.values.push_back(Value::unknown(f.type.kind));
  FastSearch search(policy, facts);
  auto slot = [&](std::string_view path) {
    for (std::size_t f = 0; f < policy.facts.size(); ++f)
      if (policy.facts[f].path == path) return static_cast<std::int32_t>(f);
    FAIL("no fact " << path);
    return -1;
  };
  CHECK(search.answer_tests(slot("who"), 24).opaque);  // compared with another fact
  CHECK(search.answer_tests(slot("n"), 24).opaque);    // an operand of arithmetic
  const auto& m = search.answer_tests(slot("m"), 24);
  REQUIRE_FALSE(m.opaque);
  REQUIRE(m.readers.size() == 1);
  CHECK(m.truths.size() == search.unknown_candidates(slot("m"), 24).size());
}

TEST_CASE("witness searches that skip values the live tests cannot tell apart find the oracle's witnesses under any budget") {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  const Policy& policy = *loaded.policy;
  std::mt19937_64 rng(41);
  std::size_t requests = 0, questions = 0, completed = 0;
  for (int i = 0; i < 400 && requests < 60; ++i) {
    const Facts facts = proviso::testing::random_facts(policy, rng, 35 + static_cast<int>(rng() % 30));
    const auto decision = decide(policy, facts);
    if (decision.outcome != Outcome::undetermined) continue;
    ++requests;
    for (std::size_t budget : {1, 3, 6, 12, 25, 60, 150}) {
      QuestionLimits limits;
      limits.max_questions = 4;
      limits.relevance.max_nodes = budget;
      const auto got = next_questions(policy, facts, decision, {}, limits);
      const auto want = proviso::testing::oracle::next_questions(policy, facts, decision, {}, limits);
      INFO("request " << i << ", budget " << budget);
      REQUIRE(got.size() == want.size());
      for (std::size_t q = 0; q < want.size(); ++q) {
        CHECK(question_to_json(policy, got[q]).dump() == question_to_json(policy, want[q]).dump());
        completed += !want[q].witness.completion.empty();
        ++questions;
      }
    }
  }
  CHECK(requests >= 30);
  CHECK(questions > 300);
  CHECK(completed > 20);  // witnesses found below the root: the branch values were searched
}
