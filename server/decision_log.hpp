// The JSONL decision log: one receipt per line, for the accounting of
// disclosures (26 U.S.C. § 6103(p)(3)). Worker threads enqueue; one writer
// thread appends whole lines, so lines never interleave; the destructor drains
// the queue and flushes, so a clean shutdown loses nothing.
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
  void append(const Decision& decision);

 private:
  void write_loop();

  DecisionLogOptions options_;
  std::ofstream out_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  bool closing_ = false;
  std::thread writer_;
};

}  // namespace proviso::server
