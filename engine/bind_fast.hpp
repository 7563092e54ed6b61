// The streaming request binder: JSON text straight into FastFacts slots, with
// no DOM. Path segments are matched against a trie of the policy's fact paths;
// enum values against per-enum tables. It handles well-formed requests only:
// for anything it would have to diagnose (an unknown fact, a wrong type, YAML,
// a duplicate or dotted key) it declines, and the caller runs parse_request,
// whose diagnostics are the reference. So both paths bind identically.
#pragma once
#include <array>
#include <memory>
#include <string_view>

#include "compiled.hpp"

namespace proviso {

class FastBinder {
 public:
  explicit FastBinder(const CompiledPolicy& policy, const RequestLimits& limits = {});
  ~FastBinder();
  FastBinder(FastBinder&&) noexcept;
  FastBinder& operator=(FastBinder&&) noexcept;

  // True when `text` was bound into `out` (reset first); false when the full
  // binder must decide (it then reports the error, or binds what this declined).
  bool bind(std::string_view text, FastFacts& out);

  // Whether this build streams with simdjson; without it bind() goes through
  // parse_request and converts, which is correct but not fast.
  static bool streaming();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole JSON line → compact decision JSON path, with the full binder as
// the fallback and its diagnostics rendered as {"error":…} when it refuses.
class FastDecider {
 public:
  explicit FastDecider(std::shared_ptr<const CompiledPolicy> policy, const RequestLimits& limits = {});
  // Appends one decision (or error) object to `out`, without a newline.
  Outcome decide_line(std::string_view line, std::string& out);
  bool last_was_error() const { return error_; }
  const std::vector<std::int32_t>& authorities() const { return scratch_.authorities; }  // of the last decision

 private:
  // Writes the decision line of the last decision. A rule set gives few
  // distinct (outcome, authorities) pairs, so recent lines are kept by a hash
  // of the pair and copied: cheaper than writing them again.
  void append_line(Outcome outcome, std::string& out);

  std::shared_ptr<const CompiledPolicy> policy_;
  RequestLimits limits_;
  FastBinder binder_;
  FastFacts facts_;
  FastScratch scratch_;
  bool error_ = false;
  struct Line {
    Outcome outcome = Outcome::not_applicable;
    std::vector<std::int32_t> authorities;
    std::string text;  // empty: none kept here yet
  };
  std::array<Line, 16> lines_;
};

}  // namespace proviso
