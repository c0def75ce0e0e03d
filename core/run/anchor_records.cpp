#include "core/run/anchor_records.h"

#include <nlohmann/json.hpp>

namespace aha {

ProbeRecord anchors_record(int64_t run_id, int64_t sample_id, int64_t weights_step, const AnchorMap& map,
                           const AnchorOptions& options, const std::string& reference) {
  ProbeRecord r;
  r.probe.run_id = run_id;
  r.probe.kind = "anchors";
  r.probe.sample_id = sample_id;
  r.probe.weights_step = weights_step;
  r.probe.seconds = map.seconds;
  // Each step's figures too, for readers without core/ (the trace export); read back,
  // only its bytes count: the figures are recomputed from the continuations.
  auto steps = nlohmann::json::array();
  for (size_t i = 0; i < map.steps.size(); ++i) {
    const auto& s = map.steps[i];
    nlohmann::json step{{"begin", s.begin}, {"end", s.end}};
    if (i < map.anchors.size()) {
      const auto& a = map.anchors[i];
      step.update({{"effect", a.effect},
                   {"effect_half_width", a.effect_half_width},
                   {"importance", a.importance},
                   {"half_width", a.half_width},
                   {"kept", a.kept},
                   {"kept_correct", a.kept_correct},
                   {"resampled", a.resampled},
                   {"resampled_correct", a.resampled_correct},
                   {"rewritten_same", a.rewritten_same},
                   {"came_back", a.came_back},
                   {"resilience", a.resilience},
                   {"kl", a.kl}});
    }
    steps.push_back(std::move(step));
  }
  r.probe.settings_json = nlohmann::json{{"steps", steps},
                                         {"adaptive", map.adaptive},
                                         {"full_samples", options.full_samples},
                                         {"budget", options.budget},
                                         {"seed", options.seed}}
                              .dump();
  for (size_t j = 0; j < map.continuations.size(); ++j) {
    int correct = 0, index = 0;
    for (const auto& c : map.continuations[j]) {
      correct += c.correct;
      r.completions.push_back({static_cast<int>(j), index++, c.text, c.answer, c.correct, c.truncated});
    }
    r.problems.push_back({static_cast<int>(j), "", reference, index, correct, false});
  }
  return r;
}

AnchorMap stored_anchors(const db::ProbeRow& probe, const std::vector<db::ProbeCompletionRow>& completions,
                         const std::string& completion) {
  AnchorMap map;
  map.seconds = probe.seconds;
  const auto j = nlohmann::json::parse(probe.settings_json, nullptr, false);
  try {  // a damaged settings text reads as a map of no steps, not a crash
    if (j.is_object() && j.contains("steps") && j["steps"].is_array())
      for (const auto& s : j["steps"])
        if (s.is_object() && s.value("begin", size_t{1}) <= s.value("end", size_t{0}) &&
            s.value("end", completion.size() + 1) <= completion.size())
          map.steps.push_back({s.value("begin", size_t{0}), s.value("end", size_t{0})});
    if (j.is_object()) map.adaptive = j.value("adaptive", false);
  } catch (const nlohmann::json::exception&) {
    map.steps.clear();
  }
  map.continuations.resize(map.steps.size() + 1);
  for (const auto& c : completions)
    if (c.problem >= 0 && c.problem < static_cast<int>(map.continuations.size()))
      map.continuations[c.problem].push_back({c.completion, c.truncated, c.answer, c.correct});
  map.anchors = score_anchors(completion, map.steps, map.continuations);
  return map;
}

}  // namespace aha
