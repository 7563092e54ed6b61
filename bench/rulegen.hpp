// Generated rule sets of any size, and random requests for them: the scaling
// workload of bench/ (compile time, memory, decide time at 10 to 10,000 rules),
// also used by the agreement tests. Deterministic for a seed.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace proviso::rulegen {

inline constexpr int kEnums = 8, kValues = 32, kBools = 8, kSetValues = 24;

inline std::string manifest() {
  return "name: generated\nversion: 1.0.0\njurisdiction: benchmark\ntitle: generated rules\ngeneral_rule: general_rule\n";
}

// One rule file: a vocabulary, a general forbid, and `rules` more rules:
// mostly permits (exceptions to the general rule) over enum, bool, integer
// and set conditions, with a limit against the previous permit every tenth rule
// and a forbid every 25th, so the exception graph is more than a star.
inline std::string rules(int rules, std::uint64_t seed = 6103) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  std::string out;
  for (int e = 0; e < kEnums; ++e) {
    out += "enum kind" + std::to_string(e) + " \"kind " + std::to_string(e) + "\" {";
    for (int v = 0; v < kValues; ++v) out += " e" + std::to_string(e) + "v" + std::to_string(v);
    out += " }\n";
  }
  out += "enum item \"an item\" {";
  for (int v = 0; v < kSetValues; ++v) out += " item" + std::to_string(v);
  out += " }\n";
  for (int e = 0; e < kEnums; ++e) out += "fact g.kind" + std::to_string(e) + " : kind" + std::to_string(e) + " \"kind fact\"\n";
  for (int b = 0; b < kBools; ++b) out += "fact g.flag" + std::to_string(b) + " : bool \"flag fact\"\n";
  out += "fact g.count : integer \"a count\"\nfact g.items : set of item \"items\"\n";
  out += "rule general_rule forbid\n  cite \"gen § 1\"\n";
  int last_permit = -1;
  for (int r = 0; r < rules; ++r) {
    const std::string id = "r" + std::to_string(r);
    const bool limit = r % 10 == 9 && last_permit >= 0;
    const bool forbid = !limit && r % 25 == 24;
    out += "rule " + id + (limit ? " limit" : forbid ? " forbid" : " permit") + "\n  cite \"gen § " + std::to_string(r + 2) + "\"\n";
    if (limit) out += "  exception to r" + std::to_string(last_permit) + "\n";
    else if (!forbid) out += "  exception to general_rule\n";
    out += "  when all of {\n";
    const int e = pick(kEnums);
    out += "    g.kind" + std::to_string(e) + " == e" + std::to_string(e) + "v" + std::to_string(pick(kValues)) + " \"the kind matches\"\n";
    out += "    g.flag" + std::to_string(pick(kBools)) + "\n";
    if (pick(2)) out += "    g.count >= " + std::to_string(pick(20)) + "\n";
    if (pick(2)) out += "    g.items superset of {item" + std::to_string(pick(kSetValues)) + "}\n";
    if (pick(3) == 0) out += "    any of { g.flag" + std::to_string(pick(kBools)) + "  not g.flag" + std::to_string(pick(kBools)) + " }\n";
    out += "  }\n";
    if (!limit && !forbid) last_permit = r;
  }
  return out;
}

// A request over the vocabulary; with `unknowns`, each fact is absent one time in six.
inline nlohmann::json request(std::mt19937_64& rng, bool unknowns) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  auto absent = [&] { return unknowns && pick(6) == 0; };
  nlohmann::json g = nlohmann::json::object();
  for (int e = 0; e < kEnums; ++e)
    if (!absent()) g["kind" + std::to_string(e)] = "e" + std::to_string(e) + "v" + std::to_string(pick(kValues));
  for (int b = 0; b < kBools; ++b)
    if (!absent()) g["flag" + std::to_string(b)] = pick(3) != 0;
  if (!absent()) g["count"] = pick(25);
  if (!absent()) {
    nlohmann::json items = nlohmann::json::array();
    for (int v = 0; v < kSetValues; ++v)
      if (pick(3) == 0) items.push_back("item" + std::to_string(v));
    g["items"] = items;
  }
  return nlohmann::json{{"g", g}};
}

}  // namespace proviso::rulegen
