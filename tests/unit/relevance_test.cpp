// Counterfactuals over integer, decimal, date and string facts, and the search
// that decides whether a question's answer can still change the outcome, on a
// small rule set where the answers are known by hand.
#include <doctest/doctest.h>

#include "engine/counterfactual.hpp"
#include "engine/fact_domain.hpp"
#include "engine/load.hpp"
#include "engine/questions.hpp"
#include "engine/relevance.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

const char* kRules = R"rules(
fact request.amount : decimal "the amount asked for"
fact request.periods : integer "the number of tax periods"
fact request.date : date "the date of the request"
fact request.office : string "the office that asks"
fact request.urgent : bool "the request is urgent"
fact request.logged : bool "the request is logged"
fact request.copy : bool "a copy is kept"
fact request.routine : bool "the request is routine"
fact taxpayer.age : integer "the taxpayer's age" fixed

rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"

rule small permit
  cite "26 U.S.C. § 6103(x)"
  exception to general_rule
  when all of {
    request.amount <= 1000.5 "the amount is at most 1000.50" cite "(x)(1)"
    request.periods >= 3 "at least three periods" cite "(x)(2)"
  }

rule dated permit
  cite "26 U.S.C. § 6103(y)"
  exception to general_rule
  when all of {
    request.date < 2020-01-01 "the request is from before 2020" cite "(y)(1)"
    request.office == "hq" "headquarters asks" cite "(y)(2)"
  }

rule adult permit
  cite "26 U.S.C. § 6103(z)"
  exception to general_rule
  when taxpayer.age >= 18 "the taxpayer is an adult" cite "(z)"

rule urgent permit
  cite "26 U.S.C. § 6103(u)"
  exception to general_rule
  when request.urgent "the request is urgent" cite "(u)"

# Whenever (v) applies, (u) does too: whether there is a copy never changes the outcome.
rule copied permit
  cite "26 U.S.C. § 6103(v)"
  exception to general_rule
  when all of {
    request.urgent "the request is urgent" cite "(v)(1)"
    request.copy "a copy is kept" cite "(v)(2)"
  }

# Logged or not, (w) holds for a routine request; but while `logged` is unknown,
# Kleene's logic cannot tell, so an answer settles what "not known" leaves open.
rule routine permit
  cite "26 U.S.C. § 6103(w)"
  exception to general_rule
  when all of {
    request.routine "the request is routine" cite "(w)"
    any of { request.logged  not request.logged } "whether or not it is logged" cite "(w)"
  }
)rules";

std::shared_ptr<const Policy> load() {
  static auto loaded = load_rule_set_from_texts({{"r.proviso", kRules}}, "test");
  REQUIRE(loaded.policy);
  return loaded.policy;
}

Facts bind_facts(const Policy& policy, const json& request) {
  auto bound = bind_request(policy, request, "test");
  REQUIRE(bound.facts);
  return *bound.facts;
}

std::string change_text(const Policy& policy, const Counterfactual& c) { return changes_to_json(policy, c.changes).dump(); }

}  // namespace

TEST_CASE("scalar candidates: each constant and one either side, decimals get midpoints, strings the constants") {
  const auto& p = *load();
  auto values = [&](const char* path) {
    json out = json::array();
    for (const auto& v : scalar_candidates(p, p.fact_index.at(path))) out.push_back(value_to_json(p, v, p.facts[p.fact_index.at(path)].type));
    return out.dump();
  };
  CHECK(values("request.periods") == "[2,3,4]");
  CHECK(values("request.amount") == "[999.5,1000.5,1001.5]");
  CHECK(values("request.date") == R"(["2019-12-31","2020-01-01","2020-01-02"])");
  CHECK(values("request.office") == R"(["hq"])");
  CHECK(scalar_candidates_complete(p, p.fact_index.at("request.periods")));
  auto office = fact_domain(p, p.fact_index.at("request.office"));
  REQUIRE(office.values.size() == 2);  // "hq" and one value equal to no constant
  CHECK(office.values[1].text != "hq");
}

TEST_CASE("counterfactuals change integers, decimals, dates and strings, re-checked, and fixed facts never") {
  const auto& p = *load();
  json request = {{"request", {{"amount", 5000}, {"periods", 3}, {"date", "2024-05-01"}, {"office", "field"}, {"urgent", false}, {"routine", false}}},
                  {"taxpayer", {{"age", 10}}}};
  auto facts = bind_facts(p, request);
  auto decision = decide(p, facts);
  REQUIRE(decision.outcome == Outcome::denied);
  CounterfactualLimits limits;
  limits.max_rules = 10;  // every exception of this small set, (y) among them
  auto flips = counterfactuals(p, facts, decision, limits);
  std::vector<std::string> seen;
  for (const auto& c : flips) {
    seen.push_back(p.rules[c.rule].id + " " + change_text(p, c));
    auto after = decide(p, apply_changes(facts, c.changes));
    CHECK(after.outcome == Outcome::permitted);
    for (const auto& change : c.changes) CHECK(p.facts[change.fact].path != "taxpayer.age");
  }
  INFO(json(seen).dump());
  auto has = [&](const std::string& s) { return std::find(seen.begin(), seen.end(), s) != seen.end(); };
  CHECK(has(R"(small {"request.amount":1000.5})"));
  CHECK(has(R"(dated {"request.date":"2019-12-31","request.office":"hq"})"));
  CHECK(has(R"(urgent {"request.urgent":true})"));
  for (const auto& s : seen) CHECK(s.find("adult") != 0);  // only the fixed age would make (z) apply
}

TEST_CASE("counterfactuals of an undetermined request include unknown → known changes that settle it") {
  const auto& p = *load();
  auto facts = bind_facts(p, {{"request", {{"amount", 10}, {"date", "2024-05-01"}, {"urgent", false}, {"routine", false}}}, {"taxpayer", {{"age", 10}}}});
  auto decision = decide(p, facts);
  REQUIRE(decision.outcome == Outcome::undetermined);
  bool permit = false, deny = false;
  for (const auto& c : counterfactuals(p, facts, decision)) {
    auto after = decide(p, apply_changes(facts, c.changes));
    CHECK(after.outcome == c.outcome);
    CHECK(after.outcome != Outcome::undetermined);
    for (const auto& change : c.changes) {
      if (c.outcome == Outcome::denied) CHECK_FALSE(facts.values[change.fact].known);
    }
    permit = permit || (c.outcome == Outcome::permitted && change_text(p, c) == R"({"request.periods":3})");
    deny = deny || (c.outcome == Outcome::denied && change_text(p, c) == R"({"request.office":"hq"})") ||
           (c.outcome == Outcome::denied && change_text(p, c).find("request.periods") != std::string::npos);
  }
  CHECK(permit);
  CHECK(deny);
}

TEST_CASE("witness search: a fact that can change the outcome has a witness and one that cannot is proved irrelevant") {
  const auto& p = *load();
  Facts nothing = unknown_facts(p);
  auto urgent = p.fact_index.at("request.urgent"), logged = p.fact_index.at("request.logged");
  auto periods = p.fact_index.at("request.periods");
  auto found = find_witness(p, nothing, periods);
  REQUIRE(found.witness);
  CHECK(witness_holds(p, nothing, *found.witness));
  auto w = find_witness(p, nothing, urgent);
  REQUIRE(w.witness);
  CHECK(witness_holds(p, nothing, *w.witness));
  // `copy` is read by (v), but (u) is in force whenever (v) applies.
  auto copy = p.fact_index.at("request.copy");
  auto none = find_witness(p, nothing, copy);
  CHECK_FALSE(none.witness);
  CHECK(none.proved_irrelevant);
  // `logged` cannot change a settled outcome, but an answer settles what "not known" leaves open.
  auto settles = find_witness(p, nothing, logged);
  REQUIRE(settles.witness);
  CHECK_FALSE(settles.witness->other.known);
  CHECK(settles.witness->answer_outcome == Outcome::permitted);
  CHECK(witness_holds(p, nothing, *settles.witness));
  // Once the amount is too high, the periods no longer matter.
  auto known = bind_facts(p, {{"request", {{"amount", 5000}}}});
  auto after = find_witness(p, known, periods);
  CHECK_FALSE(after.witness);
  CHECK(after.proved_irrelevant);
  // The next questions never include a fact without a witness.
  auto d = decide(p, nothing);
  for (const auto& q : next_questions(p, nothing, d)) {
    CHECK(q.fact != copy);
    CHECK(witness_holds(p, nothing, q.witness));
  }
}

TEST_CASE("a tampered witness does not hold") {
  const auto& p = *load();
  Facts nothing = unknown_facts(p);
  auto found = find_witness(p, nothing, p.fact_index.at("request.urgent"));
  REQUIRE(found.witness);
  auto w = *found.witness;
  w.other = w.answer;  // the same answer twice cannot give two outcomes
  w.other_outcome = w.answer_outcome;
  CHECK_FALSE(witness_holds(p, nothing, w));
}
