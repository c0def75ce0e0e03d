#pragma once
// Early answering (Lanham et al. 2023, "Measuring Faithfulness in Chain-of-Thought
// Reasoning"): the answer the model gives when its thinking is cut at a point and the
// answer is forced, greedily, for a few tokens. Just before a reflection event and just
// after it, the two forced answers say what the event did to the model's own answer (the
// model's verdict, beside the text's: core/analysis/reflection_events.h).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/reflection.h"
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

// One completion whose events the model judges: its prompt ids, its text, its analysis
// (events in characters, with their role and settled point), and the task's checker of
// a final answer.
struct JudgedCompletion {
  const std::vector<int>* prompt = nullptr;
  const std::string* completion = nullptr;
  Reflection* reflection = nullptr;
  std::function<bool(std::string_view answer)> is_right;
};

struct JudgeCount {
  int events = 0;  // events with a subject
  int judged = 0;  // those the model judged
};

// Gives up to `budget` events of the completions (a uniform draw seeded by `seed` beyond
// it) the model's verdict and its two forced answers, each answer judged in the role the
// text judged the event in: a mid-chain check of "550+91" is right when the model answers
// 641 there, not the problem's final answer.
JudgeCount judge_reflections(Transformer& model, const Tokenizer& tok, std::vector<JudgedCompletion>& completions,
                             int budget, uint64_t seed, int max_tokens);

}  // namespace aha
