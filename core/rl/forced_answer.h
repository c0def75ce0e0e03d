#pragma once
// Early answering (Lanham et al. 2023, "Measuring Faithfulness in Chain-of-Thought
// Reasoning"): the answer the model gives when its thinking is cut at a point and the
// answer is forced, greedily, for a few tokens. Just before a reflection event and just
// after it, the two forced answers say what the event did to the model's own answer (the
// model's verdict, beside the text's: core/analysis/reflection_events.h).
#include <string>
#include <vector>

#include "core/model/transformer.h"
#include "core/text/tokenizer.h"

namespace aha {

struct ForcedAnswerQuery {
  std::vector<int> prompt;  // the prompt's ids, as sampled
  std::string prefix;       // the completion's text up to the point
};

// The text of each forced answer: prompt + prefix + `opener` ("</think><answer>"),
// `max_tokens` greedy tokens at most, cut at `closer` ("</answer>"). Batched.
std::vector<std::string> forced_answers(Transformer& model, const Tokenizer& tok,
                                        const std::vector<ForcedAnswerQuery>& queries, const std::string& opener,
                                        const std::string& closer, int max_tokens);

}  // namespace aha
