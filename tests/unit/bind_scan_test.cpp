// The request scanner (engine/bind_scan.cpp) and the streaming binder that
// runs it first (FastBinder), against the full binder (parse_request): on
// random requests written with varied layout and values, and on byte
// mutations of them (truncations; inserted, deleted, changed and repeated
// bytes; escapes, non-ASCII and control bytes; duplicate and dotted keys;
// nesting past the limit; limits set low), whenever the scanner binds a text
// the full binder accepts it too, with the same facts and the same decision.
// "The same facts" is on the facts decide() reads (CompiledPolicy::
// string_use): the fast path's contract, since its output is the decision.
// The text is the end of an allocation of exactly its size and the padding,
// so the sanitizer build (scripts/sanitize.sh) fails on any read past that.
#include <doctest/doctest.h>

#include <memory>
#include <random>

#include "engine/bind_fast.hpp"
#include "engine/bind_scan.hpp"
#include "engine/load.hpp"

using namespace proviso;

namespace {

// Every kind of fact, groups three deep, a string read as text (`name ==
// label`), one read only against a constant, one no rule reads, and an interpretation.
const char* kRules = R"(enum kind "a kind" { alpha beta gamma delta }
enum item "an item" { one two three four five }
interpretation broad "the broad reading" cite "§ 0" default false
fact flag : bool "a flag"
fact count : integer "a count"
fact amount : decimal "an amount"
fact name : string "a name"
fact label : string "a label"
fact remark : string "a remark no rule reads"
fact items : set of item "the items"
fact a.on : date "a date"
fact a.b.kind : kind "a kind"
fact a.b.c.deep : kind "a deep kind"
fact a.b.c.level : integer "a level no rule reads"
rule general_rule forbid
  cite "§ 1"
rule r1 permit
  cite "§ 2"
  exception to general_rule
  when all of {
    flag "the flag"
    count > 3 "more than three"
    items superset of {one, two} "one and two"
  }
rule r2 permit
  cite "§ 3"
  exception to general_rule
  when any of {
    name == label "the name is the label"
    label == "x" "the label is x"
    broad "the broad reading"
  }
rule r3 forbid
  cite "§ 4"
  exception to r1, r2
  when all of {
    a.b.c.deep == beta "deep beta"
    a.on < 2020-01-01 "before 2020"
    a.b.kind in {gamma, delta} "gamma or delta"
    amount > 2.5 "more than 2.5"
  }
)";

std::shared_ptr<const Policy> load_policy(const std::string& which) {
  LoadResult loaded;
  if (which == "builtin") loaded = load_builtin_rule_set();
  else if (which == "toy") loaded = load_rule_set(std::string(PROVISO_SOURCE_DIR) + "/bench/toy");
  else loaded = load_rule_set_from_texts({{"proviso.yaml", "name: scan\nversion: 1.0.0\njurisdiction: test\ntitle: t\ngeneral_rule: general_rule\n"},
                                          {"rules.proviso", kRules}}, "scan");
  INFO(render_all(loaded.diagnostics, loaded.sources));
  REQUIRE(loaded.policy);
  return loaded.policy;
}

// The text at the end of an allocation of exactly its size and the padding.
// The request's size is the caller's to check (FastBinder does), so here too.
bool scan(binding::Tables& tables, const std::string& text, FastFacts& out) {
  if (text.size() > tables.limits.max_bytes) return false;
  std::unique_ptr<char[]> buffer(new char[text.size() + binding::kPadding]);
  std::memcpy(buffer.get(), text.data(), text.size());
  std::memset(buffer.get() + text.size(), 0, binding::kPadding);
  out.reset();
  return binding::scan_request(tables, buffer.get(), buffer.get() + text.size(), out);
}

// Writes requests as text, the layout and the values varied; when not
// `clean`, with wrong values and keys among them; when `plain`, only what the
// scanner reads (no escapes, non-ASCII, large integers, decimal or duration
// facts), so it must bind every one the full binder accepts.
struct Writer {
  const Policy& policy;
  std::mt19937_64& rng;
  std::string out;
  bool clean = true;
  bool plain = false;  // (implies clean)
  long flaw_at = -1;    // when plain: the value (counting down) written from the wrong values instead

  std::uint64_t pick(std::uint64_t n) { return rng() % n; }
  template <class T, std::size_t N>
  const T& one_of(const T (&items)[N]) { return items[pick(N)]; }

  void space() {
    static const char* kSpaces[] = {"", "", "", "", "", " ", "\n  ", "\t", "\r\n", "  "};
    out += one_of(kSpaces);
  }
  // A key as written: mostly plain, sometimes with an escape that decodes to it.
  void key(const std::string& name) {
    out += '"';
    if (!plain && !name.empty() && pick(12) == 0) {
      const auto at = pick(name.size());
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(name[at]));
      out += name.substr(0, at) + escaped + name.substr(at + 1);
    } else {
      out += name;
    }
    out += '"';
    space();
    out += ':';
    space();
  }
  void string_of(const std::string& text) { out += '"' + text + '"'; }

  void value(const FactInfo& fact) {
    if (plain && flaw_at-- == 0) {  // one wrong value in a text otherwise plain: the scanner must see it
      plain = clean = false;
      value(fact);
      plain = clean = true;
      return;
    }
    if (!clean && pick(10) == 0) {
      static const char* kOdd[] = {"null", "null", "true", "7", "\"x\"", "[]", "{}", "nul", "-", "1.5"};
      out += one_of(kOdd);
      return;
    }
    switch (fact.type.kind) {
      case TypeKind::boolean: out += pick(2) ? "true" : "false"; break;
      case TypeKind::integer: {
        // The first nine are valid, the last four integers only to the full binder.
        static const char* kIntegers[] = {"0", "4", "3", "-3", "17", "123456789012345678", "-123456789012345678", "9", "-1",
                                          "1234567890123456789", "9223372036854775807", "-9223372036854775808", "-0",
                                          "9223372036854775808", "01", "4.0", "4e0", "4E1", "-", "00", "1x"};
        out += pick(3) ? kIntegers[pick(plain ? 9 : clean ? 13 : std::size(kIntegers))] : std::to_string(static_cast<std::int64_t>(pick(20)) - 5);
        break;
      }
      case TypeKind::decimal: {
        static const char* kDecimals[] = {"2.5", "3", "-0.0", "1e2", "3.75", "0"};
        out += one_of(kDecimals);
        break;
      }
      case TypeKind::date: {
        static const char* kDates[] = {"\"2019-12-31\"", "\"2020-01-01\"", "\"2018-06-15\"", "\"2018-06-1\\u0035\"", "\"2020-02-30\"", "\"2020-1-1\"", "20200101"};
        out += kDates[pick(plain ? 3 : clean ? 4 : std::size(kDates))];
        break;
      }
      case TypeKind::string: {
        static const char* kStrings[] = {"\"x\"", "\"x\"", "\"\"", "\"head_of_agency\"", "\"none\"", "\"y z\"", "\"caf\\u00e9\"", "\"caf\xc3\xa9\"",
                                         "\"a\\\"b\"", "\"\\u0078\"", "\"a long string of some forty bytes or so\"", "\"\x7f\"", "\"tab\there\"", "\"\xc3\""};
        out += kStrings[pick(plain ? 6 : clean ? 12 : std::size(kStrings))];
        break;
      }
      case TypeKind::enumeration: enum_value(policy.enums[fact.type.enum_id]); break;
      case TypeKind::set: {
        const auto& e = policy.enums[fact.type.enum_id];
        out += '[';
        space();
        const auto n = pick(5);
        for (std::uint64_t i = 0; i < n; ++i) {
          if (i) { space(); out += ','; space(); }
          if (!clean && pick(25) == 0) out += pick(2) ? "null" : "[\"a\"]";
          else enum_value(e);
        }
        space();
        out += ']';
        break;
      }
      case TypeKind::duration: out += "3"; break;
    }
  }
  void enum_value(const EnumType& e) {
    const auto& v = e.values[pick(e.values.size())];
    switch (plain ? 19 : clean ? 3 + pick(17) : pick(20)) {
      case 0: string_of("no_such_value"); break;
      case 1: string_of(v.substr(0, v.size() / 2)); break;
      case 2: string_of(v + " "); break;
      case 3: string_of("\\u00" + std::string(v[0] == 'a' ? "61" : "62") + v.substr(1)); break;
      default: string_of(v);
    }
  }

  struct Group {
    std::map<std::string, Group> kids;
    const FactInfo* fact = nullptr;
  };
  void object(const Group& group, bool top) {
    std::vector<std::pair<std::string, const Group*>> members;
    for (const auto& [name, kid] : group.kids) {
      const bool unread_by_scanner = kid.fact && (kid.fact->type.kind == TypeKind::decimal || kid.fact->type.kind == TypeKind::duration);
      if (pick(8) && !(plain && unread_by_scanner)) members.emplace_back(name, &kid);
    }
    std::shuffle(members.begin(), members.end(), rng);
    if (!clean && !members.empty() && pick(20) == 0) members.push_back(members[pick(members.size())]);  // a duplicate key
    out += '{';
    space();
    bool first = true;
    auto comma = [&] {
      if (!first) { space(); out += ','; space(); }
      first = false;
    };
    for (const auto& [name, kid] : members) {
      comma();
      key(name);
      if (kid->fact) value(*kid->fact);
      else if (!clean && pick(30) == 0) out += "null";
      else object(*kid, false);
    }
    if (top && pick(4) == 0) {
      comma();
      interpretations();
    }
    if (!clean && pick(30) == 0) {
      comma();
      key(pick(2) ? "zzz" : "a.b.kind");  // an unknown key or a dotted one
      out += pick(2) ? "1" : "\"alpha\"";
    }
    if (!clean && pick(40) == 0) {
      comma();
      key("zzz");
      out += std::string(40, '[') + std::string(40, ']');
    }
    space();
    out += '}';
  }
  void interpretations() {
    key("interpretations");
    out += '{';
    std::vector<std::string> names;
    for (const auto& i : policy.interpretations) names.push_back(i.name);
    std::shuffle(names.begin(), names.end(), rng);
    if (!clean) names.push_back("no_such_reading");
    const auto n = clean ? pick(names.size() + 1) : pick(4);
    for (std::uint64_t i = 0; i < n && !names.empty(); ++i) {
      if (i) out += ',';
      key(clean ? names[i] : names[pick(names.size())]);
      static const char* kSettings[] = {"true", "false", "null", "1", "\"true\""};
      out += kSettings[pick(clean ? 3 : std::size(kSettings))];
    }
    out += '}';
  }

  std::string request() {
    Group root;
    for (const auto& fact : policy.facts) {
      Group* at = &root;
      std::size_t start = 0;
      for (auto dot = fact.path.find('.'); ; dot = fact.path.find('.', start)) {
        at = &at->kids[fact.path.substr(start, dot - start)];
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      at->fact = &fact;
    }
    out.clear();
    space();
    object(root, true);
    space();
    return out;
  }
};

void mutate(std::string& text, std::mt19937_64& rng) {
  static const char kBytes[] = "{}[]\":,\\019-.eEtfnaz \t\n\ru\x01\x1f\x7f\x80\xc3\xff";
  const auto changes = 1 + rng() % 3;
  for (std::uint64_t c = 0; c < changes && !text.empty(); ++c) {
    const auto at = rng() % text.size();
    const char byte = rng() % 40 == 0 ? '\0' : kBytes[rng() % (sizeof kBytes - 1)];
    switch (rng() % 5) {
      case 0: text.resize(at); break;
      case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
      case 2: text.erase(at, 1); break;
      case 3: text[at] = byte; break;
      case 4: text.insert(at, text.substr(at, rng() % 12)); break;
    }
  }
}

struct Tally {
  std::size_t scanned = 0, declined_but_valid = 0, refused = 0, failures = 0;
  std::size_t plain_declined = 0;  // plain texts the full binder accepts and the scanner declined
  std::string first_failure, first_plain_declined;
};

// What decide() reads of `a` and `b` is the same.
bool same_read_facts(const CompiledPolicy& compiled, const FastFacts& a, const FastFacts& b) {
  for (std::size_t slot = 0; slot < a.slot_count(); ++slot) {
    const auto use = compiled.string_use(static_cast<std::int32_t>(slot));
    if (use == CompiledPolicy::StringUse::unread) continue;
    if (a.known[slot] != b.known[slot]) return false;
    if (!a.known[slot]) continue;
    if (a.cells[slot] != b.cells[slot]) return false;
    if (use != CompiledPolicy::StringUse::text) continue;
    const auto kept = static_cast<std::size_t>(compiled.text_index(static_cast<std::int32_t>(slot)));
    if (a.text(kept) != b.text(kept)) return false;
  }
  return std::equal(a.interpretations, a.interpretations + a.interpretation_count(), b.interpretations,
                    b.interpretations + b.interpretation_count());
}

void check_text(const CompiledPolicy& compiled, binding::Tables& tables, FastBinder& binder, const RequestLimits& limits,
                const std::string& text, bool plain, Tally& tally) {
  auto fail = [&](const std::string& what) {
    if (++tally.failures == 1) tally.first_failure = what + " for: " + text;
  };
  auto reference = compiled.make_facts(), scanned = compiled.make_facts(), streamed = compiled.make_facts();
  auto scratch = compiled.make_scratch();
  const auto full = parse_request(compiled.policy(), text, "request", RequestFormat::json, limits);
  if (full.facts) compiled.load_facts(*full.facts, reference);
  const bool by_scanner = scan(tables, text, scanned);
  const bool by_binder = binder.bind(text, streamed);
  if (!full.facts) {
    ++tally.refused;
    if (by_scanner) fail("the scanner bound a request the full binder refuses");
    if (by_binder) fail("the streaming binder bound a request the full binder refuses");
    return;
  }
  if (by_scanner) ++tally.scanned;
  else ++tally.declined_but_valid;
  if (plain && !by_scanner) {
    ++tally.plain_declined;
    if (tally.first_plain_declined.empty()) tally.first_plain_declined = text;
  }
  const auto outcome = compiled.decide(reference, scratch);
  const auto authorities = scratch.authorities;
  for (auto [bound, facts, who] : {std::tuple{by_scanner, &scanned, "the scanner"}, std::tuple{by_binder, &streamed, "the streaming binder"}}) {
    if (!bound) continue;
    if (!same_read_facts(compiled, reference, *facts)) fail(std::string(who) + " bound different facts");
    if (compiled.decide(*facts, scratch) != outcome || scratch.authorities != authorities) fail(std::string(who) + ": a different decision");
  }
}

Tally run(const std::string& which, const RequestLimits& limits, int requests, std::uint64_t seed) {
  auto policy = load_policy(which);
  CompiledPolicy compiled(policy);
  binding::Tables tables(compiled, limits);
  FastBinder binder(compiled, limits);
  std::mt19937_64 rng(seed);
  Writer writer{*policy, rng, {}};
  Tally tally;
  for (int i = 0; i < requests; ++i) {
    writer.plain = i % 3 == 0;
    writer.clean = i % 3 != 2;
    const bool flawed = writer.plain && i % 2 == 1;
    writer.flaw_at = flawed ? static_cast<long>(rng() % 8) : -1;
    std::string text = writer.request();
    check_text(compiled, tables, binder, limits, text, writer.plain && !flawed, tally);
    for (int m = 0; m < 3; ++m) {
      std::string mutated = text;
      mutate(mutated, rng);
      check_text(compiled, tables, binder, limits, mutated, false, tally);
    }
  }
  return tally;
}

}  // namespace

TEST_CASE("the request scanner binds only what the full binder accepts, and binds it alike") {
  for (const std::string which : {"scan", "toy", "builtin"}) {
    const auto tally = run(which, RequestLimits{}, 2500, 11);
    INFO(which << ": scanned " << tally.scanned << ", declined but valid " << tally.declined_but_valid << ", refused " << tally.refused
                << "; first failure: " << tally.first_failure << "; first plain text declined: " << tally.first_plain_declined);
    CHECK(tally.failures == 0);
    // What a client usually sends, the scanner binds: the common case never
    // goes through simdjson.
    CHECK(tally.plain_declined == 0);
    // Each branch is exercised: texts bound by the scanner, valid texts it
    // leaves to the binders behind it, and invalid texts.
    CHECK(tally.scanned > 500);
    CHECK(tally.declined_but_valid > 100);
    CHECK(tally.refused > 1000);
  }
}

TEST_CASE("the request scanner keeps to the request limits as the full binder counts them") {
  std::mt19937_64 rng(413);
  std::size_t scanned = 0;
  for (int round = 0; round < 60; ++round) {
    RequestLimits limits;
    limits.max_values = 2 + rng() % 40;
    limits.max_depth = 1 + static_cast<unsigned>(rng() % 5);
    limits.max_string_bytes = rng() % 30;
    limits.max_bytes = 40 + rng() % 900;
    const auto tally = run(round % 2 ? "scan" : "toy", limits, 40, rng());
    INFO("limits: values " << limits.max_values << ", depth " << limits.max_depth << ", string bytes " << limits.max_string_bytes
                           << ", bytes " << limits.max_bytes << "; first failure: " << tally.first_failure);
    CHECK(tally.failures == 0);
    scanned += tally.scanned;
  }
  CHECK(scanned > 100);
}

TEST_CASE("the request scanner reads a strict subset of JSON") {
  auto policy = load_policy("scan");
  CompiledPolicy compiled(policy);
  binding::Tables tables(compiled, RequestLimits{});
  auto facts = compiled.make_facts();
  const auto count = policy->fact_index.at("count"), deep = policy->fact_index.at("a.b.c.deep"), items = policy->fact_index.at("items");
  CHECK(scan(tables, " \t\r\n{ \"count\" :\n-42 , \"a\": {\"b\": {\"c\": {\"deep\": \"gamma\"}}}, \"items\": [ \"two\",\"one\" ] }\n", facts));
  CHECK(static_cast<std::int64_t>(facts.cells[count]) == -42);
  CHECK(facts.cells[deep] == 2);
  CHECK(facts.cells[items] == 3);
  CHECK(scan(tables, R"({"count": null, "items": [], "a": {}, "interpretations": {"broad": true}})", facts));
  CHECK(facts.known[count] == 0);
  CHECK(facts.known[items] == 1);
  CHECK(facts.cells[items] == 0);
  CHECK(facts.interpretations[0] == 1);
  CHECK(scan(tables, "{}", facts));
  // Declined: each is either refused by the full binder or read by it in a
  // way the scanner leaves to the binders behind it.
  const char* declined[] = {
      R"({"count": -0})", R"({"count": 01})", R"({"count": 1.0})", R"({"count": 1e2})", R"({"count": 1234567890123456789})",
      R"({"name": "caf\u00e9"})", "{\"name\": \"caf\xc3\xa9\"}", "{\"name\": \"a\tb\"}", R"({"n\u0061me": "x"})",
      R"({"name": "x", "name": "y"})", R"({"name": "x"} )" "x", R"({"name": "x",})",
      R"({"amount": 2})", R"({"a.on": "2020-01-01"})", R"({"a": null})", R"({"a": {"on": "2020-02-30"}})", R"({"zzz": 1})",
      R"({"interpretations": {"broad": 1}})", R"({"interpretations": {"broad": true, "broad": false}})", R"({"items": ["one", null]})",
      R"({"items": ["one",]})", "[]", "", "{", R"({"flag": tru})", R"({"flag": truex})",
  };
  for (const char* text : declined) {
    INFO(text);
    CHECK_FALSE(scan(tables, text, facts));
  }
  // A NUL inside the text, not only after it.
  CHECK_FALSE(scan(tables, std::string("{\"flag\": true}\0", 15), facts));
  CHECK(scan(tables, std::string("{\"flag\": true}", 14), facts));
}
