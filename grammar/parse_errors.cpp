// Building the parser's diagnostics; see parse_state.hpp.
#include <algorithm>
#include <initializer_list>

#include "lexical.hpp"
#include "parse_state.hpp"

namespace proviso::grammar {

Diagnostic make_error(const ParseState& state, std::string code, Span span, std::string message,
                      std::string help) {
  Diagnostic d;
  d.code = std::move(code);
  d.severity = Severity::error;
  d.source = state.source;
  d.span = span;
  d.message = std::move(message);
  d.help = std::move(help);
  return d;
}

void fail(const ParseState& state, std::string code, Span span, std::string message, std::string help) {
  throw SyntaxError{make_error(state, std::move(code), span, std::move(message), std::move(help))};
}

namespace {

// Words after which a missing condition is plain: the next clause or declaration.
bool starts_clause_or_declaration(const std::string& word) {
  for (std::string_view w : {"cite", "title", "exception", "when", "oblige", "doc", "note", "means",
                             "default", "enum", "fact", "definition", "interpretation", "rule"}) {
    if (word == w) return true;
  }
  return false;
}

}  // namespace

void fail_expected(const ParseState& state, const char* at, const Expectation& expected) {
  const lexical::Found found = lexical::found_at(state.text, state.offset(at));
  const bool absent = found.description == "the end of the file" || starts_clause_or_declaration(found.word);
  if (expected.missing && absent) {
    // Point just after the keyword that wants the condition, not at the next line.
    const char* end_of_previous = at;
    while (end_of_previous != state.text.data() && lexical::is_space(end_of_previous[-1])) --end_of_previous;
    const Span after = state.span(end_of_previous, end_of_previous);
    fail(state, "E114", after, expected.missing, expected.missing_help ? expected.missing_help : "");
  }
  fail(state, expected.code, found.span, std::string("expected ") + expected.what + ", found " + found.description,
       expected.help);
}

void fail_too_deep(const ParseState& state, const char* at) {
  // `at` follows the token that opened the level (`(`, `{`, `not`, `-`): point at that token.
  const char* begin = state.text.data();
  const char* end = at;
  while (end != begin && lexical::is_space(end[-1])) --end;
  const char* start = end;
  if (start != begin && lexical::is_ident_char(start[-1])) {
    while (start != begin && lexical::is_ident_char(start[-1])) --start;
  } else if (start != begin) {
    --start;
  }
  fail(state, "E106", state.span(start, end),
       "expressions nest deeper than the limit of " + std::to_string(state.limits.max_depth),
       "name the inner parts with definitions, or list conditions in an `all of` or `any of` block");
}

void report(ParseState& state, std::string code, Span span, std::string message, std::string help) {
  state.pending.push_back(make_error(state, std::move(code), span, std::move(message), std::move(help)));
}

}  // namespace proviso::grammar
