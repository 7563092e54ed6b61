// Internal to the fast evaluation form (compiled.hpp): the rule records and
// the rule index, built once the conditions are compiled (compiled_index.cpp).
#pragma once
#include "compiled.hpp"

namespace proviso {

// Fills the rule records, the tests, the rule index and the shared leaves of
// `out` from its compiled nodes, then drops what only compiling needed.
void build_rule_index(CompiledPolicy& out, const Policy& policy);

}  // namespace proviso
