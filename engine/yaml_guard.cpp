#include "yaml_guard.hpp"

#include <algorithm>
#include <vector>

namespace proviso {

// The scan must never under-count: a bracket it wrongly takes as text inside a
// quoted string could hide real nesting from it. So a quote opens a string only
// where yaml-cpp would start a token (line start, after `[`, `{`, `,`, an
// indicator followed by a space, or a closing quote), never inside a plain
// scalar such as `a'b` or `a 'b`, where it is an ordinary character.
unsigned yaml_nesting_bound(std::string_view text) {
  unsigned flow = 0, deepest = 0;
  std::vector<std::size_t> indents;  // the indentation of each open block level
  bool token_start = true;           // the next non-blank character starts a token
  std::size_t i = 0;
  auto blank = [&](std::size_t at) {
    return at >= text.size() || text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r';
  };
  while (i < text.size()) {
    std::size_t indent = 0;
    while (i < text.size() && text[i] == ' ') ++i, ++indent;
    const bool empty_line = i >= text.size() || text[i] == '\n' || text[i] == '\r' || text[i] == '#';
    if (flow == 0) {
      token_start = true;  // a block line starts afresh; a flow collection may span lines
      if (!empty_line) {
        while (!indents.empty() && indents.back() >= indent) indents.pop_back();
        indents.push_back(indent);
      }
    }
    unsigned inline_levels = 0;
    char quote = 0;
    for (; i < text.size() && text[i] != '\n'; ++i) {
      const char c = text[i];
      if (quote) {
        if (c == '\\' && quote == '"') ++i;
        else if (c == '\'' && quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;  // '' inside '...'
        else if (c == quote) quote = 0, token_start = true;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') continue;
      if ((c == '"' || c == '\'') && token_start) {
        quote = c;
        continue;
      }
      if (c == '#' && (i == 0 || blank(i - 1))) {
        while (i < text.size() && text[i] != '\n') ++i;
        break;
      }
      if (c == '[' || c == '{') ++flow, token_start = true;
      else if (c == ']' || c == '}') flow = flow > 0 ? flow - 1 : 0, token_start = false;
      else if (c == ',' && flow > 0) token_start = true;
      else if ((c == '-' || c == '?' || c == ':') && blank(i + 1)) ++inline_levels, token_start = true;
      else token_start = false;
      const auto block = std::min<std::size_t>(indents.size() + inline_levels, 1u << 28);
      deepest = std::max(deepest, flow + 2 * static_cast<unsigned>(block));
    }
    // An unterminated quote ends with its line here; yaml-cpp may read on, seeing less structure, not more.
    if (i < text.size()) ++i;
  }
  return deepest;
}

bool yaml_quote_left_open(std::string_view text) {
  char quote = 0;
  bool token_start = true, line_start = true;
  std::size_t indent = 0;
  long block_indent = -1;  // inside a `|` or `>` block scalar: lines indented more than this are its text
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == '\'' && quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;
      else if (c == quote) quote = 0, token_start = false;
      continue;
    }
    if (c == '\n') {
      line_start = true, token_start = true, indent = 0;
      continue;
    }
    if (line_start && c == ' ') {
      ++indent;
      continue;
    }
    if (line_start) {
      line_start = false;
      if (block_indent >= 0 && static_cast<long>(indent) > block_indent && c != '\r') {
        while (i + 1 < text.size() && text[i + 1] != '\n') ++i;  // block scalar text: quotes mean nothing
        continue;
      }
      block_indent = -1;
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if ((c == '"' || c == '\'') && token_start) {
      quote = c;
      continue;
    }
    if ((c == '|' || c == '>') && token_start) {
      block_indent = static_cast<long>(indent);
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    const bool spaced = i + 1 >= text.size() || text[i + 1] == ' ' || text[i + 1] == '\n' || text[i + 1] == '\r';
    token_start = c == '[' || c == '{' || c == ',' || ((c == '-' || c == '?' || c == ':') && spaced);
  }
  return quote != 0;
}

}  // namespace proviso
