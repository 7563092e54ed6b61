// The checker: resolves names, checks types and the exception graph, and
// compiles the parsed files of a rule set into a Policy.
#pragma once
#include <set>
#include <string>
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
// `broken_names` are names whose declarations already failed (a syntax error):
// references to them are not reported again, so one mistake gives one error.
Diagnostics check_rule_set(const std::vector<RuleFile>& files, Policy& policy,
                           std::set<std::string, std::less<>> broken_names = {});

// The names a text declares, read line by line without parsing (`rule NAME`,
// `fact NAME`, ...): used to recognise the names of declarations that failed to parse.
std::set<std::string, std::less<>> declared_names_in_text(std::string_view text);

// A stable identifier for a citation: "26 U.S.C. § 6103(i)(2)" -> "26-usc-6103-i-2".
std::string citation_slug(std::string_view text);

}  // namespace proviso
