// Types and values of facts: what a request binds and the evaluator computes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proviso {

enum class TypeKind : std::uint8_t { boolean, integer, decimal, date, string, enumeration, set, duration };

struct Type {
  TypeKind kind = TypeKind::boolean;
  std::int32_t enum_id = -1;  // the enum of an enumeration, or the element enum of a set
  friend bool operator==(const Type&, const Type&) = default;
};

// Three-valued truth, Kleene's logic.
enum class Tri : std::uint8_t { false_, true_, unknown };

inline Tri tri_not(Tri a) {
  return a == Tri::unknown ? Tri::unknown : (a == Tri::true_ ? Tri::false_ : Tri::true_);
}
inline Tri tri_of(bool b) { return b ? Tri::true_ : Tri::false_; }
std::string_view tri_name(Tri t);  // "true" | "false" | "unknown"

// One value. `known == false` is the unknown value of any type.
struct Value {
  TypeKind kind = TypeKind::boolean;
  bool known = false;
  std::int64_t integer = 0;  // boolean (0/1), integer, date (days since 1970-01-01), enum index, duration amount
  std::int64_t decimal = 0;  // decimal: in millionths (kDecimalScale)
  std::uint64_t bits = 0;    // set of enum: bit i = value i
  std::string text;          // string
  std::uint8_t unit = 0;     // duration: ast::DurationUnit

  static Value unknown(TypeKind k) { Value v; v.kind = k; return v; }
  static Value of_bool(bool b) { Value v; v.known = true; v.integer = b; return v; }
  Tri truth() const { return known ? tri_of(integer != 0) : Tri::unknown; }
};

// Decimals are exact: a count of millionths, six places, so that 0.1 + 0.2 is
// 0.3 and a threshold compares as written. Arithmetic past the 64-bit range
// is unknown, as for integers (checked_add).
inline constexpr std::int64_t kDecimalScale = 1'000'000;
// A JSON number read as a decimal: empty unless it is a number of at most six
// places within ±9223372036854.775807 (the double nearest such a number).
std::optional<std::int64_t> decimal_from_double(double d);
// An integer as a decimal; empty past the range.
std::optional<std::int64_t> decimal_from_integer(std::int64_t i);
// The decimal as a JSON number: the double nearest it (exact in print up to 2^53 millionths).
double decimal_to_double(std::int64_t millionths);
// The greatest integer not above the decimal (-2.5 -> -3).
constexpr std::int64_t decimal_floor(std::int64_t millionths) {
  return millionths / kDecimalScale - (millionths % kDecimalScale < 0 ? 1 : 0);
}
// Orders two numbers, each an integer or a decimal in millionths, exactly: -1, 0 or 1.
int compare_numbers(std::int64_t a, bool a_is_decimal, std::int64_t b, bool b_is_decimal);

// Dates are days since 1970-01-01 (proleptic Gregorian).
std::optional<std::int64_t> parse_date(std::string_view iso);  // "YYYY-MM-DD", a real calendar day
std::string format_date(std::int64_t days);
// Adds months to a date, clamping to the end of the month (Jan 31 + 1 month = Feb 28/29).
std::int64_t add_months(std::int64_t days, std::int64_t months);

// Arithmetic that cannot overflow. Both evaluators make a result that does not
// fit unknown: an overflowing value is never a wrong one, so the decision it
// feeds is undetermined rather than decided on a wrapped number.
std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> checked_negate(std::int64_t a);
// A date plus `amount` of a duration unit (ast::DurationUnit as a byte); empty
// when the result falls outside the years 0000–9999 that dates can be written in.
std::optional<std::int64_t> shift_date(std::int64_t days, std::uint8_t unit, std::int64_t amount);

}  // namespace proviso
