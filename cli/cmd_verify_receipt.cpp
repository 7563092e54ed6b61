// proviso verify-receipt: replays receipts (one JSON file, or a JSONL decision
// log) against a rule set and checks that each is reproduced byte for byte.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "proviso/proviso.hpp"

namespace proviso::cli {
namespace {

struct VerifyOptions {
  std::string rules;
  std::string receipts;
  std::string request;  // for receipts logged without their request
};

std::optional<std::string> read_all(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  text << in.rdbuf();
  return text.str();
}

// Replays one receipt; empty when it verifies, else what differs.
std::string verify(const v1::Policy& policy, nlohmann::json receipt, const std::optional<nlohmann::json>& request) {
  if (!receipt.is_object()) return "not a JSON object";
  if (receipt.contains("request") || !request) {
    std::string why;
    return policy.verify_receipt(receipt, &why) ? "" : why;
  }
  // Logged without the request: replay the one given, and compare the rest.
  receipt["request"] = nullptr;
  auto decision = policy.decide(*request);
  if (!decision) return "the request does not bind: " + decision.diagnostics.front().message;
  receipt["request"] = decision->normalised_request();
  std::string why;
  if (!policy.verify_receipt(receipt, &why)) return why;
  return "";
}

int run_verify(const VerifyOptions& options) {
  auto loaded = options.rules.empty() ? v1::Policy::builtin() : v1::Policy::load(options.rules);
  if (!loaded) {
    std::cerr << loaded.rendered;
    return rules_invalid;
  }
  auto text = read_all(options.receipts);
  if (!text) {
    std::cerr << "error: cannot read `" << options.receipts << "`\n";
    return usage;
  }
  std::optional<nlohmann::json> request;
  if (!options.request.empty()) {
    auto request_text = read_all(options.request);
    if (!request_text || (request = nlohmann::json::parse(*request_text, nullptr, false))->is_discarded()) {
      std::cerr << "error[E401]: cannot read `" << options.request << "` as a JSON request\n";
      return usage;
    }
  }
  // One pretty-printed receipt, or one per line.
  std::vector<std::string> documents;
  auto whole = nlohmann::json::parse(*text, nullptr, false);
  if (!whole.is_discarded()) {
    documents.push_back(*text);
  } else {
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
      if (line.find_first_not_of(" \t\r") != std::string::npos) documents.push_back(line);
  }
  std::size_t verified = 0, failed = 0;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    auto receipt = nlohmann::json::parse(documents[i], nullptr, false);
    std::string why = receipt.is_discarded() ? "error[E903]: not valid JSON" : verify(*loaded, receipt, request);
    std::string id = receipt.is_object() && receipt.contains("id") ? receipt["id"].dump() : "#" + std::to_string(i + 1);
    if (why.empty()) {
      ++verified;
      std::cout << "ok: " << id << " " << receipt.value("decision", "") << ", reproduced byte for byte\n";
    } else {
      ++failed;
      std::cout << "error[E903]: receipt " << id << " does not verify: " << why << "\n";
    }
  }
  std::cout << verified << " verified, " << failed << " failed\n";
  return failed || documents.empty() ? findings : ok;
}

}  // namespace

Command add_verify_receipt(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand("verify-receipt", "replay decision receipts and check each is reproduced byte for byte");
  cmd->add_option("receipts", options->receipts, "a receipt (JSON) or a decision log (JSONL), or - for standard input")->required();
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--request", options->request, "the request, for receipts logged without it");
  return {cmd, [options] { return run_verify(*options); }};
}

}  // namespace proviso::cli
