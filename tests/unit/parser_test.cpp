// Unit tests of grammar/parser: the syntax of docs/language.md, spans,
// precedence, error recovery and every syntax diagnostic (E101-E114).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "grammar/parser.hpp"

using namespace proviso;
using Kind = ast::Expr::Kind;

namespace {

struct Parsed {
  std::string text;
  ParseResult result;
  std::string_view at(Span span) const { return std::string_view(text).substr(span.begin, span.end - span.begin); }
};

Parsed parse(std::string text, const ParseLimits& limits = {}) {
  Parsed p{std::move(text), {}};
  p.result = parse_rule_file(p.text, 0, limits);
  return p;
}

template <typename Decl>
const Decl& decl(const Parsed& p, std::size_t index) {
  REQUIRE(index < p.result.file.declarations.size());
  const auto* d = std::get_if<Decl>(&p.result.file.declarations[index]);
  REQUIRE(d != nullptr);
  return *d;
}

// The expression of `rule r permit when EXPR`.
struct ParsedExpr {
  Parsed parsed;
  const ast::Expr& expr() const { return decl<ast::RuleDecl>(parsed, 0).when->expr; }
};

ParsedExpr parse_expr(const std::string& expr) {
  ParsedExpr p{parse("rule r permit when " + expr + "\n")};
  INFO(expr);
  REQUIRE(p.parsed.result.diagnostics.empty());
  REQUIRE(decl<ast::RuleDecl>(p.parsed, 0).when.has_value());
  return p;
}

// A compact rendering of an expression tree, for shape assertions.
std::string shape(const ast::Expr& e);

std::string shape(const ast::Condition& c) { return shape(c.expr); }

std::string shape(const ast::Expr& e) {
  static const char* const binary[] = {"or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "not in",
                                       "subset of", "superset of", "intersects", "+", "-"};
  static const char* const unary[] = {"not", "neg", "is known", "is unknown"};
  static const char* const blocks[] = {"all of", "any of", "none of"};
  switch (e.kind) {
    case Kind::boolean: return e.bool_value ? "true" : "false";
    case Kind::integer: return std::to_string(e.int_value);
    case Kind::decimal: return e.text;
    case Kind::date: return "date:" + e.text;
    case Kind::duration: return std::to_string(e.int_value) + "u" + std::to_string(static_cast<int>(e.unit));
    case Kind::string: return "\"" + e.text + "\"";
    case Kind::name: return e.text;
    case Kind::set: {
      std::string s = "{";
      for (const auto& c : e.children) s += (s.size() > 1 ? ", " : "") + shape(c);
      return s + "}";
    }
    case Kind::unary: return std::string("(") + unary[static_cast<int>(e.unary_op)] + " " + shape(e.children[0]) + ")";
    case Kind::binary:
      return "(" + shape(e.children[0]) + " " + binary[static_cast<int>(e.binary_op)] + " " + shape(e.children[1]) + ")";
    case Kind::block: {
      std::string s = std::string("[") + blocks[static_cast<int>(e.block_kind)];
      for (const auto& item : e.items) s += " " + shape(item) + ";";
      return s + "]";
    }
  }
  return "?";
}

// "line:col" of the first diagnostic with `code`.
std::string where(const Parsed& p, const std::string& code) {
  for (const Diagnostic& d : p.result.diagnostics) {
    if (d.code == code) {
      const LineCol lc = line_col(p.text, d.span.begin);
      return std::to_string(lc.line) + ":" + std::to_string(lc.column);
    }
  }
  return "no " + code;
}

const Diagnostic& only(const Parsed& p) {
  INFO(p.text);
  REQUIRE(p.result.diagnostics.size() == 1);
  return p.result.diagnostics[0];
}

}  // namespace

TEST_CASE("enum: name, description, values with optional descriptions") {
  const auto p = parse(
      "enum signer_role \"who signed a written request\" {\n"
      "  head_of_agency   \"the head of the Federal agency\"\n"
      "  field_officer\n"
      "}\n");
  REQUIRE(p.result.diagnostics.empty());
  const auto& e = decl<ast::EnumDecl>(p, 0);
  CHECK(e.name.value == "signer_role");
  CHECK(p.at(e.name.span) == "signer_role");
  CHECK(e.description->value == "who signed a written request");
  CHECK(p.at(e.description->span) == "\"who signed a written request\"");
  REQUIRE(e.values.size() == 2);
  CHECK(p.at(e.values[0].name.span) == "head_of_agency");
  CHECK(e.values[0].description->value == "the head of the Federal agency");
  CHECK(p.at(e.values[0].span) == "head_of_agency   \"the head of the Federal agency\"");
  CHECK_FALSE(e.values[1].description);
  CHECK(p.at(e.span).substr(0, 16) == "enum signer_role");
  CHECK(p.at(e.span).back() == '}');
}

TEST_CASE("fact: paths, every kind of type, description and fixed") {
  const auto p = parse(
      "fact request.in_writing : bool        \"the request is made in writing\"\n"
      "fact request.signed_by  : signer_role \"who signed the request\"\n"
      "fact disclosure.items   : set of item \"the items\"\n"
      "fact order.date         : date\n"
      "fact request.periods    : integer     \"periods\"\n"
      "fact taxpayer.name      : string      \"the taxpayer's name\" fixed\n"
      "fact amount : decimal\n");
  REQUIRE(p.result.diagnostics.empty());
  REQUIRE(p.result.file.declarations.size() == 7);
  const auto& f0 = decl<ast::FactDecl>(p, 0);
  CHECK(f0.path.value == "request.in_writing");
  CHECK(p.at(f0.path.span) == "request.in_writing");
  CHECK(f0.type.name == "bool");
  CHECK_FALSE(f0.type.is_set);
  CHECK(p.at(f0.span) == "fact request.in_writing : bool        \"the request is made in writing\"");
  const auto& f2 = decl<ast::FactDecl>(p, 2);
  CHECK(f2.type.is_set);
  CHECK(f2.type.name == "item");
  CHECK(p.at(f2.type.span) == "set of item");
  CHECK(decl<ast::FactDecl>(p, 3).path.value == "order.date");  // a keyword-free path; `date` is a type name
  CHECK_FALSE(decl<ast::FactDecl>(p, 3).description);
  CHECK(decl<ast::FactDecl>(p, 5).fixed);
  CHECK_FALSE(decl<ast::FactDecl>(p, 4).fixed);
  CHECK(decl<ast::FactDecl>(p, 6).type.name == "decimal");
}

TEST_CASE("definition: phrase, cite, means with a block, doc and note") {
  const auto p = parse(
      "definition signed_by_agency_head \"the request is signed by the head of the agency\"\n"
      "  cite \"26 U.S.C. § 6103(i)(2)(A)\"\n"
      "  means any of {\n"
      "    request.signed_by == head_of_agency                                  \"the head signed it\"\n"
      "    request.signed_by == component_head and component_head_is_agency_head \"a component head signed it\"\n"
      "  }\n"
      "  doc \"first part\"\n"
      "      \"second part\"\n"
      "  note \"a note\"\n");
  REQUIRE(p.result.diagnostics.empty());
  const auto& d = decl<ast::DefinitionDecl>(p, 0);
  CHECK(d.name.value == "signed_by_agency_head");
  CHECK(d.phrase->value == "the request is signed by the head of the agency");
  CHECK(d.cite->text == "26 U.S.C. § 6103(i)(2)(A)");
  CHECK_FALSE(d.cite->id);
  REQUIRE(d.means);
  CHECK(shape(d.means->expr) ==
        "[any of (request.signed_by == head_of_agency); "
        "((request.signed_by == component_head) and component_head_is_agency_head);]");
  CHECK(d.means->expr.items[1].phrase->value == "a component head signed it");
  CHECK(d.doc->value == "first part second part");
  CHECK(p.at(d.doc->span) == "\"first part\"\n      \"second part\"");
  CHECK(d.note->value == "a note");
  CHECK(p.at(d.span).back() == '"');
}

TEST_CASE("interpretation: phrase on the next line, cite, default, doc") {
  const auto p = parse(
      "interpretation component_head_is_agency_head\n"
      "    \"a component head counts as the head of a Federal agency\"\n"
      "  cite \"26 U.S.C. § 6103(i)(2)(A)\"\n"
      "  default false\n"
      "  doc \"Disputed.\"\n");
  REQUIRE(p.result.diagnostics.empty());
  const auto& i = decl<ast::InterpretationDecl>(p, 0);
  CHECK(i.name.value == "component_head_is_agency_head");
  CHECK(i.phrase->value == "a component head counts as the head of a Federal agency");
  CHECK(i.default_value == false);
  CHECK(p.at(i.default_span) == "default false");
  CHECK(i.doc->value == "Disputed.");
  CHECK(parse("interpretation x \"p\" default true").result.diagnostics.empty());
}

TEST_CASE("rule: every clause, in any order") {
  const auto p = parse(
      "rule general_rule forbid\n"
      "  cite \"26 U.S.C. § 6103(a)\"\n"
      "  title \"Returns are confidential\"\n"
      "\n"
      "rule i2 permit\n"
      "  title \"Return information\" \"for criminal matters\"\n"
      "  cite \"26 U.S.C. § 6103(i)(2)\" id \"usc26-6103-i-2\"\n"
      "  exception to general_rule, other_rule\n"
      "  when all of {\n"
      "    request.in_writing       \"the request is made in writing\"          cite \"(i)(2)(B)\"\n"
      "    signed_by_agency_head\n"
      "    disclosure.items subset of {taxpayer_name, mailing_address}\n"
      "                             \"only identity items\" cite \"(i)(2)(C)\" id \"c\"\n"
      "  }\n"
      "  oblige \"use the information solely for the proceeding\" cite \"(i)(2)(A)\"\n"
      "  oblige \"record the disclosure\"\n"
      "  doc \"A doc.\"\n"
      "  note \"A note.\"\n");
  REQUIRE(p.result.diagnostics.empty());
  REQUIRE(p.result.file.declarations.size() == 2);
  const auto& g = decl<ast::RuleDecl>(p, 0);
  CHECK(g.effect == ast::Effect::forbid);
  CHECK(p.at(g.span) == "rule general_rule forbid\n  cite \"26 U.S.C. § 6103(a)\"\n  title \"Returns are confidential\"");

  const auto& r = decl<ast::RuleDecl>(p, 1);
  CHECK(p.at(r.id.span) == "i2");
  CHECK(r.effect == ast::Effect::permit);
  CHECK(p.at(r.effect_span) == "permit");
  CHECK(r.title->value == "Return information for criminal matters");
  CHECK(r.cite->text == "26 U.S.C. § 6103(i)(2)");
  CHECK(r.cite->id == "usc26-6103-i-2");
  CHECK(p.at(r.cite->span) == "cite \"26 U.S.C. § 6103(i)(2)\" id \"usc26-6103-i-2\"");
  REQUIRE(r.exception_to.size() == 2);
  CHECK(p.at(r.exception_to[0].span) == "general_rule");
  CHECK(r.exception_to[1].value == "other_rule");
  REQUIRE(r.when);
  const ast::Expr& block = r.when->expr;
  CHECK(block.kind == Kind::block);
  CHECK(block.block_kind == ast::BlockKind::all_of);
  REQUIRE(block.items.size() == 3);
  // Relative citations stay as written; the checker resolves them.
  CHECK(block.items[0].cite->text == "(i)(2)(B)");
  CHECK(p.at(block.items[0].span) ==
        "request.in_writing       \"the request is made in writing\"          cite \"(i)(2)(B)\"");
  CHECK_FALSE(block.items[1].phrase);
  CHECK(shape(block.items[2]) == "(disclosure.items subset of {taxpayer_name, mailing_address})");
  CHECK(block.items[2].cite->id == "c");
  CHECK(p.at(block.span).substr(0, 8) == "all of {");
  CHECK(p.at(block.span).back() == '}');
  REQUIRE(r.obligations.size() == 2);
  CHECK(r.obligations[0].text.value == "use the information solely for the proceeding");
  CHECK(r.obligations[0].cite->text == "(i)(2)(A)");
  CHECK(p.at(r.obligations[0].span) == "oblige \"use the information solely for the proceeding\" cite \"(i)(2)(A)\"");
  CHECK_FALSE(r.obligations[1].cite);
  CHECK(r.doc->value == "A doc.");
  CHECK(r.note->value == "A note.");
}

TEST_CASE("precedence: or < and < not < comparison < + - < unary minus") {
  CHECK(shape(parse_expr("a or b and not c").expr()) == "(a or (b and (not c)))");
  CHECK(shape(parse_expr("a and b and c").expr()) == "((a and b) and c)");
  CHECK(shape(parse_expr("not a == b").expr()) == "(not (a == b))");
  CHECK(shape(parse_expr("not not a").expr()) == "(not (not a))");
  CHECK(shape(parse_expr("(a or b) and c").expr()) == "((a or b) and c)");
  CHECK(shape(parse_expr("x + 1 < y - -2").expr()) == "((x + 1) < (y - (neg 2)))");
  CHECK(shape(parse_expr("a - b - c").expr()) == "((a - b) - c)");
  CHECK(shape(parse_expr("x is known and y is unknown").expr()) == "((is known x) and (is unknown y))");
}

TEST_CASE("comparisons and set operators") {
  CHECK(shape(parse_expr("a == b").expr()) == "(a == b)");
  CHECK(shape(parse_expr("a != b").expr()) == "(a != b)");
  CHECK(shape(parse_expr("a <= b").expr()) == "(a <= b)");
  CHECK(shape(parse_expr("a < b").expr()) == "(a < b)");
  CHECK(shape(parse_expr("a >= b").expr()) == "(a >= b)");
  CHECK(shape(parse_expr("a > b").expr()) == "(a > b)");
  CHECK(shape(parse_expr("x in {a, b}").expr()) == "(x in {a, b})");
  CHECK(shape(parse_expr("x not in s").expr()) == "(x not in s)");
  CHECK(shape(parse_expr("s subset of {a}").expr()) == "(s subset of {a})");
  CHECK(shape(parse_expr("s superset of t").expr()) == "(s superset of t)");
  CHECK(shape(parse_expr("s intersects t").expr()) == "(s intersects t)");
  CHECK(shape(parse_expr("{} == s").expr()) == "({} == s)");
  CHECK(shape(parse_expr("none of { a  b \"phrase\" }").expr()) == "[none of a; b;]");
  // Keywords may follow a dot in a path.
  CHECK(shape(parse_expr("order.date == order.in.set").expr()) == "(order.date == order.in.set)");
}

TEST_CASE("literals: booleans, integers, decimals, dates, durations, strings") {
  CHECK(shape(parse_expr("x == true").expr()) == "(x == true)");
  CHECK(shape(parse_expr("x == 12").expr()) == "(x == 12)");
  const auto dec = parse_expr("x == 2.5");
  CHECK(dec.expr().children[1].decimal_value == 2500000);
  CHECK(dec.expr().children[1].text == "2.5");
  CHECK(shape(parse_expr("order.date > 2024-01-31").expr()) == "(order.date > date:2024-01-31)");
  CHECK(shape(parse_expr("order.date + 30 days < 2024-02-29").expr()) == "((order.date + 30u0) < date:2024-02-29)");
  CHECK(shape(parse_expr("a + 1 day + 2 weeks + 3 month + 4 years").expr()) == "((((a + 1u0) + 2u1) + 3u2) + 4u3)");
  CHECK(shape(parse_expr("2024-01-31 - 2023-12-31 > 30").expr()) == "((date:2024-01-31 - date:2023-12-31) > 30)");
  CHECK(shape(parse_expr("x - 1").expr()) == "(x - 1)");
  const auto str = parse_expr("name == \"say \\\"§\\\" \\\\ \\n\"");
  CHECK(str.expr().children[1].text == "say \"§\" \\ \n");
  CHECK(str.parsed.at(str.expr().children[1].span) == "\"say \\\"§\\\" \\\\ \\n\"");
}

TEST_CASE("spans: names cover the name, expressions the whole sub-expression") {
  const auto p = parse_expr("not (request.signed_by == head_of_agency)  \"phrase\" cite \"(a)\"");
  const ast::Expr& e = p.expr();
  CHECK(p.parsed.at(e.span) == "not (request.signed_by == head_of_agency)");
  const ast::Expr& cmp = e.children[0];
  CHECK(p.parsed.at(cmp.span) == "request.signed_by == head_of_agency");
  CHECK(p.parsed.at(cmp.children[0].span) == "request.signed_by");
  CHECK(p.parsed.at(cmp.children[1].span) == "head_of_agency");
  const auto& when = *decl<ast::RuleDecl>(p.parsed, 0).when;
  CHECK(p.parsed.at(when.span) == "not (request.signed_by == head_of_agency)  \"phrase\" cite \"(a)\"");
  CHECK(p.parsed.at(when.phrase->span) == "\"phrase\"");

  const auto q = parse_expr("x is unknown   or - y > 3 days");
  CHECK(q.parsed.at(q.expr().children[0].span) == "x is unknown");
  CHECK(q.parsed.at(q.expr().children[1].children[0].span) == "- y");
  CHECK(q.parsed.at(q.expr().children[1].children[1].span) == "3 days");
  const auto s = parse_expr("x in {a, b} # trailing comment\n");
  CHECK(s.parsed.at(s.expr().span) == "x in {a, b}");
  CHECK(s.parsed.at(s.expr().children[1].span) == "{a, b}");
}

TEST_CASE("comments are skipped and collected, # inside a string is text") {
  const auto p = parse("# header\nfact a : bool \"x # not a comment\" # trailing\n#last");
  REQUIRE(p.result.diagnostics.empty());
  CHECK(decl<ast::FactDecl>(p, 0).description->value == "x # not a comment");
  REQUIRE(p.result.file.comments.size() == 3);
  CHECK(p.result.file.comments[0].text == " header");
  CHECK(p.at(p.result.file.comments[1].span) == "# trailing");
  CHECK(p.result.file.comments[2].text == "last");
}

TEST_CASE("empty and blank texts parse to nothing") {
  for (const char* text : {"", "   \n\t\r\n", "# only a comment\n", "\xEF\xBB\xBF"}) {
    const auto p = parse(text);
    CHECK(p.result.diagnostics.empty());
    CHECK(p.result.file.declarations.empty());
  }
  CHECK(parse_rule_file(std::string_view(), 0).diagnostics.empty());
}

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

TEST_CASE("a condition's cite is read greedily, even at the top of `when`") {
  const auto p = parse("rule r permit\n  when a\n  cite \"26 U.S.C. § 1\"\n");
  REQUIRE(p.result.diagnostics.empty());
  const auto& r = decl<ast::RuleDecl>(p, 0);
  CHECK_FALSE(r.cite);
  CHECK(r.when->cite->text == "26 U.S.C. § 1");
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
