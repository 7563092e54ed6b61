// Unit tests of grammar/parser's errors: recovery, every syntax diagnostic
// (E101-E114), and robustness on random token soup and arbitrary bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "parser_fixture.hpp"

using namespace proviso;
using namespace proviso::testing;

TEST_CASE("recovery: three broken declarations give three errors, the good ones are kept") {
  const auto p = parse(
      "enum color { red green\n"           // missing }
      "fact ok.one : bool \"fine\"\n"
      "rule broken permit when a ==\n"      // missing operand
      "rule good permit\n"
      "  cite \"x\"\n"
      "fact : bool\n"                       // missing path
      "enum fine { a b }\n");
  REQUIRE(p.result.diagnostics.size() == 3);
  CHECK(where(p, "E103") == "2:1");
  CHECK(p.result.diagnostics[0].message == "expected `}` to close the enum, found `fact`");
  CHECK(p.result.diagnostics[1].message == "expected an expression after `==`, found `rule`");
  CHECK(p.result.diagnostics[2].message == "expected a fact path after `fact`, found `:`");
  REQUIRE(p.result.file.declarations.size() == 3);
  CHECK(decl<ast::FactDecl>(p, 0).path.value == "ok.one");
  CHECK(decl<ast::RuleDecl>(p, 1).id.value == "good");
  CHECK(decl<ast::EnumDecl>(p, 2).values.size() == 2);
  for (const Diagnostic& d : p.result.diagnostics) {
    CHECK_FALSE(d.help.empty());
    CHECK(d.severity == Severity::error);
    CHECK(d.source == 0);
  }
}

TEST_CASE("E101: invalid UTF-8 at the first bad byte") {
  const auto p = parse("fact a : bool \"caf\xC3\"\nfact b : bool \xFF\n");
  REQUIRE_FALSE(p.result.diagnostics.empty());
  CHECK(where(p, "E101") == "1:19");
  CHECK(p.result.diagnostics[0].help == "save the file as UTF-8");
  CHECK(p.result.file.declarations.empty());
  CHECK(where(parse("\xED\xA0\x80"), "E101") == "1:1");  // a surrogate
  CHECK(where(parse("ok \xF4\x90\x80\x80"), "E101") == "1:4");  // above U+10FFFF
  CHECK(parse("fact a : bool \"§ – ✓ 𝄞\"").result.diagnostics.empty());
}

TEST_CASE("E102: NUL byte") {
  const auto p = parse(std::string("fact a : bool\nfact b\0 : bool\n", 29));
  CHECK(where(p, "E102") == "2:7");
  CHECK(p.result.file.declarations.empty());
}

TEST_CASE("E103: messages name what was expected and what was found") {
  CHECK(only(parse("enum color red green }")).message == "expected `{` after the enum name, found `red`");
  CHECK(only(parse("fact a bool")).message == "expected `:` after the fact path, found `bool`");
  CHECK(only(parse("fact a : 42")).message == "expected a type after `:`, found `42`");
  CHECK(only(parse("rule r permit when (a or b")).message == "expected `)` to close the parenthesis, found the end of the file");
  CHECK(only(parse("rule r permit when a < b < c")).message == "comparisons cannot be chained: `<` follows another comparison");
  CHECK(only(parse("rule r permit when x is true")).message == "expected `known` or `unknown` after `is`, found `true`");
  CHECK(only(parse("rule r permit when all { a }")).message == "expected `of` after `all`, found `{`");
  CHECK(only(parse("rule r permit exception to when")).message == "expected a rule id after `exception to`, found `when`");
  CHECK(only(parse("interpretation i default maybe")).message == "expected `true` or `false` after `default`, found `maybe`");
  const auto p = parse("rule r permit\n  when x in {a, }");
  CHECK(where(p, "E103") == "2:17");
}

TEST_CASE("E104: unterminated string, at the opening quote") {
  const auto p = parse("rule r permit\n  title \"never closed\nrule s forbid\n");
  CHECK(where(p, "E104") == "2:9");
  CHECK(only(p).help == "close the string with `\"`");
  REQUIRE(p.result.file.declarations.size() == 1);  // recovery at `rule s`
  CHECK(decl<ast::RuleDecl>(p, 0).id.value == "s");
}

TEST_CASE("E105: a file over the size limit is rejected before parsing") {
  const auto p = parse(std::string(10u << 20, ' '));
  CHECK(only(p).code == "E105");
  CHECK(only(p).message == "file is 10485760 bytes, more than the limit of 1048576");
  ParseLimits small;
  small.max_file_bytes = 10;
  CHECK(only(parse("fact a : bool", small)).code == "E105");
  CHECK(parse("fact a:int", small).result.diagnostics.empty());  // exactly at the limit
}

TEST_CASE("E106: deep nesting is rejected promptly, without recursing") {
  const auto start = std::chrono::steady_clock::now();
  const auto p = parse("rule r permit when " + std::string(20000, '(') + "a" + std::string(20000, ')') +
                       "\nrule s forbid\n");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(2));
  CHECK(only(p).code == "E106");
  CHECK(only(p).message == "expressions nest deeper than the limit of 128");
  CHECK(where(p, "E106") == "1:148");  // the 129th `(`
  REQUIRE(p.result.file.declarations.size() == 1);
  CHECK(decl<ast::RuleDecl>(p, 0).id.value == "s");

  // At the limit it parses; one past it does not.
  CHECK(parse("rule r permit when " + std::string(128, '(') + "a" + std::string(128, ')')).result.diagnostics.empty());
  CHECK(only(parse("rule r permit when " + std::string(129, '(') + "a" + std::string(129, ')'))).code == "E106");

  for (const std::string& unit : {std::string("not "), std::string("- "), std::string("all of { "), std::string("{")}) {
    std::string text = "rule r permit when ";
    for (int i = 0; i < 5000; ++i) text += unit;
    INFO(unit);
    CHECK(only(parse(text + "a")).code == "E106");
  }
  // A long flat chain builds a deep left-nested tree; it is bounded too.
  std::string chain = "rule r permit when a";
  for (int i = 0; i < 50000; ++i) chain += " and a";
  CHECK(only(parse(chain)).code == "E106");
  std::string fine = "rule r permit when a";
  for (int i = 0; i < 500; ++i) fine += " or a";
  CHECK(parse(fine).result.diagnostics.empty());
}

TEST_CASE("E107: the parser stops after max_diagnostics") {
  std::string text;
  for (int i = 0; i < 80; ++i) text += "fact f" + std::to_string(i) + " bool\n";
  const auto p = parse(text);
  REQUIRE(p.result.diagnostics.size() == 51);
  CHECK(p.result.diagnostics.back().code == "E107");
  CHECK(p.result.diagnostics.back().message == "too many errors; stopping after 50");
  CHECK(where(p, "E107") == "51:10");
}

TEST_CASE("E108: a duplicated clause, at the second one") {
  const auto p = parse("rule i2 permit\n  title \"a\"\n  cite \"x\"\n  title \"b\"\n  cite \"y\"\n");
  REQUIRE(p.result.diagnostics.size() == 2);
  CHECK(p.result.diagnostics[0].message == "duplicate `title` clause in rule `i2`");
  CHECK(where(p, "E108") == "4:3");
  CHECK(p.result.diagnostics[0].help == "remove one of them");
  CHECK(p.result.diagnostics[1].message == "duplicate `cite` clause in rule `i2`");
  CHECK(p.result.file.declarations.size() == 1);  // the rule is kept
  CHECK(only(parse("definition d means a means b")).message == "duplicate `means` clause in definition `d`");
  CHECK(only(parse("interpretation i default true default false")).code == "E108");
  CHECK(only(parse("rule r permit exception to a exception to b")).message ==
        "duplicate `exception to` clause in rule `r`");
  CHECK(parse("rule r permit oblige \"a\" oblige \"b\"").result.diagnostics.empty());  // repeatable
}

TEST_CASE("E109: unknown escape sequence") {
  const auto p = parse("fact a : bool \"tab\\there\"");
  CHECK(where(p, "E109") == "1:19");
  CHECK(only(p).message == "unknown escape sequence `\\t` in a string");
}

TEST_CASE("E110: integer out of range") {
  const auto p = parse("rule r permit when x > 9223372036854775808");
  CHECK(where(p, "E110") == "1:24");
  CHECK(parse("rule r permit when x > 9223372036854775807").result.diagnostics.empty());
}

TEST_CASE("E111: a keyword where a declaration names something") {
  const auto p = parse("fact when : bool");
  CHECK(where(p, "E111") == "1:6");
  CHECK(only(p).message == "`when` is a keyword and cannot name a fact");
  CHECK(only(p).help == "choose another name");
  CHECK(only(parse("enum e { a note }")).message == "`note` is a keyword and cannot name an enum value");
  CHECK(only(parse("rule cite permit")).message == "`cite` is a keyword and cannot name a rule");
  CHECK(parse("fact order.when : bool").result.diagnostics.empty());  // later segments may be keywords
}

TEST_CASE("E112: text that does not start a declaration") {
  const auto p = parse("rulle i2 permit\nrule i3 permit\n");
  CHECK(where(p, "E112") == "1:1");
  CHECK(only(p).message ==
        "expected a declaration (`enum`, `fact`, `definition`, `interpretation` or `rule`), found `rulle`");
  CHECK(only(p).help == "did you mean `rule`?");
  CHECK(p.result.file.declarations.size() == 1);
  const auto stray = parse("enum e { a }\n}\n");
  CHECK(where(stray, "E112") == "2:1");
  CHECK(stray.result.file.declarations.size() == 1);
  const auto clause = parse("rule i2 permit\n  titl \"x\"\n");
  CHECK(only(clause).message == "expected a clause of rule `i2` or a new declaration, found `titl`");
  CHECK(only(clause).help == "did you mean `title`?");
}

TEST_CASE("E113: missing effect after the rule id") {
  const auto p = parse("rule i2\n  cite \"x\"\n");
  CHECK(where(p, "E113") == "2:3");
  CHECK(only(p).message == "expected `permit`, `forbid` or `limit` after the rule id, found `cite`");
}

TEST_CASE("E114: missing condition, empty block") {
  const auto p = parse("rule i2 permit when\n  oblige \"x\"\n");
  CHECK(where(p, "E114") == "1:20");
  CHECK(only(p).message == "missing condition after `when`");
  CHECK(where(parse("definition d means"), "E114") == "1:19");
  const auto empty = parse("rule r permit when any of { }");
  CHECK(only(empty).message == "empty `any of` block");
  CHECK(where(empty, "E114") == "1:20");
  CHECK(empty.result.file.declarations.size() == 1);
}

TEST_CASE("never throws, never reads past the text: random token soup") {
  const std::vector<std::string> tokens = {
      "rule", "fact", "enum", "definition", "interpretation", "permit", "forbid", "when", "cite", "id", "title",
      "exception", "to", "oblige", "doc", "note", "means", "default", "true", "false", "all", "any", "none", "of",
      "and", "or", "not", "in", "subset", "superset", "intersects", "is", "known", "unknown", "set", "fixed",
      "{", "}", "(", ")", ",", ":", "==", "!=", "<", "<=", ">", ">=", "+", "-", ".", "x", "a.b", "12", "2.5",
      "2024-01-31", "3 days", "\"s\"", "\"§\"", "\"", "\\", "#c\n", "\n", " ", "\t", "99999999999999999999"};
  std::mt19937 random(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i) text += tokens[random() % tokens.size()] + (random() % 3 ? " " : "");
    // Parse a copy that ends exactly at the text's end, so ASan catches over-reads.
    const std::unique_ptr<char[]> exact(new char[text.size()]);
    std::copy(text.begin(), text.end(), exact.get());
    const ParseResult result = parse_rule_file(std::string_view(exact.get(), text.size()), 0);
    for (const Diagnostic& d : result.diagnostics) {
      CHECK(d.span.begin <= d.span.end);
      CHECK(d.span.end <= text.size());
      CHECK_FALSE(d.message.empty());
    }
  }
}

TEST_CASE("never throws on arbitrary bytes") {
  std::mt19937 random(777);
  for (int round = 0; round < 2000; ++round) {
    std::string text(random() % 64, ' ');
    for (char& c : text) c = static_cast<char>(random() % 4 == 0 ? random() % 256 : 32 + random() % 95);
    const std::unique_ptr<char[]> exact(new char[text.size()]);
    std::copy(text.begin(), text.end(), exact.get());
    const ParseResult result = parse_rule_file(std::string_view(exact.get(), text.size()), 0);
    for (const Diagnostic& d : result.diagnostics) CHECK(d.span.end <= text.size());
  }
}
