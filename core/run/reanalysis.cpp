#include "core/run/reanalysis.h"

#include <memory>

#include "core/analysis/reflection.h"
#include "core/run/run_config.h"
#include "core/run/step_metrics.h"
#include "core/tasks/dataset_file.h"

namespace aha {

std::function<void(SampleRecord&)> reflection_reanalyser(const std::string& config_toml) {
  std::vector<LexiconEntry> lexicon = default_reflection_lexicon();
  try {
    lexicon = RunConfig::from_toml(config_toml, "the run's stored config").lexicon();
  } catch (const std::exception&) {
    // An imported run's config is the other engine's, not ours: the default lexicon.
  }
  auto detector = std::make_shared<ReflectionDetector>(std::move(lexicon));
  return [detector](SampleRecord& s) {
    const auto a0 = s.completion.find("<answer>"), a1 = s.completion.find("</answer>");
    const std::string answer =
        a0 != std::string::npos && a1 != std::string::npos && a1 > a0 ? s.completion.substr(a0 + 8, a1 - a0 - 8) : "";
    // A numeric reference judges any value; otherwise (a Countdown target, an expression)
    // the stored verdict judges the final answer itself.
    const AnswerJudge numeric = numeric_judge(s.reference);
    const bool correct = s.correct;
    const AnswerJudge judge = [&](std::string_view v, std::string_view) -> std::optional<bool> {
      if (numeric) return numeric(v);
      if (!answer.empty() && answers_match(v, answer, 0)) return correct;
      return std::nullopt;
    };
    auto r = detector->analyse(s.completion, answer, judge);
    // The model's verdicts came from the weights (model_judge_events), not from the text:
    // an event that is still there keeps them.
    for (const auto& old : events_from_json(s.aha_events))
      if (old.model != ReflectionOutcome::None)
        for (auto& e : r.events)
          if (e.begin == old.begin) e.model = old.model, e.model_before = old.model_before, e.model_after = old.model_after;
    record_reflection(r, s);
  };
}

}  // namespace aha
