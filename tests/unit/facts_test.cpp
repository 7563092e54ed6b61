// Binding requests to facts: every mistake names the path and the expected type.
#include <doctest/doctest.h>

#include <chrono>

#include "engine/facts.hpp"
#include "engine/load.hpp"

using namespace proviso;

namespace {

std::shared_ptr<const Policy> policy() {
  static auto loaded = load_rule_set_from_texts({{"r.proviso", R"rules(
enum signer "who signed" { head_of_agency  field_officer }
fact request.in_writing : bool "in writing"
fact request.signed_by : signer "who signed"
fact request.signers : set of signer "all signers"
fact request.date : date "date"
fact request.periods : integer "periods"
fact request.amount : decimal "amount"
fact request.note : string "note"
interpretation lenient "a lenient reading" cite "x(1)" default false
rule general_rule forbid cite "x(a)" when request.in_writing and request.signed_by == head_of_agency and lenient
  and request.signers is known and request.date is known and request.periods > 0 and request.amount > 0 and request.note == "x"
)rules"}}, "t");
  REQUIRE(loaded.policy);
  return loaded.policy;
}

std::string first_error(std::string_view text, RequestFormat format = RequestFormat::automatic) {
  auto result = parse_request(*policy(), text, "req.json", format);
  if (result.diagnostics.empty()) return "";
  const auto& d = result.diagnostics.front();
  return d.code + " " + d.location + " " + d.message;
}

}  // namespace

TEST_CASE("a well-formed request binds every fact") {
  auto result = parse_request(*policy(), R"({"request": {"in_writing": true, "signed_by": "field_officer",
     "signers": ["head_of_agency"], "date": "2025-04-07", "periods": 3, "amount": 2.5, "note": "n"},
     "interpretations": {"lenient": true}})", "req.json");
  REQUIRE(result.facts);
  CHECK(result.facts->values[policy()->fact_index.at("request.periods")].integer == 3);
  CHECK(result.facts->interpretations[0] == 1);
}

TEST_CASE("YAML requests bind the same way") {
  auto result = parse_request(*policy(), "request:\n  in_writing: true\n  signed_by: field_officer\n  periods: 2\n  note: '12'\n",
                              "req.yaml");
  REQUIRE(result.facts);
  CHECK(result.facts->values[policy()->fact_index.at("request.note")].text == "12");
}

TEST_CASE("request mistakes are diagnostics naming the JSON path") {
  CHECK(first_error(R"({"request": {"in_writting": true}})") ==
        "E402 req.json: $.request.in_writting the request gives `request.in_writting`, which is not a fact of rule set `t`");
  CHECK(first_error(R"({"request": {"in_writing": "yes"}})") ==
        "E403 req.json: $.request.in_writing `request.in_writing` must be true or false, but the request gives a string");
  CHECK(first_error(R"({"request": {"signed_by": "head_of_agncy"}})") ==
        "E404 req.json: $.request.signed_by `head_of_agncy` is not a value of `signer`");
  CHECK(first_error(R"({"request": {"date": "2025-02-30"}})") ==
        "E408 req.json: $.request.date `2025-02-30` is not a calendar date");
  CHECK(first_error(R"({"request": {"periods": 2.5}})").starts_with("E403"));
  CHECK(first_error(R"({"request": 3})").starts_with("E403"));
  CHECK(first_error(R"({"interpretations": {"strict": true}})").starts_with("E407"));
  CHECK(first_error(R"([1, 2])").starts_with("E409"));
  CHECK(first_error("").starts_with("E409"));
  CHECK(first_error(R"({"request": {"in_writing": true,}})").starts_with("E401 req.json:1:"));
  CHECK(first_error("request: [unclosed\n", RequestFormat::yaml).starts_with("E410"));
}

TEST_CASE("deep and large requests are refused quickly") {
  const auto start = std::chrono::steady_clock::now();
  std::string deep(20000, '[');
  deep += std::string(20000, ']');
  CHECK(first_error(deep).starts_with("E405"));
  CHECK(first_error(deep, RequestFormat::yaml).starts_with("E405"));
  std::string nested_objects;
  for (int i = 0; i < 20000; ++i) nested_objects += "{\"a\":";
  nested_objects += "1" + std::string(20000, '}');
  CHECK(first_error(nested_objects).starts_with("E405"));
  std::string big = "{\"request\": {\"note\": \"" + std::string(2u << 20, 'x') + "\"}}";
  CHECK(first_error(big).starts_with("E406"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));  // a hang guard, not a benchmark
}

TEST_CASE("invalid UTF-8 and NUL bytes in a request are errors") {
  CHECK(first_error("{\"request\": {\"note\": \"\xff\"}}").starts_with("E401"));
  CHECK(first_error(std::string("{\"request\": {\"note\": \"a\0b\"}}", 28)).starts_with("E401"));
}
