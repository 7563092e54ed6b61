// Byte-level lexical helpers; see lexical.hpp.
#include "lexical.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace proviso::lexical {

namespace {

constexpr std::string_view kKeywords[] = {
    "all",  "any",    "none",   "of",         "and",   "or",       "not",     "in",
    "subset", "superset", "intersects", "is", "known", "unknown", "true",    "false",
    "cite", "id",     "rule",   "permit",     "forbid", "exception", "to",    "when",
    "oblige", "title", "doc",   "note",       "enum",  "fact",     "set",     "definition",
    "means", "interpretation", "default", "fixed", "limit",
};

}  // namespace

std::size_t ident_length(const char* p, const char* end) {
  if (p == end || !is_ident_start(*p)) return 0;
  const char* q = p + 1;
  while (q != end && is_ident_char(*q)) ++q;
  return static_cast<std::size_t>(q - p);
}

bool starts_with_word(const char* p, const char* end, std::string_view word) {
  const auto available = static_cast<std::size_t>(end - p);
  if (available < word.size() || std::string_view(p, word.size()) != word) return false;
  return available == word.size() || !is_ident_char(p[word.size()]);
}

const char* skip_blank(const char* p, const char* end) {
  while (p != end) {
    if (is_space(*p)) {
      ++p;
    } else if (*p == '#') {
      while (p != end && *p != '\n') ++p;
    } else {
      break;
    }
  }
  return p;
}

bool is_keyword(std::string_view word) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
}

const std::vector<std::string>& declaration_keywords() {
  static const std::vector<std::string> words = {"definition", "enum", "fact", "interpretation", "rule"};
  return words;
}

bool is_declaration_keyword(std::string_view word) {
  const auto& words = declaration_keywords();
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::optional<std::int64_t> decimal_millionths(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const auto point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view places = point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  if (whole.empty() || (point != std::string_view::npos && places.empty()) || places.size() > kDecimalPlaces) return std::nullopt;
  // Accumulated as a negative number, so that the most negative value fits too.
  constexpr std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  std::int64_t value = 0;
  auto push = [&](char c) {
    if (!is_digit(c) || value < lowest / 10) return false;
    value *= 10;
    const int digit = c - '0';
    if (value < lowest + digit) return false;
    value -= digit;
    return true;
  };
  for (char c : whole)
    if (!push(c)) return std::nullopt;
  for (int i = 0; i < kDecimalPlaces; ++i)
    if (!push(i < static_cast<int>(places.size()) ? places[static_cast<std::size_t>(i)] : '0')) return std::nullopt;
  if (negative) return value;
  if (value == lowest) return std::nullopt;
  return -value;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // overlong
      if (c == 0xED) high = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // overlong
      if (c == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    // A malformed or truncated sequence is reported at its first byte.
    if (i + 1 >= n || s[i + 1] < low || s[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return std::nullopt;
}

std::vector<ast::Comment> collect_comments(std::string_view text) {
  std::vector<ast::Comment> comments;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      // Strings end at their closing quote or, unterminated, at the line's end.
      ++i;
      while (i < n && text[i] != '"' && text[i] != '\n') i += (text[i] == '\\' && i + 1 < n && text[i + 1] != '\n') ? 2 : 1;
      if (i < n && text[i] == '"') ++i;
    } else if (c == '#') {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = n;
      std::size_t value_end = end;
      if (value_end > i + 1 && text[value_end - 1] == '\r') --value_end;
      comments.push_back(ast::Comment{
          Span{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(value_end)},
          std::string(text.substr(i + 1, value_end - i - 1))});
      i = end;
    } else {
      ++i;
    }
  }
  return comments;
}

std::size_t next_declaration(std::string_view text, std::size_t from) {
  std::size_t line = text.find('\n', std::min(from, text.size()));
  const char* end = text.data() + text.size();
  while (line != std::string_view::npos) {
    const char* p = text.data() + line + 1;
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    for (const std::string& word : declaration_keywords()) {
      if (starts_with_word(p, end, word)) return static_cast<std::size_t>(p - text.data());
    }
    line = text.find('\n', line + 1);
  }
  return text.size();
}

namespace {

std::size_t code_point_length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

Span span_of(std::size_t begin, std::size_t end) {
  return Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)};
}

}  // namespace

Found found_at(std::string_view text, std::size_t offset) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  const char* p = begin + std::min(offset, text.size());
  Found found;
  if (p == end) {
    // Point just after the last token rather than at a blank last line.
    const char* q = p;
    while (q != begin && is_space(q[-1])) --q;
    found.span = span_of(static_cast<std::size_t>(q - begin), static_cast<std::size_t>(q - begin));
    found.description = "the end of the file";
    return found;
  }
  std::size_t length = ident_length(p, end);
  if (length == 0 && is_digit(*p)) {
    while (p + length != end && (is_ident_char(p[length]) || p[length] == '.' || p[length] == '-')) ++length;
  }
  if (length > 0) {
    found.word = std::string(p, length);
    const std::string shown = length > 40 ? found.word.substr(0, 40) + "…" : found.word;
    found.description = "`" + shown + "`";
  } else if (*p == '"') {
    length = 1;
    while (p + length != end && p[length] != '"' && p[length] != '\n') ++length;
    if (p + length != end && p[length] == '"') ++length;
    found.description = "a string";
  } else {
    static constexpr std::array<std::string_view, 4> kTwoChar = {"==", "!=", "<=", ">="};
    length = code_point_length(static_cast<unsigned char>(*p));
    for (std::string_view op : kTwoChar) {
      if (end - p >= 2 && std::string_view(p, 2) == op) length = 2;
    }
    length = std::min<std::size_t>(length, static_cast<std::size_t>(end - p));
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "`" + std::string(...).
    found.description.reserve(length + 2);
    found.description += '`';
    found.description += std::string_view(p, length);
    found.description += '`';
  }
  const auto at = static_cast<std::size_t>(p - begin);
  found.span = span_of(at, at + length);
  return found;
}

}  // namespace proviso::lexical
