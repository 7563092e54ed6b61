// Decision receipts: an auditable record of one decision, for the accounting
// of disclosures that 26 U.S.C. § 6103(p)(3) requires. A receipt names the
// rule set by its content digest and the request by the digest of its
// normalised form, so replaying the request reproduces the receipt exactly.
#include <array>
#include <chrono>
#include <ctime>
#include <exception>
#include <random>

#include "engine/api_state.hpp"
#include "engine/explain.hpp"

namespace proviso::v1 {
namespace {

namespace engine = ::proviso;
using nlohmann::json;

// 128 random bits as a UUID (version 4): unique without coordination between replicas.
std::string random_id() {
  thread_local std::mt19937_64 generator{[] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }()};
  std::array<std::uint64_t, 2> bits{generator(), generator()};
  bits[0] = (bits[0] & ~std::uint64_t{0xf000}) | 0x4000;                       // version 4
  bits[1] = (bits[1] & ~(std::uint64_t{0x3} << 62)) | (std::uint64_t{0x2} << 62);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(bits[0] >> 32),
                static_cast<unsigned>((bits[0] >> 16) & 0xffff), static_cast<unsigned>(bits[0] & 0xffff),
                static_cast<unsigned>(bits[1] >> 48), static_cast<unsigned long long>(bits[1] & 0xffffffffffffULL));
  return text;
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return text;
}

json normalise(const engine::Policy& policy, const engine::Facts& facts) {
  json out = json::object();
  for (std::size_t slot = 0; slot < policy.facts.size(); ++slot) {
    const auto& value = facts.values[slot];
    if (!value.known) continue;
    const auto& fact = policy.facts[slot];
    out[json::json_pointer("/" + [&] {
      std::string pointer = fact.path;
      for (auto& c : pointer)
        if (c == '.') c = '/';
      return pointer;
    }())] = engine::value_to_json(policy, value, fact.type);
  }
  for (std::size_t i = 0; i < policy.interpretations.size(); ++i)
    if (facts.interpretations[i] >= 0) out["interpretations"][policy.interpretations[i].name] = facts.interpretations[i] == 1;
  return out;
}

}  // namespace

nlohmann::json Decision::normalised_request() const { return normalise(*state_->policy->policy, state_->facts); }

nlohmann::json Decision::receipt(const ReceiptOptions& options) const {
  const auto& policy = *state_->policy->policy;
  const auto& decision = state_->decision;
  auto request = normalised_request();
  json authorities = json::array();
  for (auto a : decision.authorities) authorities.push_back({{"rule", policy.rules[a].id}, {"cite", policy.rules[a].cite.text}});
  json obligations = json::array();
  for (const auto& o : this->obligations()) obligations.push_back({{"text", o.text}, {"cite", o.cite}, {"rule", o.rule}});
  json unknown = json::array();
  for (const auto& fact : unknown_facts()) unknown.push_back(fact);
  json out{{"schema", "proviso.receipt/v1"},
           {"id", options.id.empty() ? random_id() : options.id},
           {"time", options.time.empty() ? now_rfc3339() : options.time},
           {"ruleset", {{"name", policy.name}, {"version", policy.version}, {"digest", policy.digest}}},
           {"request_digest", "sha256:" + engine::sha256_hex(request.dump())},
           {"decision", outcome_name()},
           {"authorities", std::move(authorities)},
           {"obligations", std::move(obligations)},
           {"unknown_facts", std::move(unknown)},
           {"explanation", summary()}};
  if (options.include_request) out["request"] = std::move(request);
  return out;
}

bool Policy::verify_receipt(const nlohmann::json& receipt, std::string* mismatch) const noexcept {
  auto fail = [&](std::string why) {
    if (mismatch) *mismatch = std::move(why);
    return false;
  };
  try {
    if (!receipt.is_object() || receipt.value("schema", "") != "proviso.receipt/v1")
      return fail("not a receipt: `schema` is not `proviso.receipt/v1`");
    if (!receipt.contains("request") || !receipt["request"].is_object())
      return fail("the receipt carries no `request` to replay");
    if (!receipt.contains("id") || !receipt["id"].is_string() || !receipt.contains("time") || !receipt["time"].is_string())
      return fail("the receipt has no `id` or `time` string");
    const auto& info = state_->info;
    auto recorded = receipt.value("/ruleset/digest"_json_pointer, std::string());
    if (recorded != info.digest)
      return fail("the receipt was made with rule set digest `" + recorded + "`; this rule set (" + info.name + " " +
                  info.version + ") is `" + info.digest + "`");
    auto replayed = decide(receipt["request"]);
    if (!replayed) return fail("the receipt's request no longer binds: " + replayed.diagnostics.front().message);
    ReceiptOptions options;
    options.id = receipt["id"].get<std::string>();
    options.time = receipt["time"].get<std::string>();
    auto again = replayed->receipt(options).dump();
    auto given = receipt.dump();
    if (again != given) return fail("replaying gives\n" + again + "\nbut the receipt is\n" + given);
    return true;
  } catch (const std::exception& e) {
    return fail(std::string("the receipt is malformed: ") + e.what());
  }
}

}  // namespace proviso::v1
