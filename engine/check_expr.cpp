#include "check_expr.hpp"

#include <algorithm>

namespace proviso {
namespace {

bool is_numeric(Type t) { return t.kind == TypeKind::integer || t.kind == TypeKind::decimal; }

Type bool_type() { return Type{TypeKind::boolean, -1}; }

CExpr make(CExpr::Op op, Type type, SourceId source, Span span) {
  CExpr node;
  node.op = op;
  node.type = type;
  node.source = source;
  node.span = span;
  return node;
}

std::string_view binary_symbol(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::or_: return "or";
    case ast::BinaryOp::and_: return "and";
    case ast::BinaryOp::eq: return "==";
    case ast::BinaryOp::ne: return "!=";
    case ast::BinaryOp::lt: return "<";
    case ast::BinaryOp::le: return "<=";
    case ast::BinaryOp::gt: return ">";
    case ast::BinaryOp::ge: return ">=";
    case ast::BinaryOp::in: return "in";
    case ast::BinaryOp::not_in: return "not in";
    case ast::BinaryOp::subset_of: return "subset of";
    case ast::BinaryOp::superset_of: return "superset of";
    case ast::BinaryOp::intersects: return "intersects";
    case ast::BinaryOp::add: return "+";
    case ast::BinaryOp::sub: return "-";
  }
  return "?";
}

}  // namespace

void ExprChecker::error(std::string code, Span span, std::string message, std::string help) {
  Diagnostic d;
  d.code = std::move(code);
  d.source = source_;
  d.span = span;
  d.message = std::move(message);
  d.help = std::move(help);
  diagnostics_.push_back(std::move(d));
}

std::string ExprChecker::excerpt(Span span) const {
  const auto& text = policy_.sources.get(source_).text;
  if (span.end > text.size() || span.begin >= span.end) return {};
  std::string out = text.substr(span.begin, span.end - span.begin);
  std::replace(out.begin(), out.end(), '\n', ' ');
  if (out.size() > 60) out = out.substr(0, 57) + "...";
  return out;
}

Citation ExprChecker::resolve_citation(const ast::Citation& cite) const {
  Citation out;
  out.text = cite.text;
  if (!cite.text.empty() && cite.text.front() == '(' && !base_.empty()) out.text = base_ + cite.text;
  out.id = cite.id ? *cite.id : citation_slug(out.text);
  return out;
}

bool ExprChecker::needs_hint(const ast::Expr& e) const {
  if (e.kind == ast::Expr::Kind::set) return true;
  if (e.kind != ast::Expr::Kind::name) return false;
  return !policy_.fact_index.contains(e.text) && !policy_.definition_index.contains(e.text) &&
         !policy_.interpretation_index.contains(e.text);
}

std::optional<CExpr> ExprChecker::condition(const ast::Condition& c) {
  auto compiled = expr(c.expr, bool_type());
  if (!compiled) return std::nullopt;
  if (compiled->type.kind != TypeKind::boolean) {
    error("E203", c.expr.span,
          "a condition must be true or false, but `" + excerpt(c.expr.span) + "` is " +
              policy_.type_name(compiled->type),
          "compare it with a value, e.g. `" + excerpt(c.expr.span) + " == ...`");
    return std::nullopt;
  }
  ConditionInfo info;
  if (c.phrase) info.phrase = c.phrase->value;
  if (c.cite) info.cite = resolve_citation(*c.cite);
  info.source = source_;
  info.span = c.span;
  if (compiled->op == CExpr::Op::definition) info.definition = compiled->slot;
  if (compiled->op == CExpr::Op::interpretation) info.interpretation = compiled->slot;
  // A bare reference keeps its own condition id on the referenced node; wrap
  // the phrased condition in a node of its own only if the node already has one.
  if (compiled->condition != -1) {
    CExpr wrapper = make(CExpr::Op::and_, bool_type(), source_, c.span);
    wrapper.args.push_back(std::move(*compiled));
    compiled = std::move(wrapper);
  }
  compiled->condition = static_cast<std::int32_t>(policy_.conditions.size());
  policy_.conditions.push_back(std::move(info));
  return compiled;
}

std::optional<CExpr> ExprChecker::expr(const ast::Expr& e, std::optional<Type> hint) {
  using K = ast::Expr::Kind;
  switch (e.kind) {
    case K::boolean: {
      auto node = make(CExpr::Op::constant, bool_type(), source_, e.span);
      node.constant = Value::of_bool(e.bool_value);
      return node;
    }
    case K::integer: {
      auto node = make(CExpr::Op::constant, Type{TypeKind::integer, -1}, source_, e.span);
      node.constant.kind = TypeKind::integer;
      node.constant.known = true;
      node.constant.integer = e.int_value;
      return node;
    }
    case K::decimal: {
      auto node = make(CExpr::Op::constant, Type{TypeKind::decimal, -1}, source_, e.span);
      node.constant.kind = TypeKind::decimal;
      node.constant.known = true;
      node.constant.decimal = e.decimal_value;  // millionths, as the scanner read it
      return node;
    }
    case K::date: {
      auto days = parse_date(e.text);
      if (!days) {
        error("E207", e.span, "`" + e.text + "` is not a calendar date",
              "write dates as YYYY-MM-DD with a real month and day, e.g. `2024-02-29`");
        return std::nullopt;
      }
      auto node = make(CExpr::Op::constant, Type{TypeKind::date, -1}, source_, e.span);
      node.constant.kind = TypeKind::date;
      node.constant.known = true;
      node.constant.integer = *days;
      return node;
    }
    case K::duration: {
      auto node = make(CExpr::Op::constant, Type{TypeKind::duration, -1}, source_, e.span);
      node.constant.kind = TypeKind::duration;
      node.constant.known = true;
      node.constant.integer = e.int_value;
      node.constant.unit = static_cast<std::uint8_t>(e.unit);
      return node;
    }
    case K::string: {
      auto node = make(CExpr::Op::constant, Type{TypeKind::string, -1}, source_, e.span);
      node.constant.kind = TypeKind::string;
      node.constant.known = true;
      node.constant.text = e.text;
      return node;
    }
    case K::name: return name(e, hint);
    case K::set: return set_literal(e, hint);
    case K::unary: return unary(e);
    case K::binary: return binary(e);
    case K::block: return block(e);
  }
  return std::nullopt;
}

std::optional<CExpr> ExprChecker::name(const ast::Expr& e, std::optional<Type> hint) {
  if (auto it = policy_.fact_index.find(e.text); it != policy_.fact_index.end()) {
    auto node = make(CExpr::Op::fact, policy_.facts[it->second].type, source_, e.span);
    node.slot = it->second;
    used_facts.insert(it->second);
    return node;
  }
  if (auto it = policy_.definition_index.find(e.text); it != policy_.definition_index.end()) {
    auto node = make(CExpr::Op::definition, bool_type(), source_, e.span);
    node.slot = it->second;
    used_definitions.insert(it->second);
    return node;
  }
  if (auto it = policy_.interpretation_index.find(e.text); it != policy_.interpretation_index.end()) {
    auto node = make(CExpr::Op::interpretation, bool_type(), source_, e.span);
    node.slot = it->second;
    used_interpretations.insert(it->second);
    return node;
  }
  auto enum_constant = [&](std::int32_t enum_id, std::int32_t index) {
    auto node = make(CExpr::Op::constant, Type{TypeKind::enumeration, enum_id}, source_, e.span);
    node.constant.kind = TypeKind::enumeration;
    node.constant.known = true;
    node.constant.integer = index;
    return node;
  };
  if (hint && hint->kind == TypeKind::enumeration && e.text.find('.') == std::string::npos) {
    const auto& type = policy_.enums[hint->enum_id];
    if (auto index = type.index_of(e.text); index >= 0) return enum_constant(hint->enum_id, index);
    auto near = closest_name(e.text, type.values);
    error("E206", e.span, "`" + e.text + "` is not a value of `" + type.name + "`",
          near.empty() ? "its values are declared in `enum " + type.name + "`"
                       : "did you mean `" + near + "`?");
    return std::nullopt;
  }
  // Without a type from context, a bare value is accepted when exactly one enum declares it.
  std::vector<std::int32_t> owners;
  for (std::size_t i = 0; i < policy_.enums.size(); ++i)
    if (policy_.enums[i].index_of(e.text) >= 0) owners.push_back(static_cast<std::int32_t>(i));
  if (owners.size() == 1) return enum_constant(owners[0], policy_.enums[owners[0]].index_of(e.text));
  if (owners.size() > 1) {
    error("E215", e.span, "`" + e.text + "` is a value of several enums, and nothing here says which",
          "compare it with a fact, e.g. `fact.path == " + e.text + "`");
    return std::nullopt;
  }
  if (broken_names_ && broken_names_->contains(e.text)) return std::nullopt;  // already reported where it was declared
  std::vector<std::string> candidates;
  for (const auto& [path, slot] : policy_.fact_index) candidates.push_back(path);
  for (const auto& [n, slot] : policy_.definition_index) candidates.push_back(n);
  for (const auto& [n, slot] : policy_.interpretation_index) candidates.push_back(n);
  for (const auto& type : policy_.enums)
    for (const auto& v : type.values) candidates.push_back(v);
  auto near = closest_name(e.text, candidates);
  error("E201", e.span, "unknown name `" + e.text + "`",
        near.empty() ? "declare it as a `fact`, `definition`, `interpretation` or enum value"
                     : "did you mean `" + near + "`?");
  return std::nullopt;
}

std::optional<CExpr> ExprChecker::set_literal(const ast::Expr& e, std::optional<Type> hint) {
  std::optional<Type> element;
  if (hint && (hint->kind == TypeKind::set || hint->kind == TypeKind::enumeration))
    element = Type{TypeKind::enumeration, hint->enum_id};
  CExpr node = make(CExpr::Op::constant, Type{TypeKind::set, -1}, source_, e.span);
  node.constant.kind = TypeKind::set;
  node.constant.known = true;
  bool ok = true;
  for (const auto& item : e.children) {
    auto compiled = expr(item, element);
    if (!compiled) { ok = false; continue; }
    if (compiled->op != CExpr::Op::constant || compiled->type.kind != TypeKind::enumeration) {
      error("E204", item.span, "a set literal holds enum values, but `" + excerpt(item.span) + "` is " +
                                   policy_.type_name(compiled->type),
            "write enum value names between the braces, e.g. `{taxpayer_name, mailing_address}`");
      ok = false;
      continue;
    }
    if (!element) element = compiled->type;
    if (compiled->type.enum_id != element->enum_id) {
      error("E202", item.span, "`" + excerpt(item.span) + "` is a `" +
                                   policy_.enums[compiled->type.enum_id].name + "`, not a `" +
                                   policy_.enums[element->enum_id].name + "`");
      ok = false;
      continue;
    }
    if (policy_.enums[element->enum_id].values.size() > 64) {
      error("E212", item.span, "enum `" + policy_.enums[element->enum_id].name +
                                   "` has more than 64 values and cannot be used in a set",
            "split the enum");
      ok = false;
      continue;
    }
    node.constant.bits |= std::uint64_t{1} << compiled->constant.integer;
  }
  if (!ok) return std::nullopt;
  if (!element) {
    if (!hint || hint->kind != TypeKind::set) {
      error("E204", e.span, "cannot tell the type of the empty set `{}`", "compare it with a set fact");
      return std::nullopt;
    }
    element = Type{TypeKind::enumeration, hint->enum_id};
  }
  node.type.enum_id = element->enum_id;
  return node;
}

std::optional<CExpr> ExprChecker::boolean_operand(const ast::Expr& e, std::string_view what) {
  auto compiled = expr(e, bool_type());
  if (!compiled) return std::nullopt;
  if (compiled->type.kind != TypeKind::boolean) {
    error("E203", e.span,
          "`" + std::string(what) + "` needs true or false, but `" + excerpt(e.span) + "` is " +
              policy_.type_name(compiled->type),
          "compare it with a value first");
    return std::nullopt;
  }
  return compiled;
}

std::optional<CExpr> ExprChecker::unary(const ast::Expr& e) {
  if (e.children.empty()) return std::nullopt;
  const auto& operand = e.children[0];
  switch (e.unary_op) {
    case ast::UnaryOp::not_: {
      auto inner = boolean_operand(operand, "not");
      if (!inner) return std::nullopt;
      auto node = make(CExpr::Op::not_, bool_type(), source_, e.span);
      node.args.push_back(std::move(*inner));
      return node;
    }
    case ast::UnaryOp::negate: {
      auto inner = expr(operand, std::nullopt);
      if (!inner) return std::nullopt;
      if (!is_numeric(inner->type)) {
        error("E204", e.span, "`-` needs a number, but `" + excerpt(operand.span) + "` is " +
                                  policy_.type_name(inner->type));
        return std::nullopt;
      }
      auto node = make(CExpr::Op::negate, inner->type, source_, e.span);
      node.args.push_back(std::move(*inner));
      return node;
    }
    case ast::UnaryOp::is_known:
    case ast::UnaryOp::is_unknown: {
      auto inner = expr(operand, std::nullopt);
      if (!inner) return std::nullopt;
      if (inner->op != CExpr::Op::fact) {
        error("E204", operand.span, "`is known` tests a fact, but `" + excerpt(operand.span) + "` is not one",
              "write a fact path, e.g. `request.signed_by is known`");
        return std::nullopt;
      }
      auto node = make(CExpr::Op::is_known, bool_type(), source_, e.span);
      node.args.push_back(std::move(*inner));
      if (e.unary_op == ast::UnaryOp::is_known) return node;
      auto negation = make(CExpr::Op::not_, bool_type(), source_, e.span);
      negation.args.push_back(std::move(node));
      return negation;
    }
  }
  return std::nullopt;
}

std::optional<CExpr> ExprChecker::binary(const ast::Expr& e) {
  using B = ast::BinaryOp;
  if (e.children.size() != 2) return std::nullopt;
  const auto& lhs_ast = e.children[0];
  const auto& rhs_ast = e.children[1];
  const auto op = e.binary_op;
  const std::string symbol(binary_symbol(op));

  if (op == B::and_ || op == B::or_) {
    auto lhs = boolean_operand(lhs_ast, symbol);
    auto rhs = boolean_operand(rhs_ast, symbol);
    if (!lhs || !rhs) return std::nullopt;
    const auto node_op = op == B::and_ ? CExpr::Op::and_ : CExpr::Op::or_;
    auto node = make(node_op, bool_type(), source_, e.span);
    for (auto* side : {&*lhs, &*rhs}) {
      // Flatten chains of one operator so evaluation stays shallow.
      if (side->op == node_op && side->condition == -1)
        for (auto& arg : side->args) node.args.push_back(std::move(arg));
      else
        node.args.push_back(std::move(*side));
    }
    return node;
  }

  // Hints flow from the side whose type is known to a bare enum value or set literal.
  auto hint_from = [&](const CExpr& known) -> std::optional<Type> {
    if (op == B::in || op == B::not_in) {
      if (known.type.kind == TypeKind::set) return Type{TypeKind::enumeration, known.type.enum_id};
      if (known.type.kind == TypeKind::enumeration) return Type{TypeKind::set, known.type.enum_id};
      return std::nullopt;
    }
    return known.type;
  };
  std::optional<CExpr> lhs, rhs;
  if (needs_hint(lhs_ast) && !needs_hint(rhs_ast)) {
    rhs = expr(rhs_ast, std::nullopt);
    if (!rhs) return std::nullopt;
    lhs = expr(lhs_ast, hint_from(*rhs));
  } else {
    lhs = expr(lhs_ast, std::nullopt);
    if (!lhs) return std::nullopt;
    rhs = expr(rhs_ast, hint_from(*lhs));
  }
  if (!lhs || !rhs) return std::nullopt;
  const Type lt = lhs->type, rt = rhs->type;
  auto mismatch = [&](std::string help = {}) {
    error("E202", e.span,
          "`" + symbol + "` cannot compare " + policy_.type_name(lt) + " `" + excerpt(lhs_ast.span) + "` with " +
              policy_.type_name(rt) + " `" + excerpt(rhs_ast.span) + "`",
          std::move(help));
    return std::nullopt;
  };
  auto binary_node = [&](CExpr::Op node_op, Type type) {
    auto node = make(node_op, type, source_, e.span);
    node.args.push_back(std::move(*lhs));
    node.args.push_back(std::move(*rhs));
    return node;
  };

  switch (op) {
    case B::eq:
    case B::ne: {
      bool same = lt == rt || (is_numeric(lt) && is_numeric(rt));
      if (!same || lt.kind == TypeKind::duration) return mismatch("both sides must have the same type");
      auto node = binary_node(CExpr::Op::eq, bool_type());
      if (op == B::eq) return node;
      auto negation = make(CExpr::Op::not_, bool_type(), source_, e.span);
      negation.args.push_back(std::move(node));
      return negation;
    }
    case B::lt:
    case B::le:
    case B::gt:
    case B::ge: {
      bool ordered = (is_numeric(lt) && is_numeric(rt)) || (lt.kind == TypeKind::date && rt.kind == TypeKind::date);
      if (!ordered) return mismatch("`<`, `<=`, `>` and `>=` compare numbers or dates");
      auto node_op = op == B::lt ? CExpr::Op::lt : op == B::le ? CExpr::Op::le : op == B::gt ? CExpr::Op::gt : CExpr::Op::ge;
      return binary_node(node_op, bool_type());
    }
    case B::in:
    case B::not_in: {
      if (lt.kind != TypeKind::enumeration || rt.kind != TypeKind::set || lt.enum_id != rt.enum_id)
        return mismatch("`in` tests an enum value against a set of that enum");
      auto node = binary_node(CExpr::Op::in, bool_type());
      if (op == B::in) return node;
      auto negation = make(CExpr::Op::not_, bool_type(), source_, e.span);
      negation.args.push_back(std::move(node));
      return negation;
    }
    case B::subset_of:
    case B::superset_of:
    case B::intersects: {
      if (lt.kind != TypeKind::set || rt.kind != TypeKind::set || lt.enum_id != rt.enum_id)
        return mismatch("set operators need two sets of the same enum");
      auto node_op = op == B::subset_of ? CExpr::Op::subset : op == B::superset_of ? CExpr::Op::superset : CExpr::Op::intersects;
      return binary_node(node_op, bool_type());
    }
    case B::add:
    case B::sub: {
      const auto node_op = op == B::add ? CExpr::Op::add : CExpr::Op::sub;
      if (is_numeric(lt) && is_numeric(rt)) {
        bool decimal = lt.kind == TypeKind::decimal || rt.kind == TypeKind::decimal;
        return binary_node(node_op, Type{decimal ? TypeKind::decimal : TypeKind::integer, -1});
      }
      if (lt.kind == TypeKind::date && rt.kind == TypeKind::duration) return binary_node(node_op, lt);
      if (op == B::sub && lt.kind == TypeKind::date && rt.kind == TypeKind::date)
        return binary_node(node_op, Type{TypeKind::integer, -1});
      return mismatch("arithmetic works on numbers, `date ± duration` (e.g. `order.date + 30 days`) and `date - date`");
    }
    default: break;
  }
  return std::nullopt;
}

std::optional<CExpr> ExprChecker::block(const ast::Expr& e) {
  const auto node_op = e.block_kind == ast::BlockKind::all_of ? CExpr::Op::and_ : CExpr::Op::or_;
  auto node = make(node_op, bool_type(), source_, e.span);
  bool ok = true;
  for (const auto& item : e.items) {
    auto compiled = condition(item);
    if (!compiled) { ok = false; continue; }
    node.args.push_back(std::move(*compiled));
  }
  if (!ok) return std::nullopt;
  if (node.args.empty()) {
    // An empty block is vacuous: all of {} holds, any of {} and none of {} follow from it.
    node.op = CExpr::Op::constant;
    node.constant = Value::of_bool(e.block_kind != ast::BlockKind::any_of);
    return node;
  }
  if (e.block_kind != ast::BlockKind::none_of) return node;
  auto negation = make(CExpr::Op::not_, bool_type(), source_, e.span);
  negation.args.push_back(std::move(node));
  return negation;
}

}  // namespace proviso
