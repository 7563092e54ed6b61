// `proviso_bench batch IN.jsonl OUT.jsonl --threads T`: a batch driver over
// the fast path (JSON line → decision line), order-preserving, one output line
// per input line: the batch-throughput figures of the fast path. (`proviso
// batch` answers the full decision JSON through the tracing evaluator; bench/run
// times it too.) Workers take blocks of lines; each block's output is written
// in input order. The time includes reading the file and writing the output.
#include <atomic>
#include <thread>

#include "common.hpp"
#include "engine/bind_fast.hpp"
#include "engine/load.hpp"

namespace proviso::bench {

int run_batch(const Args& args) {
  if (args.files.size() < 2) throw std::runtime_error("batch IN.jsonl OUT.jsonl [--threads T]");
  auto loaded = args.files.size() > 2 ? load_rule_set(args.files[2]) : load_builtin_rule_set();
  if (!loaded.policy) throw std::runtime_error(render_all(loaded.diagnostics, loaded.sources));
  auto compiled = std::make_shared<const CompiledPolicy>(loaded.policy);

  timespec c0{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  auto t0 = Clock::now();
  const std::string text = read_file(args.files[0]);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.emplace_back(text.data() + start, end - start);
    start = end + 1;
  }
  constexpr std::size_t kBlock = 4096;
  const std::size_t blocks = (lines.size() + kBlock - 1) / kBlock;
  std::vector<std::string> outputs(blocks);
  std::atomic<std::size_t> next{0}, errors{0};
  auto worker = [&] {
    FastDecider decider(compiled);
    std::size_t local_errors = 0;
    for (std::size_t b; (b = next.fetch_add(1)) < blocks;) {
      auto& out = outputs[b];
      out.reserve(kBlock * 64);
      for (std::size_t i = b * kBlock; i < std::min(lines.size(), (b + 1) * kBlock); ++i) {
        decider.decide_line(lines[i], out);
        if (decider.last_was_error()) ++local_errors;
        out += '\n';
      }
    }
    errors += local_errors;
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, args.threads); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  {
    std::ofstream o(args.files[1], std::ios::binary);
    for (const auto& block : outputs) o.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  const double seconds = ns_since(t0) / 1e9;
  timespec c1{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  // CPU seconds of every thread: with the wall time it shows how much of the
  // machine the run got (a shared machine gives a second thread no core of its own).
  const double cpu_seconds = static_cast<double>(c1.tv_sec - c0.tv_sec) + static_cast<double>(c1.tv_nsec - c0.tv_nsec) / 1e9;
  const double per_s = static_cast<double>(lines.size()) / seconds;
  std::printf("batch: %zu requests, %d thread(s), %.2f s wall, %.2f s CPU, %.3g decisions/s, %zu error lines, load %s\n", lines.size(),
              args.threads, seconds, cpu_seconds, per_s, errors.load(), load_average().c_str());
  print_result({{"n", lines.size()}, {"threads", args.threads}, {"seconds", seconds}, {"cpu_seconds", cpu_seconds}, {"per_s", per_s},
                {"cpu_per_s", static_cast<double>(lines.size()) / cpu_seconds}, {"load", load_average()},
                {"errors", errors.load()}, {"peak_rss_bytes", peak_rss_bytes()}});
  return 0;
}

}  // namespace proviso::bench
