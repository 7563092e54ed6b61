#include "explain.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <tuple>

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

std::size_t facts_to_change(const Policy& policy, const std::vector<std::int32_t>& conditions) {
  // The smallest set of facts that touches every condition: a condition whose
  // facts all stay as they are keeps its value. Fixed facts cannot be changed.
  // Called for every candidate exception of every explanation, so it works in
  // fixed-size buffers: facts numbered by first appearance (the smallest
  // hitting set does not depend on the numbering), one bit mask per condition.
  constexpr std::size_t kExact = 4, kFar = 99, kPool = 24;
  std::array<std::int32_t, kPool> pool{};
  std::size_t pool_size = 0;
  bool pool_overflow = false;
  std::vector<std::uint32_t> masks;
  masks.reserve(conditions.size());
  for (auto c : conditions) {
    std::uint32_t mask = 0;
    bool changeable = false;
    for (auto f : policy.conditions[c].facts) {
      if (policy.facts[f].fixed) continue;
      changeable = true;
      if (pool_overflow) continue;
      const auto at = std::find(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(pool_size), f) - pool.begin();
      if (static_cast<std::size_t>(at) == pool_size) {
        if (pool_size == kPool) {
          pool_overflow = true;
          continue;
        }
        pool[pool_size++] = f;
      }
      mask |= 1u << at;
    }
    if (!changeable) return kFar;  // only fixed facts or readings: no change of facts meets it
    masks.push_back(mask);
  }
  if (masks.empty()) return 0;
  if (!pool_overflow) {
    // The smallest hitting set of at most kExact facts, by branching on the
    // facts of the first condition not yet touched (at most |set|^kExact
    // branches, against C(24, kExact) subsets tried one by one).
    std::size_t best = kExact + 1;
    auto search = [&](auto& self, std::uint32_t chosen, std::size_t depth) -> void {
      auto open = std::find_if(masks.begin(), masks.end(), [&](std::uint32_t m) { return (m & chosen) == 0; });
      if (open == masks.end()) {
        best = std::min(best, depth);
        return;
      }
      if (depth + 1 >= best) return;
      for (auto bits = *open; bits; bits &= bits - 1) self(self, chosen | (bits & -bits), depth + 1);
    };
    search(search, 0, 0);
    if (best <= kExact) return best;
  }
  return std::min(kFar, kExact + masks.size());  // not within reach: rank by the number of open conditions
}

namespace {

// facts_to_change(policy, open), remembered per policy by rule and open set:
// the same few sets recur across requests, and the search costs more than
// the rest of the ranking. A rule with more than 32 top-level conditions is
// not remembered (its mask would not fit the key).
constexpr std::size_t kMaxRememberedTop = 32;

// By a Tri's value: what it adds to rank_exceptions' counts of failing (low half) and unknown (high half) conditions.
constexpr std::array<std::uint64_t, 4> kOpenCount = [] {
  std::array<std::uint64_t, 4> out{};
  out[static_cast<std::uint8_t>(Tri::false_)] = 1;
  out[static_cast<std::uint8_t>(Tri::unknown)] = std::uint64_t{1} << 32;
  return out;
}();

std::uint64_t facts_to_change_key(std::int32_t rule, std::uint64_t open_mask) {
  return (static_cast<std::uint64_t>(rule) << 32) | open_mask;
}

void remember_facts_to_change(const ExplainTexts& texts, std::uint64_t key, std::size_t count) {
  constexpr std::size_t kMaxRemembered = 1 << 16;  // bounds the memory whatever the requests
  std::unique_lock lock(texts.facts_to_change_mutex);
  if (texts.facts_to_change_memo.size() < kMaxRemembered) texts.facts_to_change_memo.emplace(key, static_cast<std::uint8_t>(count));
}

}  // namespace

std::tuple<std::size_t, std::size_t, std::size_t> closeness(const NearMiss& miss) {
  return {miss.failing.size(), miss.unknown.size(), miss.facts_to_change};
}

std::vector<ExceptionRank> rank_exceptions(const Policy& policy, const Decision& decision) {
  std::span<const std::int32_t> forbids;
  if (decision.outcome == Outcome::denied) {
    forbids = decision.authorities;
  } else if ((decision.outcome == Outcome::not_applicable || decision.outcome == Outcome::undetermined) && policy.general_rule >= 0) {
    forbids = {&policy.general_rule, 1};
  }
  std::vector<ExceptionRank> ranks;
  for (auto f : forbids) ranks.reserve(ranks.size() + policy.rules[f].defeaters.size());
  for (auto f : forbids)
    for (auto d : policy.rules[f].defeaters)
      if (policy.rules[d].is_permit() && decision.rules[d].in_force != Tri::true_) ranks.push_back({d, 0, 0, 0});
  // Each candidate once (a rule may defeat several of the forbids, or be listed twice).
  const auto by_rule = [](const ExceptionRank& a, const ExceptionRank& b) { return a.rule < b.rule; };
  if (std::adjacent_find(ranks.begin(), ranks.end(), [](const ExceptionRank& a, const ExceptionRank& b) { return a.rule >= b.rule; }) != ranks.end()) {
    std::sort(ranks.begin(), ranks.end(), by_rule);
    ranks.erase(std::unique(ranks.begin(), ranks.end(), [](const ExceptionRank& a, const ExceptionRank& b) { return a.rule == b.rule; }), ranks.end());
  }
  const auto& texts = explain_texts(policy);
  std::vector<std::int32_t> open;
  for (auto& rank : ranks) {
    const auto r = rank.rule;
    const auto& top = policy.rules[r].top_conditions;
    // Which of `top` are open (facts_to_change depends on that set alone), and
    // how many fail and are unknown, counted as one number: this loop runs
    // over some 280 conditions an explanation, so every instruction in it counts.
    std::uint64_t open_mask = 0, counts = 0;  // counts: failing in the low half, unknown in the high
    for (std::size_t i = 0; i < top.size(); ++i) {
      const auto value = decision.conditions[top[i]];
      counts += kOpenCount[static_cast<std::uint8_t>(value) & 3];
      open_mask |= std::uint64_t{value != Tri::true_} << (i & 63);
    }
    rank.failing = counts & 0xffffffffu;
    rank.unknown = counts >> 32;
    // Remembered: in the rule's table (no lock), else in the memo.
    std::atomic<std::uint8_t>* cell = nullptr;
    if (const auto at = texts.facts_to_change_at[static_cast<std::size_t>(r)]; at != ExplainTexts::kNoTable) {
      cell = &texts.facts_to_change_table[at + open_mask];
      if (const auto known = cell->load(std::memory_order_relaxed); known != ExplainTexts::kNotComputed) {
        rank.facts_to_change = known;
        continue;
      }
    } else if (top.size() <= kMaxRememberedTop) {
      std::shared_lock lock(texts.facts_to_change_mutex);
      if (auto it = texts.facts_to_change_memo.find(facts_to_change_key(r, open_mask)); it != texts.facts_to_change_memo.end()) {
        rank.facts_to_change = it->second;
        continue;
      }
    }
    // The open conditions, the failing first, then the unknown.
    open.clear();
    for (auto c : top)
      if (decision.conditions[c] == Tri::false_) open.push_back(c);
    for (auto c : top)
      if (decision.conditions[c] == Tri::unknown) open.push_back(c);
    rank.facts_to_change = facts_to_change(policy, open);  // at most 99: fits a byte, never kNotComputed
    if (cell) cell->store(static_cast<std::uint8_t>(rank.facts_to_change), std::memory_order_relaxed);
    else if (top.size() <= kMaxRememberedTop) remember_facts_to_change(texts, facts_to_change_key(r, open_mask), rank.facts_to_change);
  }
  // The order: fewest failing conditions first (an exception defeated by
  // a limit fails none). Ties: fewest unknown conditions, then fewest facts to
  // change or give, then source order (the rule index, which is unique: std::sort
  // with it last is stable_sort's order).
  std::sort(ranks.begin(), ranks.end(), [](const ExceptionRank& a, const ExceptionRank& b) {
    if (a.failing != b.failing) return a.failing < b.failing;
    if (a.unknown != b.unknown) return a.unknown < b.unknown;
    if (a.facts_to_change != b.facts_to_change) return a.facts_to_change < b.facts_to_change;
    return a.rule < b.rule;
  });
  return ranks;
}

NearMiss near_miss(const Policy& policy, const Decision& decision, const ExceptionRank& rank) {
  NearMiss miss;
  miss.rule = rank.rule;
  miss.defeated_by = decision.rules[rank.rule].defeated_by;
  miss.facts_to_change = rank.facts_to_change;
  for (auto c : policy.rules[rank.rule].top_conditions) {
    const auto value = decision.conditions[c];
    if (value == Tri::false_) miss.failing.push_back(view_condition(policy, decision, c));
    else if (value == Tri::unknown) miss.unknown.push_back(view_condition(policy, decision, c));
  }
  return miss;
}

std::vector<NearMiss> nearest_exceptions(const Policy& policy, const Decision& decision, std::size_t limit) {
  const auto ranks = rank_exceptions(policy, decision);
  std::vector<NearMiss> misses;
  for (std::size_t i = 0; i < ranks.size() && i < limit; ++i) misses.push_back(near_miss(policy, decision, ranks[i]));
  return misses;
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
  switch (decision.outcome) {
    case Outcome::permitted: {
      std::string out = "Permitted by ";
      append_cites(out, policy, decision.authorities);
      return out + ".";
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
      if (!ranks.empty()) {
        // near_miss(policy, decision, ranks.front()), without copying its conditions' texts.
        const auto rule = ranks.front().rule;
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
        for (std::size_t i = 0; i < decision.unknown_facts.size() && i < 5; ++i)
          out += (i ? ", " : "") + policy.facts[decision.unknown_facts[i]].path;
        if (decision.unknown_facts.size() > 5) out += ", …";
        out += ")";
      }
      return out + ".";
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
