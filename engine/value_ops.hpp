// The value operations of the two tracing evaluators: the recursive walk
// (engine/evaluator.hpp, the oracle) and the flat program
// (engine/eval_program.cpp, what decide() runs). One definition, so their
// values cannot drift apart; the compiled evaluator works on its own cells
// (engine/fast_eval_expr.cpp) and is checked against them by tests.
#pragma once
#include <optional>

#include "policy.hpp"
#include "value.hpp"

namespace proviso::tracing {

// Three-way comparison of two known values of comparable types: a decimal
// against an integer exactly (compare_numbers), strings by text, sets equal
// or not (only == and != reach them), everything else by its integer.
inline int compare_values(const Value& a, const Value& b) {
  const bool a_decimal = a.kind == TypeKind::decimal, b_decimal = b.kind == TypeKind::decimal;
  if (a_decimal || b_decimal)
    return compare_numbers(a_decimal ? a.decimal : a.integer, a_decimal, b_decimal ? b.decimal : b.integer, b_decimal);
  if (a.kind == TypeKind::string) return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
  if (a.kind == TypeKind::set) return a.bits == b.bits ? 0 : 1;
  return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
}

// An operand of a decimal operation in millionths; empty past the range.
inline std::optional<std::int64_t> decimal_operand(const Value& v) {
  return v.kind == TypeKind::decimal ? std::optional<std::int64_t>(v.decimal) : decimal_from_integer(v.integer);
}

// a + b (or a - b) of two known operands, for a node of type `kind`: a date
// shifted by a duration, decimals, integers, or date - date in days.
// Overflow, and dates outside 0000–9999, give unknown (value.hpp, checked_add).
inline Value add_or_subtract(bool add, TypeKind kind, const Value& a, const Value& b) {
  Value out = Value::unknown(kind);
  if (a.kind == TypeKind::date && b.kind == TypeKind::duration) {
    auto amount = add ? std::optional<std::int64_t>(b.integer) : checked_negate(b.integer);
    auto days = amount ? shift_date(a.integer, b.unit, *amount) : std::nullopt;
    if (!days) return out;
    out.integer = *days;
    out.known = true;
    return out;
  }
  if (kind == TypeKind::decimal) {
    const auto x = decimal_operand(a), y = decimal_operand(b);
    const auto result = !x || !y ? std::nullopt : add ? checked_add(*x, *y) : checked_sub(*x, *y);
    if (!result) return out;
    out.decimal = *result;
    out.known = true;
    return out;
  }
  auto result = add ? checked_add(a.integer, b.integer) : checked_sub(a.integer, b.integer);
  if (!result) return out;
  out.integer = *result;
  out.known = true;
  return out;
}

// The truth of comparison `op` between two values, unknown when either is
// (and for an operator that is not a comparison: `ne` is rewritten by the
// checker and never reaches an evaluator).
inline Tri compare_truth(CExpr::Op op, const Value& a, const Value& b) {
  using Op = CExpr::Op;
  if (!a.known || !b.known) return Tri::unknown;
  switch (op) {
    case Op::eq: return tri_of(compare_values(a, b) == 0);
    case Op::lt: return tri_of(compare_values(a, b) < 0);
    case Op::le: return tri_of(compare_values(a, b) <= 0);
    case Op::gt: return tri_of(compare_values(a, b) > 0);
    case Op::ge: return tri_of(compare_values(a, b) >= 0);
    // A set holds enum values below 64 (the checker's E212), so a value at or
    // past it is not in the set: a shift by 64 or more would be undefined.
    case Op::in: return tri_of(static_cast<std::uint64_t>(a.integer) < 64 && ((b.bits >> a.integer) & 1u));
    case Op::subset: return tri_of((a.bits & ~b.bits) == 0);
    case Op::superset: return tri_of((b.bits & ~a.bits) == 0);
    case Op::intersects: return tri_of((a.bits & b.bits) != 0);
    default: return Tri::unknown;
  }
}

}  // namespace proviso::tracing
