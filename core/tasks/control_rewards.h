#pragma once
// Control rewards (Shao et al. 2025, "Spurious Rewards", arXiv 2506.10947): rewards that
// carry no information about the truth, trained beside the real one to show how much of a
// gain they also reach (docs/OBJECTIVES.md). Torch-free.
#include <cstdint>
#include <optional>

#include "core/tasks/task.h"

namespace aha {

// A key for one sampled completion: the run's seed, the step and its place in the batch,
// mixed (SplitMix64). Never the completion's text: the random reward must not depend on it.
uint64_t sample_key(uint64_t seed, int64_t step, int group, int index_in_group);

// 1 with probability p, decided by the key alone.
double random_reward(uint64_t key, double p);

// The problem with a wrong label in place of its answer: the numeric reference moved by a
// near miss (+-1, +-2, +-10, +-100: dropped carries and slips), drawn from the problem's
// text so that it is the same each time the problem comes back (for Countdown the target
// moves, so that an expression reaching the wrong target is rewarded); nullopt when the
// reference is not a number. Shao et al. took another model's majority-vote answers where
// they were wrong; a near miss is the cheap stand-in for "a plausible wrong value".
std::optional<Problem> with_wrong_label(const Problem& p);

}  // namespace aha
