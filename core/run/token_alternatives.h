#pragma once
// The token lens's "what else could it have said here": the top next tokens at one
// position of a stored completion, recomputed on demand from the weights nearest those
// that sampled it (a run keeps only some checkpoints, so the answer says which it used).
// The choice of weights is here (torch-free); the forward pass is the engine's
// (Engine::token_alternatives, core/rl/token_alternatives.h).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/run/run_config.h"

namespace aha {

struct WeightsOnDisk {
  int64_t step = 0;  // the checkpoint after this step; 0: the run's base model (no update yet)
  std::string path;
  std::string describe() const;  // "the checkpoint after step 49", "the base model"
};

struct AlternativesRequest {
  RunConfig run;  // its model (the base weights) and sampling temperature
  WeightsOnDisk weights;
  int64_t step = 1;  // the sample's step: drawn by the weights after step - 1
  std::string prompt;
  std::vector<int> completion;  // token ids
  size_t position = 0;          // 0 = the completion's first token
  int k = 5;
};

struct TokenAlternatives {
  WeightsOnDisk weights;   // what was used
  int64_t sampled_by = 0;  // the weights that drew the sample: after this step (-1: base)
  // The top tokens at the position, most likely first: text, probability at the run's
  // sampling temperature.
  std::vector<std::pair<std::string, double>> top;
  double sampled_probability = 0;  // of the token the sample has there, under these weights
  std::string sampled_text;
  // "the weights that sampled it" or "24 steps after those that sampled it".
  std::string distance() const;
};

// The weights closest to those that drew a sample of `step` (the model after step - 1):
// among `checkpoints` whose folder still exists and the run's base model; ties go to
// the earlier.
WeightsOnDisk nearest_weights(const RunConfig& run, const std::vector<WeightsOnDisk>& checkpoints, int64_t step);

}  // namespace aha
