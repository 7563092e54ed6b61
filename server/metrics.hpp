// The service's counters, rendered in Prometheus' text format for GET /metrics:
// decisions by outcome, rejected requests by code, a latency histogram and
// policy reloads. Lock-free: every worker thread records into the same atomics.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "proviso/proviso.hpp"

namespace proviso::server {

class Metrics {
 public:
  void record_decision(Outcome outcome, double seconds);
  void record_error(const std::string& code);  // a request answered with an error body
  void record_reload(bool succeeded);

  std::string render(const RuleSetInfo& serving) const;

 private:
  // Upper bounds in seconds: decisions take microseconds, HTTP adds the rest.
  static constexpr std::array<double, 10> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25};
  std::array<std::atomic<std::uint64_t>, 5> decisions_{};  // by Outcome
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> latency_{};  // the last is +Inf
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  std::atomic<std::uint64_t> reloads_ok_{0}, reloads_failed_{0};
  mutable std::mutex errors_mutex_;
  std::map<std::string, std::uint64_t> errors_;  // by code; few distinct codes, so a map under a lock is fine
};

}  // namespace proviso::server
