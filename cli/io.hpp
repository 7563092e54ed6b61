// Small helpers the subcommands share: reading input, printing diagnostics.
#pragma once
#include <optional>
#include <string>

#include "engine/load.hpp"

namespace proviso::cli {

std::optional<std::string> read_input(const std::string& path);  // "-" reads stdin
LoadResult load_rules(const std::string& path);                   // empty: built-in
void print_diagnostics(const Diagnostics& diagnostics, const SourceMap& sources);

}  // namespace proviso::cli
