#include "tests/differential/reference_eval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace proviso::difftest {
namespace {

using nlohmann::json;
__extension__ typedef __int128 Wide;  // (__extension__: -Wpedantic would warn on the GCC type)

// Three-valued truth: a missing optional is unknown.
using Truth = std::optional<bool>;

Truth kleene_not(Truth a) { return a ? Truth(!*a) : std::nullopt; }
Truth kleene_and(Truth a, Truth b) {
  if ((a && !*a) || (b && !*b)) return false;
  if (a && b) return true;
  return std::nullopt;
}
Truth kleene_or(Truth a, Truth b) { return kleene_not(kleene_and(kleene_not(a), kleene_not(b))); }

// A value as the language describes it. Enum values are their names and sets
// are sets of names, so no type is needed to compare them.
struct Val {
  enum Kind { unknown, truth, number, date, duration, text, symbol, set } kind = unknown;
  bool b = false;
  bool integral = true;  // number: an integer, else a decimal
  long long i = 0;       // integer number, date in days, duration amount
  Wide m = 0;        // decimal number, in millionths: exact, and wide enough that no sum or product here overflows
  std::string s;         // string or enum value name; duration unit
  std::set<std::string> items;

  Wide millionths() const { return integral ? static_cast<Wide>(i) * 1'000'000 : m; }
};

Val unknown() { return {}; }
Val of_truth(Truth t) {
  Val v;
  if (t) {
    v.kind = Val::truth;
    v.b = *t;
  }
  return v;
}
Val of_int(long long i) {
  Val v;
  v.kind = Val::number;
  v.i = i;
  return v;
}
// language.md: a decimal is at most ±9,223,372,036,854.775807 (int64 millionths); past that it is unknown.
Val of_millionths(Wide m) {
  if (m > std::numeric_limits<long long>::max() || m < std::numeric_limits<long long>::min()) return {};
  Val v;
  v.kind = Val::number;
  v.integral = false;
  v.m = m;
  return v;
}

// A decimal as written ("12.75", "-0.05", "3", "1e-05"), read exactly; throws on what the generator never writes.
Wide millionths_of(const std::string& text) {
  std::size_t at = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++at;
  Wide digits = 0;
  int places = 0;
  bool fraction = false;
  for (; at < text.size() && text[at] != 'e' && text[at] != 'E'; ++at) {
    if (text[at] == '.') {
      fraction = true;
      continue;
    }
    if (text[at] < '0' || text[at] > '9' || digits > (Wide{1} << 100)) throw std::logic_error("reference: a decimal it cannot read: " + text);
    digits = digits * 10 + (text[at] - '0');
    places += fraction;
  }
  if (at < text.size()) places -= std::stoi(text.substr(at + 1));  // 1e-05: five places
  if (places > 6 || places < -12) throw std::logic_error("reference: a decimal past six places: " + text);
  for (; places < 6; ++places) digits *= 10;
  return negative ? -digits : digits;
}
Val of_date(long long days) {
  Val v;
  v.kind = Val::date;
  v.i = days;
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date, counted the slow way.
bool leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int month_days(long long y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}
long long days_of(long long y, int m, int d) {
  long long days = 0;
  for (long long year = 1970; year < y; ++year) days += leap(year) ? 366 : 365;
  for (long long year = y; year < 1970; ++year) days -= leap(year) ? 366 : 365;
  for (int month = 1; month < m; ++month) days += month_days(y, month);
  return days + d - 1;
}
void civil_of(long long days, long long& y, int& m, int& d) {
  y = 1970;
  while (days < 0) days += leap(--y) ? 366 : 365;
  while (days >= (leap(y) ? 366 : 365)) days -= leap(y++) ? 366 : 365;
  m = 1;
  while (days >= month_days(y, m)) days -= month_days(y, m++);
  d = static_cast<int>(days) + 1;
}
long long parse_iso(const std::string& text) {
  return days_of(std::stoll(text.substr(0, 4)), std::stoi(text.substr(5, 2)), std::stoi(text.substr(8, 2)));
}
// "r4" < "r10": runs of digits compare as numbers (engine/load.cpp, canonical_order).
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t i0 = i, j0 = j;
      while (i < a.size() && digit(a[i])) ++i;
      while (j < b.size() && digit(b[j])) ++j;
      std::string x = a.substr(i0, i - i0), y = b.substr(j0, j - j0);
      while (x.size() > 1 && x[0] == '0') x.erase(0, 1);
      while (y.size() > 1 && y[0] == '0') y.erase(0, 1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i, ++j;
  }
  return a.size() - i < b.size() - j;
}

// "Jan 31 + 1 month" is the last day of February: the day is clamped to the month.
long long add_months(long long days, long long months) {
  long long y;
  int m, d;
  civil_of(days, y, m, d);
  long long index = y * 12 + (m - 1) + months;
  long long ny = index >= 0 ? index / 12 : -((-index + 11) / 12);
  int nm = static_cast<int>(index - ny * 12) + 1;
  return days_of(ny, nm, std::min(d, month_days(ny, nm)));
}

class Reference {
 public:
  Reference(const std::vector<const ast::File*>& files, const json& request) : request_(request) {
    for (const auto* file : files)
      for (const auto& declaration : file->declarations) {
        if (const auto* fact = std::get_if<ast::FactDecl>(&declaration)) facts_[fact->path.value] = fact;
        else if (const auto* def = std::get_if<ast::DefinitionDecl>(&declaration)) definitions_[def->name.value] = def;
        else if (const auto* in = std::get_if<ast::InterpretationDecl>(&declaration)) interpretations_[in->name.value] = in;
        else if (const auto* rule = std::get_if<ast::RuleDecl>(&declaration)) rules_.push_back(rule);
      }
  }

  ReferenceDecision decide() {
    // in_force(r) = applies(r) and not any(in_force(e) for e exception to r)
    std::vector<Truth> force(rules_.size());
    for (std::size_t r = 0; r < rules_.size(); ++r) force[r] = in_force(r);
    std::vector<std::size_t> permits, forbids;
    bool maybe_permit = false, maybe_forbid = false;
    for (std::size_t r = 0; r < rules_.size(); ++r) {
      if (rules_[r]->effect == ast::Effect::limit) continue;  // decides nothing itself
      const bool permit = rules_[r]->effect == ast::Effect::permit;
      if (force[r] == Truth(true)) (permit ? permits : forbids).push_back(r);
      else if (!force[r]) (permit ? maybe_permit : maybe_forbid) = true;
    }
    // "some permit is in force" and "some forbid is in force", three-valued.
    const Truth permit = !permits.empty() ? Truth(true) : maybe_permit ? std::nullopt : Truth(false);
    const Truth forbid = !forbids.empty() ? Truth(true) : maybe_forbid ? std::nullopt : Truth(false);
    auto outcome_of = [](bool p, bool f) {
      return p && f ? "conflict" : p ? "permitted" : f ? "denied" : "not_applicable";
    };
    // The outcome depends on unknown facts when the possible values of the
    // two give different outcomes.
    std::set<std::string> possible;
    for (bool p : {false, true})
      for (bool f : {false, true})
        if ((!permit || *permit == p) && (!forbid || *forbid == f)) possible.insert(outcome_of(p, f));
    ReferenceDecision decision;
    decision.outcome = possible.size() == 1 ? *possible.begin() : "undetermined";
    std::set<std::size_t> authorities;
    if (decision.outcome == "permitted" || decision.outcome == "conflict") authorities.insert(permits.begin(), permits.end());
    if (decision.outcome == "denied" || decision.outcome == "conflict") authorities.insert(forbids.begin(), forbids.end());
    if (decision.outcome == "denied") {
      // ... and the limits that defeated a permit which applied.
      for (std::size_t p = 0; p < rules_.size(); ++p) {
        if (rules_[p]->effect != ast::Effect::permit || applies(p) != Truth(true)) continue;
        for (std::size_t e = 0; e < rules_.size(); ++e)
          if (rules_[e]->effect == ast::Effect::limit && is_exception_to(e, p) && force[e] == Truth(true)) authorities.insert(e);
      }
    }
    for (auto r : authorities) decision.authorities.push_back(rules_[r]->id.value);
    // language.md: listed in the canonical order, rule ids compared with digits as numbers
    // (the generated rule set is one file, so the file order plays no part).
    std::sort(decision.authorities.begin(), decision.authorities.end(), natural_less);
    return decision;
  }

 private:
  bool is_exception_to(std::size_t e, std::size_t r) const {
    for (const auto& name : rules_[e]->exception_to)
      if (name.value == rules_[r]->id.value) return true;
    return false;
  }

  Truth applies(std::size_t r) { return rules_[r]->when ? truth(rules_[r]->when->expr) : Truth(true); }

  Truth in_force(std::size_t r) {
    Truth defeated = false;
    for (std::size_t e = 0; e < rules_.size(); ++e)
      if (is_exception_to(e, r)) defeated = kleene_or(defeated, in_force(e));
    return kleene_and(applies(r), kleene_not(defeated));
  }

  Truth truth(const ast::Expr& e) {
    Val v = eval(e);
    if (v.kind == Val::unknown) return std::nullopt;
    if (v.kind != Val::truth) throw std::logic_error("reference: a condition that is not true or false");
    return v.b;
  }

  // The request's value at a dotted path, or null.
  const json* lookup(const std::string& path) const {
    const json* at = &request_;
    std::size_t start = 0;
    while (true) {
      const auto dot = path.find('.', start);
      const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!at->is_object() || !at->contains(key)) return nullptr;
      at = &(*at)[key];
      if (dot == std::string::npos) return at->is_null() ? nullptr : at;
      start = dot + 1;
    }
  }

  Val fact_value(const ast::FactDecl& fact) {
    const json* given = lookup(fact.path.value);
    if (!given) return unknown();
    const auto& type = fact.type;
    Val v;
    if (type.is_set) {
      v.kind = Val::set;
      for (const auto& item : *given) v.items.insert(item.get<std::string>());
    } else if (type.name == "bool") {
      v = of_truth(given->get<bool>());
    } else if (type.name == "integer") {
      v = of_int(given->get<long long>());
    } else if (type.name == "decimal") {
      v = given->is_number_integer() ? of_millionths(static_cast<Wide>(given->get<long long>()) * 1'000'000)
                                     : of_millionths(millionths_of(given->dump()));  // the shortest text of the double, as sent
    } else if (type.name == "date") {
      v = of_date(parse_iso(given->get<std::string>()));
    } else {
      v.kind = type.name == "string" ? Val::text : Val::symbol;  // an enum value is its name
      v.s = given->get<std::string>();
    }
    return v;
  }

  Val name(const std::string& n) {
    if (auto it = facts_.find(n); it != facts_.end()) return fact_value(*it->second);
    if (auto it = definitions_.find(n); it != definitions_.end()) return of_truth(truth(it->second->means->expr));
    if (auto it = interpretations_.find(n); it != interpretations_.end()) {
      const json* set = request_.contains("interpretations") ? &request_["interpretations"] : nullptr;
      if (set && set->contains(n) && !(*set)[n].is_null()) return of_truth((*set)[n].get<bool>());
      return of_truth(*it->second->default_value);
    }
    Val v;  // anything else is an enum value
    v.kind = Val::symbol;
    v.s = n;
    return v;
  }

  static bool equal(const Val& a, const Val& b) {
    switch (a.kind) {
      case Val::number: return a.integral && b.integral ? a.i == b.i : a.millionths() == b.millionths();
      case Val::truth: return a.b == b.b;
      case Val::date: return a.i == b.i;
      case Val::text:
      case Val::symbol: return a.s == b.s;
      case Val::set: return a.items == b.items;
      default: throw std::logic_error("reference: cannot compare these values");
    }
  }

  static int order(const Val& a, const Val& b) {
    if (a.kind == Val::number && !(a.integral && b.integral)) {
      const Wide x = a.millionths(), y = b.millionths();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  }

  Val eval(const ast::Expr& e) {
    using K = ast::Expr::Kind;
    using B = ast::BinaryOp;
    switch (e.kind) {
      case K::boolean: return of_truth(e.bool_value);
      case K::integer: return of_int(e.int_value);
      case K::decimal: return of_millionths(millionths_of(e.text));  // from the rule file's text, not the parser's millionths
      case K::date: return of_date(parse_iso(e.text));
      case K::duration: {
        Val v;
        v.kind = Val::duration;
        v.i = e.int_value;
        v.s = e.unit == ast::DurationUnit::days ? "days" : e.unit == ast::DurationUnit::weeks ? "weeks"
              : e.unit == ast::DurationUnit::months ? "months" : "years";
        return v;
      }
      case K::string: {
        Val v;
        v.kind = Val::text;
        v.s = e.text;
        return v;
      }
      case K::name: return name(e.text);
      case K::set: {
        Val v;
        v.kind = Val::set;
        for (const auto& item : e.children) v.items.insert(item.text);
        return v;
      }
      case K::block: {
        Truth all = true, any = false;
        for (const auto& item : e.items) {
          Truth t = truth(item.expr);
          all = kleene_and(all, t);
          any = kleene_or(any, t);
        }
        return of_truth(e.block_kind == ast::BlockKind::all_of ? all : e.block_kind == ast::BlockKind::any_of ? any : kleene_not(any));
      }
      case K::unary: {
        const auto& operand = e.children[0];
        switch (e.unary_op) {
          case ast::UnaryOp::not_: return of_truth(kleene_not(truth(operand)));
          case ast::UnaryOp::is_known: return of_truth(lookup(operand.text) != nullptr);
          case ast::UnaryOp::is_unknown: return of_truth(lookup(operand.text) == nullptr);
          case ast::UnaryOp::negate: {
            Val v = eval(operand);
            if (v.kind == Val::unknown) return v;
            if (v.integral && v.i == std::numeric_limits<long long>::min()) return unknown();  // overflow is unknown (language.md)
            return v.integral ? of_int(-v.i) : of_millionths(-v.m);
          }
        }
        break;
      }
      case K::binary: {
        if (e.binary_op == B::and_) return of_truth(kleene_and(truth(e.children[0]), truth(e.children[1])));
        if (e.binary_op == B::or_) return of_truth(kleene_or(truth(e.children[0]), truth(e.children[1])));
        Val a = eval(e.children[0]), b = eval(e.children[1]);
        // A comparison (or sum) with an unknown operand is unknown.
        if (a.kind == Val::unknown || b.kind == Val::unknown) return unknown();
        switch (e.binary_op) {
          case B::eq: return of_truth(equal(a, b));
          case B::ne: return of_truth(!equal(a, b));
          case B::lt: return of_truth(order(a, b) < 0);
          case B::le: return of_truth(order(a, b) <= 0);
          case B::gt: return of_truth(order(a, b) > 0);
          case B::ge: return of_truth(order(a, b) >= 0);
          case B::in: return of_truth(b.items.contains(a.s));
          case B::not_in: return of_truth(!b.items.contains(a.s));
          case B::subset_of:
          case B::superset_of: {
            const auto& small = e.binary_op == B::subset_of ? a.items : b.items;
            const auto& large = e.binary_op == B::subset_of ? b.items : a.items;
            for (const auto& item : small)
              if (!large.contains(item)) return of_truth(false);
            return of_truth(true);
          }
          case B::intersects:
            for (const auto& item : a.items)
              if (b.items.contains(item)) return of_truth(true);
            return of_truth(false);
          case B::add:
          case B::sub: {
            // language.md: arithmetic never wraps; a result that does not fit, a
            // decimal past the int64-millionths range, or a date outside 0000-9999 is unknown.
            const bool add = e.binary_op == B::add;
            if (a.kind == Val::date && b.kind == Val::duration) {
              const long double n = add ? static_cast<long double>(b.i) : -static_cast<long double>(b.i);
              const long double months = b.s == "months" ? n : b.s == "years" ? 12 * n : 0;
              if (months > 120000 || months < -120000 || n > 1e15L || n < -1e15L) return unknown();
              long long days = b.s == "days" ? a.i + static_cast<long long>(n)
                               : b.s == "weeks" ? a.i + 7 * static_cast<long long>(n)
                                                : add_months(a.i, static_cast<long long>(months));
              if (days < days_of(0, 1, 1) || days > days_of(9999, 12, 31)) return unknown();
              return of_date(days);
            }
            if (a.kind == Val::date) return of_int(a.i - b.i);  // date - date: days
            if (a.integral && b.integral) {
              long long out = 0;
              if (add ? __builtin_add_overflow(a.i, b.i, &out) : __builtin_sub_overflow(a.i, b.i, &out)) return unknown();
              return of_int(out);
            }
            // An integer operand must fit as a decimal too (language.md: decimal arithmetic's range).
            if (of_millionths(a.millionths()).kind == Val::unknown || of_millionths(b.millionths()).kind == Val::unknown) return unknown();
            return of_millionths(add ? a.millionths() + b.millionths() : a.millionths() - b.millionths());
          }
          default: break;
        }
        break;
      }
    }
    throw std::logic_error("reference: an expression it does not know");
  }

  const json& request_;
  std::map<std::string, const ast::FactDecl*> facts_;
  std::map<std::string, const ast::DefinitionDecl*> definitions_;
  std::map<std::string, const ast::InterpretationDecl*> interpretations_;
  std::vector<const ast::RuleDecl*> rules_;
};

}  // namespace

ReferenceDecision reference_decide(const std::vector<const ast::File*>& files, const json& request) {
  return Reference(files, request).decide();
}

}  // namespace proviso::difftest
