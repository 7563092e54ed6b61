#include "server/service.hpp"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "server/watch.hpp"

namespace proviso::server {
namespace {

using nlohmann::json;

json error_body(const std::string& code, const std::string& message, const std::vector<Diagnostic>& diagnostics = {}) {
  json list = json::array();
  for (const auto& d : diagnostics)
    list.push_back({{"code", d.code}, {"severity", d.error ? "error" : "warning"}, {"location", d.location},
                    {"message", d.message}, {"help", d.help}});
  return {{"error", {{"code", code}, {"message", message}, {"diagnostics", std::move(list)}}}};
}

const Diagnostic* first_error(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.error) return &d;
  return nullptr;
}

// One fast decider per worker thread, made again when the policy (a reload)
// or the limits change; `made_for` is held only to compare against (a freed
// policy's address could be reused by the next one).
LineDecider& line_decider(const std::shared_ptr<const Policy>& policy, const RequestLimits& limits) {
  thread_local std::shared_ptr<const Policy> made_for;
  thread_local std::size_t made_with_max_bytes = 0;
  thread_local std::optional<LineDecider> decider;
  if (!decider || made_for != policy || made_with_max_bytes != limits.max_bytes) {
    decider.reset();
    decider.emplace(*policy, limits);
    made_for = policy;
    made_with_max_bytes = limits.max_bytes;
  }
  return *decider;
}

// LineDecider's line for a decision made by Policy::decide (tests/integrators/
// http_test.py compares the two).
std::string decision_line(const Decision& decision) {
  json authorities = json::array();
  for (const auto& rule : decision.authorities()) authorities.push_back(rule.rule);
  std::string line = R"({"decision":")";
  line += decision.outcome_name();
  line += R"(","authorities":)";
  line += authorities.dump();
  line += '}';
  return line;
}

// The server, with httplib's per-connection request processing reachable so
// that one request can be answered from memory (handle_raw_request).
class Server : public httplib::Server {
 public:
  using httplib::Server::process_request;
};

// A connection whose input is a byte string and whose output is collected.
class MemoryStream : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view input) : input_(input) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, input_.size() - position_);
    std::copy_n(input_.data() + position_, n, ptr);
    position_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    output_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8181;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  std::string take_output() { return std::move(output_); }

 private:
  std::string_view input_;
  size_t position_ = 0;
  std::string output_;
};

}  // namespace

DecisionService::DecisionService(ServiceOptions options, LogSink log)
    : options_(std::move(options)), log_(std::move(log)), http_(std::make_unique<Server>()) {
  if (!options_.playground.empty()) {
    std::ifstream in(options_.playground, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
    playground_html_ = text.str();
  }
  handbook_.load(options_.handbook);
}

DecisionService::~DecisionService() {
  stop_requested_.store(true);
  if (maintenance_.joinable()) maintenance_.join();
}

bool DecisionService::load() {
  auto loaded = options_.rules.empty() ? Policy::builtin() : Policy::load(options_.rules);
  if (!loaded) {
    log_("error: the rule set has errors; nothing to serve\n" + loaded.rendered);
    return false;
  }
  if (!loaded.rendered.empty()) log_(loaded.rendered);
  policy_.store(std::make_shared<const Policy>(std::move(*loaded)));
  if (options_.decision_log) {
    decision_log_ = std::make_unique<DecisionLog>(*options_.decision_log);
    if (!decision_log_->is_open()) {
      log_("error: cannot open the decision log `" + options_.decision_log->path + "`");
      return false;
    }
  }
  return true;
}

void DecisionService::reload(const char* why) {
  if (options_.rules.empty()) {
    log_("reload (" + std::string(why) + "): the built-in rules do not change; still serving them");
    return;
  }
  auto loaded = Policy::load(options_.rules);
  if (!loaded) {
    metrics_.record_reload(false);
    auto current = policy()->info();
    log_("reload (" + std::string(why) + ") rejected: `" + options_.rules + "` has errors; still serving " + current.name +
         " " + current.version + " " + current.digest + "\n" + loaded.rendered);
    return;
  }
  auto info = loaded->info();
  policy_.store(std::make_shared<const Policy>(std::move(*loaded)));
  metrics_.record_reload(true);
  log_("reload (" + std::string(why) + "): now serving " + info.name + " " + info.version + " " + info.digest);
}

void DecisionService::maintenance_loop() {
  auto fingerprint = options_.watch ? rules_fingerprint(options_.rules) : std::string();
  auto next_watch = std::chrono::steady_clock::now() + options_.watch_interval;
  while (!stop_requested_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (reload_requested_.exchange(false)) {
      // The fingerprint of what the reload reads is taken before it: a file
      // written while it loads must still differ from it at the next tick
      // (taken after, such a change was never reloaded: http_test saw it under load).
      if (options_.watch) fingerprint = rules_fingerprint(options_.rules);
      reload("SIGHUP");
    }
    if (options_.watch && std::chrono::steady_clock::now() >= next_watch) {
      next_watch = std::chrono::steady_clock::now() + options_.watch_interval;
      auto now = rules_fingerprint(options_.rules);
      if (now != fingerprint) {
        fingerprint = now;
        reload("a rule file changed");
      }
    }
  }
  http_->stop();
}

std::string DecisionService::handle_raw_request(std::string_view bytes) {
  if (!routes_installed_) install_routes();
  http_->set_payload_max_length(options_.max_body_bytes);
  MemoryStream stream(bytes);
  bool connection_closed = false;
  static_cast<Server&>(*http_).process_request(stream, true, connection_closed, nullptr);
  return stream.take_output();
}

int DecisionService::bind() {
  if (!routes_installed_) install_routes();
  unsigned threads = options_.threads == 0 ? 1 : options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_read_timeout(options_.read_timeout);
  http_->set_write_timeout(options_.write_timeout);
  http_->set_keep_alive_timeout(options_.read_timeout.count());
  // httplib writes a response's head and body apart; with Nagle's algorithm the
  // body then waits for the client's delayed ACK (~40 ms a request on Linux).
  http_->set_tcp_nodelay(true);
  if (options_.port == 0) return http_->bind_to_any_port(options_.host);
  return http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
}

void DecisionService::run() {
  maintenance_ = std::thread([this] { maintenance_loop(); });
  http_->listen_after_bind();
  stop_requested_.store(true);
  if (maintenance_.joinable()) maintenance_.join();
  decision_log_.reset();  // drains and flushes the log before we return
}

void DecisionService::install_routes() {
  routes_installed_ = true;
  auto& http = *http_;
  auto send_json = [](httplib::Response& res, int status, const json& body) {
    res.status = status;
    // Messages may quote the request (a header, a path, a parameter), which need not be
    // UTF-8: invalid bytes become U+FFFD instead of throwing (an internal error, 500).
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  };
  auto send_error = [this, send_json](httplib::Response& res, int status, const std::string& code, const std::string& message,
                                      const std::vector<Diagnostic>& diagnostics = {}) {
    metrics_.record_error(code);
    send_json(res, status, error_body(code, message, diagnostics));
  };

  // Decides the body; answers errors itself and returns the decision otherwise.
  // The body's format from its Content-Type; nullopt (answered 415) for any other type.
  auto body_format = [send_error](const httplib::Request& req, httplib::Response& res) -> std::optional<RequestFormat> {
    auto type = req.get_header_value("Content-Type");
    if (type.find("yaml") != std::string::npos) return RequestFormat::yaml;
    if (type.empty() || type.find("json") != std::string::npos) return RequestFormat::json;
    send_error(res, 415, "E804", "unsupported content type `" + type + "`; send application/json or application/yaml");
    return std::nullopt;
  };
  auto decide = [this, send_error, body_format](const httplib::Request& req, httplib::Response& res) -> std::optional<Decision> {
    const auto format = body_format(req, res);
    if (!format) return std::nullopt;
    auto current = policy();
    RequestLimits limits;
    limits.max_bytes = options_.max_body_bytes;
    auto start = std::chrono::steady_clock::now();
    auto result = current->decide(std::string_view(req.body), *format, limits);
    if (!result) {
      const auto* error = first_error(result.diagnostics);
      std::string code = error ? error->code : "E901";
      // The second channel (a bug in Proviso) is a server error; everything else is the client's request.
      send_error(res, error && error->internal ? 500 : code == "E406" ? 413 : 400, code,
                 error ? error->message : "the request could not be decided", result.diagnostics);
      return std::nullopt;
    }
    metrics_.record_decision(result->outcome(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (decision_log_) decision_log_->append(*result);
    return std::move(*result);
  };
  auto flag = [send_error](const httplib::Request& req, httplib::Response& res, const char* name, bool& value) {
    if (!req.has_param(name)) return true;
    auto text = req.get_param_value(name);
    if (text == "true" || text == "1" || text.empty()) value = true;
    else if (text == "false" || text == "0") value = false;
    else {
      send_error(res, 400, "E805", std::string("query parameter `") + name + "` must be true or false, not `" + text + "`");
      return false;
    }
    return true;
  };

  // explain=none: the outcome and the deciding rules from the compiled evaluator
  // (LineDecider). A refused request goes through decide() for the full error
  // answer, and so does every request while a decision log is kept: a receipt
  // needs the whole decision.
  auto decide_fast = [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto format = body_format(req, res);
    if (!format) return;
    if (*format == RequestFormat::json && !decision_log_) {
      auto current = policy();
      RequestLimits limits;
      limits.max_bytes = options_.max_body_bytes;
      auto start = std::chrono::steady_clock::now();
      std::string body;
      if (auto outcome = line_decider(current, limits).decide(req.body, body)) {
        metrics_.record_decision(*outcome, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        res.status = 200;
        res.set_content(std::move(body), "application/json");
        return;
      }
    }
    auto decision = decide(req, res);
    if (!decision) return;
    res.status = 200;
    res.set_content(decision_line(*decision), "application/json");
  };

  http.Post("/v1/decide", [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto explain = req.get_param_value("explain");
    const bool full = explain == "full", none = explain == "none";
    bool receipt = false;
    if (req.has_param("explain") && !full && !none && explain != "compact")
      return send_error(res, 400, "E805", "query parameter `explain` must be compact, full or none");
    if (!flag(req, res, "receipt", receipt)) return;
    bool counterfactuals = true;
    if (!flag(req, res, "counterfactuals", counterfactuals)) return;
    if (none && receipt)
      return send_error(res, 400, "E805", "`receipt=true` needs the whole decision; use explain=compact or explain=full with it");
    if (none) return decide_fast(req, res);
    auto decision = decide(req, res);
    if (!decision) return;
    auto body = decision->to_json(!full ? Detail::compact : counterfactuals ? Detail::full : Detail::full_without_counterfactuals);
    if (receipt) body["receipt"] = decision->receipt();
    send_json(res, 200, body);
  });
  http.Post("/v1/explain", [=, this](const httplib::Request& req, httplib::Response& res) {
    bool counterfactuals = true;  // the search is most of an explanation's time; a UI without "what would have to change" skips it
    if (!flag(req, res, "counterfactuals", counterfactuals)) return;
    auto decision = decide(req, res);
    if (!decision) return;
    auto body = decision->to_json(counterfactuals ? Detail::full : Detail::full_without_counterfactuals);
    body["text"] = decision->explain_text();
    send_json(res, 200, body);
  });
  http.Get("/v1/policy", [=, this](const httplib::Request&, httplib::Response& res) { send_json(res, 200, policy()->describe()); });
  http.Get("/healthz", [=, this](const httplib::Request&, httplib::Response& res) {
    const auto& info = policy()->info();
    send_json(res, 200, {{"status", "ok"}, {"ruleset", {{"name", info.name}, {"version", info.version}, {"digest", info.digest}}}});
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.render(policy()->info()), "text/plain; version=0.0.4");
  });
  http.Get("/playground", [=, this](const httplib::Request&, httplib::Response& res) {
    if (playground_html_.empty())
      return send_error(res, 404, "E802", "no playground page is installed (share/proviso/playground/index.html)");
    res.set_content(playground_html_, "text/html; charset=utf-8");
  });
  // The handbook, so the playground's citation links resolve; exact names only (handbook_pages.hpp).
  http.Get("/handbook", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/handbook/"); });
  http.Get(R"(/handbook/(.*))", [=, this](const httplib::Request& req, httplib::Response& res) {
    if (handbook_.empty())
      return send_error(res, 404, "E802", "no handbook is installed (proviso serve --handbook DIR; write one with proviso handbook)");
    const auto* page = handbook_.find(req.matches[1].str());
    if (!page) return send_error(res, 404, "E802", "no handbook page `" + req.path + "`; see /handbook/");
    res.set_content(page->content, page->content_type);
  });

  // A known path with the wrong method: 405, naming the right one.
  const std::pair<const char*, const char*> routes[] = {{"/v1/decide", "POST"}, {"/v1/explain", "POST"}, {"/v1/policy", "GET"},
                                                        {"/healthz", "GET"},    {"/metrics", "GET"},      {"/playground", "GET"}};
  for (const auto& route : routes) {
    const char* path = route.first;  // not a structured binding: clang before 16 cannot capture those
    const char* method = route.second;
    auto wrong = [=, this](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Allow", method);
      send_error(res, 405, "E803", req.method + " is not allowed on " + path + "; use " + method);
    };
    if (std::string(method) == "POST") http.Get(path, wrong);
    else http.Post(path, wrong);
    http.Put(path, wrong);
    http.Delete(path, wrong);
    http.Patch(path, wrong);
  }

  // Whatever httplib answers itself (no route, body too large) gets a JSON body with a code.
  http.set_error_handler([=, this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    int status = res.status;
    if (status == 413)
      send_error(res, 413, "E801", "the request body is larger than the limit (" + std::to_string(options_.max_body_bytes) + " bytes)");
    else if (status == 404)
      send_error(res, 404, "E802", "no endpoint `" + req.path + "`; see GET /v1/policy, POST /v1/decide, POST /v1/explain");
    else
      send_error(res, status, "E806", "the HTTP request could not be handled (status " + std::to_string(status) + ")");
  });
  http.set_exception_handler([=, this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, 500, "E901", "internal error; this is a bug in Proviso");
  });
}

}  // namespace proviso::server
