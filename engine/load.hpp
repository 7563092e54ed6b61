// Loading a rule set: a folder with proviso.yaml, a single .proviso file, or
// the set embedded in the binary; parse, check and compile it in one call.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grammar/parser.hpp"
#include "policy.hpp"

namespace proviso {

struct LoadOptions {
  ParseLimits parse;
  // More rules than this is taken as a mistake (e.g. a generated file gone wrong), E508.
  std::size_t max_rules = 100000;
};

struct LoadResult {
  std::shared_ptr<const Policy> policy;  // null when the diagnostics hold an error
  Diagnostics diagnostics;               // sorted; warnings too
  SourceMap sources;                     // to render the diagnostics
};

// A rule set given as named texts: "proviso.yaml" (optional) and "*.proviso" files.
using RuleSetFiles = std::vector<std::pair<std::string, std::string>>;

LoadResult load_rule_set(const std::filesystem::path& path, const LoadOptions& options = {});
LoadResult load_rule_set_from_texts(const RuleSetFiles& files, const std::string& origin,
                                    const LoadOptions& options = {});
// The rule set compiled into the binary (rules/us/irc-6103).
LoadResult load_builtin_rule_set(const LoadOptions& options = {});
const RuleSetFiles& builtin_rule_files();

std::string sha256_hex(std::string_view data);

}  // namespace proviso
