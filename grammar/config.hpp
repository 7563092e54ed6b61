// Spirit X3 configuration of the grammar: iterator, skipper and the parse
// state carried in the context. Included only by grammar.cpp (via grammar_def.hpp).
#pragma once
#include <boost/spirit/home/x3.hpp>

#include "lexical.hpp"
#include "parse_state.hpp"

namespace proviso::grammar {

namespace x3 = boost::spirit::x3;

using iterator_type = const char*;

// Key of the ParseState in the X3 context: x3::with<state_tag>(state)[...].
struct state_tag;

template <typename Context>
ParseState& state_of(const Context& context) {
  return x3::get<state_tag>(context);
}

// Skips ASCII blanks and `#` comments. Hand-written because x3::space
// classifies bytes >= 0x80, which is wrong (and asserts) for UTF-8 text.
struct blank_skipper : x3::parser<blank_skipper> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context&, RContext&, Attribute&) const {
    const Iterator after = lexical::skip_blank(first, last);
    const bool moved = after != first;
    first = after;
    return moved;
  }
};

inline constexpr blank_skipper skipper{};

}  // namespace proviso::grammar
