// proviso batch: a JSONL filter, one request per input line, one decision (or
// error) per output line, in input order. Stateless, so an existing
// distributed engine (Spark's pipe, Hadoop streaming) can shard work over it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "line_blocks.hpp"
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

std::string error_line(std::size_t line, const std::string& code, const std::string& message,
                       const std::vector<v1::Diagnostic>& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : diagnostics)
    list.push_back({{"code", d.code}, {"location", d.location}, {"message", d.message}, {"help", d.help}});
  return nlohmann::json{{"error", {{"line", line}, {"code", code}, {"message", message}, {"diagnostics", std::move(list)}}}}.dump();
}

// One line's answer, appended to `out` (without a newline).
void decide_line(const v1::Policy& policy, std::string_view text, std::size_t line, const BatchOptions& options,
                 v1::LineDecider* fast, std::string& out) {
  if (fast) {
    // The fast path answers well-formed requests; a refused line is redone below for the full error report.
    const auto before = out.size();
    if (fast->decide(text, out)) return;
    out.resize(before);
  }
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
    out += error_line(line, "E409", "line " + std::to_string(line) + " is empty; each line must be one JSON request", {});
    return;
  }
  auto decision = policy.decide(text, v1::RequestFormat::json);
  if (!decision) {
    for (const auto& d : decision.diagnostics)
      if (d.error) {
        out += error_line(line, d.code, "line " + std::to_string(line) + ": " + d.message, decision.diagnostics);
        return;
      }
    out += error_line(line, "E901", "line " + std::to_string(line) + " could not be decided", decision.diagnostics);
    return;
  }
  const auto full = options.no_counterfactuals ? v1::Detail::full_without_counterfactuals : v1::Detail::full;
  auto json = decision->to_json(options.explain == "full" ? full : v1::Detail::compact);
  if (options.receipts) json["receipt"] = decision->receipt();
  out += json.dump();
}

// A block of whole input lines and, once a job has decided it, its output lines.
struct Block {
  std::string input;
  std::size_t first_line = 0;  // 1-based number of its first line
  std::size_t lines = 0;
  std::string output;
  std::size_t errors = 0;
  bool done = false;
};

void decide_block(const v1::Policy& policy, Block& block, const BatchOptions& options, v1::LineDecider* fast) {
  const std::string_view text = block.input;
  block.output.reserve(fast ? text.size() / 3 : text.size() * 4);
  std::size_t line = block.first_line;
  for (std::size_t at = 0; at < text.size(); ++line) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const auto begin = block.output.size();
    decide_line(policy, text.substr(at, end - at), line, options, fast, block.output);
    block.errors += std::string_view(block.output).substr(begin).starts_with("{\"error\"");
    block.output += '\n';
    at = end + 1;
  }
}

// The input is read in blocks of whole lines, and `jobs` threads decide them,
// this thread included: it reads ahead, writes the finished blocks in input
// order, and decides the next untaken block itself whenever the block it must
// write next is not done. So `--jobs 1` is one thread doing everything, and
// `--jobs N` is N threads in all. (Until stop 19 this thread only read and
// wrote, on a core of its own, beside `jobs` workers. Before that it read
// 8,192 lines, decided them in parallel, then wrote them, all in turn:
// `--explain none` ran no faster on 2 jobs than on 1.) At most 4 blocks a job
// are in flight, so memory stays bounded however long the input is. A block is
// ~256 KiB, or 32 lines when each line is a full decision (milliseconds each
// with counterfactuals), so a short input still spreads over the jobs.
int run_batch(const BatchOptions& options) {
  auto loaded = options.rules.empty() ? v1::Policy::builtin() : v1::Policy::load(options.rules);
  if (!loaded) {
    std::cerr << loaded.rendered;
    return rules_invalid;
  }
  int fd = STDIN_FILENO;
  if (options.input != "-") {
    fd = ::open(options.input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "error: cannot read `" << options.input << "`\n   = help: give a JSONL file, or - for standard input\n";
      return usage;
    }
  }
  const bool fast_path = options.explain == "none";
  const std::size_t max_bytes = 256 * 1024, max_lines = fast_path ? SIZE_MAX : 32;
  const unsigned jobs = std::max(1u, options.jobs);
  const std::size_t window = 4 * static_cast<std::size_t>(jobs);

  std::mutex mutex;
  std::condition_variable work_ready, block_done;
  std::deque<std::unique_ptr<Block>> in_flight;  // in input order; the front is written next
  std::deque<Block*> queue;                      // read, not yet taken by a job
  bool closing = false;
  auto job = [&] {
    std::optional<v1::LineDecider> fast;
    if (fast_path) fast.emplace(*loaded);
    for (;;) {
      Block* block = nullptr;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        block = queue.front();
        queue.pop_front();
      }
      decide_block(*loaded, *block, options, fast ? &*fast : nullptr);
      {
        std::lock_guard lock(mutex);
        block->done = true;
      }
      block_done.notify_one();
    }
  };
  std::vector<std::jthread> workers;
  for (unsigned j = 1; j < jobs; ++j) workers.emplace_back(job);
  std::optional<v1::LineDecider> own_fast;  // this thread's, for the blocks it decides
  if (fast_path) own_fast.emplace(*loaded);

  LineBlocks reader(fd);
  const bool progress = isatty(STDERR_FILENO);
  std::size_t next_line = 1, done = 0, errors = 0;
  for (bool more = true;;) {
    while (more && in_flight.size() < window) {  // read ahead
      auto block = std::make_unique<Block>();
      const auto lines = reader.next(block->input, max_bytes, max_lines);
      if (lines == 0) {
        more = false;
        break;
      }
      block->first_line = next_line;
      block->lines = lines;
      next_line += lines;
      std::lock_guard lock(mutex);
      queue.push_back(block.get());
      in_flight.push_back(std::move(block));
      work_ready.notify_one();
    }
    if (in_flight.empty()) break;
    // While the next block to write is not done, decide an untaken one here
    // (with one job, that is always the next block itself).
    for (;;) {
      Block* block = nullptr;
      {
        std::lock_guard lock(mutex);
        if (in_flight.front()->done || queue.empty()) break;
        block = queue.front();
        queue.pop_front();
      }
      decide_block(*loaded, *block, options, own_fast ? &*own_fast : nullptr);
      std::lock_guard lock(mutex);
      block->done = true;
    }
    std::unique_ptr<Block> finished;
    {
      std::unique_lock lock(mutex);
      block_done.wait(lock, [&] { return in_flight.front()->done; });
      finished = std::move(in_flight.front());
      in_flight.pop_front();
    }
    std::cout.write(finished->output.data(), static_cast<std::streamsize>(finished->output.size()));
    std::cout.flush();
    done = finished->first_line - 1 + finished->lines;
    errors += finished->errors;
    if (progress) std::cerr << "\rbatch: " << done << " lines, " << errors << " errors" << std::flush;
  }
  {
    std::lock_guard lock(mutex);
    closing = true;
  }
  work_ready.notify_all();
  workers.clear();  // joins
  if (fd != STDIN_FILENO) ::close(fd);
  if (progress) std::cerr << "\n";
  if (reader.error() != 0) {
    std::cerr << "error: reading `" << options.input << "` failed after line " << next_line - 1 << ": " << std::strerror(reader.error())
              << "\n   = help: the lines before it were answered; check the file or the pipe\n";
    return usage;
  }
  return ok;
}

}  // namespace

Command add_batch(CLI::App& app) {
  auto options = std::make_shared<BatchOptions>();
  auto* cmd = app.add_subcommand("batch", "decide a JSONL file of requests, one decision per line, in order");
  cmd->add_option("input", options->input, "the JSONL file, or - for standard input")->capture_default_str();
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--jobs,-j", options->jobs, "threads deciding in parallel, this one included (1: no other thread)")->capture_default_str()->check(CLI::Range(1, 256));
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
