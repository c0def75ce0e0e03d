#include "core/run/gain_probes.h"

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/run/probe_records.h"
#include "core/run/run_config.h"
#include "core/run/sweep.h"
#include "core/tasks/rewards.h"

namespace aha {
namespace {

// The arm a run belongs to: its sweep arm's label, else the control reward it trains on.
std::string arm_of(const db::RunSummary& run, const RunConfig& cfg) {
  if (auto label = sweep_value(run.sweep_values, "arm"); !label.empty()) return label;
  for (const auto& f : cfg.reward_funcs)
    if (is_control_reward(f)) return f;
  return "truth";
}

// The sweep values that make a run what it is, apart from its reward, arm and seed: runs
// equal in these are one another's controls.
std::string setting_of(const db::RunSummary& run) {
  auto j = nlohmann::json::parse(run.sweep_values, nullptr, false);
  if (!j.is_object()) return "{}";
  for (const char* k : {"arm", "reward_funcs", "seed"}) j.erase(k);
  return j.dump();
}

RunConfig config_of(const db::RunSummary& run) {
  return RunConfig::from_toml(run.config_toml, "run '" + run.name + "' (stored config)");
}

}  // namespace

GainResult gain_of_run(db::ProbeSource& source, const GainRequest& request,
                       const decltype(Engine::probe_pass_at_k)& probe,
                       const std::function<bool(const GainProgress&)>& progress) {
  const auto run = source.require_run(request.run);
  GainResult result;
  result.sweep = run.sweep;
  result.truth_arm = arm_of(run, config_of(run));
  if (is_control_reward(result.truth_arm))
    result.notes.push_back("run '" + run.name + "' trains on the control reward '" + result.truth_arm +
                           "'; it is read as the truth here");

  const auto matches = [&](const db::ProbeRow& p, const RunConfig& cfg) {
    return p.kind == "passk" && passk_settings(p) == PassAtKSettings{request.set.problems, request.samples,
                                                                      request.set.seed, cfg.temperature, request.set.file};
  };
  // The stored probe of these weights, or a new one sampled and stored.
  const auto probed = [&](const db::RunSummary& owner, const RunConfig& cfg, int64_t step,
                          const std::string& path) -> std::vector<ProbeProblem> {
    for (const auto& p : source.probes(owner.id, "passk"))
      if (p.weights_step == step && matches(p, cfg))
        return probe_problems(source.problems(p.id), source.completions(p.id));
    if (!probe) throw std::invalid_argument("no engine to sample probes with");
    const std::string what = (step == 0 ? "the base model" : "step " + std::to_string(step)) + " of '" + owner.name + "'";
    const auto sampled = probe(cfg, path, request.set, request.samples, [&](int done, int total) {
      return !progress || progress({what, done, total});
    });
    const auto record = passk_record(owner.id, step, sampled, request.set, cfg.temperature);
    source.add(record.probe, record.problems, record.completions);
    ++result.probes_sampled;
    return sampled.problems;
  };

  std::vector<db::RunSummary> members = {run};
  if (!run.sweep.empty()) {
    members.clear();
    for (const auto& r : source.runs())
      if (r.sweep == run.sweep && setting_of(r) == setting_of(run)) members.push_back(r);
  }
  std::map<std::string, ProbeScore> base_of_model;  // one base probe per model, stored with the run asked for
  for (const auto& m : members) {
    const RunConfig cfg = config_of(m);
    if (m.last_step < 1) {
      result.notes.push_back("skipped '" + m.name + "': it has not trained a step");
      continue;
    }
    if (!base_of_model.count(cfg.model))
      base_of_model[cfg.model] = probe_score(probed(run, cfg, 0, resolve_model_path(cfg.model).string()));
    // The final weights: a stored probe of its last checkpoint, or that checkpoint on disk.
    std::optional<std::pair<int64_t, std::string>> last;
    for (const auto& [step, path] : source.checkpoints(m.id)) last = {step, path};
    if (!last) throw std::invalid_argument("run '" + m.name + "' saved no checkpoint: its final weights cannot be probed");
    bool stored = false;
    for (const auto& p : source.probes(m.id, "passk")) stored |= p.weights_step == last->first && matches(p, cfg);
    if (!stored && !std::filesystem::exists(std::filesystem::path(last->second) / "config.json"))
      throw std::invalid_argument("run '" + m.name + "': the checkpoint of step " + std::to_string(last->first) +
                                  " is gone (" + last->second + ") and no probe of it with these settings is stored");
    if (m.last_step < m.total_steps)
      result.notes.push_back("'" + m.name + "' has trained " + std::to_string(m.last_step) + " of its " +
                             std::to_string(m.total_steps) + " steps (" + m.status + "): the weights after step " +
                             std::to_string(last->first) + " stand for its final ones");
    ArmRun a;
    a.arm = arm_of(m, cfg);
    a.seed = int(m.seed);
    a.before = base_of_model[cfg.model];
    a.after = probe_score(probed(m, cfg, last->first, last->second));
    result.runs.push_back(a);
    result.run_names.push_back(m.name);
  }
  result.report = gain_report(result.runs, result.truth_arm);
  return result;
}

}  // namespace aha
