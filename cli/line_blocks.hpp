// Reads a file descriptor as blocks of whole lines, for `proviso batch`: a
// block is handed to one thread whole, so each block must end where a line
// ends. Lines are what std::getline gives: the text between newlines, the
// last one without a newline if the input does not end with one ("a\n" is
// one line, "a\nb" two, "\n\n" two empty ones, "" none).
#pragma once
#include <cstddef>
#include <string>

namespace proviso::cli {

class LineBlocks {
 public:
  explicit LineBlocks(int fd) : fd_(fd) {}

  // Replaces `block` with the next whole lines, each with its newline (the
  // input's last line perhaps without): at least one line, then more while
  // the block is under `max_bytes` and `max_lines`. A line longer than
  // `max_bytes` is one block. Returns the number of lines; 0 at the end of
  // the input or on a read error (then error() is the errno).
  std::size_t next(std::string& block, std::size_t max_bytes, std::size_t max_lines);

  int error() const { return error_; }

 private:
  bool fill();  // appends what the next read gives to buffer_; false at the end or on an error

  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;    // buffer_[start_, …) is not yet handed out
  std::size_t scanned_ = 0;  // buffer_[start_, scanned_) has no newline
  bool end_ = false;
  int error_ = 0;
};

}  // namespace proviso::cli
