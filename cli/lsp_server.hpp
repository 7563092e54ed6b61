// The language server behind `proviso lsp`: JSON-RPC messages in, replies and
// notifications out. Diagnostics on open and change, hover, go to definition,
// completion. Transport (Content-Length framing) is in cmd_lsp.cpp.
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/policy.hpp"

namespace proviso::cli {

class LspServer {
 public:
  // Handles one message; returns the messages to send (a reply, notifications).
  std::vector<nlohmann::json> handle(const nlohmann::json& message);
  bool exited() const { return exited_; }
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  nlohmann::json publish(const std::string& uri);
  nlohmann::json hover(const nlohmann::json& params);
  nlohmann::json definition(const nlohmann::json& params);
  nlohmann::json completion(const nlohmann::json& params);
  // The name (identifier or dotted path) under the cursor.
  std::string word_at(const std::string& uri, const nlohmann::json& position) const;

  std::map<std::string, std::string> documents_;  // uri -> text, as the editor has it
  // The last rule set that compiled for each document's folder: hover and
  // definitions keep working while the drafter types through an error.
  std::map<std::string, std::shared_ptr<const Policy>> policies_;
  bool shutdown_ = false, exited_ = false;
};

}  // namespace proviso::cli
