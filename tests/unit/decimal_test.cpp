// Decimals are exact to six places (engine/value.hpp): what a rule writes and
// a request gives compare as written, in both evaluators, and a number that
// cannot be held exactly is refused rather than rounded.
#include <doctest/doctest.h>
#include <proviso/proviso.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "engine/value.hpp"
#include "grammar/lexical.hpp"

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

const char* kRules = R"rules(
fact a : decimal "the first amount"
fact b : decimal "the second amount"
fact count : integer "a count"

rule general forbid
  cite "X § 1"
  when true

rule small_sum permit
  cite "X § 2"
  exception to general
  when all of {
    a + b <= 0.3          "the sum is at most 0.3"
    a - b < -0.099999     "a is less than b by more than 0.099999"
    count + 0.5 > 2       "the count and a half is more than 2"
    -a >= -0.1            "a is at most 0.1"
  }
)rules";

std::shared_ptr<proviso::Policy> policy() {
  auto loaded = proviso::Policy::from_texts({{"rules.proviso", kRules}}, "test");
  REQUIRE(loaded);
  return std::make_shared<proviso::Policy>(std::move(*loaded));
}

// The outcome from the tracing evaluator and from the compiled one, which must agree.
std::string both(const proviso::Policy& p, const std::string& request) {
  auto decision = p.decide(std::string_view(request), proviso::RequestFormat::json);
  proviso::LineDecider fast(p);
  std::string line;
  auto outcome = fast.decide(request, line);
  INFO(request << " -> " << line);
  if (!decision) {
    REQUIRE_FALSE(outcome);
    CHECK(nlohmann::json::parse(line)["error"]["code"] == decision.diagnostics.front().code);
    return "error " + decision.diagnostics.front().code;
  }
  REQUIRE(outcome);
  CHECK(*outcome == decision->outcome());
  return std::string(decision->outcome_name());
}

}  // namespace

TEST_CASE("a decimal literal is read exactly in millionths, and refused past six places or the range") {
  using proviso::lexical::decimal_millionths;
  CHECK(decimal_millionths("0.1") == 100000);
  CHECK(decimal_millionths("12") == 12000000);
  CHECK(decimal_millionths("-0.000001") == -1);
  CHECK(decimal_millionths("2.50") == 2500000);
  CHECK(decimal_millionths("9223372036854.775807") == kMax);
  CHECK(decimal_millionths("-9223372036854.775808") == kMin);
  CHECK_FALSE(decimal_millionths("9223372036854.775808"));
  CHECK_FALSE(decimal_millionths("1.1234567"));
  CHECK_FALSE(decimal_millionths("1."));
  CHECK_FALSE(decimal_millionths(".5"));
  CHECK_FALSE(decimal_millionths(""));
  CHECK_FALSE(decimal_millionths("-"));
  CHECK_FALSE(decimal_millionths("1e3"));
  CHECK_FALSE(decimal_millionths("1.2.3"));
}

TEST_CASE("a JSON number becomes a decimal only when it has at most six places and fits") {
  CHECK(proviso::decimal_from_double(0.1) == 100000);
  CHECK(proviso::decimal_from_double(-2.5) == -2500000);
  CHECK(proviso::decimal_from_double(1234567.654321) == 1234567654321);
  CHECK(proviso::decimal_from_double(-0.0) == 0);
  CHECK_FALSE(proviso::decimal_from_double(0.1 + 0.2));  // 0.30000000000000004
  CHECK_FALSE(proviso::decimal_from_double(1e-7));
  CHECK_FALSE(proviso::decimal_from_double(1e13));
  CHECK_FALSE(proviso::decimal_from_double(std::nan("")));
  CHECK_FALSE(proviso::decimal_from_double(std::numeric_limits<double>::infinity()));
  CHECK(proviso::decimal_from_integer(-7) == -7000000);
  CHECK_FALSE(proviso::decimal_from_integer(kMax / 1000));
  CHECK(proviso::decimal_to_double(300000) == 0.3);
}

TEST_CASE("an integer and a decimal compare exactly, even where the integer has no decimal") {
  using proviso::compare_numbers;
  CHECK(compare_numbers(2, false, 2500000, true) == -1);
  CHECK(compare_numbers(3, false, 2500000, true) == 1);
  CHECK(compare_numbers(2, false, 2000000, true) == 0);
  CHECK(compare_numbers(-3, false, -2500000, true) == -1);
  CHECK(compare_numbers(-2, false, -2500000, true) == 1);
  CHECK(compare_numbers(-2500000, true, -2, false) == -1);
  CHECK(compare_numbers(kMax, false, kMax, true) == 1);  // 9.2e18 against 9.2e12
  CHECK(compare_numbers(kMin, false, kMin, true) == -1);
  CHECK(compare_numbers(1, true, 0, false) == 1);        // 0.000001 > 0
  CHECK(compare_numbers(-1, true, 0, false) == -1);
}

TEST_CASE("a decimal's floor is the greatest integer not above it, below zero too") {
  using proviso::decimal_floor;
  CHECK(decimal_floor(2500000) == 2);
  CHECK(decimal_floor(-2500000) == -3);
  CHECK(decimal_floor(-3000000) == -3);
  CHECK(decimal_floor(-1) == -1);  // -0.000001
  CHECK(decimal_floor(0) == 0);
  CHECK(decimal_floor(999999) == 0);
  CHECK(decimal_floor(kMin) == -9223372036855);
  CHECK(decimal_floor(kMax) == 9223372036854);
}

TEST_CASE("decimal arithmetic is exact in both evaluators: 0.1 + 0.2 <= 0.3") {
  auto p = policy();
  CHECK(both(*p, R"({"a": 0.1, "b": 0.2, "count": 2})") == "permitted");
  CHECK(both(*p, R"({"a": 0.100001, "b": 0.2, "count": 2})") == "denied");   // the sum is past 0.3, and -a < -0.1
  CHECK(both(*p, R"({"a": 0.1, "b": 0.199999, "count": 2})") == "denied");   // a - b is -0.099999, not less
  CHECK(both(*p, R"({"a": 0.1, "b": 0.2, "count": 1})") == "denied");        // 1.5 is not more than 2
  CHECK(both(*p, R"({"a": 0, "b": 0.3, "count": 2})") == "permitted");       // integers in a decimal fact
  CHECK(both(*p, R"({"a": 0.1, "count": 2})") == "undetermined");
}

TEST_CASE("arithmetic past the decimal range is unknown, not wrapped, in both evaluators") {
  auto p = policy();
  CHECK(both(*p, R"({"a": -9223372036854.775808, "b": -9223372036854, "count": 2})") == "undetermined");
}

TEST_CASE("a request decimal with more than six places, or past the range, is refused with E403 and a hint") {
  auto p = policy();
  CHECK(both(*p, R"({"a": 0.1234567, "b": 0.2, "count": 2})") == "error E403");
  CHECK(both(*p, R"({"a": 10000000000000, "b": 0.2, "count": 2})") == "error E403");
  CHECK(both(*p, R"({"a": 1e300, "b": 0.2, "count": 2})") == "error E403");
  auto refused = p->decide(std::string_view(R"({"a": 0.1234567})"), proviso::RequestFormat::json);
  REQUIRE_FALSE(refused);
  CHECK(refused.diagnostics.front().message.find("six places") != std::string::npos);
  CHECK(refused.diagnostics.front().location.find("a") != std::string::npos);
}

TEST_CASE("a decimal literal with more than six places is refused when the rules load (E110)") {
  auto loaded = proviso::Policy::from_texts({{"rules.proviso", R"(fact a : decimal "a"
rule r permit
  cite "X"
  when a > 0.1234567 "a is large"
)"}},
                                            "test");
  REQUIRE_FALSE(loaded);
  const auto e110 = std::find_if(loaded.diagnostics.begin(), loaded.diagnostics.end(),
                                 [](const auto& d) { return d.code == "E110"; });
  REQUIRE(e110 != loaded.diagnostics.end());
  CHECK(e110->message.find("six decimal places") != std::string::npos);
}
