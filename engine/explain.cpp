#include "explain_rank.hpp"

#include <algorithm>

namespace proviso {

std::string condition_text(const Policy& policy, std::int32_t condition) { return explain_texts(policy).condition_text[condition]; }

ConditionView view_condition(const Policy& policy, const Decision& decision, std::int32_t condition) {
  const auto& texts = explain_texts(policy);
  ConditionView view;
  view.index = condition;
  view.text = texts.condition_text[condition];
  view.cite = *texts.condition_cite[condition];
  view.value = decision.conditions[condition];
  return view;
}

namespace {

std::string_view cite_of(const Policy& policy, std::int32_t rule) {
  const auto& r = policy.rules[rule];
  return r.cite.text.empty() ? std::string_view(r.id) : std::string_view(r.cite.text);
}

// The rules' citations, "A", "A and B", "A, B and C", appended to `out`.
template <typename Rules>
void append_cites(std::string& out, const Policy& policy, const Rules& rules) {
  const auto n = static_cast<std::size_t>(std::size(rules));
  std::size_t i = 0;
  for (auto rule : rules) {
    if (i) out += i + 1 == n ? " and " : ", ";
    out += cite_of(policy, rule);
    ++i;
  }
}

}  // namespace

std::string summary(const Policy& policy, const Decision& decision) {
  return summary(policy, decision, decision.outcome == Outcome::denied ? rank_exceptions(policy, decision) : std::vector<ExceptionRank>{});
}

std::string summary(const Policy& policy, const Decision& decision, const std::vector<ExceptionRank>& ranks) {
  return summary(policy, decision, ranks.empty() ? nullptr : &ranks.front());
}

std::string summary(const Policy& policy, const Decision& decision, const ExceptionRank* nearest) {
  switch (decision.outcome) {
    case Outcome::permitted: {
      std::string out = "Permitted by ";
      append_cites(out, policy, decision.authorities);
      out += '.';  // appended, not `out + "."`: a second string
      return out;
    }
    case Outcome::denied: {
      // Forbids forbid; limits only take exceptions away, and the sentence says so.
      std::string out;
      out.reserve(256);
      out += "Denied: ";
      std::size_t forbids = 0;
      for (auto a : decision.authorities) forbids += policy.rules[a].is_forbid();
      std::size_t i = 0;
      for (auto a : decision.authorities) {
        if (!policy.rules[a].is_forbid()) continue;
        if (i) out += i + 1 == forbids ? " and " : ", ";
        out += cite_of(policy, a);
        ++i;
      }
      out += " forbids it.";
      if (nearest) {
        // near_miss(policy, decision, *nearest), without copying its conditions' texts.
        const auto rule = nearest->rule;
        const auto& defeated_by = decision.rules[rule].defeated_by;
        const auto& top = policy.rules[rule].top_conditions;
        const auto failing = std::find_if(top.begin(), top.end(), [&](std::int32_t c) { return decision.conditions[c] == Tri::false_; });
        if (!defeated_by.empty()) {
          out += " The exception ";
          out += cite_of(policy, rule);
          out += " applies but is defeated by ";
          append_cites(out, policy, defeated_by);
          out += ".";
        } else if (failing != top.end()) {
          out += " The nearest exception, ";
          out += cite_of(policy, rule);
          out += ", fails because this does not hold: ";
          out += explain_texts(policy).condition_text[*failing];
          out += ".";
        }
      }
      return out;
    }
    case Outcome::undetermined: {
      std::string out = "Undetermined: the decision depends on facts the request does not give";
      if (!decision.unknown_facts.empty()) {
        out += " (";
        for (std::size_t i = 0; i < decision.unknown_facts.size() && i < 5; ++i) {
          if (i) out += ", ";
          out += policy.facts[decision.unknown_facts[i]].path;
        }
        if (decision.unknown_facts.size() > 5) out += ", …";
        out += ")";
      }
      out += '.';
      return out;
    }
    case Outcome::conflict: {
      const auto& [p, f] = decision.conflicts.front();
      std::string out = "Conflict: ";
      out += cite_of(policy, p);
      out += " permits it and ";
      out += cite_of(policy, f);
      out += " forbids it, and neither is an exception to the other.";
      return out;
    }
    case Outcome::not_applicable:
      return "Not applicable: no rule of " + policy.name + " applies to this request.";
  }
  return "";
}

}  // namespace proviso
