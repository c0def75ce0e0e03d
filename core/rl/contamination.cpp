#include "core/rl/contamination.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/analysis/text_overlap.h"
#include "core/model/checkpoint.h"
#include "core/rl/probe.h"
#include "core/rl/sampler.h"
#include "core/tasks/rewards.h"

namespace aha {

ContaminationResult contamination_check(const RunConfig& run, const std::string& weights_dir, const ProbeSet& set,
                                        double share, const std::function<bool(int, int)>& progress) {
  if (!(share > 0 && share < 1)) throw std::invalid_argument("contamination check: the prefix share must be within (0, 1)");
  const auto start = std::chrono::steady_clock::now();
  auto [problems, task] = probe_set_problems(run, set);
  torch::NoGradGuard no_grad;
  auto loaded = load_for_sampling(weights_dir);
  const auto& tok = *loaded.tokenizer;
  const auto format = run.prompt_format();

  // The question cut at `share` of its tokens: the model reads the head as raw text.
  ContaminationResult out;
  std::vector<std::vector<int>> heads, tails;
  std::vector<const Problem*> kept;
  for (const auto& problem : problems) {
    const auto ids = tok.encode(problem.question);
    const int cut = int(std::lround(share * ids.size()));
    if (ids.size() < 2 || cut < 1 || cut >= int(ids.size())) continue;
    heads.emplace_back(ids.begin(), ids.begin() + cut);
    tails.emplace_back(ids.begin() + cut, ids.end());
    kept.push_back(&problem);
  }
  SamplingOptions rest;  // greedy, as long as the longest rest; each row cut to its own
  rest.temperature = 0;
  rest.pad_id = tok.pad_id();
  rest.stop_ids = {tok.eos_id()};
  SamplingOptions answer;  // greedy, in the run's prompt
  answer.temperature = 0;
  answer.max_new_tokens = run.max_completion_length;
  answer.pad_id = tok.pad_id();
  answer.stop_ids = format.stop_ids(tok);
  answer.stop_when = stop_at_text(tok, format.stop_text(tok));
  const int total = int(kept.size()), batch = 64;
  for (int from = 0; from < total; from += batch) {
    const int to = std::min(total, from + batch);
    std::vector<std::vector<int>> rows(heads.begin() + from, heads.begin() + to), asked;
    rest.max_new_tokens = 0;
    for (int r = from; r < to; ++r) rest.max_new_tokens = std::max(rest.max_new_tokens, int(tails[r].size()));
    const auto continued = generate(loaded.model, rows, rest);
    std::vector<ContaminationItem> items;
    for (int r = from; r < to; ++r) {
      ContaminationItem item;
      item.question = kept[r]->question;
      item.prefix = tok.decode(heads[r]);
      item.rest = tok.decode(tails[r]);
      auto ids = continued.completions[r - from];
      if (ids.size() > tails[r].size()) ids.resize(tails[r].size());
      item.continuation = tok.decode(ids);
      item.rouge_l = rouge_l(item.rest, item.continuation);
      item.exact = exact_continuation(item.rest, item.continuation);
      // The cut question asked as the run asks: a right answer without the rest of the
      // problem is one the model knew.
      Problem cut = *kept[r];
      cut.question = item.prefix;
      asked.push_back(tok.encode(format.render(cut)));
      items.push_back(std::move(item));
    }
    const auto answered = generate(loaded.model, asked, answer);
    for (int r = from; r < to; ++r) {
      auto& item = items[r - from];
      const auto parsed = parse_response((format.opens_think() ? "<think>" : "") + tok.decode(answered.completions[r - from]));
      if (parsed.has_answer) {
        item.answer = parsed.answer;
        item.answer_correct = task->is_correct(*kept[r], parsed.answer);
      }
      out.items.push_back(std::move(item));
    }
    if (progress && !progress(to, total)) throw std::runtime_error("contamination check cancelled");
  }
  if (out.items.empty()) throw std::invalid_argument("contamination check: no problem is long enough to cut (2 tokens or more)");
  for (const auto& i : out.items) {
    out.exact_rate += i.exact;
    out.mean_rouge_l += i.rouge_l;
    out.answer_accuracy += i.answer_correct;
  }
  const double n = double(out.items.size());
  out.exact_rate /= n;
  out.mean_rouge_l /= n;
  out.answer_accuracy /= n;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace aha
