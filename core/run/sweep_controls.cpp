#include "core/run/sweep_controls.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/run/run_config.h"
#include "core/support/config_reader.h"
#include "core/tasks/rewards.h"

namespace aha {
namespace {

std::string list_literal(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", \"" : "\"") + names[i] + "\"";
  return out + "]";
}

// The reward functions an arm trains with: its own reward_funcs, [set]'s, or the base's.
std::vector<std::string> reward_funcs_of(const SweepSpec& spec, const std::vector<std::pair<std::string, std::string>>& arm) {
  std::string literal;
  for (const auto& [k, v] : spec.set)
    if (k == "reward_funcs") literal = v;
  for (const auto& [k, v] : arm)
    if (k == "reward_funcs") literal = v;
  if (literal.empty()) return RunConfig::load(spec.base).reward_funcs;
  return RunConfig::from_toml("reward_funcs = " + literal, spec.name).reward_funcs;
}

}  // namespace

std::vector<std::string> control_arm_names() { return {"truth", "random", "incorrect_label", "format_only"}; }

SweepSpec with_controls(SweepSpec spec) {
  for (const auto& [key, values] : spec.grid)
    if (key == "reward_funcs")
      throw ConfigError(spec.name + ": grid.reward_funcs: the controls form sets the reward functions itself; "
                        "take reward_funcs out of the grid");
  const auto arms = spec.arms.empty() ? decltype(spec.arms){{}} : spec.arms;
  SweepSpec out = spec;
  out.name = spec.name + "-controls";
  out.arms.clear();
  out.arm_labels.clear();
  for (size_t a = 0; a < arms.size(); ++a) {
    const auto funcs = reward_funcs_of(spec, arms[a]);
    if (std::find(funcs.begin(), funcs.end(), "accuracy") == funcs.end())
      throw ConfigError(spec.name + ": reward_funcs " + list_literal(funcs) +
                        " has no accuracy for a control to stand in for; the controls compare against the truth's reward");
    // An arm without a label is named by its values, as its members were ("dr_grpo-none").
    std::string label = a < spec.arm_labels.size() ? spec.arm_labels[a] : "";
    if (label.empty())
      for (size_t v = 0; v < arms[a].size(); ++v) label += (v ? "-" : "") + sweep_name_part(arms[a][v].second);
    for (const auto& control : control_arm_names()) {
      auto arm = arms[a];
      std::erase_if(arm, [](const auto& kv) { return kv.first == "reward_funcs"; });
      auto changed = funcs;
      if (control != "truth") std::replace(changed.begin(), changed.end(), std::string("accuracy"), control);
      arm.emplace_back("reward_funcs", list_literal(changed));
      out.arms.push_back(std::move(arm));
      out.arm_labels.push_back(label.empty() ? control : label + "-" + control);
    }
  }
  return out;
}

SweepSpec sweep_of_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError("cannot open '" + file.string() + "': no such file or not readable");
  std::stringstream text;
  text << in.rdbuf();
  const auto root = parse_toml_text(text.str(), file.string());
  if (root.contains("base")) return SweepSpec::load(file);
  const auto cfg = RunConfig::load(file);
  SweepSpec spec;
  spec.name = cfg.name;
  spec.file = std::filesystem::absolute(file).lexically_normal();
  spec.base = spec.file;
  spec.seeds = {cfg.seed};
  return spec;
}

}  // namespace aha
