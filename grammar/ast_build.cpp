// Building expression nodes; see ast_build.hpp.
#include "ast_build.hpp"

#include <algorithm>

namespace proviso::grammar {

namespace {

using Kind = ast::Expr::Kind;

bool is_composite(const ast::Expr& e) {
  return e.kind == Kind::unary || e.kind == Kind::binary || e.kind == Kind::set || e.kind == Kind::block;
}

std::int64_t height(const ast::Expr& e) { return is_composite(e) ? e.int_value : 1; }

void set_height(const ParseState& state, ast::Expr& node, std::int64_t h) {
  if (h > static_cast<std::int64_t>(state.max_tree_height())) {
    fail(state, "E106",
         Span{node.span.begin, node.span.end},
         "expression nests deeper than the limit of " + std::to_string(state.max_tree_height()) + " operators",
         "name parts of the expression with definitions, or list conditions in an `all of` or `any of` block");
  }
  node.int_value = h;
}

void clear(ast::Expr& e);

void clear(ast::Condition& c) { clear(c.expr); }

void clear(ast::Expr& e) {
  if (!is_composite(e)) return;
  e.int_value = 0;
  for (ast::Expr& child : e.children) clear(child);
  for (ast::Condition& item : e.items) clear(item);
}

}  // namespace

ast::Expr make_binary(const ParseState& state, ast::BinaryOp op, ast::Expr lhs, ast::Expr rhs) {
  ast::Expr node;
  node.kind = Kind::binary;
  node.binary_op = op;
  node.span = Span{lhs.span.begin, rhs.span.end};
  const std::int64_t h = std::max(height(lhs), height(rhs)) + 1;
  node.children.reserve(2);
  node.children.push_back(std::move(lhs));
  node.children.push_back(std::move(rhs));
  set_height(state, node, h);
  return node;
}

ast::Expr make_unary(const ParseState& state, ast::UnaryOp op, ast::Expr operand, Span span) {
  ast::Expr node;
  node.kind = Kind::unary;
  node.unary_op = op;
  node.span = span;
  const std::int64_t h = height(operand) + 1;
  node.children.push_back(std::move(operand));
  set_height(state, node, h);
  return node;
}

void finish_composite(const ParseState& state, ast::Expr& node) {
  std::int64_t h = 0;
  for (const ast::Expr& child : node.children) h = std::max(h, height(child));
  for (const ast::Condition& item : node.items) h = std::max(h, height(item.expr));
  set_height(state, node, h + 1);
}

void clear_heights(ast::Declaration& declaration) {
  if (auto* d = std::get_if<ast::DefinitionDecl>(&declaration); d && d->means) clear(*d->means);
  if (auto* r = std::get_if<ast::RuleDecl>(&declaration); r && r->when) clear(*r->when);
}

void append_text(ast::Text& text, ast::Text more) {
  text.value += ' ';
  text.value += more.value;
  text.span.end = more.span.end;
}

const char* block_keyword(ast::BlockKind kind) {
  switch (kind) {
    case ast::BlockKind::all_of: return "all of";
    case ast::BlockKind::any_of: return "any of";
    case ast::BlockKind::none_of: return "none of";
  }
  return "all of";
}

}  // namespace proviso::grammar
