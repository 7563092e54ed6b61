// Random rule sets and schema-conforming random requests for the differential
// and property tests (tests/differential/): every fact type, enums, sets,
// definitions over definitions and interpretations, interpretations,
// permit/forbid/limit rules with `exception to`, nested and/or/not and blocks,
// comparisons, arithmetic, `is known`, and facts left unknown. Deterministic
// for a seed. The generator aims at rule sets the checker accepts; the test
// counts the ones it rejects.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace proviso::difftest {

enum class FactKind { boolean, integer, decimal, date, string, enumeration, set };

struct GenEnum {
  std::string name;
  std::vector<std::string> values;
};

struct GenFact {
  std::string path;
  FactKind kind = FactKind::boolean;
  int enum_id = -1;  // of an enumeration, or the element enum of a set
};

// What a request may say: the generated rule set's vocabulary.
struct Vocabulary {
  std::vector<GenEnum> enums;
  std::vector<GenFact> facts;
  std::vector<std::string> interpretations;
};

struct GeneratedRuleSet {
  std::string manifest;
  std::string rules;  // one rule file
  Vocabulary vocabulary;
};

GeneratedRuleSet generate_rule_set(std::mt19937_64& rng);

// Each fact given (most often), null, or absent; interpretations sometimes set.
nlohmann::json generate_request(const Vocabulary& vocabulary, std::mt19937_64& rng);

}  // namespace proviso::difftest
