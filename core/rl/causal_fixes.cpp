#include "core/rl/causal_fixes.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/rl/prefix_sampling.h"
#include "core/run/causal_verdict.h"

namespace aha {

CausalFixCount judge_fixes_causally(Transformer& model, const Tokenizer& tok, const SamplingOptions& options,
                                    int max_completion_length, bool opens_think,
                                    const std::vector<CausalCandidate>& round, int budget, int samples, uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  CausalFixCount count;
  std::vector<size_t> with_fix;
  for (size_t i = 0; i < round.size(); ++i)
    if (round[i].reflection->real_aha()) with_fix.push_back(i);
  count.fixes = static_cast<int>(with_fix.size());
  if (static_cast<int>(with_fix.size()) > budget) {
    std::mt19937_64 draw(seed);
    std::shuffle(with_fix.begin(), with_fix.end(), draw);
    with_fix.resize(budget);
  }
  if (with_fix.empty()) return count;
  auto generator = at::globalContext().defaultGenerator(model->parameters().front().device());
  const auto state = generator.get_state();
  torch::manual_seed(seed);
  for (size_t i : with_fix) {
    const auto& c = round[i];
    const auto steps = trace_steps(*c.completion);
    for (const auto& e : c.reflection->events) {
      if (e.outcome != ReflectionOutcome::Fix) continue;
      const auto span = event_steps(*c.completion, steps, e, /*bytes=*/true);
      if (!span) break;
      const AnchorTrace trace{*c.completion, "", opens_think, {}, c.is_right};
      const auto sampler = [&](const std::vector<std::string>& prefixes) {
        return continue_prefixes(model, tok, options, max_completion_length, *c.prompt, prefixes);
      };
      const auto verdict = causal_verdict(trace, steps, *span, samples, sampler);
      ++count.judged;
      count.causal += verdict.causal();
      break;  // the first fix of each completion
    }
  }
  generator.set_state(state);
  count.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return count;
}

}  // namespace aha
