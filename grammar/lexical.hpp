// Byte-level lexical helpers shared by the X3 grammar and the parse driver:
// character classes, keywords, input validation, comments and recovery.
// Plain C++ so that only grammar.cpp pays for the Spirit X3 templates.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"

namespace proviso::lexical {

inline bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Only ASCII whitespace: classifying bytes >= 0x80 would be wrong for UTF-8.
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of the identifier starting at `p` (0 when none starts there).
std::size_t ident_length(const char* p, const char* end);
// Whether `word` starts at `p` as a whole word (not followed by an identifier character).
bool starts_with_word(const char* p, const char* end, std::string_view word);
// Skips spaces, tabs, newlines and comments.
const char* skip_blank(const char* p, const char* end);

bool is_keyword(std::string_view word);
bool is_declaration_keyword(std::string_view word);
const std::vector<std::string>& declaration_keywords();

// A decimal written as `[-]digits[.digits]`, exactly, in millionths (decimals
// keep six places; engine/value.hpp). Empty when the text is not such a number,
// has more than six places, or is out of the 64-bit range.
inline constexpr int kDecimalPlaces = 6;
std::optional<std::int64_t> decimal_millionths(std::string_view text);

// Offset of the first byte that is not part of valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// Every comment of the text, found by a scan that knows where strings are.
std::vector<ast::Comment> collect_comments(std::string_view text);

// Where parsing resumes after a broken declaration that began at `from`: the
// first later line that starts (after blanks) with a declaration keyword.
std::size_t next_declaration(std::string_view text, std::size_t from);

// The token at `offset`, for "found `x`" in messages: its span and how to name it.
struct Found {
  Span span;
  std::string description;  // "`rulle`", "a string", "the end of the file"
  std::string word;         // the identifier, when the token is one
};
Found found_at(std::string_view text, std::size_t offset);

}  // namespace proviso::lexical
