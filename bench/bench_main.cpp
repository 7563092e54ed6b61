// proviso_bench: the benchmark steps bench/run drives. Each step prints
// human-readable lines and one "RESULT {json}" line.
//
//   proviso_bench decide RULES|builtin REQUESTS.jsonl [--out F] [--limit N] [--quick]
//   proviso_bench scale [--quick]                 compile time, memory and decide time at 10..10,000 rules
//   proviso_bench batch IN.jsonl OUT.jsonl [--threads T]
//   proviso_bench generate-irc6103 N OUT.jsonl SCENARIO_DIR
//   proviso_bench profile RULES|builtin REQUESTS.jsonl [--reps R] [--limit N]   path (a) alone, for callgrind
//   proviso_bench profile-explain RULES|builtin REQUESTS.jsonl [--reps R] [--limit N]   path (c) alone, for callgrind
#include <cstring>

#include "common.hpp"

int main(int argc, char** argv) {
  using namespace proviso::bench;
  if (argc < 2) {
    std::cerr << "usage: proviso_bench decide|scale|batch|generate-irc6103 ...\n";
    return 2;
  }
  const std::string step = argv[1];
  try {
    Args args(argc, argv, 2);
    if (step == "decide") return run_decide(args, "");
    if (step == "scale") return run_scale(args);
    if (step == "batch") return run_batch(args);
    if (step == "generate-irc6103") return run_generate(args);
    if (step == "profile") return run_profile(args);
    if (step == "profile-explain") return run_profile_explain(args);
  } catch (const std::exception& e) {
    std::cerr << "proviso_bench " << step << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "unknown step " << step << "\n";
  return 2;
}
