#include <iostream>

#include "commands.hpp"
#include "engine/explain.hpp"
#include "engine/questions.hpp"
#include "io.hpp"
#include "request_file.hpp"

namespace proviso::cli {
namespace {

struct InterviewOptions {
  std::string rules;
  std::string request;  // empty: start from nothing known
  std::string style = "plain";
};

void show_question(const Policy& policy, const Question& q, std::size_t number) {
  const auto& info = policy.facts[q.fact];
  std::cout << "\nQuestion " << number << " (" << info.path << "): " << q.text << "\n";
  if (info.type.kind == TypeKind::enumeration || info.type.kind == TypeKind::set) {
    const auto& e = policy.enums[info.type.enum_id];
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      std::cout << "  " << i + 1 << ". " << e.values[i];
      if (i < e.value_descriptions.size() && !e.value_descriptions[i].empty()) std::cout << " — " << e.value_descriptions[i];
      std::cout << "\n";
    }
  } else if (info.type.kind == TypeKind::boolean) {
    std::cout << "  yes / no\n";
  }
  // What each answer leads to, grouped by outcome, and why the question matters.
  for (const auto& line : answer_leads(policy, q)) std::cout << "  → " << line << "\n";
  std::cout << "  (it matters: " << witness_words(policy, q.witness) << ")\n";
  std::cout << "(answer, or ? if you do not know)\n> " << std::flush;
}

int run_interview(const InterviewOptions& options) {
  auto loaded = load_rules(options.rules);
  if (!loaded.policy) {
    print_diagnostics(loaded.diagnostics, loaded.sources);
    return rules_invalid;
  }
  const auto& policy = *loaded.policy;
  Facts start = unknown_facts(policy);
  if (!options.request.empty()) {
    int code = ok;
    auto facts = read_request(policy, loaded.sources, options.request, code);
    if (!facts) return code;
    start = std::move(*facts);
  }
  Interview interview(policy, std::move(start));
  std::size_t number = 0;
  std::string line;
  while (!interview.done()) {
    const auto& q = interview.question();
    show_question(policy, q, ++number);
    std::optional<Value> value;
    bool skipped = false, answered = false;
    while (std::getline(std::cin, line)) {
      value = parse_answer(policy, q.fact, line, skipped);
      if (value || skipped) {
        answered = true;
        break;
      }
      std::cout << "not an answer to this question: `" << line << "`; try again, or ? to skip\n> " << std::flush;
    }
    if (!answered) {
      std::cout << "\n(no more answers: stopping here)\n";
      break;
    }
    interview.answer(value);
  }
  std::cout << "\n";
  auto explanation = explain(policy, interview.facts(), interview.decision());
  std::cout << (options.style == "memo" ? explanation_to_memo(policy, explanation) : explanation_to_plain(policy, explanation));
  return ok;
}

}  // namespace

Command add_interview(CLI::App& app) {
  auto options = std::make_shared<InterviewOptions>();
  auto* cmd = app.add_subcommand("interview", "ask only the questions that matter until the request is decided (answers from stdin)");
  cmd->add_option("request", options->request, "a request to start from (default: nothing known)");
  cmd->add_option("--rules", options->rules, "rule set folder or file (default: the built-in § 6103 rules)");
  cmd->add_option("--style", options->style, "how to explain the result")->check(CLI::IsMember({"plain", "memo"}));
  return {cmd, [options] { return run_interview(*options); }};
}

}  // namespace proviso::cli
