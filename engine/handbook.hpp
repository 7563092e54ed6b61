// The handbook for trainers, generated from a rule set and its scenarios:
// per provision its citation, title, doc, conditions in plain English,
// obligations, what it is an exception to and what limits it, its
// interpretations and scenarios; indexes by recipient and by purpose.
// Markdown and static HTML from the same data.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "policy.hpp"
#include "scenario.hpp"

namespace proviso {

// File name (relative to the output folder) → content, for every file of the handbook.
using HandbookFiles = std::map<std::string, std::string>;

HandbookFiles generate_handbook(const Policy& policy, const std::vector<Scenario>& scenarios);

// The trainers' playground (server/playground/index.html): a self-contained
// page with the vocabulary and scenarios embedded; it calls POST /v1/explain.
std::string playground_html(const Policy& policy, const std::vector<Scenario>& scenarios);

// The handbook page of a rule, for links from explanations and the playground: "rules/ID.md".
std::string handbook_page(const Policy& policy, std::int32_t rule, bool html = false);

}  // namespace proviso
