// proviso::v1::LineDecider: the public face of the fast path (engine/bind_fast.hpp).
#include "engine/api_state.hpp"
#include "engine/bind_fast.hpp"

namespace proviso::v1 {

struct LineDecider::Impl {
  // Held so the decider may outlive the caller's Policy: the compiled form
  // refers to the checked policy in the shared state (its fallback binder).
  Policy policy;
  ::proviso::FastDecider decider;
};

namespace {

std::shared_ptr<const ::proviso::CompiledPolicy> compiled(const detail::PolicyState& state) {
  std::call_once(state.compiled_once, [&] { state.compiled = std::make_shared<const ::proviso::CompiledPolicy>(state.policy); });
  return state.compiled;
}

}  // namespace

LineDecider::LineDecider(const Policy& policy, const RequestLimits& limits)
    : impl_(std::make_unique<Impl>(Impl{policy, ::proviso::FastDecider(compiled(*policy.state_), detail::engine_limits(limits))})) {}
LineDecider::~LineDecider() = default;
LineDecider::LineDecider(LineDecider&&) noexcept = default;
LineDecider& LineDecider::operator=(LineDecider&&) noexcept = default;

std::optional<Outcome> LineDecider::decide(std::string_view json, std::string& out) noexcept {
  const auto size = out.size();
  try {
    const auto outcome = impl_->decider.decide_line(json, out);
    if (impl_->decider.last_was_error()) return std::nullopt;
    return detail::to_public(outcome);
  } catch (...) {
    out.resize(size);
    out += R"({"error":{"code":"E901","message":"internal error while deciding this request"}})";
    return std::nullopt;
  }
}

}  // namespace proviso::v1
