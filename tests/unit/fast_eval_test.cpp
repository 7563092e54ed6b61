// The compiled evaluator and the streaming binder agree with the reference
// path (bind_request + decide) on outcome and authorities: every § 6103
// scenario, thousands of random and mutated requests over the declared
// domains (unknowns included), the toy policy, and generated rule sets.
#include <doctest/doctest.h>

#include <random>

#include "bench/rulegen.hpp"
#include "engine/bind_fast.hpp"
#include "engine/compiled.hpp"
#include "engine/load.hpp"
#include "engine/scenario.hpp"

using namespace proviso;
using nlohmann::json;

namespace {

struct Agreement {
  std::shared_ptr<const Policy> policy;
  CompiledPolicy compiled;
  CompiledPolicy deferring;  // defers rules even in a small rule set (compiled.hpp)
  FastBinder binder;
  FastFacts fast = compiled.make_facts(), streamed = compiled.make_facts();
  FastScratch scratch = compiled.make_scratch();  // one scratch for every decision, as a thread keeps it
  FastScratch deferring_scratch = deferring.make_scratch();
  std::size_t decisions = 0, streamed_count = 0;
  std::map<std::string, int> outcomes;
  std::vector<std::string> failures;

  explicit Agreement(std::shared_ptr<const Policy> p) : policy(p), compiled(p), deferring(p, true), binder(compiled) {}

  void fail(const std::string& what, const json& request) {
    if (failures.size() < 5) failures.push_back(what + " for " + request.dump());
  }

  // The same facts as decide() reads them: every slot some rule or
  // definition reads, and a string's text where a comparison reads it
  // (CompiledPolicy::string_use). That is the streaming binder's contract: it
  // feeds only decide(), whose output is the decision, so it does not copy
  // or look up strings no rule reads; load_facts fills every slot.
  bool same_facts(const FastFacts& a, const FastFacts& b) const {
    for (std::size_t slot = 0; slot < a.slot_count(); ++slot) {
      const auto use = compiled.string_use(static_cast<std::int32_t>(slot));
      if (use == CompiledPolicy::StringUse::unread) continue;
      if (a.known[slot] != b.known[slot]) return false;
      if (!a.known[slot]) continue;
      if (a.cells[slot] != b.cells[slot]) return false;  // a string's cell: the id of the constant it equals
      if (use != CompiledPolicy::StringUse::text) continue;
      const auto kept = static_cast<std::size_t>(compiled.text_index(static_cast<std::int32_t>(slot)));
      if (a.text(kept) != b.text(kept)) return false;
    }
    return std::equal(a.interpretations, a.interpretations + a.interpretation_count(), b.interpretations,
                    b.interpretations + b.interpretation_count());
  }

  // decide() finds the interpretations relied on by deciding each other
  // reading on the compiled form; the reference re-decides the whole request
  // with the other reading by the tracing evaluator, as the definition says.
  std::size_t readings_relied_on = 0;
  void check_interpretations(const Facts& facts, const Decision& decision, const json& request) {
    for (std::size_t i = 0; i < policy->interpretations.size(); ++i) {
      Facts flipped = facts;
      flipped.interpretations[i] = facts.interpretation(*policy, static_cast<std::int32_t>(i)) ? 0 : 1;
      const Decision other = decide_outcome(*policy, flipped);
      const bool relied_on = other.outcome != decision.outcome || other.authorities != decision.authorities;
      const InterpretationUse* use = nullptr;
      for (const auto& u : decision.interpretations)
        if (u.index == static_cast<std::int32_t>(i)) use = &u;
      if (relied_on) ++readings_relied_on;
      if (relied_on && !use) fail("interpretation " + policy->interpretations[i].name + " is relied on but not reported", request);
      if (use && (use->relied_on != relied_on || use->other_outcome != other.outcome || use->other_authorities != other.authorities))
        fail("interpretation " + policy->interpretations[i].name + ": a different other reading", request);
    }
  }

  void check(const json& request) {
    auto bound = bind_request(*policy, request, "request");
    if (!bound.facts) {
      if (binder.bind(request.dump(), streamed)) fail("the streaming binder accepted a request the binder refuses", request);
      return;
    }
    const Decision reference = decide(*policy, *bound.facts);
    check_interpretations(*bound.facts, reference, request);
    fast.reset();
    compiled.load_facts(*bound.facts, fast);
    const Outcome outcome = compiled.decide(fast, scratch);
    ++decisions;
    ++outcomes[std::string(outcome_name(reference.outcome))];
    if (outcome != reference.outcome) fail("outcome " + std::string(outcome_name(outcome)) + " instead of " + std::string(outcome_name(reference.outcome)), request);
    else if (scratch.authorities != reference.authorities) fail("different authorities", request);
    const Outcome deferred = deferring.decide(fast, deferring_scratch);
    if (deferred != reference.outcome) fail("deferring: outcome " + std::string(outcome_name(deferred)) + " instead of " + std::string(outcome_name(reference.outcome)), request);
    else if (deferring_scratch.authorities != reference.authorities) fail("deferring: different authorities", request);
    if (binder.bind(request.dump(), streamed)) {
      ++streamed_count;
      if (!same_facts(fast, streamed)) fail("the streaming binder bound different facts", request);
    } else if (FastBinder::streaming()) {
      fail("the streaming binder declined a well-formed request", request);
    }
  }

  void report() {
    // The failures in one message: an INFO in a loop body is gone before the CHECK.
    std::string listed;
    for (const auto& f : failures) listed += "\n  " + f;  // the first five (fail() keeps no more)
    INFO("decisions: " << decisions << ", streamed: " << streamed_count << listed);
    CHECK(failures.empty());
  }
};

// A random value of a fact's type, or null one time in eight.
json random_value(const Policy& policy, const FactInfo& fact, std::mt19937_64& rng) {
  auto pick = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
  if (pick(8) == 0) return nullptr;
  switch (fact.type.kind) {
    case TypeKind::boolean: return pick(2) == 1;
    case TypeKind::integer: return pick(45) - 5;
    case TypeKind::decimal: return static_cast<double>(pick(400)) / 4.0;
    case TypeKind::date: return format_date(17000 + pick(4000));
    case TypeKind::string: {
      static const char* kTexts[] = {"", "a", "head_of_agency", "none", "x y", "\xc3\xbc"};
      return kTexts[pick(6)];
    }
    case TypeKind::enumeration: {
      const auto& values = policy.enums[fact.type.enum_id].values;
      return values[pick(values.size())];
    }
    case TypeKind::set: {
      json items = json::array();
      for (const auto& v : policy.enums[fact.type.enum_id].values)
        if (pick(3) == 0) items.push_back(v);
      return items;
    }
    case TypeKind::duration: return nullptr;
  }
  return nullptr;
}

void put(json& request, const std::string& path, json value) {
  json::json_pointer pointer;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    pointer /= path.substr(start, dot - start);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  request[pointer] = std::move(value);
}

json random_interpretations(const Policy& policy, std::mt19937_64& rng) {
  json out = json::object();
  for (const auto& i : policy.interpretations)
    if (rng() % 3 == 0) out[i.name] = rng() % 2 == 0;
  return out;
}

json random_request(const Policy& policy, std::mt19937_64& rng, int unknown_percent) {
  json request = json::object();
  for (const auto& fact : policy.facts)
    if (static_cast<int>(rng() % 100) >= unknown_percent) put(request, fact.path, random_value(policy, fact, rng));
  if (auto interpretations = random_interpretations(policy, rng); !interpretations.empty()) request["interpretations"] = interpretations;
  return request;
}

// A scenario's request with one to four facts changed, dropped or nulled:
// near misses, which random requests over 80 facts almost never produce.
json mutate(const Policy& policy, const Facts& facts, std::mt19937_64& rng) {
  json request = json::object();
  for (std::size_t slot = 0; slot < facts.values.size(); ++slot)
    if (facts.values[slot].known) put(request, policy.facts[slot].path, value_to_json(policy, facts.values[slot], policy.facts[slot].type));
  const int changes = 1 + static_cast<int>(rng() % 4);
  for (int c = 0; c < changes; ++c) {
    const auto& fact = policy.facts[rng() % policy.facts.size()];
    put(request, fact.path, rng() % 3 == 0 ? json(nullptr) : random_value(policy, fact, rng));
  }
  json interpretations = json::object();
  for (std::size_t i = 0; i < facts.interpretations.size(); ++i)
    if (facts.interpretations[i] >= 0) interpretations[policy.interpretations[i].name] = facts.interpretations[i] == 1;
  if (rng() % 4 == 0 && !policy.interpretations.empty())
    interpretations[policy.interpretations[rng() % policy.interpretations.size()].name] = rng() % 2 == 0;
  if (!interpretations.empty()) request["interpretations"] = interpretations;
  return request;
}

std::shared_ptr<const Policy> builtin() {
  auto loaded = load_builtin_rule_set();
  REQUIRE(loaded.policy);
  return loaded.policy;
}

}  // namespace

TEST_CASE("fast decide agrees with decide on every § 6103 scenario and on mutations of them") {
  auto policy = builtin();
  auto scenarios = load_scenarios(std::string(PROVISO_SOURCE_DIR) + "/rules/us/irc-6103/tests");
  REQUIRE(scenarios.scenarios.size() > 20);
  Agreement agreement(policy);
  std::mt19937_64 rng(6103);
  for (const auto& scenario : scenarios.scenarios) {
    agreement.check(scenario.request);
    auto bound = bind_request(*policy, scenario.request, "request");
    if (!bound.facts) continue;
    for (int m = 0; m < 40; ++m) agreement.check(mutate(*policy, *bound.facts, rng));
  }
  agreement.report();
  CHECK(agreement.readings_relied_on > 50);  // the interpretations check is exercised
  // The mutations reach every outcome the rule set can give, not only denials.
  CHECK(agreement.outcomes["permitted"] > 0);
  CHECK(agreement.outcomes["denied"] > 0);
  CHECK(agreement.outcomes["undetermined"] > 0);
}

TEST_CASE("fast decide agrees with decide on random § 6103 requests over the declared domains") {
  auto policy = builtin();
  Agreement agreement(policy);
  std::mt19937_64 rng(42);
  for (int unknown_percent : {0, 20, 60, 95})
    for (int i = 0; i < 1000; ++i) agreement.check(random_request(*policy, rng, unknown_percent));
  agreement.report();
  CHECK(agreement.decisions == 4000);
}

TEST_CASE("fast decide agrees on the toy benchmark policy and on generated rule sets") {
  auto toy = load_rule_set(std::string(PROVISO_SOURCE_DIR) + "/bench/toy");
  INFO(render_all(toy.diagnostics, toy.sources));
  REQUIRE(toy.policy);
  Agreement on_toy(toy.policy);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) on_toy.check(random_request(*toy.policy, rng, i % 2 ? 0 : 15));
  on_toy.report();
  CHECK(on_toy.outcomes["permitted"] > 0);

  for (int size : {10, 300}) {  // 300 rules: the rule index is in use
    auto generated = load_rule_set_from_texts({{"proviso.yaml", rulegen::manifest()}, {"rules.proviso", rulegen::rules(size)}}, "generated");
    INFO(render_all(generated.diagnostics, generated.sources));
    REQUIRE(generated.policy);
    Agreement agreement(generated.policy);
    for (int i = 0; i < 1500; ++i) agreement.check(rulegen::request(rng, i % 3 == 0));
    agreement.report();
    CHECK(agreement.outcomes["permitted"] > 0);
  }
}

TEST_CASE("the streaming binder declines what only the full binder can diagnose or order") {
  auto policy = builtin();
  CompiledPolicy compiled(policy);
  FastBinder binder(compiled);
  auto facts = compiled.make_facts();
  const char* declined[] = {
      R"({"recipient": {"kind": "federal_agency"}} x)",                   // trailing content
      R"({"recipient": {"kind": "federal_agency", "kind": "state_agency"}})",  // duplicate key
      R"({"recipient.kind": "federal_agency"})",                          // dotted key
      R"({"recipient": {"kind": "no_such_kind"}})",                       // not a value of the enum
      R"({"no_such_fact": true})",                                        // not a fact
      R"({"request": {"in_writing": "yes"}})",                            // wrong type
      R"({"request": {"in_writing": tru}})",                              // bad literal
      R"({"request": 1})",                                                // a group given a scalar
      "recipient:\n  kind: federal_agency\n",                             // YAML
      "[]", "", "{",
  };
  for (const char* text : declined) {
    INFO(text);
    CHECK_FALSE(binder.bind(text, facts));
  }
  if (FastBinder::streaming()) {
    CHECK(binder.bind(R"( {"recipient": {"kind": "federal_agency"}, "request": {"in_writing": null}} )", facts));
    CHECK(binder.bind(R"({"recipient": {"kind": "federal_\u0061gency"}})", facts));  // escapes are decoded
    const auto slot = policy->fact_index.at("recipient.kind");
    CHECK(facts.known[slot] == 1);
    CHECK(facts.cells[slot] == static_cast<std::uint64_t>(policy->enums[policy->facts[slot].type.enum_id].index_of("federal_agency")));
    // Keys and set items are matched as raw text first; with an escape they are decoded as well.
    CHECK(binder.bind(R"({"recip\u0069ent": {"kind": "state_agency"}, "disclosure": {"items": ["return", "tax\u0070ayer_name"]}})", facts));
    CHECK(facts.cells[slot] == static_cast<std::uint64_t>(policy->enums[policy->facts[slot].type.enum_id].index_of("state_agency")));
    const auto items = policy->fact_index.at("disclosure.items");
    const auto& item_enum = policy->enums[policy->facts[items].type.enum_id];
    CHECK(facts.cells[items] == ((std::uint64_t{1} << item_enum.index_of("return")) | (std::uint64_t{1} << item_enum.index_of("taxpayer_name"))));
    CHECK_FALSE(binder.bind(R"({"recipient": {"kind": "federal_agency\n"}})", facts));  // an escape that decodes to no value
  }
}

TEST_CASE("the decision line path answers errors with the full binder's diagnostic") {
  auto policy = builtin();
  auto compiled = std::make_shared<const CompiledPolicy>(policy);
  FastDecider decider(compiled);
  std::string out;
  decider.decide_line(R"({"request": {"in_writing": "yes"}})", out);
  CHECK(decider.last_was_error());
  CHECK(json::parse(out)["error"]["code"] == "E403");
  out.clear();
  decider.decide_line(R"({"holder": {"kind": "irs_employee"}})", out);
  CHECK_FALSE(decider.last_was_error());
  auto line = json::parse(out);
  CHECK(line.contains("decision"));
  CHECK(line["authorities"].is_array());
}

TEST_CASE("fast decide agrees on the generated 10,000-rule set, with unknown facts and with every fact known") {
  // The scale benchmark's rule set (bench/rulegen.hpp): the rule index, the
  // shared leaves and the deferred rules (an unknown primary-guard fact) all in use.
  RuleSetFiles files{{"proviso.yaml", rulegen::manifest()}};
  const std::string text = rulegen::rules(10000);
  for (std::size_t start = 0; start < text.size();) {  // under the parser's 1 MiB file limit
    std::size_t end = start + 400000 >= text.size() ? text.size() : text.find("\nrule ", start + 400000);
    if (end == std::string::npos) end = text.size();
    files.emplace_back("rules" + std::to_string(files.size()) + ".proviso", text.substr(start, end - start + (end < text.size() ? 1 : 0)));
    start = end + (end < text.size() ? 1 : 0);
  }
  auto generated = load_rule_set_from_texts(files, "generated");
  INFO(render_all(generated.diagnostics, generated.sources));
  REQUIRE(generated.policy);
  REQUIRE(generated.policy->rules.size() == 10001);
  Agreement agreement(generated.policy);
  std::mt19937_64 rng(10000);
  for (int i = 0; i < 120; ++i) agreement.check(rulegen::request(rng, true));
  const auto with_unknowns = agreement.outcomes;
  for (int i = 0; i < 60; ++i) agreement.check(rulegen::request(rng, false));
  agreement.report();
  CHECK(agreement.decisions == 180);
  CHECK(with_unknowns.size() >= 2);  // not one outcome for every request
}

namespace {

// A rule set of `filler` unrelated rules (so the rule index spans several
// words) and the rules under test, whose guard fact `k` is the primary guard.
std::shared_ptr<const Policy> with_filler(const std::string& rules, int filler) {
  std::string text = "enum kind \"a kind\" { a b c d }\nfact k : kind \"k\"\nfact p : bool \"p\"\nfact q : bool \"q\"\nfact z : kind \"z\"\n";
  for (int i = 0; i < filler; ++i) text += "rule filler" + std::to_string(i) + " permit\n  cite \"§ f\"\n  when z == d\n";
  text += rules;
  auto loaded = load_rule_set_from_texts({{"proviso.yaml", "name: t\nversion: 1.0.0\njurisdiction: test\ntitle: t\ngeneral_rule: general_rule\n"},
                                          {"rules.proviso", text}}, "t");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  return loaded.policy;
}

}  // namespace

TEST_CASE("a deferred rule (its primary guard fact unknown) still decides what it can decide") {
  // Each rule set: a rule the request leaves at most unknown because `k` is
  // unknown, in the one position where that unknown changes the outcome.
  const char* sets[] = {
      // a limit that may be in force against the one permit that applies: undetermined, not permitted
      "rule general_rule forbid\n  cite \"§ 1\"\nrule grant permit\n  cite \"§ 2\"\n  exception to general_rule\n  when p\n"
      "rule bar limit\n  cite \"§ 3\"\n  exception to grant\n  when all of { k == a  q }\n",
      // a permit that may be in force against the general forbid: undetermined, not denied
      "rule general_rule forbid\n  cite \"§ 1\"\nrule grant permit\n  cite \"§ 2\"\n  exception to general_rule\n  when all of { k == b  p }\n",
      // a forbid that may be in force beside a permit in force: undetermined, not permitted
      "rule general_rule forbid\n  cite \"§ 1\"\nrule grant permit\n  cite \"§ 2\"\n  exception to general_rule\n  when p\n"
      "rule ban forbid\n  cite \"§ 4\"\n  when all of { k in {c, d}  q }\n",
      // a deferred exception to a deferred exception: the permit it guards is at most unknown anyway
      "rule general_rule forbid\n  cite \"§ 1\"\nrule grant permit\n  cite \"§ 2\"\n  exception to general_rule\n  when all of { k == a  p }\n"
      "rule bar limit\n  cite \"§ 3\"\n  exception to grant\n  when all of { k == b  q }\n",
  };
  std::mt19937_64 rng(5);
  for (const char* rules : sets) {
    for (int filler : {0, 100}) {  // one word (and, with defer_always, deferring) and several words
      INFO(rules << "with " << filler << " filler rules");
      auto policy = with_filler(rules, filler);
      Agreement agreement(policy);
      for (const char* p : {"true", "false", "null"})
        for (const char* q : {"true", "false", "null"})
          for (const char* k : {"\"a\"", "\"b\"", "\"c\"", "null"})
            for (const char* z : {"\"a\"", "\"d\"", "null"})
              agreement.check(json::parse(std::string(R"({"p": )") + p + R"(, "q": )" + q + R"(, "k": )" + k + R"(, "z": )" + z + "}"));
      agreement.report();
      CHECK(agreement.outcomes["undetermined"] > 0);
      CHECK(agreement.decisions == 108);
    }
  }
}
