#include "server/metrics.hpp"

#include <sstream>

namespace proviso::server {

void Metrics::record_decision(Outcome outcome, double seconds) {
  decisions_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  latency_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Metrics::record_error(const std::string& code) {
  std::lock_guard lock(errors_mutex_);
  ++errors_[code];
}

void Metrics::record_reload(bool succeeded) { (succeeded ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }

namespace {
// Prometheus label values escape backslash, double quote and newline.
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}
}  // namespace

std::string Metrics::render(const RuleSetInfo& serving) const {
  std::ostringstream out;
  out << "# HELP proviso_decisions_total Decisions made, by outcome.\n# TYPE proviso_decisions_total counter\n";
  for (std::size_t i = 0; i < decisions_.size(); ++i)
    out << "proviso_decisions_total{outcome=\"" << to_string(static_cast<Outcome>(i)) << "\"} " << decisions_[i].load() << "\n";
  out << "# HELP proviso_request_errors_total Requests answered with an error body, by diagnostic code.\n"
         "# TYPE proviso_request_errors_total counter\n";
  {
    std::lock_guard lock(errors_mutex_);
    for (const auto& [code, n] : errors_) out << "proviso_request_errors_total{code=\"" << label(code) << "\"} " << n << "\n";
  }
  out << "# HELP proviso_decision_duration_seconds Time to bind a request and decide it.\n"
         "# TYPE proviso_decision_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_[i].load();
    out << "proviso_decision_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += latency_[kBuckets.size()].load();
  out << "proviso_decision_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
  out << "proviso_decision_duration_seconds_sum " << static_cast<double>(latency_sum_ns_.load()) / 1e9 << "\n";
  out << "proviso_decision_duration_seconds_count " << latency_count_.load() << "\n";
  out << "# HELP proviso_policy_reloads_total Rule set reloads, by result.\n# TYPE proviso_policy_reloads_total counter\n";
  out << "proviso_policy_reloads_total{result=\"ok\"} " << reloads_ok_.load() << "\n";
  out << "proviso_policy_reloads_total{result=\"rejected\"} " << reloads_failed_.load() << "\n";
  out << "# HELP proviso_policy_info The rule set being served.\n# TYPE proviso_policy_info gauge\n";
  out << "proviso_policy_info{name=\"" << label(serving.name) << "\",version=\"" << label(serving.version) << "\",digest=\""
      << label(serving.digest) << "\"} 1\n";
  return out.str();
}

}  // namespace proviso::server
