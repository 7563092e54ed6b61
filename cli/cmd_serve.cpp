// proviso serve: the HTTP decision service (server/, docs/http-api.md).
#include <csignal>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "commands.hpp"
#include "server/service.hpp"

namespace proviso::cli {
namespace {

server::DecisionService* g_service = nullptr;  // for the signal handlers only

extern "C" void on_hangup(int) {
  if (g_service) g_service->request_reload();
}
extern "C" void on_terminate(int) {
  if (g_service) g_service->request_stop();
}

struct ServeOptions {
  server::ServiceOptions service;
  std::string playground;
  std::string handbook;
  std::string log_path;
  bool log_requests = false;
  std::vector<std::string> log_mask;
  unsigned watch_ms = 500;
  unsigned read_timeout_s = 5, write_timeout_s = 5;
};

// The playground page: --playground, else the installed share/proviso, else the source tree's.
std::filesystem::path find_playground(const std::string& given) {
  namespace fs = std::filesystem;
  if (!given.empty()) return given;
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share/proviso/playground/index.html";
    if (fs::exists(installed, ec)) return installed;
  }
#ifdef PROVISO_SOURCE_DIR
  fs::path source = PROVISO_SOURCE_DIR "/server/playground/index.html";
  if (fs::exists(source, ec)) return source;
#endif
  return {};
}

// The handbook: --handbook, else (for the built-in rules only: a handbook
// describes one rule set) the installed share/proviso/handbook, else the source tree's docs/handbook.
std::filesystem::path find_handbook(const std::string& given, bool builtin_rules) {
  namespace fs = std::filesystem;
  if (!given.empty()) return given;
  if (!builtin_rules) return {};
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share/proviso/handbook";
    if (fs::is_directory(installed, ec)) return installed;
  }
#ifdef PROVISO_SOURCE_DIR
  fs::path source = PROVISO_SOURCE_DIR "/docs/handbook";
  if (fs::is_directory(source, ec)) return source;
#endif
  return {};
}

int run_serve(ServeOptions& options) {
  static std::mutex log_mutex;
  auto log = [](const std::string& line) {
    std::lock_guard lock(log_mutex);
    std::cerr << "proviso serve: " << line << (line.ends_with('\n') ? "" : "\n") << std::flush;
  };
  options.service.playground = find_playground(options.playground);
  options.service.handbook = find_handbook(options.handbook, options.service.rules.empty());
  options.service.watch_interval = std::chrono::milliseconds(options.watch_ms);
  options.service.read_timeout = std::chrono::seconds(options.read_timeout_s);
  options.service.write_timeout = std::chrono::seconds(options.write_timeout_s);
  if (options.service.watch && options.service.rules.empty()) {
    std::cerr << "error: --watch needs --rules: the built-in rules never change\n";
    return usage;
  }
  if (!options.log_path.empty())
    options.service.decision_log = server::DecisionLogOptions{options.log_path, options.log_requests, options.log_mask};

  server::DecisionService service(options.service, log);
  if (!service.load()) return rules_invalid;
  int port = service.bind();
  if (port < 0) {
    log("error: cannot listen on " + options.service.host + ":" + std::to_string(options.service.port) +
        " (in use, or not an address of this machine)");
    return usage;
  }
  g_service = &service;
  std::signal(SIGHUP, on_hangup);
  std::signal(SIGINT, on_terminate);
  std::signal(SIGTERM, on_terminate);
  log("listening on http://" + options.service.host + ":" + std::to_string(port) + " with " +
      std::to_string(options.service.threads) + " threads" + (options.service.watch ? ", watching " + options.service.rules : ""));
  service.run();
  g_service = nullptr;
  log("stopped");
  return ok;
}

}  // namespace

Command add_serve(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  auto& service = options->service;
  auto* cmd = app.add_subcommand("serve", "serve decisions over HTTP (docs/http-api.md); SIGHUP reloads the rules");
  cmd->add_option("--rules", service.rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--host", service.host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", service.port, "port to listen on; 0 picks a free one")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", service.threads, "worker threads")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--max-body", service.max_body_bytes, "largest request body in bytes")->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30));
  cmd->add_option("--read-timeout", options->read_timeout_s, "seconds a client may send nothing before it is disconnected")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  cmd->add_option("--write-timeout", options->write_timeout_s, "seconds a client may take nothing before it is disconnected")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  cmd->add_flag("--watch", service.watch, "reload when a rule file changes");
  cmd->add_option("--watch-interval-ms", options->watch_ms, "how often --watch looks")->capture_default_str()->check(CLI::Range(10, 60000));
  cmd->add_option("--playground", options->playground, "the page to serve at /playground");
  cmd->add_option("--handbook", options->handbook, "the handbook folder to serve under /handbook/ (written by proviso handbook)");
  cmd->add_option("--decision-log", options->log_path, "append a receipt per decision to this JSONL file");
  cmd->add_flag("--log-requests", options->log_requests, "include the normalised request in each logged receipt");
  cmd->add_option("--log-mask", options->log_mask, "a fact path whose value is logged as *** (repeatable)");
  return {cmd, [options] { return run_serve(*options); }};
}

}  // namespace proviso::cli
