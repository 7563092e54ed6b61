// Source texts and byte spans: the base every stage reports positions against.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace proviso {

// A half-open byte range [begin, end) into one source text.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  friend bool operator==(const Span&, const Span&) = default;
};

using SourceId = std::uint32_t;
inline constexpr SourceId kNoSource = 0xffffffffu;

struct LineCol {
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, counted in Unicode code points
};

struct Source {
  std::string path;  // as shown to the user
  std::string text;
  std::vector<std::uint32_t> line_starts;  // byte offset of each line; SourceMap::add fills it

  // line_col(text, offset) without scanning from the start: a file with
  // thousands of findings is rendered in linear time.
  LineCol position(std::uint32_t offset) const;
};

// Owns every text a run has read, so diagnostics can quote them later.
class SourceMap {
 public:
  SourceId add(std::string path, std::string text);
  const Source& get(SourceId id) const { return sources_.at(id); }
  bool contains(SourceId id) const { return id < sources_.size(); }
  std::size_t size() const { return sources_.size(); }

 private:
  std::vector<Source> sources_;
};

LineCol line_col(std::string_view text, std::uint32_t offset);
// The full line containing `offset`, without its newline.
std::string_view line_at(std::string_view text, std::uint32_t offset);

}  // namespace proviso
