#pragma once
// "Resample from here": continuations of a stored completion from a point in its text,
// the text before the point kept or edited (a "wait" deleted or inserted), sampled from
// stored weights with the run's sampling settings. Did this reflection matter? Compare
// the continuations with and without it. Torch-free header.
#include <cstdint>
#include <string>
#include <vector>

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

// Throws naming the file when the weights do not load; the prefix leaves at least one
// token of the run's completion length to sample, or it is refused.
ResampleResult resample_from(const ResampleRequest& request);

}  // namespace aha
