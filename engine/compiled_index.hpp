// Internal to the fast evaluation form (compiled.hpp): the rule records and
// the rule index, built once the conditions are compiled (compiled_index.cpp).
#pragma once
#include "compiled.hpp"

namespace proviso {

// A node that needs one load and one compare (no children): the tests a
// rule's conjunction evaluates inline.
inline bool is_leaf(FastNode::Op op) {
  using Op = FastNode::Op;
  switch (op) {
    case Op::fact: case Op::fact_eq_k: case Op::fact_in_k: case Op::fact_superset_k: case Op::fact_subset_k:
    case Op::fact_intersects_k: case Op::fact_eq_text: case Op::is_known: case Op::interpretation:
    case Op::fact_lt_k: case Op::fact_le_k: case Op::fact_gt_k: case Op::fact_ge_k: return true;
    default: return false;
  }
}

// Fills the rule records, the tests, the rule index and the shared leaves of
// `out` from its compiled nodes, then drops what only compiling needed.
void build_rule_index(CompiledPolicy& out, const Policy& policy);

}  // namespace proviso
