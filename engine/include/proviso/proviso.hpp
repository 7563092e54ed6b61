// Proviso's C++ API: load a rule set (or use the built-in § 6103 rules),
// decide requests, read the decision, its explanation and its receipt.
//
// The compiled policy is immutable: a Policy is a cheap handle to it, and
// decide() is const and safe to call from many threads at once. No exception
// escapes for bad input: loading and deciding return a Result that holds
// either the value or the diagnostics (each with a stable code, docs/diagnostics.md).
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proviso/export.h"

// The API lives in proviso::v1 so its symbols carry an ABI version, and is
// brought into proviso:: for callers. The engine's own internals also live in
// proviso::, so the one file that implements this API (engine/api.cpp) sees the
// versioned names only.
namespace proviso::v1 {

PROVISO_API std::string_view version() noexcept;  // of the library, e.g. "0.1.0"

enum class Outcome { permitted, denied, undetermined, conflict, not_applicable };
PROVISO_API std::string_view to_string(Outcome outcome) noexcept;

// One problem with a rule set or a request.
struct Diagnostic {
  std::string code;      // stable, e.g. "E403"
  bool error = true;     // false: a warning
  bool internal = false; // a bug in Proviso (E9xx), not a mistake in the input; the C API's status 70
  std::string location;  // "file:line:col", or the request and its JSON path
  std::string message;   // one sentence
  std::string help;      // advice; may be empty
};

// Either a value or the diagnostics that prevented it (warnings may come with a value).
template <class T>
struct Result {
  std::optional<T> value;
  std::vector<Diagnostic> diagnostics;
  std::string rendered;  // the diagnostics as `proviso check` prints them, with source lines and carets

  bool ok() const { return value.has_value(); }
  explicit operator bool() const { return ok(); }
  T& operator*() { return *value; }
  const T& operator*() const { return *value; }
  T* operator->() { return &*value; }
  const T* operator->() const { return &*value; }
};

struct RuleRef {
  std::string rule;     // the rule id
  std::string effect;   // "permit" | "forbid" | "limit"
  std::string cite;     // e.g. "26 U.S.C. § 6103(i)(2)"
  std::string cite_id;  // stable identifier of the citation
  std::string title;
};

struct Obligation {
  std::string text;
  std::string cite;
  std::string rule;  // the permit that attaches it
};

struct RuleSetInfo {
  std::string name, version, digest;  // digest: "sha256:…" over the manifest and rule files
  std::size_t rules = 0;
};

enum class RequestFormat { automatic, json, yaml };
// full: every rule and condition considered, and the counterfactual search (the
// costly part: milliseconds); full_without_counterfactuals: the same without it.
enum class Detail { compact, full, full_without_counterfactuals };

namespace detail {
struct PolicyState;
struct DecisionState;
}  // namespace detail

// Receipt options: what a receipt carries besides the decision.
struct ReceiptOptions {
  bool include_request = true;  // the normalised request, so verify-receipt can replay it
  std::string id;               // empty: a random id
  std::string time;             // empty: now, RFC 3339 UTC
};

class PROVISO_API Decision {
 public:
  Outcome outcome() const;
  std::string_view outcome_name() const;
  std::string summary() const;                     // one sentence with the deciding provision
  std::vector<RuleRef> authorities() const;        // the rules that decide it
  std::vector<Obligation> obligations() const;     // for permitted: every authority's obligations
  std::vector<std::string> unknown_facts() const;  // for undetermined: the facts that would decide it
  const RuleSetInfo& ruleset() const;

  nlohmann::json to_json(Detail detail = Detail::compact) const;  // proviso.decision/v1
  std::string explain_text() const;                               // the plain-text memo of `proviso eval`

  // The request as the engine read it: known facts and the interpretations it
  // set, keys sorted. Its SHA-256 is the receipt's request digest.
  nlohmann::json normalised_request() const;
  // An auditable record of this decision (docs/integrating.md, "Receipts").
  nlohmann::json receipt(const ReceiptOptions& options = {}) const;

 private:
  friend class Policy;
  explicit Decision(std::shared_ptr<const detail::DecisionState> state) : state_(std::move(state)) {}
  std::shared_ptr<const detail::DecisionState> state_;
};

struct LoadOptions {
  std::size_t max_rules = 100000;  // more is taken as a mistake (E508)
};

struct RequestLimits {
  std::size_t max_bytes = 1u << 20;      // larger requests: E406
  unsigned max_depth = 32;               // deeper nesting: E405
  std::size_t max_string_bytes = 65536;  // longer strings: E411
  std::size_t max_values = 10000;        // more values (YAML aliases counted per use): E413
  std::size_t max_diagnostics = 50;      // binding stops after this many problems (E107)
  std::uint64_t max_evaluation_steps = 20000000;  // deciding takes more: E509, and no decision
};

class PROVISO_API Policy {
 public:
  // The rule set compiled into the library (rules/us/irc-6103).
  static Result<Policy> builtin() noexcept;
  // A folder with proviso.yaml, or a single .proviso file.
  static Result<Policy> load(const std::filesystem::path& path, const LoadOptions& options = {}) noexcept;
  // Named texts: "proviso.yaml" (optional) and "*.proviso" files; `origin` names them in messages.
  static Result<Policy> from_texts(const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::string& origin = "rules", const LoadOptions& options = {}) noexcept;

  // Decide a request: nested keys are fact paths; a missing fact is unknown.
  Result<Decision> decide(const nlohmann::json& request, const RequestLimits& limits = {}) const noexcept;
  // The same from JSON or YAML text.
  Result<Decision> decide(std::string_view text, RequestFormat format = RequestFormat::automatic,
                          const RequestLimits& limits = {}) const noexcept;

  const RuleSetInfo& info() const;
  // {name, version, digest, jurisdiction, title, general_rule, rules: [{rule, effect, cite, title, exception_to}]}
  nlohmann::json describe() const;
  // The rule set's texts (manifest and rule files), e.g. for an export.
  std::vector<std::pair<std::string, std::string>> sources() const;

  // Checks a receipt by replaying its request: true when every field other
  // than id and time is reproduced byte for byte. `mismatch` says what differs.
  bool verify_receipt(const nlohmann::json& receipt, std::string* mismatch = nullptr) const noexcept;

 private:
  friend class LineDecider;
  explicit Policy(std::shared_ptr<const detail::PolicyState> state) : state_(std::move(state)) {}
  std::shared_ptr<const detail::PolicyState> state_;
};

// The fast path, for bulk and latency-bound callers that need the outcome and
// the deciding rules but no explanation: one JSON request in, one line out,
//   {"decision":"permitted","authorities":["c_consent"]}
// decided by the compiled evaluator with a streaming JSON binder. It agrees
// with Policy::decide on outcome and authorities (tested on every scenario and
// on random requests). A request decide() would refuse gives
//   {"error":{"code":"E402","location":"request: $.x","message":"…"}}
// with decide()'s first error; call decide() for all of its diagnostics.
// One LineDecider per thread (it reuses its buffers); cheap to make once the
// policy has been compiled, which the first LineDecider of a Policy does. It
// shares the policy's state, so it may outlive the Policy it was made from.
class PROVISO_API LineDecider {
 public:
  explicit LineDecider(const Policy& policy, const RequestLimits& limits = {});
  ~LineDecider();
  LineDecider(LineDecider&&) noexcept;
  LineDecider& operator=(LineDecider&&) noexcept;

  // Appends the line (without a newline) to `out`; nullopt for an error line.
  std::optional<Outcome> decide(std::string_view json, std::string& out) noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace proviso::v1

#ifndef PROVISO_FACADE_IMPLEMENTATION
namespace proviso {
using namespace ::proviso::v1;
}  // namespace proviso
#endif
