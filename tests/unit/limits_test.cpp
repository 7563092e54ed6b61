// Limits and hostile input: each limit at its value and one past it, duplicate
// keys, alias bombs, deep YAML, the evaluation step budget, definition chains
// that used to take exponential time, and arithmetic that overflows.
#include <doctest/doctest.h>

#include <chrono>

#include "engine/bind_fast.hpp"
#include "engine/eval.hpp"
#include "engine/explain.hpp"
#include "engine/load.hpp"
#include "engine/yaml_guard.hpp"
#include "proviso/proviso.h"

using namespace proviso;
using nlohmann::json;

namespace {

std::shared_ptr<const Policy> policy() {
  static auto loaded = load_rule_set_from_texts({{"r.proviso", R"rules(
enum signer "who signed" { head_of_agency  field_officer }
fact request.in_writing : bool "in writing"
fact request.signed_by : signer "who signed"
fact request.signers : set of signer "all signers"
fact request.periods : integer "periods"
fact request.date : date "date"
interpretation lenient "a lenient reading" cite "x(1)" default false
rule general_rule forbid cite "x(a)" when request.in_writing
rule overflow permit cite "x(b)" exception to general_rule
  when request.periods + 9223372036854775807 > 0 and request.signers is known and request.signed_by is known and lenient
rule far_future permit cite "x(c)" exception to general_rule when request.date + 9999 years > request.date
)rules"}}, "t");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  return loaded.policy;
}

Diagnostics problems(std::string_view text, const RequestLimits& limits = {}, RequestFormat format = RequestFormat::automatic) {
  return parse_request(*policy(), text, "req", format, limits).diagnostics;
}

std::string first(std::string_view text, const RequestLimits& limits = {}, RequestFormat format = RequestFormat::automatic) {
  auto d = problems(text, limits, format);
  return d.empty() ? "" : d.front().code + " " + d.front().location + " " + d.front().message;
}

// A request whose set lists `members` values: with the root, `request` and the
// list, 3 + members values in all.
std::string set_request(std::size_t members) {
  std::string out = R"({"request": {"signers": [)";
  for (std::size_t i = 0; i < members; ++i) out += i ? ",\"field_officer\"" : "\"field_officer\"";
  return out + "]}}";
}

// The line path's answer: a decision, or the code of its error.
std::string line_answer(std::string_view line, const RequestLimits& limits) {
  static auto compiled = std::make_shared<const CompiledPolicy>(policy());
  FastDecider decider(compiled, limits);
  std::string out;
  decider.decide_line(line, out);
  auto parsed = json::parse(out);
  return parsed.contains("error") ? parsed["error"]["code"].get<std::string>() : "decision";
}

auto elapsed_since(std::chrono::steady_clock::time_point start) { return std::chrono::steady_clock::now() - start; }

}  // namespace

TEST_CASE("a key given twice is E412 with its path, in JSON and YAML, on both binding paths") {
  CHECK(first(R"({"request": {"in_writing": true, "in_writing": false}})") ==
        "E412 req: $.request.in_writing the request gives key `request.in_writing` twice");
  CHECK(first(R"({"request": {"in_writing": true}, "request": {"signed_by": "field_officer"}})") ==
        "E412 req: $.request the request gives key `request` twice");
  CHECK(first(R"({"interpretations": {"lenient": true, "lenient": false}})").starts_with("E412 req: $.interpretations.lenient"));
  CHECK(first(R"({"x": [{"a": 1}, {"b": 1, "b": 2}]})") == "E412 req: $.x[1].b the request gives key `x[1].b` twice");
  CHECK(first("request:\n  in_writing: true\n  in_writing: false\n", {}, RequestFormat::yaml) ==
        "E412 req:3:3: $.request.in_writing the request gives key `request.in_writing` twice");
  // Keys that differ are not duplicates, however similar.
  CHECK(first(R"({"request": {"in_writing": true, "signed_by": "field_officer"}})").empty());
  // The line path (streaming binder, full binder as fallback) says the same.
  CHECK(line_answer(R"({"request": {"in_writing": true, "in_writing": false}})", {}) == "E412");
}

TEST_CASE("the number of values in a request: at the limit and one past it") {
  RequestLimits limits;
  limits.max_values = 100;
  CHECK(first(set_request(97), limits).empty());
  CHECK(first(set_request(98), limits) == "E413 req the request has more than 100 values");
  CHECK(first(set_request(98), limits, RequestFormat::yaml).starts_with("E413"));  // JSON is YAML too
  // The streaming binder counts as the full binder does, so they agree at the boundary.
  CHECK(line_answer(set_request(97), limits) == "decision");
  CHECK(line_answer(set_request(98), limits) == "E413");
  // The default stops a 1 MiB list of set members.
  CHECK(first(set_request(60000)).starts_with("E413"));
  // A request given as a DOM (the C++ API) is counted by the binder.
  auto dom = json::parse(set_request(200));
  CHECK(bind_request(*policy(), dom, "req", limits).diagnostics.front().code == "E413");
}

TEST_CASE("a YAML alias bomb is E413 in milliseconds, not an exponential expansion") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char level = 'b'; level <= 'k'; ++level) {
    std::string previous(1, static_cast<char>(level - 1));
    bomb += std::string(1, level) + ": &" + std::string(1, level) + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + previous;
    bomb += "]\n";
  }
  bomb += "request: *k\n";
  const auto start = std::chrono::steady_clock::now();
  CHECK(first(bomb, {}, RequestFormat::yaml) == "E413 req the request has more than 10000 values");
  CHECK(elapsed_since(start) < std::chrono::seconds(2));
}

TEST_CASE("deep YAML is refused by a scan before yaml-cpp recurses") {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t n = 1000000;
  std::string dashes;  // 500,000 levels in 1 MB, under the size limit
  for (std::size_t i = 0; i < n / 2; ++i) dashes += "- ";
  dashes += "x\n";
  CHECK(first(dashes, {}, RequestFormat::yaml).starts_with("E405"));
  // A quote inside a plain scalar is an ordinary character: it must not hide the brackets after it.
  CHECK(first("[a 'b, " + std::string(n, '['), {}, RequestFormat::yaml).starts_with("E405"));
  CHECK(first("[a'b, " + std::string(n, '['), {}, RequestFormat::yaml).starts_with("E405"));
  CHECK(first("[a,\n 'b', " + std::string(n, '{'), {}, RequestFormat::yaml).starts_with("E405"));
  std::string indented;
  for (int i = 0; i < 1000; ++i) indented += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  CHECK(first(indented, {}, RequestFormat::yaml).starts_with("E405"));
  CHECK(elapsed_since(start) < std::chrono::seconds(2));
  // What a request really looks like stays well under the scan's limit.
  CHECK(yaml_nesting_bound("request:\n  in_writing: true\n  signers:\n    - head_of_agency\n") <= yaml_scan_limit(4));
  CHECK(first("request:\n  in_writing: true\n  signers:\n    - head_of_agency\n", {}, RequestFormat::yaml).empty());
}

TEST_CASE("an unterminated quote in YAML is E410, though yaml-cpp would read it to the end") {
  CHECK(yaml_quote_left_open("request:\n  note: \"tax administration\n"));
  CHECK_FALSE(yaml_quote_left_open("request:\n  note: \"multi\n    line\"\n"));
  CHECK_FALSE(yaml_quote_left_open("request:\n  note: it's fine\n"));
  CHECK_FALSE(yaml_quote_left_open("note: |\n  'a block line\nother: 'x'\n"));
  CHECK_FALSE(yaml_quote_left_open("note: 'it''s'\n# don't\n"));
  CHECK(first("request:\n  in_writing: \"yes\n", {}, RequestFormat::yaml).starts_with("E410 req the request is not valid YAML: a quoted string"));
}

TEST_CASE("a YAML key that is a collection is E410, not a crash") {
  CHECK(first("? [a, b]\n: 1\n", {}, RequestFormat::yaml) == "E410 req:1:3 a key in the request is a list or mapping, not a name");
}

TEST_CASE("more than 50 problems in a request: 50, then E107") {
  std::string many = "{";
  for (int i = 0; i < 80; ++i) many += (i ? "," : "") + std::string("\"unknown_") + std::to_string(i) + "\": 1";
  many += "}";
  auto diagnostics = problems(many);
  REQUIRE(diagnostics.size() == 51);
  CHECK(diagnostics[49].code == "E402");
  CHECK(diagnostics[50].code == "E107");
  CHECK(diagnostics[50].message == "too many errors in the request; stopping after 50");
}

TEST_CASE("integer overflow and dates past 9999 are unknown, never wrapped, in both evaluators") {
  auto p = policy();
  auto bound = parse_request(*p, R"({"request": {"in_writing": true, "periods": 9223372036854775807,
      "signers": [], "signed_by": "field_officer", "date": "2020-01-01"}, "interpretations": {"lenient": true}})", "req");
  REQUIRE(bound.facts);
  auto decision = decide(*p, *bound.facts);
  // periods + max overflows: the permit's force is unknown, so the outcome is too; and 2020 + 9999 years is past 9999.
  CHECK(decision.rules[p->rule_index.at("overflow")].applies == Tri::unknown);
  CHECK(decision.rules[p->rule_index.at("far_future")].applies == Tri::unknown);
  CHECK(decision.outcome == Outcome::undetermined);
  CompiledPolicy compiled(p);
  auto facts = compiled.make_facts();
  compiled.load_facts(*bound.facts, facts);
  auto scratch = compiled.make_scratch();
  CHECK(compiled.decide(facts, scratch) == Outcome::undetermined);
  // One less and it fits: the permit applies.
  auto fits = parse_request(*p, R"({"request": {"in_writing": true, "periods": 0, "signers": [], "signed_by": "field_officer"},
      "interpretations": {"lenient": true}})", "req");
  REQUIRE(fits.facts);
  CHECK(decide(*p, *fits.facts).rules[p->rule_index.at("overflow")].applies == Tri::true_);
  CHECK(checked_add(INT64_MAX, 1) == std::nullopt);
  CHECK(checked_negate(INT64_MIN) == std::nullopt);
  CHECK(checked_sub(INT64_MIN, 1) == std::nullopt);
  CHECK(checked_add(INT64_MAX - 1, 1) == INT64_MAX);
  CHECK(shift_date(0, static_cast<std::uint8_t>(ast::DurationUnit::years), INT64_MAX) == std::nullopt);
  CHECK(shift_date(0, static_cast<std::uint8_t>(ast::DurationUnit::days), 1) == 1);
}

TEST_CASE("evaluation steps: the smallest budget that decides, and one less is E509 with no decision") {
  auto p = policy();
  auto bound = parse_request(*p, R"({"request": {"in_writing": true}})", "req");
  REQUIRE(bound.facts);
  std::uint64_t low = 1, high = 1000000;  // high decides, low does not
  REQUIRE(!has_errors(decide(*p, *bound.facts, EvalLimits{high}).diagnostics));
  REQUIRE(has_errors(decide(*p, *bound.facts, EvalLimits{low}).diagnostics));
  while (high - low > 1) {
    auto mid = (low + high) / 2;
    (has_errors(decide(*p, *bound.facts, EvalLimits{mid}).diagnostics) ? low : high) = mid;
  }
  auto at_limit = decide(*p, *bound.facts, EvalLimits{high});
  CHECK(at_limit.diagnostics.empty());
  CHECK(at_limit.outcome == Outcome::undetermined);
  auto past = decide(*p, *bound.facts, EvalLimits{high - 1});
  REQUIRE(past.diagnostics.size() == 1);
  CHECK(past.diagnostics[0].code == "E509");
  CHECK(past.authorities.empty());
  CHECK(decide_outcome(*p, *bound.facts, EvalLimits{1}).diagnostics[0].code == "E509");
}

TEST_CASE("a 40-level chain of definitions, each used twice, checks and decides in linear time") {
  std::string rules = "fact a : bool \"a\"\nfact b : bool \"b\"\n";
  rules += "definition d0 \"level 0\" cite \"x(0)\" means a and b\n";
  for (int i = 1; i <= 40; ++i) {
    auto below = "d" + std::to_string(i - 1);
    rules += "definition d" + std::to_string(i) + " \"level " + std::to_string(i) + "\" cite \"x(" + std::to_string(i) +
             ")\" means " + below + " and (" + below + " or b)\n";
  }
  rules += "rule general_rule forbid cite \"x(a)\" when d40\n";
  const auto start = std::chrono::steady_clock::now();
  auto loaded = load_rule_set_from_texts({{"chain.proviso", rules}}, "chain");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  auto bound = parse_request(*loaded.policy, R"({"b": true})", "req");  // `a` unknown: the deciding facts are searched
  REQUIRE(bound.facts);
  auto decision = decide(*loaded.policy, *bound.facts);
  CHECK(decision.outcome == Outcome::undetermined);
  REQUIRE(decision.unknown_facts.size() == 1);
  CHECK(loaded.policy->facts[decision.unknown_facts[0]].path == "a");
  JsonOptions full;
  full.full = true;
  CHECK(!decision_to_json(*loaded.policy, *bound.facts, decision, full).dump().empty());
  CHECK(!decision_to_text(*loaded.policy, *bound.facts, decision).empty());
  CompiledPolicy compiled(loaded.policy);
  auto facts = compiled.make_facts();
  compiled.load_facts(*bound.facts, facts);
  auto scratch = compiled.make_scratch();
  CHECK(compiled.decide(facts, scratch) == Outcome::undetermined);
  CHECK(elapsed_since(start) < std::chrono::seconds(2));  // 2^40 steps would take hours
}

TEST_CASE("a hostile manifest is E502 before yaml-cpp sees it") {
  std::string deep = "name: x\nfiles: " + std::string(60000, '[') + "\n";  // under the manifest's 64 KiB
  auto loaded = load_rule_set_from_texts({{"proviso.yaml", deep}, {"r.proviso", "rule general_rule forbid cite \"x\" when true\n"}}, "m");
  REQUIRE(!loaded.diagnostics.empty());
  CHECK(loaded.diagnostics.front().code == "E502");
  CHECK(loaded.diagnostics.front().message == "the manifest nests deeper than the limit of 8");
  auto nul = load_rule_set_from_texts({{"proviso.yaml", std::string("name: x\0", 8)}}, "m");
  CHECK(nul.diagnostics.front().message == "the manifest contains a NUL byte");
}

TEST_CASE("internal errors are a separate kind: rendered as such, counted as errors") {
  Diagnostics diagnostics{internal_error("an invariant broke")};
  CHECK(has_errors(diagnostics));
  CHECK(has_internal(diagnostics));
  CHECK(render(diagnostics[0], SourceMap{}) ==
        "proviso: internal error[E901]: an invariant broke\n"
        "   = help: this is a bug in Proviso, not a mistake in the input; please report it with the input\n");
  Diagnostic user;
  user.code = "E403";
  CHECK_FALSE(has_internal({user}));
}

TEST_CASE("the C API: a NULL argument is E902 (status 2), a duplicate key E412 (status 4), never status 70") {
  proviso_policy* policy = nullptr;
  char* error = nullptr;
  REQUIRE(proviso_policy_builtin(&policy, &error) == PROVISO_OK);
  char* decision = nullptr;
  CHECK(proviso_decide(policy, nullptr, 0, 0, &decision, &error) == PROVISO_ERROR_ARGUMENT);
  REQUIRE(error != nullptr);
  CHECK(json::parse(error)["code"] == "E902");
  proviso_string_free(error);
  error = nullptr;
  const std::string duplicate = R"({"request": {"in_writing": true, "in_writing": false}})";
  CHECK(proviso_decide(policy, duplicate.data(), duplicate.size(), 0, &decision, &error) == PROVISO_ERROR_REQUEST);
  REQUIRE(error != nullptr);
  CHECK(json::parse(error)["code"] == "E412");
  proviso_string_free(error);
  proviso_policy_free(policy);
}

TEST_CASE("the C API: PROVISO_NO_COUNTERFACTUALS leaves them out of a full decision, and an unknown flag is E902") {
  proviso_policy* policy = nullptr;
  char* error = nullptr;
  REQUIRE(proviso_policy_builtin(&policy, &error) == PROVISO_OK);
  char* decision = nullptr;
  const std::string ice = R"({"request": {"in_writing": true, "signed_by": "component_head"}})";
  REQUIRE(proviso_decide(policy, ice.data(), ice.size(), PROVISO_DETAIL_FULL, &decision, &error) == PROVISO_OK);
  CHECK(json::parse(decision).contains("counterfactuals"));
  proviso_string_free(decision);
  REQUIRE(proviso_decide(policy, ice.data(), ice.size(), PROVISO_DETAIL_FULL | PROVISO_NO_COUNTERFACTUALS, &decision, &error) == PROVISO_OK);
  const auto without = json::parse(decision);
  CHECK(without.contains("considered"));
  CHECK_FALSE(without.contains("counterfactuals"));
  proviso_string_free(decision);
  CHECK(proviso_decide(policy, ice.data(), ice.size(), 8u, &decision, &error) == PROVISO_ERROR_ARGUMENT);
  REQUIRE(error != nullptr);
  CHECK(json::parse(error)["code"] == "E902");
  proviso_string_free(error);
  proviso_policy_free(policy);
}

TEST_CASE("integers at the ends of int64 bind, and one past either end is refused in JSON and YAML, never wrapped") {
  CHECK(first(R"({"request": {"periods": 9223372036854775807}})").empty());
  CHECK(first(R"({"request": {"periods": -9223372036854775808}})").empty());
  CHECK(first("request:\n  periods: 9223372036854775807\n").empty());
  for (const char* past : {R"({"request": {"periods": 9223372036854775808}})", R"({"request": {"periods": 18446744073709551615}})",
                           R"({"request": {"periods": -9223372036854775809}})", "request:\n  periods: 9223372036854775808\n",
                           "request:\n  periods: -9223372036854775809\n"}) {
    INFO(past);
    CHECK(first(past).starts_with("E403 req: $.request.periods `request.periods` must be an integer from -9223372036854775808"));
  }
  // A decimal stays a wrong type, not a range problem.
  CHECK(first(R"({"request": {"periods": 1.5}})") == "E403 req: $.request.periods `request.periods` must be an integer, but the request gives a decimal number");
  auto bound = parse_request(*policy(), R"({"request": {"periods": 9223372036854775807}})", "req");
  REQUIRE(bound.facts);
  CHECK(bound.facts->values[policy()->fact_index.at("request.periods")].integer == INT64_MAX);
}
