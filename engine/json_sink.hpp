// Appends to a std::string through a small buffer of its own: an append is a
// bounds check and a memcpy the compiler sizes at compile time for a literal,
// where std::string::append is a call (and strlen for a C string) every time.
// The buffer goes to the string a chunk at a time, each chunk small enough for
// memcpy's vector loop (a copy of tens of kilobytes at once is a `rep movsb`,
// as slow per byte as the appends it would save). The explanation's JSON text
// is some 25 KB in a few thousand appends.
#pragma once
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace proviso {

class JsonSink {
 public:
  // Appends after out's current bytes. Bytes not yet flushed are lost if the
  // sink ends without finish() (a writer that throws leaves out partly written:
  // its caller resizes it back).
  explicit JsonSink(std::string& out) : out_(out) {}
  JsonSink(const JsonSink&) = delete;
  JsonSink& operator=(const JsonSink&) = delete;

  void finish() { flush(); }

  [[gnu::always_inline]] void put(const char* bytes, std::size_t n) {
    if (static_cast<std::size_t>(end() - cursor_) < n) {
      put_slow(bytes, n);
      return;
    }
    std::memcpy(cursor_, bytes, n);
    cursor_ += n;
  }
  JsonSink& operator+=(char c) {
    if (cursor_ == end()) flush();
    *cursor_++ = c;
    return *this;
  }
  // A literal: its size known here, so the copy is a few moves.
  template <std::size_t N>
  JsonSink& operator+=(const char (&literal)[N]) {
    static_assert(N - 1 <= kChunk / 2);
    if (static_cast<std::size_t>(end() - cursor_) < N - 1) flush();
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

  void integer(std::int64_t value) {
    if (end() - cursor_ < 24) flush();  // 24 bytes hold any int64
    cursor_ = std::to_chars(cursor_, end(), value).ptr;
  }

  // Where the next byte goes, as an offset in the string; and, after flush(),
  // the bytes from an earlier offset on, as the string holds them.
  std::size_t position() const { return out_.size() + static_cast<std::size_t>(cursor_ - buffer_); }
  // The rest of put() when the buffer is full: out of line, so put() stays small enough to inline.
  [[gnu::noinline]] void put_slow(const char* bytes, std::size_t n) {
    flush();
    if (n > kChunk / 2) {  // a long one straight to the string
      out_.append(bytes, n);
      return;
    }
    std::memcpy(cursor_, bytes, n);
    cursor_ += n;
  }
  void flush() {
    out_.append(buffer_, static_cast<std::size_t>(cursor_ - buffer_));
    cursor_ = buffer_;
  }
  std::string_view flushed(std::size_t from, std::size_t bytes) const { return std::string_view(out_).substr(from, bytes); }

 private:
  static constexpr std::size_t kChunk = 2048;

  char* end() { return buffer_ + kChunk; }

  std::string& out_;
  char buffer_[kChunk];
  char* cursor_ = buffer_;
};

}  // namespace proviso
