// The C API over the C++ facade: handles own a proviso::Policy; strings are
// malloc'd copies the caller frees. Nothing thrown crosses the extern "C" line.
#include "proviso/proviso.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

#include "proviso/proviso.hpp"

struct proviso_policy {
  proviso::Policy policy;
};

struct proviso_decider {
  proviso::Policy policy;  // a copy of the handle (shared state): decides a refused request again for all its errors
  proviso::LineDecider decider;
  std::string line;
};

namespace {

char* copy_out(const std::string& text) {
  auto* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

int report(char** error, int status, const std::string& code, const std::string& message,
           const std::vector<proviso::Diagnostic>& diagnostics = {}) {
  if (error) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : diagnostics)
      list.push_back({{"code", d.code}, {"severity", d.error ? "error" : "warning"}, {"location", d.location},
                      {"message", d.message}, {"help", d.help}});
    nlohmann::json body{{"status", status}, {"code", code}, {"message", message}, {"diagnostics", std::move(list)}};
    *error = copy_out(body.dump());
  }
  return status;
}

template <class T>
int report_failure(char** error, int status, const proviso::Result<T>& result) {
  for (const auto& d : result.diagnostics)
    if (d.error) return report(error, d.internal ? PROVISO_ERROR_INTERNAL : status, d.code, d.message, result.diagnostics);
  return report(error, PROVISO_ERROR_INTERNAL, "E901", "failed without a diagnostic", result.diagnostics);
}

int internal(char** error, const char* what) { return report(error, PROVISO_ERROR_INTERNAL, "E901", std::string("internal error: ") + what); }

int make_policy(proviso::Result<proviso::Policy> result, proviso_policy** policy, char** error) {
  if (!result) return report_failure(error, PROVISO_ERROR_RULES, result);
  *policy = new (std::nothrow) proviso_policy{std::move(*result)};
  return *policy ? PROVISO_OK : internal(error, "out of memory");
}

// Runs `body`, turning anything thrown into PROVISO_ERROR_INTERNAL.
template <class F>
int guarded(char** error, F&& body) {
  if (error) *error = nullptr;
  try {
    return body();
  } catch (const std::exception& e) {
    return internal(error, e.what());
  } catch (...) {
    return internal(error, "unknown exception");
  }
}

}  // namespace

extern "C" {

const char* proviso_version(void) { return PROVISO_VERSION; }

const char* proviso_status_message(int status) {
  switch (status) {
    case PROVISO_OK: return "ok";
    case PROVISO_ERROR_ARGUMENT: return "a bad argument (a NULL pointer or an unknown flag)";
    case PROVISO_ERROR_RULES: return "the rule set has errors";
    case PROVISO_ERROR_REQUEST: return "the request is invalid";
    case PROVISO_ERROR_INTERNAL: return "internal error (a bug in Proviso)";
    default: return "unknown status";
  }
}

int proviso_policy_builtin(proviso_policy** policy, char** error) {
  return guarded(error, [&] {
    if (!policy) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`policy` is NULL");
    *policy = nullptr;
    return make_policy(proviso::Policy::builtin(), policy, error);
  });
}

int proviso_policy_load(const char* path, proviso_policy** policy, char** error) {
  return guarded(error, [&] {
    if (!policy || !path) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`path` or `policy` is NULL");
    *policy = nullptr;
    return make_policy(proviso::Policy::load(path), policy, error);
  });
}

void proviso_policy_free(proviso_policy* policy) { delete policy; }

int proviso_policy_describe(const proviso_policy* policy, char** json) {
  return guarded(nullptr, [&] {
    if (!policy || !json) return static_cast<int>(PROVISO_ERROR_ARGUMENT);
    *json = copy_out(policy->policy.describe().dump());
    return static_cast<int>(*json ? PROVISO_OK : PROVISO_ERROR_INTERNAL);
  });
}

int proviso_decide(const proviso_policy* policy, const char* request, size_t length, unsigned flags, char** decision,
                   char** error) {
  return guarded(error, [&] {
    if (!policy || !request || !decision) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`policy`, `request` or `decision` is NULL");
    if (flags & ~(PROVISO_DETAIL_FULL | PROVISO_WITH_RECEIPT | PROVISO_NO_COUNTERFACTUALS))
      return report(error, PROVISO_ERROR_ARGUMENT, "E902", "unknown flags " + std::to_string(flags));
    *decision = nullptr;
    auto result = policy->policy.decide(std::string_view(request, length));
    if (!result) return report_failure(error, PROVISO_ERROR_REQUEST, result);
    const auto detail = !(flags & PROVISO_DETAIL_FULL)             ? proviso::Detail::compact
                        : flags & PROVISO_NO_COUNTERFACTUALS ? proviso::Detail::full_without_counterfactuals
                                                             : proviso::Detail::full;
    auto out = result->to_json(detail);
    if (flags & PROVISO_WITH_RECEIPT) out["receipt"] = result->receipt();
    *decision = copy_out(out.dump());
    return *decision ? PROVISO_OK : internal(error, "out of memory");
  });
}

int proviso_explain(const proviso_policy* policy, const char* request, size_t length, char** text, char** error) {
  return guarded(error, [&] {
    if (!policy || !request || !text) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`policy`, `request` or `text` is NULL");
    *text = nullptr;
    auto result = policy->policy.decide(std::string_view(request, length));
    if (!result) return report_failure(error, PROVISO_ERROR_REQUEST, result);
    *text = copy_out(result->explain_text());
    return *text ? PROVISO_OK : internal(error, "out of memory");
  });
}

int proviso_verify_receipt(const proviso_policy* policy, const char* receipt, size_t length, char** error) {
  return guarded(error, [&] {
    if (!policy || !receipt) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`policy` or `receipt` is NULL");
    auto parsed = nlohmann::json::parse(std::string_view(receipt, length), nullptr, false);
    if (parsed.is_discarded()) return report(error, PROVISO_ERROR_REQUEST, "E903", "the receipt is not valid JSON");
    std::string why;
    if (policy->policy.verify_receipt(parsed, &why)) return static_cast<int>(PROVISO_OK);
    return report(error, PROVISO_ERROR_REQUEST, "E903", why);
  });
}

int proviso_decider_new(const proviso_policy* policy, proviso_decider** decider, char** error) {
  return guarded(error, [&] {
    if (!policy || !decider) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`policy` or `decider` is NULL");
    *decider = new (std::nothrow) proviso_decider{policy->policy, proviso::LineDecider(policy->policy), {}};
    return *decider ? PROVISO_OK : internal(error, "out of memory");
  });
}

void proviso_decider_free(proviso_decider* decider) { delete decider; }

int proviso_decider_decide(proviso_decider* decider, const char* request, size_t length, const char** decision,
                           char** error) {
  return guarded(error, [&] {
    if (!decider || !request || !decision) return report(error, PROVISO_ERROR_ARGUMENT, "E902", "`decider`, `request` or `decision` is NULL");
    *decision = nullptr;
    decider->line.clear();
    if (decider->decider.decide(std::string_view(request, length), decider->line)) {
      *decision = decider->line.c_str();
      return static_cast<int>(PROVISO_OK);
    }
    // The line names only the first error; the full path gives all of them, as proviso_decide does.
    auto result = decider->policy.decide(std::string_view(request, length));
    if (!result) return report_failure(error, PROVISO_ERROR_REQUEST, result);
    return internal(error, ("the fast path refused a request the full path decides: " + decider->line).c_str());
  });
}

void proviso_string_free(char* text) { std::free(text); }

}  // extern "C"
