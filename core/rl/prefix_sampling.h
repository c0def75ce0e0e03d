#pragma once
// Continuations of prefixes of a completion, sampled in one batch by a model in memory:
// each row is the prompt's ids, then the prefix's tokens, then up to the completion length
// less the prefix's. What anchor maps and causal verdicts sample (core/rl/resample.h from
// stored weights; the trainer from the weights that drew the step).
#include <string>
#include <vector>

#include "core/model/transformer.h"
#include "core/rl/sampler.h"
#include "core/run/anchor_map.h"
#include "core/text/tokenizer.h"

namespace aha {

// `options`: the run's sampling settings (its max_new_tokens is set here); a prefix with no
// room left gets an empty, truncated continuation.
std::vector<AnchorContinuation> continue_prefixes(Transformer& model, const Tokenizer& tok, SamplingOptions options,
                                                  int max_completion_length, const std::vector<int>& prompt,
                                                  const std::vector<std::string>& prefixes);

}  // namespace aha
