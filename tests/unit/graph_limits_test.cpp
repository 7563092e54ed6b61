// Chains of definitions and of exceptions: at the limit they load and decide,
// one past it they are refused with E219 / E308 (every later stage follows
// them on the machine stack); the Cedar export's size guard (E952); and the
// line index that renders thousands of diagnostics in linear time.
#include <doctest/doctest.h>

#include <random>

#include "engine/eval.hpp"
#include "engine/export_cedar.hpp"
#include "engine/load.hpp"
#include "grammar/diagnostic.hpp"

using namespace proviso;

namespace {

// Definitions d0..d{n-1}, each meaning the one before; the permit's condition is d{n-1}.
std::string definition_chain(int n) {
  std::string rules = "fact a : bool \"a\"\ndefinition d0 \"d0 holds\" cite \"x(a)\" means a\n";
  for (int i = 1; i < n; ++i)
    rules += "definition d" + std::to_string(i) + " \"d" + std::to_string(i) + " holds\" cite \"x(a)\" means d" + std::to_string(i - 1) + "\n";
  rules += "rule general_rule forbid cite \"x(a)\"\n";
  rules += "rule p permit cite \"x(b)\" exception to general_rule when d" + std::to_string(n - 1) + " \"it holds\"\n";
  return rules;
}

// Rules r0..r{n-1} below the general rule, each an exception to the one before.
std::string exception_chain(int n) {
  std::string rules = "fact a : bool \"a\"\nrule general_rule forbid cite \"x(a)\"\n";
  for (int i = 0; i < n; ++i)
    rules += "rule r" + std::to_string(i) + (i % 2 == 0 ? " permit" : " forbid") + " cite \"x(b)\" exception to " +
             (i == 0 ? std::string("general_rule") : "r" + std::to_string(i - 1)) + " when a \"a holds\"\n";
  return rules;
}

std::vector<std::string> codes(const LoadResult& loaded) {
  std::vector<std::string> out;
  for (const auto& d : loaded.diagnostics)
    if (d.severity == Severity::error) out.push_back(d.code);
  return out;
}

Outcome decide_text(const Policy& policy, const std::string& request) {
  auto bound = parse_request(policy, request, "req");
  REQUIRE(bound.facts);
  return decide(policy, *bound.facts).outcome;
}

}  // namespace

TEST_CASE("a condition 256 levels deep through definitions loads and decides, and 257 is E219") {
  // d0 `means a` is one level, each definition above adds one, and the rule's
  // condition naming the last one more: a chain of 255 definitions is 256 levels.
  auto at_limit = load_rule_set_from_texts({{"chain.proviso", definition_chain(255)}}, "chain");
  INFO(render_all(at_limit.diagnostics, at_limit.sources));
  REQUIRE(at_limit.policy);
  CHECK(decide_text(*at_limit.policy, R"({"a": true})") == Outcome::permitted);
  CHECK(decide_text(*at_limit.policy, R"({})") == Outcome::undetermined);

  auto past = load_rule_set_from_texts({{"chain.proviso", definition_chain(256)}}, "chain");
  CHECK_FALSE(past.policy);
  CHECK(codes(past) == std::vector<std::string>{"E219"});
  const auto text = render_all(past.diagnostics, past.sources);
  CHECK(text.find("the condition of rule `p` nests 257 levels deep") != std::string::npos);
}

TEST_CASE("a definition over the limit is named, with the chain that makes it deep") {
  auto past = load_rule_set_from_texts({{"chain.proviso", definition_chain(400)}}, "chain");
  CHECK_FALSE(past.policy);
  REQUIRE(codes(past) == std::vector<std::string>{"E219"});
  const auto text = render_all(past.diagnostics, past.sources);
  CHECK(text.find("definition `d256` nests 257 levels deep") != std::string::npos);
  CHECK(text.find("(`d256` → `d255` → `d254` → `d253` → …)") != std::string::npos);
  CHECK(text.find("chain.proviso:258:12") != std::string::npos);
}

TEST_CASE("256 rules chained by `exception to` load and decide, and 257 is E308") {
  auto at_limit = load_rule_set_from_texts({{"chain.proviso", exception_chain(255)}}, "chain");  // + the general rule
  INFO(render_all(at_limit.diagnostics, at_limit.sources));
  REQUIRE(at_limit.policy);
  // r254, a permit at the end of the chain, is in force when `a`; it defeats the forbid r253, so the
  // permit r252 stands, and so on down: every permit is in force, every forbid defeated.
  CHECK(decide_text(*at_limit.policy, R"({"a": true})") == Outcome::permitted);
  CHECK(decide_text(*at_limit.policy, R"({"a": false})") == Outcome::denied);

  auto past = load_rule_set_from_texts({{"chain.proviso", exception_chain(256)}}, "chain");
  CHECK_FALSE(past.policy);
  CHECK(codes(past) == std::vector<std::string>{"E308"});
  CHECK(render_all(past.diagnostics, past.sources).find("rule `r255` is an exception in a chain of 257 rules") != std::string::npos);
}

TEST_CASE("a cycle of exceptions is still E303 with its path, found without recursion") {
  const std::string rules =
      "fact a : bool \"a\"\nrule general_rule forbid cite \"x(a)\"\n"
      "rule p permit cite \"x(b)\" exception to general_rule, q when a \"a holds\"\n"
      "rule q limit cite \"x(c)\" exception to r when a \"a holds\"\n"
      "rule r limit cite \"x(d)\" exception to p when a \"a holds\"\n";
  auto loaded = load_rule_set_from_texts({{"cycle.proviso", rules}}, "cycle");
  CHECK_FALSE(loaded.policy);
  REQUIRE(codes(loaded) == std::vector<std::string>{"E303"});
  CHECK(render_all(loaded.diagnostics, loaded.sources).find("in a cycle: `p` → `q` → `r` → `p`") != std::string::npos);
}

TEST_CASE("the Cedar export refuses a condition that sharing would multiply past 4 MiB") {
  // Each level is an exception to both rules below it: Cedar writes each out at every use.
  std::string rules = "fact a : bool \"a\"\nfact b : bool \"b\"\nrule general_rule forbid cite \"x(a)\"\n";
  std::string below = "general_rule";
  for (int level = 0; level < 30; ++level) {
    const auto kind = level % 2 == 0 ? " permit" : " limit";
    const auto l = "l" + std::to_string(level);
    rules += "rule " + l + "a" + kind + " cite \"x(b)\" exception to " + below + " when a \"a holds\"\n";
    rules += "rule " + l + "b" + kind + " cite \"x(b)\" exception to " + below + " when b \"b holds\"\n";
    below = l + "a, " + l + "b";
  }
  auto loaded = load_rule_set_from_texts({{"lattice.proviso", rules}}, "lattice");
  REQUIRE(loaded.policy);
  auto exported = export_cedar(*loaded.policy);
  REQUIRE(exported.diagnostics.size() == 1);
  CHECK(exported.diagnostics[0].code == "E952");
  CHECK(exported.diagnostics[0].message.find("more than 4 MiB of Cedar") != std::string::npos);

  // A few levels export as before.
  std::string small = "fact a : bool \"a\"\nfact b : bool \"b\"\nrule general_rule forbid cite \"x(a)\"\n"
                      "rule p permit cite \"x(b)\" exception to general_rule when a \"a holds\"\n"
                      "rule q limit cite \"x(c)\" exception to p when b \"b holds\"\n";
  auto few = load_rule_set_from_texts({{"few.proviso", small}}, "few");
  REQUIRE(few.policy);
  CHECK(export_cedar(*few.policy).diagnostics.empty());
}

TEST_CASE("the line index gives the same line and column as scanning, at every offset") {
  std::mt19937 rng(6103);
  const std::string pieces[] = {"a", "§", "\n", "\r\n", " ", "é", "\t", "\n\n"};
  for (int round = 0; round < 20; ++round) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += pieces[rng() % std::size(pieces)];
    SourceMap sources;
    const auto& source = sources.get(sources.add("t", text));
    for (std::uint32_t offset = 0; offset <= text.size() + 2; ++offset) {
      const auto scanned = line_col(text, offset);
      const auto indexed = source.position(offset);
      REQUIRE(indexed.line == scanned.line);
      REQUIRE(indexed.column == scanned.column);
    }
  }
}
