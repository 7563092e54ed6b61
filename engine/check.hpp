// The checker: resolves names, checks types and the exception graph, and
// compiles the parsed files of a rule set into a Policy.
#pragma once
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/diagnostic.hpp"
#include "policy.hpp"

namespace proviso {

struct RuleFile {
  SourceId source = kNoSource;
  ast::File file;
};

// Fills `policy` (whose `sources` already hold the files' texts). Returns every
// problem found; when it holds an error the policy must not be evaluated.
Diagnostics check_rule_set(const std::vector<RuleFile>& files, Policy& policy);

// A stable identifier for a citation: "26 U.S.C. § 6103(i)(2)" -> "26-usc-6103-i-2".
std::string citation_slug(std::string_view text);

}  // namespace proviso
