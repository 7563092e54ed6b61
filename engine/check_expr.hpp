// Type-checks one expression or condition against the vocabulary and compiles it.
#pragma once
#include <optional>
#include <set>

#include "check.hpp"

namespace proviso {

class ExprChecker {
 public:
  ExprChecker(Policy& policy, Diagnostics& diagnostics, SourceId source, std::string citation_base,
              const std::set<std::string, std::less<>>* broken_names = nullptr)
      : policy_(policy), diagnostics_(diagnostics), source_(source), base_(std::move(citation_base)),
        broken_names_(broken_names) {}

  // A condition: a boolean expression with its phrase and citation, registered in policy.conditions.
  std::optional<CExpr> condition(const ast::Condition& condition);
  Citation resolve_citation(const ast::Citation& cite) const;

  // What the compiled expressions referenced, for the unused-name warnings.
  std::set<std::int32_t> used_facts, used_definitions, used_interpretations;

 private:
  std::optional<CExpr> expr(const ast::Expr& e, std::optional<Type> hint);
  std::optional<CExpr> name(const ast::Expr& e, std::optional<Type> hint);
  std::optional<CExpr> set_literal(const ast::Expr& e, std::optional<Type> hint);
  std::optional<CExpr> unary(const ast::Expr& e);
  std::optional<CExpr> binary(const ast::Expr& e);
  std::optional<CExpr> block(const ast::Expr& e);
  std::optional<CExpr> boolean_operand(const ast::Expr& e, std::string_view what);
  bool needs_hint(const ast::Expr& e) const;
  void error(std::string code, Span span, std::string message, std::string help = {});
  std::string excerpt(Span span) const;

  Policy& policy_;
  Diagnostics& diagnostics_;
  SourceId source_;
  std::string base_;
  const std::set<std::string, std::less<>>* broken_names_;
};

}  // namespace proviso
