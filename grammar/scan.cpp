// Token scanners; see scan.hpp.
#include "scan.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "lexical.hpp"

namespace proviso::grammar::scan {

namespace {

const char* end_of(const ParseState& state) { return state.text.data() + state.text.size(); }

std::size_t code_point_length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

const char* skip_digits(const char* p, const char* end) {
  while (p != end && lexical::is_digit(*p)) ++p;
  return p;
}

bool has_digits(const char* p, const char* end, std::size_t n) {
  if (static_cast<std::size_t>(end - p) < n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!lexical::is_digit(p[i])) return false;
  }
  return true;
}

// A number must not run into a name: `30days` is neither.
bool at_boundary(const char* p, const char* end) { return p == end || !lexical::is_ident_char(*p); }

std::optional<ast::Expr> date(const ParseState& state, const char* p, const char* end) {
  if (!has_digits(p, end, 4) || end - p < 10 || p[4] != '-' || !has_digits(p + 5, end, 2) || p[7] != '-' ||
      !has_digits(p + 8, end, 2)) {
    return std::nullopt;
  }
  const char* q = p + 10;
  if (q != end && (lexical::is_ident_char(*q) || *q == '.' || *q == '-')) return std::nullopt;
  ast::Expr e;
  e.kind = ast::Expr::Kind::date;
  e.span = state.span(p, q);
  e.text = std::string(p, q);
  return e;
}

std::optional<ast::DurationUnit> duration_unit(std::string_view word) {
  if (word == "day" || word == "days") return ast::DurationUnit::days;
  if (word == "week" || word == "weeks") return ast::DurationUnit::weeks;
  if (word == "month" || word == "months") return ast::DurationUnit::months;
  if (word == "year" || word == "years") return ast::DurationUnit::years;
  return std::nullopt;
}

}  // namespace

std::optional<ast::Text> string_literal(const ParseState& state, const char* p) {
  const char* end = end_of(state);
  if (p == end || *p != '"') return std::nullopt;
  ast::Text text;
  const char* q = p + 1;
  // Strings end on their line, so a missing quote cannot swallow the file.
  const auto unterminated = [&] {
    fail(state, "E104", state.span(p, p + 1), "unterminated string literal", "close the string with `\"`");
  };
  while (true) {
    if (q == end || *q == '\n') unterminated();
    if (*q == '"') break;
    if (*q != '\\') {
      text.value += *q++;
      continue;
    }
    if (q + 1 == end || q[1] == '\n') unterminated();
    switch (q[1]) {
      case '"': text.value += '"'; break;
      case '\\': text.value += '\\'; break;
      case 'n': text.value += '\n'; break;
      default: {
        const std::size_t length = std::min<std::size_t>(code_point_length(static_cast<unsigned char>(q[1])),
                                                         static_cast<std::size_t>(end - q - 1));
        fail(state, "E109", state.span(q, q + 1 + length),
             "unknown escape sequence `\\" + std::string(q + 1, length) + "` in a string",
             "supported escapes are `\\\"`, `\\\\` and `\\n`");
      }
    }
    q += 2;
  }
  text.span = state.span(p, q + 1);
  return text;
}

std::optional<ast::Expr> literal(const ParseState& state, const char* p) {
  const char* end = end_of(state);
  for (bool value : {true, false}) {
    const std::string_view word = value ? "true" : "false";
    if (lexical::starts_with_word(p, end, word)) {
      ast::Expr e;
      e.kind = ast::Expr::Kind::boolean;
      e.bool_value = value;
      e.span = state.span(p, p + word.size());
      return e;
    }
  }
  if (p == end || !lexical::is_digit(*p)) return std::nullopt;
  if (auto d = date(state, p, end)) return d;

  const char* q = skip_digits(p, end);
  ast::Expr e;
  if (q != end && *q == '.' && q + 1 != end && lexical::is_digit(q[1])) {
    q = skip_digits(q + 1, end);
    if (!at_boundary(q, end)) return std::nullopt;
    e.kind = ast::Expr::Kind::decimal;
    e.text = std::string(p, q);
    e.span = state.span(p, q);
    if (auto millionths = lexical::decimal_millionths(e.text)) {
      e.decimal_value = *millionths;
    } else if (q - std::find(p, q, '.') - 1 > lexical::kDecimalPlaces) {
      fail(state, "E110", e.span, "decimal `" + e.text + "` has more than six decimal places",
           "decimals are exact to six places (millionths); round the number");
    } else {
      fail(state, "E110", e.span, "decimal `" + e.text + "` is out of range",
           "decimals are exact to six places, from -9223372036854.775808 to 9223372036854.775807");
    }
    return e;
  }
  if (!at_boundary(q, end)) return std::nullopt;
  e.kind = ast::Expr::Kind::integer;
  e.span = state.span(p, q);
  const auto [ptr, ec] = std::from_chars(p, q, e.int_value);
  if (ec != std::errc() || ptr != q) {
    fail(state, "E110", e.span, "integer `" + std::string(p, q) + "` is out of range",
         "integers must be at most 9223372036854775807");
  }
  // A number followed by a unit is a duration: `30 days`.
  const char* u = lexical::skip_blank(q, end);
  const std::size_t length = lexical::ident_length(u, end);
  if (auto unit = duration_unit(std::string_view(u, length))) {
    e.kind = ast::Expr::Kind::duration;
    e.unit = *unit;
    e.span = state.span(p, u + length);
  }
  return e;
}

std::optional<ast::Expr> name_expr(const ParseState& state, const char* p) {
  const char* end = end_of(state);
  std::size_t length = lexical::ident_length(p, end);
  if (length == 0 || lexical::is_keyword(std::string_view(p, length))) return std::nullopt;
  // After a dot any identifier may follow, keywords included: `order.date`.
  while (p + length != end && p[length] == '.') {
    const std::size_t segment = lexical::ident_length(p + length + 1, end);
    if (segment == 0) break;
    length += 1 + segment;
  }
  ast::Expr e;
  e.kind = ast::Expr::Kind::name;
  e.text = std::string(p, length);
  e.span = state.span(p, p + length);
  return e;
}

std::optional<ast::Name> declared_name(const ParseState& state, const char* p, const char* what, bool dotted) {
  const char* end = end_of(state);
  std::size_t length = lexical::ident_length(p, end);
  if (length == 0) return std::nullopt;
  const std::string_view first(p, length);
  // `enum e { a b` then `fact ...`: the next declaration, not a bad name.
  if (lexical::is_declaration_keyword(first)) return std::nullopt;
  if (lexical::is_keyword(first)) {
    fail(state, "E111", state.span(p, p + length),
         "`" + std::string(first) + "` is a keyword and cannot name " + what, "choose another name");
  }
  while (dotted && p + length != end && p[length] == '.') {
    const std::size_t segment = lexical::ident_length(p + length + 1, end);
    if (segment == 0) break;
    length += 1 + segment;
  }
  return ast::Name{state.span(p, p + length), std::string(p, length)};
}

std::optional<ast::Name> reference(const ParseState& state, const char* p) {
  const std::size_t length = lexical::ident_length(p, end_of(state));
  if (length == 0 || lexical::is_keyword(std::string_view(p, length))) return std::nullopt;
  return ast::Name{state.span(p, p + length), std::string(p, length)};
}

}  // namespace proviso::grammar::scan
