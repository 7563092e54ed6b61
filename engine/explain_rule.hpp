// A rule in plain English, from its phrases: what it permits, forbids or
// limits, when, what defeats it and what it defeats (`proviso explain-rule`,
// and the language server's hover).
#pragma once
#include <string>

#include "policy.hpp"

namespace proviso {

// Several lines: the rule's effect and citation, each condition as a bullet
// (nested blocks indented), its exceptions, what it is an exception to, its
// obligations and notes.
std::string explain_rule(const Policy& policy, std::int32_t rule);

// One sentence for a hover: "Permits the disclosure (26 U.S.C. § 6103(i)(2)) when 9 conditions hold; ..."
std::string rule_summary(const Policy& policy, std::int32_t rule);

}  // namespace proviso
