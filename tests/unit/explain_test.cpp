// Explanations that teach, checked over every scenario of the § 6103 set:
// the decisive failing condition is named, counterfactuals flip the decision
// when applied to the request JSON, and why-not finds provisions by citation.
#include <doctest/doctest.h>

#include <filesystem>

#include "engine/explain.hpp"
#include "engine/why_not.hpp"

#include "builtin_fixture.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

const testing::BuiltinFixture& fixture() { return testing::builtin_fixture(); }

// Sets a dotted path in a request, as a client applying a counterfactual would.
void set_path(json& request, const std::string& path, const json& value) {
  json* at = &request;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    auto key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*at)[key] = value;
      return;
    }
    if (!at->contains(key) || !(*at)[key].is_object()) (*at)[key] = json::object();
    at = &(*at)[key];
    start = dot + 1;
  }
}

bool names(const ConditionNode& n, const std::string& text) {
  return n.text.find(text) != std::string::npos;
}

}  // namespace

// The entry of one exception in the explanation JSON's closest or other exceptions.
const json* exception_entry(const json& explanation, const std::string& rule_id) {
  for (const char* list : {"closest_exceptions", "other_exceptions"})
    for (const auto& entry : explanation[list])
      if (entry.value("rule", "") == rule_id) return &entry;
  return nullptr;
}

TEST_CASE("every denied scenario's explanation names what decides it, in all three renderings") {
  const auto& f = fixture();
  std::size_t by_condition = 0, in_closest = 0, by_authority = 0, denied = 0;
  for (const auto& scenario : f.scenarios) {
    if (scenario.expect.value("outcome", "") != "denied") continue;
    auto bound = bind_request(*f.policy, scenario.request, scenario.name);
    REQUIRE(bound.facts);
    auto decision = decide(*f.policy, *bound.facts);
    if (decision.outcome != Outcome::denied) continue;  // the scenario runner reports that failure
    ++denied;
    INFO(scenario.file << ": " << scenario.name);
    ExplainOptions options;
    options.counterfactuals = false;
    auto e = explain(*f.policy, *bound.facts, decision, options);
    const auto memo = explanation_to_memo(*f.policy, e), plain = explanation_to_plain(*f.policy, e);
    const auto tree = explanation_to_json(*f.policy, e);
    if (!scenario.expect.contains("failing")) {
      // Denied by a limit or a particular forbid, with no exception that merely failed:
      // every authority is named, and each permit a limit defeated is shown defeated by it.
      for (auto a : decision.authorities) {
        CHECK(memo.find("[" + f.policy->rules[a].id + "]") != std::string::npos);
        CHECK(plain.find(rule_cite(*f.policy, a)) != std::string::npos);
        if (!f.policy->rules[a].is_limit()) continue;
        bool shown = std::any_of(e.closest.begin(), e.closest.end(), [&](const ExceptionView& x) {
          return std::find(x.defeated_by.begin(), x.defeated_by.end(), a) != x.defeated_by.end();
        });
        CHECK_MESSAGE(shown, "no closest exception is shown defeated by " << f.policy->rules[a].id);
      }
      ++by_authority;
      continue;
    }
    const auto rule_id = scenario.expect["failing"].value("rule", "");
    const auto text = scenario.expect["failing"].value("condition", "");
    // The exception: among the closest (with its failing conditions' nodes) or the others (by condition).
    std::int32_t rule = -1;
    bool found = false;
    for (const auto& x : e.closest)
      if (f.policy->rules[x.rule].id == rule_id) {
        rule = x.rule, ++in_closest;
        const auto failing = e.tree[x.failing];
        found = std::any_of(failing.begin(), failing.end(), [&](const ConditionNode& n) { return names(n, text); });
      }
    for (const auto& x : e.others)
      if (f.policy->rules[x.rule].id == rule_id) {
        rule = x.rule;
        const auto failing = e.failing(x);
        found = std::any_of(failing.begin(), failing.end(), [&](std::int32_t c) { return condition_text(*f.policy, c).find(text) != std::string::npos; });
      }
    CHECK_MESSAGE(rule >= 0, "the explanation does not consider " << rule_id);
    if (rule < 0) continue;
    CHECK_MESSAGE(found, "no failing condition of " << rule_id << " contains \"" << text << "\"");
    // Named under that exception: after its heading in the memo, in its entry of the JSON.
    const auto heading = memo.find("[" + rule_id + "]");
    REQUIRE(heading != std::string::npos);
    CHECK(memo.find(text, heading) != std::string::npos);
    CHECK(plain.find(rule_cite(*f.policy, rule)) != std::string::npos);
    CHECK(plain.find(text) != std::string::npos);
    const auto* entry = exception_entry(tree, rule_id);
    REQUIRE(entry);
    CHECK((*entry)["failing"].dump().find(text) != std::string::npos);
    ++by_condition;
  }
  MESSAGE(denied << " denied scenarios: " << by_condition << " name the decisive failing condition (" << in_closest
                 << " among the closest exceptions), " << by_authority << " are denied by a limit or forbid, which is named");
  CHECK(by_condition + by_authority == denied);
  CHECK(by_condition >= 200);
}

TEST_CASE("every counterfactual, applied to its request JSON, flips the decision and changes no fixed fact") {
  const auto& f = fixture();
  std::size_t proposed = 0, scenarios_with = 0;
  for (const auto& scenario : f.scenarios) {
    auto bound = bind_request(*f.policy, scenario.request, scenario.name);
    if (!bound.facts) continue;  // `outcome: invalid` scenarios
    auto decision = decide(*f.policy, *bound.facts);
    auto flips = counterfactuals(*f.policy, *bound.facts, decision);
    if (!flips.empty()) ++scenarios_with;
    for (const auto& c : flips) {
      INFO(scenario.file << ": " << scenario.name << " — " << changes_to_json(*f.policy, c.changes).dump());
      json request = scenario.request;
      const json change = changes_to_json(*f.policy, c.changes);
      for (const auto& [path, value] : change.items()) {
        CHECK_FALSE(f.policy->find_fact(path)->fixed);
        set_path(request, path, value);
      }
      auto changed = bind_request(*f.policy, request, "changed");
      REQUIRE(changed.facts);
      auto after = decide(*f.policy, *changed.facts);
      CHECK(after.outcome != decision.outcome);
      CHECK(after.outcome == c.outcome);
      if (c.outcome == Outcome::permitted)
        CHECK(std::find(after.authorities.begin(), after.authorities.end(), c.rule) != after.authorities.end());
      ++proposed;
    }
  }
  MESSAGE(proposed << " counterfactuals over " << scenarios_with << " scenarios");
  CHECK(proposed >= 50);
}

TEST_CASE("the ICE request signed by the acting ICE Director: the counterfactual is the signer") {
  const auto& f = fixture();
  json request = {{"holder", {{"kind", "irs_employee"}}}};
  for (const auto& s : f.scenarios)
    if (s.name.find("signed by the acting ICE Director (default") != std::string::npos) request = s.request;
  auto bound = bind_request(*f.policy, request, "ice");
  REQUIRE(bound.facts);
  auto decision = decide(*f.policy, *bound.facts);
  REQUIRE(decision.outcome == Outcome::denied);
  auto flips = counterfactuals(*f.policy, *bound.facts, decision);
  REQUIRE_FALSE(flips.empty());
  CHECK(f.policy->rules[flips.front().rule].id == "i2_written_request");
  CHECK(flips.front().changes.size() == 1);
  CHECK(changes_to_json(*f.policy, flips.front().changes).contains("request.signed_by"));
}

TEST_CASE("why-not finds a provision by rule id, citation id or citation fragment") {
  const auto& p = *fixture().policy;
  auto id_of = [&](const std::vector<std::int32_t>& rules) { return rules.size() == 1 ? p.rules[rules[0]].id : std::string("?"); };
  CHECK(id_of(find_rules(p, "6103(i)(1)")) == "i1_court_order");
  CHECK(id_of(find_rules(p, "(i)(2)")) == "i2_written_request");
  CHECK(id_of(find_rules(p, "26 U.S.C. § 6103(i)(2)")) == "i2_written_request");
  CHECK(id_of(find_rules(p, "i2_written_request")) == "i2_written_request");
  CHECK(id_of(find_rules(p, "usc26-6103-i-2")) == "i2_written_request");
  CHECK(find_rules(p, "6103(zz)").empty());
}

TEST_CASE("why-not lists exactly the unmet conditions and the limits in force") {
  const auto& f = fixture();
  json request;
  for (const auto& s : f.scenarios)
    if (s.name.find("signed by the acting ICE Director (default") != std::string::npos) request = s.request;
  REQUIRE(!request.is_null());
  auto bound = bind_request(*f.policy, request, "ice");
  REQUIRE(bound.facts);
  auto decision = decide(*f.policy, *bound.facts);
  auto i2 = f.policy->rule_index.at("i2_written_request");
  auto w = why_not(*f.policy, *bound.facts, decision, i2);
  std::size_t false_top = 0;
  for (auto c : f.policy->rules[i2].top_conditions) false_top += decision.conditions[c] == Tri::false_;
  CHECK(w.unmet.size() == false_top);
  CHECK(w.unmet.size() >= 1);
  CHECK(w.defeated_by.empty());
  REQUIRE_FALSE(w.changes.empty());
  auto i1 = find_rules(*f.policy, "6103(i)(1)");
  REQUIRE(i1.size() == 1);
  auto w1 = why_not(*f.policy, *bound.facts, decision, i1[0]);
  CHECK(w1.unmet.size() >= 1);  // there is no court order
  auto text = why_not_to_text(*f.policy, w1, false);
  CHECK(text.find("6103(i)(1)") != std::string::npos);
}
