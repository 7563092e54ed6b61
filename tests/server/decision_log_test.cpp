// The decision log under contention: a bounded queue (deciding threads wait
// for the writer instead of growing memory), and still one whole line per
// decision, none lost, once the log is closed.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "server/decision_log.hpp"

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("a full queue makes deciding threads wait, and no line is lost or torn") {
  auto policy = proviso::Policy::builtin();
  REQUIRE(policy);
  auto decision = policy->decide(std::string_view(R"({"request": {"in_writing": true}})"));
  REQUIRE(decision);
  const auto path = (std::filesystem::temp_directory_path() / ("proviso-log-test-" + std::to_string(::getpid()) + ".jsonl")).string();
  std::filesystem::remove(path);
  constexpr int kThreads = 8, kEach = 250;
  constexpr std::size_t kLimit = 4;
  std::size_t peak = 0;
  {
    proviso::server::DecisionLogOptions options;
    options.path = path;
    options.max_queued_lines = kLimit;
    proviso::server::DecisionLog log(options);
    REQUIRE(log.is_open());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; ++i) log.append(*decision);
      });
    for (auto& t : threads) t.join();
    peak = log.peak_queued();
  }
  CHECK(peak >= 1);
  CHECK(peak <= kLimit);
  const auto lines = lines_of(path);
  CHECK(lines.size() == static_cast<std::size_t>(kThreads * kEach));
  proviso::server::DecisionLogOptions unused;
  unused.path = path + ".unused";
  const auto expected = proviso::server::DecisionLog(unused).entry(*decision);
  REQUIRE(expected.contains("ruleset"));
  for (const auto& line : lines) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    CHECK(parsed["ruleset"] == expected["ruleset"]);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".unused");
}
