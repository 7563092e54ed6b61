// The checks on the rule set's two graphs, definitions that use definitions and
// rules that are exceptions to rules (engine/check.cpp calls them once every
// declaration is compiled).
#pragma once
#include "grammar/diagnostic.hpp"
#include "policy.hpp"

namespace proviso {

// E214: definitions that refer to each other in a cycle. E219: a condition that
// nests deeper than the limit once the definitions it uses are expanded.
void check_definition_graph(Policy& policy, Diagnostics& diagnostics);

// Fills each rule's `defeaters` and the policy's evaluation order (every
// exception before the rules it defeats). E303: a cycle of exceptions. E308: a
// chain of rules, each an exception to the next, longer than the limit.
void check_exception_graph(Policy& policy, Diagnostics& diagnostics);

}  // namespace proviso
