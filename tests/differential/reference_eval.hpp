// A deliberately naive reference evaluator, written from docs/language.md
// alone: it walks the syntax tree (no checker, no compiled form), resolves
// names by looking them up on every use, recomputes definitions and the
// force of every rule recursively, and reads the request JSON itself. It is
// slow and simple on purpose, so that the production evaluators (engine/eval
// and engine/fast_eval) can be compared with something that shares none of
// their code beyond the parser. It assumes a rule set the checker accepted
// and a request that conforms to its vocabulary.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "grammar/ast.hpp"

namespace proviso::difftest {

struct ReferenceDecision {
  std::string outcome;                  // permitted | denied | undetermined | conflict | not_applicable
  std::vector<std::string> authorities;  // rule ids, sorted by declaration order
};

// `files` are the parsed rule files in manifest order (declaration order is
// the order of authorities); `request` the JSON request.
ReferenceDecision reference_decide(const std::vector<const ast::File*>& files, const nlohmann::json& request);

}  // namespace proviso::difftest
