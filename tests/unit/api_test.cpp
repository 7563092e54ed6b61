// The public C++ API (include/proviso/proviso.hpp): results instead of
// exceptions, decisions equal to the engine's, receipts that verify, and
// decide() shared between threads.
#include <doctest/doctest.h>
#include <proviso/proviso.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace {

const char* const kIceRequest = R"({"recipient": {"kind": "federal_agency"},
  "request": {"in_writing": true, "signed_by": "component_head"}})";

const proviso::Policy& builtin() {
  static const auto policy = proviso::Policy::builtin();
  REQUIRE(policy.ok());
  return *policy;
}

}  // namespace

TEST_CASE("the built-in rule set loads and describes itself") {
  const auto& policy = builtin();
  CHECK(policy.info().name == "irc-6103");
  CHECK(policy.info().digest.rfind("sha256:", 0) == 0);
  CHECK(policy.info().rules > 10);
  auto described = policy.describe();
  CHECK(described["rules"].size() == policy.info().rules);
  CHECK(described["general_rule"] == "general_rule");
}

TEST_CASE("decide from text and from JSON give the same decision") {
  const auto& policy = builtin();
  auto from_text = policy.decide(std::string_view(kIceRequest));
  auto from_json = policy.decide(nlohmann::json::parse(kIceRequest));
  REQUIRE(from_text.ok());
  REQUIRE(from_json.ok());
  CHECK(from_text->to_json() == from_json->to_json());
  CHECK(from_text->to_json()["decision"] == std::string(from_text->outcome_name()));
  CHECK(!from_text->summary().empty());
  CHECK(!from_text->explain_text().empty());
  CHECK(from_text->to_json(proviso::Detail::full).contains("considered"));
}

TEST_CASE("full detail without counterfactuals is full detail with only the counterfactuals left out") {
  const auto& policy = builtin();
  // examples/state-tax-agency.json: permitted, and six changes would deny it.
  const char* const state_tax_agency =
      R"({"holder":{"kind":"irs_employee"},"taxpayer":{"kind":"individual"},"disclosure":{"items":["return","income","tax_liability"],"source":"mixed_sources","form":"records","tax_types":["income_tax"],"purpose":"state_tax_administration","own_initiative":false},"recipient":{"kind":"state_tax_agency","role":"agency_employee","designated_in_request":true,"employee_of_agency":true,"contractor_access":false},"request":{"in_writing":true,"signed_by":"head_of_agency"},"state":{"hhs_death_contract":true,"requires_federal_return_copy":true,"protects_federal_return_copy":true},"irs":{"informant_determination":false}})";
  auto decision = policy.decide(std::string_view(state_tax_agency), proviso::RequestFormat::json);
  REQUIRE(decision);
  auto full = decision->to_json(proviso::Detail::full);
  const auto without = decision->to_json(proviso::Detail::full_without_counterfactuals);
  REQUIRE(full.contains("counterfactuals"));
  CHECK_FALSE(full["counterfactuals"].empty());
  CHECK_FALSE(without.contains("counterfactuals"));
  CHECK(without.contains("considered"));
  full.erase("counterfactuals");
  CHECK(without == full);
}

TEST_CASE("bad input is a result with a coded diagnostic, never an exception") {
  const auto& policy = builtin();
  struct Case {
    const char* text;
    const char* code;
  };
  for (auto [text, code] : {Case{"{", "E401"}, Case{"[1]", "E409"}, Case{R"({"request": {"signed": "x"}})", "E402"},
                            Case{R"({"request": {"in_writing": "yes"}})", "E403"}}) {
    CAPTURE(text);
    auto decision = policy.decide(std::string_view(text), proviso::RequestFormat::json);
    REQUIRE_FALSE(decision.ok());
    REQUIRE_FALSE(decision.diagnostics.empty());
    CHECK(decision.diagnostics.front().code == code);
  }
  auto missing = proviso::Policy::load("/nonexistent/rules");
  CHECK_FALSE(missing.ok());
  CHECK(missing.diagnostics.front().code == "E501");
  auto broken = proviso::Policy::from_texts({{"a.proviso", "rule x permit cite \"1\" when nothing.here"}});
  CHECK_FALSE(broken.ok());
  CHECK_FALSE(broken.rendered.empty());
}

TEST_CASE("a receipt replays to the same bytes, and a changed one does not verify") {
  const auto& policy = builtin();
  auto decision = policy.decide(std::string_view(kIceRequest));
  REQUIRE(decision.ok());
  auto receipt = decision->receipt();
  CHECK(receipt["schema"] == "proviso.receipt/v1");
  CHECK(receipt["ruleset"]["digest"] == policy.info().digest);
  CHECK(receipt["decision"] == std::string(decision->outcome_name()));
  std::string why;
  CHECK(policy.verify_receipt(receipt, &why));
  CHECK(why.empty());

  auto tampered = receipt;
  tampered["decision"] = "permitted";
  if (receipt["decision"] == "permitted") tampered["decision"] = "denied";
  CHECK_FALSE(policy.verify_receipt(tampered, &why));
  CHECK(why.find("replaying gives") != std::string::npos);

  proviso::ReceiptOptions bare;
  bare.include_request = false;
  auto without_request = decision->receipt(bare);
  CHECK_FALSE(without_request.contains("request"));
  CHECK_FALSE(policy.verify_receipt(without_request, &why));
  // Same request, same digest, whatever the key order or the unknown facts given as null.
  auto reordered = policy.decide(std::string_view(
      R"({"request": {"signed_by": "component_head", "in_writing": true}, "recipient": {"kind": "federal_agency"}})"));
  CHECK(reordered->receipt()["request_digest"] == receipt["request_digest"]);
}

TEST_CASE("decide is safe to call from many threads on one policy") {
  const auto policy = builtin();  // a copy shares the compiled policy
  auto expected = policy.decide(std::string_view(kIceRequest))->to_json().dump();
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (policy.decide(std::string_view(kIceRequest))->to_json().dump() != expected) ++mismatches;
    });
  for (auto& thread : threads) thread.join();
  CHECK(mismatches == 0);
}
