// `proviso_bench batch IN.jsonl OUT.jsonl --threads T`: a batch driver over
// the fast path (JSON line → decision line), order-preserving, one output line
// per input line: the batch-throughput figures of the fast path. (`proviso
// batch` answers the full decision JSON through the tracing evaluator; bench/run
// times it too.) The time includes reading the file and writing the output.
//
// T counts every thread the run uses, the main thread included: 1 is one
// thread doing everything, 2 is the main thread and one worker. (Until stop 19
// T counted the workers only, and the main thread wrote on a core of its own:
// the "1 thread" run had a second thread, which understated the scaling and
// made the ratio depend on how idle the second core was.)
//
// Nothing is serial but the final write: the input is mapped, not read; each
// thread takes the next ~1 MiB chunk of bytes, owns the lines that start in it
// (finding their ends itself), and decides them into the chunk's own buffer.
// The main thread writes finished chunks in input order as they come, and
// decides the next chunk itself whenever the one it must write next is not
// done. (An earlier version read the file and split its lines on one thread
// before the workers started, and wrote everything after they ended: 1.31x on
// 2 cores.)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
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
  const int fd = ::open(args.files[0].c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + args.files[0]);
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* mapped = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
  ::close(fd);
  if (mapped == MAP_FAILED) throw std::runtime_error("cannot map " + args.files[0]);
  if (mapped) ::madvise(mapped, size, MADV_SEQUENTIAL);
  const std::string_view text(static_cast<const char*>(mapped), size);

  constexpr std::size_t kChunk = 1 << 20;
  const std::size_t chunks = (size + kChunk - 1) / kChunk;
  struct Chunk {
    std::string out;
    std::size_t lines = 0;
    bool done = false;
  };
  std::vector<Chunk> outputs(chunks);
  std::mutex mutex;
  std::condition_variable finished;
  std::atomic<std::size_t> next{0}, errors{0};
  // Decides chunk c into outputs[c]; returns its error lines.
  auto decide_chunk = [&](FastDecider& decider, std::size_t c) {
    // The lines starting in [begin, end): a line that crosses `end` is this chunk's.
    std::size_t at = c * kChunk;
    if (at > 0 && text[at - 1] != '\n') {
      const auto newline = text.find('\n', at);
      at = newline == std::string_view::npos ? size : newline + 1;
    }
    const std::size_t end = std::min(size, (c + 1) * kChunk);
    std::string out;
    out.reserve(kChunk / 4);
    std::size_t lines = 0, chunk_errors = 0;
    while (at < end) {
      auto newline = text.find('\n', at);
      if (newline == std::string_view::npos) newline = size;
      decider.decide_line(text.substr(at, newline - at), out);
      if (decider.last_was_error()) ++chunk_errors;
      out += '\n';
      ++lines;
      at = newline + 1;
    }
    {
      std::lock_guard lock(mutex);
      outputs[c].out = std::move(out);
      outputs[c].lines = lines;
      outputs[c].done = true;
    }
    finished.notify_one();
    return chunk_errors;
  };
  auto worker = [&] {
    FastDecider decider(compiled);
    std::size_t local_errors = 0;
    for (std::size_t c; (c = next.fetch_add(1)) < chunks;) local_errors += decide_chunk(decider, c);
    errors += local_errors;
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, args.threads); ++t) pool.emplace_back(worker);
  std::size_t line_count = 0;
  {
    FastDecider decider(compiled);
    std::size_t main_errors = 0;
    std::ofstream o(args.files[1], std::ios::binary);
    for (std::size_t c = 0; c < chunks; ++c) {
      // Until chunk c is done, decide the next chunk no one has taken (with one
      // thread, that is always chunk c itself).
      for (;;) {
        {
          std::lock_guard lock(mutex);
          if (outputs[c].done) break;
        }
        const auto mine = next.fetch_add(1);
        if (mine >= chunks) break;
        main_errors += decide_chunk(decider, mine);
      }
      std::string block;
      {
        std::unique_lock lock(mutex);
        finished.wait(lock, [&] { return outputs[c].done; });
        block = std::move(outputs[c].out);
        line_count += outputs[c].lines;
      }
      o.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    errors += main_errors;
  }
  for (auto& t : pool) t.join();
  if (mapped) ::munmap(mapped, size);
  const double seconds = ns_since(t0) / 1e9;
  timespec c1{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  // CPU seconds of every thread: with the wall time it shows how much of the
  // machine the run got (a shared machine gives a second thread no core of its own).
  const double cpu_seconds = static_cast<double>(c1.tv_sec - c0.tv_sec) + static_cast<double>(c1.tv_nsec - c0.tv_nsec) / 1e9;
  const double per_s = static_cast<double>(line_count) / seconds;
  std::printf("batch: %zu requests, %d thread(s), %.2f s wall, %.2f s CPU, %.3g decisions/s, %zu error lines, load %s\n", line_count,
              args.threads, seconds, cpu_seconds, per_s, errors.load(), load_average().c_str());
  print_result({{"n", line_count}, {"threads", args.threads}, {"seconds", seconds}, {"cpu_seconds", cpu_seconds}, {"per_s", per_s},
                {"cpu_per_s", static_cast<double>(line_count) / cpu_seconds}, {"load", load_average()},
                {"errors", errors.load()}, {"peak_rss_bytes", peak_rss_bytes()}});
  return 0;
}

}  // namespace proviso::bench
