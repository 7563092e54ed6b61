#include "fast_search.hpp"

#include <algorithm>

#include "explain_texts.hpp"

namespace proviso {

FastSearch::FastSearch(const Policy& policy, const Facts& facts)
    : compiled_(search_compiled(policy)),
      facts_(compiled_.make_facts()),
      scratch_(compiled_.make_scratch()),
      applies_(policy.rules.size(), Tri::false_),
      in_force_(policy.rules.size(), Tri::false_) {
  compiled_.load_facts(facts, facts_);
}

Outcome FastSearch::keep_baseline() {
  const auto outcome = decide_every_rule();
  baseline_ = applies_;
  return outcome;
}

Outcome FastSearch::decide_changed(std::int32_t slot) {
  const auto& policy = compiled_.policy();
  if (readers_.empty()) readers_.resize(policy.facts.size());
  auto& readers = readers_[slot];
  if (readers.empty()) {
    readers.resize(policy.rules.size());
    for (std::size_t r = 0; r < policy.rules.size(); ++r) {
      const auto& rule = policy.rules[r];
      if (!rule.when) continue;  // always applies
      const auto* read = rule.condition >= 0 ? &policy.conditions[rule.condition].facts : nullptr;
      readers[r] = !read || std::binary_search(read->begin(), read->end(), slot);  // not linked: assume it reads it
    }
  }
  applies_ = baseline_;
  return compiled_.decide_every_rule(facts_, scratch_, applies_, in_force_, readers);
}

}  // namespace proviso
