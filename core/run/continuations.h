#pragma once
// "Resample from here" (core/rl/resample.h samples; Engine::resample_from for the studio):
// what to continue and from which weights, and what the continuations did: how many
// reached a right answer, and the reflection events after the point by outcome.
// Torch-free, so the studio shows the same figures as `aha probe resample`.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis/reflection.h"
#include "core/run/token_alternatives.h"

namespace aha {

struct ResampleRequest {
  RunConfig run;  // its sampling settings, prompt format and completion length
  WeightsOnDisk weights;
  std::string prompt;  // as stored (the rendered prompt)
  std::string prefix;  // the completion's text before the point, as kept or edited
  int samples = 64;
  uint64_t seed = 1;
};

struct ResampleResult {
  std::vector<std::string> continuations;  // each after the prefix, up to its stop
  std::vector<bool> truncated;
  double seconds = 0;
};

struct ContinuationStats {
  int samples = 0, correct = 0, answered = 0, truncated = 0;
  int reflective = 0;  // continuations with a reflection event after the point
  int fixed = 0;       // ... with a fix after the point (a real aha)
  std::array<int, kReflectionOutcomes> outcomes{};  // events after the point, by outcome
};

// Each completion is `prefix` + a continuation; judged by its <answer> against
// `reference` (numerically, as the detector's judge); its events count from byte `point`
// of the prefix on (the point, before any inserted text). `opens_think`: the prompt
// ended with <think>.
ContinuationStats judge_continuations(const std::string& prefix, size_t point,
                                      const std::vector<std::string>& continuations,
                                      const std::vector<bool>& truncated, const std::string& reference,
                                      bool opens_think, const ReflectionDetector& detector);

}  // namespace aha
