// Shared pieces of the benchmark program: timing, percentiles, files, the
// RESULT line every bench step prints (bench/run collects them).
#pragma once
#include <nlohmann/json.hpp>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace proviso::bench {

using Clock = std::chrono::steady_clock;

inline double ns_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(static_cast<double>(v.size()) * p))];
}

inline volatile std::uint64_t sink = 0;  // keeps results alive past the optimiser

// CPU time of this thread: unlike the wall clock it does not count the time
// the scheduler gives to other processes, which on a shared 2-core machine
// can be most of it. Both are reported.
inline double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

struct PassTime {
  double wall_ns = 0;  // median pass, per item
  double cpu_ns = 0;   // median pass, per item, thread CPU time
};

// Runs `pass` (one pass over n items, returning a checksum) `reps` times after
// one warm-up pass; returns the median pass time per item. Nanosecond work is
// timed per pass because a timer pair costs ~20-40 ns here.
inline PassTime per_item(std::size_t n, int reps, const std::function<std::uint64_t()>& pass) {
  std::vector<double> wall, cpu;
  sink = sink + pass();
  for (int i = 0; i < reps; ++i) {
    const double c0 = thread_cpu_ns();
    auto t0 = Clock::now();
    sink = sink + pass();
    wall.push_back(ns_since(t0) / static_cast<double>(n));
    cpu.push_back((thread_cpu_ns() - c0) / static_cast<double>(n));
  }
  return {percentile(wall, 0.5), percentile(cpu, 0.5)};
}

// Per-call latencies (ns) of `one(i)` over n items, for p50/p99.
inline std::vector<double> latencies(std::size_t n, const std::function<std::uint64_t(std::size_t)>& one) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    sink = sink + one(i);
    out[i] = ns_since(t0);
  }
  return out;
}

inline std::vector<std::string> read_lines(const std::string& path, std::size_t limit = 0) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) {
      lines.push_back(line);
      if (limit && lines.size() == limit) break;
    }
  return lines;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Peak resident memory of this process so far, in bytes (VmHWM).
inline std::size_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      std::size_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

inline void print_result(const nlohmann::json& result) { std::cout << "RESULT " << result.dump() << std::endl; }

// Options common to the steps: --quick, --reps, --limit N, positional files.
struct Args {
  bool quick = false;
  int reps = 0;
  std::size_t limit = 0;
  int threads = 1;
  std::vector<std::string> files;
  std::string out;
  Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) {
      std::string a = argv[i];
      auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
      if (a == "--quick") quick = true;
      else if (a == "--reps") reps = std::stoi(next());
      else if (a == "--limit") limit = std::stoul(next());
      else if (a == "--threads") threads = std::stoi(next());
      else if (a == "--out") out = next();
      else files.push_back(a);
    }
    if (reps == 0) reps = quick ? 5 : 15;
  }
};

int run_decide(const Args& args, const std::string& which);  // toy | irc6103
int run_scale(const Args& args);
int run_batch(const Args& args);
int run_generate(const Args& args);
int run_profile(const Args& args);
int run_profile_explain(const Args& args);

}  // namespace proviso::bench
