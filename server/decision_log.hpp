// The JSONL decision log: one receipt per line, for the accounting of
// disclosures (26 U.S.C. § 6103(p)(3)). Worker threads enqueue; one writer
// thread appends whole lines, so lines never interleave; the destructor drains
// the queue and flushes, so a clean shutdown loses nothing. The queue is
// bounded: when the disk falls behind, deciding threads wait for room rather
// than grow memory without end or drop a line.
#pragma once
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proviso/proviso.hpp"

namespace proviso::server {

struct DecisionLogOptions {
  std::string path;                  // appended to; created when missing
  bool include_requests = false;     // the normalised request in each receipt (off: requests may be sensitive)
  std::vector<std::string> masked;   // fact paths (e.g. taxpayer.name) whose values are replaced by "***"
  std::size_t max_queued_lines = 10000;  // past this, append() waits for the writer (at least 1)
};

class DecisionLog {
 public:
  explicit DecisionLog(DecisionLogOptions options);
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  bool is_open() const { return out_.is_open(); }
  // The receipt as it will be logged: the request dropped, or kept with masked values.
  nlohmann::json entry(const Decision& decision) const;
  // Queues the decision's line; waits while the queue is full.
  void append(const Decision& decision);
  std::size_t peak_queued() const;  // the most lines ever queued at once (never past max_queued_lines)

 private:
  void write_loop();

  DecisionLogOptions options_;
  std::ofstream out_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;  // lines queued, or closing
  std::condition_variable room_;   // the writer took the queue
  std::deque<std::string> queue_;
  std::size_t peak_queued_ = 0;
  bool closing_ = false;
  std::thread writer_;
};

}  // namespace proviso::server
