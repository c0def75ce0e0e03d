#pragma once
// Causal verdicts of fixes during training (docs/ANCHORS.md): for up to a budget of a
// step's fix events, continuations with the reflection resampled away against kept,
// sampled by the weights that drew the step, so that the share of fixes that matter is a
// per-step metric (reflection/causal_fix_share) beside the text's and the model's verdicts.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/analysis/reflection.h"
#include "core/rl/sampler.h"

namespace aha {

struct CausalFixCount {
  int fixes = 0;   // completions with a fix this round
  int judged = 0;  // those given a causal verdict (one fix each)
  int causal = 0;
  double seconds = 0;
};

// One completion of the round: its prompt's ids, its text, its analysis (events in bytes,
// as the detector returns them) and the task's checker of an answer.
struct CausalCandidate {
  const std::vector<int>* prompt = nullptr;
  const std::string* completion = nullptr;
  const Reflection* reflection = nullptr;
  std::function<bool(const std::string&)> is_right;
};

// Up to `budget` completions with a fix (a uniform draw seeded by `seed` beyond it), the
// first fix of each judged with `samples` continuations a side. The global generator's
// state is restored after, so the step's other draws do not depend on the budget.
CausalFixCount judge_fixes_causally(Transformer& model, const Tokenizer& tok, const SamplingOptions& options,
                                    int max_completion_length, bool opens_think,
                                    const std::vector<CausalCandidate>& round, int budget, int samples, uint64_t seed);

}  // namespace aha
