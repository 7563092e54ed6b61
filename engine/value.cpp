#include "value.hpp"

#include <charconv>
#include <chrono>
#include <cmath>

#include "grammar/ast.hpp"

namespace proviso {

std::string_view tri_name(Tri t) {
  switch (t) {
    case Tri::true_: return "true";
    case Tri::false_: return "false";
    case Tri::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<std::int64_t> parse_date(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  auto number = [&](std::size_t from, std::size_t length) -> std::optional<int> {
    int out = 0;
    auto first = iso.data() + from, last = first + length;
    auto [ptr, ec] = std::from_chars(first, last, out);
    if (ec != std::errc{} || ptr != last) return std::nullopt;
    return out;
  };
  auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month(static_cast<unsigned>(*m)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::string format_date(std::int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buffer[32];
  auto year = static_cast<int>(ymd.year());
  auto month = static_cast<unsigned>(ymd.month());
  auto day = static_cast<unsigned>(ymd.day());
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", year, month, day);
  return buffer;
}

std::int64_t add_months(std::int64_t days, std::int64_t months) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  year_month_day shifted = ymd + std::chrono::months{months};
  if (!shifted.ok()) shifted = year_month_day_last{shifted.year(), month_day_last{shifted.month()}};
  return sys_days{shifted}.time_since_epoch().count();
}

std::optional<std::int64_t> decimal_from_double(double d) {
  const double scaled = d * static_cast<double>(kDecimalScale);
  // 2^63 is exact as a double; NaN fails both comparisons.
  if (!(scaled >= -9223372036854775808.0 && scaled < 9223372036854775808.0)) return std::nullopt;
  const auto millionths = static_cast<std::int64_t>(std::llround(scaled));
  if (decimal_to_double(millionths) != d) return std::nullopt;  // more than six places
  return millionths;
}

std::optional<std::int64_t> decimal_from_integer(std::int64_t i) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(i, kDecimalScale, &out)) return std::nullopt;
  return out;
}

double decimal_to_double(std::int64_t millionths) {
  return static_cast<double>(millionths) / static_cast<double>(kDecimalScale);
}

int compare_numbers(std::int64_t a, bool a_is_decimal, std::int64_t b, bool b_is_decimal) {
  if (a_is_decimal == b_is_decimal) return a < b ? -1 : (a > b ? 1 : 0);
  if (a_is_decimal) return -compare_numbers(b, false, a, true);
  // An integer against a decimal: against the decimal's floor, then its fraction.
  const std::int64_t whole = decimal_floor(b);
  if (a != whole) return a < whole ? -1 : 1;
  return b % kDecimalScale != 0 ? -1 : 0;  // a fraction above the floor
}

std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_sub_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<std::int64_t> checked_negate(std::int64_t a) { return checked_sub(0, a); }

std::optional<std::int64_t> shift_date(std::int64_t days, std::uint8_t unit, std::int64_t amount) {
  // 0000-01-01 and 9999-12-31 as days since 1970-01-01: the dates a request or rule can write.
  constexpr std::int64_t first_day = -719528, last_day = 2932896;
  constexpr std::int64_t max_months = 12 * 10000;  // a wider shift leaves the range from any date in it
  if (days < first_day || days > last_day) return std::nullopt;
  std::optional<std::int64_t> out;
  switch (static_cast<ast::DurationUnit>(unit)) {
    case ast::DurationUnit::days: out = checked_add(days, amount); break;
    case ast::DurationUnit::weeks:
      if (amount < -max_months * 31 || amount > max_months * 31) return std::nullopt;
      out = days + 7 * amount;
      break;
    case ast::DurationUnit::months:
      if (amount < -max_months || amount > max_months) return std::nullopt;
      out = add_months(days, amount);
      break;
    case ast::DurationUnit::years:
      if (amount < -max_months / 12 || amount > max_months / 12) return std::nullopt;
      out = add_months(days, 12 * amount);
      break;
  }
  if (!out || *out < first_day || *out > last_day) return std::nullopt;
  return out;
}

}  // namespace proviso
