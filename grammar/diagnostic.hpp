// Diagnostics: the one type every stage uses to report a user's mistake.
#pragma once
#include <string>
#include <vector>

#include "source.hpp"

namespace proviso {

// `internal` is the second error channel: a broken invariant inside Proviso,
// never a user's mistake. It has its own codes (E9xx), makes the CLI exit 70,
// and the fuzz targets assert that no input produces it.
enum class Severity { error, warning, note, internal };

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

bool has_errors(const Diagnostics& diagnostics);    // an error or an internal error
bool has_internal(const Diagnostics& diagnostics);  // an internal error: a bug, not the user's input
// E901 for a caught exception or a broken invariant; `what` says which.
Diagnostic internal_error(std::string_view what);
std::size_t count(const Diagnostics& diagnostics, Severity severity);
// Orders by source, position, then code: output never depends on discovery order.
void sort_diagnostics(Diagnostics& diagnostics);

// "path:line:col: error[E101]: message", the source line, a caret line, "help: ...".
std::string render(const Diagnostic& diagnostic, const SourceMap& sources);
std::string render_all(const Diagnostics& diagnostics, const SourceMap& sources);

// `text` with every byte that is not part of valid UTF-8 written as `\xFF`:
// messages quote user input, and must stay valid UTF-8 to be rendered as JSON.
std::string printable_utf8(std::string_view text);

// "did you mean `x`?" support: the closest candidate within a small edit distance.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace proviso
