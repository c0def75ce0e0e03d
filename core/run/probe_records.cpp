#include "core/run/probe_records.h"

#include <nlohmann/json.hpp>

#include "core/analysis/answer_trajectory.h"
#include "core/tasks/rewards.h"

namespace aha {

ProbeRecord passk_record(int64_t run_id, int64_t weights_step, const PassAtKProbe& probe, const ProbeSet& set,
                         double temperature) {
  ProbeRecord r;
  r.probe.run_id = run_id;
  r.probe.kind = "passk";
  r.probe.weights_step = weights_step;
  r.probe.seconds = probe.seconds;
  const int samples = probe.problems.empty() ? 0 : probe.problems.front().samples;
  r.probe.settings_json = nlohmann::json{{"problems", probe.problems.size()},
                                         {"samples", samples},
                                         {"seed", set.seed},
                                         {"file", set.file},
                                         {"temperature", temperature}}
                              .dump();
  for (size_t i = 0; i < probe.problems.size(); ++i) {
    const auto& p = probe.problems[i];
    const int problem = static_cast<int>(i);
    r.problems.push_back({problem, p.prompt, p.reference, p.samples, p.correct, p.majority_correct});
    for (size_t j = 0; j < p.completions.size(); ++j) {
      const auto& c = p.completions[j];
      r.completions.push_back({problem, static_cast<int>(j), c.text, c.answer, c.correct, c.truncated});
    }
  }
  return r;
}

std::vector<ProbeProblem> probe_problems(const std::vector<db::ProbeProblemRow>& problems,
                                         const std::vector<db::ProbeCompletionRow>& completions) {
  std::vector<ProbeProblem> out;
  for (const auto& p : problems) {
    ProbeProblem q;
    q.samples = p.samples;
    q.correct = p.correct;
    q.majority_correct = p.majority_correct;
    q.prompt = p.prompt;
    q.reference = p.reference;
    out.push_back(std::move(q));
  }
  for (const auto& c : completions)
    if (c.problem >= 0 && c.problem < static_cast<int>(out.size()))
      out[c.problem].completions.push_back({c.completion, c.answer, c.correct, c.truncated});
  return out;
}

PassAtKSettings passk_settings(const db::ProbeRow& probe) {
  PassAtKSettings s;
  const auto j = nlohmann::json::parse(probe.settings_json, nullptr, false);
  if (!j.is_object()) return s;
  s.problems = j.value("problems", 0);
  s.samples = j.value("samples", 0);
  s.seed = j.value("seed", uint64_t{0});
  s.temperature = j.value("temperature", 0.0);
  s.file = j.value("file", std::string());
  return s;
}

ProbeRecord resample_record(int64_t run_id, int64_t sample_id, const ResampleRequest& request, size_t point,
                            const ResampleResult& result, const std::string& reference) {
  ProbeRecord r;
  r.probe.run_id = run_id;
  r.probe.kind = "resample";
  r.probe.sample_id = sample_id;
  r.probe.weights_step = request.weights.step;
  r.probe.seconds = result.seconds;
  r.probe.settings_json = nlohmann::json{{"prefix", request.prefix},
                                         {"point_byte", point},
                                         {"samples", request.samples},
                                         {"seed", request.seed}}
                              .dump();
  const auto judge = numeric_judge(reference);
  const std::string opened = request.run.prompt_format().opens_think() ? "<think>" : "";
  int correct = 0;
  for (size_t i = 0; i < result.continuations.size(); ++i) {
    const auto parsed = parse_response(opened + request.prefix + result.continuations[i]);
    const bool right = parsed.has_answer && judge(parsed.answer).value_or(false);
    correct += right;
    r.completions.push_back({0, static_cast<int>(i), result.continuations[i], parsed.has_answer ? parsed.answer : "",
                             right, i < result.truncated.size() && result.truncated[i]});
  }
  r.problems.push_back({0, request.prompt, reference, static_cast<int>(result.continuations.size()), correct, false});
  return r;
}

StoredResample stored_resample(const db::ProbeRow& probe, const std::vector<db::ProbeCompletionRow>& completions) {
  StoredResample out;
  const auto j = nlohmann::json::parse(probe.settings_json, nullptr, false);
  if (j.is_object()) {
    out.prefix = j.value("prefix", std::string());
    out.point = j.value("point_byte", size_t{0});
    out.seed = j.value("seed", uint64_t{0});
  }
  for (const auto& c : completions) {
    out.continuations.push_back(c.completion);
    out.truncated.push_back(c.truncated);
  }
  return out;
}

std::string weights_label(int64_t weights_step) {
  return WeightsOnDisk{weights_step, ""}.describe();
}

}  // namespace aha
