// `proviso serve`: the HTTP decision service (docs/http-api.md). Workers read
// the current policy through an atomic shared pointer; a reload compiles the
// new rule set on the maintenance thread and swaps it in, or keeps the old one
// when the new one has errors. The service reports through a log sink; it
// never prints.
#pragma once
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "proviso/proviso.hpp"
#include "server/decision_log.hpp"
#include "server/handbook_pages.hpp"
#include "server/metrics.hpp"

namespace httplib {
class Server;
}

namespace proviso::server {

struct ServiceOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise: decisions are sensitive
  int port = 8181;                 // 0: any free port (the log says which)
  unsigned threads = 8;            // worker threads
  std::size_t max_body_bytes = 1u << 20;  // larger bodies: 413, E801
  // A client that sends nothing (or cannot take the answer) for this long is
  // disconnected, so slow or stalled clients cannot hold the worker threads.
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  std::string rules;               // a rule set folder or file; empty: the built-in rules
  bool watch = false;              // reload when a rule file changes
  std::chrono::milliseconds watch_interval{500};
  std::filesystem::path playground;  // the page served at GET /playground; empty or missing: 404
  std::filesystem::path handbook;    // the folder served under GET /handbook/ (proviso handbook's output); empty: 404
  std::optional<DecisionLogOptions> decision_log;
};

using LogSink = std::function<void(const std::string& line)>;

class DecisionService {
 public:
  DecisionService(ServiceOptions options, LogSink log);
  ~DecisionService();

  // Compiles the rule set; false (and the diagnostics logged) when it has errors.
  bool load();
  // Binds the socket; the bound port, or -1.
  int bind();
  // Serves until stop(); blocking.
  void run();
  // Both are async-signal-safe: they set flags the maintenance thread reads.
  void request_reload() noexcept { reload_requested_.store(true); }
  void request_stop() noexcept { stop_requested_.store(true); }

  // Answers one raw HTTP request given as bytes, without a socket, through
  // the same routes and handlers, and returns the raw response (empty when
  // httplib could not read a request). For the HTTP fuzz target; needs load().
  std::string handle_raw_request(std::string_view bytes);

 private:
  void install_routes();
  void maintenance_loop();
  void reload(const char* why);
  std::shared_ptr<const Policy> policy() const { return policy_.load(); }

  ServiceOptions options_;
  LogSink log_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<std::shared_ptr<const Policy>> policy_;
  Metrics metrics_;
  std::unique_ptr<DecisionLog> decision_log_;
  std::string playground_html_;
  HandbookPages handbook_;
  std::atomic<bool> reload_requested_{false}, stop_requested_{false}, running_{false};
  bool routes_installed_ = false;
  std::thread maintenance_;
};

}  // namespace proviso::server
