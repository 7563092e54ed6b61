#include <iostream>
#include <string>

#include "commands.hpp"
#include "lsp_server.hpp"

namespace proviso::cli {
namespace {

// LSP base protocol: "Content-Length: N\r\n\r\n" then N bytes of JSON.
bool read_message(std::istream& in, nlohmann::json& message) {
  std::size_t length = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line.rfind("Content-Length:", 0) == 0) length = std::stoul(line.substr(15));
  }
  if (!in || length == 0 || length > (64u << 20)) return false;
  std::string body(length, '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(length))) return false;
  message = nlohmann::json::parse(body, nullptr, false);
  return true;
}

void write_message(std::ostream& out, const nlohmann::json& message) {
  const auto body = message.dump();
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

int run_lsp() {
  LspServer server;
  nlohmann::json message;
  while (!server.exited() && read_message(std::cin, message)) {
    if (message.is_discarded()) {
      write_message(std::cout, {{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", "parse error"}}}});
      continue;
    }
    for (const auto& reply : server.handle(message)) write_message(std::cout, reply);
  }
  return server.exited() ? server.exit_code() : 0;
}

}  // namespace

Command add_lsp(CLI::App& app) {
  auto* cmd = app.add_subcommand("lsp", "run the language server (JSON-RPC on standard input and output)");
  return {cmd, [] { return run_lsp(); }};
}

}  // namespace proviso::cli
