// Scanners for the grammar's tokens that carry values: strings, literals and
// names. Each starts at a position after blanks and returns nothing when its
// token does not start there; malformed tokens throw SyntaxError (E104, E109,
// E110, E111). Plain C++, wrapped as X3 parsers in tokens.hpp.
#pragma once
#include <optional>

#include "ast.hpp"
#include "parse_state.hpp"

namespace proviso::grammar::scan {

// One "..." literal, unescaped.
std::optional<ast::Text> string_literal(const ParseState& state, const char* p);
// true, false, 12, 2.5, 2024-01-31 or 30 days.
std::optional<ast::Expr> literal(const ParseState& state, const char* p);
// A bare name or dotted path whose first segment is not a keyword.
std::optional<ast::Expr> name_expr(const ParseState& state, const char* p);
// The name a declaration introduces; a keyword there is E111 ("cannot name `what`").
std::optional<ast::Name> declared_name(const ParseState& state, const char* p, const char* what, bool dotted);
// A reference to a declared name (rule id, enum type): an identifier that is not a keyword.
std::optional<ast::Name> reference(const ParseState& state, const char* p);

}  // namespace proviso::grammar::scan
