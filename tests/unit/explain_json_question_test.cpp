// The next questions' JSON text (write_question_json) and a fact's value
// (write_value_json), written straight into the explanation's sink, against
// nlohmann's dump() of question_to_json and value_to_json: on every
// undetermined § 6103 scenario, on thousands of random requests, on copies of
// the rules with awkward names (and one whose fragments are not ready), and on
// questions made by hand with string, number, date, enum and set values.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "builtin_fixture.hpp"
#include "engine/explain.hpp"
#include "engine/explain_json_question.hpp"
#include "engine/json_text.hpp"
#include "random_facts.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

std::string question_text(const Policy& policy, const Question& q) {
  std::string out;
  JsonSink sink(out);
  write_question_json(sink, policy, explain_texts(policy), q);
  sink.finish();
  return out;
}

std::string value_text(const Policy& policy, bool with_names, const Value& value, Type type) {
  std::string out;
  JsonSink sink(out);
  write_value_json(sink, policy, with_names ? &explain_texts(policy).enum_value_json : nullptr, value, type);
  sink.finish();
  return out;
}

QuestionLimits three_questions() {
  QuestionLimits limits;
  limits.max_questions = 3;  // as explain() asks
  return limits;
}

// Every question of the request against the tree form; how many there were.
std::size_t check_questions(const Policy& policy, const Facts& facts) {
  const auto decision = decide(policy, facts);
  if (decision.outcome != Outcome::undetermined) return 0;
  const auto questions = next_questions(policy, facts, decision, {}, three_questions());
  for (const auto& q : questions) REQUIRE(question_text(policy, q) == question_to_json(policy, q).dump());
  return questions.size();
}

std::string awkward(std::mt19937_64& rng) {
  static const char* const pieces[] = {"plain", " ", "\"", "\\", "/", "\n", "\t", "\b", "\f", "\x01", "\x1f", "\x7f",
                                       "é", "§", "—", "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", "{\"k\":[1]}", "null", ","};
  std::string out;
  const auto n = rng() % 4;
  for (std::size_t i = 0; i < n; ++i) out += pieces[rng() % std::size(pieces)];
  if (rng() % 8 == 0) out += std::string(1, '\0');
  return out;
}

// A copy of the rules whose rule ids, fact paths (some equal) and enum names
// are awkward: what a question shows, none of what decide() reads.
Policy awkward_names(const Policy& base, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Policy p = base;
  for (auto& rule : p.rules) rule.id = awkward(rng) + "#" + std::to_string(&rule - p.rules.data());
  for (auto& f : p.facts) f.path = rng() % 4 ? awkward(rng) + "." + std::to_string(&f - p.facts.data()) : awkward(rng);
  for (auto& e : p.enums)
    for (auto& v : e.values) v = awkward(rng);
  return p;
}

}  // namespace

TEST_CASE("the next questions' JSON text is question_to_json's dump() on every undetermined scenario and random requests") {
  const auto& policy = *testing::builtin_fixture().policy;
  std::size_t questions = 0, requests = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision&) {
    questions += check_questions(policy, facts);
  });
  CHECK(questions > 10);
  std::mt19937_64 rng(9);
  for (int unknown : {10, 40, 80})
    for (int i = 0; i < 1000; ++i) {
      INFO("unknown " << unknown << "% request " << i);
      const auto n = check_questions(policy, testing::random_facts(policy, rng, unknown));
      questions += n;
      requests += n > 0;
    }
  CHECK(requests > 500);
  CHECK(questions > 1500);
}

TEST_CASE("questions under awkward rule ids, fact paths and enum names, with and without the policy's fragments") {
  const auto& builtin = *testing::builtin_fixture().policy;
  for (std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    Policy policy = awkward_names(builtin, seed);
    if (seed == 3) policy.rules[0].title = "cut \xE2\x82";  // not UTF-8: no fragments, every name escaped as it goes
    REQUIRE(explain_texts(policy).json_ready == (seed != 3));
    std::mt19937_64 rng(seed);
    std::size_t questions = 0, completions = 0;
    for (int i = 0; i < 400; ++i) {
      const auto facts = testing::random_facts(policy, rng, 40);
      const auto decision = decide(policy, facts);
      if (decision.outcome != Outcome::undetermined) continue;
      for (const auto& q : next_questions(policy, facts, decision, {}, three_questions())) {
        REQUIRE(question_text(policy, q) == question_to_json(policy, q).dump());
        ++questions;
        completions += q.witness.completion.size();
      }
    }
    CHECK(questions > 100);
    CHECK(completions > 10);
  }
}

TEST_CASE("a question's values of every type, awkward strings and settles, written as dump() writes them") {
  const char* rules = R"rules(
enum colour "a colour" {
  red "red"
  green "green"
  blue "blue"
}
fact request.office : string "the office that asks"
fact request.amount : decimal "the amount asked for"
fact request.count : integer "how many"
fact request.date : date "the date of the request"
fact request.colour : colour "its colour"
fact request.colours : set of colour "its colours"
fact request.signed : bool "it is signed"

rule general_rule forbid
  cite "(a)"

rule office permit
  cite "(x)"
  exception to general_rule
  when all of {
    request.office == "hq" "headquarters asks"
    request.amount <= 1000.5 "the amount is at most 1000.50"
    request.count > 2 "more than two"
    request.date < 2020-01-01 "the request is from before 2020"
    request.colour == red "it is red"
    green in request.colours "green among them"
    request.signed "it is signed"
  }
)rules";
  auto loaded = load_rule_set_from_texts({{"r.proviso", rules}}, "test");
  REQUIRE(loaded.policy);
  Policy policy = *loaded.policy;
  policy.enums[0].values = {"r\"e\\d", "gr\xC3\xA9" "en\n", ""};  // enum names needing escapes
  const auto fact = [&](const char* path) { return policy.fact_index.at(path); };
  const auto type = [&](const char* path) { return policy.facts[fact(path)].type; };

  std::mt19937_64 rng(5);
  const auto some_value = [&](Type t) {
    Value v;
    v.kind = t.kind;
    v.known = rng() % 6 != 0;
    switch (t.kind) {
      case TypeKind::boolean: v.integer = static_cast<std::int64_t>(rng() % 2); break;
      case TypeKind::integer: v.integer = static_cast<std::int64_t>(rng()) >> (rng() % 64); break;
      case TypeKind::decimal: v.decimal = static_cast<std::int64_t>(rng() % 4'000'000'000) - 2'000'000'000; break;
      case TypeKind::date: v.integer = static_cast<std::int64_t>(rng() % 40'000) - 5'000; break;
      case TypeKind::string: v.text = awkward(rng); break;
      case TypeKind::enumeration: v.integer = static_cast<std::int64_t>(rng() % 3); break;
      case TypeKind::set: v.bits = rng() & 7; break;
      default: break;
    }
    return v;
  };
  const char* paths[] = {"request.office", "request.amount", "request.count", "request.date",
                         "request.colour", "request.colours", "request.signed"};
  for (bool with_names : {true, false})
    for (int i = 0; i < 2000; ++i) {
      const auto path = paths[rng() % std::size(paths)];
      const auto v = some_value(type(path));
      REQUIRE(value_text(policy, with_names, v, type(path)) == value_to_json(policy, v, type(path)).dump());
    }
  // A duration (no fact has one) and a set whose bits go past its enum's values.
  Value duration;
  duration.kind = TypeKind::duration;
  duration.known = true;
  duration.integer = -42;
  CHECK(value_text(policy, true, duration, {TypeKind::duration, -1}) == "-42");
  Value wide;
  wide.kind = TypeKind::set;
  wide.known = true;
  wide.bits = 0xff;
  CHECK(value_text(policy, true, wide, type("request.colours")) == value_to_json(policy, wide, type("request.colours")).dump());

  // Questions made by hand: each fact asked, answers of its type, a witness
  // with a completion of the others (two with the same path), settles of every kind.
  policy.facts[fact("request.count")].path = "request.amount";  // a json object keeps the last value given
  const double settles[] = {0.0, 1.0, 0.5, 1.0 / 3, 0.7058823529411765, 1e-7, 2.5e20};
  std::size_t checked = 0;
  for (const auto* asked : paths)
    for (int i = 0; i < 50; ++i) {
      Question q;
      q.fact = fact(asked);
      q.text = "Is " + awkward(rng) + "?";
      q.settles = settles[rng() % std::size(settles)];
      for (int a = 0, n = static_cast<int>(rng() % 5); a < n; ++a) {
        AnswerOutcome answer;
        answer.value = some_value(type(asked));
        answer.value.known = true;
        answer.outcome = static_cast<Outcome>(rng() % 5);
        for (int r = 0, m = static_cast<int>(rng() % 3); r < m; ++r) answer.authorities.push_back(static_cast<std::int32_t>(rng() % policy.rules.size()));
        q.answers.push_back(answer);
      }
      q.witness.fact = q.fact;
      q.witness.answer = some_value(type(asked));
      q.witness.answer.known = true;
      q.witness.other = some_value(type(asked));  // sometimes unknown: null
      q.witness.answer_outcome = static_cast<Outcome>(rng() % 5);
      q.witness.other_outcome = static_cast<Outcome>(rng() % 5);
      for (const auto* other : paths)
        if (other != asked && rng() % 2) q.witness.completion.push_back({fact(other), some_value(type(other))});
      for (bool ready : {true, false}) {
        Policy copy = policy;
        if (!ready) copy.rules[0].title = "\xff";
        REQUIRE(explain_texts(copy).json_ready == ready);
        REQUIRE(question_text(copy, q) == question_to_json(copy, q).dump());
      }
      ++checked;
    }
  CHECK(checked == 350);
  // A string that is not UTF-8: refused, as dump() refuses it.
  Question bad;
  bad.fact = fact("request.office");
  bad.text = "Which office?";
  bad.witness.answer.known = true;
  bad.witness.answer.kind = TypeKind::string;
  bad.witness.answer.text = "\xC0\xAF";
  CHECK_THROWS_AS((void)question_text(policy, bad), NotUtf8);
  CHECK_THROWS_AS((void)question_to_json(policy, bad).dump(), json::type_error);
}
