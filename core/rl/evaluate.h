#pragma once
// Samples a model on fresh problems and measures what predicts the direction of RL:
// accuracy overall, the share of completions that self-check, and accuracy of the
// self-checked vs the direct completions.
#include <functional>
#include <string>

#include "core/tasks/corpus.h"
#include "core/rl/model_eval.h"
#include "core/model/transformer.h"

namespace aha {

class Tokenizer;

// "Self-checked" completions are those the reflection detector flags.
EvalResult evaluate_model(Transformer& model, const Tokenizer& tok, const Task& task,
                          const PromptFormat& format, int samples, double temperature,
                          int max_new_tokens, uint64_t seed);

}  // namespace aha
