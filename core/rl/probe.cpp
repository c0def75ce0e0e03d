#include "core/rl/probe.h"

#include <torch/torch.h>

#include <chrono>
#include <map>
#include <stdexcept>

#include "core/model/checkpoint.h"
#include "core/rl/sampler.h"
#include "core/tasks/dataset_file.h"
#include "core/tasks/rewards.h"

namespace aha {

std::pair<std::vector<Problem>, std::unique_ptr<Task>> probe_set_problems(const RunConfig& run, const ProbeSet& set) {
  if (set.file.empty()) {
    if (set.problems < 1) throw std::invalid_argument("a probe needs at least one problem");
    auto task = make_task(run.task);
    std::mt19937_64 rng(set.seed);
    std::vector<Problem> problems;
    for (int i = 0; i < set.problems; ++i) problems.push_back(task->sample(rng));
    return {std::move(problems), std::move(task)};
  }
  TaskOptions from_file = run.task;
  from_file.name = run.task.name == "countdown" ? "countdown" : "dataset";
  from_file.data_file = set.file;
  auto problems = load_dataset(from_file).problems;  // throws naming the file and line
  if (set.problems > 0 && static_cast<size_t>(set.problems) < problems.size()) problems.resize(set.problems);
  return {std::move(problems), make_task(from_file)};
}


PassAtKProbe probe_pass_at_k(const RunConfig& run, const std::string& weights_dir, const ProbeSet& set, int samples,
                             const std::function<bool(int, int)>& progress) {
  if (samples < 1) throw std::invalid_argument("a probe needs at least one sample per problem");
  auto [problems, task] = probe_set_problems(run, set);
  const int count = static_cast<int>(problems.size());
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  auto loaded = load_for_sampling(weights_dir);
  const auto& tok = *loaded.tokenizer;
  const auto format = run.prompt_format();
  torch::manual_seed(set.seed);
  PassAtKProbe out;
  out.problems.resize(count);
  for (int p = 0; p < count; ++p) {
    out.problems[p].prompt = format.render(problems[p]);
    out.problems[p].reference = problems[p].reference;
  }

  SamplingOptions so;
  so.temperature = run.temperature;
  so.top_p = run.top_p;
  so.max_new_tokens = run.max_completion_length;
  so.pad_id = tok.pad_id();
  so.stop_ids = format.stop_ids(tok);
  so.stop_when = stop_at_text(tok, format.stop_text(tok));
  const std::string opened = format.opens_think() ? "<think>" : "";

  std::vector<std::map<std::string, int>> answers(count);  // per problem: answer -> times given
  const int total = count * samples, batch = 256;
  for (int done = 0; done < total; done += batch) {
    const int rows = std::min(batch, total - done);
    std::vector<std::vector<int>> prompts;
    for (int r = 0; r < rows; ++r) prompts.push_back(tok.encode(out.problems[(done + r) / samples].prompt));
    const auto gen = generate(loaded.model, prompts, so);
    for (int r = 0; r < rows; ++r) {
      const int p = (done + r) / samples;
      const std::string text = tok.decode(gen.completions[r]);
      const auto parsed = parse_response(opened + text);
      auto& result = out.problems[p];
      ProbeCompletion c{text, parsed.has_answer ? parsed.answer : "", false, gen.truncated[r]};
      if (parsed.has_answer) {
        c.correct = task->is_correct(problems[p], parsed.answer);
        ++answers[p][parsed.answer];
      }
      ++result.samples;
      result.correct += c.correct;
      result.completions.push_back(std::move(c));
    }
    if (progress && !progress(done + rows, total)) throw std::runtime_error("probe cancelled after " + std::to_string(done + rows) + " of " + std::to_string(total) + " completions");
  }
  for (int p = 0; p < count; ++p) {
    const std::string* best = nullptr;
    int most = 0;
    for (const auto& [answer, times] : answers[p])  // ties: the first in order, deterministically
      if (times > most) most = times, best = &answer;
    out.problems[p].majority_correct = best && task->is_correct(problems[p], *best);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace aha
