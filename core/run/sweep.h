#pragma once
// A sweep: one base run config trained over a grid of values and seeds, each combination
// a run of its own that records the sweep and its values (docs/SWEEPS.md). Torch-free.
//
//   name = "dr-grpo-ablation"
//   base = "../presets/demo-arithmetic.toml"   # relative to the sweep file
//   seeds = [1, 2, 3]
//   [set]                # the same for every member (run-config keys; [set.task] too)
//   max_steps = 60
//   [grid]               # every combination, in file order (task.max_terms for tables)
//   epsilon = [0.2, 0.28]
//   [[arms]]             # values that go together (each arm x the grid x the seeds)
//   label = "grpo"       # (optional) the arm's name in its members' names
//   loss_type = "grpo"
//   scale_rewards = "group"
//   [[arms]]
//   loss_type = "dr_grpo"
//   scale_rewards = "none"
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace aha {

struct SweepSpec {
  std::string name;
  std::filesystem::path file;  // the sweep file ("" when parsed from text)
  std::filesystem::path base;  // the base run config, absolute
  std::vector<int> seeds = {1};
  // Members trained at once (one process; a GPU with room for several). They share
  // libtorch's random generator: not bit-for-bit the runs that parallel = 1 gives.
  int parallel = 1;
  // (dotted key, TOML literal): [set] for every member, [grid] one list per key.
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;
  // [[arms]]: each a set of (dotted key, literal) that vary together; none = one empty arm.
  // An arm's `label` (not a run-config key) names it in its members' names and values
  // ("arm"); without one, its values do.
  std::vector<std::vector<std::pair<std::string, std::string>>> arms;
  std::vector<std::string> arm_labels;  // one per arm, "" for none

  // Errors (ConfigError) name the file and the key; the members are built (and every
  // one validated as a run config) by sweep_members.
  static SweepSpec load(const std::filesystem::path& file);
  static SweepSpec from_toml(const std::string& text, const std::string& origin, const std::filesystem::path& dir);
  // The sweep file that loads back as this spec (its base as an absolute path).
  std::string to_toml() const;
};

struct SweepMember {
  std::string run_name;  // "<sweep>-<value>-...-s<seed>"
  std::vector<std::pair<std::string, std::string>> values;  // grid key -> TOML literal
  std::string arm;  // its arm's label, "" for none
  int seed = 0;
  std::string config_toml;  // the member's run config: the base with [set], its values, name, seed
  std::string values_json() const;  // {"arm": "random", "loss_type": "grpo", ..., "seed": 1}
};

// Every arm x every grid combination x every seed: arms slowest, then the grid keys in
// order, seeds fastest (so that a partial sweep has all seeds of its first arms). Each member's config is
// parsed as a run config: a bad value is a ConfigError naming the member and the key.
std::vector<SweepMember> sweep_members(const SweepSpec& spec);

// A TOML literal as a part of a run name ("dr_grpo", "0.28", "accuracy_format").
std::string sweep_name_part(const std::string& literal);

// The value of `key` in a member's values JSON as text ("grpo", "0.2", "1"), "" if absent.
std::string sweep_value(const std::string& values_json, const std::string& key);

}  // namespace aha
