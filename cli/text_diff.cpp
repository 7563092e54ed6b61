#include "text_diff.hpp"

#include <algorithm>
#include <vector>

namespace proviso::cli {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct Edit {
  char kind;  // ' ', '-', '+'
  std::size_t a, b;  // line indexes in before / after
};

// Longest common subsequence by dynamic programming: rule files are small.
std::vector<Edit> edits(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Edit> out;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) out.push_back({' ', i++, j++});
    else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push_back({'-', i++, j});
    else out.push_back({'+', i, j++});
  }
  return out;
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& name_before,
                         const std::string& name_after, std::size_t context) {
  if (before == after) return {};
  const auto a = lines_of(before), b = lines_of(after);
  const auto list = edits(a, b);
  std::string out = "--- " + name_before + "\n+++ " + name_after + "\n";
  std::size_t k = 0;
  while (k < list.size()) {
    if (list[k].kind == ' ') { ++k; continue; }
    // A hunk: from `context` lines before this change to `context` lines after the last change near it.
    std::size_t start = k >= context ? k - context : 0;
    while (start < k && list[start].kind != ' ') ++start;
    std::size_t end = k;
    for (std::size_t quiet = 0; end < list.size() && quiet <= 2 * context; ++end)
      quiet = list[end].kind == ' ' ? quiet + 1 : 0;
    while (end > k && list[end - 1].kind == ' ' && end - 1 > k) {
      std::size_t trailing = 0;
      for (std::size_t t = end; t-- > k && list[t].kind == ' ';) ++trailing;
      if (trailing <= context) break;
      --end;
    }
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t t = start; t < end; ++t) {
      a_count += list[t].kind != '+';
      b_count += list[t].kind != '-';
    }
    out += "@@ -" + std::to_string(list[start].a + (a_count ? 1 : 0)) + "," + std::to_string(a_count) + " +" +
           std::to_string(list[start].b + (b_count ? 1 : 0)) + "," + std::to_string(b_count) + " @@\n";
    for (std::size_t t = start; t < end; ++t) {
      out += list[t].kind;
      out += list[t].kind == '+' ? b[list[t].b] : a[list[t].a];
      out += '\n';
    }
    k = end;
  }
  return out;
}

}  // namespace proviso::cli
