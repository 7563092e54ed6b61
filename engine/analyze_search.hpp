// The analyzer's search (internal to engine/analyze*.cpp): finds an
// assignment of the finite facts and interpretations under which a goal is
// true, or proves there is none, with Kleene evaluation pruning each branch.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "analyze.hpp"
#include "facts.hpp"

namespace proviso::analysis {

enum class Answer { sat, unsat, open };

struct SearchResult {
  Answer answer = Answer::open;
  std::optional<Facts> witness;  // for sat: the goal is true whatever the unassigned facts are
  std::size_t nodes = 0;         // search steps taken (what AnalyzeOptions::total_budget counts)
};

// In force under (possibly partial) facts, in Kleene's logic: applies and no exception to it is in force.
Tri in_force(const Policy& policy, const Facts& facts, std::int32_t rule, std::vector<Tri>& memo);
Tri applies(const Policy& policy, const Facts& facts, std::int32_t rule);

// `facts`/`interpretations`: the variables the goal reads.
SearchResult search(const Policy& policy, const std::vector<std::int32_t>& facts,
                    const std::vector<std::int32_t>& interpretations, const std::function<Tri(const Facts&)>& goal,
                    const AnalyzeOptions& options);

// A witness as a request: nested fact paths, and the interpretations it sets.
nlohmann::json witness_request(const Policy& policy, const Facts& facts);

}  // namespace proviso::analysis
