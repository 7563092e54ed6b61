// Source texts and the conversion of byte offsets to lines and columns.
#include "source.hpp"

#include <algorithm>

namespace proviso {

SourceId SourceMap::add(std::string path, std::string text) {
  Source source{std::move(path), std::move(text), {0}};
  for (std::size_t i = 0; i < source.text.size(); ++i)
    if (source.text[i] == '\n') source.line_starts.push_back(static_cast<std::uint32_t>(i + 1));
  sources_.push_back(std::move(source));
  return static_cast<SourceId>(sources_.size() - 1);
}

namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t clamp_offset(std::string_view text, std::uint32_t offset) {
  return std::min<std::size_t>(offset, text.size());
}

}  // namespace

LineCol line_col(std::string_view text, std::uint32_t offset) {
  const std::size_t end = clamp_offset(text, offset);
  LineCol result;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++result.line;
      line_start = i + 1;
    }
  }
  // Columns count code points, so "§" (two bytes) is one column.
  for (std::size_t i = line_start; i < end; ++i) {
    if (!is_continuation_byte(text[i])) ++result.column;
  }
  return result;
}

LineCol Source::position(std::uint32_t offset) const {
  if (line_starts.empty()) return line_col(text, offset);
  const auto end = static_cast<std::uint32_t>(clamp_offset(text, offset));
  // The last line starting at or before `end` (a newline at `end` itself ends that line).
  const auto after = std::upper_bound(line_starts.begin(), line_starts.end(), end);
  const auto line_start = *(after - 1);
  LineCol result;
  result.line = static_cast<std::uint32_t>(after - line_starts.begin());
  for (auto i = line_start; i < end; ++i)
    if (!is_continuation_byte(text[i])) ++result.column;
  return result;
}

std::string_view line_at(std::string_view text, std::uint32_t offset) {
  const std::size_t at = clamp_offset(text, offset);
  const std::size_t newline_before = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const std::size_t begin = newline_before == std::string_view::npos ? 0 : newline_before + 1;
  std::size_t end = text.find('\n', at);
  if (end == std::string_view::npos) end = text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return text.substr(begin, end - begin);
}

}  // namespace proviso
