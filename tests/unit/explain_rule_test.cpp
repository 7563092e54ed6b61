// explain-rule: a rule in plain English from its phrases.
#include <doctest/doctest.h>

#include <sstream>

#include "engine/explain_rule.hpp"
#include "engine/load.hpp"

using namespace proviso;

TEST_CASE("explain-rule: effect, conditions, nested blocks, what defeats it and what it defeats") {
  auto loaded = load_rule_set_from_texts({{"r.proviso", R"rules(
fact a : bool "fact a"
fact b : bool "fact b"
fact c : bool "fact c"
rule general_rule forbid
  cite "26 U.S.C. § 6103(a)"
  title "Returns are confidential"
rule p permit
  cite "26 U.S.C. § 6103(x)"
  title "Disclosure on request"
  exception to general_rule
  when all of {
    a "the request is in writing" cite "(x)(1)"
    any of {
      b "the head signed it"
      c
    }
  }
  oblige "record the disclosure" cite "(p)(3)(A)"
rule bar limit
  cite "26 U.S.C. § 6103(y)"
  title "No disclosure that would identify an informant"
  exception to p
  when c "an informant would be identified"
)rules"}}, "test");
  REQUIRE(loaded.policy);
  const auto& policy = *loaded.policy;
  auto text = explain_rule(policy, policy.rule_index.at("p"));
  CHECK(text.find("p — 26 U.S.C. § 6103(x)\nDisclosure on request\n") == 0);
  CHECK(text.find("It permits the disclosure when all of these hold:\n"
                  "  - the request is in writing  [26 U.S.C. § 6103(x)(1)]\n"
                  "  - any of these:\n"
                  "    - the head signed it\n"
                  "    - `c`\n") != std::string::npos);
  CHECK(text.find("when in force defeats:\n  - `general_rule` (26 U.S.C. § 6103(a)): Returns are confidential") != std::string::npos);
  CHECK(text.find("one of these is in force:\n  - `bar` (26 U.S.C. § 6103(y))") != std::string::npos);
  CHECK(text.find("record the disclosure  [26 U.S.C. § 6103(p)(3)(A)]") != std::string::npos);
  auto limit = explain_rule(policy, policy.rule_index.at("bar"));
  CHECK(limit.find("It takes away the exceptions it names") != std::string::npos);
  CHECK(limit.find("When it applies it takes away:\n  - `p`") != std::string::npos);
  CHECK(explain_rule(policy, policy.rule_index.at("general_rule")).find("forbids the disclosure always") != std::string::npos);
  CHECK(rule_summary(policy, policy.rule_index.at("p")) ==
        "Permits the disclosure (26 U.S.C. § 6103(x)) when 2 conditions hold; an exception to general_rule; defeated by bar.");
}

TEST_CASE("explain-rule: every § 6103 rule reads in plain English, with no condition left as source text") {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  for (std::size_t r = 0; r < loaded.policy->rules.size(); ++r) {
    auto text = explain_rule(*loaded.policy, static_cast<std::int32_t>(r));
    INFO(text);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      // A bullet in backticks is source text, unless it names a rule: `id` (citation).
      auto tick = line.find("- `");
      if (tick != std::string::npos && line.find_first_not_of(' ') == tick) CHECK(line.find("` (26 U.S.C.") != std::string::npos);
    }
    CHECK(text.find(loaded.policy->rules[r].cite.text) != std::string::npos);
  }
}
