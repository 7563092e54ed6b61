// Building expression nodes in the grammar's semantic actions. While parsing,
// composite nodes keep their tree height in `int_value` (unused by those
// kinds) so a runaway chain such as `a and a and ...` is stopped before the
// tree grows too deep to walk; clear_heights resets it before the AST leaves.
#pragma once
#include "ast.hpp"
#include "parse_state.hpp"

namespace proviso::grammar {

ast::Expr make_binary(const ParseState& state, ast::BinaryOp op, ast::Expr lhs, ast::Expr rhs);
// The span of a prefix node is set by the rule that parsed it; postfix nodes get `span`.
ast::Expr make_unary(const ParseState& state, ast::UnaryOp op, ast::Expr operand, Span span);
// Recomputes the height of a set or block after its elements were added.
void finish_composite(const ParseState& state, ast::Expr& node);
void clear_heights(ast::Declaration& declaration);

// Appends an adjacent string literal: "a" "b" reads "a b".
void append_text(ast::Text& text, ast::Text more);

const char* block_keyword(ast::BlockKind kind);  // "all of"

}  // namespace proviso::grammar
