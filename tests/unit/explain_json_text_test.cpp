// The explanation's JSON text writer against nlohmann's dump() of the json
// tree, byte for byte: on every § 6103 scenario, on random variants of them
// (unknown facts, other values, other readings), and on strings that need
// escaping or are not UTF-8. And the brief views of the exceptions ruled out,
// which the renderings show by text and citation only.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "engine/explain.hpp"
#include "engine/json_text.hpp"
#include "engine/load.hpp"
#include "engine/scenario.hpp"
#include "builtin_fixture.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

std::shared_ptr<const Policy> irc6103() { return testing::builtin_fixture().policy; }

// Both renderings of one request's explanation; the counterfactual search only when asked (milliseconds).
void check_same(const Policy& policy, const Facts& facts, bool counterfactuals) {
  auto decision = decide(policy, facts);
  ExplainOptions options;
  options.counterfactuals = counterfactuals;
  auto e = explain(policy, facts, decision, options);
  const auto expected = explanation_to_json(policy, e).dump();
  const auto text = explanation_json_text(policy, e);
  REQUIRE(text == expected);
}

// Another request like `facts`: some facts unknown, some booleans, enums and
// sets changed, some interpretations read the other way.
Facts vary(const Policy& policy, Facts facts, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> percent(0, 99);
  for (std::size_t f = 0; f < facts.values.size(); ++f) {
    auto& value = facts.values[f];
    const auto type = policy.facts[f].type;
    const int roll = percent(rng);
    if (roll < 15) {
      value.known = false;
    } else if (roll < 35 && value.known) {
      if (type.kind == TypeKind::boolean) value.integer = !value.integer;
      const auto n = type.kind == TypeKind::enumeration || type.kind == TypeKind::set ? policy.enums[type.enum_id].values.size() : 0;
      if (n > 0 && type.kind == TypeKind::enumeration) value.integer = static_cast<std::int64_t>(rng() % n);
      if (n > 0 && type.kind == TypeKind::set) value.bits = rng() & ((n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1));
    }
  }
  for (auto& reading : facts.interpretations) reading = static_cast<std::int8_t>(static_cast<int>(rng() % 3) - 1);
  return facts;
}

}  // namespace

TEST_CASE("the explanation JSON text is dump()'s, byte for byte, on every § 6103 scenario and random variants") {
  const auto& policy = *irc6103();
  const auto& scenarios = testing::builtin_fixture().scenarios;
  REQUIRE(scenarios.size() > 300);
  std::mt19937_64 rng(6103);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& scenario = scenarios[i];
    INFO(scenario.file << ": " << scenario.name);
    auto bound = bind_request(policy, scenario.request, scenario.name);
    if (!bound.facts) continue;
    check_same(policy, *bound.facts, i % 25 == 0);  // every 25th with its counterfactuals
    for (int k = 0; k < 4; ++k) check_same(policy, vary(policy, *bound.facts, rng), false);
    ++checked;
  }
  CHECK(checked > 300);
}

TEST_CASE("JSON strings are escaped as dump() escapes them, and text that is not UTF-8 is refused as dump() refuses it") {
  for (std::string text : {std::string("plain"), std::string(""), std::string("quote \" backslash \\ slash /"),
                           std::string("\b\f\n\r\t"), std::string("\x01\x1f\x7f", 3), std::string("nul \0 inside", 12),
                           std::string("§ 6103 — “quoted” €"), std::string("\xF0\x9F\x98\x80 astral"),
                           std::string("\xEF\xBF\xBF max BMP")}) {
    std::string out;
    append_json_string(out, text);
    CHECK(out == json(text).dump());
  }
  for (std::string bad : {std::string("\xff"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
                          std::string("cut \xE2\x82"), std::string("\xE0\x80\xAF")}) {
    std::string out;
    CHECK_THROWS_AS(append_json_string(out, bad), NotUtf8);
    CHECK_THROWS_AS((void)json(bad).dump(), json::type_error);
  }
  for (std::int64_t n : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42}, std::numeric_limits<std::int64_t>::min(),
                         std::numeric_limits<std::int64_t>::max()}) {
    std::string out;
    append_json(out, json(n));
    CHECK(out == json(n).dump());
  }
  for (const json& other : {json(1.5), json(-0.0), json(1e300), json(3.0), json::array({"a", 1}), json::object({{"k", nullptr}}), json(true)}) {
    std::string out;
    append_json(out, other);
    CHECK(out == other.dump());
  }
}

TEST_CASE("string, decimal and date facts, and a string that is not UTF-8, render as dump() renders them") {
  const char* rules = R"rules(
fact request.office : string "the office that asks"
fact request.amount : decimal "the amount asked for"
fact request.date : date "the date of the request"

rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"

rule office permit
  cite "26 U.S.C. § 6103(x)"
  title "An \"office\" asks"
  exception to general_rule
  when all of {
    request.office == "hq" "headquarters asks" cite "(x)(1)"
    request.amount <= 1000.5 "the amount is at most 1000.50" cite "(x)(2)"
    request.date < 2020-01-01 "the request is from before 2020" cite "(x)(3)"
  }
)rules";
  auto loaded = load_rule_set_from_texts({{"r.proviso", rules}}, "test");
  REQUIRE(loaded.policy);
  const auto& policy = *loaded.policy;
  for (const json& request : {json{{"request", {{"office", "branch \"7\"\n\ttab \x01 é"}, {"amount", 1000.75}, {"date", "2021-02-03"}}}},
                              json{{"request", {{"office", "hq"}, {"amount", 12}}}}, json::object()}) {
    auto bound = bind_request(policy, request, "test");
    REQUIRE(bound.facts);
    check_same(policy, *bound.facts, true);
  }
  // Not UTF-8 (a request parser refuses it; a caller building facts may not): the same error as dump().
  auto bound = bind_request(policy, json{{"request", {{"office", "x"}}}}, "test");
  REQUIRE(bound.facts);
  Facts facts = *bound.facts;
  facts.values[policy.fact_index.at("request.office")].text = "\xff\xfe";
  auto decision = decide(policy, facts);
  ExplainOptions options;
  options.counterfactuals = false;
  auto e = explain(policy, facts, decision, options);
  CHECK_THROWS_AS((void)explanation_to_json(policy, e).dump(), json::type_error);
  CHECK_THROWS_AS((void)explanation_json_text(policy, e), json::type_error);
}

TEST_CASE("an exception ruled out is listed with each failing condition its full view has, after the closest, in rank order") {
  const auto& policy = *irc6103();
  std::size_t listed = 0;
  testing::for_each_bound_scenario([&](const Scenario&, const Facts& facts, const Decision& decision) {
    ExplainOptions options;
    options.counterfactuals = false;
    const auto e = explain(policy, facts, decision, options);
    const auto ranks = rank_exceptions(policy, decision);
    // The others are the ranks after the closest, less those that fail nothing.
    std::vector<std::int32_t> expected_rules;
    for (std::size_t i = e.closest.size(); i < ranks.size(); ++i)
      if (ranks[i].failing > 0) expected_rules.push_back(ranks[i].rule);
    std::vector<std::int32_t> rules;
    std::uint32_t next = 0;
    for (const auto& brief : e.others) {
      rules.push_back(brief.rule);
      CHECK(brief.first == next);  // one after another, nothing between
      next = brief.first + brief.count;
      ConditionTree tree;
      const auto full = exception_view(policy, facts, decision, brief.rule, tree);
      const auto failing = e.failing(brief);
      REQUIRE(failing.size() == full.failing.size());
      CHECK(!failing.empty());
      for (std::size_t i = 0; i < full.failing.size(); ++i) CHECK(failing[i] == tree[full.failing][i].index);
      ++listed;
    }
    CHECK(next == e.others_failing.size());
    CHECK(rules == expected_rules);
  });
  CHECK(listed > 1000);
}
