// Parsing rule files: the only entry point into the Spirit X3 grammar.
#pragma once
#include <string_view>

#include "ast.hpp"
#include "diagnostic.hpp"

namespace proviso {

// Each limit protects the parser from hostile or mistaken input.
struct ParseLimits {
  // Larger files are rejected before parsing (E105).
  std::size_t max_file_bytes = 1u << 20;
  // Nesting of parentheses, blocks and unary operators; X3 recurses on the
  // machine stack, so deeper input is rejected (E106) instead of overflowing it.
  unsigned max_depth = 128;
  // After this many diagnostics in one file the parser stops with E107.
  std::size_t max_diagnostics = 50;
};

struct ParseResult {
  ast::File file;            // every declaration that parsed; recovery is per declaration
  Diagnostics diagnostics;   // syntax errors (E1xx), sorted
};

// Never throws for any input; never reads past `text`.
ParseResult parse_rule_file(std::string_view text, SourceId source, const ParseLimits& limits = {});

}  // namespace proviso
