// The semantics of a decision: outcomes, defeasible exceptions, Kleene logic,
// obligations and interpretations, on small rule sets written for each case.
#include <doctest/doctest.h>

#include <algorithm>

#include "engine/eval.hpp"
#include "engine/explain.hpp"
#include "engine/load.hpp"
#include "engine/value_ops.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

const char* kVocabulary = R"rules(
enum item "an item of information" { return_info  taxpayer_name  mailing_address  income }
enum signer "who signed" { head_of_agency  component_head  field_officer }
fact disclosure.items : set of item "the items to disclose"
fact request.in_writing : bool "the request is in writing"
fact request.signed_by : signer "who signed the request"
fact request.date : date "when the request was made"
fact order.date : date "when the court order was issued"
fact request.periods : integer "how many taxable periods it names"
fact irs.bar : bool "the IRS found that disclosure would impair a tax investigation"
fact override.granted : bool "an override was granted"
fact a : bool "fact a"
fact b : bool "fact b"
interpretation component_head_counts "the head of a component counts as the head of an agency"
  cite "26 U.S.C. § 6103(i)(2)(A)"
  default false
)rules";

struct Outcome2 {
  std::shared_ptr<const Policy> policy;
  Facts facts;
  Decision decision;
  std::vector<std::string> authorities() const {
    std::vector<std::string> ids;
    for (auto r : decision.authorities) ids.push_back(policy->rules[r].id);
    return ids;
  }
  std::string outcome() const { return std::string(outcome_name(decision.outcome)); }
};

Outcome2 run(const std::string& rules, const json& request) {
  auto loaded = load_rule_set_from_texts({{"vocabulary.proviso", kVocabulary}, {"rules.proviso", rules}}, "test");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  auto bound = bind_request(*loaded.policy, request, "request");
  REQUIRE(bound.facts);
  Outcome2 out{loaded.policy, *bound.facts, {}};
  out.decision = decide(*out.policy, out.facts);
  return out;
}

const char* kLayers = R"rules(
rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"
  when return_info in disclosure.items "the disclosure includes return information"

rule i2 permit
  cite "26 U.S.C. § 6103(i)(2)"
  exception to general_rule
  when all of {
    request.in_writing                   "the request is in writing"   cite "(i)(2)(B)"
    request.signed_by == head_of_agency or (request.signed_by == component_head and component_head_counts)
                                         "the head of the agency signed it" cite "(i)(2)(A)"
  }
  oblige "use it solely for the proceeding" cite "(i)(2)(A)"
  oblige "record the disclosure" cite "(p)(3)(A)"

rule i6 limit
  cite "26 U.S.C. § 6103(i)(6)"
  exception to i2
  when irs.bar "the IRS found that disclosure would impair a tax investigation"

rule i6_override limit
  cite "26 U.S.C. § 6103(i)(6)"
  exception to i6
  when override.granted "an override was granted"
)rules";

json base_request() {
  return json{{"disclosure", {{"items", {"return_info"}}}},
              {"request", {{"in_writing", true}, {"signed_by", "head_of_agency"}}},
              {"irs", {{"bar", false}}}};
}

}  // namespace

TEST_CASE("an exception in force defeats the general rule: permitted, with obligations") {
  auto r = run(kLayers, base_request());
  CHECK(r.outcome() == "permitted");
  CHECK(r.authorities() == std::vector<std::string>{"i2"});
  auto j = decision_to_json(*r.policy, r.facts, r.decision);
  REQUIRE(j["obligations"].size() == 2);
  CHECK(j["obligations"][1]["cite"]["text"] == "26 U.S.C. § 6103(p)(3)(A)");
}

TEST_CASE("a failing condition leaves the general rule in force: denied, nearest exception named") {
  auto request = base_request();
  request["request"]["signed_by"] = "field_officer";
  auto r = run(kLayers, request);
  CHECK(r.outcome() == "denied");
  CHECK(r.authorities() == std::vector<std::string>{"general_rule"});
  auto misses = nearest_exceptions(*r.policy, r.decision);
  REQUIRE(!misses.empty());
  CHECK(r.policy->rules[misses[0].rule].id == "i2");
  REQUIRE(misses[0].failing.size() == 1);
  CHECK(misses[0].failing[0].text == "the head of the agency signed it");
  CHECK(misses[0].failing[0].cite.text == "26 U.S.C. § 6103(i)(2)(A)");
  CHECK(json(decision_to_json(*r.policy, r.facts, r.decision))["summary"].get<std::string>().find("The nearest exception, 26 U.S.C. § 6103(i)(2), fails because this does not hold: the head of the agency signed it.") != std::string::npos);
}

TEST_CASE("a limit defeats the exception, an exception to the limit restores it") {
  auto request = base_request();
  request["irs"]["bar"] = true;
  request["override"]["granted"] = false;
  auto barred = run(kLayers, request);
  CHECK(barred.outcome() == "denied");
  CHECK(barred.authorities() == std::vector<std::string>{"general_rule", "i6"});
  auto misses = nearest_exceptions(*barred.policy, barred.decision);
  REQUIRE(!misses.empty());
  CHECK(barred.policy->rules[misses[0].rule].id == "i2");
  CHECK(misses[0].defeated_by.size() == 1);

  request["override"]["granted"] = true;
  auto restored = run(kLayers, request);
  CHECK(restored.outcome() == "permitted");
  CHECK(restored.authorities() == std::vector<std::string>{"i2"});  // a limit decides nothing itself
}

TEST_CASE("an absent fact is unknown, never false: undetermined, naming the deciding facts") {
  auto request = base_request();
  request["request"].erase("in_writing");
  auto r = run(kLayers, request);
  CHECK(r.outcome() == "undetermined");
  REQUIRE(r.decision.unknown_facts.size() == 1);
  CHECK(r.policy->facts[r.decision.unknown_facts[0]].path == "request.in_writing");

  // A limit whose fact is unknown makes a permit uncertain too.
  auto limit_unknown = base_request();
  limit_unknown["irs"].erase("bar");
  auto u = run(kLayers, limit_unknown);
  CHECK(u.outcome() == "undetermined");
  REQUIRE(u.decision.unknown_facts.size() >= 1);
  CHECK(std::any_of(u.decision.unknown_facts.begin(), u.decision.unknown_facts.end(),
                    [&](auto slot) { return u.policy->facts[slot].path == "irs.bar"; }));
}

TEST_CASE("explicit null is unknown") {
  auto request = base_request();
  request["request"]["in_writing"] = nullptr;
  CHECK(run(kLayers, request).outcome() == "undetermined");
}

TEST_CASE("a known false fact that fails the exception decides even when others are unknown") {
  auto request = base_request();
  request["request"]["in_writing"] = false;
  request["request"].erase("signed_by");
  auto r = run(kLayers, request);
  CHECK(r.outcome() == "denied");  // unknown and false = false
}

TEST_CASE("no rule applies: not applicable") {
  auto r = run(kLayers, json{{"disclosure", {{"items", {"income"}}}}, {"request", {{"in_writing", false}}}});
  CHECK(r.outcome() == "not_applicable");
  CHECK(r.decision.authorities.empty());
}

TEST_CASE("nothing forbids, but a permit may be in force: undetermined, asking what would decide it") {
  // Outside the general rule's scope, i2 may still apply (who signed is not
  // given): permitted with i2's obligations or not applicable, depending on it.
  auto r = run(kLayers, json{{"disclosure", {{"items", {"income"}}}}, {"request", {{"in_writing", true}}}, {"irs", {{"bar", false}}}});
  CHECK(r.outcome() == "undetermined");
  CHECK(r.decision.authorities.empty());
  REQUIRE(r.decision.unknown_facts.size() == 1);
  CHECK(r.policy->facts[r.decision.unknown_facts[0]].path == "request.signed_by");
}

TEST_CASE("a limit in force does not clash with an unrelated permit") {
  auto rules = std::string(kLayers) + R"rules(
rule c permit
  cite "26 U.S.C. § 6103(c)"
  exception to general_rule
  when a "the taxpayer consented"
)rules";
  auto request = base_request();
  request["irs"]["bar"] = true;
  request["a"] = true;
  auto r = run(rules, request);
  CHECK(r.outcome() == "permitted");
  CHECK(r.authorities() == std::vector<std::string>{"c"});
}

TEST_CASE("permits are cumulative, not a conflict") {
  auto rules = std::string(kLayers) + R"rules(
rule c permit
  cite "26 U.S.C. § 6103(c)"
  exception to general_rule
  when a "the taxpayer consented"
)rules";
  auto request = base_request();
  request["a"] = true;
  auto r = run(rules, request);
  CHECK(r.outcome() == "permitted");
  // In the canonical order (files, then ids, by name), whatever the order in the source: see load.cpp, canonical_order.
  CHECK(r.authorities() == std::vector<std::string>{"c", "i2"});
}

TEST_CASE("a permit and a forbid in force with no exception relation: conflict naming both") {
  auto rules = std::string(kLayers) + R"rules(
rule stray permit
  cite "26 U.S.C. § 6103(k)(1)"
  when a "fact a holds"
)rules";
  auto request = base_request();
  request["request"]["in_writing"] = false;
  request["a"] = true;
  auto r = run(rules, request);
  CHECK(r.outcome() == "conflict");
  REQUIRE(r.decision.conflicts.size() == 1);
  CHECK(r.policy->rules[r.decision.conflicts[0].first].id == "stray");
  CHECK(r.policy->rules[r.decision.conflicts[0].second].id == "general_rule");
}

TEST_CASE("Kleene logic on conditions") {
  const char* rules = R"rules(
rule and_rule permit cite "t(1)" when a and b
rule or_rule permit cite "t(2)" when a or b
rule not_rule permit cite "t(3)" when not a
rule none_rule permit cite "t(4)" when none of { a  b }
)rules";
  auto value = [&](const json& request, const std::string& id) {
    auto r = run(rules, request);
    return r.decision.rules[r.policy->rule_index.at(id)].applies;
  };
  const json unknown_false{{"b", false}}, unknown_true{{"b", true}};
  CHECK(value(unknown_false, "and_rule") == Tri::false_);    // unknown and false = false
  CHECK(value(unknown_true, "or_rule") == Tri::true_);       // unknown or true = true
  CHECK(value(unknown_true, "and_rule") == Tri::unknown);    // unknown and true = unknown
  CHECK(value(unknown_false, "or_rule") == Tri::unknown);    // unknown or false = unknown
  CHECK(value(unknown_false, "not_rule") == Tri::unknown);   // not unknown = unknown
  CHECK(value(unknown_true, "none_rule") == Tri::false_);
  CHECK(value(json{{"a", false}, {"b", false}}, "none_rule") == Tri::true_);
}

TEST_CASE("comparisons, sets, dates and known tests") {
  const char* rules = R"rules(
rule within_30_days permit cite "t(1)" when request.date <= order.date + 30 days
rule months permit cite "t(2)" when request.date >= order.date + 1 month
rule gap permit cite "t(3)" when request.date - order.date > 40
rule identity_only permit cite "t(4)" when disclosure.items subset of {taxpayer_name, mailing_address}
rule wants_income permit cite "t(5)" when income in disclosure.items
rule overlap permit cite "t(6)" when disclosure.items intersects {income, return_info}
rule superset_rule permit cite "t(7)" when disclosure.items superset of {taxpayer_name}
rule known_rule permit cite "t(8)" when request.signed_by is known
rule unknown_test permit cite "t(9)" when request.signed_by is unknown
rule not_in permit cite "t(10)" when request.signed_by not in {field_officer}
rule periods permit cite "t(11)" when request.periods + 1 >= 3
rule fixed_date permit cite "t(12)" when order.date < 2024-02-29
)rules";
  auto r = run(rules, json{{"request", {{"date", "2024-03-15"}, {"periods", 2}}},
                           {"order", {{"date", "2024-01-31"}}},
                           {"disclosure", {{"items", {"taxpayer_name", "mailing_address"}}}}});
  auto applies = [&](const std::string& id) { return r.decision.rules[r.policy->rule_index.at(id)].applies; };
  CHECK(applies("within_30_days") == Tri::false_);  // 2024-01-31 + 30 days = 2024-03-01
  CHECK(applies("months") == Tri::true_);           // + 1 month clamps to 2024-02-29
  CHECK(applies("gap") == Tri::true_);              // 44 days
  CHECK(applies("identity_only") == Tri::true_);
  CHECK(applies("wants_income") == Tri::false_);
  CHECK(applies("overlap") == Tri::false_);
  CHECK(applies("superset_rule") == Tri::true_);
  CHECK(applies("known_rule") == Tri::false_);
  CHECK(applies("unknown_test") == Tri::true_);
  CHECK(applies("not_in") == Tri::unknown);
  CHECK(applies("periods") == Tri::true_);
  CHECK(applies("fixed_date") == Tri::true_);
}

TEST_CASE("interpretations: the default, a request's choice, and reliance") {
  auto request = base_request();
  request["request"]["signed_by"] = "component_head";
  auto by_default = run(kLayers, request);
  CHECK(by_default.outcome() == "denied");
  REQUIRE(by_default.decision.interpretations.size() == 1);
  const auto& use = by_default.decision.interpretations[0];
  CHECK(use.relied_on);
  CHECK_FALSE(use.from_request);
  CHECK(use.other_outcome == Outcome::permitted);

  request["interpretations"] = {{"component_head_counts", true}};
  auto chosen = run(kLayers, request);
  CHECK(chosen.outcome() == "permitted");
  REQUIRE(chosen.decision.interpretations.size() == 1);
  CHECK(chosen.decision.interpretations[0].from_request);
  CHECK(chosen.decision.interpretations[0].relied_on);

  // When the head of the agency signs, the reading does not matter.
  auto head = run(kLayers, base_request());
  for (const auto& u : head.decision.interpretations) CHECK_FALSE(u.relied_on);
}

TEST_CASE("the full JSON trace lists every rule with each condition's value and the facts it read") {
  auto request = base_request();
  request["request"]["signed_by"] = "field_officer";
  auto r = run(kLayers, request);
  JsonOptions options;
  options.full = true;
  auto j = decision_to_json(*r.policy, r.facts, r.decision, options);
  CHECK(j["schema"] == "proviso.decision/v1");
  REQUIRE(j["considered"].size() == 4);
  const auto& i2 = j["considered"][1];
  CHECK(i2["rule"] == "i2");
  CHECK(i2["applies"] == "false");
  const auto& signed_by = i2["conditions"][0]["conditions"][1];
  CHECK(signed_by["value"] == "false");
  CHECK(signed_by["facts"]["request.signed_by"] == "field_officer");
  CHECK(signed_by["facts"]["interpretations.component_head_counts"] == false);
}

// Binding keeps enum values below 64, and the checker refuses sets of larger
// enums (E212); compare_truth must still answer, not shift past the word, for
// a value that reached it otherwise (UBSan reports the shift).
TEST_CASE("`in` with an enum value at or past 64 is false, not a shift past the word") {
  using tracing::compare_truth;
  Value element;
  element.kind = TypeKind::enumeration;
  element.known = true;
  Value set;
  set.kind = TypeKind::set;
  set.known = true;
  set.bits = ~std::uint64_t{0};
  for (std::int64_t v : {0, 5, 63}) {
    element.integer = v;
    CHECK(compare_truth(CExpr::Op::in, element, set) == Tri::true_);
  }
  for (std::int64_t v : {64, 65, 127, 1'000'000, -1}) {
    element.integer = v;
    CHECK(compare_truth(CExpr::Op::in, element, set) == Tri::false_);
  }
}
