// Checks on YAML text before yaml-cpp sees it. yaml-cpp recurses once per
// nesting level, so hostile depth must be refused by a scan, not by the parser.
#pragma once
#include <string_view>

namespace proviso {

// An upper bound on how deeply `text` nests: flow brackets outside strings and
// comments, plus twice the block levels (indentation steps and the `- `, `? `,
// `: ` indicators that open a collection on the same line). Linear, no recursion.
unsigned yaml_nesting_bound(std::string_view text);

// Whether a quoted scalar is still open at the end of `text`. yaml-cpp accepts
// `key: "unterminated` as a string running to the end; we refuse it (E410).
bool yaml_quote_left_open(std::string_view text);

// The bound past which YAML text meant to nest at most `max_depth` deep is
// refused unparsed. Twice the depth plus slack: the scan over-counts (a
// `key: value` line counts one level) but never under-counts.
constexpr unsigned yaml_scan_limit(unsigned max_depth) { return 4 * max_depth + 16; }

}  // namespace proviso
