// Fuzz target: raw bytes as one HTTP request to `proviso serve`'s handler
// (server/service.cpp) over the built-in rules, through httplib's request
// parser and every route, without a socket. Any input gets a response or
// none; never a crash, and never a 500 (an internal error).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/service.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto* service = [] {
    auto* s = new proviso::server::DecisionService({}, [](const std::string&) {});
    if (!s->load()) __builtin_trap();
    return s;
  }();
  const auto response = service->handle_raw_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (response.rfind("HTTP/1.1 500", 0) == 0) __builtin_trap();
  return 0;
}
