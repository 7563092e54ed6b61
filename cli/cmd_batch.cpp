// proviso batch: a JSONL filter, one request per input line, one decision (or
// error) per output line, in input order. Stateless, so an existing
// distributed engine (Spark's pipe, Hadoop streaming) can shard work over it.
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "proviso/proviso.hpp"

namespace proviso::cli {
namespace {

struct BatchOptions {
  std::string rules;
  std::string input = "-";
  unsigned jobs = 1;
  std::string explain = "compact";
  bool receipts = false;
  bool no_counterfactuals = false;  // with --explain full: leave out the search ("what would have to change")
};

// Lines are decided a chunk at a time: enough to keep every job busy, small
// enough that memory stays bounded however long the input is.
constexpr std::size_t kChunkLines = 8192;

std::string error_line(std::size_t line, const std::string& code, const std::string& message,
                       const std::vector<v1::Diagnostic>& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : diagnostics)
    list.push_back({{"code", d.code}, {"location", d.location}, {"message", d.message}, {"help", d.help}});
  return nlohmann::json{{"error", {{"line", line}, {"code", code}, {"message", message}, {"diagnostics", std::move(list)}}}}.dump();
}

std::string decide_line(const v1::Policy& policy, const std::string& text, std::size_t line, const BatchOptions& options,
                        v1::LineDecider* fast) {
  if (fast) {
    // The fast path answers well-formed requests; a refused line is redone below for the full error report.
    std::string out;
    if (fast->decide(text, out)) return out;
  }
  if (text.find_first_not_of(" \t\r") == std::string::npos)
    return error_line(line, "E409", "line " + std::to_string(line) + " is empty; each line must be one JSON request", {});
  auto decision = policy.decide(std::string_view(text), v1::RequestFormat::json);
  if (!decision) {
    for (const auto& d : decision.diagnostics)
      if (d.error) return error_line(line, d.code, "line " + std::to_string(line) + ": " + d.message, decision.diagnostics);
    return error_line(line, "E901", "line " + std::to_string(line) + " could not be decided", decision.diagnostics);
  }
  const auto full = options.no_counterfactuals ? v1::Detail::full_without_counterfactuals : v1::Detail::full;
  auto out = decision->to_json(options.explain == "full" ? full : v1::Detail::compact);
  if (options.receipts) out["receipt"] = decision->receipt();
  return out.dump();
}

void decide_chunk(const v1::Policy& policy, const std::vector<std::string>& lines, std::size_t first_line,
                  std::vector<std::string>& out, const BatchOptions& options) {
  out.assign(lines.size(), {});
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::optional<v1::LineDecider> fast;
    if (options.explain == "none") fast.emplace(policy);
    for (std::size_t i; (i = next.fetch_add(1)) < lines.size();)
      out[i] = decide_line(policy, lines[i], first_line + i, options, fast ? &*fast : nullptr);
  };
  unsigned jobs = std::min<std::size_t>(options.jobs, lines.size());
  if (jobs <= 1) return work();
  std::vector<std::jthread> workers;
  for (unsigned j = 0; j < jobs; ++j) workers.emplace_back(work);
}

int run_batch(const BatchOptions& options) {
  auto loaded = options.rules.empty() ? v1::Policy::builtin() : v1::Policy::load(options.rules);
  if (!loaded) {
    std::cerr << loaded.rendered;
    return rules_invalid;
  }
  std::ifstream file;
  if (options.input != "-") {
    file.open(options.input, std::ios::binary);
    if (!file) {
      std::cerr << "error: cannot read `" << options.input << "`\n   = help: give a JSONL file, or - for standard input\n";
      return usage;
    }
  }
  std::istream& in = options.input == "-" ? std::cin : file;
  bool progress = isatty(STDERR_FILENO);
  std::vector<std::string> lines, out;
  std::size_t done = 0, errors = 0;
  for (bool more = true; more;) {
    lines.clear();
    std::string line;
    while (lines.size() < kChunkLines && (more = static_cast<bool>(std::getline(in, line)))) lines.push_back(std::move(line));
    if (lines.empty()) break;
    decide_chunk(*loaded, lines, done + 1, out, options);
    for (const auto& result : out) {
      errors += result.starts_with("{\"error\"");
      std::cout << result << '\n';
    }
    std::cout.flush();
    done += lines.size();
    if (progress) std::cerr << "\rbatch: " << done << " lines, " << errors << " errors" << std::flush;
  }
  if (progress) std::cerr << "\n";
  return ok;
}

}  // namespace

Command add_batch(CLI::App& app) {
  auto options = std::make_shared<BatchOptions>();
  auto* cmd = app.add_subcommand("batch", "decide a JSONL file of requests, one decision per line, in order");
  cmd->add_option("input", options->input, "the JSONL file, or - for standard input")->capture_default_str();
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--jobs,-j", options->jobs, "threads deciding in parallel")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--explain", options->explain,
                  "compact, full with every rule considered, or none: only the decision and its authorities, from the fast evaluator")
      ->check(CLI::IsMember({"compact", "full", "none"}))
      ->capture_default_str();
  auto* receipts = cmd->add_flag("--receipts", options->receipts, "add each decision's receipt");
  auto* no_counterfactuals = cmd->add_flag("--no-counterfactuals", options->no_counterfactuals,
                                           "with --explain full: leave out \"counterfactuals\" and the search for them (most of the time)");
  cmd->callback([receipts, no_counterfactuals, options] {
    if (options->explain == "none" && receipts->count() > 0)
      throw CLI::ValidationError("--receipts", "a receipt needs the full decision: use --explain compact or full with --receipts");
    if (no_counterfactuals->count() > 0 && options->explain != "full")
      throw CLI::ValidationError("--no-counterfactuals", "only --explain full has counterfactuals: add it, or drop the flag");
  });
  return {cmd, [options] { return run_batch(*options); }};
}

}  // namespace proviso::cli
