#include "server/watch.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace proviso::server {

std::string rules_fingerprint(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> entries;
  auto note = [&](const fs::path& file) {
    auto size = fs::file_size(file, ec);
    auto time = fs::last_write_time(file, ec);
    entries.push_back(file.string() + ":" + std::to_string(size) + ":" + std::to_string(time.time_since_epoch().count()));
  };
  if (fs::is_directory(path, ec)) {
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const auto& file = it->path();
      if (file.extension() == ".proviso" || file.filename() == "proviso.yaml") note(file);
    }
  } else {
    note(path);
  }
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& entry : entries) out += entry + "\n";
  return out;
}

}  // namespace proviso::server
