#include "value.hpp"

#include <chrono>
#include <charconv>

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

}  // namespace proviso
