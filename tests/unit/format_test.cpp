// The formatter: canonical layout, comments kept, idempotence, and that
// formatting the shipped rule files changes no decision.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/load.hpp"
#include "engine/scenario.hpp"
#include "grammar/format.hpp"

using namespace proviso;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string fmt(std::string_view text) {
  auto result = format_text(text);
  INFO(render_all(result.diagnostics, SourceMap{}));
  REQUIRE(result.text);
  return *result.text;
}

// fmt(fmt(x)) == fmt(x), and parse(fmt(x)) == parse(x) modulo spans (format_text checks that).
void check_round_trip(const std::string& name, std::string_view text) {
  INFO("file: " << name);
  auto once = fmt(text);
  CHECK(fmt(once) == once);
  auto a = parse_rule_file(text, 0), b = parse_rule_file(once, 0);
  std::string difference;
  CHECK_MESSAGE(same_syntax(a.file, b.file, &difference), difference);
}

std::vector<fs::path> rule_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".proviso") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("fmt: parentheses only where precedence needs them") {
  CHECK(fmt("rule r permit cite \"x\" when ((a) and (b or c))") ==
        "rule r permit\n  cite \"x\"\n  when a and (b or c)\n");
  CHECK(fmt("rule r permit cite \"x\" when (a or b) or (c or d)") ==
        "rule r permit\n  cite \"x\"\n  when a or b or (c or d)\n");
  CHECK(fmt("rule r permit cite \"x\" when not a == b") == "rule r permit\n  cite \"x\"\n  when not (a == b)\n");
  CHECK(fmt("rule r permit cite \"x\" when not ((not a))") == "rule r permit\n  cite \"x\"\n  when not not a\n");
  CHECK(fmt("rule r permit cite \"x\" when (not a) == b") == "rule r permit\n  cite \"x\"\n  when (not a) == b\n");
  CHECK(fmt("rule r permit cite \"x\" when x - (y - z) > -(-w)") ==
        "rule r permit\n  cite \"x\"\n  when x - (y - z) > --w\n");
  CHECK(fmt("rule r permit cite \"x\" when (d + 30 days) is known") ==
        "rule r permit\n  cite \"x\"\n  when d + 30 days is known\n");
}

TEST_CASE("fmt: a block condition that starts with `-` or a string keeps its parentheses") {
  auto text = fmt("rule r permit cite \"x\" when all of { a (-b < 1) c (\"s\" == d) }");
  CHECK(text == "rule r permit\n  cite \"x\"\n  when all of {\n    a\n    (-b < 1)\n    c\n    (\"s\" == d)\n  }\n");
}

TEST_CASE("fmt: comments stay, on their own line or at the end of the line they followed") {
  const char* source =
      "# header\n"
      "\n"
      "\n"
      "fact a : bool \"a\"   # trailing\n"
      "fact b : bool \"b\"\n"
      "# between\n"
      "\n"
      "rule r permit  # on the header\n"
      "  # before cite\n"
      "  cite \"x\"\n"
      "  when all of {   # after the brace\n"
      "    a \"a holds\"   # after a\n"
      "    # before b\n"
      "    b\n"
      "    # at the end of the block\n"
      "  }\n"
      "# at the end\n";
  CHECK(fmt(source) ==
        "# header\n"
        "\n"
        "fact a : bool \"a\"  # trailing\n"
        "fact b : bool \"b\"\n"
        "# between\n"
        "\n"
        "rule r permit  # on the header\n"
        "  # before cite\n"
        "  cite \"x\"\n"
        "  when all of {\n"
        "    # after the brace\n"
        "    a \"a holds\"  # after a\n"
        "    # before b\n"
        "    b\n"
        "    # at the end of the block\n"
        "  }\n"
        "# at the end\n");
}

TEST_CASE("fmt: long lists and texts wrap, strings keep their exact value") {
  std::string elements;
  for (int i = 0; i < 30; ++i) elements += (i ? ", value_" : "value_") + std::to_string(i);
  auto text = fmt("rule r permit cite \"x\" when items intersects {" + elements + "}");
  CHECK(text.find("\n                         value_") != std::string::npos);  // aligned after the brace
  std::string words;
  for (int i = 0; i < 60; ++i) words += "word" + std::to_string(i) + (i % 7 == 0 ? "  " : " ");
  words += "end \\\"quoted\\\" back\\\\slash\\n § ";
  check_round_trip("wrapped doc", "rule r permit cite \"x\" doc \"" + words + "\"");
  auto doc = fmt("rule r permit cite \"x\" doc \"" + words + "\"");
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 124);
}

TEST_CASE("fmt: clauses keep the order they were written in") {
  CHECK(fmt("rule r forbid when a title \"t\" cite \"x\"") == "rule r forbid\n  when a\n  title \"t\"\n  cite \"x\"\n");
  // A `cite` right after a condition is the condition's own citation.
  CHECK(fmt("rule r forbid when a cite \"x\"") == "rule r forbid\n  when a cite \"x\"\n");
  CHECK(fmt("interpretation i \"p\" default true cite \"c\"") == "interpretation i \"p\"\n  default true\n  cite \"c\"\n");
}

TEST_CASE("fmt: enums align their descriptions, facts break before a long description") {
  CHECK(fmt("enum e \"d\" { a \"x\" bbb \"y\" c }") == "enum e \"d\" {\n  a   \"x\"\n  bbb \"y\"\n  c\n}\n");
  std::string long_description(130, 'd');
  CHECK(fmt("fact f.g : set of e \"" + long_description + "\" fixed") ==
        "fact f.g : set of e\n  \"" + long_description + "\" fixed\n");
}

TEST_CASE("fmt: a file with syntax errors is not formatted") {
  auto result = format_text("rule r permit cite");
  CHECK(!result.text);
  CHECK(has_errors(result.diagnostics));
}

TEST_CASE("fmt: every shipped rule file, golden and documentation example round-trips and is idempotent") {
  const fs::path root(PROVISO_SOURCE_DIR);
  std::size_t files = 0;
  for (const auto& dir : {root / "rules", root / "tests/golden"})
    for (const auto& file : rule_files(dir)) {
      auto text = slurp(file);
      if (has_errors(parse_rule_file(text, 0).diagnostics)) continue;  // goldens of syntax errors
      check_round_trip(file.string(), text);
      ++files;
    }
  CHECK(files >= 19);
}

TEST_CASE("fmt golden files: input -> canonical layout") {
  const fs::path dir = fs::path(PROVISO_SOURCE_DIR) / "tests/golden/format";
  std::size_t cases = 0;
  for (const auto& file : rule_files(dir)) {
    if (file.string().ends_with(".formatted.proviso")) continue;
    auto expected_path = file;
    expected_path.replace_extension(".formatted.proviso");
    auto actual = fmt(slurp(file));
    if (std::getenv("UPDATE_GOLDEN")) std::ofstream(expected_path, std::ios::binary) << actual;
    INFO("golden file: " << expected_path.string() << " (regenerate with UPDATE_GOLDEN=1)");
    CHECK(slurp(expected_path) == actual);
    ++cases;
  }
  CHECK(cases >= 1);
}

TEST_CASE("fmt: formatting the shipped rule set changes no scenario's decision") {
  RuleSetFiles original = builtin_rule_files(), formatted;
  for (const auto& [name, text] : original)
    formatted.emplace_back(name, name.ends_with(".proviso") ? fmt(text) : text);
  auto before = load_rule_set_from_texts(original, "before");
  auto after = load_rule_set_from_texts(formatted, "after");
  REQUIRE(before.policy);
  REQUIRE(after.policy);
  auto scenarios = load_scenarios(fs::path(PROVISO_SOURCE_DIR) / "rules/us/irc-6103/tests");
  REQUIRE(scenarios.scenarios.size() > 100);
  for (const auto& scenario : scenarios.scenarios) {
    auto a = run_scenario(*before.policy, scenario), b = run_scenario(*after.policy, scenario);
    INFO(scenario.name);
    CHECK(a.passed == b.passed);
    REQUIRE(a.decision.has_value() == b.decision.has_value());
    if (!a.decision) continue;
    CHECK(a.decision->outcome == b.decision->outcome);
    CHECK(a.decision->authorities == b.decision->authorities);
    CHECK(a.decision->conditions == b.decision->conditions);
    CHECK(a.decision->unknown_facts == b.decision->unknown_facts);
  }
}
