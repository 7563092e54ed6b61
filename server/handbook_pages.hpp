// The handbook served under /handbook/ by `proviso serve`, so the playground's
// citation links resolve. The pages are read once into memory from a folder
// written by `proviso handbook`; a request is answered only by an exact match
// against the names read, so no request path ever reaches the file system.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace proviso::server {

struct Page {
  std::string content;
  std::string content_type;
};

class HandbookPages {
 public:
  // Reads the .html, .md and .css files under `folder` (at most `max_bytes` in
  // all); an empty or missing folder gives no pages. Returns the pages read.
  std::size_t load(const std::filesystem::path& folder, std::size_t max_bytes = 16u << 20);
  // `path` relative to /handbook/: "" and a folder give its index.html. nullptr when unknown.
  const Page* find(const std::string& path) const;
  bool empty() const { return pages_.empty(); }

 private:
  std::map<std::string, Page> pages_;  // "rules/i2_written_request.html" → page
};

}  // namespace proviso::server
