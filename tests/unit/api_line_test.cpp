// proviso::LineDecider, the public fast path: the outcome and authorities of
// Policy::decide, as one short JSON line, for every § 6103 scenario and example.
#include <doctest/doctest.h>
#include <proviso/proviso.hpp>

#include <filesystem>
#include <fstream>
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
