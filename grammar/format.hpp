// The formatter: prints a parsed rule file in the canonical layout, keeping
// every comment and every string exactly (`proviso fmt`).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "ast.hpp"
#include "diagnostic.hpp"
#include "parser.hpp"

namespace proviso {

struct FormatOptions {
  // Lines are wrapped to fit this many columns where the language allows
  // (lists, long conditions, doc text); a single long phrase may exceed it.
  unsigned width = 120;
};

// The canonical text of `file`, which was parsed from `text`: the comments
// and the blank lines between top-level declarations are taken from `text`.
std::string format_file(const ast::File& file, std::string_view text, const FormatOptions& options = {});

struct FormatResult {
  std::optional<std::string> text;  // absent when the input has syntax errors
  Diagnostics diagnostics;          // the syntax errors
};

// Parses and formats a rule file. Throws std::logic_error (an internal bug,
// never a user's mistake) if the output would not parse to the same syntax
// tree and comments: formatting never changes what a file means.
FormatResult format_text(std::string_view text, SourceId source = kNoSource, const FormatOptions& options = {});

// Whether two files have the same declarations and comments, ignoring spans
// and layout. On a difference, `difference` says where (for tests).
bool same_syntax(const ast::File& a, const ast::File& b, std::string* difference = nullptr);

}  // namespace proviso
