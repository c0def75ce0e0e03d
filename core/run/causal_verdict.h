#pragma once
// Did a reflection matter? (docs/ANCHORS.md) The accuracy of continuations sampled from
// just after a reflection event's steps (kept) against those sampled from just before them
// whose first step differs (the reflection resampled away), as an anchor map measures one
// step. A fix is causal when the kept side is better beyond the 95% interval. Torch-free.
#include <optional>
#include <string>
#include <utility>

#include "core/analysis/reflection_events.h"
#include "core/run/anchor_map.h"

namespace aha {

struct CausalVerdict {
  int first = 0, last = 0;  // the event's steps (indices into trace_steps of the completion)
  StepAnchor figures;       // importance: accuracy kept - resampled away
  bool causal() const { return figures.resampled > 0 && figures.importance - figures.half_width > 0; }
};

// The steps an event spans: from the one holding its phrase to the first from there that
// states its value after (that one alone when it states none); nullopt when the phrase
// lies outside the thinking part. `event` in characters, as stored; in bytes, as the
// detector returns it, when `bytes`.
std::optional<std::pair<int, int>> event_steps(const std::string& completion, const std::vector<TraceStep>& steps,
                                               const ReflectionEvent& event, bool bytes = false);

// `samples` continuations each side, in one sampler call.
CausalVerdict causal_verdict(const AnchorTrace& trace, const std::vector<TraceStep>& steps, std::pair<int, int> span,
                             int samples, const AnchorSampler& sample);

}  // namespace aha
