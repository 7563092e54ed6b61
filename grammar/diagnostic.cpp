// Diagnostics: counting, ordering, rendering with carets, and "did you mean".
#include "diagnostic.hpp"
#include "lexical.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace proviso {

bool has_errors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error || d.severity == Severity::internal; });
}

bool has_internal(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::internal; });
}

std::string printable_utf8(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    auto bad = lexical::first_invalid_utf8(text);
    if (!bad) {
      out += text;
      break;
    }
    static const char* hex = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(text[*bad]);
    out.append(text.substr(0, *bad));
    out += "\\x";
    out += hex[byte >> 4];
    out += hex[byte & 15];
    text.remove_prefix(*bad + 1);
  }
  return out;
}

Diagnostic internal_error(std::string_view what) {
  Diagnostic d;
  d.code = "E901";
  d.severity = Severity::internal;
  d.location = "proviso";
  d.message = std::string(what);
  d.help = "this is a bug in Proviso, not a mistake in the input; please report it with the input";
  return d;
}

std::size_t count(const Diagnostics& diagnostics, Severity severity) {
  return static_cast<std::size_t>(std::count_if(
      diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) { return d.severity == severity; }));
}

void sort_diagnostics(Diagnostics& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.source, a.span.begin, a.code) < std::tie(b.source, b.span.begin, b.code);
  });
}

namespace {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
    case Severity::internal: return "internal error";
  }
  return "error";
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

std::string header(const Diagnostic& d, const std::string& where) {
  std::string out = where.empty() ? std::string() : where + ": ";
  out += severity_name(d.severity);
  out += "[" + d.code + "]: " + d.message + "\n";
  return out;
}

std::string help_line(const Diagnostic& d) {
  return d.help.empty() ? std::string() : "   = help: " + d.help + "\n";
}

// The quoted line and the caret line under the span, e.g.
//    12 | rule i2 permit
//       |         ^^^^^^
std::string excerpt(const Source& source, Span span) {
  const std::string_view text = source.text;
  const std::uint32_t size = static_cast<std::uint32_t>(text.size());
  const std::uint32_t begin = std::min(span.begin, size);
  const std::uint32_t end = std::max(begin, std::min(span.end, size));
  const LineCol position = source.position(begin);
  const std::string_view line = line_at(text, begin);
  const std::size_t line_offset = static_cast<std::size_t>(line.data() - text.data());
  const std::size_t column_bytes = std::min<std::size_t>(begin - line_offset, line.size());
  const std::size_t span_bytes = std::min<std::size_t>(end - begin, line.size() - column_bytes);

  std::string number = std::to_string(position.line);
  const std::size_t width = std::max<std::size_t>(5, number.size());
  std::string out(width - number.size(), ' ');
  out += number + " | ";
  out += line;
  out += "\n";
  out += std::string(width, ' ') + " | ";
  // Keep tabs as tabs so the carets line up whatever the tab width.
  for (char c : line.substr(0, column_bytes)) {
    if (c == '\t') out += '\t';
    else if (!is_continuation_byte(c)) out += ' ';
  }
  out += std::string(std::max<std::size_t>(1, code_points(line.substr(column_bytes, span_bytes))), '^');
  out += "\n";
  return out;
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string render(const Diagnostic& diagnostic, const SourceMap& sources) {
  if (diagnostic.source == kNoSource || !sources.contains(diagnostic.source)) {
    return header(diagnostic, diagnostic.location) + help_line(diagnostic);
  }
  const Source& source = sources.get(diagnostic.source);
  const LineCol position = source.position(diagnostic.span.begin);
  const std::string where =
      source.path + ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
  return header(diagnostic, where) + excerpt(source, diagnostic.span) + help_line(diagnostic);
}

std::string render_all(const Diagnostics& diagnostics, const SourceMap& sources) {
  if (diagnostics.empty()) return {};
  std::string out;
  for (const Diagnostic& d : diagnostics) out += render(d, sources) + "\n";
  std::vector<std::string> parts;
  if (std::size_t n = count(diagnostics, Severity::error)) parts.push_back(plural(n, "error"));
  if (std::size_t n = count(diagnostics, Severity::warning)) parts.push_back(plural(n, "warning"));
  if (std::size_t n = count(diagnostics, Severity::note)) parts.push_back(plural(n, "note"));
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : ", ") + parts[i];
  out += "\n";
  return out;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    // Lengths differing by more than the limit cannot be close enough.
    const std::size_t gap = candidate.size() > name.size() ? candidate.size() - name.size()
                                                           : name.size() - candidate.size();
    if (gap > limit) continue;
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance || (distance == best_distance && best && candidate < *best)) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best ? *best : std::string();
}

}  // namespace proviso
