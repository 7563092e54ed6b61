// Which exceptions came closest: every permit that is an exception to the
// rules that forbid, ranked by how far the request is from meeting it.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <tuple>

#include "explain_rank.hpp"

namespace proviso {

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

// An ExceptionRank's order as one number: failing, unknown, facts_to_change, and
// the candidate's position (in rule order). Exact only when ExplainTexts::rank_keys_fit
// (every rule has fewer than 2^16 top-level conditions, and there are fewer than
// 2^24 rules, so fewer candidates; facts_to_change <= 99).
std::uint64_t packed_key(const ExceptionRank& rank, std::size_t position) {
  return (std::uint64_t{rank.failing} << 48) | (std::uint64_t{rank.unknown} << 32) | (std::uint64_t{rank.facts_to_change} << 24) |
         static_cast<std::uint32_t>(position);
}

// The words a rule's top-level conditions are read in (ExplainTexts::RankWords).
ExplainTexts::RankWords rank_words_of(const std::vector<std::int32_t>& top, ExplainTexts& texts) {
  ExplainTexts::RankWords words;
  if (top.empty() || !std::is_sorted(top.begin(), top.end(), std::less_equal<>()) || top.back() - top.front() >= 64) return words;
  words.first = top.front();
  words.words = static_cast<std::uint8_t>((top.back() - top.front()) / 8 + 1);
  words.members_at = static_cast<std::uint32_t>(texts.rank_word_members.size());
  texts.rank_word_members.resize(texts.rank_word_members.size() + words.words);
  for (auto c : top) {
    const auto at = static_cast<std::size_t>(c - words.first);
    texts.rank_word_members[words.members_at + at / 8] |= std::uint64_t{1} << (8 * (at % 8));
  }
  words.gaps_at = static_cast<std::uint32_t>(texts.rank_word_gaps.size());
  for (std::size_t k = top.size() - 1; k > 0; --k)  // highest first
    if (const auto length = top[k] - top[k - 1] - 1; length > 0) {
      texts.rank_word_gaps.push_back(static_cast<std::uint8_t>(top[k - 1] + 1 - words.first));
      texts.rank_word_gaps.push_back(static_cast<std::uint8_t>(length));
      ++words.gaps;
    }
  return words;
}

// Eight conditions' values from `at` on, byte k the value of condition at + k
// (past the end: 0, which no member byte keeps).
std::uint64_t value_word(const std::vector<Tri>& values, std::size_t at) {
  std::uint64_t word = 0;
  if (at + 8 <= values.size()) [[likely]] std::memcpy(&word, values.data() + at, 8);
  else std::memcpy(&word, values.data() + at, values.size() - at);
  return word;
}

// A mask over a rule's words with the gaps between its top-level conditions
// taken out: bit k is then top_conditions[k].
std::uint64_t without_gaps(std::uint64_t mask, const std::uint8_t* gaps, std::size_t count) {
  for (std::size_t g = 0; g < count; ++g) {
    const auto low = (std::uint64_t{1} << gaps[2 * g]) - 1;
    mask = (mask & low) | ((mask >> gaps[2 * g + 1]) & ~low);
  }
  return mask;
}

}  // namespace

void add_rank_tables(const Policy& policy, ExplainTexts& texts) {
  texts.rank_keys_fit = policy.rules.size() < (std::size_t{1} << 24);
  texts.rank_top_at.reserve(policy.rules.size() + 1);
  texts.rank_candidates_at.reserve(policy.rules.size() + 1);
  texts.rank_top_at.push_back(0);
  texts.rank_candidates_at.push_back(0);
  std::vector<std::int32_t> candidates;
  for (const auto& rule : policy.rules) {
    texts.rank_keys_fit = texts.rank_keys_fit && rule.top_conditions.size() < (std::size_t{1} << 16);
    texts.rank_top.insert(texts.rank_top.end(), rule.top_conditions.begin(), rule.top_conditions.end());
    texts.rank_top_at.push_back(static_cast<std::uint32_t>(texts.rank_top.size()));
    candidates.clear();
    for (auto d : rule.defeaters)
      if (policy.rules[d].is_permit()) candidates.push_back(d);
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    texts.rank_candidates.insert(texts.rank_candidates.end(), candidates.begin(), candidates.end());
    texts.rank_candidates_at.push_back(static_cast<std::uint32_t>(texts.rank_candidates.size()));
    texts.rank_words.push_back(rank_words_of(rule.top_conditions, texts));
  }
}

std::tuple<std::size_t, std::size_t, std::size_t> closeness(const NearMiss& miss) {
  return {miss.failing.size(), miss.unknown.size(), miss.facts_to_change};
}

void rank_exceptions(const Policy& policy, const Decision& decision, ExceptionRanking& out) {
  std::span<const std::int32_t> forbids;
  if (decision.outcome == Outcome::denied) {
    forbids = decision.authorities;
  } else if ((decision.outcome == Outcome::not_applicable || decision.outcome == Outcome::undetermined) && policy.general_rule >= 0) {
    forbids = {&policy.general_rule, 1};
  }
  const auto& texts = explain_texts(policy);
  // The candidates: the permits that are exceptions to a forbid, each once, in rule order.
  std::span<const std::int32_t> candidates;
  if (forbids.size() == 1) {
    candidates = texts.rank_candidates_of(forbids.front());
  } else if (forbids.size() > 1) {
    auto& merged = out.merged_;
    merged.clear();
    for (auto f : forbids) {
      const auto of = texts.rank_candidates_of(f);
      merged.insert(merged.end(), of.begin(), of.end());
    }
    std::sort(merged.begin(), merged.end());
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    candidates = merged;
  }
  out.candidates_ = candidates;
  out.size_ = 0;
  out.unpacked_.clear();
  // A key and a mask a candidate (by position), on the stack for the usual few dozen.
  if (candidates.size() <= ExceptionRanking::kOnStack) {
    out.keys_ = {out.keys_on_stack_.data(), candidates.size()};
    out.masks_ = {out.masks_on_stack_.data(), candidates.size()};
  } else {
    out.keys_on_heap_.resize(candidates.size());
    out.masks_on_heap_.resize(candidates.size());
    out.keys_ = out.keys_on_heap_;
    out.masks_ = out.masks_on_heap_;
  }
  // The words read as bytes in memory order: on a little-endian machine, for
  // a decision of this policy's size.
  const bool by_words = std::endian::native == std::endian::little && decision.conditions.size() == policy.conditions.size();
  std::vector<std::int32_t> open;
  for (std::size_t at = 0; at < candidates.size(); ++at) {
    const auto r = candidates[at];
    if (decision.rules[r].in_force == Tri::true_) continue;
    const auto top = texts.rank_top_of(r);
    // Which of `top` are open (facts_to_change depends on that set alone) and
    // which false, and how many fail and are unknown: this runs over some 490
    // conditions an explanation, so every instruction counts.
    std::uint64_t open_mask = 0, false_mask = 0, failing = 0, unknown = 0;
    if (const auto& words = texts.rank_words[static_cast<std::size_t>(r)]; words.words > 0 && by_words) {
      // Eight values a word: a byte is 0 (false), 1 (true) or 2 (unknown); its
      // low bit kept where the member word has 0x01 says false (no bit set)
      // or unknown (bit 1), summed across the words a byte each, gathered into a bit each.
      constexpr std::uint64_t kSum = 0x0101010101010101, kGather = 0x0102040810204080;
      const auto* members = texts.rank_word_members.data() + words.members_at;
      std::uint64_t false_bytes = 0, unknown_bytes = 0;
      for (std::size_t w = 0; w < words.words; ++w) {
        const auto x = value_word(decision.conditions, static_cast<std::size_t>(words.first) + 8 * w);
        const auto is_false = ~(x | (x >> 1)) & members[w], is_unknown = (x >> 1) & members[w];
        false_bytes += is_false;
        unknown_bytes += is_unknown;
        false_mask |= ((is_false * kGather) >> 56) << (8 * w);
        open_mask |= (((is_false | is_unknown) * kGather) >> 56) << (8 * w);
      }
      failing = (false_bytes * kSum) >> 56;  // at most 64: no byte's partial sum carries
      unknown = (unknown_bytes * kSum) >> 56;
      if (words.gaps > 0) {
        const auto* gaps = texts.rank_word_gaps.data() + words.gaps_at;
        false_mask = without_gaps(false_mask, gaps, words.gaps);
        open_mask = without_gaps(open_mask, gaps, words.gaps);
      }
    } else {
      std::uint64_t counts = 0;  // failing in the low half, unknown in the high
      for (std::size_t i = 0; i < top.size(); ++i) {
        const auto value = decision.conditions[top[i]];
        counts += kOpenCount[static_cast<std::uint8_t>(value) & 3];
        open_mask |= std::uint64_t{value != Tri::true_} << (i & 63);
        false_mask |= std::uint64_t{value == Tri::false_} << (i & 63);
      }
      failing = counts & 0xffffffffu;
      unknown = counts >> 32;
    }
    ExceptionRank rank{r, failing, unknown, 0};
    out.masks_[at] = top.size() <= 64 ? ExceptionRanking::Masks{open_mask, false_mask} : ExceptionRanking::kNoMasks;
    rank.facts_to_change = [&]() -> std::size_t {
      // Remembered: in the rule's table (no lock), else in the memo.
      std::atomic<std::uint8_t>* cell = nullptr;
      if (const auto table = texts.facts_to_change_at[static_cast<std::size_t>(r)]; table != ExplainTexts::kNoTable) {
        cell = &texts.facts_to_change_table[table + open_mask];
        if (const auto known = cell->load(std::memory_order_relaxed); known != ExplainTexts::kNotComputed) return known;
      } else if (top.size() <= kMaxRememberedTop) {
        std::shared_lock lock(texts.facts_to_change_mutex);
        if (auto it = texts.facts_to_change_memo.find(facts_to_change_key(r, open_mask)); it != texts.facts_to_change_memo.end())
          return it->second;
      }
      // The open conditions, the failing first, then the unknown.
      open.clear();
      for (auto c : top)
        if (decision.conditions[c] == Tri::false_) open.push_back(c);
      for (auto c : top)
        if (decision.conditions[c] == Tri::unknown) open.push_back(c);
      const auto count = facts_to_change(policy, open);  // at most 99: fits a byte, never kNotComputed
      if (cell) cell->store(static_cast<std::uint8_t>(count), std::memory_order_relaxed);
      else if (top.size() <= kMaxRememberedTop) remember_facts_to_change(texts, facts_to_change_key(r, open_mask), count);
      return count;
    }();
    // The order: fewest failing conditions first (an exception defeated by
    // a limit fails none). Ties: fewest unknown conditions, then fewest facts to
    // change or give, then source order (the rule index, which is unique: std::sort
    // with it last is stable_sort's order). When every count fits (rank_keys_fit),
    // the four keys are compared as one number: a branch a comparison, not four;
    // the position stands for the rule (candidates are in rule order).
    if (texts.rank_keys_fit) out.keys_[out.size_] = packed_key(rank, at);
    else out.unpacked_.push_back({static_cast<std::int32_t>(at), rank.failing, rank.unknown, rank.facts_to_change});
    ++out.size_;
  }
  if (texts.rank_keys_fit) {
    out.keys_ = out.keys_.first(out.size_);
    std::sort(out.keys_.begin(), out.keys_.end());
  } else {
    std::sort(out.unpacked_.begin(), out.unpacked_.end(), [](const ExceptionRank& a, const ExceptionRank& b) {
      return std::tuple(a.failing, a.unknown, a.facts_to_change, a.rule) < std::tuple(b.failing, b.unknown, b.facts_to_change, b.rule);
    });
  }
}

void ExceptionRanking::list_others(const Policy& policy, const Decision& decision, std::size_t from, Explanation& out) const {
  // By key (the usual case), none failing sorts first: those listed are the
  // keys from the first with a failing count on, and each rule's conditions
  // come from its false mask, read through the flat table of top-level conditions.
  const bool by_key = unpacked_.empty();
  std::size_t listed = 0, failing = 0;
  for (std::size_t j = from; j < size_; ++j) {
    const auto n = by_key ? keys_[j] >> 48 : unpacked_[j].failing;
    listed += n > 0;
    failing += n;
  }
  out.others.reserve(listed);
  out.others_failing.resize(failing + 1);  // and one: a condition is written before it is kept or not
  const auto& texts = explain_texts(policy);
  auto* next = out.others_failing.data();
  for (std::size_t j = size_ - listed; j < size_; ++j) {
    const auto at = position(j);
    const auto rule = candidates_[at];
    const auto* first = next;
    if (const auto& m = masks_[at]; m.open != kNoMasks.open || m.false_ != kNoMasks.false_) {
      const auto* top = texts.rank_top.data() + texts.rank_top_at[static_cast<std::size_t>(rule)];
      for (auto mask = m.false_; mask; mask &= mask - 1) *next++ = top[std::countr_zero(mask)];
    } else {
      for (auto c : policy.rules[rule].top_conditions) {  // each written, kept when false: no branch a condition
        *next = c;
        next += decision.conditions[c] == Tri::false_;
      }
    }
    out.others.push_back({rule, static_cast<std::uint32_t>(first - out.others_failing.data()), static_cast<std::uint32_t>(next - first)});
  }
  out.others_failing.resize(static_cast<std::size_t>(next - out.others_failing.data()));
}

std::vector<ExceptionRank> rank_exceptions(const Policy& policy, const Decision& decision) {
  ExceptionRanking ranking;
  rank_exceptions(policy, decision, ranking);
  std::vector<ExceptionRank> ranks;
  ranks.reserve(ranking.size());
  for (std::size_t i = 0; i < ranking.size(); ++i) ranks.push_back(ranking[i]);
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

}  // namespace proviso
