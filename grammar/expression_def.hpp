// X3 rules for expressions and conditions (docs/language.md, "Conditions and
// expressions"). Precedence from low to high: or, and, not, comparison,
// + and -, unary minus, primary. Included only by grammar.cpp.
#pragma once
#include "ast_build.hpp"
#include "directives.hpp"
#include "tokens.hpp"

namespace proviso::grammar {

inline constexpr auto check_empty_block = [](auto& ctx) {
  const ast::Expr& block = x3::_val(ctx);
  if (block.items.empty()) {
    report(state_of(ctx), "E114", block.span, std::string("empty `") + block_keyword(block.block_kind) + "` block",
           "add a condition to the block, or remove it");
  }
};

x3::rule<class or_expr_id, ast::Expr> const or_expr = "an expression";
x3::rule<class and_expr_id, ast::Expr> const and_expr = "an expression";
x3::rule<class not_expr_id, ast::Expr> const not_expr = "an expression";
x3::rule<class not_node_id, ast::Expr> const not_node = "`not`";
x3::rule<class comparison_id, ast::Expr> const comparison = "an expression";
x3::rule<class additive_id, ast::Expr> const additive = "an expression";
x3::rule<class unary_id, ast::Expr> const unary = "an expression";
x3::rule<class negate_node_id, ast::Expr> const negate_node = "`-`";
x3::rule<class primary_id, ast::Expr> const primary = "an expression";
x3::rule<class block_id, ast::Expr> const block = "a block";
x3::rule<class set_literal_id, ast::Expr> const set_literal = "a set";
x3::rule<class condition_id, ast::Condition> const condition = "a condition";
x3::rule<class citation_id, ast::Citation> const citation = "a citation";
x3::rule<class text_id, ast::Text> const text_plus = "a string";

// --- semantic actions -------------------------------------------------------

inline constexpr auto take = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };

template <ast::BinaryOp Op>
inline constexpr auto fold = [](auto& ctx) {
  ast::Expr& lhs = x3::_val(ctx);
  lhs = make_binary(state_of(ctx), Op, std::move(lhs), std::move(x3::_attr(ctx)));
};

// `not x`, `-x`: the prefix rule's on_success sets the span.
template <ast::UnaryOp Op>
inline constexpr auto prefix = [](auto& ctx) {
  x3::_val(ctx) = make_unary(state_of(ctx), Op, std::move(x3::_attr(ctx)), Span{});
};

// `x is known`: attribute is the span of `known`/`unknown`.
template <ast::UnaryOp Op>
inline constexpr auto postfix = [](auto& ctx) {
  ast::Expr& operand = x3::_val(ctx);
  const Span span{operand.span.begin, x3::_attr(ctx).end};
  operand = make_unary(state_of(ctx), Op, std::move(operand), span);
};

template <ast::BlockKind Kind>
inline constexpr auto start_block = [](auto& ctx) {
  x3::_val(ctx).kind = ast::Expr::Kind::block;
  x3::_val(ctx).block_kind = Kind;
};
inline constexpr auto add_item = [](auto& ctx) { x3::_val(ctx).items.push_back(std::move(x3::_attr(ctx))); };
inline constexpr auto add_element = [](auto& ctx) {
  x3::_val(ctx).kind = ast::Expr::Kind::set;
  x3::_val(ctx).children.push_back(std::move(x3::_attr(ctx)));
};
inline constexpr auto finish = [](auto& ctx) {
  if (x3::_val(ctx).kind != ast::Expr::Kind::block) x3::_val(ctx).kind = ast::Expr::Kind::set;
  finish_composite(state_of(ctx), x3::_val(ctx));
};

inline constexpr auto set_expr = [](auto& ctx) { x3::_val(ctx).expr = std::move(x3::_attr(ctx)); };
inline constexpr auto set_phrase = [](auto& ctx) { x3::_val(ctx).phrase = std::move(x3::_attr(ctx)); };
inline constexpr auto set_cite = [](auto& ctx) { x3::_val(ctx).cite = std::move(x3::_attr(ctx)); };
inline constexpr auto set_cite_text = [](auto& ctx) { x3::_val(ctx).text = std::move(x3::_attr(ctx).value); };
inline constexpr auto set_cite_id = [](auto& ctx) { x3::_val(ctx).id = std::move(x3::_attr(ctx).value); };
inline constexpr auto append = [](auto& ctx) { append_text(x3::_val(ctx), std::move(x3::_attr(ctx))); };

// --- expectations -----------------------------------------------------------

constexpr Expectation operand_after(const char* what) { return {what, "write an expression such as a fact, a value or a comparison"}; }

// --- rules ------------------------------------------------------------------

auto const or_expr_def =
    and_expr[take] >> *(kw("or") >> need(and_expr, operand_after("an expression after `or`"))[fold<ast::BinaryOp::or_>]);

auto const and_expr_def =
    not_expr[take] >> *(kw("and") >> need(not_expr, operand_after("an expression after `and`"))[fold<ast::BinaryOp::and_>]);

auto const not_expr_def = not_node[take] | comparison[take];

auto const not_node_def = located[
    kw("not") >> nested[need(not_expr, operand_after("an expression after `not`"))][prefix<ast::UnaryOp::not_>]];

template <ast::BinaryOp Op>
constexpr auto compare(const char* op, const char* what) {
  return (sym(op) >> need(additive, operand_after(what)))[fold<Op>];
}
template <ast::BinaryOp Op>
constexpr auto compare_word(const char* word, const char* what) {
  return (kw(word) >> need(additive, operand_after(what)))[fold<Op>];
}

auto const comparison_tail =
    compare<ast::BinaryOp::eq>("==", "an expression after `==`")
  | compare<ast::BinaryOp::ne>("!=", "an expression after `!=`")
  | compare<ast::BinaryOp::le>("<=", "an expression after `<=`")
  | compare<ast::BinaryOp::lt>("<", "an expression after `<`")
  | compare<ast::BinaryOp::ge>(">=", "an expression after `>=`")
  | compare<ast::BinaryOp::gt>(">", "an expression after `>`")
  | compare_word<ast::BinaryOp::in>("in", "a set after `in`")
  | (kw("not") >> kw("in") >> need(additive, operand_after("a set after `not in`")))[fold<ast::BinaryOp::not_in>]
  | (kw("subset") >> need(kw("of"), {"`of` after `subset`", "write `A subset of B`"})
       >> need(additive, operand_after("a set after `subset of`")))[fold<ast::BinaryOp::subset_of>]
  | (kw("superset") >> need(kw("of"), {"`of` after `superset`", "write `A superset of B`"})
       >> need(additive, operand_after("a set after `superset of`")))[fold<ast::BinaryOp::superset_of>]
  | compare_word<ast::BinaryOp::intersects>("intersects", "a set after `intersects`")
  | (kw("is") >> need(kw_at("known")[postfix<ast::UnaryOp::is_known>] | kw_at("unknown")[postfix<ast::UnaryOp::is_unknown>],
                      {"`known` or `unknown` after `is`", "write `x is known` or `x is unknown`; compare values with `==`"}));

auto const comparison_def = additive[take] >> -comparison_tail >> no_chain;

auto const additive_def =
    unary[take] >> *((sym("+") >> need(unary, operand_after("an expression after `+`")))[fold<ast::BinaryOp::add>]
                   | (sym("-") >> need(unary, operand_after("an expression after `-`")))[fold<ast::BinaryOp::sub>]);

auto const unary_def = negate_node[take] | primary[take];

auto const negate_node_def = located[
    sym("-") >> nested[need(unary, operand_after("an expression after `-`"))][prefix<ast::UnaryOp::negate>]];

auto const parenthesised =
    sym("(") >> nested[need(or_expr, operand_after("an expression after `(`"))][take]
    >> need(sym(")"), {"`)` to close the parenthesis", "every `(` needs a matching `)`"});

auto const primary_def =
    literal_token[take] | string_expr_token[take] | block[take] | set_literal[take] | parenthesised | name_token[take];

auto const block_def = located[
    ( (kw("all")[start_block<ast::BlockKind::all_of>] >> need(kw("of"), {"`of` after `all`", "write `all of { ... }`"}))
    | (kw("any")[start_block<ast::BlockKind::any_of>] >> need(kw("of"), {"`of` after `any`", "write `any of { ... }`"}))
    | (kw("none")[start_block<ast::BlockKind::none_of>] >> need(kw("of"), {"`of` after `none`", "write `none of { ... }`"})) )
    >> need(sym("{"), {"`{` to open the block", "list the conditions in braces: `all of { a  b }`"})
    >> nested[*condition[add_item]]
    >> need(sym("}"), {"`}` to close the block", "each condition in a block is an expression, optionally followed by a \"phrase\" and a `cite`"})
    >> nothing[finish]]
    >> nothing[check_empty_block];

auto const set_literal_def = located[
    sym("{") >> nested[-(or_expr[add_element] >> *(sym(",") >> need(or_expr, operand_after("a set element after `,`"))[add_element]))]
    >> need(sym("}"), {"`}` to close the set", "separate the elements of a set with commas: `{a, b}`"})
    >> nothing[finish]];

auto const condition_def = located[or_expr[set_expr] >> -string_token[set_phrase] >> -citation[set_cite]];

auto const citation_def = located[
    kw("cite") >> need(string_token, {"a string after `cite`", "write the provision in quotes: `cite \"26 U.S.C. § 6103(a)\"`"})[set_cite_text]
    >> -(kw("id") >> need(string_token, {"a string after `id`", "write the stable identifier in quotes: `id \"usc26-6103-a\"`"})[set_cite_id])];

auto const text_plus_def = string_token[take] >> *string_token[append];

BOOST_SPIRIT_DEFINE(or_expr, and_expr, not_expr, not_node, comparison, additive, unary, negate_node, primary, block,
                    set_literal, condition, citation, text_plus)

}  // namespace proviso::grammar
