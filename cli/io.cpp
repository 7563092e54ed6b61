#include "io.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace proviso::cli {

std::optional<std::string> read_input(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  text << in.rdbuf();
  return text.str();
}

LoadResult load_rules(const std::string& path) {
  return path.empty() ? load_builtin_rule_set() : load_rule_set(path);
}

void print_diagnostics(const Diagnostics& diagnostics, const SourceMap& sources) {
  if (!diagnostics.empty()) std::cerr << render_all(diagnostics, sources);
}

}  // namespace proviso::cli
