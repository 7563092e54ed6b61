#include "server/handbook_pages.hpp"

#include <fstream>
#include <sstream>

namespace proviso::server {
namespace {

std::string content_type_of(const std::filesystem::path& file) {
  const auto ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".md") return "text/markdown; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  return {};
}

}  // namespace

std::size_t HandbookPages::load(const std::filesystem::path& folder, std::size_t max_bytes) {
  namespace fs = std::filesystem;
  pages_.clear();
  std::error_code ec;
  if (folder.empty() || !fs::is_directory(folder, ec)) return 0;
  std::size_t total = 0;
  // Symbolic links are not followed: only files inside the folder are served.
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    auto type = content_type_of(it->path());
    if (type.empty()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    total += text.str().size();
    if (total > max_bytes) break;
    pages_[fs::relative(it->path(), folder, ec).generic_string()] = {text.str(), std::move(type)};
  }
  return pages_.size();
}

const Page* HandbookPages::find(const std::string& path) const {
  std::string key = path;
  if (key.empty() || key.ends_with('/')) key += "index.html";
  auto it = pages_.find(key);
  return it == pages_.end() ? nullptr : &it->second;
}

}  // namespace proviso::server
