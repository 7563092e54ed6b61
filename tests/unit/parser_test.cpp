// Unit tests of grammar/parser: the syntax of docs/language.md, spans and
// precedence (parser_errors_test.cpp: recovery and the syntax diagnostics).
#include <doctest/doctest.h>

#include <string>

#include "parser_fixture.hpp"

using namespace proviso;
using namespace proviso::testing;
using Kind = ast::Expr::Kind;

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

TEST_CASE("a condition's cite is read greedily, even at the top of `when`") {
  const auto p = parse("rule r permit\n  when a\n  cite \"26 U.S.C. § 1\"\n");
  REQUIRE(p.result.diagnostics.empty());
  const auto& r = decl<ast::RuleDecl>(p, 0);
  CHECK_FALSE(r.cite);
  CHECK(r.when->cite->text == "26 U.S.C. § 1");
}
