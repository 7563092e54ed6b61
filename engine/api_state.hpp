// What the public handles (proviso::v1::Policy and Decision) point to: the
// compiled policy and one decision's data. Included only by the files that
// implement the public API (engine/api*.cpp), where both the engine's
// proviso::Policy and the facade's proviso::v1::Policy are visible.
#pragma once
#define PROVISO_FACADE_IMPLEMENTATION 1
#include "proviso/proviso.hpp"

#include <mutex>

#include "engine/compiled.hpp"
#include "engine/eval.hpp"
#include "engine/facts.hpp"
#include "engine/load.hpp"

namespace proviso::v1::detail {

struct PolicyState {
  std::shared_ptr<const ::proviso::Policy> policy;
  RuleSetInfo info;
  // The compiled evaluator, built by the first LineDecider (most callers never need it).
  mutable std::once_flag compiled_once;
  mutable std::shared_ptr<const ::proviso::CompiledPolicy> compiled;
};

struct DecisionState {
  std::shared_ptr<const PolicyState> policy;
  ::proviso::Facts facts;
  ::proviso::Decision decision;
};

::proviso::RequestLimits engine_limits(const RequestLimits& limits);
Outcome to_public(::proviso::Outcome outcome);

// Engine diagnostics as the public API shows them.
std::vector<Diagnostic> to_public(const ::proviso::Diagnostics& diagnostics, const ::proviso::SourceMap& sources);

}  // namespace proviso::v1::detail
