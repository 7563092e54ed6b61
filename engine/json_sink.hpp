// Appends to a std::string by writing straight into its bytes: an append is a
// bounds check and a memcpy the compiler sizes at compile time for a literal,
// where std::string::append is a call (and strlen for a C string) every time.
// The string is grown a chunk at a time (resize() zeroes the chunk, which costs
// less than copying it again) and cut back to the bytes written by finish().
// The chunk stays under the size from which glibc's memset turns to `rep stosb`,
// which is no faster per byte for a chunk this small. The explanation's JSON
// text is some 25 KB in a few thousand appends.
#pragma once
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "json_text.hpp"

namespace proviso {

class JsonSink {
 public:
  // Appends after out's current bytes. Until finish(), out also holds the
  // zeroed rest of its last chunk (a writer that throws leaves out so: its
  // caller resizes it back).
  explicit JsonSink(std::string& out) : out_(out) { grow_at(out.size(), 0); }
  JsonSink(const JsonSink&) = delete;
  JsonSink& operator=(const JsonSink&) = delete;

  void finish() {
    const auto at = position();
    out_.resize(at);
    cursor_ = end_ = out_.data() + at;
  }

  [[gnu::always_inline]] void put(const char* bytes, std::size_t n) {
    if (static_cast<std::size_t>(end_ - cursor_) < n) grow(n);
    std::memcpy(cursor_, bytes, n);
    cursor_ += n;
  }
  JsonSink& operator+=(char c) {
    if (cursor_ == end_) grow(1);
    *cursor_++ = c;
    return *this;
  }
  // A literal: its size known here, so the copy is a few moves.
  template <std::size_t N>
  JsonSink& operator+=(const char (&literal)[N]) {
    static_assert(N - 1 <= kChunk);
    if (static_cast<std::size_t>(end_ - cursor_) < N - 1) grow(N - 1);
    std::memcpy(cursor_, literal, N - 1);
    cursor_ += N - 1;
    return *this;
  }
  JsonSink& operator+=(std::string_view text) {
    put(text.data(), text.size());
    return *this;
  }
  // A remembered `,"key":` from its comma or, as an object's first key, after it.
  void put_from(std::string_view text, std::size_t from) { put(text.data() + from, text.size() - from); }

  // `"text"`, escaped as append_json_string does, straight into the string
  // (throws NotUtf8 as it does, having written nothing the cursor counts).
  void string(std::string_view text) {
    const auto most = json_string_bound(text.size());
    if (static_cast<std::size_t>(end_ - cursor_) < most) grow(most);
    cursor_ = write_json_string(cursor_, text);
  }

  void integer(std::int64_t value) {
    if (end_ - cursor_ < 24) grow(24);  // 24 bytes hold any int64
    cursor_ = std::to_chars(cursor_, end_, value).ptr;
  }

  // Where the next byte goes, as an offset in the string.
  std::size_t position() const { return static_cast<std::size_t>(cursor_ - out_.data()); }

  // For a writer's loop of many copies, a cursor of its own (a local the
  // compiler keeps in a register; the sink's are loaded again after every
  // memcpy, which may write anywhere): it copies into [cursor, end), asks
  // room_at(cursor, n) for n more bytes (the cursor it returns, and end()
  // anew), and gives its cursor back with finish_at() before the sink is used again.
  char* cursor() const { return cursor_; }
  char* end() const { return end_; }
  char* room_at(char* cursor, std::size_t n) {
    cursor_ = cursor;
    grow(n);
    return cursor_;
  }
  void finish_at(char* cursor) { cursor_ = cursor; }

 private:
  static constexpr std::size_t kChunk = 1984;  // under memset's `rep stosb` threshold (2048)

  // Room for n more bytes: out_ grown past the cursor (out of line, so the appends stay small enough to inline).
  [[gnu::noinline]] void grow(std::size_t n) { grow_at(position(), n); }
  void grow_at(std::size_t at, std::size_t n) {
    // A chunk, or what is left of the string's capacity: a string grown past it is copied whole.
    const auto room = out_.capacity() - at;
    out_.resize(at + (room >= n ? std::min(room, std::max(n, kChunk)) : std::max(n, kChunk)));
    cursor_ = out_.data() + at;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace proviso
