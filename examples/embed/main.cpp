// Decides one request with the built-in § 6103 rules, from several threads at
// once against the one compiled policy, and prints the decision.
//   embed [REQUEST.json]    (default: ICE asks the IRS to confirm an address)
#include <proviso/proviso.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  auto policy = proviso::Policy::builtin();
  if (!policy) {
    std::cerr << policy.rendered;
    return 3;
  }

  std::string text = R"({"recipient": {"kind": "federal_agency"},
                         "request": {"in_writing": true, "signed_by": "component_head"}})";
  if (argc > 1) {
    std::ifstream in(argv[1]);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }

  auto decision = policy->decide(std::string_view(text));
  if (!decision) {
    for (const auto& d : decision.diagnostics) std::cerr << d.location << ": error[" << d.code << "]: " << d.message << "\n";
    return 4;
  }

  // decide() is const and thread-safe: share one policy between threads.
  std::vector<std::thread> workers;
  std::vector<std::string> outcomes(4);
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    workers.emplace_back([&, i] { outcomes[i] = std::string(policy->decide(std::string_view(text))->outcome_name()); });
  for (auto& worker : workers) worker.join();
  for (const auto& outcome : outcomes)
    if (outcome != decision->outcome_name()) return 70;

  std::cout << "rule set: " << policy->info().name << " " << policy->info().version << "\n";
  std::cout << "decision: " << decision->outcome_name() << "\n";
  for (const auto& authority : decision->authorities()) std::cout << "authority: " << authority.cite << "\n";
  std::cout << "summary: " << decision->summary() << "\n";
  proviso::ReceiptOptions receipt;
  receipt.include_request = false;  // an audit log may keep requests elsewhere
  std::cout << "receipt: " << decision->receipt(receipt).dump() << "\n";
  return 0;
}
