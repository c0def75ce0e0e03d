#pragma once
// Has the model seen these problems? Wu et al. 2025 ("Reasoning or Memorization?", arXiv
// 2507.10532) gave Qwen2.5-Math-7B the first 60% of a MATH-500 problem and it wrote the
// rest word for word 54.6% of the time. For each problem of a probe set (the run's task
// drawn with a seed, or a file's problems): the first `share` of the question's tokens as
// raw text, greedy, as many tokens as the rest has, compared with the rest (exact, ROUGE-L,
// core/analysis/text_overlap.h); and the question so cut, in the run's prompt, answered
// greedily and judged against the whole problem's answer. docs/PROBES.md. Torch-free header.
#include <functional>
#include <string>
#include <vector>

#include "core/analysis/pass_at_k.h"
#include "core/run/run_config.h"

namespace aha {

struct ContaminationItem {
  std::string question, prefix, rest, continuation;  // continuation: the model's, as long as the rest in tokens
  double rouge_l = 0;
  bool exact = false;
  std::string answer;           // the greedy answer to the cut question, empty when none
  bool answer_correct = false;  // judged against the whole problem
};

struct ContaminationResult {
  std::vector<ContaminationItem> items;
  double exact_rate = 0, mean_rouge_l = 0, answer_accuracy = 0;
  double seconds = 0;
};

// Problems too short to cut (under 2 tokens) are skipped. `progress(done, total)` after each
// batch; false cancels (std::runtime_error "contamination check cancelled").
ContaminationResult contamination_check(const RunConfig& run, const std::string& weights_dir, const ProbeSet& set,
                                        double share = 0.6, const std::function<bool(int, int)>& progress = {});

}  // namespace aha
