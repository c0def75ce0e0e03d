#pragma once
// "Resample from here": continuations of a stored completion from a point in its text,
// the text before the point kept or edited (a "wait" deleted or inserted), sampled from
// stored weights with the run's sampling settings (the request and its result are in
// core/run/continuations.h). Torch-free header.
#include "core/run/continuations.h"

namespace aha {

// Throws naming the file when the weights do not load; the prefix leaves at least one
// token of the run's completion length to sample, or it is refused.
ResampleResult resample_from(const ResampleRequest& request);

}  // namespace aha
