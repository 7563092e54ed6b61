// Diagnostics: the one type every stage uses to report a user's mistake.
#pragma once
#include <string>
#include <vector>

#include "source.hpp"

namespace proviso {

enum class Severity { error, warning, note };

struct Diagnostic {
  std::string code;     // stable, from docs/diagnostics.md (e.g. "E101")
  Severity severity = Severity::error;
  SourceId source = kNoSource;  // kNoSource: not tied to a text (e.g. a JSON path)
  Span span;
  std::string message;  // one sentence, lowercase start, no final period
  std::string help;     // advice; may be empty
  std::string location; // used when source == kNoSource, e.g. "request.json: $.request.signed_by"
};

using Diagnostics = std::vector<Diagnostic>;

bool has_errors(const Diagnostics& diagnostics);
std::size_t count(const Diagnostics& diagnostics, Severity severity);
// Orders by source, position, then code: output never depends on discovery order.
void sort_diagnostics(Diagnostics& diagnostics);

// "path:line:col: error[E101]: message", the source line, a caret line, "help: ...".
std::string render(const Diagnostic& diagnostic, const SourceMap& sources);
std::string render_all(const Diagnostics& diagnostics, const SourceMap& sources);

// "did you mean `x`?" support: the closest candidate within a small edit distance.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace proviso
