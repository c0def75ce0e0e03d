#include "core/rl/evaluate.h"

#include "core/model/checkpoint.h"
#include "core/rl/model_eval.h"
#include "core/analysis/reflection.h"
#include "core/tasks/rewards.h"
#include "core/rl/sampler.h"
#include "core/text/tokenizer.h"

namespace aha {

EvalResult evaluate_model(Transformer& model, const Tokenizer& tok, const Task& task,
                          const PromptFormat& format, int samples, double temperature,
                          int max_new_tokens, uint64_t seed) {
  std::mt19937_64 rng(seed);
  torch::manual_seed(seed);
  model->eval();
  SamplingOptions so;
  so.temperature = temperature;
  so.max_new_tokens = max_new_tokens;
  so.pad_id = tok.pad_id();
  so.stop_ids = format.stop_ids(tok);
  so.stop_when = stop_at_text(tok, format.stop_text(tok));
  const bool opened = format.opens_think();

  const ReflectionDetector detector;
  EvalResult r;
  int checked = 0, checked_right = 0, direct_right = 0;
  const int batch = 128;
  for (int done = 0; done < samples; done += batch) {
    const int n = std::min(batch, samples - done);
    std::vector<Problem> problems;
    std::vector<std::vector<int>> prompts;
    for (int i = 0; i < n; ++i) {
      problems.push_back(task.sample(rng));
      prompts.push_back(tok.encode(format.render(problems.back())));
    }
    auto gen = generate(model, prompts, so);
    for (int i = 0; i < n; ++i) {
      const std::string text = tok.decode(gen.completions[i]);
      auto parsed = parse_response((opened ? "<think>" : "") + text);
      const bool right = parsed.has_answer && task.is_correct(problems[i], parsed.answer);
      const bool check = detector.analyse(text, parsed.answer).reflective();
      r.accuracy += right;
      r.format_rate += parsed.format_ok;
      r.mean_length += gen.completions[i].size();
      checked += check;
      (check ? checked_right : direct_right) += right;
    }
    r.samples += n;
  }
  r.accuracy /= r.samples;
  r.format_rate /= r.samples;
  r.mean_length /= r.samples;
  r.check_share = double(checked) / r.samples;
  r.accuracy_checked = checked ? double(checked_right) / checked : 0.0;
  r.accuracy_direct = r.samples > checked ? double(direct_right) / (r.samples - checked) : 0.0;
  return r;
}

EvalResult evaluate_config_model(const RunConfig& cfg, int samples, double temperature) {
  if (cfg.threads > 0) torch::set_num_threads(cfg.threads);
  auto loaded = load_model(resolve_model_path(cfg.model));
  loaded.model->fuse_projections();
  auto task = make_task(cfg.task);
  return evaluate_model(loaded.model, *loaded.tokenizer, *task, cfg.prompt_format(), samples, temperature,
                        cfg.max_completion_length, cfg.seed + 1000);
}

}  // namespace aha
