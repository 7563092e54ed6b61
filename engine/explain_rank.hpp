// rank_exceptions' result as explain() reads it (explain_rank.cpp): no vector
// of ExceptionRank made and sorted, but one sort key a candidate, on the stack
// for the usual few dozen, with the masks of its open and its false top-level
// conditions, so an exception's failing and unknown conditions are taken from
// its masks instead of reading every top-level condition of every exception again.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "explain.hpp"

namespace proviso {

class ExceptionRanking {
 public:
  ExceptionRanking() = default;
  ExceptionRanking(const ExceptionRanking&) = delete;  // its spans point into itself
  ExceptionRanking& operator=(const ExceptionRanking&) = delete;
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ExceptionRank operator[](std::size_t i) const {  // closest first
    if (!unpacked_.empty()) [[unlikely]] {
      auto rank = unpacked_[i];
      rank.rule = candidates_[static_cast<std::size_t>(rank.rule)];
      return rank;
    }
    const auto key = keys_[i];
    return {candidates_[key & 0xffffff], key >> 48, (key >> 32) & 0xffff, (key >> 24) & 0xff};
  }
  // Which of the i-th's rule's top_conditions are not true, and which are
  // false (bit k: top_conditions[k]), when it has at most 64 of them; has_masks(i) says so.
  struct Masks {  // no initializers: the ranking's array of 64 is not zeroed for every explanation
    std::uint64_t open;
    std::uint64_t false_;
  };
  bool has_masks(std::size_t i) const {
    const auto& m = masks_[position(i)];
    return m.open != kNoMasks.open || m.false_ != kNoMasks.false_;
  }
  const Masks& masks(std::size_t i) const { return masks_[position(i)]; }
  // From the i-th on, those that fail some top-level condition, briefly
  // (Explanation::others), each with its false top-level conditions in its rule's order.
  void list_others(const Policy& policy, const Decision& decision, std::size_t from, Explanation& out) const;

 private:
  friend void rank_exceptions(const Policy& policy, const Decision& decision, ExceptionRanking& out);
  static constexpr std::size_t kOnStack = 64;
  // More than 64 top-level conditions (or 64 all false, read the slow way too).
  static constexpr Masks kNoMasks{~std::uint64_t{0}, ~std::uint64_t{0}};
  std::size_t position(std::size_t i) const {  // of the i-th closest, in candidates_
    return static_cast<std::size_t>(unpacked_.empty() ? keys_[i] & 0xffffff : static_cast<std::uint64_t>(unpacked_[i].rule));
  }

  std::size_t size_ = 0;
  // Packed keys (ExplainTexts::rank_keys_fit): failing, unknown, facts_to_change
  // and the candidate's position in candidates_ (in rule order, so the
  // position breaks ties as the rule does); sorted.
  std::span<std::uint64_t> keys_;
  std::span<Masks> masks_;                   // by position, or kNoMasks
  std::span<const std::int32_t> candidates_;  // by position: the rule
  std::array<std::uint64_t, kOnStack> keys_on_stack_;
  std::array<Masks, kOnStack> masks_on_stack_;
  std::vector<std::uint64_t> keys_on_heap_;  // for more candidates
  std::vector<Masks> masks_on_heap_;
  std::vector<std::int32_t> merged_;         // the candidates of several forbids
  std::vector<ExceptionRank> unpacked_;      // when the keys do not fit: the ranks themselves, sorted
};

// The ranking rank_exceptions(policy, decision) returns, into `out`.
void rank_exceptions(const Policy& policy, const Decision& decision, ExceptionRanking& out);

// summary(policy, decision, ranks) given the nearest exception (or null).
std::string summary(const Policy& policy, const Decision& decision, const ExceptionRank* nearest);

}  // namespace proviso
