#pragma once
// A run config as a launch script for the engines that train at cluster scale: veRL
// (python3 -m verl.trainer.main_ppo with Hydra overrides) and TRL (a Python script with
// GRPOConfig). Both score with our reward rules, written out in plain Python, and both
// leave data that `aha import` / `aha follow` read back. Torch-free.
#include <string>
#include <vector>

#include "core/run/run_config.h"

namespace aha {

// Where one of our config keys goes: the engine's key, or why it has none.
struct KeyMapping {
  std::string ours;    // "learning_rate", "task.data_file", ...
  std::string theirs;  // "actor_rollout_ref.actor.optim.lr"; empty when unmapped
  std::string note;    // for unmapped keys: why (shown in the script's comment)
};

// Every key of RunConfig::to_toml() for `engine` ("verl" or "trl").
std::vector<KeyMapping> launch_key_mapping(const RunConfig& c, const std::string& engine);

// `rollout_dir` is where veRL dumps each step's rollouts (trainer.rollout_data_dir);
// `output_dir` the TRL output_dir. Throws std::invalid_argument for an unknown engine.
std::string launch_script(const RunConfig& c, const std::string& engine, const std::string& out_dir);

}  // namespace aha
