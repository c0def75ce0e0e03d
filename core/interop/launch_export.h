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

// Where the job runs and what it leaves for `aha follow`.
struct LaunchOptions {
  std::string data_dir;     // veRL: trainer.rollout_data_dir (one <step>.jsonl per step); TRL: output_dir
  std::string config_path;  // the run config the script was written from, passed to `aha follow --config`
  int gpus_per_node = 0;    // 0: every GPU nvidia-smi lists when the script starts
  int nodes = 1;
  int rollout_tp = 1;       // veRL: tensor parallel size of the vLLM rollout
  // Sequences per forward/backward on one GPU (memory, not maths): veRL's
  // ppo_micro_batch_size_per_gpu; TRL's per_device_train_batch_size, with gradient
  // accumulation making up the rest of the step.
  int micro_batch_per_gpu = 4;
};

// The script for `engine` ("verl" or "trl"). Throws std::invalid_argument for an unknown
// engine, a model the engine cannot load (the built-in one) or options out of range.
std::string launch_script(const RunConfig& c, const std::string& engine, const LaunchOptions& options);

}  // namespace aha
