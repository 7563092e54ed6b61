// Sixteen threads decide on one shared policy while another thread reloads
// it, the way `proviso serve` does (an atomic shared pointer swapped on
// reload); and sixteen threads share one C API handle while other handles are
// made and freed. Built by the normal suite, and alone under ThreadSanitizer by
// scripts/sanitize.sh (build-tsan), where any data race fails the run.
//
// Each rule set version gives a different, known outcome for the same request,
// so a decision that mixed two versions (a torn policy) is caught as well as a
// race: every decision must match the version it reports.
#include <proviso/proviso.h>
#include <proviso/proviso.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr int kDeciders = 16;

const char* const kRequest = R"({"request": {"in_writing": true, "signed_by": "head_of_agency"}})";

// Version 1 permits the request, version 2 adds a limit that takes the permit
// away (so the general rule denies it), version 3 forbids it outright as well.
std::vector<std::pair<std::string, std::string>> rule_set(int version) {
  std::string rules = R"(
enum signer "who signed" { head_of_agency  field_officer }
fact request.in_writing : bool "the request is in writing"
fact request.signed_by : signer "who signed the request"
rule general_rule forbid
  cite "§ 1"
rule written permit
  cite "§ 2"
  exception to general_rule
  when all of {
    request.in_writing "in writing"
    request.signed_by == head_of_agency "signed by the head"
  }
)";
  if (version >= 2) rules += "rule informant limit\n  cite \"§ 3\"\n  exception to written\n  when request.in_writing\n";
  if (version >= 3) rules += "rule embargo forbid\n  cite \"§ 4\"\n  when request.signed_by is known\n";
  const std::string manifest = "name: reload\nversion: " + std::to_string(version) +
                               ".0.0\njurisdiction: test\ntitle: reload test\ngeneral_rule: general_rule\n";
  return {{"proviso.yaml", manifest}, {"rules.proviso", rules}};
}

std::string_view expected_outcome(std::string_view version) {
  if (version == "1.0.0") return "permitted";
  if (version == "2.0.0") return "denied";
  return "denied";
}

std::atomic<int> failures{0};

void fail(const std::string& what) {
  if (failures.fetch_add(1) < 10) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

// The C++ API: deciders read the current policy through an atomic shared
// pointer while the reloader compiles new versions (and a broken one, which is
// rejected and leaves the current policy in place) and swaps them in.
int decide_while_reloading() {
  std::vector<std::shared_ptr<const proviso::Policy>> versions;
  for (int v = 1; v <= 3; ++v) {
    auto loaded = proviso::Policy::from_texts(rule_set(v), "reload");
    if (!loaded) {
      fail("version " + std::to_string(v) + " does not load:\n" + loaded.rendered);
      return 0;
    }
    versions.push_back(std::make_shared<const proviso::Policy>(std::move(*loaded)));
  }
  std::atomic<std::shared_ptr<const proviso::Policy>> current{versions[0]};
  std::atomic<bool> stop{false};
  std::atomic<int> decisions{0}, reloads{0};

  std::thread reloader([&] {
    for (int round = 0; round < 60; ++round) {
      auto texts = rule_set(1 + round % 3);
      if (round % 7 == 6) texts[1].second += "rule broken permit\n  when no_such_fact\n";  // rejected: keep serving
      auto loaded = proviso::Policy::from_texts(texts, "reload");
      if (loaded) {
        current.store(std::make_shared<const proviso::Policy>(std::move(*loaded)));
        reloads.fetch_add(1);
      } else if (round % 7 != 6) {
        fail("a valid version was rejected:\n" + loaded.rendered);
      }
    }
    stop.store(true);
  });

  std::vector<std::thread> deciders;
  for (int t = 0; t < kDeciders; ++t)
    deciders.emplace_back([&, t] {
      const auto builtin = proviso::Policy::builtin();
      // Until the reloader is done, and at least a few decisions each.
      for (int i = 0; !stop.load() || i < 20; ++i) {
        const auto policy = current.load();
        auto decision = t % 2 ? policy->decide(std::string_view(kRequest)) : policy->decide(nlohmann::json::parse(kRequest));
        if (!decision) {
          fail("a decision failed:\n" + decision.rendered);
          continue;
        }
        const auto& version = decision->ruleset().version;
        if (version != policy->info().version) fail("a decision reports version " + version + " of another policy");
        if (decision->outcome_name() != expected_outcome(version))
          fail("version " + version + " gave " + std::string(decision->outcome_name()));
        if (i % 8 == 0) {  // the renderers read the shared policy too
          (void)decision->explain_text();
          (void)decision->receipt();
          (void)decision->to_json(proviso::Detail::full).dump();
        }
        if (i % 16 == 0 && builtin) (void)builtin->decide(std::string_view(kRequest))->to_json();
        decisions.fetch_add(1);
      }
    });
  reloader.join();
  for (auto& thread : deciders) thread.join();
  std::printf("C++ API: %d decisions by %d threads during %d reloads\n", decisions.load(), kDeciders, reloads.load());
  if (reloads.load() < 50) fail("too few reloads");
  return decisions.load();
}

// The C API has no reload: sixteen threads decide (and explain) on one shared
// handle while another thread makes and frees handles of its own.
int share_one_c_handle() {
  proviso_policy* shared = nullptr;
  char* error = nullptr;
  if (proviso_policy_builtin(&shared, &error) != PROVISO_OK) {
    fail(std::string("proviso_policy_builtin: ") + (error ? error : "?"));
    proviso_string_free(error);
    return 0;
  }
  char* expected = nullptr;
  proviso_decide(shared, kRequest, std::char_traits<char>::length(kRequest), 0, &expected, nullptr);
  const std::string reference = expected ? expected : "";
  proviso_string_free(expected);

  std::atomic<bool> stop{false};
  std::atomic<int> decisions{0};
  std::thread churn([&] {
    for (int i = 0; i < 30; ++i) {
      proviso_policy* own = nullptr;
      if (proviso_policy_builtin(&own, nullptr) != PROVISO_OK) fail("a second handle could not be made");
      // Compact detail: a full decision of an empty request searches next
      // questions and counterfactuals, seconds under TSan, and the deciders
      // keep deciding for as long as this thread runs.
      char* text = nullptr;
      proviso_decide(own, "{}", 2, 0, &text, nullptr);
      proviso_string_free(text);
      proviso_policy_free(own);
    }
    stop.store(true);
  });
  std::vector<std::thread> deciders;
  for (int t = 0; t < kDeciders; ++t)
    deciders.emplace_back([&, t] {
      const int at_least = t % 4 == 3 ? 2 : 10;  // explaining an undetermined request is the slow call
      for (int i = 0; !stop.load() || i < at_least; ++i) {
        char* decision = nullptr;
        char* failure = nullptr;
        if (t % 4 == 3) {
          if (proviso_explain(shared, kRequest, std::char_traits<char>::length(kRequest), &decision, &failure) != PROVISO_OK)
            fail("proviso_explain failed");
        } else if (proviso_decide(shared, kRequest, std::char_traits<char>::length(kRequest), 0, &decision, &failure) != PROVISO_OK) {
          fail("proviso_decide failed");
        } else if (reference != decision) {
          fail("a shared handle gave a different decision");
        }
        proviso_string_free(decision);
        proviso_string_free(failure);
        decisions.fetch_add(1);
      }
    });
  churn.join();
  for (auto& thread : deciders) thread.join();
  proviso_policy_free(shared);
  std::printf("C API: %d decisions by %d threads on one handle\n", decisions.load(), kDeciders);
  return decisions.load();
}

}  // namespace

int main() {
  const int cpp = decide_while_reloading();
  const int c = share_one_c_handle();
  if (cpp == 0 || c == 0) fail("no decisions were made");
  if (failures.load() > 0) {
    std::fprintf(stderr, "%d failures\n", failures.load());
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
