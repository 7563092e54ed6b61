// decide() runs the policy's flat program (engine/eval_program.hpp); the
// recursive walk it replaced stays as decide_by_walk(), the oracle here. The
// whole Decision must be the same (outcome, authorities, conflicts, unknown
// facts, every rule's force and defeaters, every condition's trace, the
// interpretations relied on), and so must the smallest step budget that
// decides: on every § 6103 scenario and example, on random requests over the
// built-in, toy and generated rule sets, and on small rule sets with
// definitions used twice, arithmetic, decimals, dates, strings, sets and
// interpretations. The program compares a fact with a constant in one step
// (a range or bit test on the fact's value): every kind of such comparison,
// either way round, is a phrased condition of kFused, so its trace is checked.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include "bench/rulegen.hpp"
#include "builtin_fixture.hpp"
#include "engine/eval.hpp"
#include "engine/eval_program.hpp"
#include "engine/fact_domain.hpp"
#include "engine/load.hpp"
#include "random_facts.hpp"

using namespace proviso;

namespace {

// The first difference between two decisions, or "" when they are the same.
std::string difference(const Policy& policy, const Decision& got, const Decision& expected) {
  if (got.outcome != expected.outcome) return "outcome " + std::string(outcome_name(got.outcome)) + " instead of " + std::string(outcome_name(expected.outcome));
  if (got.authorities != expected.authorities) return "authorities";
  if (got.conflicts != expected.conflicts) return "conflicts";
  if (got.unknown_facts != expected.unknown_facts) return "unknown facts";
  if (got.rules.size() != expected.rules.size()) return "number of rules";
  for (std::size_t r = 0; r < got.rules.size(); ++r) {
    const auto &a = got.rules[r], &b = expected.rules[r];
    if (a.applies != b.applies || a.in_force != b.in_force || a.defeated_by != b.defeated_by || a.maybe_defeated_by != b.maybe_defeated_by)
      return "rule " + policy.rules[r].id;
  }
  if (got.conditions.size() != expected.conditions.size()) return "number of conditions";
  for (std::size_t c = 0; c < got.conditions.size(); ++c)
    if (got.conditions[c] != expected.conditions[c])
      return "condition " + std::to_string(c) + " (" + policy.conditions[c].phrase + "): " + std::string(tri_name(got.conditions[c])) +
             " instead of " + std::string(tri_name(expected.conditions[c]));
  if (got.interpretations.size() != expected.interpretations.size()) return "number of interpretations";
  for (std::size_t u = 0; u < got.interpretations.size(); ++u) {
    const auto &a = got.interpretations[u], &b = expected.interpretations[u];
    if (a.index != b.index || a.value != b.value || a.from_request != b.from_request || a.relied_on != b.relied_on ||
        a.other_outcome != b.other_outcome || a.other_authorities != b.other_authorities)
      return "interpretation " + policy.interpretations[b.index].name;
  }
  if (got.diagnostics.size() != expected.diagnostics.size()) return "diagnostics";
  for (std::size_t d = 0; d < got.diagnostics.size(); ++d)
    if (got.diagnostics[d].code != expected.diagnostics[d].code || got.diagnostics[d].message != expected.diagnostics[d].message)
      return "diagnostic " + got.diagnostics[d].code;
  return "";
}

struct Agreement {
  std::shared_ptr<const Policy> policy;
  std::size_t decisions = 0, unknown_facts = 0, uses = 0, relied_on = 0, traced = 0;
  std::map<Outcome, int> outcomes;
  std::vector<std::string> failures;

  explicit Agreement(std::shared_ptr<const Policy> p) : policy(std::move(p)) {}

  void check(const Facts& facts) {
    const Decision expected = decide_by_walk(*policy, facts);
    const Decision got = decide(*policy, facts);
    ++decisions;
    ++outcomes[expected.outcome];
    unknown_facts += expected.unknown_facts.size();
    uses += expected.interpretations.size();
    for (const auto& use : expected.interpretations) relied_on += use.relied_on;
    for (auto c : expected.conditions) traced += c != Tri::unknown;
    const auto what = difference(*policy, got, expected);
    if (!what.empty() && failures.size() < 5) failures.push_back("decision " + std::to_string(decisions) + ": " + what);
  }

  void report() const {
    std::string listed;
    for (const auto& f : failures) listed += "\n  " + f;
    INFO("decisions: " << decisions << listed);
    CHECK(failures.empty());
  }
};

using proviso::testing::random_facts;

std::shared_ptr<const Policy> load(const std::string& rules) {
  auto loaded = load_rule_set_from_texts(
      {{"proviso.yaml", "name: t\nversion: 1.0.0\njurisdiction: test\ntitle: t\ngeneral_rule: general\n"}, {"rules.proviso", rules}}, "t");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  return loaded.policy;
}

// Definitions used twice and by one another, arithmetic on integers, decimals
// and dates, strings, sets, `is known`, two interpretations, a limit, and a
// phrased condition no rule reaches (the unused definition's).
const char* kMixed = R"rules(
enum signer "who signed" { head_of_agency field_officer clerk }
enum item "an item" { name address income return_info }
fact a : decimal "a"
fact b : decimal "b"
fact n : integer "n"
fact m : integer "m"
fact p : bool "p"
fact q : bool "q"
fact d1 : date "d1"
fact d2 : date "d2"
fact who : signer "who"
fact items : set of item "items"
fact label : string "label"
interpretation lenient "the lenient reading" cite "x(i)" default false
interpretation strict "the strict reading" cite "x(j)" default true
definition small "a small sum" cite "x(d1)" means a + b <= 0.3
definition recent "recent" cite "x(d2)" means d2 <= d1 + 30 days and d2 - d1 > -5
definition eligible "eligible" cite "x(d3)" means (small or recent) and (p or lenient)
definition doubly "doubly eligible" cite "x(d4)" means eligible and (eligible or q) and not strict
definition unused "never used" cite "x(d5)" means n > 100 and q
rule general forbid cite "x(a)" when p or q or n > 0
rule first permit cite "x(b)"
  exception to general
  when eligible and who in {head_of_agency, clerk}
rule second permit cite "x(c)"
  exception to general
  when all of {
    doubly                          "doubly eligible"
    items subset of {name, address} "only identity"
    n + m >= 3                      "enough"
  }
rule barred limit cite "x(e)"
  exception to first
  when strict and -a > 0.5 and label == "secret"
rule income forbid cite "x(f)" when income in items and d1 + 1 month > 2024-02-01 and who is known
rule close permit cite "x(g)" when m - n < 2 and not (items intersects {income, return_info})
)rules";

// Every comparison of a fact with a constant the program fuses into one step,
// the constant on either side: booleans, integers (at the ends of the range),
// enum values, `in` both ways, set inclusion, intersection and equality, and
// dates; beside them the ones it leaves to the general comparison (decimals,
// strings, two facts, arithmetic) and the nodes read as Values (an
// interpretation, a fused comparison and a definition compared with `==`);
// f3 reads an interpretation through two operands of one `any of`, so the
// other reading may change the second and not the first.
const char* kFused = R"rules(
enum signer "who signed" { head_of_agency field_officer clerk }
enum item "an item" { name address income return_info }
fact flag : bool "flag"
fact other : bool "other"
fact n : integer "n"
fact m : integer "m"
fact a : decimal "a"
fact d1 : date "d1"
fact d2 : date "d2"
fact who : signer "who"
fact whom : signer "whom"
fact items : set of item "items"
fact kept : set of item "kept"
fact label : string "label"
interpretation lenient "the lenient reading" cite "x(i)" default false
interpretation strict "the strict reading" cite "x(j)" default true
definition big "big" cite "x(d1)" means n >= 10 and 3 < m
rule general forbid cite "x(a)" when any of {
  flag == true                      "b1"
  false == other                    "b2"
  n == 3                            "i1"
  n < 3                             "i2"
  3 <= n                            "i3"
  n > 9223372036854775806           "i4"
  9223372036854775807 <= m          "i5"
  m < 0                             "i6"
  0 > n                             "i7"
}
rule p1 permit cite "x(b)"
  exception to general
  when all of {
    who == head_of_agency           "e1"
    clerk == whom                   "e2"
    who in {head_of_agency, clerk}  "e3"
    who not in {field_officer}      "e4"
    income in items                 "e5"
    not (address in kept)           "e6"
  }
rule p2 permit cite "x(c)"
  exception to general
  when any of {
    items subset of {name, address}           "s1"
    {name} subset of items                    "s2"
    items superset of {name}                  "s3"
    {name, address, income} superset of kept  "s4"
    items intersects {income, return_info}    "s5"
    {name} intersects kept                    "s6"
    items == {name}                           "s7"
    {address} == kept                         "s8"
    items == kept                             "s9"
    who == whom                               "s10"
  }
rule p3 permit cite "x(d)"
  exception to general
  when all of {
    d1 <= 2024-01-31                "t1"
    2024-01-31 < d2                 "t2"
    d1 == d2                        "t3"
    d1 + 1 day > d2                 "t4"
    d2 - d1 > 0                     "t10"
    a > 0.5                         "t5"
    1 >= a                          "t6"
    n > 2.5                         "t7"
    label == "secret"               "t8"
    "public" == label               "t9"
  }
rule l1 limit cite "x(e)"
  exception to p1
  when any of {
    lenient == flag                 "v1"
    (n > 3) == other                "v2"
    big == strict                   "v3"
    lenient                         "v4"
  }
rule f2 forbid cite "x(f)" when all of {
  who is known                      "k1"
  big                               "k2"
  not strict                        "k3"
}
rule f3 forbid cite "x(g)" when any of {
  lenient and flag                  "w1"
  lenient and other                 "w2"
}
)rules";

}  // namespace

TEST_CASE("the program decides every § 6103 scenario and example as the walk does") {
  const auto& fixture = testing::builtin_fixture();
  Agreement agreement(fixture.policy);
  for (const auto& scenario : fixture.scenarios) {
    auto bound = bind_request(*fixture.policy, scenario.request, scenario.name);
    if (bound.facts) agreement.check(*bound.facts);
  }
  const auto examples = std::filesystem::path(PROVISO_SOURCE_DIR) / "examples";
  std::size_t example_requests = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    const auto ext = entry.path().extension();
    if (ext != ".json" && ext != ".yaml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto bound = parse_request(*fixture.policy, text.str(), entry.path().filename().string());
    REQUIRE(bound.facts);
    agreement.check(*bound.facts);
    ++example_requests;
  }
  agreement.report();
  CHECK(example_requests >= 7);
  CHECK(agreement.decisions > 20);
  CHECK(agreement.traced > 0);
}

TEST_CASE("the program decides random § 6103 requests as the walk does, unknowns and interpretations included") {
  const auto& fixture = testing::builtin_fixture();
  Agreement agreement(fixture.policy);
  std::mt19937_64 rng(6105);
  for (int unknown_percent : {0, 20, 60, 95})
    for (int i = 0; i < 600; ++i) agreement.check(random_facts(*fixture.policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.outcomes[Outcome::permitted] > 0);
  CHECK(agreement.outcomes[Outcome::denied] > 0);
  CHECK(agreement.outcomes[Outcome::undetermined] > 100);
  CHECK(agreement.unknown_facts > 500);
  CHECK(agreement.uses > 300);
  CHECK(agreement.relied_on > 30);
}

TEST_CASE("the program decides as the walk does with definitions used twice, arithmetic, decimals, dates and strings") {
  auto policy = load(kMixed);
  Agreement agreement(policy);
  std::mt19937_64 rng(17);
  for (int unknown_percent : {0, 10, 30, 70})
    for (int i = 0; i < 1000; ++i) agreement.check(random_facts(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.outcomes.size() >= 3);
  CHECK(agreement.outcomes[Outcome::undetermined] > 100);
  CHECK(agreement.unknown_facts > 500);
  CHECK(agreement.relied_on > 50);
  // Values past the domains: overflowing sums, far dates, other strings.
  std::vector<Value> extremes;
  for (std::int64_t v : {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), std::int64_t{0}}) {
    Value i = Value::unknown(TypeKind::integer);
    i.known = true;
    i.integer = v;
    extremes.push_back(i);
  }
  for (int i = 0; i < 400; ++i) {
    Facts facts = random_facts(*policy, rng, 10);
    for (const char* path : {"n", "m"})
      if (rng() % 2) facts.values[policy->fact_index.at(path)] = extremes[rng() % extremes.size()];
    for (const char* path : {"a", "b"}) {
      auto& v = facts.values[policy->fact_index.at(path)];
      if (rng() % 2 && v.known) v.decimal = rng() % 2 ? std::numeric_limits<std::int64_t>::max() - 5 : std::numeric_limits<std::int64_t>::min() + 5;
    }
    auto& day = facts.values[policy->fact_index.at("d1")];
    if (rng() % 3 == 0 && day.known) day.integer = *parse_date("9999-12-20");
    agreement.check(facts);
  }
  agreement.report();
}

TEST_CASE("the program decides the toy, the generated rule sets and a chain of definitions as the walk does") {
  auto toy = load_rule_set(std::string(PROVISO_SOURCE_DIR) + "/bench/toy");
  REQUIRE(toy.policy);
  Agreement on_toy(toy.policy);
  std::mt19937_64 rng(8);
  for (int i = 0; i < 1000; ++i) on_toy.check(random_facts(*toy.policy, rng, i % 2 ? 0 : 30));
  on_toy.report();

  for (int size : {10, 300}) {
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    REQUIRE(generated.policy);
    Agreement agreement(generated.policy);
    for (int i = 0; i < 600; ++i) {
      auto bound = bind_request(*generated.policy, rulegen::request(rng, i % 3 == 0), "request");
      REQUIRE(bound.facts);
      agreement.check(*bound.facts);
    }
    for (int i = 0; i < 300; ++i) agreement.check(random_facts(*generated.policy, rng, 40));
    agreement.report();
    CHECK(agreement.outcomes.size() >= 2);
  }

  std::string chain = "fact a : bool \"a\"\nfact b : bool \"b\"\ninterpretation wide \"wide\" cite \"x(w)\" default false\n";
  chain += "definition d0 \"level 0\" cite \"x(0)\" means a and (b or wide)\n";
  for (int i = 1; i <= 12; ++i) {
    auto below = "d" + std::to_string(i - 1);
    chain += "definition d" + std::to_string(i) + " \"level " + std::to_string(i) + "\" cite \"x(" + std::to_string(i) + ")\" means " + below +
             " and (" + below + " or b)\n";
  }
  chain += "rule general forbid cite \"x(a)\" when d12\nrule other permit cite \"x(b)\" exception to general when d3 or not d7\n";
  auto policy = load(chain);
  Agreement on_chain(policy);
  for (int i = 0; i < 200; ++i) on_chain.check(random_facts(*policy, rng, 40));
  on_chain.report();
  CHECK(on_chain.unknown_facts > 0);
}

TEST_CASE("the smallest step budget that decides is the walk's, the unknowns search included") {
  const auto& fixture = testing::builtin_fixture();
  auto mixed = load(kMixed);
  std::mt19937_64 rng(509);
  std::size_t undetermined = 0;
  for (int i = 0; i < 24; ++i) {
    const auto& policy = i % 2 ? *fixture.policy : *mixed;
    const Facts facts = random_facts(policy, rng, i % 3 ? 30 : 0);
    auto stops = [&](auto&& decide_with, std::uint64_t steps) { return has_errors(decide_with(policy, facts, EvalLimits{steps}).diagnostics); };
    auto walk = [](const Policy& p, const Facts& f, const EvalLimits& l) { return decide_by_walk(p, f, l); };
    auto program = [](const Policy& p, const Facts& f, const EvalLimits& l) { return decide(p, f, l); };
    std::uint64_t low = 1, high = 1000000;  // high decides, low does not
    REQUIRE(!stops(walk, high));
    REQUIRE(stops(walk, low));
    while (high - low > 1) {
      const auto mid = (low + high) / 2;
      (stops(walk, mid) ? low : high) = mid;
    }
    INFO("request " << i << ": the walk decides from " << high << " steps");
    CHECK_FALSE(stops(program, high));
    CHECK(stops(program, high - 1));
    const auto past = decide(policy, facts, EvalLimits{high - 1});
    CHECK(difference(policy, past, decide_by_walk(policy, facts, EvalLimits{high - 1})).empty());
    undetermined += decide(policy, facts).outcome == Outcome::undetermined;
  }
  CHECK(undetermined >= 4);  // budgets that the unknowns search decides
}

TEST_CASE("a comparison of a fact with a constant is one step, and decides as the walk does on every type") {
  auto policy = load(kFused);
  const auto& program = tracing::tracing_program(*policy);
  // Fused comparisons leave their fact and constant nodes out of the pass.
  CHECK(program.steps() + 2 * 20 <= program.size());
  const auto& builtin = tracing::tracing_program(*testing::builtin_fixture().policy);
  CHECK(builtin.steps() + 2 * 200 <= builtin.size());

  Agreement agreement(policy);
  std::mt19937_64 rng(2025);
  for (int unknown_percent : {0, 15, 40, 80})
    for (int i = 0; i < 1000; ++i) agreement.check(random_facts(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.outcomes.size() >= 3);
  CHECK(agreement.relied_on > 50);
  CHECK(agreement.unknown_facts > 500);
  // Every phrased condition is seen true and false somewhere.
  std::vector<std::uint8_t> seen(policy->conditions.size(), 0);
  for (int i = 0; i < 2000; ++i) {
    const auto d = decide(*policy, random_facts(*policy, rng, 10));
    for (std::size_t c = 0; c < d.conditions.size(); ++c) seen[c] |= d.conditions[c] == Tri::true_ ? 1 : d.conditions[c] == Tri::false_ ? 2 : 0;
  }
  for (std::size_t c = 0; c < seen.size(); ++c) {
    if (policy->conditions[c].phrase.empty()) continue;
    INFO("condition " << policy->conditions[c].phrase);
    CHECK(seen[c] == 3);
  }

  // The ends of the integer range, enum values past the enum, sets with bits
  // past its values, and unknown values of every type.
  const auto slot = [&](const char* path) { return policy->fact_index.at(path); };
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min(), kMax = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 1000; ++i) {
    Facts facts = random_facts(*policy, rng, 20);
    for (const char* path : {"n", "m"}) {
      auto& v = facts.values[slot(path)];
      const std::int64_t ends[] = {kMin, kMin + 1, -1, 0, 3, 4, kMax - 1, kMax};
      if (rng() % 2) v.integer = ends[rng() % 8], v.known = rng() % 5 != 0;
    }
    for (const char* path : {"who", "whom"}) {
      auto& v = facts.values[slot(path)];
      if (rng() % 4 == 0) v.integer = 3 + static_cast<std::int64_t>(rng() % 61), v.known = true;  // the walk shifts by it: below 64
    }
    for (const char* path : {"items", "kept"}) {
      auto& v = facts.values[slot(path)];
      if (rng() % 4 == 0) v.bits = rng(), v.known = true;
    }
    agreement.check(facts);
  }
  agreement.report();
}

TEST_CASE("the other readings decide as the walk's when an interpretation has hundreds of readers") {
  // Each rule reads `wide` through several steps (a `not`, an `or`, a
  // comparison read as a Value, a definition), so the re-runs of `wide` span
  // several 64-bit words of pending marks, and a change in the first word
  // reaches readers in the last; `narrow` is analysed after `wide`, so it
  // sees the truths `wide`'s re-runs put back.
  std::string rules = "interpretation wide \"wide\" cite \"x(w)\" default false\n";
  rules += "interpretation narrow \"narrow\" cite \"x(n)\" default true\n";
  for (int f = 0; f < 20; ++f) rules += "fact f" + std::to_string(f) + " : bool \"f" + std::to_string(f) + "\"\n";
  rules += "definition base \"base\" cite \"x(d)\" means (wide or f0) and not narrow\n";
  rules += "rule general forbid cite \"x(a)\" when f0 or f1\n";
  const auto fact = [](int i) { return "f" + std::to_string(i % 20); };
  for (int i = 1; i <= 60; ++i) {
    const auto n = std::to_string(i);
    rules += "rule p" + n + " permit cite \"x(p" + n + ")\"\n  exception to general\n  when all of {\n";
    rules += "    (wide and " + fact(i) + ") or not (narrow or " + fact(i + 3) + ")  \"c" + n + "a\"\n";
    rules += "    (wide == " + fact(i + 7) + ") or base  \"c" + n + "b\"\n  }\n";
    if (i % 4 == 0) rules += "rule l" + n + " limit cite \"x(l" + n + ")\" exception to p" + n + " when wide and " + fact(i + 11) + "\n";
  }
  auto policy = load(rules);
  std::size_t most = 0;
  for (std::size_t i = 0; i < policy->interpretations.size(); ++i)
    most = std::max(most, tracing::tracing_program(*policy).readers_of(static_cast<std::int32_t>(i)));
  CHECK(most > 3 * 64);

  Agreement agreement(policy);
  std::mt19937_64 rng(641);
  for (int unknown_percent : {0, 10, 40})
    for (int i = 0; i < 1500; ++i) agreement.check(random_facts(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.outcomes.size() >= 3);
  CHECK(agreement.uses > 1000);
  CHECK(agreement.relied_on > 200);
}

TEST_CASE("a node that computes what an earlier one does shares its step, and the trace still shows each condition") {
  // `n > 3` six times (phrased and not), `who == clerk` twice, one `all of`
  // twice over the same operands; a limit that is an exception to two permits.
  auto policy = load(R"rules(
enum signer "who signed" { head_of_agency field_officer clerk }
fact n : integer "n"
fact flag : bool "flag"
fact who : signer "who"
interpretation wide "the wide reading" cite "x(i)" default false
definition big "big" cite "x(d)" means n > 3 and flag
rule general forbid cite "x(a)" when n > 3 and flag
rule p1 permit cite "x(b)"
  exception to general
  when all of {
    n > 3             "big n"
    who == clerk      "a clerk"
    wide              "wide"
  }
rule p2 permit cite "x(c)"
  exception to general
  when all of {
    n > 3             "big n again"
    who == clerk      "a clerk again"
    wide or flag      "wide or flagged"
  }
rule p3 permit cite "x(e)" exception to general when big or wide
rule l1 limit cite "x(f)" exception to p1, p3 when n > 3 and flag and not wide
)rules");
  const auto& program = tracing::tracing_program(*policy);
  // 23 steps if each node had its own; one for each distinct computation.
  CHECK(program.steps() <= 12);
  Agreement agreement(policy);
  std::mt19937_64 rng(77);
  for (int unknown_percent : {0, 20, 50})
    for (int i = 0; i < 1000; ++i) agreement.check(random_facts(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.outcomes.size() >= 3);
  CHECK(agreement.relied_on > 100);
  std::vector<std::uint8_t> seen(policy->conditions.size(), 0);
  for (int i = 0; i < 500; ++i) {
    const auto d = decide(*policy, random_facts(*policy, rng, 10));
    for (std::size_t c = 0; c < d.conditions.size(); ++c) seen[c] |= d.conditions[c] == Tri::true_ ? 1 : d.conditions[c] == Tri::false_ ? 2 : 0;
  }
  for (std::size_t c = 0; c < seen.size(); ++c) {
    INFO("condition " << c << " " << policy->conditions[c].phrase);
    CHECK(seen[c] == 3);
  }
}
