#include "tests/differential/generator.hpp"

#include <algorithm>
#include <cstdio>

namespace proviso::difftest {
namespace {

using nlohmann::json;

// Literals and request values share small ranges so conditions go both ways.
constexpr int kDayLow = 19692, kDaySpan = 120;  // 2023-12-01 .. 2024-03-29

std::string iso_date(int days) {
  // Civil from days (Howard Hinnant's algorithm), written here rather than
  // taken from the engine so the requests do not depend on the code under test.
  int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = yoe + era * 400;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", y, m, d);
  return out;
}

class Generator {
 public:
  explicit Generator(std::mt19937_64& rng) : rng_(rng) {}

  GeneratedRuleSet run() {
    GeneratedRuleSet out;
    vocabulary();
    out.vocabulary = vocab_;
    std::string text;
    for (const auto& e : vocab_.enums) {
      text += "enum " + e.name + (chance(2) ? " \"an enum\"" : "") + " {";
      for (const auto& v : e.values) text += " " + v + (chance(4) ? " \"a value\"" : "");
      text += " }\n";
    }
    static const char* const kTypes[] = {"bool", "integer", "decimal", "date", "string"};
    for (const auto& f : vocab_.facts) {
      std::string type = f.kind == FactKind::enumeration ? vocab_.enums[f.enum_id].name
                         : f.kind == FactKind::set       ? "set of " + vocab_.enums[f.enum_id].name
                                                         : kTypes[static_cast<int>(f.kind)];
      text += "fact " + f.path + " : " + type + " \"a fact\"" + (chance(6) ? " fixed" : "") + "\n";
    }
    for (const auto& name : vocab_.interpretations)
      text += "interpretation " + name + " \"a reading\" cite \"§ 9\" default " + (chance(2) ? "true" : "false") + "\n";
    const int definitions = pick(0, 3);
    for (int d = 0; d < definitions; ++d) {
      const std::string name = "def" + std::to_string(d);
      text += "definition " + name + " \"a defined term\" cite \"§ 8(" + std::to_string(d) + ")\"\n  means " + condition(0) + "\n";
      definitions_.push_back(name);  // later definitions and rules may use it
    }
    // Rule i may be an exception only to rules declared before it, so the
    // exception graph is acyclic; the declarations are then shuffled.
    struct Rule {
      std::string id, effect;
      std::vector<int> exception_to;
      std::string when;
    };
    std::vector<Rule> rules;
    rules.push_back({"general_rule", "forbid", {}, chance(3) ? condition(0) : ""});
    const int count = pick(2, 8);
    for (int r = 1; r <= count; ++r) {
      Rule rule;
      rule.id = "r" + std::to_string(r);
      const int effect = pick(0, 9);
      rule.effect = effect < 5 ? "permit" : effect < 8 ? "limit" : "forbid";
      const int targets = rule.effect == "limit" ? pick(1, 2) : pick(0, 2);
      for (int t = 0; t < targets; ++t) {
        int target = pick(0, r - 1);
        if (std::find(rule.exception_to.begin(), rule.exception_to.end(), target) == rule.exception_to.end())
          rule.exception_to.push_back(target);
      }
      if (rule.effect == "permit" && rule.exception_to.empty() && chance(2)) rule.exception_to.push_back(0);
      rule.when = chance(8) ? "" : condition(0);
      rules.push_back(std::move(rule));
    }
    std::vector<int> order(rules.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::shuffle(order.begin(), order.end(), rng_);
    for (int i : order) {
      const auto& rule = rules[i];
      text += "rule " + rule.id + " " + rule.effect + "\n  cite \"§ " + std::to_string(i + 1) + "\"\n";
      if (!rule.exception_to.empty()) {
        text += "  exception to ";
        for (std::size_t t = 0; t < rule.exception_to.size(); ++t) text += (t ? ", " : "") + rules[rule.exception_to[t]].id;
        text += "\n";
      }
      if (!rule.when.empty()) text += "  when " + rule.when + "\n";
      if (rule.effect == "permit" && chance(3)) text += "  oblige \"keep a record\"\n";
    }
    out.rules = std::move(text);
    out.manifest = "name: random\nversion: 1.0.0\njurisdiction: test\ntitle: a random rule set\ngeneral_rule: general_rule\n";
    return out;
  }

 private:
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  bool chance(int one_in) { return pick(1, one_in) == 1; }
  template <class T>
  const T& any(const std::vector<T>& items) { return items[pick(0, static_cast<int>(items.size()) - 1)]; }

  void vocabulary() {
    const int enums = pick(1, 3);
    for (int e = 0; e < enums; ++e) {
      GenEnum type{"kind" + std::to_string(e), {}};
      const int values = pick(1, 5);
      for (int v = 0; v < values; ++v) type.values.push_back("k" + std::to_string(e) + "v" + std::to_string(v));
      if (chance(3)) type.values.push_back("other");  // a value two enums share: bare, it needs context
      vocab_.enums.push_back(std::move(type));
    }
    // Fact paths: two groups and some nested ones; no path is a prefix of another.
    static const char* const kGroups[] = {"req", "rec", "holder.info"};
    int serial = 0;
    auto add = [&](FactKind kind, int enum_id = -1) {
      const std::string path = std::string(kGroups[pick(0, 2)]) + ".f" + std::to_string(serial++);
      vocab_.facts.push_back({path, kind, enum_id});
    };
    for (int i = pick(1, 3); i > 0; --i) add(FactKind::boolean);
    for (int i = pick(1, 2); i > 0; --i) add(FactKind::integer);
    for (int i = pick(0, 2); i > 0; --i) add(FactKind::decimal);  // two, so a sum of two decimals occurs
    for (int i = pick(0, 2); i > 0; --i) add(FactKind::date);
    for (int i = pick(0, 1); i > 0; --i) add(FactKind::string);
    for (int i = pick(1, 3); i > 0; --i) add(FactKind::enumeration, pick(0, enums - 1));
    for (int i = pick(0, 2); i > 0; --i) add(FactKind::set, pick(0, enums - 1));
    for (int i = pick(0, 2); i > 0; --i) vocab_.interpretations.push_back("reading" + std::to_string(i));
  }

  std::vector<const GenFact*> facts_of(FactKind kind) const {
    std::vector<const GenFact*> out;
    for (const auto& f : vocab_.facts)
      if (f.kind == kind) out.push_back(&f);
    return out;
  }

  std::string date_literal() { return iso_date(kDayLow + pick(0, kDaySpan)); }
  std::string phrase() { return chance(3) ? " \"a condition holds\"" + std::string(chance(3) ? " cite \"(c)\"" : "") : ""; }

  std::string set_literal(const GenEnum& type) {
    std::string out = "{";
    bool first = true;
    for (const auto& v : type.values)
      if (chance(2)) {
        out += (first ? "" : ", ") + v;
        first = false;
      }
    return out + "}";
  }

  std::string comparison_op(bool ordered) {
    static const char* const kOrdered[] = {"==", "!=", "<", "<=", ">", ">="};
    return ordered ? kOrdered[pick(0, 5)] : (chance(2) ? "==" : "!=");
  }

  std::string integer_term() {
    auto ints = facts_of(FactKind::integer);
    switch (pick(0, 5)) {
      case 0: return std::to_string(pick(-3, 15));
      case 1: return "(" + any(ints)->path + " + " + std::to_string(pick(0, 5)) + ")";
      case 2: return "(" + any(ints)->path + " - " + any(ints)->path + ")";
      case 3: return "(-" + any(ints)->path + ")";
      default: return any(ints)->path;
    }
  }

  // A comparison or test on one fact type: an atom of type bool.
  std::string atom() {
    switch (pick(0, 13)) {
      case 0: return any(facts_of(FactKind::boolean))->path;
      case 1: return integer_term() + " " + comparison_op(true) + " " + integer_term();
      case 2: {
        auto decimals = facts_of(FactKind::decimal);
        if (decimals.empty()) return atom();
        // Tenths and hundredths, which binary floating point cannot hold (0.1 + 0.2 is not 0.3 there), and quarters, which it can.
        static const char* const kFractions[] = {"1", "2", "3", "05", "25", "5", "75"};
        std::string lhs = any(decimals)->path;
        if (chance(3)) lhs = "(" + lhs + " + " + integer_term() + ")";
        else if (chance(3)) lhs = "(" + lhs + (chance(2) ? " + " : " - ") + any(decimals)->path + ")";
        const std::string rhs = chance(2) ? std::to_string(pick(0, 8)) + "." + kFractions[pick(0, 6)]
                                          : chance(2) ? std::to_string(pick(0, 8)) : any(decimals)->path;
        return lhs + " " + comparison_op(true) + " " + rhs;
      }
      case 3: {
        auto dates = facts_of(FactKind::date);
        if (dates.empty()) return atom();
        static const char* const kUnits[] = {"days", "weeks", "months", "years", "day", "month"};
        std::string lhs = any(dates)->path;
        if (chance(2)) lhs = "(" + lhs + (chance(2) ? " + " : " - ") + std::to_string(pick(1, 3)) + " " + kUnits[pick(0, 5)] + ")";
        if (chance(4)) return "(" + any(dates)->path + " - " + any(dates)->path + ") " + comparison_op(true) + " " + std::to_string(pick(-30, 30));
        return lhs + " " + comparison_op(true) + " " + (chance(4) ? any(dates)->path : date_literal());
      }
      case 4: {
        auto strings = facts_of(FactKind::string);
        if (strings.empty()) return atom();
        static const char* const kTexts[] = {"\"\"", "\"a\"", "\"b c\"", "\"\\\"q\\\"\"", "\"§\""};
        return any(strings)->path + " " + comparison_op(false) + " " + kTexts[pick(0, 4)];
      }
      case 5:
      case 6: {
        const auto& fact = *any(facts_of(FactKind::enumeration));
        const auto& type = vocab_.enums[fact.enum_id];
        switch (pick(0, 3)) {
          case 0: return fact.path + " " + comparison_op(false) + " " + any(type.values);
          case 1: return any(type.values) + " " + comparison_op(false) + " " + fact.path;  // the hint flows right to left
          case 2: return fact.path + (chance(2) ? " in " : " not in ") + set_literal(type);
          default: {
            for (const auto& other : vocab_.facts)
              if (&other != &fact && other.enum_id == fact.enum_id &&
                  (other.kind == FactKind::enumeration || other.kind == FactKind::set))
                return other.kind == FactKind::set ? fact.path + (chance(2) ? " in " : " not in ") + other.path
                                                   : fact.path + " " + comparison_op(false) + " " + other.path;
            return fact.path + " == " + any(type.values);
          }
        }
      }
      case 7:
      case 8: {
        auto sets = facts_of(FactKind::set);
        if (sets.empty()) return atom();
        const auto& fact = *any(sets);
        const auto& type = vocab_.enums[fact.enum_id];
        static const char* const kOps[] = {" subset of ", " superset of ", " intersects ", " == ", " != "};
        const char* op = kOps[pick(0, 4)];
        if (chance(3)) return any(type.values) + (chance(2) ? " in " : " not in ") + fact.path;
        for (const auto& other : sets)
          if (other != &fact && other->enum_id == fact.enum_id && chance(2)) return fact.path + op + other->path;
        return chance(4) ? set_literal(type) + op + fact.path : fact.path + op + set_literal(type);
      }
      case 9: return any(vocab_.facts).path + (chance(2) ? " is known" : " is unknown");
      case 10:
        if (!vocab_.interpretations.empty()) return any(vocab_.interpretations);
        return atom();
      case 11:
        if (!definitions_.empty()) return any(definitions_);
        return atom();
      case 12: return chance(2) ? "true" : "false";
      default: {
        auto bools = facts_of(FactKind::boolean);
        return any(bools)->path + " " + comparison_op(false) + " " + (chance(2) ? "true" : any(bools)->path);
      }
    }
  }

  // A bool expression: atoms joined by and/or/not, parenthesised, or a block.
  std::string expression(int depth) {
    if (depth > 3) return atom();
    switch (pick(0, 7)) {
      case 0: return "not " + wrapped(depth + 1);
      case 1: return wrapped(depth + 1) + " and " + wrapped(depth + 1);
      case 2: return wrapped(depth + 1) + " or " + wrapped(depth + 1);
      case 3: return wrapped(depth + 1) + " and " + wrapped(depth + 1) + " or " + wrapped(depth + 1);
      case 4: return block(depth + 1);
      default: return atom();
    }
  }

  std::string wrapped(int depth) {
    std::string e = expression(depth);
    const bool simple = e.find(' ') == std::string::npos || e.back() == '}';
    return simple && !chance(5) ? e : "(" + e + ")";
  }

  std::string block(int depth) {
    static const char* const kKinds[] = {"all of", "any of", "none of"};
    std::string out = std::string(kKinds[pick(0, 2)]) + " {";
    const int items = pick(1, 4);  // an empty block is a syntax error (E114)
    for (int i = 0; i < items; ++i) out += "\n    " + wrapped(depth + 1) + phrase();
    return out + "\n  }";
  }

  std::string condition(int depth) { return expression(depth) + phrase(); }

  std::mt19937_64& rng_;
  Vocabulary vocab_;
  std::vector<std::string> definitions_;
};

// An integer JSON value, sometimes written as a float with no fraction.
json number(std::mt19937_64& rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

}  // namespace

GeneratedRuleSet generate_rule_set(std::mt19937_64& rng) { return Generator(rng).run(); }

json generate_request(const Vocabulary& vocabulary, std::mt19937_64& rng) {
  auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); };
  json request = json::object();
  for (const auto& fact : vocabulary.facts) {
    const int roll = pick(0, 19);
    if (roll < 4) continue;  // absent: unknown
    json value;
    if (roll == 4) value = nullptr;  // null: unknown too
    else
      switch (fact.kind) {
        case FactKind::boolean: value = pick(0, 1) == 1; break;
        case FactKind::integer: value = number(rng, -3, 15); break;
        case FactKind::decimal: {  // small, so that sums meet the rules' constants: 0.1 + 0.2 against 0.3
          const int form = pick(0, 2);
          value = form == 0 ? json(pick(0, 8)) : form == 1 ? json(pick(0, 60) / 10.0) : json(pick(0, 600) / 100.0);
          break;
        }
        case FactKind::date: value = iso_date(kDayLow + pick(-10, kDaySpan + 10)); break;
        case FactKind::string: {
          static const char* const kTexts[] = {"", "a", "b c", "\"q\"", "§", "A"};
          value = kTexts[pick(0, 5)];
          break;
        }
        case FactKind::enumeration: {
          const auto& values = vocabulary.enums[fact.enum_id].values;
          value = values[pick(0, static_cast<int>(values.size()) - 1)];
          break;
        }
        case FactKind::set: {
          value = json::array();
          for (const auto& v : vocabulary.enums[fact.enum_id].values)
            if (pick(0, 1) == 1) value.push_back(v);
          break;
        }
      }
    // "a.b.c" -> request["a"]["b"]["c"]
    json* at = &request;
    std::size_t start = 0;
    while (true) {
      const auto dot = fact.path.find('.', start);
      const std::string key = fact.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) {
        (*at)[key] = value;
        break;
      }
      at = &(*at)[key];
      start = dot + 1;
    }
  }
  json interpretations = json::object();
  for (const auto& name : vocabulary.interpretations)
    if (pick(0, 2) == 0) interpretations[name] = pick(0, 1) == 1;
  if (!interpretations.empty()) request["interpretations"] = interpretations;
  return request;
}

}  // namespace proviso::difftest
