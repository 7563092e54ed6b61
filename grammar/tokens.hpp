// Token-level X3 parsers. Each skips leading blanks itself and, unlike the
// stock X3 primitives, leaves the iterator untouched when it fails, so the
// spans of enclosing rules never end in blanks or comments.
#pragma once
#include <string_view>

#include "config.hpp"
#include "scan.hpp"

namespace proviso::grammar {

// A whole word: `of` does not match the start of `offset`. Attribute: none,
// or with WithSpan the keyword's Span (for clauses that report on it).
template <bool WithSpan>
struct keyword_parser : x3::parser<keyword_parser<WithSpan>> {
  using attribute_type = std::conditional_t<WithSpan, Span, x3::unused_type>;
  static bool const has_attribute = WithSpan;
  std::string_view word;
  constexpr explicit keyword_parser(std::string_view w) : word(w) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext&, Attribute& attr) const {
    Iterator it = first;
    x3::skip_over(it, last, context);
    if (!lexical::starts_with_word(it, last, word)) return false;
    first = it + word.size();
    if constexpr (WithSpan) x3::traits::move_to(state_of(context).span(it, first), attr);
    return true;
  }
};

// Exact punctuation such as `{` or `<=`.
template <bool WithSpan>
struct punct_parser : x3::parser<punct_parser<WithSpan>> {
  using attribute_type = std::conditional_t<WithSpan, Span, x3::unused_type>;
  static bool const has_attribute = WithSpan;
  std::string_view chars;
  constexpr explicit punct_parser(std::string_view c) : chars(c) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext&, Attribute& attr) const {
    Iterator it = first;
    x3::skip_over(it, last, context);
    if (static_cast<std::size_t>(last - it) < chars.size() || std::string_view(it, chars.size()) != chars) return false;
    first = it + chars.size();
    if constexpr (WithSpan) x3::traits::move_to(state_of(context).span(it, first), attr);
    return true;
  }
};

constexpr keyword_parser<false> kw(std::string_view word) { return keyword_parser<false>(word); }
constexpr keyword_parser<true> kw_at(std::string_view word) { return keyword_parser<true>(word); }
constexpr punct_parser<false> sym(std::string_view chars) { return punct_parser<false>(chars); }

// Adapts a scan:: function (which returns std::optional<Value> with a span) to X3.
template <typename Value, typename Scan>
struct scanner_parser : x3::parser<scanner_parser<Value, Scan>> {
  using attribute_type = Value;
  static bool const has_attribute = true;
  Scan scan;
  constexpr explicit scanner_parser(Scan s) : scan(s) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext&, Attribute& attr) const {
    Iterator it = first;
    x3::skip_over(it, last, context);
    const ParseState& state = state_of(context);
    std::optional<Value> value = scan(state, it);
    if (!value) return false;
    first = state.text.data() + value->span.end;
    x3::traits::move_to(std::move(*value), attr);
    return true;
  }
};

template <typename Value, typename Scan>
constexpr scanner_parser<Value, Scan> scanner(Scan scan) {
  return scanner_parser<Value, Scan>(scan);
}

inline constexpr auto string_token = scanner<ast::Text>(
    [](const ParseState& s, const char* p) { return scan::string_literal(s, p); });
inline constexpr auto literal_token = scanner<ast::Expr>(
    [](const ParseState& s, const char* p) { return scan::literal(s, p); });
inline constexpr auto name_token = scanner<ast::Expr>(
    [](const ParseState& s, const char* p) { return scan::name_expr(s, p); });
inline constexpr auto reference_token = scanner<ast::Name>(
    [](const ParseState& s, const char* p) { return scan::reference(s, p); });

// The name a declaration introduces; `what` completes "cannot name ..." (E111).
template <bool Dotted>
struct declared_name_scan {
  const char* what;
  std::optional<ast::Name> operator()(const ParseState& s, const char* p) const {
    return scan::declared_name(s, p, what, Dotted);
  }
};
constexpr auto declared_name(const char* what) { return scanner<ast::Name>(declared_name_scan<false>{what}); }
constexpr auto declared_path(const char* what) { return scanner<ast::Name>(declared_name_scan<true>{what}); }

// The string as an expression operand: `request.name == "x"`.
struct string_expr_scan {
  std::optional<ast::Expr> operator()(const ParseState& s, const char* p) const {
    auto text = scan::string_literal(s, p);
    if (!text) return std::nullopt;
    ast::Expr e;
    e.kind = ast::Expr::Kind::string;
    e.span = text->span;
    e.text = std::move(text->value);
    return e;
  }
};
inline constexpr auto string_expr_token = scanner<ast::Expr>(string_expr_scan{});

}  // namespace proviso::grammar

namespace proviso::grammar {

// Matches the empty string without skipping blanks (unlike x3::eps), so an
// action can run at the end of a rule without stretching its span.
struct nothing_parser : x3::parser<nothing_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator&, const Iterator&, const Context&, RContext&, Attribute&) const {
    return true;
  }
};
inline constexpr nothing_parser nothing{};

}  // namespace proviso::grammar
