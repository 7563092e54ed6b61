// The parser tests' helpers: a parsed text that keeps its source, a
// declaration by index, an expression's shape, where a diagnostic points.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "grammar/parser.hpp"

namespace proviso::testing {

struct Parsed {
  std::string text;
  ParseResult result;
  std::string_view at(Span span) const { return std::string_view(text).substr(span.begin, span.end - span.begin); }
};

inline Parsed parse(std::string text, const ParseLimits& limits = {}) {
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

inline ParsedExpr parse_expr(const std::string& expr) {
  ParsedExpr p{parse("rule r permit when " + expr + "\n")};
  INFO(expr);
  REQUIRE(p.parsed.result.diagnostics.empty());
  REQUIRE(decl<ast::RuleDecl>(p.parsed, 0).when.has_value());
  return p;
}

// A compact rendering of an expression tree, for shape assertions.
inline std::string shape(const ast::Expr& e);

inline std::string shape(const ast::Condition& c) { return shape(c.expr); }

inline std::string shape(const ast::Expr& e) {
  static const char* const binary[] = {"or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "not in",
                                       "subset of", "superset of", "intersects", "+", "-"};
  static const char* const unary[] = {"not", "neg", "is known", "is unknown"};
  static const char* const blocks[] = {"all of", "any of", "none of"};
  using Kind = ast::Expr::Kind;
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
inline std::string where(const Parsed& p, const std::string& code) {
  for (const Diagnostic& d : p.result.diagnostics) {
    if (d.code == code) {
      const LineCol lc = line_col(p.text, d.span.begin);
      return std::to_string(lc.line) + ":" + std::to_string(lc.column);
    }
  }
  return "no " + code;
}

inline const Diagnostic& only(const Parsed& p) {
  INFO(p.text);
  REQUIRE(p.result.diagnostics.size() == 1);
  return p.result.diagnostics[0];
}

}  // namespace proviso::testing
