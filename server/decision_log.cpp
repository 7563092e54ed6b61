#include "server/decision_log.hpp"

#include <algorithm>

namespace proviso::server {

DecisionLog::DecisionLog(DecisionLogOptions options) : options_(std::move(options)) {
  out_.open(options_.path, std::ios::app | std::ios::binary);
  if (out_.is_open()) writer_ = std::thread([this] { write_loop(); });
}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  ready_.notify_all();
  room_.notify_all();
  if (writer_.joinable()) writer_.join();
}

nlohmann::json DecisionLog::entry(const Decision& decision) const {
  ReceiptOptions receipt_options;
  receipt_options.include_request = options_.include_requests;
  auto receipt = decision.receipt(receipt_options);
  if (options_.include_requests) {
    for (const auto& path : options_.masked) {
      std::string pointer = "/request/" + path;
      for (auto& c : pointer)
        if (c == '.') c = '/';
      auto at = nlohmann::json::json_pointer(pointer);
      if (receipt.contains(at)) receipt[at] = "***";
    }
  }
  return receipt;
}

void DecisionLog::append(const Decision& decision) {
  auto line = entry(decision).dump() + "\n";
  {
    std::unique_lock lock(mutex_);
    const auto limit = std::max<std::size_t>(1, options_.max_queued_lines);
    room_.wait(lock, [&] { return queue_.size() < limit || closing_; });
    queue_.push_back(std::move(line));
    peak_queued_ = std::max(peak_queued_, queue_.size());
  }
  ready_.notify_one();
}

std::size_t DecisionLog::peak_queued() const {
  std::lock_guard lock(mutex_);
  return peak_queued_;
}

void DecisionLog::write_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    std::deque<std::string> batch;
    batch.swap(queue_);
    bool last = closing_;
    lock.unlock();
    room_.notify_all();
    for (const auto& line : batch) out_ << line;
    out_.flush();
    lock.lock();
    if (last && queue_.empty()) return;
  }
}

}  // namespace proviso::server
