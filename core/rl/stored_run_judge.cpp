#include "core/rl/stored_run_judge.h"

#include "core/analysis/reflection.h"
#include "core/model/checkpoint.h"
#include "core/rl/forced_answer.h"
#include "core/run/step_metrics.h"
#include "core/tasks/rewards.h"
#include "core/tasks/task.h"

namespace aha {

namespace {

// The problem a stored sample answered, as far as its checker needs it: the reference,
// and for Countdown the numbers of "Use 3 7 25 50 to make 125." in its prompt.
Problem problem_of(const SampleRecord& s, bool countdown) {
  Problem p;
  p.reference = s.reference;
  if (!countdown) return p;
  const size_t use = s.prompt.rfind("Use "), make = s.prompt.find(" to make ", use == std::string::npos ? 0 : use);
  if (use == std::string::npos || make == std::string::npos) return p;
  for (size_t i = use + 4; i < make;) {
    size_t end = i;
    while (end < make && std::isdigit(static_cast<unsigned char>(s.prompt[end]))) ++end;
    if (end > i) p.numbers.push_back(std::stoi(s.prompt.substr(i, end - i)));
    i = end + 1;
  }
  p.target = std::atoi(s.reference.c_str());
  return p;
}

}  // namespace

struct StoredRunJudge::Impl {
  RunConfig cfg;
  std::vector<WeightsOnDisk> checkpoints;
  int budget;
  std::unique_ptr<Task> task;
  ReflectionDetector detector;
  WeightsOnDisk loaded_from;
  LoadedModel loaded;

  Impl(RunConfig c, std::vector<WeightsOnDisk> ck, int b)
      : cfg(std::move(c)), checkpoints(std::move(ck)), budget(b), task(make_task(cfg.task)), detector(cfg.lexicon()) {}

  void load(const WeightsOnDisk& w) {
    if (!loaded.model.is_empty() && loaded_from.path == w.path) return;
    loaded = load_for_sampling(w.path);
    loaded_from = w;
  }
};

StoredRunJudge::StoredRunJudge(RunConfig run, std::vector<WeightsOnDisk> checkpoints, int events_per_step)
    : impl_(std::make_unique<Impl>(std::move(run), std::move(checkpoints), events_per_step)) {}
StoredRunJudge::~StoredRunJudge() = default;

StoredRunJudge::StepResult StoredRunJudge::judge_step(int64_t step, std::vector<SampleRecord>& samples) {
  auto& m = *impl_;
  StepResult out;
  out.weights = nearest_weights(m.cfg, m.checkpoints, step);
  m.load(out.weights);
  const auto& tok = *m.loaded.tokenizer;
  const bool expressions = m.task->answers_are_expressions();
  const bool opens_think = m.cfg.prompt_format().opens_think();
  std::vector<Problem> problems;
  std::vector<std::vector<int>> prompts;
  std::vector<Reflection> refls;
  for (const auto& s : samples) {
    problems.push_back(problem_of(s, expressions));
    prompts.push_back(tok.encode(s.prompt));
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto parsed = parse_response((opens_think ? "<think>" : "") + samples[i].completion);
    const AnswerJudge judge(
        [&, i](std::string_view value, std::string_view expression) -> std::optional<bool> {
          return m.task->is_correct(problems[i], expressions && !expression.empty() ? expression : value);
        },
        expressions);
    refls.push_back(m.detector.analyse(samples[i].completion, parsed.answer, judge));
  }
  std::vector<JudgedCompletion> judged;
  for (size_t i = 0; i < samples.size(); ++i)
    judged.push_back({&prompts[i], &samples[i].completion, &refls[i],
                      [&, i](std::string_view a) { return m.task->is_correct(problems[i], a); }});
  const auto count = judge_reflections(m.loaded.model, tok, judged, m.budget, 0x6A75646765ull ^ uint64_t(step),
                                       m.cfg.model_judge_tokens);
  for (size_t i = 0; i < samples.size(); ++i) record_reflection(refls[i], samples[i]);
  out.events = count.events, out.judged = count.judged;
  return out;
}

}  // namespace aha
