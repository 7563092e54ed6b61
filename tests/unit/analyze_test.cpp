// The analyzer: a seeded rule set holds one of each finding; each is
// reported, and each witness, evaluated, shows the problem. The shipped
// § 6103 set has no findings.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "engine/analyze.hpp"
#include "engine/eval.hpp"
#include "engine/facts.hpp"
#include "engine/load.hpp"

using namespace proviso;

namespace {

std::shared_ptr<const Policy> load(const std::string& path) {
  auto loaded = load_rule_set(std::string(PROVISO_SOURCE_DIR) + "/" + path);
  REQUIRE(loaded.policy);
  return loaded.policy;
}

const Finding* find(const std::vector<Finding>& findings, const std::string& code, const std::string& text) {
  for (const auto& f : findings)
    if (f.diagnostic.code == code && f.diagnostic.message.find(text) != std::string::npos) return &f;
  return nullptr;
}

Decision decide_witness(const Policy& policy, const nlohmann::json& witness) {
  auto bound = bind_request(policy, witness, "witness");
  REQUIRE_MESSAGE(bound.facts, witness.dump());
  return decide(policy, *bound.facts);
}

}  // namespace

TEST_CASE("analyzer: the seeded rule set has each kind of finding, with witnesses that show it") {
  auto policy = load("tests/analyzer/seeded");
  auto findings = analyze(*policy);
  std::map<std::string, int> by_code;
  for (const auto& f : findings) ++by_code[f.diagnostic.code];
  CHECK(by_code == std::map<std::string, int>{{"A301", 1}, {"A302", 1}, {"A303", 1}, {"A304", 1}, {"A305", 1}});

  // A301: proven, so no witness; no request makes the rule apply.
  const auto* never = find(findings, "A301", "`impossible` can never apply");
  REQUIRE(never);
  CHECK(!never->witness);
  for (const char* kind : {"agency", "court", "person"}) {
    auto d = decide_witness(*policy, {{"recipient", {{"kind", kind}}}});
    CHECK(d.rules[policy->rule_index.at("impossible")].applies == Tri::false_);
  }

  // A302: the limit and the permit it names never apply together.
  const auto* pointless = find(findings, "A302", "`court_limit` is an exception to `agency_permit`");
  REQUIRE(pointless);
  for (const char* kind : {"agency", "court", "person"}) {
    auto d = decide_witness(*policy, {{"recipient", {{"kind", kind}}}});
    CHECK_FALSE((d.rules[policy->rule_index.at("court_limit")].applies == Tri::true_ &&
                 d.rules[policy->rule_index.at("agency_permit")].applies == Tri::true_));
  }

  // A303: the witness makes the permit apply, and it is not in force.
  const auto* shadow = find(findings, "A303", "`writing_permit` is shadowed by `writing_limit`");
  REQUIRE(shadow);
  REQUIRE(shadow->witness);
  auto shadowed = decide_witness(*policy, *shadow->witness);
  CHECK(shadowed.rules[policy->rule_index.at("writing_permit")].applies == Tri::true_);
  CHECK(shadowed.rules[policy->rule_index.at("writing_permit")].in_force == Tri::false_);

  // A304: the witness is decided as a conflict between the two rules.
  const auto* conflict = find(findings, "A304", "permit `order_permit` and forbid `person_forbid`");
  REQUIRE(conflict);
  REQUIRE(conflict->witness);
  auto conflicted = decide_witness(*policy, *conflict->witness);
  CHECK(conflicted.outcome == Outcome::conflict);

  // A305: where the condition is.
  const auto* phrase = find(findings, "A305", "no plain-English phrase");
  REQUIRE(phrase);
  CHECK(phrase->diagnostic.severity == Severity::note);
  const auto& source = policy->sources.get(phrase->diagnostic.source);
  CHECK(source.text.substr(phrase->diagnostic.span.begin, phrase->diagnostic.span.end - phrase->diagnostic.span.begin) ==
        "request.count > 3");
}

TEST_CASE("analyzer: integers, dates and strings are any value, so nothing about them is claimed") {
  auto loaded = load_rule_set_from_texts({{"r.proviso", R"rules(
fact n : integer "n"
rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"
rule p permit
  cite "26 U.S.C. § 6103(b)"
  exception to general_rule
  when n > 3 and n < 2 "n is both"
)rules"}}, "test");
  REQUIRE(loaded.policy);
  CHECK(analyze(*loaded.policy).empty());  // unsatisfiable, but not over a finite domain: not proven, not reported
}

TEST_CASE("analyzer: the shipped § 6103 rule set has no findings") {
  auto policy = load("rules/us/irc-6103");
  auto findings = analyze(*policy);
  std::string listed;
  for (const auto& f : findings) listed += f.diagnostic.code + " " + f.diagnostic.message + "\n";
  CHECK_MESSAGE(findings.empty(), listed);
}

TEST_CASE("analyzer: past its total budget it stops with A300 and reports only what it proved before") {
  auto policy = load("tests/analyzer/seeded");
  const auto full = analyze(*policy);
  for (const auto& f : full) CHECK(f.diagnostic.code != "A300");
  std::size_t fewest = full.size();
  for (std::size_t budget : {0, 1, 5, 20}) {  // the whole seeded analysis takes under 100 steps
    AnalyzeOptions options;
    options.total_budget = budget;
    const auto partial = analyze(*policy, options);
    REQUIRE(!partial.empty());
    const auto stopped = std::find_if(partial.begin(), partial.end(), [](const Finding& f) { return f.diagnostic.code == "A300"; });
    REQUIRE_MESSAGE(stopped != partial.end(), "budget " << budget);
    CHECK(stopped->diagnostic.severity == Severity::note);
    CHECK(stopped->diagnostic.message.find("the analysis stopped after") != std::string::npos);
    std::size_t others = 0;
    for (const auto& f : partial) {
      if (f.diagnostic.code == "A300") continue;
      ++others;
      // Every finding of the stopped analysis is one the full analysis makes too.
      CHECK_MESSAGE(find(full, f.diagnostic.code, f.diagnostic.message), f.diagnostic.message);
    }
    fewest = std::min(fewest, others);
  }
  CHECK(fewest < full.size());  // a small budget does leave questions unanswered
}
