// Reading a request file for explain and interview (engine types; kept out of
// commands.hpp, which the server's public-API commands include too).
#pragma once
#include <optional>
#include <string>

#include "engine/facts.hpp"

namespace proviso::cli {

// Reads and binds a request file ("-": stdin); on failure prints why and sets the exit code.
std::optional<Facts> read_request(const Policy& policy, const SourceMap& sources, const std::string& path, int& exit_code);

}  // namespace proviso::cli
