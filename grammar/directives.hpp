// X3 directives of the grammar: `located` records spans, `need` turns a
// failed expectation into a readable diagnostic, `nested` bounds recursion,
// `no_chain` rejects `a < b < c`.
#pragma once
#include "config.hpp"

namespace proviso::grammar {

// located[p]: sets the span of the enclosing rule's value (X3's rule
// context) to the text p matched, leading blanks excluded. Token parsers never
// leave trailing blanks consumed, so the span ends at the last token.
template <typename Subject>
struct located_directive : x3::unary_parser<Subject, located_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, located_directive<Subject>>;
  static bool const is_pass_through_unary = true;
  constexpr explicit located_directive(const Subject& p) : base_type(p) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext& rcontext,
             Attribute& attr) const {
    Iterator begin = first;
    x3::skip_over(begin, last, context);
    if (!this->subject.parse(first, last, context, rcontext, attr)) return false;
    if constexpr (requires { rcontext.span; }) rcontext.span = state_of(context).span(begin, first);
    return true;
  }
};

struct located_gen {
  template <typename Subject>
  constexpr auto operator[](const Subject& subject) const {
    using parser_type = typename x3::extension::as_parser<Subject>::value_type;
    return located_directive<parser_type>(x3::as_parser(subject));
  }
};
inline constexpr located_gen located{};

// need(p, {"`{` after the enum name", help}): p must match here, or the
// declaration is abandoned with "expected `{` after the enum name, found ...".
template <typename Subject>
struct need_directive : x3::unary_parser<Subject, need_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, need_directive<Subject>>;
  static bool const is_pass_through_unary = true;
  Expectation expected;
  constexpr need_directive(const Subject& p, Expectation e) : base_type(p), expected(e) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext& rcontext,
             Attribute& attr) const {
    if (this->subject.parse(first, last, context, rcontext, attr)) return true;
    Iterator at = first;
    x3::skip_over(at, last, context);
    fail_expected(state_of(context), at, expected);
  }
};

template <typename Subject>
constexpr auto need(const Subject& subject, Expectation expected) {
  using parser_type = typename x3::extension::as_parser<Subject>::value_type;
  return need_directive<parser_type>(x3::as_parser(subject), expected);
}

// nested[p]: p is one level deeper. X3 recurses on the machine stack, so past
// limits.max_depth the declaration is abandoned (E106) before recursing again.
template <typename Subject>
struct nested_directive : x3::unary_parser<Subject, nested_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, nested_directive<Subject>>;
  static bool const is_pass_through_unary = true;
  constexpr explicit nested_directive(const Subject& p) : base_type(p) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext& rcontext,
             Attribute& attr) const {
    ParseState& state = state_of(context);
    if (state.depth >= state.limits.max_depth) {
      Iterator at = first;
      x3::skip_over(at, last, context);
      fail_too_deep(state, at);
    }
    // Restores the depth on success, failure and exceptions alike.
    struct Level {
      ParseState& s;
      explicit Level(ParseState& st) : s(st) { ++s.depth; }
      ~Level() { --s.depth; }
      Level(const Level&) = delete;
      Level& operator=(const Level&) = delete;
    } level(state);
    return this->subject.parse(first, last, context, rcontext, attr);
  }
};

struct nested_gen {
  template <typename Subject>
  constexpr auto operator[](const Subject& subject) const {
    using parser_type = typename x3::extension::as_parser<Subject>::value_type;
    return nested_directive<parser_type>(x3::as_parser(subject));
  }
};
inline constexpr nested_gen nested{};

// Comparisons are non-associative: after one, another comparison operator is an error.
struct no_chain_parser : x3::parser<no_chain_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext&, Attribute&) const {
    Iterator at = first;
    x3::skip_over(at, last, context);
    const ParseState& state = state_of(context);
    std::size_t length = 0;
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (length == 0 && static_cast<std::size_t>(last - at) >= op.size() && std::string_view(at, op.size()) == op) {
        length = op.size();
      }
    }
    for (std::string_view word : {"in", "subset", "superset", "intersects", "is"}) {
      if (length == 0 && lexical::starts_with_word(at, last, word)) length = word.size();
    }
    if (length == 0 && lexical::starts_with_word(at, last, "not")) {
      const Iterator next = lexical::skip_blank(at + 3, last);
      if (lexical::starts_with_word(next, last, "in")) length = static_cast<std::size_t>(next + 2 - at);
    }
    if (length > 0) {
      fail(state, "E103", state.span(at, at + length),
           "comparisons cannot be chained: `" + std::string(at, length) + "` follows another comparison",
           "join the comparisons with `and`, or group one in parentheses");
    }
    return true;
  }
};
inline constexpr no_chain_parser no_chain{};

}  // namespace proviso::grammar
