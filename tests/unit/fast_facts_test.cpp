// FastFacts, the bound form of a request: one block that keeps the texts of
// only the string facts some comparison reads as text, and copies and moves
// that carry every part of it.
#include <doctest/doctest.h>

#include "engine/compiled.hpp"
#include "engine/load.hpp"

using namespace proviso;

namespace {

// `name == label` reads both texts; `signer == "head"` only signer's id; no rule reads `remark`.
const char* kRules = R"(interpretation broad "the broad reading" cite "§ 0" default false
fact flag : bool "a flag"
fact name : string "a name"
fact label : string "a label"
fact signer : string "a signer"
fact remark : string "a remark no rule reads"
rule general_rule forbid
  cite "§ 1"
rule r1 permit
  cite "§ 2"
  exception to general_rule
  when any of {
    name == label "the name is the label"
    all of {
      signer == "head" "the head signed"
      flag "the flag"
    }
    broad "the broad reading"
  }
)";

std::shared_ptr<const Policy> load_policy() {
  auto loaded = load_rule_set_from_texts({{"proviso.yaml", "name: facts\nversion: 1.0.0\njurisdiction: test\ntitle: t\ngeneral_rule: general_rule\n"},
                                          {"rules.proviso", kRules}}, "facts");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  return loaded.policy;
}

std::int32_t slot_of(const Policy& policy, const std::string& path) {
  for (std::size_t slot = 0; slot < policy.facts.size(); ++slot)
    if (policy.facts[slot].path == path) return static_cast<std::int32_t>(slot);
  FAIL("no fact " << path);
  return -1;
}

Facts bound(const Policy& policy, const nlohmann::json& request) {
  auto result = bind_request(policy, request, "request");
  REQUIRE(result.facts);
  return *result.facts;
}

}  // namespace

TEST_CASE("FastFacts keeps the texts of only the string facts read as text") {
  auto policy = load_policy();
  CompiledPolicy compiled(policy);
  const auto name = slot_of(*policy, "name"), label = slot_of(*policy, "label");
  const auto signer = slot_of(*policy, "signer"), remark = slot_of(*policy, "remark"), flag = slot_of(*policy, "flag");
  CHECK(compiled.text_index(name) >= 0);
  CHECK(compiled.text_index(label) >= 0);
  CHECK(compiled.text_index(name) != compiled.text_index(label));
  CHECK(compiled.text_index(signer) == -1);
  CHECK(compiled.text_index(remark) == -1);
  CHECK(compiled.text_index(flag) == -1);

  auto facts = compiled.make_facts();
  CHECK(facts.slot_count() == policy->facts.size());
  CHECK(facts.interpretation_count() == policy->interpretations.size());
  CHECK(facts.text_count() == 2);
  for (std::size_t slot = 0; slot < facts.slot_count(); ++slot) CHECK(facts.known[slot] == 0);
  CHECK(facts.interpretations[0] == -1);

  compiled.load_facts(bound(*policy, {{"name", "ann"}, {"label", "ann"}, {"signer", "head"}, {"remark", "r"}}), facts);
  CHECK(facts.text(static_cast<std::size_t>(compiled.text_index(name))) == "ann");
  CHECK(facts.text(static_cast<std::size_t>(compiled.text_index(label))) == "ann");
  CHECK(facts.known[signer] == 1);
  CHECK(facts.cells[signer] == compiled.text_id("head"));
  CHECK(facts.cells[remark] == FastFacts::kNoText);
  auto scratch = compiled.make_scratch();
  CHECK(compiled.decide(facts, scratch) == Outcome::permitted);  // name == label, by text

  compiled.load_facts(bound(*policy, {{"name", "ann"}, {"label", "bob"}, {"signer", "tail"}, {"flag", false}}), facts);
  CHECK(compiled.decide(facts, scratch) == Outcome::denied);
}

TEST_CASE("a rule set that reads no text keeps none") {
  auto toy = load_rule_set(std::string(PROVISO_SOURCE_DIR) + "/bench/toy");
  REQUIRE(toy.policy);
  CompiledPolicy compiled(toy.policy);
  CHECK(compiled.make_facts().text_count() == 0);
  for (std::size_t slot = 0; slot < toy.policy->facts.size(); ++slot) CHECK(compiled.text_index(static_cast<std::int32_t>(slot)) == -1);
}

TEST_CASE("FastFacts copies and moves carry cells, known bytes, settings and texts") {
  auto policy = load_policy();
  CompiledPolicy compiled(policy);
  const auto name = static_cast<std::size_t>(compiled.text_index(slot_of(*policy, "name")));
  const auto flag = slot_of(*policy, "flag");
  auto facts = compiled.make_facts();
  const std::string long_text(100, 'n');  // past the small-string buffer: its own allocation
  compiled.load_facts(bound(*policy, {{"name", long_text}, {"label", "x"}, {"flag", true}}), facts);
  facts.interpretations[0] = 1;

  auto same = [&](const FastFacts& other) {
    CHECK(other.slot_count() == facts.slot_count());
    CHECK(other.text_count() == facts.text_count());
    CHECK(std::equal(facts.cells, facts.cells + facts.slot_count(), other.cells));
    CHECK(std::equal(facts.known, facts.known + facts.slot_count(), other.known));
    CHECK(other.interpretations[0] == 1);
    CHECK(other.text(name) == long_text);
  };
  FastFacts copy(facts);
  same(copy);
  CHECK(copy.cells != facts.cells);  // its own block
  copy.cells[flag] = 0;
  copy.text(name) = "changed";
  CHECK(facts.cells[flag] == 1);
  CHECK(facts.text(name) == long_text);

  FastFacts assigned = compiled.make_facts();
  assigned = facts;
  same(assigned);

  FastFacts moved(std::move(assigned));
  same(moved);
  CHECK(assigned.cells == nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is empty
  CHECK(assigned.slot_count() == 0);
  CHECK(assigned.text_count() == 0);
  moved = std::move(copy);
  CHECK(moved.text(name) == "changed");

  facts.reset();
  for (std::size_t slot = 0; slot < facts.slot_count(); ++slot) CHECK(facts.known[slot] == 0);
  CHECK(facts.interpretations[0] == -1);
}
