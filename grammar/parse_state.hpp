// State shared by the grammar while it parses one file, and the private
// exception that abandons a declaration. No Spirit X3 here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "diagnostic.hpp"
#include "parser.hpp"

namespace proviso::grammar {

struct ParseState {
  std::string_view text;
  SourceId source = kNoSource;
  ParseLimits limits;
  unsigned depth = 0;    // current nesting of parentheses, blocks, sets and prefix operators
  Diagnostics pending;   // errors that do not abandon the declaration (E108, E114)

  std::uint32_t offset(const char* p) const { return static_cast<std::uint32_t>(p - text.data()); }
  Span span(const char* begin, const char* end) const { return Span{offset(begin), offset(end)}; }
  // Height limit of the built tree: long operator chains nest on the left, and
  // every later stage (and the destructor) walks the tree recursively.
  unsigned max_tree_height() const { return limits.max_depth * 8 < 1024 ? 1024 : limits.max_depth * 8; }
};

// Thrown to abandon the declaration being parsed; the driver records it and
// resumes at the next declaration. Never escapes parse_rule_file.
struct SyntaxError {
  Diagnostic diagnostic;
};

// What a `need(...)` point of the grammar expects, for "expected X, found Y".
struct Expectation {
  const char* what;                  // "`{` after the enum name"
  const char* help = "";
  const char* code = "E103";
  const char* missing = nullptr;     // E114 message when the thing is absent altogether
  const char* missing_help = nullptr;
};

Diagnostic make_error(const ParseState& state, std::string code, Span span, std::string message,
                      std::string help);
[[noreturn]] void fail(const ParseState& state, std::string code, Span span, std::string message,
                       std::string help);
// "expected `{` after the enum name, found `head_of_agency`" at `at`.
[[noreturn]] void fail_expected(const ParseState& state, const char* at, const Expectation& expected);
[[noreturn]] void fail_too_deep(const ParseState& state, const char* at);
// Records an error that leaves the declaration usable.
void report(ParseState& state, std::string code, Span span, std::string message, std::string help);

}  // namespace proviso::grammar
