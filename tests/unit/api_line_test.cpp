// proviso::LineDecider, the public fast path: the outcome and authorities of
// Policy::decide, as one short JSON line, for every § 6103 scenario and example.
#include <doctest/doctest.h>
#include <proviso/proviso.h>
#include <proviso/proviso.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace {

std::string short_line(const proviso::Decision& decision) {
  std::string out = R"({"decision":")" + std::string(decision.outcome_name()) + R"(","authorities":[)";
  for (const auto& a : decision.authorities()) out += (out.ends_with('[') ? "\"" : ",\"") + a.rule + "\"";
  return out + "]}";
}

}  // namespace

TEST_CASE("LineDecider gives decide()'s outcome and authorities on every example, and with each group dropped in turn") {
  auto policy = proviso::Policy::builtin();
  REQUIRE(policy);
  proviso::LineDecider fast(*policy);
  std::size_t checked = 0, permitted = 0;
  auto check = [&](const std::string& request) {
    auto decision = policy->decide(std::string_view(request), proviso::RequestFormat::json);
    std::string line;
    auto outcome = fast.decide(request, line);
    INFO(request);
    if (!decision) {
      REQUIRE_FALSE(outcome);
      CHECK(nlohmann::json::parse(line)["error"]["code"] == decision.diagnostics.front().code);
      return;
    }
    REQUIRE(outcome);
    CHECK(*outcome == decision->outcome());
    CHECK(line == short_line(*decision));
    ++checked;
    permitted += *outcome == proviso::Outcome::permitted;
  };
  const auto examples = std::filesystem::path(PROVISO_SOURCE_DIR) / "examples";
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const auto request = nlohmann::json::parse(text.str());
    check(request.dump());
    // Each top-level group dropped in turn: other outcomes, unknown facts.
    for (const auto& [group, value] : request.items()) {
      auto without = request;
      without.erase(group);
      check(without.dump());
    }
  }
  check(R"({"request": {"in_writing": true, "signed_by": "head_of_agency"}, "recipient": {"kind": "federal_agency"}})");
  check(R"({"request": {"in_writing": "yes"}})");  // E403
  check(R"({"nonsense": 1})");                        // E402
  check(R"({"request": )");                           // E401
  CHECK(checked >= 10);
  CHECK(permitted >= 1);
}

TEST_CASE("a LineDecider can be moved, and two of one Policy decide alike") {
  auto policy = proviso::Policy::builtin();
  REQUIRE(policy);
  proviso::LineDecider first(*policy);
  proviso::LineDecider second = std::move(first);
  proviso::LineDecider third(*policy);
  const std::string request = R"({"request": {"in_writing": true}})";
  std::string a, b;
  CHECK(second.decide(request, a) == third.decide(request, b));
  CHECK(a == b);
  CHECK(a.starts_with(R"({"decision":")"));
}

TEST_CASE("a LineDecider outlives the Policy it was made from, even one loaded from files") {
  const std::string request = R"({"request": {"in_writing": "yes"}})";  // refused: the fallback binder reads the policy
  std::optional<proviso::LineDecider> fast;
  std::string want;
  {
    auto policy = proviso::Policy::load(std::filesystem::path(PROVISO_SOURCE_DIR) / "rules" / "us" / "irc-6103");
    REQUIRE(policy);
    fast.emplace(*policy);
    REQUIRE_FALSE(fast->decide(request, want));
  }
  std::string line;
  CHECK_FALSE(fast->decide(request, line));
  CHECK(line == want);
  line.clear();
  CHECK(fast->decide(R"({"request": {"in_writing": true}})", line));
}

TEST_CASE("the C API's decider: proviso_decide's outcome and authorities, errors as proviso_decide's, and it outlives its policy") {
  proviso_policy* policy = nullptr;
  char* error = nullptr;
  REQUIRE(proviso_policy_builtin(&policy, &error) == PROVISO_OK);
  proviso_decider* decider = nullptr;
  REQUIRE(proviso_decider_new(policy, &decider, &error) == PROVISO_OK);
  const auto examples = std::filesystem::path(PROVISO_SOURCE_DIR) / "examples";
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const auto request = text.str();
    INFO(entry.path());
    char* full = nullptr;
    REQUIRE(proviso_decide(policy, request.data(), request.size(), 0, &full, &error) == PROVISO_OK);
    const auto decision = nlohmann::json::parse(full);
    proviso_string_free(full);
    nlohmann::json authorities = nlohmann::json::array();
    for (const auto& a : decision["authorities"]) authorities.push_back(a["rule"]);
    const char* line = nullptr;
    REQUIRE(proviso_decider_decide(decider, request.data(), request.size(), &line, &error) == PROVISO_OK);
    REQUIRE(line != nullptr);
    CHECK(nlohmann::json::parse(line) == nlohmann::json{{"decision", decision["decision"]}, {"authorities", authorities}});
    ++checked;
  }
  CHECK(checked >= 5);

  const std::string bad = R"({"request": {"in_writing": "yes", "signed_by": 3}})";
  const char* line = "untouched";
  CHECK(proviso_decider_decide(decider, bad.data(), bad.size(), &line, &error) == PROVISO_ERROR_REQUEST);
  CHECK(line == nullptr);
  REQUIRE(error != nullptr);
  char* full_error = nullptr;
  char* no_decision = nullptr;
  CHECK(proviso_decide(policy, bad.data(), bad.size(), 0, &no_decision, &full_error) == PROVISO_ERROR_REQUEST);
  REQUIRE(full_error != nullptr);
  CHECK(std::string(error) == full_error);  // every diagnostic, not only the first
  CHECK(nlohmann::json::parse(error)["diagnostics"].size() == 2);
  proviso_string_free(error);
  proviso_string_free(full_error);
  error = nullptr;
  CHECK(proviso_decider_decide(decider, nullptr, 0, &line, &error) == PROVISO_ERROR_ARGUMENT);
  REQUIRE(error != nullptr);
  CHECK(nlohmann::json::parse(error)["code"] == "E902");
  proviso_string_free(error);
  error = nullptr;
  CHECK(proviso_decider_new(nullptr, &decider, &error) == PROVISO_ERROR_ARGUMENT);
  proviso_string_free(error);
  error = nullptr;

  proviso_policy_free(policy);  // the decider keeps what it needs
  const std::string request = R"({"request": {"in_writing": true}})";
  CHECK(proviso_decider_decide(decider, request.data(), request.size(), &line, &error) == PROVISO_OK);
  CHECK(std::string(line).starts_with(R"({"decision":")"));
  proviso_decider_free(decider);
  proviso_decider_free(nullptr);
}
