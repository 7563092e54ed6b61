#include "line_blocks.hpp"

#include <unistd.h>

#include <cerrno>

namespace proviso::cli {

bool LineBlocks::fill() {
  constexpr std::size_t kRead = 1 << 20;
  if (end_) return false;
  if (start_ > 0 && start_ * 2 >= buffer_.size()) {  // drop what was handed out, once it is most of the buffer
    buffer_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  const auto old_size = buffer_.size();
  buffer_.resize(old_size + kRead);
  for (;;) {
    const auto got = ::read(fd_, buffer_.data() + old_size, kRead);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (got < 0) error_ = errno;
      buffer_.resize(old_size);
      end_ = true;
      return false;
    }
    buffer_.resize(old_size + static_cast<std::size_t>(got));
    return true;
  }
}

std::size_t LineBlocks::next(std::string& block, std::size_t max_bytes, std::size_t max_lines) {
  block.clear();
  std::size_t lines = 0;
  while (lines == 0 || (block.size() < max_bytes && lines < max_lines)) {
    const auto newline = buffer_.find('\n', scanned_);
    if (newline == std::string::npos) {
      scanned_ = buffer_.size();
      if (fill()) continue;
      if (start_ < buffer_.size()) {  // the last line, without a newline
        block.append(buffer_, start_);
        start_ = scanned_ = buffer_.size();
        ++lines;
      }
      break;
    }
    block.append(buffer_, start_, newline + 1 - start_);
    start_ = scanned_ = newline + 1;
    ++lines;
  }
  return lines;
}

}  // namespace proviso::cli
