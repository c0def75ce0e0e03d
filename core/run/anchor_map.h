#pragma once
// Anchor maps (docs/ANCHORS.md; Bogdan et al. 2025, "Thought Anchors", arXiv 2506.19143):
// which steps of a stored chain of thought decided its answer. For each step, the
// accuracy of continuations sampled from just after it (the step kept) against those
// sampled from just before it whose first step differs from it (the step resampled
// away); and how often the resampled-away content comes back later (resilience, as in
// "Thought Branches", arXiv 2510.27484). Adaptive: every boundary gets a few continuations,
// then more go where a step's interval is widest (forks first) until each is narrow
// enough or the budget is spent. Torch-free: the continuations come from a sampler
// (core/rl/resample.h's PrefixContinuer, or a stand-in in tests).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/trace_steps.h"
#include "core/run/run_config.h"
#include "core/run/token_alternatives.h"

namespace aha {

struct TokenTrace;

struct AnchorContinuation {
  std::string text;  // after its prefix, up to its stop
  bool truncated = false;
  std::string answer;  // judged by the map (the <answer> of prefix + text)
  bool correct = false;
};

// One continuation for each prefix given (a prefix of the completion, ending at a step
// boundary); returned in the same order.
using AnchorSampler = std::function<std::vector<AnchorContinuation>(const std::vector<std::string>& prefixes)>;

struct AnchorTrace {
  std::string completion;  // as stored
  std::string reference;   // the task's answer
  bool opens_think = false;  // the prompt ended with <think>
  std::vector<bool> forks;   // per step, when known: the token lens saw a forking token in it
  // The task's checker of an <answer> (the trainer's); when empty, the answer is compared
  // with `reference` numerically.
  std::function<bool(const std::string& answer)> is_right;
};

struct AnchorOptions {
  // > 0: every boundary gets this many continuations (the reference map); 0: adaptive.
  int full_samples = 0;
  // Adaptive: each boundary's first draw (twice this before a fork step), the draw added
  // to a boundary at a time, and the most one boundary gets.
  int start_samples = 8, round_samples = 8, max_samples = 64;
  // Adaptive: total continuations; 0: 16 per boundary (a quarter of a 64-sample map).
  int budget = 0;
  // Adaptive: a step is settled once its effect's 95% interval is this narrow (half-width).
  double target_half_width = 0.15;
  int batch = 256;  // continuations per sampler call
  uint64_t seed = 1;
};

struct StepAnchor {
  TraceStep step;
  int kept = 0, kept_correct = 0;            // continuations from after the step
  int resampled = 0, resampled_correct = 0;  // from before it, whose first step differs from it
  int rewritten_same = 0;                    // from before it, whose first step is the same step again
  int came_back = 0;                         // of `resampled`, those where the step's content comes back later
  // Counterfactual importance: accuracy kept minus accuracy resampled away (0 when no
  // continuation differed), its 95% interval's half-width (1 when none differed), the KL
  // divergence of the kept answers' distribution from the resampled-away ones', and the
  // share of resampled-away continuations where the content came back.
  double importance = 0, half_width = 1, kl = 0, resilience = 0;
  // What resampling the step changes on average: the share of continuations from before it
  // that differ, times its importance; and the half-width of its 95% interval (as accuracy
  // kept against accuracy of all continuations from before it). Maps rank steps by |effect|:
  // a step the model nearly always writes the same way cannot decide much, however wrong
  // its rare alternatives are, and the few continuations that show them make importance
  // alone a poor estimate.
  double effect = 0, effect_half_width = 1;
};

struct AnchorMap {
  std::vector<TraceStep> steps;
  // Per boundary j = 0..steps.size(): continuations from before step j (after the last for the last).
  std::vector<std::vector<AnchorContinuation>> continuations;
  std::vector<StepAnchor> anchors;  // per step
  bool adaptive = false;
  double seconds = 0;  // sampling time, filled by the caller that timed it
  int total() const;
};

// A map of a stored sample from stored weights (core/rl/resample.h's anchor_map_from;
// Engine::anchor_map for the studio).
struct AnchorRequest {
  RunConfig run;  // its sampling settings, prompt format and completion length
  WeightsOnDisk weights;
  std::string prompt;  // as stored
  AnchorTrace trace;
  AnchorOptions options;
};

// The map of a trace; nullopt when `progress` (continuations done, the budget) returned false.
std::optional<AnchorMap> anchor_map(const AnchorTrace& trace, const AnchorOptions& options,
                                    const AnchorSampler& sample,
                                    const std::function<bool(int, int)>& progress = {});

// One step's figures from continuations sampled before it (`before`, compared with its
// text `original`) and after it (`after`); its `step` is left for the caller.
StepAnchor score_span(std::string_view original, const std::vector<AnchorContinuation>& before,
                      const std::vector<AnchorContinuation>& after);

// The anchors of stored continuations (each already judged): what anchor_map computes
// once it has sampled, so a stored map reads back with the same figures.
std::vector<StepAnchor> score_anchors(const std::string& completion, const std::vector<TraceStep>& steps,
                                      const std::vector<std::vector<AnchorContinuation>>& continuations);

// Judges a continuation of `prefix` against the trace's reference (sets answer and correct).
void judge_continuation(const AnchorTrace& trace, const std::string& prefix, AnchorContinuation& c);

// Steps ranked by |effect|, largest first (ties by position).
std::vector<int> anchor_ranking(const std::vector<StepAnchor>& anchors);

// Per step: the token lens saw a forking token in it (entropy at or above the trace
// view's floor, core/analysis/token_lens.h), so the adaptive map starts it with more.
std::vector<bool> fork_steps(const std::string& completion, const std::vector<TraceStep>& steps,
                             const TokenTrace& tokens);

}  // namespace aha
