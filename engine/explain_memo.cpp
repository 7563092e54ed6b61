// Two renderings of one explanation: a memo with citations for lawyers, and
// plain language for trainees. Both read only the Explanation tree.
#include <algorithm>
#include <sstream>

#include "explain.hpp"

namespace proviso {
namespace {

std::string mark(Tri t) { return t == Tri::true_ ? "✓" : t == Tri::false_ ? "✗" : "?"; }

std::string facts_line(const ConditionTree& tree, const ConditionNode& n) {
  std::string out;
  for (const auto& f : tree.facts(n)) {
    if (!out.empty()) out += "; ";
    out.append(f.path).append(" = ").append(f.given.known ? f.value().dump() : "unknown");
  }
  return out;
}

void memo_condition(std::ostringstream& out, const ConditionTree& tree, const ConditionNode& n, const std::string& indent) {
  out << indent << mark(n.value) << " " << n.text;
  if (!n.cite->empty()) out << "  [" << n.cite->text << "]";
  out << "\n";
  if (n.because.empty()) {
    auto line = facts_line(tree, n);
    if (!line.empty()) out << indent << "    " << line << "\n";
  }
  for (const auto& b : tree.because(n)) memo_condition(out, tree, b, indent + "    ");
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : (c == '_' ? ' ' : c));
  return out;
}

std::string change_words(const Policy& policy, const Counterfactual& c, bool plain) {
  std::string out;
  for (std::size_t i = 0; i < c.changes.size(); ++i) {
    const auto& ch = c.changes[i];
    const auto& info = policy.facts[ch.fact];
    if (i) out += i + 1 == c.changes.size() ? " and " : ", ";
    if (plain) {
      Facts one = unknown_facts(policy);
      one.values[ch.fact] = ch.value;
      out += info.description + " were “" + fact_read(policy, one, ch.fact).value_words() + "”";
    } else {
      out += info.path + " = " + value_to_json(policy, ch.value, info.type).dump();
    }
  }
  return out;
}

}  // namespace

std::string explanation_to_memo(const Policy& policy, const Explanation& e) {
  std::ostringstream out;
  out << "MEMORANDUM — proposed disclosure under " << policy.name << (policy.version.empty() ? "" : " " + policy.version) << "\n\n";
  out << "1. Conclusion: " << upper(outcome_name(e.outcome)) << "\n   " << e.summary << "\n";
  int section = 1;
  if (!e.grounds.empty()) {
    out << "\n" << ++section << ". Governing provision" << (e.grounds.size() > 1 ? "s" : "") << "\n";
    for (const auto& g : e.grounds) {
      out << "   " << rule_heading(policy, g.rule) << " [" << policy.rules[g.rule].id << "]\n";
      if (!g.defeated.empty()) {
        out << "     defeats:";
        for (auto d : g.defeated) out << " " << rule_cite(policy, d);
        out << "\n";
      }
      if (!g.holds.empty()) out << "     It applies because:\n";
      for (const auto& c : e.tree[g.holds]) memo_condition(out, e.tree, c, "       ");
    }
  }
  if (!e.obligations.empty()) {
    out << "\n" << ++section << ". Obligations\n";
    for (const auto& o : e.obligations) {
      out << "   - " << o.obligation.text;
      if (!o.obligation.cite.empty()) out << "  [" << o.obligation.cite.text << "]";
      out << "\n";
    }
  }
  if (!e.unknown_facts.empty()) {
    out << "\n" << ++section << ". Facts that would decide it\n";
    for (const auto& f : e.unknown_facts) out << "   ? " << f.path << " — " << f.description << "\n";
  }
  if (!e.next_questions.empty()) {
    out << "\n" << ++section << ". Questions to ask next, best first\n";
    int n = 0;
    for (const auto& q : e.next_questions) {
      out << "   Q" << ++n << " (" << policy.facts[q.fact].path << "): " << q.text << "\n";
      for (const auto& line : answer_leads(policy, q)) out << "      → " << line << "\n";
      out << "      it matters: " << witness_words(policy, q.witness) << "\n";
    }
  }
  if (!e.closest.empty()) {
    out << "\n" << ++section << ". Exceptions considered, closest first\n";
    int n = 0;
    for (const auto& x : e.closest) {
      out << "   " << section << "." << ++n << " " << rule_heading(policy, x.rule) << " [" << policy.rules[x.rule].id << "]\n";
      if (!x.defeated_by.empty()) {
        out << "       applies, but is defeated by:";
        for (auto d : x.defeated_by) out << " " << rule_cite(policy, d);
        out << "\n";
      }
      if (!x.failing.empty()) out << "       not met (" << x.failing.size() << "):\n";
      for (const auto& c : e.tree[x.failing]) memo_condition(out, e.tree, c, "       ");
      if (!x.unknown.empty()) out << "       not known (" << x.unknown.size() << "):\n";
      for (const auto& c : e.tree[x.unknown]) memo_condition(out, e.tree, c, "       ");
    }
  }
  if (!e.others.empty()) {
    out << "\n" << ++section << ". Other exceptions, ruled out by the facts given\n";
    const auto& texts = explain_texts(policy);
    for (const auto& x : e.others) {
      out << "   " << rule_cite(policy, x.rule) << " [" << policy.rules[x.rule].id << "]: not met:";
      const auto failing = e.failing(x);
      for (std::size_t i = 0; i < failing.size(); ++i) {
        const auto& cite = *texts.condition_cite[failing[i]];
        out << (i ? ";" : "") << " " << texts.condition_text[failing[i]] << (cite.empty() ? "" : " [" + cite.text + "]");
      }
      out << "\n";
    }
  }
  if (!e.interpretations.empty()) {
    out << "\n" << ++section << ". Interpretations\n";
    for (const auto& use : e.interpretations) {
      const auto& interp = policy.interpretations[use.index];
      out << "   " << (use.relied_on ? "relied on: " : "read: ") << interp.name << " = " << (use.value ? "true" : "false")
          << " (" << (use.from_request ? "set by the request" : "the default") << ")\n";
      out << "     " << (use.value ? "" : "not: ") << interp.phrase;
      if (!interp.cite.empty()) out << "  [" << interp.cite.text << "]";
      out << "\n     the other reading gives: " << outcome_name(use.other_outcome);
      for (std::size_t i = 0; i < use.other_authorities.size(); ++i)
        out << (i ? ", " : " under ") << rule_cite(policy, use.other_authorities[i]);
      out << "\n";
    }
  }
  if (!e.counterfactuals.empty()) {
    out << "\n" << ++section << ". What would have to change (each re-checked by the engine)\n";
    for (const auto& c : e.counterfactuals)
      out << "   - " << change_words(policy, c, false) << "  → " << outcome_name(c.outcome) << " under " << rule_cite(policy, c.rule) << "\n";
  }
  return out.str();
}

std::string explanation_to_plain(const Policy& policy, const Explanation& e) {
  std::ostringstream out;
  switch (e.outcome) {
    case Outcome::permitted: out << "The answer: YES, this disclosure is allowed.\n"; break;
    case Outcome::denied: out << "The answer: NO, this disclosure is not allowed.\n"; break;
    case Outcome::undetermined: out << "The answer: NOT YET KNOWN. It depends on facts we do not have.\n"; break;
    case Outcome::conflict: out << "The answer: the rules CONFLICT. Ask the people who maintain them.\n"; break;
    case Outcome::not_applicable: out << "The answer: these rules do not cover this request.\n"; break;
  }
  for (const auto& g : e.grounds) {
    const auto& rule = policy.rules[g.rule];
    out << "\n" << (rule.is_permit() ? "What allows it: " : "What forbids it: ") << rule_cite(policy, g.rule);
    if (!rule.title.empty()) out << " (" << rule.title << ")";
    out << ".\n";
    if (!g.holds.empty()) out << "It applies because:\n";
    for (const auto& c : e.tree[g.holds]) out << "  • " << c.text << ".\n";
  }
  if (!e.obligations.empty()) {
    out << "\nWhat must be done if you disclose:\n";
    for (const auto& o : e.obligations) out << "  • " << o.obligation.text << ".\n";
  }
  if (!e.unknown_facts.empty()) {
    out << "\nWhat we still need to know:\n";
    for (const auto& f : e.unknown_facts) out << "  • " << f.description << ".\n";
  }
  if (!e.next_questions.empty()) {
    out << "\nAsk this first:\n";
    for (const auto& q : e.next_questions) {
      out << "  • " << q.text << "\n";
      for (const auto& line : answer_leads(policy, q)) out << "      " << line << "\n";
    }
  }
  bool first = true;
  for (const auto& x : e.closest) {
    if (x.failing.empty() && x.defeated_by.empty()) continue;
    out << "\n" << (first ? "The closest way to allow it" : "Another way") << " is " << rule_cite(policy, x.rule);
    first = false;
    if (!policy.rules[x.rule].title.empty()) out << " (" << policy.rules[x.rule].title << ")";
    out << ". It does not work here:\n";
    for (auto d : x.defeated_by) out << "  • it is blocked by " << rule_cite(policy, d) << ".\n";
    for (const auto& c : e.tree[x.failing]) {
      out << "  • it needs this, which is not so: " << c.text;
      if (!c.cite->empty()) out << " (" << c.cite->text << ")";
      out << ".\n";
      // The facts behind the deepest failing parts, in words.
      std::vector<const ConditionNode*> stack{&c};
      std::vector<std::int32_t> told;  // each fact once
      while (!stack.empty()) {
        const auto* n = stack.back();
        stack.pop_back();
        if (n->because.empty()) {
          for (const auto& f : e.tree.facts(*n)) {
            if (f.fact < 0 || std::find(told.begin(), told.end(), f.fact) != told.end()) continue;
            told.push_back(f.fact);
            out << "      here, " << f.description << ": " << f.value_words() << "\n";
          }
        }
        const auto because = e.tree.because(*n);
        for (auto it = because.rbegin(); it != because.rend(); ++it) stack.push_back(&*it);
      }
    }
  }
  if (!e.others.empty()) {
    out << "\nOther ways that do not work here:\n";
    const auto& texts = explain_texts(policy);
    for (const auto& x : e.others) {
      out << "  • " << rule_cite(policy, x.rule) << " needs:";
      const auto failing = e.failing(x);
      for (std::size_t i = 0; i < failing.size(); ++i) out << (i ? ";" : "") << " " << texts.condition_text[failing[i]];
      out << ".\n";
    }
  }
  for (const auto& use : e.interpretations) {
    if (!use.relied_on) continue;
    const auto& interp = policy.interpretations[use.index];
    out << "\nA contested reading matters here. The rules " << (use.value ? "take" : "do not take") << " this reading: \""
        << interp.phrase << "\". Under the other reading the answer would be: " << outcome_name(use.other_outcome) << ".\n";
  }
  if (!e.counterfactuals.empty()) {
    out << "\nWhat would change the answer:\n";
    for (const auto& c : e.counterfactuals)
      out << "  • if " << change_words(policy, c, true) << ", the answer would be " << outcome_name(c.outcome) << " under "
          << rule_cite(policy, c.rule) << ".\n";
  }
  return out.str();
}

}  // namespace proviso
